"""inference.make_forward: prediction's compiled forward gives the Keras model's numbers."""
import numpy as np
import pytest
import tensorflow as tf
from bert4keras.backend import keras

import model as M
import inference
import trainer
from utils import flops
from conftest import LABELS, TEXTS, TINY_ALBERT_CONFIG, TOY_LABEL_NAMES
from data_process import encode


def awkward_batch(tokenizer, width=24):
    """One padded batch of texts of very different lengths: a long one cut at width, an empty
    one ([CLS][SEP]), a token 0 inside a text (bert4keras masks it as padding), and the toy texts."""
    texts = [TEXTS[0] * 9, '', *TEXTS[:12]]
    token_ids, segment_ids = encode(texts, tokenizer, maxlen=width)
    holed = token_ids[2].copy()
    holed[3] = 0
    token_ids = np.concatenate([token_ids, holed[None]])
    segment_ids = np.random.default_rng(0).integers(0, 2, token_ids.shape).astype('int32')  # both segments
    return token_ids, segment_ids


def keras_logits(model, token_ids, segment_ids):
    logits_model = keras.models.Model(model.inputs, model.get_layer(M.CLASSIFIER).output)
    return logits_model.predict_on_batch([token_ids, segment_ids])


def random_weights(model, seed=0):
    """Weights far from the initial 0.02 ones, so that every layer moves the output and texts differ."""
    rng = np.random.default_rng(seed)
    for weight in model.weights:
        shape = weight.shape
        if 'gamma' in weight.name:
            values = 1.0 + rng.normal(0.0, 0.2, shape)
        elif len(shape) == 2:  # kernels and embeddings: unit-scale outputs
            values = rng.normal(0.0, 1.0 / np.sqrt(shape[0] if 'kernel' in weight.name else 1.0), shape)
        else:
            values = rng.normal(0.0, 0.2, shape)
        weight.assign(values.astype('float32'))


@pytest.mark.slow
def test_a_trained_model_gives_the_keras_probabilities_and_logits(trained_tiny):
    model, tokenizer, _ = trained_tiny
    token_ids, segment_ids = awkward_batch(tokenizer)
    expected = model.predict_on_batch([token_ids, segment_ids])
    assert np.ptp(expected[:, 0]) > 0.1  # the texts are told apart, so the comparison means something
    np.testing.assert_allclose(inference.make_predict_fn(model)(token_ids, segment_ids), expected, atol=1e-5)
    np.testing.assert_allclose(inference.make_logits_fn(model)(token_ids, segment_ids),
                               keras_logits(model, token_ids, segment_ids), atol=1e-4)
    for row in range(len(token_ids)):  # each text alone, without the batch's padding
        alone = token_ids[row:row + 1, :max(1, int(np.flatnonzero(token_ids[row]).max()) + 1)]
        alone_segments = segment_ids[row:row + 1, :alone.shape[1]]
        np.testing.assert_allclose(inference.make_predict_fn(model)(alone, alone_segments)[0], expected[row], atol=1e-5)


def test_no_texts_give_no_rows(trained_tiny):
    model, _, _ = trained_tiny
    empty = np.zeros((0, 8), dtype='int32')
    assert inference.make_predict_fn(model)(empty, empty).shape == (0, len(TOY_LABEL_NAMES))


