"""Prediction throughput against this machine's float32 matmul speed.

Measures texts/s and tokens/s of predict_proba on the shipped test file at
batch sizes 1, 32 and 128, the machine's float32 matmul GFLOP/s in the same
run, and the model's forward FLOPs per token, and prints which fraction of the
matmul limit prediction reaches. Needs trained weights (make train).

    python benchmarks/bench_predict.py [--input data/test.txt] [--weights weights/albert_tiny.h5]
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import utils.compat  # noqa: E402,F401
import numpy as np  # noqa: E402

import config  # noqa: E402
import model as M  # noqa: E402
import path  # noqa: E402
from data_process import encode  # noqa: E402
from utils.cli import load_data_or_fail, load_model_or_fail  # noqa: E402


def model_gflop(albert_config, lengths):
    """Total forward GFLOP for texts of the given token lengths."""
    return M.forward_flops(albert_config, lengths) / 1e9


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
    model, tokenizer = load_model_or_fail(weights)
    texts = [text for text, _ in load_data_or_fail(input_path, len(model.label_names))]
    return texts, model, tokenizer


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--input', default=path.TEST_PATH, help='(default: %(default)s)')
    parser.add_argument('--weights', default=path.WEIGHTS_PATH, help='(default: %(default)s)')
    parser.add_argument('--batch-sizes', type=int, nargs='+', default=[1, 32, config.PREDICT_BATCH_SIZE])
    args = parser.parse_args(argv)
    texts, model, tokenizer = load_texts_and_model(args.input, args.weights)
    albert_config = model.albert_config
    lengths = [int((encode([text], tokenizer, model.maxlen)[0] > 0).sum()) for text in texts]  # real tokens, no padding
    gflop = model_gflop(albert_config, lengths)
    limit = M.matmul_gflops(repeats=20)
    mean_len = np.mean(lengths)
    print(f'{len(texts)} texts from {args.input}, {sum(lengths)} tokens (mean {mean_len:.1f}); '
          f'{gflop / sum(lengths) * 1e3:.2f} MFLOP per token forward')
    print(f'float32 matmul on this machine: {limit:.0f} GFLOP/s')
    print(f"{'batch':>6}{'texts/s':>10}{'tokens/s':>11}{'GFLOP/s':>10}{'of limit':>10}")
    predict_fn = M.make_predict_fn(model)
    for batch_size in args.batch_sizes:
        seconds = timed(lambda: M.predict_proba(model, tokenizer, texts, batch_size, predict_fn))
        print(f'{batch_size:>6}{len(texts) / seconds:>10.1f}{sum(lengths) / seconds:>11.0f}'
              f'{gflop / seconds:>10.1f}{gflop / seconds / limit:>10.1%}')


if __name__ == '__main__':
    main()
