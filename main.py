"""Train the ALBERT-tiny classifier on data/train.txt, validate on val, test on test.

Each epoch prints `val_acc, best_val_acc, test_acc`. Training stops early when
val_loss has not improved for --patience epochs; the best weights are kept at
weights/albert_tiny.h5. After every epoch the model and optimiser are
checkpointed in weights/albert_tiny.resume/, so `python continue_fit.py`
resumes an interrupted run where its last finished epoch left off.

    python main.py                      # train on the shipped data
    python main.py --epochs 1 --train my_train.txt --val my_val.txt --test my_test.txt
"""
import argparse
import csv
import json
import math
import os
import shutil
import time
from functools import partial

import utils.compat  # noqa: F401  (must come before bert4keras)
import numpy as np
import tensorflow as tf
from tqdm import tqdm

import model as M
import path
from data_process import LABEL_NAMES, NUM_CLASSES, DataError, batches, load_data, mask_tokens
from data_statistics import KEYWORD_RULES
from utils.cli import fail, positive_float
from utils.files import (LockedError, OverwriteError, UnwritableError, atomic_open, check_not_an_input, check_writable,
                         run_lock)
from utils.metrics import compare, confusion_matrix, format_comparison, format_report, per_class_scores
from utils.plotting import plot_confusion_matrix, plot_training_curves

DEFAULT_SEED = 2024
MAX_EPOCHS = 50
PATIENCE = 3


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--train', default=path.TRAIN_PATH, help='training data, text<TAB>label per line (default: %(default)s)')
    parser.add_argument('--val', default=path.VAL_PATH, help='validation data, for early stopping (default: %(default)s)')
    parser.add_argument('--test', default=path.TEST_PATH, help='test data (default: %(default)s)')
    parser.add_argument('--check', default=path.CHECK_PATH,
                        help='out-of-distribution check set, scored at the end against the keyword rules; '
                             "never used for training or early stopping; '' skips it (default: %(default)s)")
    parser.add_argument('--albert-dir', default=path.ALBERT_DIR,
                        help='albert_config.json and vocab.txt, plus albert_model.ckpt.* to fine-tune a pretrained model (default: %(default)s)')
    parser.add_argument('--weights', default=path.WEIGHTS_PATH,
                        help='where the best weights go; a model already there is moved aside, not lost (default: %(default)s)')
    parser.add_argument('--overwrite', action='store_true',
                        help='delete a model already at --weights (and its checkpoints) instead of moving it aside')
    parser.add_argument('--log-dir', default=path.LOG_DIR, help='metrics.json and history.csv (default: %(default)s)')
    parser.add_argument('--images-dir', default=path.IMAGES_DIR, help='training curves and confusion matrix (default: %(default)s)')
    parser.add_argument('--epochs', type=int, default=MAX_EPOCHS, help='at most this many epochs (default: %(default)s)')
    parser.add_argument('--patience', type=int, default=PATIENCE, help='stop after this many epochs without a lower val_loss (default: %(default)s)')
    parser.add_argument('--batch-size', type=int,
                        help=f'(default: {M.BATCH_SIZE} fine-tuning a pretrained checkpoint, {M.SCRATCH_BATCH_SIZE} from scratch)')
    parser.add_argument('--learning-rate', type=positive_float,
                        help=f'peak learning rate of the warm-up schedule (default: {M.LEARNING_RATE:g} fine-tuning a '
                             f'pretrained checkpoint, {M.SCRATCH_LEARNING_RATE:g} from scratch)')
    parser.add_argument('--seed', type=int, default=DEFAULT_SEED, help='initial weights and shuffling (default: %(default)s)')
    parser.add_argument('--adversarial', type=float, default=M.ADVERSARIAL, metavar='EPSILON',
                        help='FGM adversarial training on the token embeddings with this epsilon, e.g. 0.5; '
                             'doubles the time per step (default: off)')
    parser.add_argument('--gradient-penalty', type=float, default=M.GRADIENT_PENALTY, metavar='EPSILON',
                        help='epsilon of the gradient penalty on the token embeddings; 0 is plain cross-entropy, '
                             'about 3x faster per step (default: %(default)s)')
    parser.add_argument('--unk-rate', type=float, default=M.UNK_RATE,
                        help='share of training characters replaced by [UNK], from scratch only (default: %(default)s)')
    parser.add_argument('--span-dropout', type=float, default=M.SPAN_DROPOUT,
                        help=f'share of training texts with one run of up to {M.SPAN_MAX} characters replaced by [UNK] '
                             '(default: %(default)s)')
    args = parser.parse_args(argv)
    for name in ('epochs', 'patience', 'batch_size'):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    for name in ('unk_rate', 'span_dropout'):
        if not 0 <= getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be in [0, 1)")
    if args.gradient_penalty < 0:
        parser.error('--gradient-penalty must be at least 0')
    if args.weights.endswith(('/', os.sep)) or os.path.isdir(args.weights):
        parser.error(f'--weights names a file to write (e.g. weights/mine.h5), not a folder: {args.weights}')
    return args


