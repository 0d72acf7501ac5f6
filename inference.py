"""Running a trained model: class probabilities for texts, fast, in float32, int8 or bfloat16.

predict_proba is what every script predicts with (predict.py, batch_predict.py,
export.py's check, evaluation in main.py): texts sorted by length into batches,
each run by a predict_fn. The float32 predict_fn runs albert_forward, the model's
maths written as TensorFlow ops that skip padding and the last layer's rows
other than [CLS] (about 60% of the Keras graph's time, within 1e-5 of it);
int8 runs a TensorFlow Lite copy of the same function with int8 matrix products;
Integrated Gradients (attribution.py) runs albert_forward in bfloat16 on CPUs
that have it natively. load_predictor loads a model saved by main.py once per
process, for the scripts and the Python API.
"""
import functools
import os
import re
import sys
import threading
import warnings

import utils.compat  # noqa: F401  (must come before bert4keras)
import numpy as np
import tensorflow as tf
from bert4keras.backend import gelu_erf, gelu_tanh
from tqdm import tqdm

import config
import path
from baselines import is_shipped_task
from data_process import encode, length_sorted_batches
from model import CLASSIFIER, TOKEN_EMBEDDING, MissingModelError, load_trained
from utils.cli import fail


# --- a trained model, loaded once -------------------------------------------

class Predictor:
    """A model saved by main.py, ready to predict: the model, its tokenizer and a predict_fn of one precision."""

    def __init__(self, model, tokenizer, predict_fn):
        self.model, self.tokenizer, self.predict_fn = model, tokenizer, predict_fn

    def predict_proba(self, texts, batch_size=config.PREDICT_BATCH_SIZE, progress=None):
        """Class probabilities (n, num_classes) for texts, in input order (see predict_proba)."""
        return predict_proba(self.model, self.tokenizer, list(texts), batch_size, self.predict_fn, progress)


_loaded = {}  # (weights, albert_dir) -> (model, tokenizer, {precision: predict_fn})


def load_predictor(weights=path.WEIGHTS_PATH, albert_dir=path.ALBERT_DIR, precision='float32'):
    """The Predictor of the model saved at weights, loaded once per process (and converted once per precision).

    albert_dir's config and vocabulary are used only for weights saved without
    their own (see model.load_trained). MissingModelError when the model cannot
    be loaded, ConversionError when it cannot be converted to int8.
    """
    key = (weights, albert_dir)
    if key not in _loaded:
        model, tokenizer = load_trained(weights, albert_dir)
        _loaded[key] = (model, tokenizer, {})
    model, tokenizer, predict_fns = _loaded[key]
    if precision not in predict_fns:
        predict_fns[precision] = make_predict_fn(model, precision)
    return Predictor(model, tokenizer, predict_fns[precision])


def model_guesses_or_fail(weights, texts):
    """(predicted labels, their calibrated probabilities, the model's class names) for texts, by the
    model saved at weights, with a progress bar; or one line on stderr and exit status 2."""
    try:
        predictor = load_predictor(weights, None)
    except MissingModelError as e:
        fail(e)
    with tqdm(total=len(texts), unit='text', desc='predicting', file=sys.stderr, mininterval=1) as bar:
        probs = predictor.predict_proba(texts, progress=bar.update)
    predicted = probs.argmax(axis=1)
    return predicted, probs[np.arange(len(texts)), predicted], predictor.model.label_names


# --- predicting ---------------------------------------------------------------

def clauses(text):
    """A text's clauses: its pieces between config.CLAUSE_SEPARATORS, blank ones left out (the text
    itself when it has no separator)."""
    pieces = [piece for piece in re.split(f'[{re.escape(config.CLAUSE_SEPARATORS)}]', text) if piece.strip()]
    return pieces or [text]


def check_tracts(label_names):
    """ValueError unless the classes are the shipped ones, whose labels 1 and 2 are the tracts."""
    if not is_shipped_task(label_names):
        raise ValueError(f'tracts are labels 1 and 2 of the shipped classes; this model has {", ".join(label_names)}')


def named_tracts(predictor, texts, batch_size=config.PREDICT_BATCH_SIZE):
    """For each text, the tracts its clauses are predicted as, each clause on its own: '1', '2', '1+2'
    (both tracts) or '' (neither). Labels 1 and 2 are the shipped classes' upper and lower tract."""
    check_tracts(predictor.model.label_names)
    pieces = [clauses(text) for text in texts]
    labels = predictor.predict_proba([piece for text in pieces for piece in text], batch_size).argmax(axis=1)
    tracts, start = [], 0
    for text in pieces:
        found = sorted({int(label) for label in labels[start:start + len(text)]} & {1, 2})
        tracts.append('+'.join(str(label) for label in found))
        start += len(text)
    return tracts


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


def predict_logits(model, tokenizer, texts, batch_size=config.PREDICT_BATCH_SIZE, logits_fn=None):
    """The classifier's logits (n, num_classes), before any temperature, in input order: for calibration."""
    return predict_proba(model, tokenizer, texts, batch_size, logits_fn or make_logits_fn(model))


def make_predict_fn(model, precision='float32'):
    """A function (token_ids, segment_ids) -> class probabilities (numpy) for padded batches.

    float32 runs make_forward's compiled function; int8 runs a TensorFlow
    Lite copy of it (see tflite_predict_fn).
    """
    if precision == 'int8':
        return tflite_predict_fn(model, quantize=True)
    if precision != 'float32':
        raise ValueError(f'unknown precision {precision!r}: one of {", ".join(config.PRECISIONS)}')
    forward = make_forward(model)
    return lambda token_ids, segment_ids: forward(token_ids, segment_ids).numpy()


def make_logits_fn(model):
    """make_predict_fn's function for the classifier's logits, before any temperature."""
    forward = make_forward(model, probabilities=False)
    return lambda token_ids, segment_ids: forward(token_ids, segment_ids).numpy()


def keras_predict_fn(model):
    """make_predict_fn's function run by the Keras graph itself: the reference make_forward is held to."""
    spec = tf.TensorSpec([None, None], tf.int32)
    predict_fn = tf.function(lambda token_ids, segment_ids: model([token_ids, segment_ids], training=False),
                             input_signature=[spec, spec])
    return lambda token_ids, segment_ids: predict_fn(token_ids, segment_ids).numpy()


# --- the forward pass ------------------------------------------------------------

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


# --- bfloat16, for Integrated Gradients ---------------------------------------

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
    if precision not in config.IG_PRECISIONS:
        raise ValueError(f'unknown precision {precision!r}: one of {", ".join(config.IG_PRECISIONS)}')
    if precision == 'auto':
        precision = 'bfloat16' if native_bfloat16() else 'float32'
    return tf.as_dtype(precision)


# --- int8: a TensorFlow Lite copy -----------------------------------------------

class ConversionError(RuntimeError):
    """The model could not be converted for --precision int8."""


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
