"""Judging a trained model: accuracy and loss, the out-of-distribution check, calibration, the final report.

main.py and continue_fit.py call report() at the end of a run: the best
weights on the test split (per-class scores and the confusion matrix), the
out-of-distribution check set against the keyword rules of baselines.py, the
temperature fitted on the validation split (saved with the model), the training
speed, and log/metrics.json, history.csv, bad_cases.tsv with their plots.
train() calls evaluate() on the validation and test splits after every epoch.
"""
import collections
import csv
import json
import os
import resource
import sys
import time
from dataclasses import asdict

import numpy as np

import config
from baselines import keyword_rules_for
from inference import make_logits_fn, make_predict_fn, predict_logits, predict_proba
from model import load_trained, save_temperature
from path import sidecar_paths
from utils.calibration import calibration_report, fit_temperature, softmax
from utils.cli import fail, shown_path
from utils.files import atomic_open
from utils.metrics import (bad_cases_tsv, compare, confusion_matrix, format_comparison, format_report, misses,
                           per_class_scores)
from utils.plotting import plot_confusion_matrix, plot_reliability, plot_training_curves


def evaluate(model, predict_fn, tokenizer, data, batch_size):
    """(cross-entropy, accuracy, predicted labels) of the model on (text, label) data."""
    texts = [text for text, _ in data]
    labels = np.array([label for _, label in data])
    probs = predict_proba(model, tokenizer, texts, batch_size, predict_fn)
    loss = float(-np.mean(np.log(probs[np.arange(len(labels)), labels] + 1e-12)))
    predicted = probs.argmax(axis=1)
    return loss, float(np.mean(predicted == labels)), predicted


def check(model, tokenizer, check_data, batch_size=config.PREDICT_BATCH_SIZE, predict_fn=None):
    """{name: {accuracy, per_class}} of the model and the keyword rules on labelled data, and the model's guesses.

    The model's entry also counts its misses and those it made with a probability over
    config.CONFIDENT_MISS ('confident_misses'): the ones --min-confidence cannot catch."""
    texts = [text for text, _ in check_data]
    labels = [label for _, label in check_data]
    probs = predict_proba(model, tokenizer, texts, batch_size, predict_fn)
    guesses = {'model': probs.argmax(axis=1)}
    guesses.update({name: [rule(text) for text in texts]
                    for name, rule in keyword_rules_for(model.label_names).items()})
    scores = {name: compare(labels, guessed, len(model.label_names)) for name, guessed in guesses.items()}
    missed = guesses['model'] != np.asarray(labels)
    scores['model']['misses'] = int(missed.sum())
    scores['model']['confident_misses'] = int((missed & (probs.max(axis=1) > config.CONFIDENT_MISS)).sum())
    return scores, guesses['model']


def confident_misses_line(model_scores):
    """'9 misses, 6 of them at p > 0.99' for check()'s model entry."""
    return (f"{model_scores['misses']} misses, {model_scores['confident_misses']} of them at "
            f'p > {config.CONFIDENT_MISS:g}')


def calibrate(model, tokenizer, splits, settings):
    """Fit the temperature on the validation split and save it with the model; measure it on test (and check).

    Returns (metrics, reliability panels for plot_reliability, the test split's calibrated probabilities).
    """
    logits_fn = make_logits_fn(model)  # one compiled function for every split
    if splits.val and not settings.all_data:
        val_labels = [label for _, label in splits.val]
        val_logits = predict_logits(model, tokenizer, [text for text, _ in splits.val], settings.batch_size, logits_fn)
        temperature = fit_temperature(val_logits, val_labels, *config.TEMPERATURE_RANGE)
        val_misses = int(np.sum(val_logits.argmax(axis=1) != np.array(val_labels)))
        fitted_on = f'{settings.val} ({len(splits.val)} texts, {val_misses} misses)'
        bound = ' (the bound of config.TEMPERATURE_RANGE)' if temperature in config.TEMPERATURE_RANGE else ''
        print(f'\ncalibration: temperature {temperature:.3f}{bound}, fitted on the validation split '
              f'({len(splits.val)} texts, {val_misses} misses); saved with the model')
    else:  # continue_fit --all-data trains on the validation split too
        temperature, fitted_on = 1.0, None
        print('\ncalibration: no held-out validation split to fit a temperature on; the model keeps T = 1')
    try:
        save_temperature(settings.weights, temperature)
    except OSError as e:
        fail(f'{sidecar_paths(settings.weights)[0]}: could not save the temperature ({e.strerror or e}); '
             f'the model is at {settings.weights}')
    metrics = {'temperature': temperature, 'fitted_on': fitted_on}
    # a check set by its path ('./test' for a file named test, which is not the test split)
    sets = [('test', splits.test)] + [(check if check != 'test' else './test', rows) for check, rows in (splits.check or {}).items()]
    width = max(22, *(len(f'{shown_path(name)} ({len(rows)} texts)') + 2 for name, rows in sets))
    print(f"{'':<{width}}{'ECE before':>11}{'after':>9}{'NLL before':>12}{'after':>9}")
    panels, test_probs = [], None
    for name, data in sets:
        if not data:
            continue
        labels = [label for _, label in data]
        logits = predict_logits(model, tokenizer, [text for text, _ in data], settings.batch_size, logits_fn)
        metrics[name] = calibration_report(logits, labels, temperature)
        row = metrics[name]
        print(f"{f'{shown_path(name)} ({len(data)} texts)':<{width}}{row['ece_before']:>11.4f}{row['ece_after']:>9.4f}"
              f"{row['nll_before']:>12.4f}{row['nll_after']:>9.4f}")
        panels.append((f'{name} split' if name == 'test' else f'check set {os.path.basename(name)}', labels,
                       {'before (T = 1)': softmax(logits), f'after (T = {temperature:.2f})': softmax(logits, temperature)}))
        if name == 'test':
            test_probs = softmax(logits, temperature)
    return metrics, panels, test_probs


