"""Predict labels with a trained model: one text, a list, or a whole file.

Python:
    from predict import Classifier, label_names, multi_predict, predict, predict_proba
    Classifier.load().predict(df['报告'])        # -> a DataFrame: label, label_name, prob_*, unsure, truncated
    predict('慢性非萎缩性胃炎伴糜烂')           # -> 1
    multi_predict(['内痔', '胆总管结石'])        # -> [2, 0], any number of texts
    predict_proba(['内痔'])                     # -> array of shape (1, 3)
    predict_proba(texts, precision='int8')      # faster: see --precision
    predict('胆囊结石', min_confidence=0.9)      # -> the label, or None when the model is less sure
    label_names()                              # -> ('其他', '上消化道', '下消化道'), the model's own

Command line:
    python predict.py "慢性非萎缩性胃炎伴糜烂" "内痔"
    python predict.py --input data/test.txt --output log/test_predictions.tsv
    cat texts.txt | python predict.py --input - --output - --format jsonl
    python predict.py --input archive.txt --output archive.tsv --precision int8
    python predict.py --input data/ood_check.txt --output log/check.tsv --min-confidence 0.9 --bad-cases log/check_bad_cases.tsv

An input file has one text per line; when a line has a tab, the text is the
first field, so a labelled `text<TAB>label` file works too, and then the
accuracy and per-class F1 are printed. The model loads on first use.

The probabilities are calibrated: main.py fits a temperature on the
validation split and saves it with the model. --min-confidence P marks texts
whose top probability is below P as unsure (a column `unsure`, a count on
stderr) for a person to read; on a labelled file it also prints the accuracy
on the texts kept, the coverage, and the accuracy/coverage curve over a few
thresholds (and draws it, --coverage-plot), to choose P. --bad-cases FILE
writes a labelled file's misses, the most confident first.

--precision int8 runs a TensorFlow Lite copy of the model with int8 matrix
products: faster on a CPU with AVX-512 VNNI, a few seconds to convert at start,
probabilities close to float32's but not identical (benchmarks/bench_predict.py
measures speed and agreement for your model; docs/results.md has the figures).
"""
import argparse
import contextlib
import csv
import os
import sys

import numpy as np
from tqdm import tqdm

import config
import path
from data_process import DataError, TextFile, read_lines
from tables import add_table_arguments, column_texts, looks_like_header, reads_table
from utils.calibration import coverage_curve
from utils.cli import HelpFormatter, at_least, fail, probability
from utils.files import (OverwriteError, UnwritableError, atomic_open, check_distinct, check_not_a_lock,
                         check_not_an_input, check_output_files)
from utils.metrics import bad_cases_tsv, format_report, misses
from utils.predictions import (accuracy_line, report_counts, truncated, unsure, warn_too_long, write_header,
                               write_output)
from utils.text import text_problem


def _inference():
    import inference  # TensorFlow loads here, on first use, not when predict is imported
    return inference


def predict_proba(texts, weights=path.WEIGHTS_PATH, albert_dir=path.ALBERT_DIR, batch_size=config.PREDICT_BATCH_SIZE,
                  progress=None, precision='float32'):
    """Class probabilities, shape (len(texts), num_classes), rows in input order."""
    return _inference().load_predictor(weights, albert_dir, precision).predict_proba(text_list(texts), batch_size, progress)


def text_list(texts):
    """texts as a list; one string is refused, since iterating it would predict each of its characters,
    and so is a text that is not one (empty, spaces only, NaN, None: ValueError naming it)."""
    if isinstance(texts, str):
        raise TypeError(f'expected a list of texts, got one string ({texts[:20]!r}); use predict() for one text, '
                        f'or pass [text]')
    texts = list(texts)
    for i, text in enumerate(texts):
        problem = text_problem(text)
        if problem:
            raise ValueError(f'text {i}: is {problem}; a model can only guess at it (Classifier.predict skips such '
                             f'rows with skip_empty=True)')
    return texts


def multi_predict(texts, weights=path.WEIGHTS_PATH, albert_dir=path.ALBERT_DIR, batch_size=config.PREDICT_BATCH_SIZE,
                  precision='float32', min_confidence=None):
    """The predicted label of each text, in input order; batched internally, no length cap.

    With min_confidence, a text whose top (calibrated) probability is below it gets None: unsure.
    """
    texts = text_list(texts)
    if not texts:
        return []
    probs = predict_proba(texts, weights, albert_dir, batch_size, precision=precision)
    return [None if doubt else label for label, doubt in zip(probs.argmax(axis=1).tolist(), unsure(probs, min_confidence))]


