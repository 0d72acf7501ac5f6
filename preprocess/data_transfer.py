"""Turn a labelled CSV (columns 原文, 标签) into train/val/test files for training.

Texts are cleaned as generate4label.py cleans them, deduplicated, and split
8:1:1 stratified by label with a fixed seed, so the same input and seed always
give the same files. Writes train.txt, val.txt, test.txt and all.txt
(`text<TAB>label` lines) into --out-dir, replacing any files there, with a
copy of --labels (the classes the labels must be among) as labels.txt, so
main.py and the model know the classes' names.

The default --out-dir is data/custom/, NOT data/, so the shipped data is never
overwritten by accident; train on the new files with
`python main.py --train data/custom/train.txt --val data/custom/val.txt --test data/custom/test.txt`.

With --suspects FILE --weights W it checks the labels instead of writing
the splits: rows whose label a trained model contradicts with a probability of
at least --suspect-confidence (likely labelling mistakes, as PaddleNLP's
dirty-data check finds them) go to FILE, the most confident contradiction
first, with the model's label and probability beside the person's. Correct
the input and run again without --suspects.

    python preprocess/data_transfer.py --input labelled.csv --map 4:0
    python preprocess/data_transfer.py --input four_classes.csv --labels my_labels.txt
    python preprocess/data_transfer.py --input labelled.csv --suspects log/suspects.csv --weights weights/albert_tiny.h5
"""
import argparse
import os
import sys

import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import path  # noqa: E402
from utils.cli import HelpFormatter, fail, probability  # noqa: E402
from utils.files import OverwriteError, UnwritableError, check_not_an_input, check_output_files  # noqa: E402
from config import SEED  # noqa: E402
from data_process import (LABELS_FILE, DataError, deduplicate, label_range, parse_label,  # noqa: E402
                          read_label_names, split_dataset, write_dataset)
from utils.spreadsheet import from_spreadsheet_cell  # noqa: E402
from utils.text import label_title  # noqa: E402
from preprocess.label_sheet import DEFAULT_SHEET, clean_text, read_csv, write_label_sheet  # noqa: E402

SPLITS = ('train', 'val', 'test')


def parse_map(values):
    """{'4': '0', ...} from ['4:0', '5:1,6:2']; raises ArgumentTypeError on a bad pair."""
    mapping = {}
    for value in values or []:
        for pair in value.split(','):
            raw, sep, label = pair.partition(':')
            if not sep or not raw.strip() or parse_label(label) is None:
                raise argparse.ArgumentTypeError(
                    f'--map {pair!r}: expected RAW:LABEL with LABEL a non-negative integer, e.g. 4:0')
            mapping[raw.strip()] = label.strip()
    return mapping


def read_labelled(file, mapping, encoding='utf-8-sig', num_classes=None):
    """Read a labelled CSV: (deduplicated (text, label) rows, rows read, blank rows skipped).

    The ' that generate4label.py put before a cell Excel would take for a formula is taken off.
    Texts are cleaned with clean_text and raw labels mapped through `mapping`
    before they are checked (integers in 0..num_classes-1, any non-negative one without it); every problem is a DataError naming file and line.
    """
    rows, first, blank = [], {}, 0
    for line, cells in read_csv(file, ('原文', '标签'), encoding):
        text, raw = clean_text(from_spreadsheet_cell(cells['原文'])), from_spreadsheet_cell(cells['标签'].strip())
        if not text and not raw:
            blank += 1  # an empty spreadsheet row, e.g. left at the end by Excel
            continue
        if not text:
            raise DataError(f'{file}:{line}: empty text (label {raw!r})')
        label = parse_label(mapping.get(raw, raw), num_classes)
        if label is None and not raw:
            raise DataError(f'{file}:{line}: no label (标签 is empty); a label is {label_range(num_classes)}')
        if label is None:
            raise DataError(f'{file}:{line}: unknown label {raw!r}; a label is {label_range(num_classes)} '
                            f'(map other values with --map, e.g. --map {raw}:0, or name more classes with --labels)')
        if text in first and first[text][0] != label:
            raise DataError(f'{file}:{line}: text labelled {label} here but {first[text][0]} '
                            f'at line {first[text][1]}: {text[:40]}')
        first.setdefault(text, (label, line))
        rows.append((text, label))
    if not rows:
        raise DataError(f'{file}: no labelled rows')
    return deduplicate(rows, source=file), len(rows), blank


