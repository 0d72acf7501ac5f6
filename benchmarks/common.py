"""What the benchmarks share: timing, a model and texts to time it on, repeated input files, fresh processes.

Every benchmark prints its results as a markdown table headed by provenance()
(date, commit, this machine's float32 matmul speed, the command), ready to
paste into docs/results.md.
"""
import datetime
import os
import shlex
import subprocess
import sys
import time

import path
from data_process import load_data_or_fail


def timed(function, repeats=5):
    """Best wall time of `repeats` calls, after one warm-up call (tracing, first-shape kernels)."""
    function()
    best = float('inf')
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def load_texts_and_model(input_path, weights):
    """(texts, model, tokenizer) for a benchmark; exits with one line when either is missing."""
    from model import load_trained_or_fail  # TensorFlow
    model, tokenizer = load_trained_or_fail(weights)
    texts = [text for text, _ in load_data_or_fail(input_path, len(model.label_names))]
    return texts, model, tokenizer


def write_repeated(file, texts, n):
    """A file of n lines: the texts, repeated in order until there are n."""
    with open(file, 'w', encoding='utf-8') as f:
        f.writelines(texts[i % len(texts)] + '\n' for i in range(n))


def run_script(argv):
    """(wall seconds, CPU seconds, peak RSS in MB) of `python argv...` run in a fresh process in the
    project folder, its output discarded; CPU seconds include the processes it starts and waits for."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, *argv], cwd=path.ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)  # this child's own resource usage
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, argv)
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def commit():
    """The checked-out commit (short hash, '+' when the working tree has changes), or 'unknown'."""
    try:
        head = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=path.ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(['git', 'status', '--porcelain', '--untracked-files=no'], cwd=path.ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return 'unknown'
    return head + ('+' if dirty else '')


def provenance(matmul_gflops, argv=None, command=None, date=None):
    """The line that heads a results table: date, commit, this machine's float32 matmul GFLOP/s, command
    (default: this script's, with argv or sys.argv[1:])."""
    if command is None:
        argv = sys.argv if argv is None else [sys.argv[0], *argv]
        command = 'python ' + ' '.join(shlex.quote(arg) for arg in [os.path.relpath(argv[0], path.ROOT), *argv[1:]])
    date = date or datetime.date.today().isoformat()
    return f'{date}, commit {commit()}, float32 matmul {matmul_gflops:.0f} GFLOP/s, {os.cpu_count()} CPUs: `{command}`'


def markdown_table(header, rows):
    """A markdown table: header is a list of column names, rows lists of cells (already formatted)."""
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '|'.join(' --- ' for _ in header) + '|']
    lines += ['| ' + ' | '.join(str(cell) for cell in row) + ' |' for row in rows]
    return '\n'.join(lines)