def evaluate(model, predict_fn, tokenizer, data, batch_size):
    """(cross-entropy, accuracy, predicted labels) of the model on (text, label) data."""
    texts = [text for text, _ in data]
    labels = np.array([label for _, label in data])
    probs = M.predict_proba(model, tokenizer, texts, batch_size, predict_fn)
    loss = float(-np.mean(np.log(probs[np.arange(len(labels)), labels] + 1e-12)))
    predicted = probs.argmax(axis=1)
    return loss, float(np.mean(predicted == labels)), predicted


def resume_dir(weights_path):
    return os.path.splitext(weights_path)[0] + '.resume'


def keep_previous_run(weights_path, overwrite=False):
    """Move an earlier run's model, sidecars and checkpoints at weights_path into a dated folder beside it.

    A finished model is never destroyed by a new run: `make train` twice keeps the
    first model in weights/albert_tiny.previous-YYYYmmdd-HHMMSS/. With overwrite
    they are deleted instead. Returns the folder, or None when there was nothing.
    """
    paths = [*M.model_files(weights_path), resume_dir(weights_path)]
    present = [p for p in paths if os.path.exists(p)]
    if not present:
        return None
    if overwrite:
        for p in present:
            shutil.rmtree(p) if p == resume_dir(weights_path) else os.remove(p)
        print(f'deleted the previous model at {weights_path} (--overwrite)')
        return None
    stamp = time.strftime('%Y%m%d-%H%M%S')
    backup = f'{os.path.splitext(weights_path)[0]}.previous-{stamp}'
    n = 1
    while os.path.exists(backup):
        n += 1
        backup = f'{os.path.splitext(weights_path)[0]}.previous-{stamp}-{n}'
    os.makedirs(backup)
    for p in present:
        os.replace(p, os.path.join(backup, os.path.basename(p)))
    print(f'moved the previous model at {weights_path} to {backup}/ (load it with --weights '
          f'{os.path.join(backup, os.path.basename(weights_path))}; --overwrite deletes it instead)')
    return backup


def save_state(state, weights_path):
    with atomic_open(os.path.join(resume_dir(weights_path), 'state.json')) as f:
        json.dump(state, f, ensure_ascii=False, indent=1)


