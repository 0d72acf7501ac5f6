"""The classifier: ALBERT-tiny + [CLS] -> Dense softmax, its schedule, loss, saving and loading.

Everything about the model lives here; main.py, continue_fit.py, predict.py and
feature_importance.py import it. Its settings (batch sizes, learning rates,
penalties, maxlen) are in config.py. Importing this module builds nothing.
A model built here carries what it was trained for: model.label_names (a tuple
indexed by label), model.maxlen and model.albert_config.
"""
import functools
import glob
import json
import os
import shutil
import threading
import time
import warnings

import utils.compat  # noqa: F401  (must come before bert4keras)
import h5py
import numpy as np
import tensorflow as tf
from bert4keras.backend import gelu_erf, gelu_tanh, keras, set_gelu
from bert4keras.models import build_transformer_model
from bert4keras.tokenizers import Tokenizer

import config
from data_process import encode, length_sorted_batches
from utils.files import atomic_open, atomic_path

set_gelu('tanh')  # ALBERT's gelu, as the original

TOKEN_EMBEDDING = 'Embedding-Token'  # bert4keras's name for the token embedding layer


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


def load_albert_config(albert_dir):
    path = os.path.join(albert_dir, 'albert_config.json')
    if not os.path.exists(path):
        raise FileNotFoundError(f'{path}: ALBERT config not found')
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def pretrained_checkpoint(albert_dir):
    """Path prefix of albert_model.ckpt in albert_dir, or None when it is absent."""
    prefix = os.path.join(albert_dir, 'albert_model.ckpt')
    return prefix if glob.glob(prefix + '.index') else None


CLASSIFIER = 'Classifier'


def classifier_head(sequence_output, num_classes, temperature=1.0):
    """[CLS] vector -> Dense logits -> softmax(logits / temperature) over the classes.

    The temperature (main.py fits it on the validation split, see
    utils/calibration.py) is a constant of the graph, so every path that
    builds the model from its saved config (prediction, int8, IG) gives
    calibrated probabilities; training builds with 1, where it is left out.
    """
    cls_vector = keras.layers.Lambda(lambda x: x[:, 0], name='CLS')(sequence_output)
    logits = keras.layers.Dense(num_classes, name=CLASSIFIER,
                                kernel_initializer=utils.compat.FreshTruncatedNormal(stddev=0.02))(cls_vector)
    if temperature != 1.0:
        logits = keras.layers.Lambda(lambda z: z / temperature, name='Temperature')(logits)
    return keras.layers.Activation('softmax', name='Probabilities')(logits)


def build_model(albert_config, label_names, checkpoint=None, maxlen=config.MAXLEN, temperature=1.0):
    """ALBERT from a config dict (optionally loading a TF checkpoint), [CLS] -> Dense softmax over the classes."""
    albert = build_transformer_model(checkpoint_path=checkpoint, model='albert', **albert_config)
    model = keras.models.Model(albert.inputs, classifier_head(albert.output, len(label_names), temperature))
    model.albert_config = albert_config  # for albert_forward and the benchmarks
    model.label_names = tuple(label_names)  # a tuple: Keras would wrap a list in a tracked ListWrapper
    model.maxlen = maxlen
    model.temperature = float(temperature)
    return model


def new_model(albert_dir, label_names, maxlen=config.MAXLEN, quiet=False):
    """The model to train for classes label_names: pretrained when albert_dir has albert_model.ckpt.*,
    else from scratch.

    Returns (model, albert_config, pretrained).
    """
    albert_config = load_albert_config(albert_dir)
    checkpoint = pretrained_checkpoint(albert_dir)
    if not quiet:
        if checkpoint:
            print(f'Loading pretrained ALBERT weights from {checkpoint}')
        else:
            print(f'No albert_model.ckpt in {albert_dir}: training ALBERT from scratch')
    return build_model(albert_config, label_names, checkpoint, maxlen), albert_config, checkpoint is not None


DISTRIBUTE = ('none', 'mirrored', 'multiworker')


@functools.cache  # one per process: two strategies over the same devices would mix up their collective ops
def make_strategy(distribute='none'):
    """The tf.distribute strategy to build and train the model under (main.py --distribute).

    none: TensorFlow's default (one device; a GPU if there is one). mirrored:
    MirroredStrategy over every GPU, or without one over the CPU's logical
    devices, which are one unless the environment variable LOGICAL_CPUS=N splits
    the CPU into N (to try multi-device training on a machine without GPUs).
    multiworker: MultiWorkerMirroredStrategy over the machines TF_CONFIG names
    (one worker without it). Call it before TensorFlow runs anything: both
    LOGICAL_CPUS and the multi-worker runtime must be set before it starts.
    ValueError for an unknown name, a bad LOGICAL_CPUS, or too late.
    """
    if distribute not in DISTRIBUTE:
        raise ValueError(f"unknown --distribute {distribute!r}: one of {', '.join(DISTRIBUTE)}")
    try:
        if distribute == 'multiworker':
            return tf.distribute.MultiWorkerMirroredStrategy()
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


