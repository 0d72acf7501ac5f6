"""Predict labels with a trained model: one text, a list, or a whole file.

Python:
    from predict import predict, multi_predict, predict_proba
    predict('慢性非萎缩性胃炎伴糜烂')           # -> 1
    multi_predict(['内痔', '胆总管结石'])        # -> [2, 0], any number of texts
    predict_proba(['内痔'])                     # -> array of shape (1, 3)

Command line:
    python predict.py "慢性非萎缩性胃炎伴糜烂" "内痔"
    python predict.py --input data/test.txt --output log/test_predictions.tsv
    cat texts.txt | python predict.py --input - --output - --format jsonl

An input file has one text per line; when a line has a tab, the text is the
first field, so a labelled `text<TAB>label` file works too, and then the
accuracy and per-class F1 are printed. The model loads on first use.
"""
import argparse
import json
import os
import sys

import numpy as np

import path
from utils.cli import at_least
from data_process import LABEL_NAMES, MAXLEN, NUM_CLASSES, DataError, parse_label, read_lines

BATCH_SIZE = 128
_loaded = {}  # (weights, albert_dir) -> (model, tokenizer, predict_fn)


def _load(weights=path.WEIGHTS_PATH, albert_dir=path.ALBERT_DIR):
    key = (weights, albert_dir)
    if key not in _loaded:
        import model as M  # TensorFlow loads here, on first use, not on import
        trained, tokenizer = M.load_trained(weights, albert_dir)
        _loaded[key] = (trained, tokenizer, M.make_predict_fn(trained))
    return _loaded[key]


def predict_proba(texts, weights=path.WEIGHTS_PATH, albert_dir=path.ALBERT_DIR, batch_size=BATCH_SIZE, progress=None):
    """Class probabilities, shape (len(texts), num_classes), rows in input order."""
    import model as M
    trained, tokenizer, predict_fn = _load(weights, albert_dir)
    return M.predict_proba(trained, tokenizer, list(texts), batch_size, predict_fn, progress)


def multi_predict(texts, weights=path.WEIGHTS_PATH, albert_dir=path.ALBERT_DIR, batch_size=BATCH_SIZE):
    """The predicted label of each text, in input order; batched internally, no length cap."""
    texts = list(texts)
    if not texts:
        return []
    return predict_proba(texts, weights, albert_dir, batch_size).argmax(axis=1).tolist()


def predict(text, weights=path.WEIGHTS_PATH, albert_dir=path.ALBERT_DIR):
    """The predicted label of one text."""
    return multi_predict([text], weights, albert_dir)[0]


def read_input(file, skip_empty=False):
    """(texts, labels or None, number of empty lines skipped, why there are no labels) from a text
    or `text<TAB>label` file.

    Labels are returned only when every line carries a valid one; otherwise `why`
    names the first line without one (None for a file of plain texts).
    """
    texts, labels, skipped, why = [], [], 0, None
    for number, line in read_lines(file):
        text, _, rest = line.partition('\t')
        text = text.strip()
        if not text:
            if skip_empty:
                skipped += 1
                continue
            raise DataError(f'{file}:{number}: empty text (use --skip-empty to skip empty lines)')
        raw_label = rest.split('\t')[0]
        texts.append(text)
        labels.append(parse_label(raw_label) if rest else None)
        if labels[-1] is None and why is None:
            why = f'{file}:{number}: ' + (f'label {raw_label!r} is not an integer in 0..{NUM_CLASSES - 1}' if rest else 'no label')
    if not texts:
        raise DataError(f'{file}: no texts to predict (the input is empty)')
    if why and not any(label is not None for label in labels):
        why = None  # plain texts, not a labelled file with a bad line
    return texts, (labels if None not in labels else None), skipped, why