def predict(text, weights=path.WEIGHTS_PATH, albert_dir=path.ALBERT_DIR, precision='float32', min_confidence=None):
    """The predicted label of one text (None: below min_confidence, unsure)."""
    return multi_predict([text], weights, albert_dir, precision=precision, min_confidence=min_confidence)[0]


def tracts(texts, weights=path.WEIGHTS_PATH, albert_dir=path.ALBERT_DIR, batch_size=config.PREDICT_BATCH_SIZE,
           precision='float32'):
    """For each text, the tracts its clauses name, each clause predicted on its own: '1', '2', '1+2'
    (a text that names both tracts, which its one label cannot say) or '' (neither). The shipped
    classes only."""
    inference = _inference()
    return inference.named_tracts(inference.load_predictor(weights, albert_dir, precision), list(texts), batch_size)


def label_names(weights=path.WEIGHTS_PATH, albert_dir=path.ALBERT_DIR):
    """The names of the model's classes, indexed by label."""
    return _inference().load_predictor(weights, albert_dir).model.label_names


class Classifier:
    """A trained model for pandas users: labels, names, every probability and the unsure flag in one pass.

        clf = Classifier.load('weights/albert_tiny.h5')
        result = clf.predict(df['报告'], min_confidence=0.9)   # a DataFrame with df's index
        df = df.join(result.drop(columns='text'))
    """

    def __init__(self, predictor):
        self.predictor = predictor

    @classmethod
    def load(cls, weights=path.WEIGHTS_PATH, albert_dir=path.ALBERT_DIR, precision='float32'):
        """The model saved at weights (MissingModelError, with the reason, when it cannot be loaded)."""
        return cls(_inference().load_predictor(weights, albert_dir, precision))

    @property
    def label_names(self):
        return self.predictor.model.label_names

    def predict(self, texts, min_confidence=None, skip_empty=False, batch_size=config.PREDICT_BATCH_SIZE, progress=None):
        """A DataFrame, one row per text, indexed as texts (a pandas Series keeps its index; else 0..n-1):
        text, label, label_name, prob_0..prob_{k-1}, unsure (top probability below min_confidence),
        truncated (longer than the model reads: only its first maxlen - 2 characters count).

        A text that is NaN, None, not a string, empty or only spaces is a ValueError naming its row;
        with skip_empty such rows are left out of the result (join on the index to see which).
        progress(n), if given, is called after each batch of n texts.
        """
        import pandas as pd
        if isinstance(texts, str):
            text_list(texts)  # the one-string TypeError
        index = list(texts.index) if isinstance(texts, pd.Series) else list(range(len(texts)))
        values = list(texts)
        keep, kept = [], []  # the rows and the texts predicted
        for row, value in zip(index, values):
            problem = text_problem(value)
            if problem and not skip_empty:
                raise ValueError(f'row {row!r}: the text is {problem}; drop such rows first, or pass skip_empty=True')
            if not problem:
                keep.append(row)
                kept.append(value)
        probs = (self.predictor.predict_proba(kept, batch_size, progress) if kept
                 else np.zeros((0, len(self.label_names))))
        labels = probs.argmax(axis=1)
        maxlen = self.predictor.model.maxlen
        result = pd.DataFrame({'text': kept, 'label': labels, 'label_name': [self.label_names[k] for k in labels],
                               **{f'prob_{k}': probs[:, k] for k in range(len(self.label_names))},
                               'unsure': unsure(probs, min_confidence),
                               'truncated': [truncated(text, maxlen) for text in kept]},
                              index=pd.Index(keep, name=texts.index.name if isinstance(texts, pd.Series) else None))
        return result


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument('texts', nargs='*', help='texts to classify (or use --input)')
    parser.add_argument('--input', help="a UTF-8 file, one text per line (text<TAB>label works too); '-' for stdin; "
                                        'or a table (.csv, .tsv, .xlsx: see --column)')
    add_table_arguments(parser, "; the output keeps every column of the table and adds the model's")
    parser.add_argument('--output', default='-', help="where --input's predictions go; '-' for stdout (default)")
    parser.add_argument('--format', choices=['tsv', 'jsonl'], default='tsv', help='output format (default: %(default)s)')
    parser.add_argument('--batch-size', type=at_least(1), default=config.PREDICT_BATCH_SIZE, help='(default: %(default)s)')
    parser.add_argument('--precision', choices=config.PRECISIONS, default='float32',
                        help='int8: TensorFlow Lite with int8 matrix products, faster on most CPUs (default: %(default)s)')
    parser.add_argument('--min-confidence', type=probability, metavar='P',
                        help='mark texts whose top probability is below P as unsure (column/field "unsure")')
    parser.add_argument('--coverage-plot', default=os.path.join(path.LOG_DIR, 'coverage.png'),
                        help='with --min-confidence on a labelled file: the accuracy/coverage curve (default: %(default)s)')
    parser.add_argument('--tracts', action='store_true',
                        help='also predict each clause (cut at 。；，…) on its own and add a column "tracts": '
                             '1, 2, 1+2 when the text names both tracts, or empty (the shipped classes only)')
    parser.add_argument('--bad-cases', metavar='FILE',
                        help='labelled input: write its misses here (TSV), the most confident first')
    parser.add_argument('--skip-empty', action='store_true', help='skip empty lines instead of stopping at them')
    parser.add_argument('--weights', default=path.WEIGHTS_PATH, help='trained weights (default: %(default)s)')
    parser.add_argument('--albert-dir', default=path.ALBERT_DIR,
                        help='config and vocab.txt, used only when the weights have none saved beside them (default: %(default)s)')
    args = parser.parse_args(argv)
    if bool(args.texts) == bool(args.input):
        parser.error('give either texts or --input FILE')
    for i, text in enumerate(args.texts, start=1):
        if text_problem(text):
            fail(f'text {i} is {text_problem(text)}: nothing to classify')  # bad input, not bad usage: no usage block
    if args.bad_cases and not args.input:
        parser.error('--bad-cases needs a labelled --input file')
    if args.bad_cases == '-':
        parser.error('--bad-cases needs a file name (the predictions may be on stdout)')
    args.table = reads_table(args.input, args.column, args.sheet)
    if args.table:
        if args.input == '-':
            parser.error('--column and --sheet read a table from a file, not from stdin')
        unsupported = [flag for flag, value in (('--format jsonl', args.format == 'jsonl'), ('--tracts', args.tracts),
                                                 ('--bad-cases', args.bad_cases)) if value]
        if unsupported:
            parser.error(f"{', '.join(unsupported)}: not with a table input; the output is the table with the model's "
                         'columns added')
    return args