@pytest.mark.parametrize('change', [
    dict(num_hidden_layers=3),  # the last layer's [CLS]-only rows after full ones
    dict(num_hidden_layers=2, embedding_size=32, num_attention_heads=4),  # no Embedding-Mapping
    dict(num_hidden_layers=2, hidden_act='relu'),  # an activation oneDNN does not fuse
])
@pytest.mark.slow
def test_other_albert_configs_give_the_keras_logits(trained_tiny, change):
    _, tokenizer, _ = trained_tiny
    albert_config = dict(TINY_ALBERT_CONFIG, **change)
    model = M.build_model(albert_config, TOY_LABEL_NAMES, temperature=1.7)
    random_weights(model)
    token_ids, segment_ids = awkward_batch(tokenizer)
    expected = keras_logits(model, token_ids, segment_ids)
    assert np.ptp(expected, axis=0).min() > 0.1  # every class's logit differs by text
    np.testing.assert_allclose(inference.make_forward(model, probabilities=False)(token_ids, segment_ids), expected,
                               rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(inference.make_predict_fn(model)(token_ids, segment_ids),  # softmax(logits / 1.7)
                               model.predict_on_batch([token_ids, segment_ids]), atol=1e-5)


@pytest.mark.slow
def test_it_follows_the_weights_as_they_train(tiny_albert_dir):
    # main.py makes its predict function once, before the first step, and evaluates with it every epoch
    tf.keras.utils.set_random_seed(0)
    model, _, _ = M.new_model(tiny_albert_dir, TOY_LABEL_NAMES, quiet=True)
    tokenizer = M.load_tokenizer(f'{tiny_albert_dir}/vocab.txt')
    predict_fn = inference.make_predict_fn(model)
    token_ids, segment_ids = encode(TEXTS, tokenizer)
    before = predict_fn(token_ids, segment_ids)
    step = trainer.make_train_step(model, keras.optimizers.Adam(3e-3), gradient_penalty=0.0)
    for _ in range(5):
        step(token_ids, segment_ids, np.array(LABELS, dtype='int32'))
    after = predict_fn(token_ids, segment_ids)
    assert np.abs(after - before).max() > 1e-3
    np.testing.assert_allclose(after, model.predict_on_batch([token_ids, segment_ids]), atol=1e-5)


def test_prediction_flops_count_the_last_layer_for_cls_only():
    cfg = dict(TINY_ALBERT_CONFIG, num_hidden_layers=3)
    h, ff = cfg['hidden_size'], cfg['intermediate_size']
    classifier = 2 * h * 3
    # a text of [CLS] alone needs the whole forward, and the classifier
    assert flops.prediction_flops(cfg, [1], 3) == pytest.approx(flops.forward_flops(cfg, [1]) + classifier)
    # each further token skips the last layer's query (2h^2), attention row (4Lh), output (2h^2) and feed-forward (4h ff)
    length = 10
    skipped = (length - 1) * (2 * h * h + 4 * length * h + 2 * h * h + 4 * h * ff)
    assert flops.prediction_flops(cfg, [length], 3) == pytest.approx(flops.forward_flops(cfg, [length]) + classifier - skipped)


@pytest.mark.slow
def test_its_tensorflow_lite_copy_gives_the_keras_probabilities(trained_tiny):
    # int8 converts make_forward's graph: its gathers, the [CLS]-only last layer and the fused batch
    # norm must mean the same in TensorFlow Lite (checked in float32, where only the order of sums differs)
    _, tokenizer, _ = trained_tiny
    model = M.build_model(dict(TINY_ALBERT_CONFIG, num_hidden_layers=2), TOY_LABEL_NAMES, temperature=1.7)
    random_weights(model, seed=1)
    token_ids, segment_ids = awkward_batch(tokenizer)
    expected = model.predict_on_batch([token_ids, segment_ids])
    assert np.ptp(expected, axis=0).min() > 0.03  # texts get different probabilities
    tflite = inference.tflite_predict_fn(model, quantize=False)
    np.testing.assert_allclose(tflite(token_ids, segment_ids), expected, atol=1e-5)
    np.testing.assert_allclose(tflite(token_ids[:3, :8], segment_ids[:3, :8]),  # another shape: resized
                               model.predict_on_batch([token_ids[:3, :8], segment_ids[:3, :8]]), atol=1e-5)


def test_tiny_embeddings_need_each_layer_norm_s_own_epsilon(trained_tiny):
    # Embedding-Norm's epsilon is 1e-12, the others' 1e-7: with embeddings this small the difference shows
    _, tokenizer, _ = trained_tiny
    model = M.build_model(dict(TINY_ALBERT_CONFIG, num_hidden_layers=2), TOY_LABEL_NAMES)
    random_weights(model, seed=2)
    for name in ('Embedding-Token', 'Embedding-Segment', 'Embedding-Position'):
        embeddings = model.get_layer(name).embeddings
        embeddings.assign(embeddings * 1e-4)
    token_ids, segment_ids = awkward_batch(tokenizer)
    np.testing.assert_allclose(inference.make_forward(model, probabilities=False)(token_ids, segment_ids),
                               keras_logits(model, token_ids, segment_ids), rtol=1e-4, atol=1e-4)


def test_its_gradient_towards_the_embeddings_is_the_derivative(trained_tiny):
    # Integrated Gradients differentiate albert_forward through its gathers, the [CLS]-only last layer
    # and the fused batch norm; a central difference along a random direction checks that, 3 layers deep
    _, tokenizer, _ = trained_tiny
    model = M.build_model(dict(TINY_ALBERT_CONFIG, num_hidden_layers=3), TOY_LABEL_NAMES)
    random_weights(model, seed=3)
    forward = inference.albert_forward(model, probabilities=False)
    token_ids, segment_ids = awkward_batch(tokenizer)
    embeddings = tf.constant(model.get_layer(M.TOKEN_EMBEDDING)(token_ids).numpy().astype('float64'))
    direction = tf.constant(np.random.default_rng(4).normal(size=embeddings.shape))
    f = lambda e: tf.reduce_sum(forward(token_ids, segment_ids, tf.cast(e, tf.float32))[:, 1])  # noqa: E731
    with tf.GradientTape() as tape:
        tape.watch(embeddings)
        value = f(embeddings)
    along = float(tf.reduce_sum(tape.gradient(value, embeddings) * direction))
    step = 1e-2
    central = (float(f(embeddings + step * direction)) - float(f(embeddings - step * direction))) / (2 * step)
    assert abs(along) > 0.1
    assert along == pytest.approx(central, rel=2e-2)


@pytest.mark.parametrize('dtype, tolerance', [(tf.float32, 1e-5), (tf.bfloat16, 3e-2)])
def test_its_gradient_is_the_keras_graph_s(trained_tiny, dtype, tolerance):
    # the relayouts' gradients are written by hand (inference.albert_forward's regather); TensorFlow's own gradient
    # of the Keras graph, towards the token embedding matrix, must be the same on a batch with padding, an
    # empty text and a token 0 inside a text; in bfloat16 (Integrated Gradients' path) within its rounding
    _, tokenizer, _ = trained_tiny
    model = M.build_model(dict(TINY_ALBERT_CONFIG, num_hidden_layers=3), TOY_LABEL_NAMES)
    random_weights(model, seed=5)
    token_ids, segment_ids = awkward_batch(tokenizer)
    embeddings = model.get_layer(M.TOKEN_EMBEDDING).embeddings
    mix = tf.constant(np.random.default_rng(6).normal(size=(len(token_ids), len(TOY_LABEL_NAMES))), tf.float32)
    logits_model = keras.models.Model(model.inputs, model.get_layer(M.CLASSIFIER).output)
    forward = inference.albert_forward(model, probabilities=False, dtype=dtype)

    def gradient(logits):
        with tf.GradientTape() as tape:
            value = tf.reduce_sum(logits() * mix)
        return tf.convert_to_tensor(tape.gradient(value, embeddings)).numpy()
    ours = gradient(lambda: forward(token_ids, segment_ids))
    reference = gradient(lambda: logits_model([token_ids, segment_ids], training=False))
    assert np.abs(reference).max() > 1e-3
    np.testing.assert_allclose(ours, reference, atol=tolerance * np.abs(reference).max())
    if dtype == tf.bfloat16:  # and bfloat16 really ran
        assert np.abs(ours - reference).max() > 1e-5 * np.abs(reference).max()
