"""model.py: schedule, training step, saving/loading, and the pretrained-checkpoint loader."""
import os

import numpy as np
import pytest
import tensorflow as tf
from bert4keras.backend import keras
from bert4keras.models import build_transformer_model

import config
import model as M
import inference
import trainer
from conftest import LABELS, TEXTS, TINY_ALBERT_CONFIG, TOY_LABEL_NAMES
from data_process import encode


def toy_batch(tokenizer):
    token_ids, segment_ids = encode(TEXTS, tokenizer)
    return token_ids, segment_ids, np.array(LABELS, dtype='int32')


def tiny_model(tiny_albert_dir, seed=0):
    tf.keras.utils.set_random_seed(seed)
    model, _, pretrained = M.new_model(tiny_albert_dir, TOY_LABEL_NAMES, quiet=True)
    assert not pretrained
    return model, M.load_tokenizer(os.path.join(tiny_albert_dir, 'vocab.txt'))


def cross_entropy(model, token_ids, segment_ids, labels):
    probs = model.predict_on_batch([token_ids, segment_ids])
    return float(-np.mean(np.log(probs[np.arange(len(labels)), labels])))


def test_schedule_matches_the_original_recipe():
    schedule = trainer.PiecewiseLinear(config.LEARNING_RATE, config.LR_SCHEDULE)
    expected = {0: 0.0, 500: 5e-5, 1000: 1e-4, 1500: 5.5e-5, 2000: 1e-5, 3000: 1e-5}
    for step, lr in expected.items():
        assert float(schedule(step)) == pytest.approx(lr, rel=1e-5, abs=1e-12), step


def test_scratch_schedule_warms_up_then_decays():
    schedule = trainer.PiecewiseLinear(config.SCRATCH_LEARNING_RATE, config.SCRATCH_LR_SCHEDULE)
    warmup, decayed = sorted(config.SCRATCH_LR_SCHEDULE)
    assert float(schedule(0)) == 0.0
    assert float(schedule(warmup)) == pytest.approx(config.SCRATCH_LEARNING_RATE)
    assert float(schedule(decayed)) == pytest.approx(config.SCRATCH_LEARNING_RATE * 0.1)
    assert float(schedule(decayed * 5)) == pytest.approx(config.SCRATCH_LEARNING_RATE * 0.1)


@pytest.mark.slow
@pytest.mark.parametrize('gradient_penalty,adversarial', [(1.0, 0.0), (0.0, 0.0), (1.0, 0.5)])
def test_training_steps_make_the_loss_fall(tiny_albert_dir, gradient_penalty, adversarial):
    model, tokenizer = tiny_model(tiny_albert_dir)
    token_ids, segment_ids, labels = toy_batch(tokenizer)
    before = cross_entropy(model, token_ids, segment_ids, labels)
    step = trainer.make_train_step(model, keras.optimizers.Adam(1e-3), gradient_penalty, adversarial)
    for _ in range(45):
        step(token_ids, segment_ids, labels)
    after = cross_entropy(model, token_ids, segment_ids, labels)
    assert after < before - 0.3, (before, after)


@pytest.mark.slow
def test_gradient_penalty_and_fgm_change_the_update(tiny_albert_dir):
    """The penalty and FGM are not no-ops: the same step from the same weights moves them differently."""
    model, tokenizer = tiny_model(tiny_albert_dir)
    token_ids, segment_ids, labels = toy_batch(tokenizer)
    start = model.get_weights()
    updated = []
    for gradient_penalty, adversarial in [(0.0, 0.0), (1.0, 0.0), (1.0, 0.5)]:
        model.set_weights(start)
        step = trainer.make_train_step(model, keras.optimizers.SGD(0.1), gradient_penalty, adversarial)
        step(token_ids, segment_ids, labels)
        updated.append(model.get_weights())
    embedding = [w.name for w in model.weights].index(model.get_layer(M.TOKEN_EMBEDDING).embeddings.name)
    plain, penalised, adversarial = (weights[embedding] for weights in updated)
    assert not np.allclose(plain, penalised)
    assert not np.allclose(penalised, adversarial)


