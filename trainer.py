"""Training: the schedule, the optimiser, the train step, the epoch loop and the run's resumable state.

main.py starts a run and continue_fit.py resumes one; both call train(), which
runs epochs with early stopping on val_loss, keeps the best weights (with their
config and vocabulary, see model.py) and checkpoints the model and the optimiser
after every epoch in <weights stem>.resume/, beside the run's Settings and
Progress (state.json). The train step adds the optional gradient penalty and
FGM, cuts long batches into parts, and splits each batch over the replicas of a
tf.distribute strategy so that the update is the single-device update of the
whole batch. Every setting is in config.py.
"""
import atexit
import functools
import json
import math
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field

import utils.compat  # noqa: F401  (must come before bert4keras)
import numpy as np
import tensorflow as tf
from bert4keras.backend import keras
from tqdm import tqdm

import config
import path
from data_process import batches, blank_texts, layout_token_ids, load_data, mask_tokens, mixed_in
from evaluation import evaluate
from inference import make_predict_fn
from model import TOKEN_EMBEDDING, save_model_files, save_weights
from utils.cli import fail
from utils.cluster import PeerError, wait_for_peers
from utils.flops import forward_flops, train_step_passes
from utils.files import atomic_open, check_run_lock


# --- the optimiser and the step --------------------------------------------------

class PiecewiseLinear(keras.optimizers.schedules.LearningRateSchedule):
    """lr * a piecewise-linear multiplier of the step, from 0 at step 0.

    `schedule` maps steps to multipliers, as bert4keras's piecewise_linear:
    {1000: 1, 2000: 0.1} rises from 0 to lr over steps 0-1000, falls to 0.1*lr
    by step 2000 and stays there.
    """

    def __init__(self, learning_rate, schedule):
        self.learning_rate = float(learning_rate)
        self.schedule = {int(k): float(v) for k, v in schedule.items()}

    def __call__(self, step):
        steps = [0.0] + [float(s) for s in sorted(self.schedule)]
        multipliers = [0.0] + [self.schedule[s] for s in sorted(self.schedule)]
        step = tf.cast(step, tf.float32)
        multiplier = tf.constant(multipliers[-1], tf.float32)
        for i in range(len(steps) - 1, 0, -1):  # innermost segment wins
            t0, t1, m0, m1 = steps[i - 1], steps[i], multipliers[i - 1], multipliers[i]
            inside = m0 + (m1 - m0) * (step - t0) / (t1 - t0)
            multiplier = tf.where(step < t1, inside, multiplier)
        return self.learning_rate * multiplier

    def get_config(self):
        return {'learning_rate': self.learning_rate, 'schedule': self.schedule}


def base_schedule(pretrained):
    """{step: multiplier}: the original's warm-up when fine-tuning, a faster one from scratch."""
    return dict(config.LR_SCHEDULE if pretrained else config.SCRATCH_LR_SCHEDULE)


def run_schedule(schedule, planned_steps, share=None):
    """The schedule squeezed (its steps scaled alike, each at least one past the one before) so that
    it ends within share (default config.SCHEDULE_SHARE) of planned_steps; as it is when it already does."""
    share = config.SCHEDULE_SHARE if share is None else share
    scale = min(1.0, share * planned_steps / max(schedule))
    squeezed, last = {}, 0
    for step, multiplier in sorted(schedule.items()):
        last = max(last + 1, round(step * scale))
        squeezed[last] = multiplier
    return squeezed


def make_schedule(pretrained, learning_rate=None, schedule=None):
    """PiecewiseLinear over schedule (base_schedule's without one); learning_rate replaces the peak
    learning rate of either recipe."""
    return PiecewiseLinear(learning_rate or (config.LEARNING_RATE if pretrained else config.SCRATCH_LEARNING_RATE),
                           schedule or base_schedule(pretrained))


def make_optimizer(pretrained, learning_rate=None, schedule=None):
    """Adam on make_schedule's schedule; from scratch, with clipping."""
    schedule = make_schedule(pretrained, learning_rate, schedule)
    if pretrained:
        return keras.optimizers.Adam(learning_rate=schedule)
    return keras.optimizers.Adam(learning_rate=schedule, global_clipnorm=config.SCRATCH_CLIPNORM)


