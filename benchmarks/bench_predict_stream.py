"""predict.py --input on long files: texts/s and peak memory as the file grows.

predict.py reads, predicts and writes config.PREDICT_CHUNK_TEXTS texts at a
time, so its memory should stay flat however long the file. This writes files
of the shipped test texts repeated to each --lines count, runs predict.py on
each in a fresh process and prints texts/s and that process's peak RSS as a
markdown table. Needs trained weights (make train).

    python benchmarks/bench_predict_stream.py [--lines 10000 100000 1000000] [--precision int8]
"""
import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import config  # noqa: E402
import path  # noqa: E402
from benchmarks.common import markdown_table, provenance, run_script, write_repeated  # noqa: E402
from data_process import load_data_or_fail  # noqa: E402
from utils.flops import matmul_gflops  # noqa: E402
from utils.cli import HelpFormatter  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument('--input', default=path.TEST_PATH, help='texts to repeat (default: %(default)s)')
    parser.add_argument('--weights', default=path.WEIGHTS_PATH, help='(default: %(default)s)')
    parser.add_argument('--lines', type=int, nargs='+', default=[10000, 100000])
    parser.add_argument('--precision', choices=config.PRECISIONS, default='float32', help='(default: %(default)s)')
    args = parser.parse_args(argv)
    texts = [text for text, _ in load_data_or_fail(args.input)]
    print(provenance(matmul_gflops(), argv) + '\n')
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for n in args.lines:
            source, output = os.path.join(folder, f'{n}.txt'), os.path.join(folder, f'{n}.tsv')
            write_repeated(source, texts, n)
            seconds, _, peak = run_script(['predict.py', '--input', source, '--output', output,
                                           '--weights', args.weights, '--precision', args.precision])
            rows.append([f'{n:,}', args.precision, f'{n / seconds:.1f}', f'{peak:,}'])
    print(markdown_table(['lines', 'precision', 'texts/s (start-up included)', 'peak RSS MB'], rows))


if __name__ == '__main__':
    main()
