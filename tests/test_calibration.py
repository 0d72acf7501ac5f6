"""Calibration: the temperature, ECE, the unsure route, bad cases."""
import json
import os
import shutil

import numpy as np
import pytest

import attribution as A
import model as M
import inference
import path
import predict
from conftest import LABELS, TEXTS, TOY_LABEL_NAMES, write_rows
from utils.calibration import (coverage_curve, expected_calibration_error, fit_temperature, negative_log_likelihood,
                               reliability_bins, softmax)

# the toy model gets every toy text right; with every 4th label moved on, it misses a quarter, as on held-out data
NOISY = [(label + 1) % 3 if i % 4 == 0 else label for i, label in enumerate(LABELS)]


def test_the_fitted_temperature_is_the_nll_minimum():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(200, 3)) * 4
    labels = rng.integers(0, 3, size=200)
    temperature = fit_temperature(logits, labels)
    grid = np.exp(np.linspace(np.log(0.05), np.log(20), 2001))
    best = grid[np.argmin([negative_log_likelihood(logits, labels, t) for t in grid])]
    assert temperature == pytest.approx(best, rel=0.01)
    # random labels: the logits say nothing, so the best temperature flattens them
    assert temperature > 4


def test_ece_on_hand_made_probabilities():
    # ten texts at confidence 0.8: eight right is perfectly calibrated, all ten right is 0.2 off
    probs = np.tile([0.8, 0.1, 0.1], (10, 1))
    assert expected_calibration_error(probs, [0] * 8 + [1, 2]) == pytest.approx(0.0)
    assert expected_calibration_error(probs, [0] * 10) == pytest.approx(0.2)
    # two bins, weighted by size: 4 texts at 0.95 all right (0.05 off), 6 at 0.55 half right (0.05 off)
    probs = np.array([[0.95, 0.05, 0]] * 4 + [[0.55, 0.45, 0]] * 6)
    labels = [0] * 4 + [0, 0, 0, 1, 1, 1]
    assert expected_calibration_error(probs, labels) == pytest.approx(0.05)
    confidence, accuracy, count = reliability_bins(probs, labels)
    assert count.sum() == 10 and count[14] == 4 and count[8] == 6
    assert accuracy[14] == 1.0 and accuracy[8] == 0.5


def test_coverage_curve_on_hand_made_confidences():
    confidence = [0.99, 0.95, 0.9, 0.6, 0.4]
    correct = [True, True, False, True, False]
    rows = coverage_curve(confidence, correct, [0.5, 0.9, 0.96, 1.0])
    assert rows[0] == (0.5, 0.8, 0.75, 4)
    assert rows[1] == (0.9, 0.6, pytest.approx(2 / 3), 3)
    assert rows[2] == (0.96, 0.2, 1.0, 1)
    assert rows[3][1] == 0.0 and np.isnan(rows[3][2]) and rows[3][3] == 0


@pytest.fixture
def overconfident(trained_tiny, tmp_path):
    """The tiny model with its classifier scaled up 6x: same labels, far too sure of them."""
    model, tokenizer, weights = trained_tiny
    path_ = str(tmp_path / 'overconfident.h5')
    for source, target in zip(path.model_files(weights)[:3], path.model_files(path_)[:3]):  # weights, config, vocabulary
        shutil.copy(source, target)
    sharp, _ = M.load_trained(path_)
    classifier = sharp.get_layer(M.CLASSIFIER)
    classifier.set_weights([w * 6 for w in classifier.get_weights()])
    M.save_weights(sharp, path_)
    return sharp, tokenizer, path_


