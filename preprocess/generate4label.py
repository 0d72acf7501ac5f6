"""Turn a raw endoscopy export (CSV, TSV or .xlsx) into cleaned candidate texts for labelling.

Every non-empty findings (影像表现) and diagnosis (检查诊断) cell becomes one
candidate text; other columns are ignored. An export whose columns are named
otherwise says so: --findings-column 检查所见 --diagnosis-column 诊断 (or one
of them, --diagnosis-column '' to leave it out). The output CSV has the columns
原文,标签 with 标签 left empty: open it in Excel, type 0, 1 or 2 in 标签, save,
and hand it to preprocess/data_transfer.py.

With --weights, a trained model pre-labels the texts: two more columns,
模型预测 (its label) and 置信度 (its calibrated probability), and the rows
ordered least confident first, so the labeller spends time on the hard texts
at the top and confirms the easy ones at the bottom. 标签 stays empty: the
label is the person's. data_transfer.py reads such a file unchanged.

    python preprocess/generate4label.py --input export.csv --output data/to_label.csv
    python preprocess/generate4label.py --input export.csv --output data/to_label.csv --weights weights/albert_tiny.h5
    python preprocess/generate4label.py --input export.xlsx --findings-column 检查所见 --diagnosis-column 诊断
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import path  # noqa: E402
from data_process import DataError  # noqa: E402
from preprocess.label_sheet import DEFAULT_SHEET, clean_text, read_csv, write_label_sheet  # noqa: E402
from utils.cli import HelpFormatter, fail  # noqa: E402
from utils.files import OverwriteError, UnwritableError, check_not_an_input, check_writable  # noqa: E402

COLUMNS = ('影像表现', '检查诊断')
MIN_CHARS, MAX_CHARS = 2, 200
EXAMPLE_EXPORT = os.path.join(path.ROOT, 'preprocess', 'example_export.csv')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument('--input', default=EXAMPLE_EXPORT,
                        help='export (.csv, .tsv or .xlsx) with a header line naming its columns (default: %(default)s)')
    parser.add_argument('--output', default=DEFAULT_SHEET,
                        help='CSV to write, columns 原文,标签, UTF-8 with BOM for Excel (default: %(default)s)')
    parser.add_argument('--findings-column', default=COLUMNS[0], metavar='NAME',
                        help="the column of findings ('' for none) (default: %(default)s)")
    parser.add_argument('--diagnosis-column', default=COLUMNS[1], metavar='NAME',
                        help="the column of diagnoses ('' for none) (default: %(default)s)")
    parser.add_argument('--sheet', metavar='NAME', help='the sheet of an .xlsx input (default: the first)')
    parser.add_argument('--encoding', default='utf-8-sig',
                        help='encoding of the input, e.g. gbk for a CSV saved by Chinese Excel (default: %(default)s)')
    parser.add_argument('--weights', help='a trained model (e.g. weights/albert_tiny.h5) to pre-label the texts: '
                                          'adds 模型预测 and 置信度 and puts the least confident first')
    parser.add_argument('--force', action='store_true',
                        help='overwrite --output if it exists (it may already hold your labels)')
    args = parser.parse_args(argv)
    columns = [column for column in (args.findings_column, args.diagnosis_column) if column]
    if not columns:
        parser.error('--findings-column and --diagnosis-column are both empty: name at least one column')

    try:
        check_not_an_input([args.output], [args.input, *(path.model_files(args.weights) if args.weights else [])])  # not even with --force
        check_writable([os.path.dirname(args.output)])
    except (OverwriteError, UnwritableError) as e:
        fail(e)
    if os.path.exists(args.output) and not args.force:
        fail(f'{args.output} exists and may hold labels; pass --force to overwrite it')
    try:
        rows = read_csv(args.input, columns, args.encoding, args.sheet)
    except DataError as e:
        hint = '; name yours with --findings-column and --diagnosis-column' if 'missing column' in str(e) else ''
        fail(f'{e}{hint}')

    empty, short, long, duplicate = 'empty', f'too short (<{MIN_CHARS} chars)', f'too long (>{MAX_CHARS} chars)', 'duplicate'
    dropped = dict.fromkeys((empty, short, long, duplicate), 0)
    kept, seen = [], set()
    for _, cells in rows:
        for column in columns:
            text = clean_text(cells[column])
            if not text:
                dropped[empty] += 1
            elif len(text) < MIN_CHARS:
                dropped[short] += 1
            elif len(text) > MAX_CHARS:
                dropped[long] += 1
            elif text in seen:
                dropped[duplicate] += 1
            else:
                seen.add(text)
                kept.append(text)

    sheet = [(text, '') for text in kept]
    if args.weights and kept:
        from inference import model_guesses_or_fail  # TensorFlow, only with --weights
        predicted, confidence, _ = model_guesses_or_fail(args.weights, kept)
        order = sorted(range(len(kept)), key=lambda i: confidence[i])  # least confident first
        sheet = [(kept[i], '', int(predicted[i]), float(confidence[i])) for i in order]
    write_label_sheet(args.output, sheet, with_model=bool(args.weights))

    print(f'read {len(rows)} rows ({len(rows) * len(columns)} cells) from {args.input}')
    print(f'kept {len(kept)} candidate texts -> {args.output}'
          + (', pre-labelled by the model, least confident first' if args.weights else ''))
    print(f'dropped {sum(dropped.values())}: ' + ', '.join(f'{n} {reason}' for reason, n in dropped.items()))


if __name__ == '__main__':
    main()