def make_train_step(model, optimizer, gradient_penalty=config.GRADIENT_PENALTY, adversarial=config.ADVERSARIAL,
                    max_tokens=config.MAX_TRAIN_TOKENS, label_smoothing=0.0, embedding_lr_multiplier=1.0):
    """A training step: (token_ids, segment_ids, labels) -> (cross-entropy, probs), as a float and numpy.

    Loss = cross-entropy + gradient_penalty/2 * sum of squared gradients of the
    cross-entropy w.r.t. the token embeddings of the batch (the bert4keras
    gradient-penalty recipe), differentiated with nested tapes since K.gradients
    does not work eagerly. With adversarial > 0, FGM: a second pass with the
    embedding matrix moved by adversarial * g/||g|| along its loss gradient g,
    and both passes' gradients applied. With label_smoothing e, each text's
    cross-entropy is taken against the target (1 - e) * one-hot + e / classes;
    a text labelled BLANK, against 1 / classes for every class.

    The batch goes forward and backward in parts of rows: one per replica of the
    strategy the model was built under (model.distribute_strategy; one part
    without one), and more rounds of them when a part would hold more than
    max_tokens padded tokens (the activations of one round alive at a time).
    Part i of n_i of the batch's N texts adds the gradients of
    w_i * ce_i + gradient_penalty/2 * w_i^2 * (its squared embedding gradients),
    w_i = n_i / N, which sum to those of the whole batch's loss (each token's
    embedding gradient belongs to one part); the sum, all-reduced over the
    replicas and added over the rounds, makes the one update, so it is the
    single-device update of the global batch. A replica may get no rows.
    """
    strategy = model.distribute_strategy
    replicas = strategy.num_replicas_in_sync
    embeddings = model.get_layer(TOKEN_EMBEDDING).embeddings
    variables = model.trainable_variables
    embedding_index = next(i for i, v in enumerate(variables) if v is embeddings)
    sparse_cross_entropy = keras.losses.SparseCategoricalCrossentropy(reduction='none')  # a strategy wants no reduction

    def cross_entropy(labels, probs):
        """Per text; a BLANK label (data_process.blank_texts) is taken against equal probabilities."""
        uniform = -tf.reduce_mean(tf.math.log(tf.clip_by_value(probs, keras.backend.epsilon(), 1.0)), axis=-1)
        losses = sparse_cross_entropy(tf.maximum(labels, 0), probs)
        if label_smoothing:
            losses = (1.0 - label_smoothing) * losses + label_smoothing * uniform
        return tf.where(labels < 0, uniform, losses)

    def loss_and_gradients(inputs, labels, weight):
        """weight: the part's share of the batch."""
        with tf.GradientTape() as tape:
            with tf.GradientTape() as inner_tape:
                probs = model(inputs, training=True)
                losses = cross_entropy(labels, probs)
                ce = tf.math.divide_no_nan(tf.reduce_sum(losses), tf.cast(tf.size(losses), tf.float32))  # 0 over no rows
            loss = weight * ce
            if gradient_penalty:
                # IndexedSlices: one gradient row per token of the part
                token_grads = inner_tape.gradient(ce, embeddings)
                penalty = 0.5 * gradient_penalty * tf.reduce_sum(tf.square(token_grads.values))
                loss += weight ** 2 * penalty
        # dense: the embedding gradient comes as one row per token, repeated tokens apart, and clipping
        # would take the norm of those rows rather than of the gradient (tf-keras dedups after clipping)
        return weight * ce, probs, [tf.convert_to_tensor(g) for g in tape.gradient(loss, variables)]

    spec = tf.TensorSpec([None, None], tf.int32)  # dynamic shape: one trace for every batch length
    rows_spec = tf.TensorSpec([None], tf.int32)

    @tf.function(input_signature=[spec, spec, rows_spec, rows_spec, tf.TensorSpec([], tf.float32)])
    def round_gradients(token_ids, segment_ids, labels, bounds, batch_rows):
        """Replica r takes rows bounds[r]:bounds[r + 1] of the round; the sums over the replicas."""
        def replica_part(token_ids, segment_ids, labels, bounds):
            r = tf.distribute.get_replica_context().replica_id_in_sync_group
            rows = slice(bounds[r], bounds[r + 1])
            weight = tf.cast(bounds[r + 1] - bounds[r], tf.float32) / batch_rows
            return loss_and_gradients([token_ids[rows], segment_ids[rows]], labels[rows], weight)

        ce, probs, grads = strategy.run(replica_part, args=(token_ids, segment_ids, labels, bounds))
        total = [strategy.reduce(tf.distribute.ReduceOp.SUM, x, axis=None) for x in [ce, *grads]]
        return total[0], strategy.gather(probs, axis=0), total[1:]

    @tf.function
    def move_embeddings(delta):
        embeddings.assign_add(delta)  # every replica's copy

    def apply_on_replica(grads):
        before = tf.identity(embeddings) if embedding_lr_multiplier != 1.0 else None
        optimizer.apply_gradients(zip(grads, variables), skip_gradients_aggregation=True)
        if before is not None:  # the token embeddings' step, times the multiplier: Adam's step ignores a gradient's scale
            embeddings.assign(before + embedding_lr_multiplier * (embeddings - before))

    @tf.function
    def apply(grads):
        strategy.run(apply_on_replica, args=(grads,))

    def summed_gradients(rounds, batch_rows):
        total, ce, probs = None, 0.0, []
        for round_args in rounds:
            round_ce, round_probs, grads = round_gradients(*round_args, batch_rows)
            total = grads if total is None else [a + b for a, b in zip(total, grads)]
            ce += float(round_ce)
            probs.append(round_probs.numpy())
        return total, ce, np.concatenate(probs)

    def train_step(token_ids, segment_ids, labels):
        token_ids, segment_ids, labels = np.asarray(token_ids), np.asarray(segment_ids), np.asarray(labels)
        round_rows = max(1, max_tokens // token_ids.shape[1]) * replicas
        rounds = []
        for rows in np.split(np.arange(len(labels)), range(round_rows, len(labels), round_rows)):
            bounds = np.cumsum([0] + [len(part) for part in np.array_split(rows, replicas)], dtype=np.int32)
            rounds.append((token_ids[rows], segment_ids[rows], labels[rows], bounds))
        batch_rows = tf.constant(len(labels), tf.float32)
        grads, ce, probs = summed_gradients(rounds, batch_rows)
        if adversarial:
            g = grads[embedding_index]
            delta = adversarial * g / (tf.norm(g) + 1e-8)
            move_embeddings(delta)
            adv_grads, _, _ = summed_gradients(rounds, batch_rows)
            move_embeddings(-delta)
            grads = [a + b for a, b in zip(grads, adv_grads)]
        apply(grads)
        return ce, probs

    return train_step


# --- several devices: tf.distribute -------------------------------------------

DISTRIBUTE = ('none', 'mirrored', 'multiworker')


_strategies = {}  # one per process and name: two strategies over the same devices would mix up their collective ops


def make_strategy(distribute='none', peer_timeout=config.PEER_TIMEOUT):
    """The tf.distribute strategy to build and train the model under (main.py --distribute).

    none: TensorFlow's default (one device; a GPU if there is one). mirrored:
    MirroredStrategy over every GPU, or without one over the CPU's logical
    devices, which are one unless the environment variable LOGICAL_CPUS=N splits
    the CPU into N (to try multi-device training on a machine without GPUs).
    multiworker: MultiWorkerMirroredStrategy over the machines TF_CONFIG names
    (one worker without it), once every other worker answers on its port
    (utils/cluster.py; ValueError after peer_timeout seconds), and ending the
    process with one line should TensorFlow's cluster not form within
    peer_timeout seconds more. Call it before TensorFlow runs anything: both
    LOGICAL_CPUS and the multi-worker runtime must be set before it starts.
    ValueError for an unknown name, a bad LOGICAL_CPUS, or too late.
    """
    if distribute not in _strategies:
        _strategies[distribute] = _new_strategy(distribute, peer_timeout)
    return _strategies[distribute]


def _new_strategy(distribute, peer_timeout):
    if distribute not in DISTRIBUTE:
        raise ValueError(f"unknown --distribute {distribute!r}: one of {', '.join(DISTRIBUTE)}")
    tf_config = None
    if distribute == 'multiworker' and 'TF_CONFIG' in os.environ:
        try:
            tf_config = json.loads(os.environ['TF_CONFIG'] or 'null')  # empty: unset it for one worker
        except ValueError as e:
            raise ValueError(f'TF_CONFIG is not valid JSON ({e})') from None
        if not isinstance(tf_config, dict) or not isinstance(tf_config.get('cluster', {}), dict):
            raise ValueError('TF_CONFIG must be a JSON object such as {"cluster": {"worker": ["host:port", ...]}, '
                             '"task": {"type": "worker", "index": 0}}')
        try:
            wait_for_peers(tf_config, peer_timeout)
        except PeerError as e:
            raise ValueError(str(e)) from None
    try:
        if distribute == 'multiworker':
            return tf.distribute.MultiWorkerMirroredStrategy() if tf_config is None else _cluster_strategy(peer_timeout)
        if distribute == 'none':
            return tf.distribute.get_strategy()
        cpus = os.environ.get('LOGICAL_CPUS', '1')
        if not cpus.isdigit() or int(cpus) < 1:
            raise ValueError(f'LOGICAL_CPUS={cpus} is not a number of devices (1 or more)')
        cpu, cpus = tf.config.list_physical_devices('CPU')[0], int(cpus)
        if len(tf.config.get_logical_device_configuration(cpu) or [cpu]) != cpus:  # not already so
            tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * cpus)
        devices = tf.config.list_logical_devices('GPU') or tf.config.list_logical_devices('CPU')
        return tf.distribute.MirroredStrategy([device.name for device in devices])
    except RuntimeError as e:  # TensorFlow has already started
        raise ValueError(f'--distribute {distribute}: {str(e).splitlines()[0]}') from None