def train(model, optimizer, tokenizer, data, state):
    """Run epochs state['epoch']+1 .. settings['epochs'] with early stopping; checkpoint after each.

    `data` maps 'train', 'val', 'test' to (text, label) lists; without 'val'
    (continue_fit.py --all-data) every epoch is kept and none stops early.
    `state` (settings, epoch, best_val_loss, bad_epochs, history) is updated in place.
    """
    settings = state['settings']
    weights_path = settings['weights']
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer)
    manager = tf.train.CheckpointManager(checkpoint, resume_dir(weights_path), max_to_keep=2)
    train_step = M.make_train_step(model, optimizer, settings['gradient_penalty'], settings['adversarial'])
    predict_fn = M.make_predict_fn(model)
    batch_size = settings['batch_size']
    steps_per_epoch = math.ceil(len(data['train']) / batch_size)
    augment = None
    if settings['unk_rate'] or settings['span_dropout']:
        augment = partial(mask_tokens, unk_id=tokenizer._token_unk_id, unk_rate=settings['unk_rate'],
                          span_rate=settings['span_dropout'], span_max=M.SPAN_MAX)

    while state['epoch'] < settings['epochs'] and state['bad_epochs'] < settings['patience']:
        epoch = state['epoch'] + 1
        started = time.time()
        losses, correct = [], 0
        bar = tqdm(batches(data['train'], tokenizer, batch_size, shuffle=True, seed=settings['seed'] * 1000 + epoch,
                           augment=augment),
                   total=steps_per_epoch, desc=f'epoch {epoch}/{settings["epochs"]}', unit='batch', mininterval=1)
        for (token_ids, segment_ids), labels in bar:
            loss, probs = train_step(token_ids, segment_ids, labels)
            losses.append(float(loss) * len(labels))
            correct += int(np.sum(probs.numpy().argmax(axis=1) == labels))
            bar.set_postfix(loss=f'{float(loss):.4f}')
        bar.close()

        row = {'epoch': epoch, 'step': int(optimizer.iterations.numpy()),
               'lr': float(optimizer.learning_rate),  # the learning rate of the epoch's last step
               'loss': sum(losses) / len(data['train']), 'acc': correct / len(data['train'])}
        held_out = data.get('val')
        if held_out:
            row['val_loss'], row['val_acc'], _ = evaluate(model, predict_fn, tokenizer, held_out, batch_size)
        else:  # --all-data: nothing held out, so track the training figures
            row['val_loss'], row['val_acc'] = row['loss'], row['acc']
        row['test_acc'] = evaluate(model, predict_fn, tokenizer, data['test'], batch_size)[1]
        row['seconds'] = round(time.time() - started, 1)

        if row['val_loss'] < state['best_val_loss'] or not held_out:
            state['best_val_loss'], state['best_val_acc'] = row['val_loss'], row['val_acc']
            state['bad_epochs'] = 0
            M.save_weights(model, weights_path, settings['albert_config'])
            # the config and vocabulary go beside the weights with them, never before
            M.save_model_files(settings['albert_config'], settings['vocab'], weights_path,
                               pretrained=settings['pretrained'], tokenizer=tokenizer)
        else:
            state['bad_epochs'] += 1
        state['epoch'] = epoch
        state['history'].append(row)
        manager.save(checkpoint_number=epoch)
        save_state(state, weights_path)
        print(f"epoch {epoch}: loss {row['loss']:.4f}, acc {row['acc']:.4f}, val_loss {row['val_loss']:.4f}, "
              f"val_acc {row['val_acc']:.4f}, best_val_acc {state['best_val_acc']:.4f}, test_acc {row['test_acc']:.4f} "
              f"({row['seconds']:.0f}s, step {row['step']}, lr {row['lr']:.2e})", flush=True)
    if state['bad_epochs'] >= settings['patience']:
        print(f"val_loss has not improved for {settings['patience']} epochs: stopped early")
    return state


def check(model, tokenizer, check_data, batch_size, predict_fn=None):
    """{name: {accuracy, per_class}} of the model and the keyword rules on labelled data, and the model's guesses."""
    texts = [text for text, _ in check_data]
    labels = [label for _, label in check_data]
    guesses = {'model': M.predict_proba(model, tokenizer, texts, batch_size, predict_fn).argmax(axis=1)}
    guesses.update({name: [rule(text) for text in texts] for name, rule in KEYWORD_RULES.items()})
    return {name: compare(labels, guessed, NUM_CLASSES) for name, guessed in guesses.items()}, guesses['model']


