"""Predict labels with a trained model: one text, a list, or a whole file.

Python:
    from predict import predict, multi_predict, predict_proba
    predict('慢性非萎缩性胃炎伴糜烂')           # -> 1
    multi_predict(['内痔', '胆总管结石'])        # -> [2, 0], any number of texts
    predict_proba(['内痔'])                     # -> array of shape (1, 3)
    predict_proba(texts, precision='int8')      # about twice as fast: see --precision
    label_names()                              # -> ('其他', '上消化道', '下消化道'), the model's own

Command line:
    python predict.py "慢性非萎缩性胃炎伴糜烂" "内痔"
    python predict.py --input data/test.txt --output log/test_predictions.tsv
    cat texts.txt | python predict.py --input - --output - --format jsonl
    python predict.py --input archive.txt --output archive.tsv --precision int8

An input file has one text per line; when a line has a tab, the text is the
first field, so a labelled `text<TAB>label` file works too, and then the
accuracy and per-class F1 are printed. The model loads on first use.

--precision int8 runs a TensorFlow Lite copy of the model with int8 matrix
products: about twice as fast on a CPU with AVX-512 VNNI, a few seconds to
convert at start, probabilities within a few thousandths of float32's
(benchmarks/bench_predict.py measures speed and agreement for your model).
"""
import argparse
import json
import sys

import numpy as np
from tqdm import tqdm

import config
import path
from data_process import DataError, TextFile
from utils.cli import at_least, fail
from utils.files import OverwriteError, UnwritableError, atomic_open, check_not_an_input, check_output_files
from utils.metrics import format_report

_loaded = {}  # (weights, albert_dir) -> (model, tokenizer, {precision: predict_fn})


def _model_module():
    import model  # TensorFlow loads here, on first use, not when predict is imported
    return model


def _load(weights=path.WEIGHTS_PATH, albert_dir=path.ALBERT_DIR, precision='float32'):
    """(model, tokenizer, predict_fn), loaded once per weights and precision."""
    key = (weights, albert_dir)
    M = _model_module()
    if key not in _loaded:
        trained, tokenizer = M.load_trained(weights, albert_dir)
        _loaded[key] = (trained, tokenizer, {})
    trained, tokenizer, predict_fns = _loaded[key]
    if precision not in predict_fns:
        predict_fns[precision] = M.make_predict_fn(trained, precision)
    return trained, tokenizer, predict_fns[precision]


def predict_proba(texts, weights=path.WEIGHTS_PATH, albert_dir=path.ALBERT_DIR, batch_size=config.PREDICT_BATCH_SIZE,
                  progress=None, precision='float32'):
    """Class probabilities, shape (len(texts), num_classes), rows in input order."""
    trained, tokenizer, predict_fn = _load(weights, albert_dir, precision)
    return _model_module().predict_proba(trained, tokenizer, list(texts), batch_size, predict_fn, progress)


def multi_predict(texts, weights=path.WEIGHTS_PATH, albert_dir=path.ALBERT_DIR, batch_size=config.PREDICT_BATCH_SIZE,
                  precision='float32'):
    """The predicted label of each text, in input order; batched internally, no length cap."""
    texts = list(texts)
    if not texts:
        return []
    return predict_proba(texts, weights, albert_dir, batch_size, precision=precision).argmax(axis=1).tolist()


def predict(text, weights=path.WEIGHTS_PATH, albert_dir=path.ALBERT_DIR, precision='float32'):
    """The predicted label of one text."""
    return multi_predict([text], weights, albert_dir, precision=precision)[0]


def label_names(weights=path.WEIGHTS_PATH, albert_dir=path.ALBERT_DIR):
    """The names of the model's classes, indexed by label."""
    return _load(weights, albert_dir)[0].label_names


def write_header(out, fmt, label_names):
    if fmt == 'tsv':
        out.write('text\tlabel\tlabel_name\t' + '\t'.join(f'prob_{k}' for k in range(len(label_names))) + '\n')


