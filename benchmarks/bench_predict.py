"""Prediction throughput against this machine's float32 matmul speed, in float32 and int8.

Measures texts/s and tokens/s of predict_proba on the shipped test file (or
its texts repeated to --texts N) at batch sizes 1, 32 and 128, for each
precision, the machine's float32 matmul GFLOP/s in the same run, and the
FLOPs a prediction needs (model.prediction_flops: padding and the last
layer's rows other than [CLS] are not counted), and prints which fraction of
the float32 matmul limit prediction reaches. `keras` is float32 run by the
Keras graph, as prediction ran before model.make_forward, for comparison.
int8 (TensorFlow Lite, int8 matrix products)
also gets its agreement with float32 (share of texts with the same label, and
the largest probability difference), its set-up time (conversion) and after
how many texts that set-up has paid for itself. Needs trained weights (make train).

    python benchmarks/bench_predict.py [--input data/test.txt] [--texts 20000] [--precisions float32 keras int8]
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
    parser.add_argument('--precisions', nargs='+', choices=M.PRECISIONS + ('keras',), default=list(M.PRECISIONS),
                        help='keras: float32 by the Keras graph (default: %(default)s)')
    parser.add_argument('--repeats', type=int, default=5, help='timed runs after the warm-up; the best counts (default: %(default)s)')
    parser.add_argument('--texts', type=int, help="repeat the input's texts to this many (default: each once)")
    args = parser.parse_args(argv)
    texts, model, tokenizer = load_texts_and_model(args.input, args.weights)
    if args.texts:
        texts = [texts[i % len(texts)] for i in range(args.texts)]
    albert_config = model.albert_config
    lengths = [int((encode([text], tokenizer, model.maxlen)[0] > 0).sum()) for text in texts]  # real tokens, no padding
    gflop = M.prediction_flops(albert_config, lengths, len(model.label_names)) / 1e9
    limit = M.matmul_gflops(repeats=20)
    mean_len = np.mean(lengths)
    print(f'{len(texts)} texts from {args.input}, {sum(lengths)} tokens (mean {mean_len:.1f}); '
          f'{gflop / sum(lengths) * 1e3:.2f} MFLOP per token for a prediction')
    print(f'float32 matmul on this machine: {limit:.0f} GFLOP/s')
    float32 = M.predict_proba(model, tokenizer, texts)
    print(f"{'precision':<10}{'batch':>6}{'texts/s':>10}{'tokens/s':>11}{'GFLOP/s':>10}{'of limit':>10}")
    notes, seconds_per_text = [], {}
    for precision in args.precisions:
        started = time.perf_counter()
        predict_fn = M.keras_predict_fn(model) if precision == 'keras' else M.make_predict_fn(model, precision)
        setup = time.perf_counter() - started
        for batch_size in args.batch_sizes:
            seconds = timed(lambda: M.predict_proba(model, tokenizer, texts, batch_size, predict_fn), args.repeats)
            print(f'{precision:<10}{batch_size:>6}{len(texts) / seconds:>10.1f}{sum(lengths) / seconds:>11.0f}'
                  f'{gflop / seconds:>10.1f}{gflop / seconds / limit:>10.1%}', flush=True)
        seconds_per_text[precision] = seconds / len(texts)  # at the last (largest) batch size
        if precision != 'float32':
            probs = M.predict_proba(model, tokenizer, texts, predict_fn=predict_fn)
            agree = np.mean(probs.argmax(axis=1) == float32.argmax(axis=1))
            saved = seconds_per_text.get('float32', 0) - seconds_per_text[precision]
            payback = f', paid back after {setup / saved:,.0f} texts' if saved > 0 else ''
            setup_note = '' if precision == 'keras' else f'; set-up {setup:.1f} s{payback}'  # keras converts nothing
            notes.append(f'{precision}: same label as float32 on {agree:.2%} of {len(texts)} texts, largest '
                         f'probability difference {np.abs(probs - float32).max():.4f}{setup_note}')
    for note in notes:
        print(note)


if __name__ == '__main__':
    main()