def make_schedule(pretrained, learning_rate=None):
    """The warm-up schedule: the original's when fine-tuning, a faster one from scratch.

    learning_rate replaces the peak learning rate of either.
    """
    if pretrained:
        return PiecewiseLinear(learning_rate or config.LEARNING_RATE, config.LR_SCHEDULE)
    return PiecewiseLinear(learning_rate or config.SCRATCH_LEARNING_RATE, config.SCRATCH_LR_SCHEDULE)


def make_optimizer(pretrained, learning_rate=None):
    schedule = make_schedule(pretrained, learning_rate)
    if pretrained:
        return keras.optimizers.Adam(learning_rate=schedule)
    return keras.optimizers.Adam(learning_rate=schedule, global_clipnorm=config.SCRATCH_CLIPNORM)


def make_train_step(model, optimizer, gradient_penalty=config.GRADIENT_PENALTY, adversarial=config.ADVERSARIAL,
                    max_tokens=config.MAX_TRAIN_TOKENS):
    """A training step: (token_ids, segment_ids, labels) -> (cross-entropy, probs), as a float and numpy.

    Loss = cross-entropy + gradient_penalty/2 * sum of squared gradients of the
    cross-entropy w.r.t. the token embeddings of the batch (the bert4keras
    gradient-penalty recipe), differentiated with nested tapes since K.gradients
    does not work eagerly. With adversarial > 0, FGM: a second pass with the
    embedding matrix moved by adversarial * g/||g|| along its loss gradient g,
    and both passes' gradients applied.

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
    cross_entropy = keras.losses.SparseCategoricalCrossentropy(reduction='none')  # a strategy wants no reduction

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

    @tf.function
    def apply(grads):
        strategy.run(lambda grads: optimizer.apply_gradients(zip(grads, variables), skip_gradients_aggregation=True),
                     args=(grads,))

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


PRECISIONS = ('float32', 'int8')


def make_predict_fn(model, precision='float32'):
    """A function (token_ids, segment_ids) -> class probabilities (numpy) for padded batches.

    float32 runs make_forward's compiled function; int8 runs a TensorFlow
    Lite copy of it (see tflite_predict_fn).
    """
    if precision == 'int8':
        return tflite_predict_fn(model, quantize=True)
    if precision != 'float32':
        raise ValueError(f'unknown precision {precision!r}: one of {", ".join(PRECISIONS)}')
    forward = make_forward(model)
    return lambda token_ids, segment_ids: forward(token_ids, segment_ids).numpy()


def keras_predict_fn(model):
    """make_predict_fn's function run by the Keras graph itself: the reference make_forward is held to."""
    spec = tf.TensorSpec([None, None], tf.int32)
    predict_fn = tf.function(lambda token_ids, segment_ids: model([token_ids, segment_ids], training=False),
                             input_signature=[spec, spec])
    return lambda token_ids, segment_ids: predict_fn(token_ids, segment_ids).numpy()


IG_PRECISIONS = ('auto', 'bfloat16', 'float32')


def native_bfloat16():
    """Whether this CPU multiplies bfloat16 matrices natively (AVX-512 BF16 or AMX), as oneDNN then does."""
    try:
        with open('/proc/cpuinfo') as cpuinfo:
            flags = next((line.split(':', 1)[1].split() for line in cpuinfo if line.startswith('flags')), [])
    except OSError:
        return False
    return 'avx512_bf16' in flags or 'amx_bf16' in flags


def ig_dtype(precision):
    """The dtype of Integrated Gradients' matrix products: auto is bfloat16 where native_bfloat16(), else float32."""
    if precision not in IG_PRECISIONS:
        raise ValueError(f'unknown precision {precision!r}: one of {", ".join(IG_PRECISIONS)}')
    if precision == 'auto':
        precision = 'bfloat16' if native_bfloat16() else 'float32'
    return tf.as_dtype(precision)


def make_forward(model, probabilities=True):
    """albert_forward compiled for prediction: (token_ids, segment_ids) -> class probabilities (or logits)."""
    forward = albert_forward(model, probabilities)
    spec = tf.TensorSpec([None, None], tf.int32)
    return tf.function(lambda token_ids, segment_ids: forward(token_ids, segment_ids), input_signature=[spec, spec])


