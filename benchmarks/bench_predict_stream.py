"""predict.py --input on long files: texts/s and peak memory as the file grows.

predict.py reads, predicts and writes config.PREDICT_CHUNK_TEXTS texts at a
time, so its memory should stay flat however long the file. This writes files
of the shipped test texts repeated to each --lines count, runs predict.py on
each in a fresh process and prints texts/s and that process's peak RSS. Needs
trained weights (make train).

    python benchmarks/bench_predict_stream.py [--lines 10000 100000 1000000] [--precision int8]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import path  # noqa: E402
from utils.cli import load_data_or_fail  # noqa: E402


def write_repeated(file, texts, n):
    """A file of n lines: the texts, repeated in order until there are n."""
    with open(file, 'w', encoding='utf-8') as f:
        f.writelines(texts[i % len(texts)] + '\n' for i in range(n))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--input', default=path.TEST_PATH, help='texts to repeat (default: %(default)s)')
    parser.add_argument('--weights', default=path.WEIGHTS_PATH, help='(default: %(default)s)')
    parser.add_argument('--lines', type=int, nargs='+', default=[10000, 100000])
    parser.add_argument('--precision', choices=['float32', 'int8'], default='float32', help='(default: %(default)s)')
    args = parser.parse_args(argv)
    texts = [text for text, _ in load_data_or_fail(args.input)]
    print(f"{'lines':>9}{'texts/s':>10}{'peak RSS MB':>13}")
    with tempfile.TemporaryDirectory() as folder:
        for n in args.lines:
            source, output = os.path.join(folder, f'{n}.txt'), os.path.join(folder, f'{n}.tsv')
            write_repeated(source, texts, n)
            started = time.perf_counter()
            # a fresh process each time, so that its peak RSS is this file's alone
            code = (f'import resource, predict; predict.main({["--input", source, "--output", output, "--weights", args.weights, "--precision", args.precision]!r}); '
                    'print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)')
            result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                                    cwd=path.ROOT, check=True)
            seconds = time.perf_counter() - started
            peak = int(result.stdout.split()[-1])
            print(f'{n:>9}{n / seconds:>10.1f}{peak:>13,}', flush=True)


if __name__ == '__main__':
    main()
