"""Train the ALBERT-tiny classifier on data/train.txt, validate on val, test on test.

Each epoch prints `val_acc, best_val_acc, test_acc`. Training stops early when
val_loss has not improved for --patience epochs; the best weights are kept at
weights/albert_tiny.h5. After every epoch the model and optimiser are
checkpointed in weights/albert_tiny.resume/, so `python continue_fit.py`
resumes an interrupted run where its last finished epoch left off.

--distribute mirrored trains on every GPU of the machine (a replica on each, the
global batch split over them), --distribute multiworker on the machines of
TF_CONFIG; the update is the single-device update of the whole batch, and
continue_fit.py resumes with the same strategy. Only the chief writes files.

The classes are those of labels.txt beside --train (`id<TAB>name` lines), or
0..the largest label found, named by their numbers; they are saved beside the
weights with maxlen. Every setting of the recipe is in config.py.

    python main.py                      # train on the shipped data
    python main.py --epochs 1 --train my_train.txt --val my_val.txt --test my_test.txt
    python main.py --distribute mirrored  # every GPU
    LOGICAL_CPUS=2 python main.py --distribute mirrored  # 2 replicas on the CPU, to try it (no faster)
"""
import argparse
import atexit
import csv
import json
import math
import os
import resource
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from functools import partial

import utils.compat  # noqa: F401  (must come before bert4keras)
import numpy as np
import tensorflow as tf
from tqdm import tqdm

import config
import model as M
import path
from data_process import DataError, batches, load_data, load_labelled, mask_tokens
from data_statistics import is_shipped_task, keyword_rules_for
from utils.cli import at_least, fail, positive_float
from utils.files import (LockedError, OverwriteError, UnwritableError, atomic_open, check_not_an_input, check_writable,
                         run_lock)
from utils.calibration import calibration_report, fit_temperature, softmax
from utils.metrics import (bad_cases_tsv, compare, confusion_matrix, format_comparison, format_report, misses,
                           per_class_scores)
from utils.plotting import plot_confusion_matrix, plot_reliability, plot_training_curves


# The float32 matmul speed of this machine on the day the speed target was set
# (make train in 10 minutes): speed figures are also given scaled to it.
REFERENCE_GFLOPS = 415


@dataclass
class Settings:
    """What a run was started with. Saved in state.json, so continue_fit.py carries on with the same."""
    train: str
    val: str
    test: str
    check: str  # '' for none
    weights: str
    albert_config: dict
    vocab: str
    label_names: list  # indexed by label: from labels.txt beside the data, else the numbers
    pretrained: bool
    batch_size: int
    maxlen: int = config.MAXLEN
    epochs: int = config.MAX_EPOCHS
    patience: int = config.PATIENCE
    seed: int = config.SEED
    learning_rate: float = None  # None: config's, for fine-tuning or from scratch
    gradient_penalty: float = config.GRADIENT_PENALTY
    adversarial: float = config.ADVERSARIAL
    unk_rate: float = config.UNK_RATE
    span_dropout: float = config.SPAN_DROPOUT
    all_data: bool = False  # continue_fit --all-data trained on val and test too: nothing held out to calibrate on
    distribute: str = 'none'  # --distribute: model.make_strategy's name


@dataclass
class Progress:
    """Where a run is: updated after every epoch and saved with the checkpoint."""
    epoch: int = 0
    best_val_loss: float = math.inf
    best_val_acc: float = 0.0
    bad_epochs: int = 0  # epochs since val_loss last went down
    history: list = field(default_factory=list)  # one dict per epoch, as in log/history.csv