def _cluster_strategy(timeout):
    """MultiWorkerMirroredStrategy over TF_CONFIG's cluster, or one line and exit status 2 when TensorFlow has not
    joined the workers within `timeout` seconds (it waits without end, deaf to SIGTERM, for one that answers on
    its port but never joins)."""
    def give_up():
        print(f'error: every worker of TF_CONFIG answers on its port, but TensorFlow did not join them within '
              f'{timeout:g} s (--peer-timeout); is each one running this command with the same TF_CONFIG?',
              file=sys.stderr, flush=True)
        os._exit(2)  # the main thread is inside TensorFlow and cannot be interrupted

    timer = threading.Timer(timeout, give_up)
    timer.daemon = True
    timer.start()
    try:
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
    finally:
        timer.cancel()
    if threading.current_thread() is threading.main_thread():
        # TensorFlow's cluster runtime catches SIGTERM (a preemption notice, for checkpoint handlers this
        # project does not use), so a run would go on; let SIGTERM end it, as it ends a one-device run
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    return strategy


def start_strategy(args, distribute, copy_model=False):
    """The strategy of `distribute` (model.make_strategy), made before TensorFlow runs anything, or one
    line and exit status 2; a worker other than the chief writes to a temporary folder (worker_outputs)."""
    try:
        strategy = make_strategy(distribute, getattr(args, 'peer_timeout', config.PEER_TIMEOUT))
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
    for p in [*path.model_files(args.weights), path.resume_dir(args.weights)] if copy_model else []:
        if os.path.isdir(p):
            shutil.copytree(p, path.resume_dir(weights))
        elif os.path.exists(p):
            shutil.copy2(p, os.path.join(os.path.dirname(weights), os.path.basename(p)))
    args.weights, args.log_dir, args.images_dir = weights, os.path.join(folder, 'log'), os.path.join(folder, 'images')