def albert_forward(model, probabilities=True, dtype=tf.float32):
    """A function (token_ids, segment_ids, token_embeddings=None) -> class probabilities (or logits), in TF ops.

    Prediction (make_forward), the int8 copy, the export and Integrated
    Gradients run this rather than the Keras graph. It is the Keras model's
    maths on its own weight variables (so it follows training), within 1e-5
    of it (tests/test_fast_forward.py), in about 60% of the time
    (benchmarks/bench_predict.py) because it does less and fuses more:
    - only real tokens go through the dense layers: a batch's [texts, width]
      positions become its [tokens] rows, gathered into [texts, heads, width,
      size] for the attention and back;
    - the last layer needs only [CLS]'s row: its attention, output and
      feed-forward run for one row a text (its Q|K|V product, below, still
      runs for every token);
    - Q, K and V are one matrix product, with 1/sqrt(size) folded into Q's weights;
    - layer norm and gelu are written as the ops oneDNN fuses (a fused batch
      norm becomes one layer-norm kernel; MatMul + BiasAdd + gelu one kernel).
    token_embeddings [texts, width, embedding size], if given, replace the
    looked-up token embeddings (Integrated Gradients' path points); the token
    ids still give the positions and the padding mask.
    dtype bfloat16 (Integrated Gradients on a CPU with AVX-512 BF16): the
    matrix products with their biases, gelu and the attention's weights
    (softmax is taken in float32, then rounded) in bfloat16, about 1.4 times
    as fast; the residual stream, layer norm and the classifier stay float32.
    With float32 every cast is the tensor itself, so prediction's graph has none.
    """
    layer = model.get_layer
    attention, feed_forward = layer('Transformer-MultiHeadSelfAttention'), layer('Transformer-FeedForward')
    heads, size = attention.heads, attention.head_size
    if attention.key_size != size or len(feed_forward.activation) != 1:
        raise ValueError('albert_forward needs ALBERT with key size = head size and one feed-forward activation')
    activation = {gelu_tanh: functools.partial(tf.nn.gelu, approximate=True),
                  gelu_erf: functools.partial(tf.nn.gelu, approximate=False)}.get(feed_forward.activation[0],
                                                                                 feed_forward.activation[0])
    mapping = next((each for each in model.layers if each.name == 'Embedding-Mapping'), None)  # if embedding size != hidden
    q_scale = attention.key_size ** -0.5 if attention.attention_scale else 1.0
    num_layers = model.albert_config['num_hidden_layers']
    temperature = model.temperature

    def regather(x, rows, back_rows, unread_rows=False):
        """tf.gather(x, rows) for a relayout, whose gradient is another gather rather than TensorFlow's
        scatter-add (UnsortedSegmentSum, 8% of an Integrated Gradients pass): dx = dy's rows back_rows.

        Each row of x is read once by a real token's place. Padding's places read the first token's
        Q|K|V rows too, and this gradient leaves them out, which is right only while their gradient
        is 0: the key mask gives padding keys a weight of exactly 0, and no padding query's output
        is used (before the last layer it is not gathered back, in the last layer only [CLS]'s
        query is kept). Anything reading padding's outputs must use tf.gather instead.
        unread_rows: some rows of x are not read; their back_rows point one past dy's last row, at
        a zero row.
        """
        @tf.custom_gradient
        def relayout(x):
            def gradient(dy):
                dy = tf.reshape(dy, [-1, size])
                return tf.gather(tf.concat([dy, tf.zeros_like(dy[:1])], 0) if unread_rows else dy, back_rows)
            return tf.gather(x, rows), gradient
        return relayout(x)

    def weights(dense_layer, weight_dtype=dtype):
        return tf.cast(dense_layer.kernel, weight_dtype), tf.cast(dense_layer.bias, weight_dtype)

    def dense(x, kernel_and_bias, activation=None, output_dtype=tf.float32):
        """x times the kernel, plus the bias, then the activation, in the weights' dtype."""
        kernel, bias = kernel_and_bias
        y = tf.nn.bias_add(tf.matmul(tf.cast(x, kernel.dtype), kernel), bias)
        return tf.cast(activation(y) if activation else y, output_dtype)

    def norm(x, name):
        norm_layer, rows = layer(name), tf.shape(x)[0]
        # batch norm of a [1, rows, width, 1] NCHW batch is layer norm of each row
        y, _, _ = tf.compat.v1.nn.fused_batch_norm(tf.reshape(x, [1, rows, -1, 1]), tf.ones([rows]), tf.zeros([rows]),
                                                   epsilon=norm_layer.epsilon, data_format='NCHW')
        return tf.reshape(y, tf.shape(x)) * norm_layer.gamma + norm_layer.beta

    def forward(token_ids, segment_ids, token_embeddings=None):
        texts, width = tf.shape(token_ids)[0], tf.shape(token_ids)[1]
        real = tf.concat([tf.ones_like(token_ids[:, :1], tf.bool), token_ids[:, 1:] != 0], 1)  # bert4keras's mask
        where = tf.cast(tf.where(real), tf.int32)
        text_of, position = where[:, 0], where[:, 1]  # of each real token, in row order
        cls_rows = tf.cumsum(tf.reduce_sum(tf.cast(real, tf.int32), 1), exclusive=True)  # each text's first row
        # each position's row among the real tokens; padding reads row 0, which the key mask hides
        row_of = tf.where(real, tf.cumsum(tf.cast(real, tf.int32), 1) - 1 + tf.expand_dims(cls_rows, 1), 0)
        # [3, texts, heads, width] indices into the Q|K|V product cut into rows of `size`, and back (reshapes,
        # not [None, ...]: TensorFlow Lite has no kernel for a slice that adds axes)
        qkv_rows = ((tf.reshape(row_of, [1, texts, 1, width]) * 3 + tf.reshape(tf.range(3), [3, 1, 1, 1])) * heads
                    + tf.reshape(tf.range(heads), [1, 1, heads, 1]))
        token_rows = ((tf.expand_dims(text_of, 1) * heads + tf.range(heads)) * width
                      + tf.expand_dims(position, 1))  # [tokens, heads]
        # their inverses, for the gradients: each [tokens, 3, heads] row's place in the [3, texts, heads,
        # width] layout (the parts texts * heads * width apart), and each place's row among the [tokens,
        # heads] rows, padding's one past them
        part_offsets = tf.reshape(tf.range(3), [1, 3, 1]) * (texts * heads * width)
        qkv_back = tf.reshape(tf.expand_dims(token_rows, 1) + part_offsets, [-1])
        head_rows = tf.reshape(row_of, [texts, 1, width]) * heads + tf.reshape(tf.range(heads), [1, heads, 1])
        past_the_rows = tf.shape(where)[0] * heads
        token_back = tf.reshape(tf.where(tf.reshape(real, [texts, 1, width]), head_rows, past_the_rows), [-1])
        key_bias = tf.reshape(tf.where(real, 0.0, -1e12), [texts, 1, 1, width])  # exp() of it is 0, as of -inf

        if token_embeddings is None:
            token_embeddings = tf.gather(layer(TOKEN_EMBEDDING).embeddings, tf.boolean_mask(token_ids, real))
        else:
            token_embeddings = tf.boolean_mask(token_embeddings, real)
        x = (token_embeddings
             + tf.gather(layer('Embedding-Segment').embeddings, tf.boolean_mask(segment_ids, real))
             + tf.gather(layer('Embedding-Position').embeddings, position))
        x = norm(x, 'Embedding-Norm')
        if mapping is not None:
            x = dense(x, weights(mapping))
        qkv_weights = (tf.cast(tf.concat([attention.q_dense.kernel * q_scale, attention.k_dense.kernel,
                                          attention.v_dense.kernel], 1), dtype),
                       tf.cast(tf.concat([attention.q_dense.bias * q_scale, attention.k_dense.bias,
                                          attention.v_dense.bias], 0), dtype))
        o_weights, i0_weights = weights(attention.o_dense), weights(feed_forward.i0_dense)
        output_weights = weights(feed_forward.o_dense)
        for index in range(num_layers):  # ALBERT: one layer's weights, num_layers times
            qkv = regather(tf.reshape(dense(x, qkv_weights, output_dtype=dtype), [-1, size]), qkv_rows, qkv_back)
            q, k, v = tf.unstack(qkv)  # not qkv[0], ...: the gradient of a slice (IG) fills a whole zero copy
            last = index == num_layers - 1
            if last:
                q, x = q[:, :, :1], tf.gather(x, cls_rows)
            scores = tf.cast(tf.matmul(q, k, transpose_b=True), tf.float32) + key_bias
            o = tf.matmul(tf.cast(tf.nn.softmax(scores), dtype), v)  # [texts, heads, rows, size]
            if last:
                o = tf.reshape(o, [texts, heads * size])
            else:
                o = regather(tf.reshape(o, [-1, size]), token_rows, token_back, unread_rows=True)
                o = tf.reshape(o, [-1, heads * size])
            x = norm(x + dense(o, o_weights), 'Transformer-MultiHeadSelfAttention-Norm')
            x = norm(x + dense(dense(x, i0_weights, activation, output_dtype=dtype), output_weights),
                     'Transformer-FeedForward-Norm')
        logits = dense(x, weights(layer(CLASSIFIER), tf.float32))  # [rows, classes]: float32 costs nothing
        return tf.nn.softmax(logits / temperature) if probabilities else logits

    return forward


