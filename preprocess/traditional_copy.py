"""A Traditional-script copy of a labelled file, made with OpenCC: the check of reading any Chinese script.

Converts every text of a `text<TAB>label` file with an OpenCC conversion
(default s2twp: Taiwan characters and Taiwan phrases; s2hk for Hong Kong, s2t
for plain Traditional) and keeps the labels. The shipped
data/ood_check_traditional.txt is made this way from data/ood_check.txt:

    python preprocess/traditional_copy.py
    python preprocess/traditional_copy.py --input data/ood_holdout.txt --output holdout_hk.txt --config s2hk
"""
import argparse
import os
import sys

import opencc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import path  # noqa: E402
from data_process import load_data_or_fail  # noqa: E402
from utils.cli import HelpFormatter, fail, shown_path  # noqa: E402
from utils.files import OverwriteError, UnwritableError, atomic_open, check_not_an_input, check_output_files  # noqa: E402

CONFIGS = ('s2twp', 's2tw', 's2hk', 's2t')


def convert(rows, config='s2twp'):
    """[(text, label)] with each text converted by the OpenCC configuration."""
    converter = opencc.OpenCC(config)
    return [(converter.convert(text), label) for text, label in rows]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument('--input', default=path.CHECK_PATH, help='a text<TAB>label file (default: %(default)s)')
    parser.add_argument('--output', default=path.CHECK_TRADITIONAL_PATH, help='(default: %(default)s)')
    parser.add_argument('--config', choices=CONFIGS, default='s2twp', help='OpenCC conversion (default: %(default)s)')
    args = parser.parse_args(argv)
    try:
        check_not_an_input([args.output], [args.input])
        check_output_files([args.output])
    except (OverwriteError, UnwritableError) as e:
        fail(str(e))
    rows = convert(load_data_or_fail(args.input), args.config)
    with atomic_open(args.output) as f:
        f.writelines(f'{text}\t{label}\n' for text, label in rows)
    print(f'wrote {len(rows)} texts ({args.config}) to {shown_path(args.output)}')


if __name__ == '__main__':
    main()
