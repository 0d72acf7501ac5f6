"""Resume a training run of main.py from its last checkpoint, or train on all the data.

main.py checkpoints the model and the optimiser (its step, so the warm-up
schedule does not restart) after every epoch in weights/albert_tiny.resume/.
This script restores the last one and carries on with the run's own settings,
--distribute included (a multi-worker run: every worker runs this script, and
reads the chief's checkpoint, so --weights must be on a shared file system):

    python continue_fit.py                     # finish an interrupted main.py run
    python continue_fit.py --epochs 40         # allow more epochs than the run had
    python continue_fit.py --all-data --extra-epochs 2
                                               # as the original: go on training on
                                               # train+val+test (nothing held out)
"""
import argparse
import os
import shutil
import time

import utils.compat  # noqa: F401  (must come before bert4keras)
import tensorflow as tf

import config
import model as M
import path
from data_process import DataError
from evaluation import report
from trainer import Splits, load_splits, load_state, make_optimizer, start_strategy, train
from utils.cli import HelpFormatter, at_least, fail, positive_float
from utils.files import LockedError, UnwritableError, check_writable, run_lock
from utils.flops import matmul_gflops


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument('--weights', default=path.WEIGHTS_PATH,
                        help='the weights of the run to resume; its checkpoints are in <weights stem>.resume/ (default: %(default)s)')
    parser.add_argument('--epochs', type=at_least(1), help='raise the run\'s epoch limit to this many epochs in all')
    parser.add_argument('--all-data', action='store_true',
                        help='train on train+val+test for --extra-epochs more epochs, without early stopping')
    parser.add_argument('--extra-epochs', type=at_least(1), default=2, help='with --all-data: how many epochs (default: %(default)s)')
    parser.add_argument('--report', action='store_true',
                        help="only write the final report (metrics.json, history.csv, plots) of the run's best weights, "
                             'e.g. when a finished run could not write it')
    parser.add_argument('--log-dir', help='metrics.json, history.csv and bad_cases.tsv (default: log for the shipped '
                                           '--weights, log/<its stem> for any other)')
    parser.add_argument('--images-dir', help='training curves, confusion matrix and calibration plots (default: images for '
                                              'the shipped --weights, images/<its stem> for any other)')
    parser.add_argument('--peer-timeout', type=positive_float, default=config.PEER_TIMEOUT, metavar='SECONDS',
                        help='multiworker: stop with one line when a worker TF_CONFIG names has not answered on its '
                             'port within this many seconds (and again when TensorFlow has not joined the workers '
                             'within as long) (default: %(default)s)')
    args = parser.parse_args(argv)
    log_dir, images_dir = path.report_dirs(args.weights)
    args.log_dir, args.images_dir = args.log_dir or log_dir, args.images_dir or images_dir
    return args


def keep_a_copy(weights_path):
    """Copy the model files at weights_path (weights, config, vocabulary, seen tokens) into a dated folder."""
    folder = f"{os.path.splitext(weights_path)[0]}.before-all-data-{time.strftime('%Y%m%d-%H%M%S')}"
    os.makedirs(folder, exist_ok=True)
    for p in path.model_files(weights_path):
        if os.path.exists(p):
            shutil.copy2(p, folder)
    return folder


def saved_distribute(weights_path):
    """The --distribute of the run to resume; 'none' when its state cannot be read (resume() says why)."""
    try:
        return load_state(weights_path)[0].distribute
    except (OSError, ValueError, KeyError, TypeError):
        return 'none'


def resume(args, strategy):
    started = time.time()
    resume_dir = path.resume_dir(args.weights)
    if not os.path.exists(path.state_path(args.weights)):
        fail(f'{resume_dir}: no checkpoint to resume from; start a run with python main.py')
    try:
        settings, progress = load_state(args.weights)
        # the checkpoint that state.json describes (a newer one may exist if the run died in between)
        checkpoint_path = os.path.join(resume_dir, f'ckpt-{progress.epoch}')
        if not os.path.exists(checkpoint_path + '.index'):
            raise FileNotFoundError(f'{checkpoint_path}.index not found')
        splits = load_splits(settings)
        with strategy.scope():  # the variables, the optimizer's slots too, go on every replica
            model = M.build_model(settings.albert_config, settings.label_names, maxlen=settings.maxlen)
            optimizer = make_optimizer(settings.pretrained, settings.learning_rate, settings.lr_schedule)
            optimizer.build(model.trainable_variables)  # create the slots now so they are restored at once
        tf.train.Checkpoint(model=model, optimizer=optimizer).restore(checkpoint_path).assert_consumed()
        vocab_tokenizer = M.load_tokenizer(settings.vocab)
    except DataError as e:
        fail(e)
    except (OSError, ValueError, KeyError, AssertionError, IndexError, RuntimeError, tf.errors.OpError) as e:
        # a damaged checkpoint fails in TensorFlow's reader with any of these
        fail(f'{resume_dir}: cannot resume ({str(e).splitlines()[0] if str(e) else type(e).__name__})')
    settings.weights = args.weights
    matmul = matmul_gflops()
    print(f'resuming from {checkpoint_path}: epoch {progress.epoch}, step {int(optimizer.iterations.numpy())}')

    if args.report:
        tokenizer = M.training_tokenizer(vocab_tokenizer, [text for text, _ in splits.train], settings.unk_rate,
                                         settings.maxlen)
        report(model, tokenizer, splits, settings, progress, args.log_dir, args.images_dir, matmul, started)
        return
    if args.all_data:
        model.load_weights(args.weights)  # as the original: go on from the best weights, not the last epoch
        kept = keep_a_copy(args.weights)  # the all-data epochs overwrite the weights: the best ones stay here
        print(f'copied the best model to {kept}/ before training on all the data')
        splits = Splits(train=splits.train + splits.val + splits.test, val=None, test=splits.test,
                                check=splits.check)
        settings.all_data = True
        settings.epochs = progress.epoch + args.extra_epochs
        progress.bad_epochs = 0
        print(f'training the best weights on all {len(splits.train)} texts for {args.extra_epochs} more epochs; '
              f'nothing is held out, so the accuracies printed are on training data')
    elif progress.bad_epochs >= settings.patience:
        print(f'the run stopped early at epoch {progress.epoch} (val_loss did not improve for '
              f'{settings.patience} epochs); nothing to resume. --all-data trains on all the data')
        return
    elif args.epochs:
        settings.epochs = args.epochs
    if progress.epoch >= settings.epochs:
        print(f'the run ended at its limit of {settings.epochs} epochs; raise it with --epochs')
        return

    # the tokens the model has seen: those of the data it trains on now
    tokenizer = M.training_tokenizer(vocab_tokenizer, [text for text, _ in splits.train], settings.unk_rate,
                                     settings.maxlen)
    tf.keras.utils.set_random_seed(settings.seed + progress.epoch)
    train(model, optimizer, tokenizer, splits, settings, progress)
    report(model, tokenizer, splits, settings, progress, args.log_dir, args.images_dir, matmul, started)
    print(f'wall time {time.time() - started:.0f}s')


def main(argv=None):
    args = parse_args(argv)
    strategy = start_strategy(args, saved_distribute(args.weights), copy_model=True)
    try:
        check_writable([os.path.dirname(args.weights), args.log_dir, args.images_dir])
        with run_lock(args.weights):  # one run per weights path, main.py's or this one's
            resume(args, strategy)
    except (LockedError, UnwritableError) as e:
        fail(e)


if __name__ == '__main__':
    main()