def tflite_model(model, quantize=True):
    """The model converted to TensorFlow Lite (bytes), with dynamic-range int8 quantization if quantize.

    Dynamic range: the weights of the matrix products are stored as int8 and
    the activations quantized on the fly, so the products run in int8 (AVX-512
    VNNI on this CPU); the rest stays float32. What is converted is
    make_forward's function, so int8 too skips padding and the last layer's
    other rows. bench_predict.py measures its speed and how often it agrees
    with float32. Takes a few seconds.
    """
    converter = tf.lite.TFLiteConverter.from_concrete_functions([make_forward(model).get_concrete_function()], model)
    if quantize:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    try:
        with utils.compat.quiet_stderr():  # the converter's MLIR notes
            return converter.convert()
    except Exception as e:  # noqa: BLE001 (the converter raises its own and MLIR errors)
        raise ConversionError(f'cannot convert the model to TensorFlow Lite ({str(e).splitlines()[0] if str(e) else type(e).__name__}); '
                              'use --precision float32') from None


class ConversionError(RuntimeError):
    """The model could not be converted for --precision int8."""


def tflite_predict_fn(model, quantize=True):
    """make_predict_fn's function, run by the TensorFlow Lite interpreter on the converted model."""
    content = tflite_model(model, quantize)
    # tf.lite.Interpreter is marked for LiteRT's package, but LiteRT 2.3 ran this model 2-3x slower
    # here; the XNNPACK delegate announces itself on stderr
    with warnings.catch_warnings(), utils.compat.quiet_stderr():
        warnings.simplefilter('ignore')
        interpreter = tf.lite.Interpreter(model_content=content, num_threads=len(os.sched_getaffinity(0)))
        interpreter.allocate_tensors()
    inputs = {detail['name']: detail['index'] for detail in interpreter.get_input_details()}
    token_input = next(index for name, index in inputs.items() if 'token' in name)
    segment_input = next(index for name, index in inputs.items() if 'segment' in name)
    output = interpreter.get_output_details()[0]['index']
    shape = [None]
    lock = threading.Lock()  # one interpreter, resized per batch shape: one call at a time

    def predict_fn(token_ids, segment_ids):
        with lock:
            if shape[0] != token_ids.shape:  # a new batch shape: resize and re-plan once
                interpreter.resize_tensor_input(token_input, token_ids.shape)
                interpreter.resize_tensor_input(segment_input, segment_ids.shape)
                interpreter.allocate_tensors()
                shape[0] = token_ids.shape
            interpreter.set_tensor(token_input, np.asarray(token_ids, dtype='int32'))
            interpreter.set_tensor(segment_input, np.asarray(segment_ids, dtype='int32'))
            interpreter.invoke()
            return interpreter.get_tensor(output).copy()

    return predict_fn