# --- a run's settings, progress and checkpoints -------------------------------

@dataclass
class Settings:
    """What a run was started with. Saved in state.json, so continue_fit.py carries on with the same."""
    train: str
    val: str
    test: str
    check: list  # the out-of-distribution check sets' paths; [] for none
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
    lr_schedule: dict = None  # {step: multiplier} (run_schedule); None: base_schedule's, as runs saved before it
    init_from: str = None  # main.py --init-from: the trained model the run started from
    mix_in: str = None  # main.py --mix-in: labelled rows added to the training split (data_process.mixed_in)
    mix_in_size: int = 0
    gradient_penalty: float = config.GRADIENT_PENALTY
    adversarial: float = config.ADVERSARIAL
    unk_rate: float = config.UNK_RATE
    span_dropout: float = config.SPAN_DROPOUT
    label_smoothing: float = 0.0  # runs saved before it existed trained without
    blank_rate: float = 0.0  # as label_smoothing
    embedding_lr_multiplier: float = 1.0  # the token embeddings' learning rate over the rest's (main.py --init-from)
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
    check: dict = None  # {path: rows} of the out-of-distribution check sets, scored at the end only


def keep_previous_run(weights_path, overwrite=False):
    """Move an earlier run's model, sidecars and checkpoints at weights_path into a dated folder beside it.

    A finished model is never destroyed by a new run: `make train` twice keeps the
    first model in weights/albert_tiny.previous-YYYYmmdd-HHMMSS/. With overwrite
    they are deleted instead. Returns the folder, or None when there was nothing.
    """
    paths = [*path.model_files(weights_path), path.resume_dir(weights_path)]
    present = [p for p in paths if os.path.exists(p)]
    if not present:
        return None
    if overwrite:
        for p in present:
            shutil.rmtree(p) if p == path.resume_dir(weights_path) else os.remove(p)
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


def save_state(settings, progress):
    with atomic_open(path.state_path(settings.weights)) as f:
        json.dump({'settings': asdict(settings), 'progress': asdict(progress)}, f, ensure_ascii=False, indent=1)