@pytest.mark.slow
def test_temperature_lowers_the_nll_of_an_overconfident_model_and_travels_with_it(overconfident):
    model, tokenizer, weights = overconfident
    logits = inference.predict_logits(model, tokenizer, TEXTS)
    assert (logits.argmax(axis=1) == LABELS).all() and (logits.argmax(axis=1) != NOISY).sum() == 8
    temperature = fit_temperature(logits, NOISY)
    assert temperature > 2  # softens
    assert negative_log_likelihood(logits, NOISY, temperature) < 0.5 * negative_log_likelihood(logits, NOISY)
    assert expected_calibration_error(softmax(logits, temperature), NOISY) < expected_calibration_error(softmax(logits), NOISY)

    # saved in the config, the temperature is part of the rebuilt model: predict.py gives calibrated probabilities
    M.save_temperature(weights, temperature)
    assert json.loads(open(path.sidecar_paths(weights)[0], encoding='utf-8').read())['temperature'] == temperature
    calibrated, _ = M.load_trained(weights)
    assert calibrated.temperature == temperature
    np.testing.assert_allclose(inference.predict_proba(calibrated, tokenizer, TEXTS), softmax(logits, temperature), atol=1e-5)
    np.testing.assert_allclose(predict.predict_proba(TEXTS, weights=weights), softmax(logits, temperature), atol=1e-5)
    # labels never change
    assert predict.multi_predict(TEXTS, weights=weights) == logits.argmax(axis=1).tolist()
    # int8 and IG's forward (inference.albert_forward) carry the temperature too: IG explains the calibrated probability
    int8 = inference.predict_proba(calibrated, tokenizer, TEXTS, predict_fn=inference.make_predict_fn(calibrated, 'int8'))
    np.testing.assert_allclose(int8, softmax(logits, temperature), atol=0.02)
    assert np.abs(int8 - softmax(logits)).max() > 0.05  # and not the uncalibrated ones
    explained = A.explain(calibrated, tokenizer, TEXTS[:6], steps=4)
    np.testing.assert_allclose([r['probs'] for r in explained], softmax(logits[:6], temperature), atol=1e-5)


def test_a_config_without_a_positive_temperature_is_refused(trained_tiny, tmp_path):
    _, _, weights = trained_tiny
    copy = str(tmp_path / 'old.h5')
    for source, target in zip(path.model_files(weights)[:3], path.model_files(copy)[:3]):
        shutil.copy(source, target)
    config_path = path.sidecar_paths(copy)[0]
    saved = json.loads(open(config_path, encoding='utf-8').read())
    saved.pop('temperature', None)
    open(config_path, 'w', encoding='utf-8').write(json.dumps(saved))
    with pytest.raises(M.MissingModelError, match="has no 'temperature'"):
        M.load_trained(copy)
    saved['temperature'] = -2
    open(config_path, 'w', encoding='utf-8').write(json.dumps(saved))
    with pytest.raises(M.MissingModelError, match='temperature -2 is not a positive number'):
        M.load_trained(copy)


def test_min_confidence_marks_unsure_texts_in_the_api_and_the_cli(trained_tiny, tmp_path, capsys):
    _, _, weights = trained_tiny
    probs = predict.predict_proba(TEXTS, weights=weights)
    top = probs.max(axis=1)
    threshold = float(np.median(top))  # about half the texts are unsure
    unsure = top < threshold
    assert 0 < unsure.sum() < len(TEXTS)
    labels = predict.multi_predict(TEXTS, weights=weights, min_confidence=threshold)
    assert [label is None for label in labels] == unsure.tolist()
    assert [label for label in labels if label is not None] == probs.argmax(axis=1)[~unsure].tolist()
    assert predict.predict(TEXTS[int(np.argmax(top))], weights=weights, min_confidence=threshold) is not None
    assert predict.predict(TEXTS[int(np.argmin(top))], weights=weights, min_confidence=threshold) is None

    source = write_rows(tmp_path / 'in.txt', list(zip(TEXTS, NOISY)))
    tsv, jsonl, plot = tmp_path / 'out.tsv', tmp_path / 'out.jsonl', tmp_path / 'coverage.png'
    predict.main(['--input', source, '--output', str(tsv), '--weights', weights, '--min-confidence', str(threshold),
                  '--coverage-plot', str(plot)])
    printed = capsys.readouterr()
    lines = tsv.read_text(encoding='utf-8').splitlines()
    assert lines[0].endswith('\tunsure\ttruncated')
    assert [line.split('\t')[-2] for line in lines[1:]] == [str(int(u)) for u in unsure]
    assert f'{unsure.sum()} of {len(TEXTS)} texts unsure' in printed.err
    kept = ~unsure
    accuracy = np.mean(probs.argmax(axis=1)[kept] == np.array(NOISY)[kept])
    assert (f'kept {kept.sum()} of {len(TEXTS)} texts (coverage {kept.mean():.4f}), '
            f'accuracy on the kept texts {accuracy:.4f}') in printed.out
    assert plot.stat().st_size > 10000

    predict.main(['--input', source, '--output', str(jsonl), '--format', 'jsonl', '--weights', weights,
                  '--min-confidence', str(threshold), '--coverage-plot', str(plot)])
    records = [json.loads(line) for line in jsonl.read_text(encoding='utf-8').splitlines()]
    assert [r['unsure'] for r in records] == unsure.tolist()