@dataclass
class Splits:
    """The (text, label) rows a run trains, stops and reports on."""
    train: list
    val: list  # None with continue_fit.py --all-data: nothing held out
    test: list
    check: list = None  # the out-of-distribution check set, scored at the end only


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--train', default=path.TRAIN_PATH, help='training data, text<TAB>label per line (default: %(default)s)')
    parser.add_argument('--val', default=path.VAL_PATH, help='validation data, for early stopping (default: %(default)s)')
    parser.add_argument('--test', default=path.TEST_PATH, help='test data (default: %(default)s)')
    parser.add_argument('--check',
                        help='out-of-distribution check set, scored at the end against the keyword rules; '
                             "never used for training or early stopping; '' skips it (default: "
                             f'{os.path.relpath(path.CHECK_PATH)} when the classes are those of {os.path.relpath(path.LABELS_PATH)})')
    parser.add_argument('--albert-dir', default=path.ALBERT_DIR,
                        help='albert_config.json and vocab.txt, plus albert_model.ckpt.* to fine-tune a pretrained model (default: %(default)s)')
    parser.add_argument('--weights', default=path.WEIGHTS_PATH,
                        help='where the best weights go; a model already there is moved aside, not lost (default: %(default)s)')
    parser.add_argument('--overwrite', action='store_true',
                        help='delete a model already at --weights (and its checkpoints) instead of moving it aside')
    parser.add_argument('--log-dir', default=path.LOG_DIR, help='metrics.json and history.csv (default: %(default)s)')
    parser.add_argument('--images-dir', default=path.IMAGES_DIR, help='training curves and confusion matrix (default: %(default)s)')
    parser.add_argument('--epochs', type=at_least(1), default=config.MAX_EPOCHS, help='at most this many epochs (default: %(default)s)')
    parser.add_argument('--patience', type=at_least(1), default=config.PATIENCE,
                        help='stop after this many epochs without a lower val_loss (default: %(default)s)')
    parser.add_argument('--batch-size', type=at_least(1),
                        help=f'(default: {config.BATCH_SIZE} fine-tuning a pretrained checkpoint, '
                             f'{config.SCRATCH_BATCH_SIZE} from scratch)')
    parser.add_argument('--learning-rate', type=positive_float,
                        help=f'peak learning rate of the warm-up schedule (default: {config.LEARNING_RATE:g} fine-tuning a '
                             f'pretrained checkpoint, {config.SCRATCH_LEARNING_RATE:g} from scratch)')
    parser.add_argument('--seed', type=int, default=config.SEED, help='initial weights and shuffling (default: %(default)s)')
    parser.add_argument('--adversarial', type=float, default=config.ADVERSARIAL, metavar='EPSILON',
                        help='FGM adversarial training on the token embeddings with this epsilon, e.g. 0.5; '
                             'doubles the time per step (default: off)')
    parser.add_argument('--gradient-penalty', type=float, default=config.GRADIENT_PENALTY, metavar='EPSILON',
                        help='epsilon of the gradient penalty on the token embeddings; 0 is plain cross-entropy, '
                             'about 3x faster per step (default: %(default)s)')
    parser.add_argument('--unk-rate', type=float, default=config.UNK_RATE,
                        help='share of training characters replaced by [UNK], from scratch only (default: %(default)s)')
    parser.add_argument('--span-dropout', type=float, default=config.SPAN_DROPOUT,
                        help=f'share of training texts with one run of up to {config.SPAN_MAX} characters replaced by [UNK] '
                             '(default: %(default)s)')
    parser.add_argument('--distribute', choices=M.DISTRIBUTE, default='none',
                        help='none: one device (a GPU if TensorFlow sees one); mirrored: a replica on every GPU of this '
                             'machine, --batch-size texts a step split over them (without a GPU, LOGICAL_CPUS=N in the '
                             'environment splits the CPU into N devices to try it; no faster); multiworker: the machines '
                             'of TF_CONFIG, each running this command on the same data (one worker without TF_CONFIG), '
                             'only the chief writes files. continue_fit.py resumes with the same (default: %(default)s)')
    args = parser.parse_args(argv)
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


def state_path(weights_path):
    return os.path.join(resume_dir(weights_path), 'state.json')


def save_state(settings, progress):
    with atomic_open(state_path(settings.weights)) as f:
        json.dump({'settings': asdict(settings), 'progress': asdict(progress)}, f, ensure_ascii=False, indent=1)


def load_state(weights_path):
    """(Settings, Progress) of the run whose checkpoints are beside weights_path.

    ValueError when state.json is not one this version wrote (or has been edited).
    """
    with open(state_path(weights_path), encoding='utf-8') as f:
        state = json.load(f)
    if isinstance(state, dict) and 'progress' not in state and 'settings' in state:
        state = upgrade_state(state, weights_path)
    if not isinstance(state, dict) or set(state) != {'settings', 'progress'}:
        raise ValueError(f'{state_path(weights_path)} is not a state main.py wrote; start a new run')
    try:
        return Settings(**state['settings']), Progress(**state['progress'])
    except TypeError as e:  # a missing or unknown field
        raise ValueError(f'{state_path(weights_path)}: {e}') from None


