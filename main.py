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
import math
import os
import sys
import time

import utils.compat  # noqa: F401  (must come before bert4keras)
import tensorflow as tf

import config
import model as M
import path
from baselines import is_shipped_task
from data_process import DataError, dataset_warnings, load_data, load_labelled, mixed_in
from evaluation import report
from trainer import (DISTRIBUTE, Progress, Settings, Splits, base_schedule, keep_previous_run, make_optimizer, run_schedule,
                     start_strategy, train)
from utils.cli import HelpFormatter, at_least, fail, positive_float
from utils.files import LockedError, OverwriteError, UnwritableError, check_not_an_input, check_writable, run_lock
from utils.flops import matmul_gflops


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument('--train', default=path.TRAIN_PATH, help='training data, text<TAB>label per line (default: %(default)s)')
    parser.add_argument('--val', default=path.VAL_PATH, help='validation data, for early stopping (default: %(default)s)')
    parser.add_argument('--test', default=path.TEST_PATH, help='test data (default: %(default)s)')
    parser.add_argument('--check', nargs='*', metavar='FILE',
                        help='out-of-distribution check sets, each scored at the end against the keyword rules; '
                             "never used for training or early stopping; --check alone (or --check '') skips them "
                             f"(default: {', '.join(os.path.relpath(p) for p in path.CHECK_PATHS)} "
                             f'when the classes are those of {os.path.relpath(path.LABELS_PATH)})')
    parser.add_argument('--init-from', metavar='WEIGHTS',
                        help='start from this trained model (e.g. weights/albert_tiny.h5, the shipped one) instead of '
                             'from scratch: its body, maxlen and vocabulary, and its classifier when the classes are '
                             'the same; for a small labelled set of your own (docs/training.md, "Your own data")')
    parser.add_argument('--mix-in', metavar='FILE',
                        help='add labelled rows of FILE (e.g. data/train.txt) to the training split, the same classes; '
                             'validation and test stay yours')
    parser.add_argument('--mix-in-size', type=at_least(1), metavar='N',
                        help='how many rows of --mix-in, drawn with --seed (default: as many as the training split has)')
    parser.add_argument('--albert-dir', default=path.ALBERT_DIR,
                        help='albert_config.json and vocab.txt, plus albert_model.ckpt.* to fine-tune a pretrained model (default: %(default)s)')
    parser.add_argument('--weights', default=path.WEIGHTS_PATH,
                        help='where the best weights go; a model already there is moved aside, not lost (default: %(default)s)')
    parser.add_argument('--overwrite', action='store_true',
                        help='delete a model already at --weights (and its checkpoints) instead of moving it aside')
    parser.add_argument('--log-dir', help='metrics.json, history.csv and bad_cases.tsv (default: log for the shipped '
                                           '--weights, log/<its stem> for any other)')
    parser.add_argument('--images-dir', help='training curves, confusion matrix and calibration plots (default: images for '
                                              'the shipped --weights, images/<its stem> for any other)')
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
    parser.add_argument('--label-smoothing', type=float, default=config.LABEL_SMOOTHING, metavar='E',
                        help='share of the training target spread evenly over the classes; 0 trains on '
                             'plain cross-entropy (default: %(default)s)')
    parser.add_argument('--blank-rate', type=float, default=config.BLANK_RATE,
                        help='share of training texts shown with every character [UNK] and equal probabilities as '
                             'the target: a text the model cannot read says nothing (default: %(default)s)')
    parser.add_argument('--span-dropout', type=float, default=config.SPAN_DROPOUT,
                        help=f'share of training texts with one run of up to {config.SPAN_MAX} characters replaced by [UNK] '
                             '(default: %(default)s)')
    parser.add_argument('--distribute', choices=DISTRIBUTE, default='none',
                        help='none: one device (a GPU if TensorFlow sees one); mirrored: a replica on every GPU of this '
                             'machine, --batch-size texts a step split over them (without a GPU, LOGICAL_CPUS=N in the '
                             'environment splits the CPU into N devices to try it; no faster); multiworker: the machines '
                             'of TF_CONFIG, each running this command on the same data (one worker without TF_CONFIG), '
                             'only the chief writes files. continue_fit.py resumes with the same (default: %(default)s)')
    parser.add_argument('--peer-timeout', type=positive_float, default=config.PEER_TIMEOUT, metavar='SECONDS',
                        help='multiworker: stop with one line when a worker TF_CONFIG names has not answered on its '
                             'port within this many seconds (and again when TensorFlow has not joined the workers '
                             'within as long) (default: %(default)s)')
    args = parser.parse_args(argv)
    log_dir, images_dir = path.report_dirs(args.weights)
    args.log_dir, args.images_dir = args.log_dir or log_dir, args.images_dir or images_dir
    for name in ('unk_rate', 'span_dropout', 'label_smoothing', 'blank_rate'):
        if not 0 <= getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be in [0, 1)")
    if args.gradient_penalty < 0:
        parser.error('--gradient-penalty must be at least 0')
    if args.mix_in_size and not args.mix_in:
        parser.error('--mix-in-size needs --mix-in')
    if args.weights.endswith(('/', os.sep)) or os.path.isdir(args.weights):
        parser.error(f'--weights names a file to write (e.g. weights/mine.h5), not a folder: {args.weights}')
    return args


