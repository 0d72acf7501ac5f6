"""batch_predict.py (Apache Beam, DirectRunner) against predict.py on one file: texts/s each and their ratio.

Writes the shipped test texts repeated to --lines lines (as bench_predict_stream.py
does), runs predict.py and then batch_predict.py in each --variants setting on it,
each in a fresh process, and prints the wall time (start-up and model loading
included, the same for both), texts/s, the ratio to predict.py, the CPU seconds
of the run's processes (steadier than wall time on a busy machine), and whether the
predictions agree with predict.py's (same labels, largest probability difference).
Needs trained weights (make train) and apache-beam (make scale).

    python benchmarks/bench_batch_predict.py [--lines 20000] [--precision int8] [--variants in_memory multi_processing]
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import path  # noqa: E402
from benchmarks.bench_predict_stream import write_repeated  # noqa: E402
from utils.cli import load_data_or_fail  # noqa: E402

# DirectRunner settings: Beam's own options, passed through by batch_predict.py
VARIANTS = {
    'in_memory': [],
    'in_memory_batch128': ['--beam-batch-size', '128'],  # RunInference batches of one model call each
    'multi_threading': ['--direct_num_workers', '2', '--direct_running_mode', 'multi_threading'],
    'multi_processing': ['--direct_num_workers', '2', '--direct_running_mode', 'multi_processing'],
}


def cpu_seconds():
    """User + system CPU time of the finished child processes (and theirs: Beam's workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(argv):
    """(wall seconds, CPU seconds) of one script run in a fresh process."""
    started, cpu = time.perf_counter(), cpu_seconds()
    subprocess.run([sys.executable, *argv], cwd=path.ROOT, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started, cpu_seconds() - cpu


def predictions(files):
    """(labels, probabilities) of TSV outputs, in order, headers left out."""
    rows = [line.rstrip('\n').split('\t') for file in files for line in list(open(file, encoding='utf-8'))[1:]]
    return np.array([int(row[1]) for row in rows]), np.array([[float(p) for p in row[3:]] for row in rows])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--input', default=path.TEST_PATH, help='texts to repeat (default: %(default)s)')
    parser.add_argument('--weights', default=path.WEIGHTS_PATH, help='(default: %(default)s)')
    parser.add_argument('--lines', type=int, default=20000, help='(default: %(default)s)')
    parser.add_argument('--precision', choices=['float32', 'int8'], default='float32', help='(default: %(default)s)')
    parser.add_argument('--variants', nargs='+', choices=list(VARIANTS), default=list(VARIANTS),
                        help='batch_predict.py settings to run (default: all)')
    args = parser.parse_args(argv)
    texts = [text for text, _ in load_data_or_fail(args.input)]
    common = ['--weights', args.weights, '--precision', args.precision]
    print(f'{args.lines} lines (the texts of {args.input} repeated), {args.precision}, {os.cpu_count()} CPUs')
    print(f"{'engine':<36}{'seconds':>9}{'texts/s':>10}{'speed':>8}{'CPU s':>8}  agreement with predict.py")
    with tempfile.TemporaryDirectory() as folder:
        source, reference = os.path.join(folder, 'in.txt'), os.path.join(folder, 'predict.tsv')
        write_repeated(source, texts, args.lines)
        baseline, cpu = run(['predict.py', '--input', source, '--output', reference, *common])
        print(f"{'predict.py':<36}{baseline:>9.1f}{args.lines / baseline:>10.1f}{1:>8.2f}{cpu:>8.1f}", flush=True)
        labels, probs = predictions([reference])
        for name in args.variants:
            prefix = os.path.join(folder, name, 'pred')
            seconds, cpu = run(['batch_predict.py', '--input', source, '--output', prefix, *common, *VARIANTS[name]])
            shards = sorted(os.path.join(folder, name, f) for f in os.listdir(os.path.join(folder, name)))
            got_labels, got_probs = predictions(shards)
            agree = (f'{np.mean(got_labels == labels):.2%} same labels, largest probability difference '
                     f'{np.abs(got_probs - probs).max():.1e}' if len(got_labels) == len(labels) else
                     f'{len(got_labels)} rows, not {len(labels)}')
            print(f"{'batch_predict.py ' + name:<36}{seconds:>9.1f}{args.lines / seconds:>10.1f}"
                  f"{baseline / seconds:>8.2f}{cpu:>8.1f}  {agree}", flush=True)


if __name__ == '__main__':
    main()