def upgrade_state(state, weights_path):
    """The state.json of a run started before Settings and Progress (the fields side by side, no
    class names), in today's layout: the names come from the config saved beside the weights."""
    with open(M.sidecar_paths(weights_path)[0], encoding='utf-8') as f:
        saved = json.load(f)
    settings = {**state.pop('settings'), 'label_names': M.saved_label_names(saved), 'maxlen': saved['maxlen']}
    for row in state.get('history', []):  # epochs trained then were not timed apart from their evaluation
        row.setdefault('train_seconds', row.get('seconds', 0.0))
        row.setdefault('tokens', 0)
        row.setdefault('gflop', 0.0)
    return {'settings': settings, 'progress': state}


def load_splits(settings):
    """The run's data, read again from its files and checked against its classes."""
    n = len(settings.label_names)
    train, val, test = (load_data(p, n, settings.maxlen) for p in (settings.train, settings.val, settings.test))
    return Splits(train, val, test, load_data(settings.check, n, settings.maxlen) if settings.check else None)


def start_strategy(args, distribute, copy_model=False):
    """The strategy of `distribute` (model.make_strategy), made before TensorFlow runs anything, or one
    line and exit status 2; a worker other than the chief writes to a temporary folder (worker_outputs)."""
    try:
        strategy = M.make_strategy(distribute)
    except ValueError as e:
        fail(e)
    worker_outputs(strategy, args, copy_model)
    return strategy


def worker_outputs(strategy, args, copy_model=False):
    """Point args.weights, args.log_dir and args.images_dir of a worker other than the chief into a
    temporary folder, deleted at exit.

    Every worker of a multi-worker run runs the whole script (the saves take part
    in collective operations), but only the chief's files are kept: TensorFlow's
    pattern. With copy_model the chief's model and checkpoints are copied there
    first (continue_fit.py: every worker resumes from them; a shared file system).
    """
    if strategy.extended.should_checkpoint:
        return
    folder = tempfile.mkdtemp(prefix='worker-')
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    weights = os.path.join(folder, 'weights', os.path.basename(args.weights))
    os.makedirs(os.path.dirname(weights))
    for p in [*M.model_files(args.weights), resume_dir(args.weights)] if copy_model else []:
        if os.path.isdir(p):
            shutil.copytree(p, resume_dir(weights))
        elif os.path.exists(p):
            shutil.copy2(p, os.path.join(os.path.dirname(weights), os.path.basename(p)))
    args.weights, args.log_dir, args.images_dir = weights, os.path.join(folder, 'log'), os.path.join(folder, 'images')