def make_logits_fn(model):
    """make_predict_fn's function for the classifier's logits, before any temperature."""
    forward = make_forward(model, probabilities=False)
    return lambda token_ids, segment_ids: forward(token_ids, segment_ids).numpy()


def predict_logits(model, tokenizer, texts, batch_size=config.PREDICT_BATCH_SIZE, logits_fn=None):
    """The classifier's logits (n, num_classes), before any temperature, in input order: for calibration."""
    return predict_proba(model, tokenizer, texts, batch_size, logits_fn or make_logits_fn(model))


def predict_proba(model, tokenizer, texts, batch_size=config.PREDICT_BATCH_SIZE, predict_fn=None, progress=None):
    """Class probabilities (n, num_classes) for texts, in input order.

    Texts are sorted by length into batches (see length_sorted_batches) so
    that padding costs little; `progress` is an optional callable given the
    size of each finished batch.
    """
    predict_fn = predict_fn or make_predict_fn(model)
    probs = np.zeros((len(texts), model.output_shape[-1]), dtype='float32')
    for chunk in length_sorted_batches(texts, batch_size, maxlen=model.maxlen):
        token_ids, segment_ids = encode([texts[i] for i in chunk], tokenizer, model.maxlen)
        probs[chunk] = predict_fn(token_ids, segment_ids)
        if progress:
            progress(len(chunk))
    return probs