def load_state(weights_path):
    """(Settings, Progress) of the run whose checkpoints are beside weights_path.

    ValueError when state.json is not one this version wrote (or has been edited).
    """
    with open(path.state_path(weights_path), encoding='utf-8') as f:
        state = json.load(f)
    if not isinstance(state, dict) or set(state) != {'settings', 'progress'}:
        raise ValueError(f'{path.state_path(weights_path)} is not a state main.py wrote; start a new run')
    if isinstance(state['settings'].get('check'), str):  # a run started when --check took one file
        state['settings']['check'] = [state['settings']['check']] if state['settings']['check'] else []
    try:
        return Settings(**state['settings']), Progress(**state['progress'])
    except TypeError as e:  # a missing or unknown field
        raise ValueError(f'{path.state_path(weights_path)}: {e}') from None


def load_splits(settings):
    """The run's data, read again from its files and checked against its classes."""
    n = len(settings.label_names)
    train, val, test = (load_data(p, n, settings.maxlen) for p in (settings.train, settings.val, settings.test))
    if settings.mix_in:
        train = mixed_in(train, settings.mix_in, settings.mix_in_size, settings.seed, settings.label_names)
    return Splits(train, val, test, {check: load_data(check, n, settings.maxlen) for check in settings.check})


# --- the epoch loop --------------------------------------------------------------

def train(model, optimizer, tokenizer, splits, settings, progress):
    """Run epochs progress.epoch+1 .. settings.epochs with early stopping; checkpoint after each.

    An epoch without a lower val_loss counts towards --patience only once the learning-rate
    schedule has reached its last step.

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
    manager = tf.train.CheckpointManager(checkpoint, path.resume_dir(settings.weights), max_to_keep=2)
    train_step = make_train_step(model, optimizer, settings.gradient_penalty, settings.adversarial,
                                 label_smoothing=settings.label_smoothing,
                                 embedding_lr_multiplier=settings.embedding_lr_multiplier)
    predict_fn = make_predict_fn(model)
    steps_per_epoch = math.ceil(len(splits.train) / settings.batch_size)
    augment = None
    if settings.unk_rate or settings.span_dropout:
        augment = functools.partial(mask_tokens, unk_id=tokenizer._token_unk_id, unk_rate=settings.unk_rate,
                          span_rate=settings.span_dropout, span_max=config.SPAN_MAX)

    blank = None
    if settings.blank_rate:
        blank = functools.partial(blank_texts, unk_id=tokenizer._token_unk_id, rate=settings.blank_rate,
                                  layout_ids=layout_token_ids(tokenizer), layout_share=config.BLANK_LAYOUT_SHARE)

    passes = train_step_passes(settings.gradient_penalty, settings.adversarial)  # forward passes a step costs
    while progress.epoch < settings.epochs and progress.bad_epochs < settings.patience:
        epoch = progress.epoch + 1
        started = time.time()
        losses, correct, tokens, flops = [], 0, 0, 0.0
        bar = tqdm(batches(splits.train, tokenizer, settings.batch_size, shuffle=True, seed=settings.seed * 1000 + epoch,
                           maxlen=settings.maxlen, augment=augment, blank=blank),
                   total=steps_per_epoch, desc=f'epoch {epoch}/{settings.epochs}', unit='batch', mininterval=1)
        for (token_ids, segment_ids), labels in bar:
            loss, probs = train_step(token_ids, segment_ids, labels)
            losses.append(float(loss) * len(labels))
            correct += int(np.sum(probs.argmax(axis=1) == labels))  # a blanked text is never correct: acc a bit low
            lengths = (token_ids > 0).sum(axis=1)  # real tokens; padding is not counted as work done
            tokens += int(lengths.sum())
            flops += passes * forward_flops(settings.albert_config, lengths)
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

        check_run_lock(settings.weights)  # another run that took the weights after our lock file went: stop
        if row['val_loss'] < progress.best_val_loss or not splits.val:
            progress.best_val_loss, progress.best_val_acc = row['val_loss'], row['val_acc']
            progress.bad_epochs = 0
            save_weights(model, settings.weights)
            # the config and vocabulary go beside the weights with them, never before
            save_model_files(model, settings.vocab, settings.weights, settings.pretrained, tokenizer)
        elif row['step'] >= max(int(step) for step in (settings.lr_schedule or base_schedule(settings.pretrained))):
            progress.bad_epochs += 1  # counted once the learning rate has settled: a small set's val_loss
            # jumps about while it warms up, and stopping then leaves a model that answers one class
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
