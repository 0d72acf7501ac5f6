"""Prediction throughput against this machine's float32 matmul speed, in float32 and int8.

Measures texts/s and tokens/s of predict_proba on the shipped test file (or
its texts repeated to --texts N) at batch sizes 1, 32 and 128, for each
precision, the machine's float32 matmul GFLOP/s in the same run, and the
FLOPs a prediction needs (utils/flops.py prediction_flops: padding and the
last layer's rows other than [CLS] are not counted), and prints as a markdown
table which fraction of the float32 matmul limit prediction reaches. `keras` is
float32 run by the Keras graph (inference.keras_predict_fn), for comparison.
int8 (TensorFlow Lite, int8 matrix products) also gets its agreement with
float32 (share of texts with the same label, and the largest probability
difference), its set-up time (conversion) and after how many texts that set-up
has paid for itself. Needs trained weights (make train).

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
import inference  # noqa: E402
import path  # noqa: E402
from benchmarks.common import load_texts_and_model, markdown_table, provenance, timed  # noqa: E402
from data_process import encode  # noqa: E402
from utils.flops import matmul_gflops, prediction_flops  # noqa: E402
from utils.cli import HelpFormatter  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument('--input', default=path.TEST_PATH, help='(default: %(default)s)')
    parser.add_argument('--weights', default=path.WEIGHTS_PATH, help='(default: %(default)s)')
    parser.add_argument('--batch-sizes', type=int, nargs='+', default=[1, 32, config.PREDICT_BATCH_SIZE])
    parser.add_argument('--precisions', nargs='+', choices=config.PRECISIONS + ('keras',), default=list(config.PRECISIONS),
                        help='keras: float32 by the Keras graph (default: %(default)s)')
    parser.add_argument('--repeats', type=int, default=5, help='timed runs after the warm-up; the best counts (default: %(default)s)')
    parser.add_argument('--texts', type=int, help="repeat the input's texts to this many (default: each once)")
    args = parser.parse_args(argv)
    texts, model, tokenizer = load_texts_and_model(args.input, args.weights)
    if args.texts:
        texts = [texts[i % len(texts)] for i in range(args.texts)]
    lengths = [int((encode([text], tokenizer, model.maxlen)[0] > 0).sum()) for text in texts]  # real tokens, no padding
    gflop = prediction_flops(model.albert_config, lengths, len(model.label_names)) / 1e9
    limit = matmul_gflops(repeats=20)
    print(provenance(limit, argv))
    print(f'\n{len(texts)} texts from {os.path.relpath(args.input, path.ROOT)}, {sum(lengths)} tokens '
          f'(mean {np.mean(lengths):.1f}); {gflop / sum(lengths) * 1e3:.2f} MFLOP per token for a prediction; '
          f'best of {args.repeats} runs\n')
    float32 = inference.predict_proba(model, tokenizer, texts)
    rows, notes, seconds_per_text = [], [], {}
    for precision in args.precisions:
        started = time.perf_counter()
        predict_fn = (inference.keras_predict_fn(model) if precision == 'keras'
                      else inference.make_predict_fn(model, precision))
        setup = time.perf_counter() - started
        for batch_size in args.batch_sizes:
            seconds = timed(lambda: inference.predict_proba(model, tokenizer, texts, batch_size, predict_fn), args.repeats)
            rows.append([precision, batch_size, f'{len(texts) / seconds:.1f}', f'{sum(lengths) / seconds:.0f}',
                         f'{gflop / seconds:.1f}', f'{gflop / seconds / limit:.1%}'])
        seconds_per_text[precision] = seconds / len(texts)  # at the last (largest) batch size
        if precision != 'float32':
            probs = inference.predict_proba(model, tokenizer, texts, predict_fn=predict_fn)
            agree = np.mean(probs.argmax(axis=1) == float32.argmax(axis=1))
            saved = seconds_per_text.get('float32', 0) - seconds_per_text[precision]
            payback = f', paid back after {setup / saved:,.0f} texts' if saved > 0 else ''
            setup_note = '' if precision == 'keras' else f'; set-up {setup:.1f} s{payback}'  # keras converts nothing
            notes.append(f'- {precision}: same label as float32 on {agree:.2%} of {len(texts)} texts, largest '
                         f'probability difference {np.abs(probs - float32).max():.4f}{setup_note}')
    print(markdown_table(['precision', 'batch', 'texts/s', 'tokens/s', 'GFLOP/s', 'of the matmul limit'], rows))
    if notes:
        print('\n' + '\n'.join(notes))


if __name__ == '__main__':
    main()