def forward_flops_per_token(albert_config, seq_len):
    """Floating-point operations of one forward pass, per token, for a sequence of seq_len tokens.

    Counts the matrix multiplications (2 FLOPs per multiply-add): the embedding
    mapping, and per layer the Q/K/V/output projections, the feed-forward
    network and the attention scores and weighted sum. ALBERT shares one
    layer's weights across its layers, but each layer still runs.
    """
    h, ff, layers = albert_config['hidden_size'], albert_config['intermediate_size'], albert_config['num_hidden_layers']
    mapping = albert_config.get('embedding_size', h) * h
    per_layer = 4 * h * h + 2 * h * ff + 2 * seq_len * h
    return 2 * (mapping + layers * per_layer)


def forward_flops(albert_config, lengths):
    """Forward FLOPs of texts of the given token lengths (numpy array), each at its own length."""
    lengths = np.asarray(lengths, dtype='float64')
    return float(np.sum(forward_flops_per_token(albert_config, lengths) * lengths))


def prediction_flops(albert_config, lengths, num_classes):
    """The FLOPs a prediction needs for texts of the given token lengths: the useful work of make_forward.

    forward_flops counts every position of every layer; a prediction reads
    only [CLS]'s row at the end, so its last layer needs the keys and values
    of every token but the query, attention, output and feed-forward of
    [CLS] alone (make_forward computes the last layer's Q for every token all
    the same, and the Keras graph the whole forward: work this does not count).
    """
    h, ff, layers = albert_config['hidden_size'], albert_config['intermediate_size'], albert_config['num_hidden_layers']
    lengths = np.asarray(lengths, dtype='float64')
    all_but_last = dict(albert_config, num_hidden_layers=layers - 1)
    keys_values = 2 * 2 * h * h * lengths
    cls_row = 2 * (h * h + 2 * lengths * h + h * h + 2 * h * ff + h * num_classes)  # Q, attention, output, FFN, classifier
    return float(np.sum(forward_flops_per_token(all_but_last, lengths) * lengths + keys_values + cls_row))


def train_step_passes(gradient_penalty=0.0, adversarial=0.0):
    """A training step's cost in forward passes: forward + backward (twice a forward) = 3.

    The gradient penalty differentiates a gradient: the inner backward (2) and
    the outer backward through forward and inner backward (2 x 3) make 9, 3x a
    plain step. FGM runs the whole step a second time.
    """
    return 3 * (3 if gradient_penalty else 1) * (2 if adversarial else 1)


def matmul_gflops(n=2048, repeats=5, rounds=3):
    """This machine's float32 matmul speed in GFLOP/s (TensorFlow, n x n matrices), best of a few rounds.

    The yardstick for every speed figure: this machine's speed varies from day
    to day, so figures are given as a share of it, measured in the same run.
    """
    a = tf.random.normal((n, n))
    b = tf.random.normal((n, n))
    matmul = tf.function(lambda a, b: tf.matmul(a, b))
    matmul(a, b).numpy()
    best = 0.0
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(repeats):
            c = matmul(a, b)
        c.numpy()
        best = max(best, 2 * n ** 3 * repeats / (time.perf_counter() - started) / 1e9)
    return best


# --- saving and loading -----------------------------------------------------
# Beside weights/albert_tiny.h5 we keep albert_tiny.config.json (the ALBERT
# config and label set) and albert_tiny.vocab.txt, so prediction and IG rebuild
# exactly the model and tokenizer that were trained, whatever albert_tiny_google_zh/ holds later.

def sidecar_paths(weights_path):
    stem = os.path.splitext(weights_path)[0]
    return stem + '.config.json', stem + '.vocab.txt'


def model_files(weights_path):
    """The weights and the files that travel with them: config, vocabulary, seen tokens."""
    return [weights_path, *sidecar_paths(weights_path), seen_path(weights_path)]


def seen_path(weights_path):
    """The tokens a from-scratch model saw in training, one a line, beside its weights."""
    return os.path.splitext(weights_path)[0] + '.seen.txt'


