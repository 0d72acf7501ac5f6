"""The out-of-distribution check: the model against two keyword rules on data/ood_check.txt.

data/ood_check.txt holds labelled texts written independently of
preprocess/synthesize.py, in the registers and body regions of a general
hospital export (docs/data.md, "The out-of-distribution check sets"). This prints accuracy and
per-class F1 (a markdown table) of the trained model, of the original project's 4-keyword rule
and of the site-word rule of baselines.py, then the model's misses and
the texts on which the model and the site-word rule disagree. Needs trained
weights (make train).

    python benchmarks/bench_check.py [--input data/ood_check.txt] [--weights weights/albert_tiny.h5] [--json out.json]
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import utils.compat  # noqa: E402,F401

import path  # noqa: E402
from baselines import is_shipped_task, keyword_rule  # noqa: E402
from data_process import load_data_or_fail  # noqa: E402
from evaluation import check, confident_misses_line  # noqa: E402
from model import load_trained_or_fail  # noqa: E402
from utils.cli import HelpFormatter, fail, shown_path  # noqa: E402
from benchmarks.common import markdown_table, provenance  # noqa: E402
from utils.files import atomic_open  # noqa: E402
from utils.flops import matmul_gflops  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument('--input', default=path.CHECK_PATH, help='labelled check texts (default: %(default)s)')
    parser.add_argument('--weights', default=path.WEIGHTS_PATH, help='trained model (default: %(default)s)')
    parser.add_argument('--json', help='also write the scores and the misses to this JSON file')
    args = parser.parse_args(argv)
    model, tokenizer = load_trained_or_fail(args.weights)
    if not is_shipped_task(model.label_names):
        fail(f'{args.weights} has the classes {", ".join(model.label_names)}; the check sets and the keyword rules '
             f'are written for those of {path.LABELS_PATH}')
    rows = load_data_or_fail(args.input, len(model.label_names))

    scores, predicted = check(model, tokenizer, rows)
    print(provenance(matmul_gflops(), argv))
    print(f'\n{shown_path(args.input)}: {len(rows)} texts, ' + ', '.join(
        f'{sum(label == k for _, label in rows)} of label {k}' for k in range(len(model.label_names))) + '\n')
    classes = range(len(model.label_names))
    print(markdown_table(['', 'accuracy', *(f'F1 {k}' for k in classes), 'macro F1'],
                         [[name, f"{r['accuracy']:.4f}", *(f"{r['per_class'][k]['f1']:.4f}" for k in classes),
                           f"{r['macro_f1']:.4f}"] for name, r in scores.items()]))

    misses = [(text, label, int(guess)) for (text, label), guess in zip(rows, predicted) if guess != label]
    print(f"\nthe model: {confident_misses_line(scores['model'])}")
    print(f'\nthe model misses {len(misses)} of {len(rows)} (true -> predicted):')
    for text, label, guess in misses:
        print(f'  {label} -> {guess}  {text}')
    rule_wins = sum(1 for (text, label), guess in zip(rows, predicted) if guess != label and keyword_rule(text) == label)
    model_wins = sum(1 for (text, label), guess in zip(rows, predicted) if guess == label and keyword_rule(text) != label)
    print(f'\nthe model is right where the site-word rule is wrong on {model_wins} texts, '
          f'and wrong where it is right on {rule_wins}')
    if args.json:
        with atomic_open(args.json) as f:
            json.dump({'input': args.input, 'weights': args.weights, 'scores': scores,
                       'misses': [{'text': t, 'label': lab, 'predicted': g} for t, lab, g in misses]},
                      f, ensure_ascii=False, indent=2)
    return scores


if __name__ == '__main__':
    main()