def check_texts(file, num_classes, skip_empty):
    """Read a file through once before predicting: bad input stops here, before any work and in one line,
    and the count gives the progress bar its total. None for stdin, which can be read only once."""
    if file == '-':
        return None
    return sum(1 for _ in TextFile(file, num_classes, skip_empty))


def chunks(rows, size):
    """Lists of up to `size` items of an iterable, in order."""
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class FileResult:
    """What predict_file counted while streaming: the reader (labelled? skipped?), the confusion
    matrix, the top probability and correctness of each labelled text, and the misses."""

    def __init__(self, reader, num_classes):
        self.reader = reader
        self.cm = np.zeros((num_classes, num_classes), dtype=int)
        self.written = self.too_long = self.unsure = self.both_tracts = 0
        self.confidence, self.correct, self.misses = [], [], []


def predict_file(args, trained, out):
    """Stream --input through the model into `out`, config.PREDICT_CHUNK_TEXTS texts at a time, so memory
    stays flat for a file of any length; the accuracy report (labelled input) is counted as it goes."""
    names = trained.label_names
    total = check_texts(args.input, len(names), args.skip_empty)
    result = FileResult(TextFile(args.input, len(names), args.skip_empty), len(names))
    write_header(out, args.format, names, args.min_confidence, args.tracts)
    with tqdm(total=total, unit='text', desc='predicting', file=sys.stderr, mininterval=1) as bar:
        for chunk in chunks(result.reader, config.PREDICT_CHUNK_TEXTS):
            texts = [text for text, _ in chunk]
            probs = predict_proba(texts, args.weights, args.albert_dir, args.batch_size, bar.update, args.precision)
            named = tracts(texts, args.weights, args.albert_dir, args.batch_size, args.precision) if args.tracts else None
            write_output(out, texts, probs, args.format, names, trained.maxlen, args.min_confidence, named)
            result.both_tracts += (named or []).count('1+2')
            top = probs.max(axis=1)
            labelled = [(row, label) for row, (_, label) in enumerate(chunk) if label is not None]
            for row, label in labelled:
                result.cm[label, probs[row].argmax()] += 1
            if args.min_confidence is not None:  # the coverage curve needs every labelled text's confidence
                result.unsure += int(np.sum(unsure(probs, args.min_confidence)))
                result.confidence.extend(top[row] for row, _ in labelled)
                result.correct.extend(probs[row].argmax() == label for row, label in labelled)
            if args.bad_cases:
                result.misses.extend(misses([texts[row] for row, _ in labelled], [label for _, label in labelled],
                                            probs[[row for row, _ in labelled]]))
            result.written += len(texts)
            result.too_long += sum(truncated(text, trained.maxlen) for text in texts)
    return result


