"""batch_predict.py (Apache Beam, DirectRunner) against predict.py on one file: texts/s each and their ratio.

Writes the shipped test texts repeated to --lines lines, runs predict.py and
then batch_predict.py in each --variants setting on it, each in a fresh
process, and prints as a markdown table the wall time (start-up and model
loading included, the same for both), texts/s, the ratio to predict.py, the
CPU seconds of the run's processes (steadier than wall time on a busy
machine), and whether the predictions agree with predict.py's (same labels,
largest probability difference). Needs trained weights (make train) and
apache-beam (make scale).

    python benchmarks/bench_batch_predict.py [--lines 20000] [--precision int8] [--variants in_memory multi_processing]
"""
import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import config  # noqa: E402
import path  # noqa: E402
from benchmarks.common import markdown_table, provenance, run_script, write_repeated  # noqa: E402
from data_process import load_data_or_fail  # noqa: E402
from utils.flops import matmul_gflops  # noqa: E402
from utils.cli import HelpFormatter  # noqa: E402

# DirectRunner settings: Beam's own options, passed through by batch_predict.py
VARIANTS = {
    'in_memory': [],
    'in_memory_batch128': ['--beam-batch-size', '128'],  # RunInference batches of one model call each
    'multi_threading': ['--direct_num_workers', '2', '--direct_running_mode', 'multi_threading'],
    'multi_processing': ['--direct_num_workers', '2', '--direct_running_mode', 'multi_processing'],
}


def predictions(files):
    """(labels, probabilities) of TSV outputs, in order, headers left out."""
    rows = [line.rstrip('\n').split('\t') for file in files for line in list(open(file, encoding='utf-8'))[1:]]
    return np.array([int(row[1]) for row in rows]), np.array([[float(p) for p in row[3:]] for row in rows])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument('--input', default=path.TEST_PATH, help='texts to repeat (default: %(default)s)')
    parser.add_argument('--weights', default=path.WEIGHTS_PATH, help='(default: %(default)s)')
    parser.add_argument('--lines', type=int, default=20000, help='(default: %(default)s)')
    parser.add_argument('--precision', choices=config.PRECISIONS, default='float32', help='(default: %(default)s)')
    parser.add_argument('--variants', nargs='+', choices=list(VARIANTS), default=list(VARIANTS),
                        help='batch_predict.py settings to run (default: all)')
    args = parser.parse_args(argv)
    texts = [text for text, _ in load_data_or_fail(args.input)]
    common = ['--weights', args.weights, '--precision', args.precision]
    print(provenance(matmul_gflops(), argv))
    print(f'\n{args.lines:,} lines (the texts of {os.path.relpath(args.input, path.ROOT)} repeated), {args.precision}\n')
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        source, reference = os.path.join(folder, 'in.txt'), os.path.join(folder, 'predict.tsv')
        write_repeated(source, texts, args.lines)
        baseline, cpu, _ = run_script(['predict.py', '--input', source, '--output', reference, *common])
        rows.append(['predict.py', f'{baseline:.1f}', f'{args.lines / baseline:.1f}', '1.00', f'{cpu:.1f}', ''])
        labels, probs = predictions([reference])
        for name in args.variants:
            prefix = os.path.join(folder, name, 'pred')
            seconds, cpu, _ = run_script(['batch_predict.py', '--input', source, '--output', prefix, *common,
                                          *VARIANTS[name]])
            shards = sorted(os.path.join(folder, name, f) for f in os.listdir(os.path.join(folder, name)))
            got_labels, got_probs = predictions(shards)
            agree = (f'{np.mean(got_labels == labels):.2%} same labels, largest probability difference '
                     f'{np.abs(got_probs - probs).max():.1e}' if len(got_labels) == len(labels) else
                     f'{len(got_labels)} rows, not {len(labels)}')
            rows.append([f'batch_predict.py {name}', f'{seconds:.1f}', f'{args.lines / seconds:.1f}',
                         f'{baseline / seconds:.2f}', f'{cpu:.1f}', agree])
    print(markdown_table(['engine', 'seconds', 'texts/s', 'speed', 'CPU s', 'agreement with predict.py'], rows))


if __name__ == '__main__':
    main()