def save_model_files(model, vocab_file, weights_path, pretrained=False, tokenizer=None):
    """Write the config (ALBERT's, the label names, maxlen, the model's temperature) and a copy of
    the vocabulary that go with the model's weights at weights_path.

    With a SeenTokenizer, its seen tokens go beside them too (albert_tiny.seen.txt).
    """
    config_path, vocab_path = sidecar_paths(weights_path)
    with atomic_open(config_path) as f:
        json.dump({'albert_config': dict(model.albert_config), 'num_classes': len(model.label_names),
                   'label_names': list(model.label_names), 'maxlen': model.maxlen,
                   'temperature': model.temperature, 'pretrained': pretrained}, f, ensure_ascii=False, indent=2)
    with atomic_path(vocab_path) as tmp:
        shutil.copyfile(vocab_file, tmp)
    if isinstance(tokenizer, SeenTokenizer):
        with atomic_open(seen_path(weights_path)) as f:
            f.writelines(token + '\n' for token in tokenizer.seen)
    elif os.path.exists(seen_path(weights_path)):  # an older model's; not this one's
        os.remove(seen_path(weights_path))


def save_temperature(weights_path, temperature):
    """Set the temperature in the config saved beside the weights, leaving the rest of it as it is."""
    config_path = sidecar_paths(weights_path)[0]
    with open(config_path, encoding='utf-8') as f:
        saved = json.load(f)
    saved['temperature'] = float(temperature)
    with atomic_open(config_path) as f:
        json.dump(saved, f, ensure_ascii=False, indent=2)


# The config entries that change what the weights compute without changing their
# shapes (ALBERT shares one layer's weights across layers, and heads split the
# same matrices), recorded inside the .h5 so that a hand-edited config is caught.
FINGERPRINT = ('num_hidden_layers', 'num_attention_heads', 'hidden_size', 'embedding_size', 'intermediate_size',
               'vocab_size', 'max_position_embeddings', 'hidden_act')


def save_weights(model, weights_path):
    """Write the weights atomically, with the fingerprint of the model's ALBERT config in the file."""
    with atomic_path(weights_path) as tmp:
        model.save_weights(tmp)
        with h5py.File(tmp, 'a') as f:
            f.attrs['albert_fingerprint'] = json.dumps({k: model.albert_config.get(k) for k in FINGERPRINT},
                                                       sort_keys=True)


def check_fingerprint(weights_path, albert_config, config_path):
    """ValueError when the weights were trained with another architecture than albert_config describes."""
    with h5py.File(weights_path, 'r') as f:
        saved = f.attrs.get('albert_fingerprint')
    if saved is None:  # weights from before the fingerprint, or from elsewhere
        return
    saved = json.loads(saved)
    for key in FINGERPRINT:
        if saved.get(key) != albert_config.get(key):
            raise ValueError(f'{config_path} says {key} {albert_config.get(key)}, the weights were trained with {saved.get(key)}')


def load_tokenizer(vocab_path):
    return Tokenizer(vocab_path, do_lower_case=True)


class SeenTokenizer:
    """A bert4keras Tokenizer that reads every token outside `seen` as [UNK].

    For a model trained from scratch: the tokens of its training data are the
    only ones whose embeddings were trained. Everything but encode() is the
    wrapped tokenizer's.
    """

    def __init__(self, tokenizer, seen):
        self.tokenizer = tokenizer
        self.seen = sorted(set(seen) | {tokenizer._token_pad, tokenizer._token_unk,
                                         tokenizer._token_start, tokenizer._token_end})
        self._seen_ids = np.zeros(tokenizer._vocab_size, dtype=bool)
        self._seen_ids[[tokenizer.token_to_id(token) for token in self.seen]] = True
        self.unk_id = tokenizer._token_unk_id

    def encode(self, *args, **kwargs):
        token_ids, segment_ids = self.tokenizer.encode(*args, **kwargs)
        return [i if self._seen_ids[i] else self.unk_id for i in token_ids], segment_ids

    def __getattr__(self, name):
        return getattr(self.tokenizer, name)


def seen_tokens(tokenizer, texts, maxlen=config.MAXLEN):
    """The set of vocabulary tokens that occur in texts (as the tokenizer cuts them, up to maxlen).

    A character outside the vocabulary comes out of tokenize() as itself but
    reads as [UNK] anyway, so it is left out.
    """
    seen = set()
    for text in texts:
        seen.update(tokenizer.tokenize(text, maxlen=maxlen))
    return {token for token in seen if token in tokenizer._token_dict}


def training_tokenizer(tokenizer, train_texts, unk_rate, maxlen=config.MAXLEN):
    """The tokenizer to train and evaluate with: the seen-token one when training replaces characters
    by [UNK] (unk_rate > 0, from scratch), else the plain one.

    [UNK] stands in for unseen tokens only once training has taught it to mean
    "no evidence"; a pretrained checkpoint has trained embeddings for its whole
    vocabulary, so nothing is mapped to [UNK] there.
    """
    return SeenTokenizer(tokenizer, seen_tokens(tokenizer, train_texts, maxlen)) if unk_rate else tokenizer