def warn_header(file):
    """A warning when a plain text file's first line is a table's header, which would be classified as a text."""
    if file == '-' or not os.path.isfile(file):
        return
    try:
        first = next(iter(read_lines(file)), (1, ''))[1]
    except DataError:
        return  # TextFile says what is wrong with it
    if looks_like_header(first):
        print(f'warning: {file}:1 looks like a header ({first.strip()[:40]}), and is classified as a text; '
              f'a table is read with --column NAME (and a .csv or .xlsx always is)', file=sys.stderr)


def predict_table(args, info):
    """A CSV/TSV/.xlsx --input with a header: its --column classified, every column kept, the model's added
    (label, label_name, prob_k, unsure with --min-confidence, truncated). CSV out when --output ends in .csv
    (UTF-8 with BOM, for Excel), else TSV. A row whose text is empty is an error naming its line, or with
    --skip-empty is written with the model's columns empty."""
    header, rows, texts, skipped = column_texts(args.input, args.column, args.encoding, args.sheet, args.skip_empty)
    classifier = Classifier.load(args.weights, args.albert_dir, args.precision)
    with tqdm(total=len(texts), unit='text', desc='predicting', file=sys.stderr, mininterval=1) as bar:
        result = classifier.predict(list(texts.values()), args.min_confidence, batch_size=args.batch_size,
                                    progress=bar.update)
    result.index = list(texts)  # the rows of the table
    model_columns = [column for column in result.columns[1:] if column != 'unsure' or args.min_confidence is not None]
    added = [f'{column}_predicted' if column in header else column for column in model_columns]
    values = {i: [f'{value:.6f}' if column.startswith('prob_') else int(value) if column in ('unsure', 'truncated')
                  else value for column, value in zip(model_columns, row)]
              for i, row in zip(result.index, result[model_columns].itertuples(index=False))}
    maxlen = classifier.predictor.model.maxlen
    as_csv = args.output.lower().endswith('.csv')
    target = (contextlib.nullcontext(sys.stdout) if args.output == '-'
              else atomic_open(args.output, encoding='utf-8-sig' if as_csv else 'utf-8', newline=''))
    with target as out:
        writer = csv.writer(out, delimiter=',' if as_csv else '\t', lineterminator='\n')
        writer.writerow(header + added)
        for i, (_, cells) in enumerate(rows):
            writer.writerow(cells + values.get(i, [''] * len(added)))
    if args.output != '-':
        print(f'wrote {len(rows)} rows ({len(texts)} predicted) to {args.output}', file=info)
    if skipped:
        print(f"skipped {skipped} rows with an empty text (the model's columns are empty there)", file=sys.stderr)
    warn_too_long(int(result['truncated'].sum()), maxlen)
    if args.min_confidence is not None:
        print(f"{int(result['unsure'].sum())} of {len(texts)} texts unsure "
              f'(top probability below {args.min_confidence:g})', file=sys.stderr)