def run(args, strategy):
    started = time.time()
    try:
        (train_rows, val_rows, test_rows), label_names = load_labelled([args.train, args.val, args.test])
        if args.check is None:  # the shipped check sets are written for the shipped classes only
            args.check = list(path.CHECK_PATHS) if is_shipped_task(label_names) else []
        args.check = [check for check in args.check if check]
        own_train = len(train_rows)
        if args.mix_in:
            args.mix_in_size = args.mix_in_size or own_train
            train_rows = mixed_in(train_rows, args.mix_in, args.mix_in_size, args.seed, label_names)
        splits = Splits(train_rows, val_rows, test_rows, {check: load_data(check, len(label_names)) for check in args.check})
    except DataError as e:
        fail(e)
    if args.mix_in:
        print(f'training on {own_train} texts of {args.train} and {len(train_rows) - own_train} of {args.mix_in}')
    print(f'train {len(splits.train)}, val {len(splits.val)}, test {len(splits.test)} texts'
          + (f", check {' + '.join(str(len(rows)) for rows in splits.check.values())} texts" if splits.check else '')
          + f"; {len(label_names)} classes: {', '.join(label_names)}")
    for warning in dataset_warnings({'train': splits.train, 'val': splits.val, 'test': splits.test}, label_names):
        print(f'warning: {warning}', file=sys.stderr)

    matmul = matmul_gflops()
    print(f'float32 matmul on this machine: {matmul:.0f} GFLOP/s (the yardstick of the speed report)')
    tf.keras.utils.set_random_seed(args.seed)
    with strategy.scope():  # the variables, the optimizer's slots too, go on every replica
        try:
            if args.init_from:
                model, albert_config, vocab, kept_head = M.model_from_trained(args.init_from, label_names)
                pretrained = False  # not Google's checkpoint: the from-scratch recipe, at a lower peak
                args.learning_rate = args.learning_rate or config.INIT_FROM_LEARNING_RATE
                print(f'starting from {args.init_from}: its body and vocabulary, '
                      + ('its classifier (the same classes)' if kept_head else 'a new classifier (other classes)'))
            else:
                model, albert_config, pretrained = M.new_model(args.albert_dir, label_names)
                vocab = os.path.join(args.albert_dir, 'vocab.txt')
            tokenizer = M.load_tokenizer(vocab)
        except (FileNotFoundError, ValueError) as e:  # MissingModelError is a FileNotFoundError
            fail(e)
        batch_size = args.batch_size or (config.BATCH_SIZE if pretrained else config.SCRATCH_BATCH_SIZE)
        schedule = run_schedule(base_schedule(pretrained), args.epochs * math.ceil(len(splits.train) / batch_size))
        optimizer = make_optimizer(pretrained, args.learning_rate, schedule)
        optimizer.build(model.trainable_variables)
    if schedule != base_schedule(pretrained):
        print(f'a short run ({args.epochs} epochs of {math.ceil(len(splits.train) / batch_size)} steps): '
              f'learning-rate schedule {base_schedule(pretrained)} squeezed to {schedule} (steps: multiple of the peak)')
    keep_previous_run(args.weights, args.overwrite)  # a new run: the older run's checkpoints must not be resumed

    settings = Settings(
        train=args.train, val=args.val, test=args.test, check=args.check, weights=args.weights,
        albert_config=albert_config, vocab=vocab, label_names=label_names,
        pretrained=pretrained, batch_size=batch_size,
        epochs=args.epochs, patience=args.patience, seed=args.seed, learning_rate=args.learning_rate,
        lr_schedule=schedule, init_from=args.init_from, mix_in=args.mix_in, mix_in_size=args.mix_in_size or 0,
        gradient_penalty=args.gradient_penalty, adversarial=args.adversarial,
        unk_rate=0.0 if pretrained or args.init_from else args.unk_rate, span_dropout=args.span_dropout,
        label_smoothing=args.label_smoothing, blank_rate=args.blank_rate, distribute=args.distribute,
        embedding_lr_multiplier=config.INIT_FROM_EMBEDDING_LR_MULTIPLIER if args.init_from else 1.0)
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
        checks = path.CHECK_PATHS if args.check is None else [check or None for check in args.check]
        check_not_an_input(path.model_files(args.weights), [args.train, args.val, args.test, *checks, args.mix_in,
                                                            *(path.model_files(args.init_from) if args.init_from else [])])
        with run_lock(args.weights):  # one run per weights path
            run(args, strategy)
    except (LockedError, UnwritableError, OverwriteError) as e:
        fail(e)


if __name__ == '__main__':
    main()