def write_suspects(args, rows, label_names):
    """The rows whose label the model contradicts with at least --suspect-confidence, to args.suspects."""
    texts = [text for text, _ in rows]
    from inference import model_guesses_or_fail  # TensorFlow, only with --suspects
    predicted, confidence, model_names = model_guesses_or_fail(args.weights, texts)
    if tuple(model_names) != tuple(label_names):
        fail(f'{args.weights}: the model\'s classes ({", ".join(model_names)}) are not those of {args.labels} '
             f'({", ".join(label_names)})')
    suspects = sorted((i for i, (_, label) in enumerate(rows)
                       if predicted[i] != label and confidence[i] >= args.suspect_confidence),
                      key=lambda i: -confidence[i])
    write_label_sheet(args.suspects, [(texts[i], rows[i][1], int(predicted[i]), float(confidence[i])) for i in suspects],
                      with_model=True)
    print(f'{len(suspects)} of {len(rows)} labelled texts are contradicted by the model with a probability of at least '
          f'{args.suspect_confidence:g} -> {args.suspects} (most confident first)')
    for i in suspects[:10]:
        print(f'  {label_title(label_names, rows[i][1])} -> model {label_title(label_names, predicted[i])} '
              f'({confidence[i]:.4f}): {texts[i][:60]}')
    print('no splits were written: correct the labels in the input, then run again without --suspects')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument('--input', default=DEFAULT_SHEET,
                        help='labelled CSV with columns 原文 and 标签 (default: %(default)s, '
                             'the file generate4label.py writes)')
    parser.add_argument('--out-dir', default=os.path.join(path.DATA_DIR, 'custom'),
                        help='folder for train/val/test/all.txt; its files are replaced (default: %(default)s)')
    parser.add_argument('--map', action='append', metavar='RAW:LABEL',
                        help='map a raw label before checking, e.g. --map 4:0; repeat it or use 4:0,5:1')
    parser.add_argument('--labels', default=path.LABELS_PATH,
                        help='the classes, id<TAB>name a line: the labels are checked against it and it is copied '
                             'beside the splits as labels.txt (default: %(default)s, the shipped task\'s three)')
    parser.add_argument('--seed', type=int, default=SEED, help='shuffle seed (default: %(default)s)')
    parser.add_argument('--encoding', default='utf-8-sig',
                        help='encoding of the input, e.g. gbk for a CSV saved by Chinese Excel (default: %(default)s)')
    parser.add_argument('--suspects', metavar='FILE',
                        help='check the labels against --weights instead of writing the splits: '
                             'the rows the model contradicts go to this CSV')
    parser.add_argument('--weights', help='with --suspects: the trained model (e.g. weights/albert_tiny.h5)')
    parser.add_argument('--suspect-confidence', type=probability, default=0.9,
                        help='with --suspects: the model\'s probability from which a contradiction counts (default: %(default)s)')
    args = parser.parse_args(argv)
    try:
        mapping = parse_map(args.map)
    except argparse.ArgumentTypeError as e:
        parser.error(str(e))
    if bool(args.suspects) != bool(args.weights):
        parser.error('--suspects FILE and --weights W go together')

    if args.suspects:
        outputs = [args.suspects]
    else:
        outputs = [os.path.join(args.out_dir, f'{name}.txt') for name in SPLITS + ('all',)]
        outputs.append(os.path.join(args.out_dir, LABELS_FILE))
    try:
        # --labels may be the labels.txt the splits rewrite (the same names); --suspects must not touch it
        check_not_an_input(outputs, [args.input, *([args.labels, *path.model_files(args.weights)] if args.suspects else [])])
        check_output_files(outputs)
        label_names = read_label_names(args.labels)
        for raw, label in mapping.items():
            if parse_label(label, len(label_names)) is None:
                raise DataError(f'--map {raw}:{label}: {label} is not a class of {args.labels} (0..{len(label_names) - 1})')
        rows, n_read, blank = read_labelled(args.input, mapping, args.encoding, len(label_names))
    except (DataError, OverwriteError, UnwritableError) as e:
        fail(e)
    if args.suspects:
        write_suspects(args, rows, label_names)
        return
    splits = dict(zip(SPLITS, split_dataset(rows, args.seed)))
    splits['all'] = rows
    write_dataset(args.out_dir, splits, label_names)  # the five files change together

    print(f'read {n_read} labelled rows from {args.input}'
          + (f' ({blank} blank rows skipped)' if blank else ''))
    print(f'dropped {n_read - len(rows)} duplicates, kept {len(rows)} texts')
    if mapping:
        print('mapped labels: ' + ', '.join(f'{raw} -> {label}' for raw, label in mapping.items()))
    print(f'wrote {args.out_dir}/{{train,val,test,all,labels}}.txt (seed {args.seed})')
    counts = pd.DataFrame([[sum(label == k for _, label in split) for k in range(len(label_names))]
                           for split in splits.values()],
                          index=list(splits), columns=[label_title(label_names, k) for k in range(len(label_names))])
    counts['total'] = counts.sum(axis=1)
    pd.set_option('display.unicode.east_asian_width', True)  # align Chinese column names
    print(counts.to_string())


if __name__ == '__main__':
    main()