def report(model, tokenizer, test_data, state, log_dir, images_dir, check_data=None):
    """Evaluate the best weights on the test set (and the check set); write metrics, history and plots."""
    model.load_weights(state['settings']['weights'])
    batch_size = state['settings']['batch_size']
    predict_fn = M.make_predict_fn(model)
    loss, accuracy, predicted = evaluate(model, predict_fn, tokenizer, test_data, batch_size)
    labels = [label for _, label in test_data]
    cm = confusion_matrix(labels, predicted, NUM_CLASSES)
    print(f'\nfinal test accuracy {accuracy:.6f} ({len(test_data)} texts), best weights at {state["settings"]["weights"]}')
    print(format_report(cm, LABEL_NAMES))
    check_scores = None
    if check_data:
        check_scores, _ = check(model, tokenizer, check_data, batch_size, predict_fn)
        print(f"\nout-of-distribution check ({state['settings']['check']}, {len(check_data)} texts):")
        print(format_comparison(check_scores, LABEL_NAMES))

    best = min(state['history'], key=lambda row: row['val_loss'])
    metrics = {'test_accuracy': accuracy, 'test_loss': loss, 'test_size': len(test_data),
               'per_class': {LABEL_NAMES[k]: s for k, s in enumerate(per_class_scores(cm))},
               'confusion_matrix': cm.tolist(), 'epochs': state['epoch'], 'best_epoch': best['epoch'],
               'best_val_loss': state['best_val_loss'], 'best_val_acc': state['best_val_acc'],
               'train_seconds': round(sum(row['seconds'] for row in state['history']), 1),
               'check': check_scores, 'settings': state['settings']}
    try:
        with atomic_open(os.path.join(log_dir, 'metrics.json')) as f:
            json.dump(metrics, f, ensure_ascii=False, indent=2)
        with atomic_open(os.path.join(log_dir, 'history.csv')) as f:
            writer = csv.DictWriter(f, fieldnames=list(state['history'][0]))
            writer.writeheader()
            writer.writerows(state['history'])
    except OSError as e:  # the model is safe; only the report is missing
        fail(f'{log_dir}: could not write the report ({e.strerror or e}); the model is at {state["settings"]["weights"]}, '
             f'and python continue_fit.py --report --weights {state["settings"]["weights"]} writes the report again')
    written = [f'{log_dir}/metrics.json', f'{log_dir}/history.csv']
    plots = {'training_curves.png': lambda p: plot_training_curves(state['history'], p),
             'confusion_matrix.png': lambda p: plot_confusion_matrix(cm, LABEL_NAMES, p)}
    for name, draw in plots.items():  # the metrics are safe on disk; a plot that fails costs only itself
        try:
            draw(os.path.join(images_dir, name))
            written.append(f'{images_dir}/{name}')
        except Exception as e:  # noqa: BLE001 (matplotlib and the file system fail in many ways)
            print(f'warning: could not draw {images_dir}/{name} ({str(e).splitlines()[0] if str(e) else type(e).__name__})')
    print('wrote ' + ', '.join(written))
    return metrics


def run(args):
    try:
        data = {'train': load_data(args.train), 'val': load_data(args.val), 'test': load_data(args.test)}
        check_data = load_data(args.check) if args.check else None
    except DataError as e:
        fail(e)
    print(f"train {len(data['train'])}, val {len(data['val'])}, test {len(data['test'])} texts"
          + (f", check {len(check_data)} texts" if check_data else ''))

    tf.keras.utils.set_random_seed(args.seed)
    try:
        model, albert_config, pretrained = M.new_model(args.albert_dir)
        tokenizer = M.load_tokenizer(os.path.join(args.albert_dir, 'vocab.txt'))
    except (FileNotFoundError, ValueError) as e:
        fail(e)
    optimizer = M.make_optimizer(pretrained, args.learning_rate)
    batch_size = args.batch_size or (M.BATCH_SIZE if pretrained else M.SCRATCH_BATCH_SIZE)
    keep_previous_run(args.weights, args.overwrite)  # a new run: the older run's checkpoints must not be resumed

    settings = {'train': args.train, 'val': args.val, 'test': args.test, 'check': args.check, 'weights': args.weights,
                'epochs': args.epochs, 'patience': args.patience, 'batch_size': batch_size, 'seed': args.seed,
                'gradient_penalty': args.gradient_penalty, 'adversarial': args.adversarial,
                'unk_rate': 0.0 if pretrained else args.unk_rate, 'span_dropout': args.span_dropout,
                'pretrained': pretrained, 'learning_rate': args.learning_rate,
                'albert_config': albert_config, 'vocab': os.path.join(args.albert_dir, 'vocab.txt')}
    tokenizer = M.training_tokenizer(tokenizer, [text for text, _ in data['train']], settings['unk_rate'])
    state = {'settings': settings, 'epoch': 0, 'best_val_loss': math.inf, 'best_val_acc': 0.0,
             'bad_epochs': 0, 'history': []}
    started = time.time()
    train(model, optimizer, tokenizer, data, state)
    report(model, tokenizer, data['test'], state, args.log_dir, args.images_dir, check_data)
    print(f'wall time {time.time() - started:.0f}s')


def main(argv=None):
    args = parse_args(argv)
    try:
        check_writable([os.path.dirname(args.weights), args.log_dir, args.images_dir])
        check_not_an_input(M.model_files(args.weights), [args.train, args.val, args.test, args.check or None])
        with run_lock(args.weights):  # one run per weights path
            run(args)
    except (LockedError, UnwritableError, OverwriteError) as e:
        fail(e)


if __name__ == '__main__':
    main()
