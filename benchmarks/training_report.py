"""A training run's figures as markdown tables for docs/results.md, read from its log/metrics.json and history.csv.

main.py prints these figures as it ends; this puts them into tables headed by
the run's date, the checked-out commit, the float32 matmul speed the run
measured and the command: the epochs, the test split per class, the
out-of-distribution check against the keyword rules, calibration and speed.

    make train && python benchmarks/training_report.py [--log-dir log] [--command 'make train']
"""
import argparse
import csv
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import path  # noqa: E402
from benchmarks.common import markdown_table, provenance  # noqa: E402
from evaluation import confident_misses_line  # noqa: E402
from utils.cli import HelpFormatter, fail  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument('--log-dir', default=path.LOG_DIR, help='the run\'s metrics.json and history.csv (default: %(default)s)')
    parser.add_argument('--command', default='make train', help='the command that made the run (default: %(default)s)')
    args = parser.parse_args(argv)
    metrics_path, history_path = (os.path.join(args.log_dir, name) for name in ('metrics.json', 'history.csv'))
    try:
        with open(metrics_path, encoding='utf-8') as f:
            metrics = json.load(f)
        with open(history_path, encoding='utf-8') as f:
            history = list(csv.DictReader(f))
    except (OSError, ValueError) as e:
        fail(f'{args.log_dir}: no report of a finished run to read ({e})')
    try:
        print_report(metrics, history, metrics_path, args.command)
    except KeyError as e:
        fail(f'{metrics_path}: no {e} in it (written by an older main.py); train again to report the run')


def print_report(metrics, history, metrics_path, command):
    speed, names = metrics['speed'], list(metrics['per_class'])
    date = datetime.date.fromtimestamp(os.path.getmtime(metrics_path)).isoformat()
    print(provenance(speed['matmul_gflops'], command=command, date=date))

    print('\n' + markdown_table(
        ['epoch', 'loss', 'acc', 'val_loss', 'val_acc', 'test_acc', 'training s', 'epoch s'],
        [[row['epoch'], f"{float(row['loss']):.4f}", f"{float(row['acc']):.4f}", f"{float(row['val_loss']):.4f}",
          f"{float(row['val_acc']):.4f}", f"{float(row['test_acc']):.4f}", f"{float(row['train_seconds']):.0f}",
          f"{float(row['seconds']):.0f}"] for row in history]))
    print(f"\nbest epoch {metrics['best_epoch']} of {metrics['epochs']}; test accuracy "
          f"{metrics['test_accuracy']:.4f} on {metrics['test_size']} texts\n")
    rows = [[f'{k} {name}', f"{s['precision']:.4f}", f"{s['recall']:.4f}", f"{s['f1']:.4f}", s['support']]
            for k, (name, s) in enumerate(metrics['per_class'].items())]
    print(markdown_table(['test split', 'precision', 'recall', 'F1', 'support'], rows))

    classes = range(len(names))
    for check_path, scores in (metrics.get('check') or {}).items():
        print(f"\nout-of-distribution check ({os.path.relpath(check_path, path.ROOT)}):\n")
        print(markdown_table(['', 'accuracy', *(f'F1 {k}' for k in classes), 'macro F1'],
                             [[name, f"{r['accuracy']:.4f}", *(f"{r['per_class'][k]['f1']:.4f}" for k in classes),
                               f"{r['macro_f1']:.4f}"] for name, r in scores.items()]))
        if 'confident_misses' in scores['model']:
            print(f"\nthe model: {confident_misses_line(scores['model'])}")

    calibration = metrics['calibration']
    fitted_on = (calibration['fitted_on'] or 'nothing').replace(path.ROOT + os.sep, '')
    print(f"\ncalibration: temperature {calibration['temperature']:.3f}, fitted on {fitted_on}\n")
    print(markdown_table(['', 'ECE before', 'ECE after', 'NLL before', 'NLL after'],
                         [[os.path.relpath(name, path.ROOT) if name != 'test' else name, f"{c['ece_before']:.4f}", f"{c['ece_after']:.4f}", f"{c['nll_before']:.4f}",
                           f"{c['nll_after']:.4f}"] for name, c in calibration.items() if isinstance(c, dict)]))

    reference = next(key for key in speed if key.startswith('wall_seconds_at_'))
    print('\n' + markdown_table(
        ['training tokens/s', 'training GFLOP/s', 'share of the matmul speed', 'wall s',
         f"wall s scaled to {reference.rsplit('_', 1)[1]} GFLOP/s", 'peak RSS MB'],
        [[f"{speed['train_tokens_per_second']:,}", f"{speed['train_gflops']:.0f}", f"{speed['share_of_limit']:.0%}",
          f"{speed['wall_seconds']:.0f}", f"{speed[reference]:.0f}", f"{speed['peak_rss_mb']:,}"]]))


if __name__ == '__main__':
    main()
