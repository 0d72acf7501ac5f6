"""Integrated Gradients throughput, compared with prediction on the same texts.

IG with m path points runs m rows per text forward and backward (the backward
only towards the embeddings, about the cost of a forward): about 2m forward
passes per text with Gauss-Lobatto points, whose ends give f(x) and f(baseline);
Gauss-Legendre needs the two ends forward besides (2m + 2), and so does bfloat16
(its ends run in float32). It runs IG in each of --precisions and prints
how far each one's character scores are from the first one's. This prints IG
texts/s, what one text costs in prediction passes and the mean completeness
gap, and the same cost in passes of the Keras graph's prediction
(inference.keras_predict_fn), as a markdown table. All are timed the same
way: the best of --repeats runs after a warm-up run (the machine's speed
wanders by several percent from run to run).
Needs trained weights (make train).

    python benchmarks/bench_feature_importance.py [--input data/test.txt] [--steps 20] [--method gausslobatto]
        [--precisions float32 bfloat16] [--repeats 3]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import utils.compat  # noqa: E402,F401
import numpy as np  # noqa: E402

import attribution as A  # noqa: E402
import config  # noqa: E402
import inference  # noqa: E402
import path  # noqa: E402
from benchmarks.common import load_texts_and_model, markdown_table, provenance, timed  # noqa: E402
from utils.flops import matmul_gflops  # noqa: E402
from utils.cli import HelpFormatter  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument('--input', default=path.TEST_PATH, help='(default: %(default)s)')
    parser.add_argument('--weights', default=path.WEIGHTS_PATH, help='(default: %(default)s)')
    parser.add_argument('--steps', type=int, default=config.IG_STEPS, help='(default: %(default)s)')
    parser.add_argument('--method', choices=A.METHODS, default=A.METHODS[0], help='(default: %(default)s)')
    parser.add_argument('--precisions', nargs='+', choices=['float32', 'bfloat16'],
                        default=['float32', 'bfloat16'] if inference.native_bfloat16() else ['float32'],
                        help="the path's matrix products; bfloat16 by default where the CPU has it natively "
                             '(default: %(default)s)')
    parser.add_argument('--batch-rows', type=int, default=config.IG_BATCH_ROWS, help='(default: %(default)s)')
    parser.add_argument('--repeats', type=int, default=3, help='timed runs of each, the best counts (default: %(default)s)')
    args = parser.parse_args(argv)
    texts, model, tokenizer = load_texts_and_model(args.input, args.weights)
    print(provenance(matmul_gflops(), argv))

    def prediction_seconds(predict_fn):
        return timed(lambda: inference.predict_proba(model, tokenizer, texts, config.PREDICT_BATCH_SIZE, predict_fn),
                     repeats=args.repeats)

    predict_seconds = prediction_seconds(inference.make_predict_fn(model))
    keras_seconds = prediction_seconds(inference.keras_predict_fn(model))
    print(f'\n{len(texts)} texts from {os.path.relpath(args.input, path.ROOT)}; best of {args.repeats} runs each; '
          f'integrated gradients with {args.steps} steps ({args.method}), at most 2 x steps = {2 * args.steps} '
          'prediction passes a text by design\n')
    rows = [[f'prediction (batch {config.PREDICT_BATCH_SIZE}, float32)', f'{len(texts) / predict_seconds:.1f}', '1', '', ''],
            ['prediction by the Keras graph', f'{len(texts) / keras_seconds:.1f}', f'{keras_seconds / predict_seconds:.2f}',
             '1', '']]
    scores = {}
    for precision in args.precisions:
        ig_fn = A.make_ig_fn(model, precision)
        results = []
        ig_seconds = timed(lambda: results.append(A.explain(model, tokenizer, texts, args.steps, args.method,
                                                            batch_rows=args.batch_rows, ig_fn=ig_fn)),
                           repeats=args.repeats)
        scores[precision] = [r['scores'] for r in results[-1]]
        rows.append([f'integrated gradients, {precision}', f'{len(texts) / ig_seconds:.1f}',
                     f'{ig_seconds / predict_seconds:.1f}', f'{ig_seconds / keras_seconds:.1f}',
                     f'{np.mean([r["gap"] for r in results[-1]]):.4f}'])
    print(markdown_table(['', 'texts/s', 'prediction passes a text', 'Keras-graph passes a text',
                          'mean completeness gap'], rows))
    if len(scores) > 1:
        print_agreement(scores)


def print_agreement(scores):
    """How far each precision's character scores are from the first's, relative to each text's largest score."""
    (reference_name, reference), *others = scores.items()
    for name, other in others:
        relative = [np.abs(np.subtract(a, b)).max() / max(np.abs(a).max(), 1e-12)
                    for a, b in zip(reference, other) if len(a)]
        same_top = np.mean([np.argmax(a) == np.argmax(b) for a, b in zip(reference, other) if len(a)])
        print(f'\n{name} against {reference_name}: the largest score difference, as a share of the text\'s largest '
              f'score, median {np.median(relative):.4f}, 99th percentile {np.percentile(relative, 99):.4f}, '
              f'max {np.max(relative):.4f}; the same top character in {same_top:.2%} of the texts')


if __name__ == '__main__':
    main()