def test_bad_cases_lists_the_misses_most_confident_first(trained_tiny, tmp_path, capsys):
    _, _, weights = trained_tiny
    probs = predict.predict_proba(TEXTS, weights=weights)
    predicted = probs.argmax(axis=1)
    missed = [i for i in range(len(TEXTS)) if predicted[i] != NOISY[i]]
    assert len(missed) == 8
    source = write_rows(tmp_path / 'in.txt', list(zip(TEXTS, NOISY)))
    bad = tmp_path / 'bad.tsv'
    predict.main(['--input', source, '--output', str(tmp_path / 'out.tsv'), '--weights', weights,
                  '--bad-cases', str(bad), '--batch-size', '5'])
    assert f'wrote {len(missed)} misses to {bad}' in capsys.readouterr().out
    rows = [line.split('\t') for line in bad.read_text(encoding='utf-8').splitlines()[1:]]
    expected = sorted(missed, key=lambda i: -probs[i].max())
    assert [row[0] for row in rows] == [TEXTS[i] for i in expected]
    assert [(int(row[1]), row[2], int(row[3]), row[4]) for row in rows] == [
        (NOISY[i], TOY_LABEL_NAMES[NOISY[i]], int(predicted[i]), TOY_LABEL_NAMES[predicted[i]]) for i in expected]
    np.testing.assert_allclose([float(row[5]) for row in rows], [probs[i].max() for i in expected], atol=1e-6)


def test_bad_cases_on_unlabelled_input_is_a_clear_error(trained_tiny, tmp_path, capsys):
    _, _, weights = trained_tiny
    source = tmp_path / 'plain.txt'
    source.write_text('\n'.join(TEXTS[:5]) + '\n', encoding='utf-8')
    bad = tmp_path / 'bad.tsv'
    with pytest.raises(SystemExit) as exit_:
        predict.main(['--input', str(source), '--output', str(tmp_path / 'out.tsv'), '--weights', weights,
                      '--bad-cases', str(bad)])
    assert exit_.value.code != 0
    err = capsys.readouterr().err
    assert f'{source}: no labels' in err and '--bad-cases needs every line labelled' in err
    assert not bad.exists() and (tmp_path / 'out.tsv').exists()
    with pytest.raises(SystemExit):
        predict.main(['一段文字', '--weights', weights, '--bad-cases', str(bad)])
    assert '--bad-cases needs a labelled --input file' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        predict.main(['一段文字', '--weights', weights, '--min-confidence', '1.5'])
    assert 'not a probability in (0, 1]' in capsys.readouterr().err


def test_a_minimum_below_the_range_returns_its_bound():
    # every text right and confident: the likelihood asks for ever sharper probabilities
    logits = np.array([[3.0, 0.0, 0.0], [0.0, 3.0, 0.0], [0.0, 0.0, 3.0]] * 10)
    labels = [0, 1, 2] * 10
    assert fit_temperature(logits, labels, 0.05, 20.0) == pytest.approx(0.05, rel=0.01)
    assert fit_temperature(logits, labels, 1.0, 20.0) == 1.0


def test_outputs_may_not_be_one_file_nor_bad_cases_stdout(trained_tiny, tmp_path, capsys):
    _, _, weights = trained_tiny
    source = write_rows(tmp_path / 'in.txt', list(zip(TEXTS, NOISY)))
    same = str(tmp_path / 'out.tsv')
    with pytest.raises(SystemExit):
        predict.main(['--input', source, '--output', same, '--weights', weights, '--bad-cases', same])
    assert 'are the same file' in capsys.readouterr().err and not os.path.exists(same)
    with pytest.raises(SystemExit):
        predict.main(['--input', source, '--output', same, '--weights', weights, '--bad-cases', '-'])
    assert '--bad-cases needs a file name' in capsys.readouterr().err