def report_coverage(result, min_confidence, plot_path, info):
    """Accuracy on the kept texts and coverage at min_confidence, and the curve over a few thresholds."""
    # and the model's own scale: trained with label smoothing, its probabilities stay below about 0.94,
    # so the thresholds that would send 1%, 3%, 5% and 10% of this file to a person are listed too
    shares = np.floor(np.quantile(result.confidence, [0.01, 0.03, 0.05, 0.10]) * 1e4) / 1e4 if result.confidence else []
    thresholds = sorted({0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, min_confidence, *map(float, shares)})
    rows = coverage_curve(result.confidence, result.correct, thresholds)
    kept = next(row for row in rows if row[0] == min_confidence)
    print(f'--min-confidence {min_confidence:g}: kept {kept[3]} of {len(result.confidence)} texts '
          f'(coverage {kept[1]:.4f}), accuracy on the kept texts {kept[2]:.4f}', file=info)
    print(f"{'P':>7}{'coverage':>10}{'accuracy':>10}{'kept':>8}", file=info)
    for threshold, coverage, accuracy, count in rows:
        print(f'{threshold:>7g}{coverage:>10.4f}{accuracy:>10.4f}{count:>8}', file=info)
    from utils.plotting import plot_coverage  # matplotlib loads only for this plot
    try:
        plot_coverage(rows, plot_path, f'{os.path.basename(result.reader.path)}: accuracy against coverage')
        print(f'wrote {plot_path}', file=info)
    except OSError as e:
        print(f'warning: could not draw {plot_path} ({e.strerror or e})', file=sys.stderr)


def main(argv=None):
    args = parse_args(argv)
    inference = _inference()
    extra_outputs = [args.bad_cases] if args.bad_cases else []
    if args.min_confidence is not None and args.input:
        extra_outputs.append(args.coverage_plot)  # drawn if the input turns out labelled
    try:
        check_not_an_input([args.output, *extra_outputs], [args.input, *path.model_files(args.weights)])
        check_not_a_lock([args.output, *extra_outputs], args.weights)
        check_distinct([args.output, *extra_outputs])
        check_output_files([f for f in (args.output, *extra_outputs) if f != '-'])
        trained = inference.load_predictor(args.weights, args.albert_dir, args.precision).model
    except (OverwriteError, UnwritableError, inference.MissingModelError, inference.ConversionError) as e:
        fail(e)
    names = trained.label_names
    if args.tracts:
        try:
            inference.check_tracts(names)
        except ValueError as e:
            fail(f'--tracts: {args.weights}: {e}')
    # metrics and warnings go to stderr when the predictions go to stdout
    info = sys.stderr if args.output == '-' or not args.input else sys.stdout
    if not args.input:
        warn_too_long(sum(truncated(text, trained.maxlen) for text in args.texts), trained.maxlen)
        probs = predict_proba(args.texts, args.weights, args.albert_dir, args.batch_size, precision=args.precision)
        named = (tracts(args.texts, args.weights, args.albert_dir, args.batch_size, args.precision) if args.tracts
                 else [None] * len(args.texts))
        for text, row, doubt, both in zip(args.texts, probs, unsure(probs, args.min_confidence), named):
            label = int(row.argmax())
            print(f'{label}\t{names[label]}\t' + '  '.join(f'p{k}={p:.4f}' for k, p in enumerate(row))
                  + ('\tunsure' if doubt else '') + (f'\ttracts={both}' if both is not None else '') + f'\t{text}')
        return

    if args.table:
        try:
            predict_table(args, info)
        except DataError as e:
            fail(e)
        return
    warn_header(args.input)
    try:
        if args.output == '-':
            result = predict_file(args, trained, sys.stdout)
        else:
            with atomic_open(args.output) as out:  # a file stopped half-way by bad input is not left behind
                result = predict_file(args, trained, out)
            print(f'wrote {result.written} predictions to {args.output}', file=info)
    except DataError as e:
        fail(e)
    reader = result.reader
    report_counts(reader.skipped, result.too_long, trained.maxlen, result.unsure, result.written, args.min_confidence)
    if args.tracts:
        print(f'{result.both_tracts} of {result.written} texts name both tracts (tracts 1+2)', file=sys.stderr)
    if reader.labelled:
        print(accuracy_line(np.trace(result.cm), result.written), file=info)
        print(format_report(result.cm, names), file=info)
        if args.min_confidence is not None:
            report_coverage(result, args.min_confidence, args.coverage_plot, info)
        if args.bad_cases:
            with atomic_open(args.bad_cases) as f:
                f.writelines(bad_cases_tsv(result.misses, names))
            print(f'wrote {len(result.misses)} misses to {args.bad_cases}', file=info)
    else:
        reason = reader.reason_without_labels() or f'{args.input}: no labels (text<TAB>label lines)'
        if args.bad_cases:
            fail(f'{reason}: --bad-cases needs every line labelled; the predictions were written, no bad cases')
        if reader.reason_without_labels() or args.min_confidence is not None:
            print(f'no accuracy report{" or coverage curve" if args.min_confidence is not None else ""}: {reason}',
                  file=sys.stderr)


if __name__ == '__main__':
    main()