# The float32 matmul speed of this machine on the day the speed target was set
# (make train in 10 minutes): speed figures are also given scaled to it.
REFERENCE_GFLOPS = 415


def speed(history, matmul_gflops, wall_seconds):
    """Training throughput of the epochs in history, as a share of this machine's matmul speed.

    Epochs are timed over their batches (tokenizing included, evaluation not);
    the FLOPs are the model's at each text's own length (see utils/flops.py).
    """
    seconds = sum(row['train_seconds'] for row in history)
    gflops = sum(row['gflop'] for row in history) / seconds
    return {'matmul_gflops': round(matmul_gflops, 1),
            'train_tokens_per_second': round(sum(row['tokens'] for row in history) / seconds),
            'train_gflops': round(gflops, 3), 'share_of_limit': gflops / matmul_gflops,
            'wall_seconds': round(wall_seconds, 1), 'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            f'wall_seconds_at_{REFERENCE_GFLOPS}': round(wall_seconds * matmul_gflops / REFERENCE_GFLOPS, 1)}


def model_warnings(labels, predicted, accuracy, label_names):
    """One-line warnings about a trained model that has learnt little: it answers one class for most of
    the validation split, or it is no better there than always answering the commonest class."""
    warnings = []
    answered, n = collections.Counter(predicted).most_common(1)[0]
    true_share = collections.Counter(labels)[answered] / len(labels)
    if n / len(labels) >= config.ONE_CLASS_SHARE and true_share < config.ONE_CLASS_SHARE:
        warnings.append(f'the model answers {answered} ({label_names[answered]}) for {n / len(labels):.0%} of the validation '
                        f'split, where {true_share:.0%} are of that class: it has learnt little (too few texts or epochs? '
                        f'--init-from weights/albert_tiny.h5 starts from the shipped model)')
    commonest, count = collections.Counter(labels).most_common(1)[0]
    if accuracy <= count / len(labels):
        warnings.append(f'validation accuracy {accuracy:.4f} is no better than always answering {commonest} '
                        f'({label_names[commonest]}): {count / len(labels):.4f}')
    return warnings


def starting_model_accuracy(settings, test, label_names, batch_size=config.PREDICT_BATCH_SIZE):
    """A run --init-from a model of the same classes: that model's accuracy on the run's test split, to
    compare with the new model's (a few lines of fine-tuning can make a good model worse); else None."""
    if not settings.init_from or not test:
        return None
    try:
        starting, tokenizer = load_trained(settings.init_from)
    except (FileNotFoundError, ValueError) as e:  # moved or deleted since the run began: only the comparison is lost
        print(f'note: the starting model cannot be compared ({e})')
        return None
    if tuple(starting.label_names) != tuple(label_names):
        return None
    return evaluate(starting, None, tokenizer, test, batch_size)[1]


def report(model, tokenizer, splits, settings, progress, log_dir, images_dir, matmul_gflops, started):
    """Evaluate the best weights on the test set (and the check set); write metrics, history and plots.

    matmul_gflops is this machine's speed measured at the start of the run, and
    started the run's start time, for the speed figures.
    """
    model.load_weights(settings.weights)
    label_names = model.label_names
    predict_fn = make_predict_fn(model)
    loss, accuracy, predicted = evaluate(model, predict_fn, tokenizer, splits.test, settings.batch_size)
    cm = confusion_matrix([label for _, label in splits.test], predicted, len(label_names))
    print(f'\nfinal test accuracy {accuracy:.6f} ({len(splits.test)} texts), best weights at {shown_path(settings.weights)}')
    print(format_report(cm, label_names))
    starting_accuracy = starting_model_accuracy(settings, splits.test, label_names, settings.batch_size)
    if starting_accuracy is not None:
        print(f'the starting model ({shown_path(settings.init_from)}) scores {starting_accuracy:.6f} on the same test texts')
        if starting_accuracy > accuracy:
            print(f'warning: the starting model does better on your test split than the model trained from it '
                  f'({starting_accuracy:.4f} against {accuracy:.4f}, {len(splits.test)} texts): use '
                  f'{shown_path(settings.init_from)} as it is, or label more texts', file=sys.stderr)
    if splits.val:
        _, val_accuracy, val_predicted = evaluate(model, predict_fn, tokenizer, splits.val, settings.batch_size)
        for warning in model_warnings([label for _, label in splits.val], val_predicted, val_accuracy, label_names):
            print(f'warning: {warning}', file=sys.stderr)
    check_scores = {}  # {check set's path: {'model' or a keyword rule: scores}}
    for check_path, rows in (splits.check or {}).items():
        check_scores[check_path], _ = check(model, tokenizer, rows, settings.batch_size, predict_fn)
        print(f'\nout-of-distribution check ({shown_path(check_path)}, {len(rows)} texts):')
        print(format_comparison(check_scores[check_path], label_names))
        print(f"the model: {confident_misses_line(check_scores[check_path]['model'])}")

    calibration, panels, test_probs = calibrate(model, tokenizer, splits, settings)
    test_misses = misses([text for text, _ in splits.test], [label for _, label in splits.test], test_probs)

    throughput = speed(progress.history, matmul_gflops, time.time() - started)
    print(f"\nspeed: {throughput['train_tokens_per_second']:,} training tokens/s, {throughput['train_gflops']:.0f} GFLOP/s, "
          f"{throughput['share_of_limit']:.0%} of this machine's float32 matmul speed ({matmul_gflops:.0f} GFLOP/s); "
          f"{throughput['wall_seconds']:.0f}s so far, {throughput[f'wall_seconds_at_{REFERENCE_GFLOPS}']:.0f}s "
          f"scaled to {REFERENCE_GFLOPS} GFLOP/s; peak memory (RSS) {throughput['peak_rss_mb']:,} MB")
    best = min(progress.history, key=lambda row: row['val_loss'])
    metrics = {'test_accuracy': accuracy, 'test_loss': loss, 'test_size': len(splits.test),
               'starting_model_test_accuracy': starting_accuracy,
               'per_class': {name: s for name, s in zip(label_names, per_class_scores(cm))},
               'confusion_matrix': cm.tolist(), 'epochs': progress.epoch, 'best_epoch': best['epoch'],
               'best_val_loss': progress.best_val_loss, 'best_val_acc': progress.best_val_acc,
               'train_seconds': round(sum(row['train_seconds'] for row in progress.history), 1),
               'check': check_scores, 'calibration': calibration, 'speed': throughput, 'settings': asdict(settings)}
    try:
        with atomic_open(os.path.join(log_dir, 'metrics.json')) as f:
            json.dump(metrics, f, ensure_ascii=False, indent=2)
        with atomic_open(os.path.join(log_dir, 'history.csv')) as f:
            writer = csv.DictWriter(f, fieldnames=list(progress.history[0]))
            writer.writeheader()
            writer.writerows(progress.history)
        with atomic_open(os.path.join(log_dir, 'bad_cases.tsv')) as f:
            f.writelines(bad_cases_tsv(test_misses, label_names))
    except OSError as e:  # the model is safe; only the report is missing
        fail(f'{log_dir}: could not write the report ({e.strerror or e}); the model is at {settings.weights}, '
             f'and python continue_fit.py --report --weights {settings.weights} writes the report again')
    log_dir, images_dir = shown_path(log_dir), shown_path(images_dir)  # as printed from here on
    written = [f'{log_dir}/metrics.json', f'{log_dir}/history.csv', f'{log_dir}/bad_cases.tsv ({len(test_misses)} test misses)']
    plots = {'training_curves.png': lambda p: plot_training_curves(progress.history, p),
             'confusion_matrix.png': lambda p: plot_confusion_matrix(cm, label_names, p),
             'calibration.png': lambda p: plot_reliability(panels, p)}
    for name, draw in plots.items():  # the metrics are safe on disk; a plot that fails costs only itself
        try:
            draw(os.path.join(images_dir, name))
            written.append(f'{images_dir}/{name}')
        except Exception as e:  # noqa: BLE001 (matplotlib and the file system fail in many ways)
            reason = next((line.strip() for line in str(e).splitlines() if line.strip()), type(e).__name__)
            print(f'warning: could not draw {images_dir}/{name} ({reason})')
    print('wrote ' + ', '.join(written))
    return metrics