def write_output(out, texts, probs, fmt, label_names):
    predicted = probs.argmax(axis=1)
    for text, label, row in zip(texts, predicted, probs):
        if fmt == 'tsv':
            out.write(f'{text}\t{label}\t{label_names[label]}\t' + '\t'.join(f'{p:.6f}' for p in row) + '\n')
        else:
            out.write(json.dumps({'text': text, 'label': int(label), 'label_name': label_names[label],
                                  'probs': [round(float(p), 6) for p in row]}, ensure_ascii=False) + '\n')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('texts', nargs='*', help='texts to classify (or use --input)')
    parser.add_argument('--input', help="a UTF-8 file, one text per line (text<TAB>label works too); '-' for stdin")
    parser.add_argument('--output', default='-', help="where --input's predictions go; '-' for stdout (default)")
    parser.add_argument('--format', choices=['tsv', 'jsonl'], default='tsv', help='output format (default: %(default)s)')
    parser.add_argument('--batch-size', type=at_least(1), default=config.PREDICT_BATCH_SIZE, help='(default: %(default)s)')
    parser.add_argument('--precision', choices=['float32', 'int8'], default='float32',
                        help='int8: TensorFlow Lite with int8 matrix products, about twice as fast (default: %(default)s)')
    parser.add_argument('--skip-empty', action='store_true', help='skip empty lines instead of stopping at them')
    parser.add_argument('--weights', default=path.WEIGHTS_PATH, help='trained weights (default: %(default)s)')
    parser.add_argument('--albert-dir', default=path.ALBERT_DIR,
                        help='config and vocab.txt, used only when the weights have none saved beside them (default: %(default)s)')
    args = parser.parse_args(argv)
    if bool(args.texts) == bool(args.input):
        parser.error('give either texts or --input FILE')
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


def predict_file(args, trained, out):
    """Stream --input through the model into `out`, config.PREDICT_CHUNK_TEXTS texts at a time, so memory
    stays flat for a file of any length; the accuracy report (labelled input) is counted as it goes."""
    names = trained.label_names
    total = check_texts(args.input, len(names), args.skip_empty)
    reader = TextFile(args.input, len(names), args.skip_empty)
    cm = np.zeros((len(names), len(names)), dtype=int)
    written = too_long = 0
    write_header(out, args.format, names)
    with tqdm(total=total, unit='text', desc='predicting', file=sys.stderr, mininterval=1) as bar:
        for chunk in chunks(reader, config.PREDICT_CHUNK_TEXTS):
            texts = [text for text, _ in chunk]
            probs = predict_proba(texts, args.weights, args.albert_dir, args.batch_size, bar.update, args.precision)
            write_output(out, texts, probs, args.format, names)
            for (_, label), guess in zip(chunk, probs.argmax(axis=1)):
                if label is not None:
                    cm[label, guess] += 1
            written += len(texts)
            too_long += sum(len(text) > trained.maxlen - 2 for text in texts)
    return reader, cm, written, too_long


def main(argv=None):
    args = parse_args(argv)
    M = _model_module()
    try:
        check_not_an_input([args.output], [args.input, *M.model_files(args.weights)])
        if args.output != '-':
            check_output_files([args.output])
        trained, _, _ = _load(args.weights, args.albert_dir, args.precision)
    except (OverwriteError, UnwritableError, M.MissingModelError) as e:
        fail(e)
    names = trained.label_names
    # metrics and warnings go to stderr when the predictions go to stdout
    info = sys.stderr if args.output == '-' or not args.input else sys.stdout
    if not args.input:
        warn_too_long(sum(len(text) > trained.maxlen - 2 for text in args.texts), trained.maxlen)
        probs = predict_proba(args.texts, args.weights, args.albert_dir, args.batch_size, precision=args.precision)
        for text, row in zip(args.texts, probs):
            label = int(row.argmax())
            print(f'{label}\t{names[label]}\t' + '  '.join(f'p{k}={p:.4f}' for k, p in enumerate(row)) + f'\t{text}')
        return

    try:
        if args.output == '-':
            reader, cm, written, too_long = predict_file(args, trained, sys.stdout)
        else:
            with atomic_open(args.output) as out:  # a file stopped half-way by bad input is not left behind
                reader, cm, written, too_long = predict_file(args, trained, out)
            print(f'wrote {written} predictions to {args.output}', file=info)
    except DataError as e:
        fail(e)
    if reader.skipped:
        print(f'skipped {reader.skipped} empty lines', file=sys.stderr)
    warn_too_long(too_long, trained.maxlen)
    if reader.labelled:
        print(f'accuracy {np.trace(cm) / cm.sum():.6f} on {written} labelled texts', file=info)
        print(format_report(cm, names), file=info)
    elif reader.reason_without_labels():
        print(f'no accuracy report: {reader.reason_without_labels()}', file=sys.stderr)


def warn_too_long(count, maxlen):
    if count:
        print(f'warning: {count} texts longer than {maxlen - 2} characters were truncated to {maxlen} tokens',
              file=sys.stderr)


if __name__ == '__main__':
    main()