def saved_label_names(saved):
    """The label names of a saved config: a list, or the {"0": name} of models saved before it was one."""
    names = saved['label_names']
    if isinstance(names, dict):
        names = [names.get(str(k)) for k in range(len(names))]
    if not isinstance(names, list) or not all(isinstance(name, str) and name for name in names):
        raise ValueError('label_names must be a list of names, one per class')
    if len(names) != saved['num_classes']:
        raise ValueError(f"{len(names)} label names for {saved['num_classes']} classes")
    return names


def saved_maxlen(saved, albert_config):
    """The maxlen of a saved config: an integer from 3 ([CLS], a character, [SEP]) to the model's positions."""
    maxlen = saved['maxlen']
    if not isinstance(maxlen, int) or not 3 <= maxlen <= albert_config['max_position_embeddings']:
        raise ValueError(f"maxlen {maxlen!r} is not an integer in 3..{albert_config['max_position_embeddings']}")
    return maxlen


def saved_temperature(saved):
    """The temperature of a saved config: a positive number; 1 for models saved before calibration."""
    temperature = saved.get('temperature', 1.0)
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not 0 < temperature < float('inf'):
        raise ValueError(f'temperature {temperature!r} is not a positive number')
    return float(temperature)


def classes_in_weights(weights_path):
    """The number of classes of the classifier in a weights file (the length of its bias)."""
    sizes = []
    with h5py.File(weights_path, 'r') as f:
        f.visititems(lambda name, item: sizes.append(item.shape[0])
                     if isinstance(item, h5py.Dataset) and name.startswith('Classifier') and 'bias' in name else None)
    if not sizes:
        raise ValueError('no Classifier layer in the weights')
    return sizes[0]


class MissingModelError(FileNotFoundError):
    """No trained model at the given path."""


def load_trained(weights_path, albert_dir=None):
    """(model, tokenizer) from weights saved by main.py.

    The config (ALBERT's, the label names, maxlen) and vocabulary saved beside
    the weights are used; weights that came without them (trained elsewhere) take
    albert_dir's config and vocabulary, the number of classes of their classifier
    and classes named by their numbers.
    """
    if not os.path.exists(weights_path):
        raise MissingModelError(f'{weights_path} not found: train a model first (make train, or python main.py)')
    config_path, vocab_path = sidecar_paths(weights_path)
    try:
        if os.path.exists(config_path) and os.path.exists(vocab_path):
            with open(config_path, encoding='utf-8') as f:
                saved = json.load(f)
            albert_config, label_names = saved['albert_config'], saved_label_names(saved)
            maxlen = saved_maxlen(saved, albert_config)
            temperature = saved_temperature(saved)
        elif albert_dir:
            albert_config, maxlen, temperature = load_albert_config(albert_dir), config.MAXLEN, 1.0
            label_names = [str(k) for k in range(classes_in_weights(weights_path))]
            vocab_path = os.path.join(albert_dir, 'vocab.txt')
        else:
            raise FileNotFoundError(f'{config_path} not found: the weights need the config saved with them')
        with open(vocab_path, encoding='utf-8') as f:
            vocab_lines = sum(1 for _ in f)
        if vocab_lines != albert_config['vocab_size']:  # another vocabulary would shift every token id
            raise ValueError(f'{vocab_path} has {vocab_lines} lines, the config says vocab_size {albert_config["vocab_size"]}')
        check_fingerprint(weights_path, albert_config, config_path)
        model = build_model(albert_config, label_names, maxlen=maxlen, temperature=temperature)
        model.load_weights(weights_path)  # a config whose shapes do not match the weights fails here
        tokenizer = load_tokenizer(vocab_path)
        if os.path.exists(seen_path(weights_path)):
            with open(seen_path(weights_path), encoding='utf-8') as f:
                seen = [line.rstrip('\n') for line in f if line.rstrip('\n')]
            unknown = [token for token in seen if token not in tokenizer._token_dict]
            if unknown:
                raise ValueError(f'{seen_path(weights_path)} names tokens missing from {vocab_path}, e.g. {unknown[0]!r}')
            tokenizer = SeenTokenizer(tokenizer, seen)
    except (OSError, ValueError, KeyError, TypeError) as e:
        message = str(e).splitlines()[0] if str(e) else type(e).__name__
        if isinstance(e, KeyError):
            message = f'{config_path} has no {e.args[0]!r}'
        raise MissingModelError(f'{weights_path}: cannot load this model ({message})') from None
    return model, tokenizer