def write_output(out, texts, probs, fmt):
    predicted = probs.argmax(axis=1)
    if fmt == 'tsv':
        out.write('text\tlabel\tlabel_name\t' + '\t'.join(f'prob_{k}' for k in range(probs.shape[1])) + '\n')
    for text, label, row in zip(texts, predicted, probs):
        if fmt == 'tsv':
            out.write(f'{text}\t{label}\t{LABEL_NAMES[label]}\t' + '\t'.join(f'{p:.6f}' for p in row) + '\n')
        else:
            out.write(json.dumps({'text': text, 'label': int(label), 'label_name': LABEL_NAMES[label],
                                  'probs': [round(float(p), 6) for p in row]}, ensure_ascii=False) + '\n')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('texts', nargs='*', help='texts to classify (or use --input)')
    parser.add_argument('--input', help="a UTF-8 file, one text per line (text<TAB>label works too); '-' for stdin")
    parser.add_argument('--output', default='-', help="where --input's predictions go; '-' for stdout (default)")
    parser.add_argument('--format', choices=['tsv', 'jsonl'], default='tsv', help='output format (default: %(default)s)')
    parser.add_argument('--batch-size', type=at_least(1), default=BATCH_SIZE, help='(default: %(default)s)')
    parser.add_argument('--skip-empty', action='store_true', help='skip empty lines instead of stopping at them')
    parser.add_argument('--weights', default=path.WEIGHTS_PATH, help='trained weights (default: %(default)s)')
    parser.add_argument('--albert-dir', default=path.ALBERT_DIR,
                        help='config and vocab.txt, used only when the weights have none saved beside them (default: %(default)s)')
    args = parser.parse_args(argv)
    if bool(args.texts) == bool(args.input):
        parser.error('give either texts or --input FILE')
    return args


def main(argv=None):
    args = parse_args(argv)
    import model as M
    from tqdm import tqdm
    from utils.cli import fail
    from utils.files import OverwriteError, UnwritableError, atomic_open, check_not_an_input, check_output_files
    from utils.metrics import confusion_matrix, format_report

    try:
        check_not_an_input([args.output], [args.input, *M.model_files(args.weights)])
        if args.output != '-':
            check_output_files([args.output])
    except (OverwriteError, UnwritableError) as e:
        fail(e)
    try:
        texts, labels, skipped, no_labels = read_input(args.input, args.skip_empty) if args.input else (args.texts, None, 0, None)
        _load(args.weights, args.albert_dir)
    except (DataError, M.MissingModelError) as e:
        fail(e)
    # metrics and warnings go to stderr when the predictions go to stdout
    info = sys.stderr if args.output == '-' or not args.input else sys.stdout
    if skipped:
        print(f'skipped {skipped} empty lines', file=sys.stderr)
    too_long = sum(len(text) > MAXLEN - 2 for text in texts)
    if too_long:
        print(f'warning: {too_long} texts longer than {MAXLEN - 2} characters were truncated to {MAXLEN} tokens',
              file=sys.stderr)

    if not args.input:
        probs = predict_proba(texts, args.weights, args.albert_dir, args.batch_size)
        for text, row in zip(texts, probs):
            label = int(row.argmax())
            print(f'{label}\t{LABEL_NAMES[label]}\t' + '  '.join(f'p{k}={p:.4f}' for k, p in enumerate(row)) + f'\t{text}')
        return

    with tqdm(total=len(texts), unit='text', desc='predicting', file=sys.stderr, mininterval=1) as bar:
        probs = predict_proba(texts, args.weights, args.albert_dir, args.batch_size, progress=bar.update)
    if args.output == '-':
        write_output(sys.stdout, texts, probs, args.format)
    else:
        with atomic_open(args.output) as out:
            write_output(out, texts, probs, args.format)
        print(f'wrote {len(texts)} predictions to {args.output}', file=info)
    if labels is not None:
        cm = confusion_matrix(labels, probs.argmax(axis=1), NUM_CLASSES)
        print(f'accuracy {np.trace(cm) / cm.sum():.6f} on {len(texts)} labelled texts', file=info)
        print(format_report(cm, LABEL_NAMES), file=info)
    elif no_labels:
        print(f'no accuracy report: {no_labels}', file=sys.stderr)


if __name__ == '__main__':
    main()