def train(model, optimizer, tokenizer, splits, settings, progress):
    """Run epochs progress.epoch+1 .. settings.epochs with early stopping; checkpoint after each.

    Without splits.val (continue_fit.py --all-data) every epoch is kept and none
    stops early. `progress` is updated in place and returned. The model and the
    optimizer are built under the strategy of settings.distribute (the step is
    made for model.distribute_strategy).
    """
    strategy = model.distribute_strategy
    if settings.distribute != 'none':
        print(f'--distribute {settings.distribute}: replicas {strategy.num_replicas_in_sync} '
              f"({', '.join(strategy.extended.worker_devices)} on this machine); each step's "
              f'{settings.batch_size} texts are split over them', flush=True)
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer)
    manager = tf.train.CheckpointManager(checkpoint, resume_dir(settings.weights), max_to_keep=2)
    train_step = M.make_train_step(model, optimizer, settings.gradient_penalty, settings.adversarial)
    predict_fn = M.make_predict_fn(model)
    steps_per_epoch = math.ceil(len(splits.train) / settings.batch_size)
    augment = None
    if settings.unk_rate or settings.span_dropout:
        augment = partial(mask_tokens, unk_id=tokenizer._token_unk_id, unk_rate=settings.unk_rate,
                          span_rate=settings.span_dropout, span_max=config.SPAN_MAX)

    passes = M.train_step_passes(settings.gradient_penalty, settings.adversarial)  # forward passes a step costs
    while progress.epoch < settings.epochs and progress.bad_epochs < settings.patience:
        epoch = progress.epoch + 1
        started = time.time()
        losses, correct, tokens, flops = [], 0, 0, 0.0
        bar = tqdm(batches(splits.train, tokenizer, settings.batch_size, shuffle=True, seed=settings.seed * 1000 + epoch,
                           maxlen=settings.maxlen, augment=augment),
                   total=steps_per_epoch, desc=f'epoch {epoch}/{settings.epochs}', unit='batch', mininterval=1)
        for (token_ids, segment_ids), labels in bar:
            loss, probs = train_step(token_ids, segment_ids, labels)
            losses.append(float(loss) * len(labels))
            correct += int(np.sum(probs.argmax(axis=1) == labels))
            lengths = (token_ids > 0).sum(axis=1)  # real tokens; padding is not counted as work done
            tokens += int(lengths.sum())
            flops += passes * M.forward_flops(settings.albert_config, lengths)
            bar.set_postfix(loss=f'{float(loss):.4f}')
        bar.close()
        train_seconds = time.time() - started

        row = {'epoch': epoch, 'step': int(optimizer.iterations.numpy()),
               'lr': float(optimizer.learning_rate.numpy()),  # the learning rate of the epoch's last step
               'loss': sum(losses) / len(splits.train), 'acc': correct / len(splits.train),
               'train_seconds': round(train_seconds, 2), 'tokens': tokens, 'gflop': round(flops / 1e9, 4)}
        if splits.val:
            row['val_loss'], row['val_acc'], _ = evaluate(model, predict_fn, tokenizer, splits.val, settings.batch_size)
        else:  # --all-data: nothing held out, so track the training figures
            row['val_loss'], row['val_acc'] = row['loss'], row['acc']
        row['test_acc'] = evaluate(model, predict_fn, tokenizer, splits.test, settings.batch_size)[1]
        row['seconds'] = round(time.time() - started, 1)

        if row['val_loss'] < progress.best_val_loss or not splits.val:
            progress.best_val_loss, progress.best_val_acc = row['val_loss'], row['val_acc']
            progress.bad_epochs = 0
            M.save_weights(model, settings.weights)
            # the config and vocabulary go beside the weights with them, never before
            M.save_model_files(model, settings.vocab, settings.weights, settings.pretrained, tokenizer)
        else:
            progress.bad_epochs += 1
        progress.epoch = epoch
        progress.history.append(row)
        manager.save(checkpoint_number=epoch)
        save_state(settings, progress)
        print(f"epoch {epoch}: loss {row['loss']:.4f}, acc {row['acc']:.4f}, val_loss {row['val_loss']:.4f}, "
              f"val_acc {row['val_acc']:.4f}, best_val_acc {progress.best_val_acc:.4f}, test_acc {row['test_acc']:.4f} "
              f"({row['seconds']:.0f}s, step {row['step']}, lr {row['lr']:.2e})", flush=True)
    if progress.bad_epochs >= settings.patience:
        print(f'val_loss has not improved for {settings.patience} epochs: stopped early')
    return progress


def check(model, tokenizer, check_data, batch_size=config.PREDICT_BATCH_SIZE, predict_fn=None):
    """{name: {accuracy, per_class}} of the model and the keyword rules on labelled data, and the model's guesses."""
    texts = [text for text, _ in check_data]
    labels = [label for _, label in check_data]
    guesses = {'model': M.predict_proba(model, tokenizer, texts, batch_size, predict_fn).argmax(axis=1)}
    guesses.update({name: [rule(text) for text in texts]
                    for name, rule in keyword_rules_for(model.label_names).items()})
    return {name: compare(labels, guessed, len(model.label_names)) for name, guessed in guesses.items()}, guesses['model']