def test_the_embedding_multiplier_scales_the_token_embeddings_step_only(tiny_albert_dir):
    """--init-from's embeddings learn k times as fast: their Adam step is k times the plain one, the rest's the same."""
    model, tokenizer = tiny_model(tiny_albert_dir)
    token_ids, segment_ids, labels = toy_batch(tokenizer)
    start = model.get_weights()
    updated = []
    for multiplier in (1.0, 10.0):
        model.set_weights(start)
        trainer.make_train_step(model, keras.optimizers.Adam(1e-3), embedding_lr_multiplier=multiplier)(
            token_ids, segment_ids, labels)
        updated.append(model.get_weights())
    embedding = [w.name for w in model.weights].index(model.get_layer(M.TOKEN_EMBEDDING).embeddings.name)
    for i, (plain, faster, before) in enumerate(zip(*updated, start)):
        if i == embedding:
            assert np.abs(plain - before).max() > 1e-4
            np.testing.assert_allclose(faster - before, 10.0 * (plain - before), atol=1e-6)
        else:
            np.testing.assert_allclose(faster, plain, atol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize('gradient_penalty,adversarial', [(0.0, 0.0), (1.0, 0.0), (1.0, 0.5)])
def test_a_batch_cut_into_parts_makes_the_same_update(tiny_albert_dir, gradient_penalty, adversarial):
    """Over max_tokens, a batch goes forward and backward in parts: same loss, probabilities and update."""
    model, tokenizer = tiny_model(tiny_albert_dir)
    token_ids, segment_ids, labels = toy_batch(tokenizer)
    start = model.get_weights()
    results = []
    for max_tokens in (token_ids.size, token_ids.size // 3):  # whole; in 3 parts of 10 texts
        model.set_weights(start)
        # clipping is on: the norm must be the whole batch's gradient's either way
        step = trainer.make_train_step(model, keras.optimizers.SGD(0.1, global_clipnorm=0.5), gradient_penalty, adversarial,
                                 max_tokens)
        ce, probs = step(token_ids, segment_ids, labels)
        results.append((float(ce), np.asarray(probs), model.get_weights()))
    (whole_ce, whole_probs, whole_weights), (parts_ce, parts_probs, parts_weights) = results
    assert parts_ce == pytest.approx(whole_ce, rel=1e-5)
    np.testing.assert_allclose(parts_probs, whole_probs, atol=1e-5)
    moved = max(np.abs(w - s).max() for w, s in zip(whole_weights, start))
    assert moved > 1e-3  # the step really updates
    for w, p in zip(whole_weights, parts_weights):
        np.testing.assert_allclose(p, w, atol=1e-6)


def test_save_then_load_gives_identical_predictions(tiny_albert_dir, tmp_path):
    model, tokenizer = tiny_model(tiny_albert_dir)
    token_ids, segment_ids, labels = toy_batch(tokenizer)
    trainer.make_train_step(model, keras.optimizers.Adam(1e-3))(token_ids, segment_ids, labels)
    weights_path = str(tmp_path / 'weights' / 'model.h5')
    M.save_model_files(model, os.path.join(tiny_albert_dir, 'vocab.txt'), weights_path)
    M.save_weights(model, weights_path)
    assert sorted(os.listdir(tmp_path / 'weights')) == ['model.config.json', 'model.h5', 'model.vocab.txt']

    loaded, loaded_tokenizer = M.load_trained(weights_path)
    assert loaded.label_names == TOY_LABEL_NAMES and loaded.maxlen == config.MAXLEN  # read back from the config
    expected = inference.predict_proba(model, tokenizer, TEXTS)
    np.testing.assert_array_equal(inference.predict_proba(loaded, loaded_tokenizer, TEXTS), expected)
    np.testing.assert_allclose(expected.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.slow
def test_predict_proba_keeps_input_order_across_length_sorted_batches(tiny_albert_dir):
    model, tokenizer = tiny_model(tiny_albert_dir)
    one_by_one = np.concatenate([inference.predict_proba(model, tokenizer, [text]) for text in TEXTS])
    np.testing.assert_allclose(inference.predict_proba(model, tokenizer, TEXTS, batch_size=7), one_by_one, atol=1e-5)


def test_missing_weights_say_to_train_first(tmp_path):
    with pytest.raises(M.MissingModelError, match='train a model first'):
        M.load_trained(str(tmp_path / 'nothing.h5'))


def write_albert_checkpoint(albert_dir, seed=1):
    """albert_model.ckpt in the variable layout of Google's ALBERT release, random values.

    Names come from bert4keras's ALBERT variable mapping (the loader's own
    table), shapes from a model built from the same config.
    """
    albert = build_transformer_model(model='albert', return_keras_model=False, **TINY_ALBERT_CONFIG)
    mapping = albert.variable_mapping()
    rng = np.random.default_rng(seed)
    values = {}
    for layer_name, names in mapping.items():
        if layer_name not in albert.layers:
            continue
        for weight, name in zip(albert.layers[layer_name].trainable_weights, names):
            values[name] = rng.normal(0, 0.05, size=weight.shape).astype('float32')
    with tf.Graph().as_default():
        variables = [tf.compat.v1.Variable(value, name=name) for name, value in values.items()]
        saver = tf.compat.v1.train.Saver(variables)
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            saver.save(session, os.path.join(albert_dir, 'albert_model.ckpt'))
    return values


def test_pretrained_checkpoint_loads_and_sets_the_weights(tiny_albert_dir):
    values = write_albert_checkpoint(tiny_albert_dir)
    # the layout of the released albert_tiny_google_zh checkpoint
    for name in ['bert/embeddings/word_embeddings', 'bert/embeddings/position_embeddings',
                 'bert/encoder/embedding_hidden_mapping_in/kernel',
                 'bert/encoder/transformer/group_0/inner_group_0/attention_1/self/query/kernel',
                 'bert/encoder/transformer/group_0/inner_group_0/ffn_1/intermediate/dense/kernel']:
        assert name in values

    model, _, pretrained = M.new_model(tiny_albert_dir, TOY_LABEL_NAMES, quiet=True)
    assert pretrained
    np.testing.assert_array_equal(model.get_layer(M.TOKEN_EMBEDDING).get_weights()[0],
                                  values['bert/embeddings/word_embeddings'])
    query_kernel = model.get_layer('Transformer-MultiHeadSelfAttention').get_weights()[0]
    np.testing.assert_array_equal(
        query_kernel, values['bert/encoder/transformer/group_0/inner_group_0/attention_1/self/query/kernel'])
    mapping_kernel = model.get_layer('Embedding-Mapping').get_weights()[0]
    np.testing.assert_array_equal(mapping_kernel, values['bert/encoder/embedding_hidden_mapping_in/kernel'])


def test_fine_tuning_uses_the_original_schedule_and_scratch_a_faster_one():
    fine_tuning = trainer.make_schedule(pretrained=True).get_config()
    assert fine_tuning == {'learning_rate': config.LEARNING_RATE, 'schedule': config.LR_SCHEDULE}
    scratch = trainer.make_schedule(pretrained=False).get_config()
    assert scratch == {'learning_rate': config.SCRATCH_LEARNING_RATE, 'schedule': config.SCRATCH_LR_SCHEDULE}


def test_a_short_run_squeezes_the_schedule_and_a_long_one_keeps_it():
    shipped = trainer.run_schedule(config.SCRATCH_LR_SCHEDULE, planned_steps=250 * config.MAX_EPOCHS)
    assert shipped == config.SCRATCH_LR_SCHEDULE
    # 61 texts: 2 steps an epoch; the warm-up of 80 steps would outlast the whole run
    tiny = trainer.run_schedule(config.SCRATCH_LR_SCHEDULE, planned_steps=2 * config.MAX_EPOCHS)
    assert max(tiny) <= config.SCHEDULE_SHARE * 2 * config.MAX_EPOCHS
    assert list(tiny.values()) == list(config.SCRATCH_LR_SCHEDULE.values())
    assert min(tiny) >= 1 and sorted(tiny) == list(tiny) and len(set(tiny)) == len(tiny)
    # squeezed to a point, the steps stay apart
    assert trainer.run_schedule({80: 1.0, 1600: 0.1}, planned_steps=1) == {1: 1.0, 2: 0.1}
    schedule = trainer.PiecewiseLinear(1e-3, tiny)
    assert float(schedule(min(tiny))) == pytest.approx(1e-3) and float(schedule(max(tiny))) == pytest.approx(1e-4)