def calibrate(model, tokenizer, splits, settings):
    """Fit the temperature on the validation split and save it with the model; measure it on test (and check).

    Returns (metrics, reliability panels for plot_reliability, the test split's calibrated probabilities).
    """
    logits_fn = M.make_logits_fn(model)  # one compiled function for every split
    if splits.val and not settings.all_data:
        val_labels = [label for _, label in splits.val]
        val_logits = M.predict_logits(model, tokenizer, [text for text, _ in splits.val], settings.batch_size, logits_fn)
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
        M.save_temperature(settings.weights, temperature)
    except OSError as e:
        fail(f'{M.sidecar_paths(settings.weights)[0]}: could not save the temperature ({e.strerror or e}); '
             f'the model is at {settings.weights}')
    metrics = {'temperature': temperature, 'fitted_on': fitted_on}
    print(f"{'':<22}{'ECE before':>11}{'after':>9}{'NLL before':>12}{'after':>9}")
    panels, test_probs = [], None
    for name, data in (('test', splits.test), ('check', splits.check)):
        if not data:
            continue
        labels = [label for _, label in data]
        logits = M.predict_logits(model, tokenizer, [text for text, _ in data], settings.batch_size, logits_fn)
        metrics[name] = calibration_report(logits, labels, temperature)
        row = metrics[name]
        print(f"{f'{name} ({len(data)} texts)':<22}{row['ece_before']:>11.4f}{row['ece_after']:>9.4f}"
              f"{row['nll_before']:>12.4f}{row['nll_after']:>9.4f}")
        panels.append((f'{name} split' if name == 'test' else f'check set {os.path.basename(settings.check)}', labels,
                       {'before (T = 1)': softmax(logits), f'after (T = {temperature:.2f})': softmax(logits, temperature)}))
        if name == 'test':
            test_probs = softmax(logits, temperature)
    return metrics, panels, test_probs


def speed(history, matmul_gflops, wall_seconds):
    """Training throughput of the epochs in history, as a share of this machine's matmul speed.

    Epochs are timed over their batches (tokenizing included, evaluation not);
    the FLOPs are the model's at each text's own length (see model.forward_flops).
    """
    history = [row for row in history if row['tokens']]  # epochs of runs before the speed report count none
    if not history:
        return None
    seconds = sum(row['train_seconds'] for row in history)
    gflops = sum(row['gflop'] for row in history) / seconds
    return {'matmul_gflops': round(matmul_gflops, 1),
            'train_tokens_per_second': round(sum(row['tokens'] for row in history) / seconds),
            'train_gflops': round(gflops, 3), 'share_of_limit': gflops / matmul_gflops,
            'wall_seconds': round(wall_seconds, 1), 'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            f'wall_seconds_at_{REFERENCE_GFLOPS}': round(wall_seconds * matmul_gflops / REFERENCE_GFLOPS, 1)}


def report(model, tokenizer, splits, settings, progress, log_dir, images_dir, matmul_gflops, started):
    """Evaluate the best weights on the test set (and the check set); write metrics, history and plots.

    matmul_gflops is this machine's speed measured at the start of the run, and
    started the run's start time, for the speed figures.
    """
    model.load_weights(settings.weights)
    label_names = model.label_names
    predict_fn = M.make_predict_fn(model)
    loss, accuracy, predicted = evaluate(model, predict_fn, tokenizer, splits.test, settings.batch_size)
    cm = confusion_matrix([label for _, label in splits.test], predicted, len(label_names))
    print(f'\nfinal test accuracy {accuracy:.6f} ({len(splits.test)} texts), best weights at {settings.weights}')
    print(format_report(cm, label_names))
    check_scores = None
    if splits.check:
        check_scores, _ = check(model, tokenizer, splits.check, settings.batch_size, predict_fn)
        print(f'\nout-of-distribution check ({settings.check}, {len(splits.check)} texts):')
        print(format_comparison(check_scores, label_names))

    calibration, panels, test_probs = calibrate(model, tokenizer, splits, settings)
    test_misses = misses([text for text, _ in splits.test], [label for _, label in splits.test], test_probs)

    throughput = speed(progress.history, matmul_gflops, time.time() - started)
    if throughput:
        print(f"\nspeed: {throughput['train_tokens_per_second']:,} training tokens/s, {throughput['train_gflops']:.0f} GFLOP/s, "
              f"{throughput['share_of_limit']:.0%} of this machine's float32 matmul speed ({matmul_gflops:.0f} GFLOP/s); "
              f"{throughput['wall_seconds']:.0f}s so far, {throughput[f'wall_seconds_at_{REFERENCE_GFLOPS}']:.0f}s "
              f"scaled to {REFERENCE_GFLOPS} GFLOP/s; peak memory (RSS) {throughput['peak_rss_mb']:,} MB")
    best = min(progress.history, key=lambda row: row['val_loss'])
    metrics = {'test_accuracy': accuracy, 'test_loss': loss, 'test_size': len(splits.test),
               'per_class': {name: s for name, s in zip(label_names, per_class_scores(cm))},
               'confusion_matrix': cm.tolist(), 'epochs': progress.epoch, 'best_epoch': best['epoch'],
               'best_val_loss': progress.best_val_loss, 'best_val_acc': progress.best_val_acc,
               'train_seconds': round(sum(row['seconds'] for row in progress.history), 1),
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
    written = [f'{log_dir}/metrics.json', f'{log_dir}/history.csv', f'{log_dir}/bad_cases.tsv ({len(test_misses)} test misses)']
    plots = {'training_curves.png': lambda p: plot_training_curves(progress.history, p),
             'confusion_matrix.png': lambda p: plot_confusion_matrix(cm, label_names, p),
             'calibration.png': lambda p: plot_reliability(panels, p)}
    for name, draw in plots.items():  # the metrics are safe on disk; a plot that fails costs only itself
        try:
            draw(os.path.join(images_dir, name))
            written.append(f'{images_dir}/{name}')
        except Exception as e:  # noqa: BLE001 (matplotlib and the file system fail in many ways)
            print(f'warning: could not draw {images_dir}/{name} ({str(e).splitlines()[0] if str(e) else type(e).__name__})')
    print('wrote ' + ', '.join(written))
    return metrics


def run(args, strategy):
    started = time.time()
    try:
        (train_rows, val_rows, test_rows), label_names = load_labelled([args.train, args.val, args.test])
        if args.check is None:  # the shipped check set is written for the shipped classes only
            args.check = path.CHECK_PATH if is_shipped_task(label_names) else ''
        splits = Splits(train_rows, val_rows, test_rows,
                        load_data(args.check, len(label_names)) if args.check else None)
    except DataError as e:
        fail(e)
    print(f'train {len(splits.train)}, val {len(splits.val)}, test {len(splits.test)} texts'
          + (f', check {len(splits.check)} texts' if splits.check else '')
          + f"; {len(label_names)} classes: {', '.join(label_names)}")

    matmul = M.matmul_gflops()
    print(f'float32 matmul on this machine: {matmul:.0f} GFLOP/s (the yardstick of the speed report)')
    tf.keras.utils.set_random_seed(args.seed)
    with strategy.scope():  # the variables, the optimizer's slots too, go on every replica
        try:
            model, albert_config, pretrained = M.new_model(args.albert_dir, label_names)
            tokenizer = M.load_tokenizer(os.path.join(args.albert_dir, 'vocab.txt'))
        except (FileNotFoundError, ValueError) as e:
            fail(e)
        optimizer = M.make_optimizer(pretrained, args.learning_rate)
        optimizer.build(model.trainable_variables)
    keep_previous_run(args.weights, args.overwrite)  # a new run: the older run's checkpoints must not be resumed

    settings = Settings(
        train=args.train, val=args.val, test=args.test, check=args.check, weights=args.weights,
        albert_config=albert_config, vocab=os.path.join(args.albert_dir, 'vocab.txt'), label_names=label_names,
        pretrained=pretrained, batch_size=args.batch_size or (config.BATCH_SIZE if pretrained else config.SCRATCH_BATCH_SIZE),
        epochs=args.epochs, patience=args.patience, seed=args.seed, learning_rate=args.learning_rate,
        gradient_penalty=args.gradient_penalty, adversarial=args.adversarial,
        unk_rate=0.0 if pretrained else args.unk_rate, span_dropout=args.span_dropout, distribute=args.distribute)
    tokenizer = M.training_tokenizer(tokenizer, [text for text, _ in splits.train], settings.unk_rate, settings.maxlen)
    progress = Progress()
    train(model, optimizer, tokenizer, splits, settings, progress)
    report(model, tokenizer, splits, settings, progress, args.log_dir, args.images_dir, matmul, started)
    print(f'wall time {time.time() - started:.0f}s')


def main(argv=None):
    args = parse_args(argv)
    strategy = start_strategy(args, args.distribute)
    try:
        check_writable([os.path.dirname(args.weights), args.log_dir, args.images_dir])
        check_not_an_input(M.model_files(args.weights), [args.train, args.val, args.test,
                                                            path.CHECK_PATH if args.check is None else args.check or None])
        with run_lock(args.weights):  # one run per weights path
            run(args, strategy)
    except (LockedError, UnwritableError, OverwriteError) as e:
        fail(e)


if __name__ == '__main__':
    main()
