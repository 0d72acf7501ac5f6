"""main.py and continue_fit.py end to end on a tiny model and a few dozen texts."""
import csv
import json
import os
import re
from types import SimpleNamespace

import numpy as np
import pytest

import config
import continue_fit
import evaluation
import inference
import main
import model as M
import path
import trainer
from conftest import TOY_LABEL_NAMES, main_argv, write_rows
from data_process import load_data, mixed_in
from preprocess import traditional_copy
from utils import flops
from utils.calibration import negative_log_likelihood, softmax

pytestmark = pytest.mark.slow  # trains or runs a whole pipeline (make test-fast leaves it out)


def run_main(tiny_albert_dir, toy_data, out, *extra):
    main.main(main_argv(tiny_albert_dir, toy_data, out, *extra))
    return str(out / 'weights' / 'model.h5')


def history(out):
    with open(out / 'log' / 'history.csv', encoding='utf-8') as f:
        return list(csv.DictReader(f))


def test_main_warns_before_training_about_a_class_with_no_training_texts(tiny_albert_dir, toy_data, tmp_path, capsys,
                                                                         monkeypatch):
    (tmp_path / 'labels.txt').write_text('0\t其他\n1\t上消化道\n2\t下消化道\n3\t肝胆\n', encoding='utf-8')

    class Stop(Exception):
        pass

    def stop():
        raise Stop  # the first step after the data checks: no training needed to see the warnings
    monkeypatch.setattr(main, 'matmul_gflops', stop)
    with pytest.raises(Stop):
        main.main(main_argv(tiny_albert_dir, toy_data, tmp_path))
    assert 'warning: class 3 (肝胆) has no training texts; the model cannot learn it: ' \
           'add labelled texts of it, or leave it out of labels.txt' in capsys.readouterr().err.splitlines()


@pytest.mark.parametrize('unreadable_file', ['train', 'labels'])
def test_an_unreadable_training_file_is_one_line(tiny_albert_dir, toy_data, tmp_path, capsys, unreadable, unreadable_file):
    name = unreadable(toy_data['train'] if unreadable_file == 'train' else tmp_path / 'labels.txt')
    with pytest.raises(SystemExit) as stop:
        main.main(main_argv(tiny_albert_dir, toy_data, tmp_path))
    assert stop.value.code == 2
    assert capsys.readouterr().err.strip() == f'error: {name}: cannot read it (Permission denied)'
    assert not (tmp_path / 'weights' / 'model.h5').exists()


def test_main_one_epoch_end_to_end(tiny_albert_dir, toy_data, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(config, 'TEMPERATURE_RANGE', (0.05, 20.0))  # let the toy model's fit move off 1
    weights = run_main(tiny_albert_dir, toy_data, tmp_path, '--epochs', '1')
    captured = capsys.readouterr()
    printed = captured.out
    assert 'warning: only 30 training texts: below about 200' in captured.err  # the toy set is tiny
    assert 'No albert_model.ckpt' in printed and 'training ALBERT from scratch' in printed
    assert 'epoch 1: ' in printed and 'val_acc' in printed and 'best_val_acc' in printed and 'test_acc' in printed
    assert 'final test accuracy' in printed and 'confusion matrix' in printed

    metrics = json.loads((tmp_path / 'log' / 'metrics.json').read_text(encoding='utf-8'))
    assert metrics['epochs'] == 1 and metrics['test_size'] == 9
    assert set(metrics['per_class']) == {'其他', '上消化道', '下消化道'}
    assert np.array(metrics['confusion_matrix']).sum() == 9
    rows = history(tmp_path)
    assert len(rows) == 1 and int(rows[0]['step']) == 4  # 30 texts in batches of 8
    assert sorted(os.listdir(tmp_path / 'images')) == ['calibration.png', 'confusion_matrix.png', 'training_curves.png']

    # the speed report: real tokens of the epoch, and the FLOPs of forward + backward at their lengths
    train_texts = [text for text, _ in load_data(toy_data['train'])]
    tokenizer = M.load_tokenizer(os.path.join(tiny_albert_dir, 'vocab.txt'))
    lengths = [len(tokenizer.encode(text)[0]) for text in train_texts]
    assert int(rows[0]['tokens']) == sum(lengths)
    expected_gflop = 3 * flops.forward_flops(json.loads(open(os.path.join(tiny_albert_dir, 'albert_config.json')).read()),
                                         lengths) / 1e9
    assert float(rows[0]['gflop']) == pytest.approx(expected_gflop, abs=0.05)
    speed = metrics['speed']
    assert speed['matmul_gflops'] > 0 and speed['train_tokens_per_second'] > 0 and 0 < speed['share_of_limit'] < 1
    assert speed['wall_seconds_at_415'] == pytest.approx(speed['wall_seconds'] * speed['matmul_gflops'] / 415, abs=0.15)
    assert 'speed: ' in printed and 'scaled to 415 GFLOP/s' in printed

    model, tokenizer = M.load_trained(weights)  # the saved best weights, config and vocabulary load
    probs = inference.predict_proba(model, tokenizer, ['慢性浅表性胃炎', '内痔'])
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)

    # calibration: the temperature fitted on val is saved with the model, which then predicts softmax(logits / T)
    calibration = metrics['calibration']
    temperature = calibration['temperature']
    saved = json.loads(open(path.sidecar_paths(weights)[0], encoding='utf-8').read())
    assert temperature != 1.0 and saved['temperature'] == temperature == model.temperature
    assert 'calibration: temperature' in printed and 'ECE before' in printed
    test_rows = load_data(toy_data['test'])
    texts, labels = [text for text, _ in test_rows], [label for _, label in test_rows]
    logits = inference.predict_logits(model, tokenizer, texts)
    np.testing.assert_allclose(inference.predict_proba(model, tokenizer, texts), softmax(logits, temperature), atol=1e-5)
    report = calibration['test']
    assert report['nll_before'] == pytest.approx(negative_log_likelihood(logits, labels), rel=1e-4)
    assert report['nll_after'] == pytest.approx(negative_log_likelihood(logits, labels, temperature), rel=1e-4)
    # the test split's misses, most confident first, with calibrated confidences
    bad = (tmp_path / 'log' / 'bad_cases.tsv').read_text(encoding='utf-8').splitlines()
    assert bad[0] == 'text\tgold\tgold_name\tpredicted\tpredicted_name\tconfidence'
    predicted = logits.argmax(axis=1)
    assert len(bad) - 1 == int(np.sum(predicted != labels)) == 9 - np.trace(np.array(metrics['confusion_matrix']))
    confidences = [float(line.split('\t')[-1]) for line in bad[1:]]
    assert confidences == sorted(confidences, reverse=True)


def test_resume_continues_the_step_count_and_matches_an_uninterrupted_run(tiny_albert_dir, toy_data, tmp_path,
                                                                          capsys, monkeypatch):
    # the schedule as written for both runs (a run's --epochs squeezes it, and the interrupted run
    # stands for a 3-epoch run stopped after its first)
    monkeypatch.setattr(config, 'SCHEDULE_SHARE', float('inf'))
    interrupted, straight = tmp_path / 'interrupted', tmp_path / 'straight'
    run_main(tiny_albert_dir, toy_data, interrupted, '--epochs', '1')
    weights = str(interrupted / 'weights' / 'model.h5')
    continue_fit.main(['--weights', weights, '--epochs', '3', '--log-dir', str(interrupted / 'log'),
                       '--images-dir', str(interrupted / 'images')])
    assert 'resuming from' in capsys.readouterr().out

    run_main(tiny_albert_dir, toy_data, straight, '--epochs', '3')
    resumed, uninterrupted = history(interrupted), history(straight)
    assert [int(r['step']) for r in resumed] == [4, 8, 12]  # the step, and so the warm-up, goes on
    for a, b in zip(resumed, uninterrupted):
        for key in ('step', 'lr', 'loss', 'val_loss', 'val_acc'):
            assert float(a[key]) == pytest.approx(float(b[key]), rel=1e-5, abs=1e-7), key
    settings, progress = trainer.load_state(weights)
    assert progress.epoch == 3 and len(progress.history) == 3 and settings.epochs == 3


def test_continue_fit_all_data_trains_on_every_split(tiny_albert_dir, toy_data, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(config, 'TEMPERATURE_RANGE', (0.05, 20.0))  # the held-out run fits T != 1
    weights = run_main(tiny_albert_dir, toy_data, tmp_path, '--epochs', '1')
    assert json.loads(open(path.sidecar_paths(weights)[0], encoding='utf-8').read())['temperature'] != 1.0
    best = open(weights, 'rb').read()
    continue_fit.main(['--weights', weights, '--all-data', '--extra-epochs', '1',
                       '--log-dir', str(tmp_path / 'log'), '--images-dir', str(tmp_path / 'images')])
    out = capsys.readouterr().out
    assert 'training the best weights on all 48 texts for 1 more epochs' in out
    assert [int(r['step']) for r in history(tmp_path)] == [4, 10]  # then 48 texts in batches of 8
    # the best weights of the held-out run are kept, whole, before the all-data epochs overwrite them
    kept = [p for p in os.listdir(tmp_path / 'weights') if p.startswith('model.before-all-data-')]
    assert len(kept) == 1 and 'copied the best model to' in out
    assert (tmp_path / 'weights' / kept[0] / 'model.h5').read_bytes() == best
    assert open(weights, 'rb').read() != best
    # nothing was held out, so no temperature, and a later --report does not fit one on trained-on texts
    config_path = path.sidecar_paths(weights)[0]
    assert json.loads(open(config_path, encoding='utf-8').read())['temperature'] == 1.0
    continue_fit.main(['--weights', weights, '--report', '--log-dir', str(tmp_path / 'log'),
                       '--images-dir', str(tmp_path / 'images')])
    assert 'no held-out validation split' in capsys.readouterr().out
    assert json.loads(open(config_path, encoding='utf-8').read())['temperature'] == 1.0


def test_the_same_seed_gives_the_same_model(tiny_albert_dir, toy_data, tmp_path):
    first = M.load_trained(run_main(tiny_albert_dir, toy_data, tmp_path / 'a', '--epochs', '1', '--seed', '7'))[0]
    second = M.load_trained(run_main(tiny_albert_dir, toy_data, tmp_path / 'b', '--epochs', '1', '--seed', '7'))[0]
    other = M.load_trained(run_main(tiny_albert_dir, toy_data, tmp_path / 'c', '--epochs', '1', '--seed', '8'))[0]
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not all(np.array_equal(a, c) for a, c in zip(first.get_weights(), other.get_weights()))


def test_bad_data_and_missing_checkpoint_stop_with_one_line(tiny_albert_dir, toy_data, tmp_path, capsys):
    bad = tmp_path / 'bad.txt'
    bad.write_text('慢性胃炎\t1\n内痔\t7\n', encoding='utf-8')
    with pytest.raises(SystemExit) as stop:
        run_main(tiny_albert_dir, dict(toy_data, val=str(bad)), tmp_path, '--epochs', '1')
    assert stop.value.code == 2
    assert capsys.readouterr().err.strip() == f"error: {bad}:2: label '7' is not an integer in 0..2"

    with pytest.raises(SystemExit) as stop:
        continue_fit.main(['--weights', str(tmp_path / 'never' / 'model.h5')])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and 'no checkpoint to resume from' in err


def test_resume_takes_the_checkpoint_state_json_describes(tiny_albert_dir, toy_data, tmp_path, capsys):
    weights = run_main(tiny_albert_dir, toy_data, tmp_path, '--epochs', '2')
    settings, progress = trainer.load_state(weights)
    # as if the run died after writing checkpoint 2 but before state.json said so
    progress.epoch, progress.history, progress.bad_epochs = 1, progress.history[:1], 0
    trainer.save_state(settings, progress)
    continue_fit.main(['--weights', weights, '--log-dir', str(tmp_path / 'log'), '--images-dir', str(tmp_path / 'img')])
    out = capsys.readouterr().out
    assert 'model.resume/ckpt-1: epoch 1, step 4' in out
    assert [int(r['step']) for r in history(tmp_path)] == [4, 8]


def test_a_new_run_clears_the_old_checkpoints_and_a_finished_run_has_nothing_to_resume(
        tiny_albert_dir, toy_data, tmp_path, capsys):
    weights = run_main(tiny_albert_dir, toy_data, tmp_path, '--epochs', '2')
    run_main(tiny_albert_dir, toy_data, tmp_path, '--epochs', '1')
    resume = tmp_path / 'weights' / 'model.resume'
    assert sorted(f for f in os.listdir(resume) if f.endswith('.index')) == ['ckpt-1.index']
    capsys.readouterr()
    continue_fit.main(['--weights', weights])
    assert 'the run ended at its limit of 1 epochs; raise it with --epochs' in capsys.readouterr().out


def test_main_scores_each_check_set_against_the_keyword_rules(tiny_albert_dir, toy_data, tmp_path, capsys):
    rows = [('肝右叶血管瘤', 0), ('胆汁反流性胃炎', 1), ('肠道准备良好', 2), ('十二指肠乳头插管，胆总管取石', 0)]
    check = write_rows(tmp_path / 'check.txt', rows)
    traditional = write_rows(tmp_path / 'traditional.txt', traditional_copy.convert(rows))
    run_main(tiny_albert_dir, toy_data, tmp_path, '--epochs', '1', '--check', check, traditional)
    printed = capsys.readouterr().out
    assert f'out-of-distribution check ({check}, 4 texts)' in printed
    assert f'out-of-distribution check ({traditional}, 4 texts)' in printed
    assert re.search(r'^model\s+\d\.\d{4}', printed, re.M)
    # the site-word rule gets the papilla and the bowel preparation wrong, the 4-keyword rule the papilla too
    assert re.search(r'^site-word rule\s+0\.5000', printed, re.M)
    assert re.search(r'^4-keyword rule\s+0\.7500', printed, re.M)
    assert len(re.findall(r'^the model: \d misses, \d of them at p > 0\.99$', printed, re.M)) == 2
    metrics = json.loads((tmp_path / 'log' / 'metrics.json').read_text(encoding='utf-8'))
    assert set(metrics['check']) == {check, traditional}
    assert set(metrics['check'][check]) == {'model', '4-keyword rule', 'site-word rule'}
    assert metrics['check'][check]['site-word rule']['accuracy'] == 0.5
    # Traditional script reads as simplified: the same scores and probabilities, for the model and the rules
    assert metrics['check'][traditional] == metrics['check'][check]
    assert set(metrics['calibration']) == {'temperature', 'fitted_on', 'test', check, traditional}
    assert metrics['calibration'][traditional] == metrics['calibration'][check]  # NLL and ECE: the model's probabilities


def test_from_scratch_the_seen_tokens_go_beside_the_weights_and_unseen_ones_read_as_unk(
        tiny_albert_dir, toy_data, tmp_path):
    weights = run_main(tiny_albert_dir, toy_data, tmp_path, '--epochs', '1', '--unk-rate', '0.05')
    seen = (tmp_path / 'weights' / 'model.seen.txt').read_text(encoding='utf-8').split('\n')
    assert '胃' in seen and '[UNK]' in seen and '[CLS]' in seen
    assert '膀' not in seen  # no training text has it
    model, tokenizer = M.load_trained(weights)
    assert isinstance(tokenizer, M.SeenTokenizer)
    unk = tokenizer._token_unk_id
    assert tokenizer.encode('胃膀')[0][1:3] == [tokenizer.token_to_id('胃'), unk]
    # an unseen character is exactly [UNK], so two different unseen ones give the same prediction
    probs = inference.predict_proba(model, tokenizer, ['膀胱结石', '肺胱结石'])
    np.testing.assert_allclose(probs[0], probs[1], rtol=1e-6)


def test_unk_rate_and_span_dropout_change_training_and_stay_reproducible(tiny_albert_dir, toy_data, tmp_path):
    def first_loss(out, *extra):
        run_main(tiny_albert_dir, toy_data, out, '--epochs', '1', '--seed', '3', *extra)
        return float(history(out)[0]['loss'])

    plain = first_loss(tmp_path / 'plain', '--unk-rate', '0', '--span-dropout', '0')
    masked = first_loss(tmp_path / 'masked', '--unk-rate', '0.3', '--span-dropout', '0.9')
    again = first_loss(tmp_path / 'again', '--unk-rate', '0.3', '--span-dropout', '0.9')
    assert masked != plain
    assert masked == again


def test_characters_outside_the_vocabulary_are_not_saved_as_seen():
    # “ is not in the shipped vocabulary: the tokenizer hands it back as itself, yet it reads as [UNK]
    tokenizer = M.load_tokenizer(os.path.join(path.ALBERT_DIR, 'vocab.txt'))
    assert '“' not in tokenizer._token_dict
    seen = M.seen_tokens(tokenizer, ['“横结肠”管状腺瘤'])
    assert '横' in seen and '“' not in seen


def test_a_new_run_moves_the_finished_model_aside_and_overwrite_deletes_it(tiny_albert_dir, toy_data, tmp_path, capsys):
    weights = run_main(tiny_albert_dir, toy_data, tmp_path, '--epochs', '1')
    first = open(weights, 'rb').read()
    capsys.readouterr()
    run_main(tiny_albert_dir, toy_data, tmp_path, '--epochs', '1', '--seed', '5')
    assert 'moved the previous model at' in capsys.readouterr().out
    folder = tmp_path / 'weights'
    backups = sorted(p for p in os.listdir(folder) if p.startswith('model.previous-'))
    assert len(backups) == 1
    kept = folder / backups[0]
    assert sorted(os.listdir(kept)) == ['model.config.json', 'model.h5', 'model.resume', 'model.vocab.txt']
    assert (kept / 'model.h5').read_bytes() == first  # the first model, whole, and it still loads
    M.load_trained(str(kept / 'model.h5'))
    run_main(tiny_albert_dir, toy_data, tmp_path, '--epochs', '1', '--overwrite')
    assert 'deleted the previous model' in capsys.readouterr().out
    assert sorted(p for p in os.listdir(folder) if p.startswith('model.previous-')) == backups


def test_a_plot_that_fails_costs_only_itself_and_continue_fit_can_write_the_report_again(
        tiny_albert_dir, toy_data, tmp_path, capsys, monkeypatch):
    def broken(*args):
        raise RuntimeError('\nno font\nsecond line')  # a first line empty, as matplotlib's parse errors have
    monkeypatch.setattr(evaluation, 'plot_training_curves', broken)
    weights = run_main(tiny_albert_dir, toy_data, tmp_path, '--epochs', '1')
    out = capsys.readouterr().out
    assert f"warning: could not draw {tmp_path / 'images'}/training_curves.png (no font)" in out
    metrics_path = tmp_path / 'log' / 'metrics.json'
    first = json.loads(metrics_path.read_text(encoding='utf-8'))
    assert (tmp_path / 'images' / 'confusion_matrix.png').exists()
    monkeypatch.undo()
    metrics_path.unlink()
    continue_fit.main(['--weights', weights, '--report', '--log-dir', str(tmp_path / 'log'),
                       '--images-dir', str(tmp_path / 'images')])
    again = json.loads(metrics_path.read_text(encoding='utf-8'))
    assert again['test_accuracy'] == first['test_accuracy'] and again['epochs'] == 1
    assert (tmp_path / 'images' / 'training_curves.png').exists()


def test_state_json_round_trips_as_typed_objects(tiny_albert_dir, toy_data, tmp_path):
    weights = run_main(tiny_albert_dir, toy_data, tmp_path, '--epochs', '1')
    settings, progress = trainer.load_state(weights)
    assert isinstance(settings, trainer.Settings) and isinstance(progress, trainer.Progress)
    assert settings.label_names == ['其他', '上消化道', '下消化道'] and settings.batch_size == 8  # run_main's
    trainer.save_state(settings, progress)
    assert trainer.load_state(weights) == (settings, progress)
    assert settings.check == []  # run_main's --check ''
    state_path = tmp_path / 'weights' / 'model.resume' / 'state.json'
    state = json.loads(state_path.read_text(encoding='utf-8'))
    for old, new in (('', []), (toy_data['test'], [toy_data['test']])):  # a run started when --check took one file
        state['settings']['check'] = old
        state_path.write_text(json.dumps(state), encoding='utf-8')
        assert trainer.load_state(weights)[0].check == new
    del state['settings']['label_names']  # a state.json written by hand, or by another version
    state_path.write_text(json.dumps(state), encoding='utf-8')
    with pytest.raises(ValueError, match='label_names'):
        trainer.load_state(weights)


@pytest.mark.parametrize('damage', ['checkpoint data', 'checkpoint index', 'state.json'])
def test_a_corrupt_resume_checkpoint_is_one_line(tiny_albert_dir, toy_data, tmp_path, capsys, damage):
    weights = run_main(tiny_albert_dir, toy_data, tmp_path, '--epochs', '1', '--patience', '5')
    resume = tmp_path / 'weights' / 'model.resume'
    settings, progress = trainer.load_state(weights)
    progress.bad_epochs, settings.epochs = 0, 3  # something left to resume
    trainer.save_state(settings, progress)
    if damage == 'state.json':
        (resume / 'state.json').write_text('{"epoch": 1, "sett', encoding='utf-8')
    else:
        suffix = '.data-00000-of-00001' if damage == 'checkpoint data' else '.index'
        target = resume / f'ckpt-1{suffix}'
        target.write_bytes(b'\0garbage' * 16)
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        continue_fit.main(['--weights', weights, '--log-dir', str(tmp_path / 'log'), '--images-dir', str(tmp_path / 'img')])
    err = capsys.readouterr().err.strip()
    assert stop.value.code == 2 and len(err.splitlines()) == 1 and 'cannot resume' in err, err


def test_a_report_that_cannot_be_written_at_the_end_is_one_line_and_says_how_to_redo_it(
        tiny_albert_dir, toy_data, tmp_path, capsys, monkeypatch):
    real_atomic_open = evaluation.atomic_open

    def full_disk(path, *args, **kwargs):  # the disk fills up just as the report is written
        if path.endswith('metrics.json'):
            raise OSError(28, 'No space left on device')
        return real_atomic_open(path, *args, **kwargs)
    monkeypatch.setattr(evaluation, 'atomic_open', full_disk)
    with pytest.raises(SystemExit) as stop:
        run_main(tiny_albert_dir, toy_data, tmp_path, '--epochs', '1')
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith('error')]  # not the progress bars
    assert stop.value.code == 2 and len(errors) == 1
    assert 'could not write the report (No space left on device)' in errors[0] and 'continue_fit.py --report' in errors[0]
    assert (tmp_path / 'weights' / 'model.h5').exists()  # the model itself is safe


def test_label_smoothing_trains_on_the_smoothed_cross_entropy(tiny_albert_dir):
    import tensorflow as tf
    from bert4keras.backend import keras

    from conftest import LABELS, TEXTS, TOY_LABEL_NAMES
    from data_process import encode
    tf.keras.utils.set_random_seed(1)
    model, _, _ = M.new_model(tiny_albert_dir, TOY_LABEL_NAMES, quiet=True)
    tokenizer = M.load_tokenizer(os.path.join(tiny_albert_dir, 'vocab.txt'))
    labels = np.array(LABELS, dtype='int32')
    token_ids, segment_ids = encode(TEXTS, tokenizer)
    start = model.get_weights()
    losses = {}
    for smoothing in (0.0, 0.2):
        model.set_weights(start)
        step = trainer.make_train_step(model, keras.optimizers.SGD(0.0), gradient_penalty=0.0, label_smoothing=smoothing)
        losses[smoothing], probs = step(token_ids, segment_ids, labels)
    log_probs = np.log(np.clip(probs, 1e-7, 1))
    nll = -log_probs[np.arange(len(labels)), labels]
    assert losses[0.0] == pytest.approx(nll.mean(), rel=1e-4)
    assert losses[0.2] == pytest.approx((0.8 * nll - 0.2 * log_probs.mean(axis=1)).mean(), rel=1e-4)


def test_a_run_on_other_weights_reports_into_its_own_folders(tmp_path):
    assert main.parse_args([]).log_dir == path.LOG_DIR and main.parse_args([]).images_dir == path.IMAGES_DIR
    args = main.parse_args(['--weights', str(tmp_path / 'mine.h5')])
    assert (args.log_dir, args.images_dir) == (os.path.join(path.LOG_DIR, 'mine'), os.path.join(path.IMAGES_DIR, 'mine'))
    args = continue_fit.parse_args(['--weights', 'weights/mine.h5', '--images-dir', str(tmp_path)])
    assert (args.log_dir, args.images_dir) == (os.path.join(path.LOG_DIR, 'mine'), str(tmp_path))


def test_init_from_starts_from_a_trained_model_and_keeps_its_classifier_only_for_the_same_classes(trained_tiny):
    _, _, source_weights = trained_tiny
    source, _ = M.load_trained(source_weights)
    same, _, vocab, kept = M.model_from_trained(source_weights, list(source.label_names))
    assert kept and vocab == path.sidecar_paths(source_weights)[1]
    for a, b in zip(same.get_weights(), source.get_weights()):
        np.testing.assert_array_equal(a, b)
    other, _, _, kept = M.model_from_trained(source_weights, ['a', 'b', 'c', 'd'])
    assert not kept and other.get_layer(M.CLASSIFIER).get_weights()[0].shape[-1] == 4
    for layer in other.layers:
        if layer.weights and layer.name != M.CLASSIFIER:
            for a, b in zip(layer.get_weights(), source.get_layer(layer.name).get_weights()):
                np.testing.assert_array_equal(a, b)


def test_main_init_from_trains_on_and_resumes_with_the_squeezed_schedule(tiny_albert_dir, toy_data, tmp_path, capsys):
    source = run_main(tiny_albert_dir, toy_data, tmp_path / 'source', '--epochs', '1')
    before = M.load_trained(source)[0].get_weights()
    out = tmp_path / 'mine'
    weights = run_main(tiny_albert_dir, toy_data, out, '--epochs', '2', '--patience', '5', '--init-from', source)
    captured = capsys.readouterr()
    printed = captured.out
    assert f'starting from {source}: its body and vocabulary, its classifier (the same classes)' in printed
    # the starting model is scored on the same test split, and a warning says when it does better
    with open(out / 'log' / 'metrics.json', encoding='utf-8') as f:
        metrics = json.load(f)
    test_rows = load_data(toy_data['test'])
    starting, tokenizer = M.load_trained(source)
    predicted = inference.predict_proba(starting, tokenizer, [text for text, _ in test_rows]).argmax(axis=1)
    assert metrics['starting_model_test_accuracy'] == pytest.approx(np.mean(predicted == [y for _, y in test_rows]))
    assert f"the starting model ({source}) scores {metrics['starting_model_test_accuracy']:.6f}" in printed
    better = metrics['starting_model_test_accuracy'] > metrics['test_accuracy']
    assert ('warning: the starting model does better on your test split' in captured.err) == better
    assert 'squeezed to {1: 1.0, 4: 0.1}' in printed  # 2 epochs of 4 steps: the schedule ends by step 4
    settings, progress = trainer.load_state(weights)
    assert settings.init_from == source and settings.lr_schedule == {'1': 1.0, '4': 0.1}  # JSON's keys are strings
    assert not settings.pretrained and settings.unk_rate == 0.0
    # the last step of epoch 1 is step 3 (of 0..3), two thirds of the way down; a tenth from step 4 on
    assert [float(row['lr']) for row in history(out)] == pytest.approx([3e-3 * 0.4, 3e-4])
    after = M.load_trained(weights)[0].get_weights()
    assert any(not np.array_equal(a, b) for a, b in zip(before, after))  # it trained
    np.testing.assert_array_equal(M.load_trained(source)[0].get_weights()[0], before[0])  # the source is untouched
    # resuming rebuilds the same optimiser: one more epoch goes on at the decayed rate
    continue_fit.main(['--weights', weights, '--epochs', '3', '--log-dir', str(out / 'log'), '--images-dir', str(out / 'images')])
    assert float(history(out)[-1]['lr']) == pytest.approx(3e-4) and int(history(out)[-1]['step']) == 12


def test_the_starting_model_is_compared_only_when_it_has_the_same_classes(trained_tiny, toy_data):
    _, _, source_weights = trained_tiny
    test_rows = load_data(toy_data['test'])
    source, _ = M.load_trained(source_weights)
    settings = SimpleNamespace(init_from=source_weights)  # what starting_model_accuracy reads of a run's Settings
    accuracy = evaluation.starting_model_accuracy(settings, test_rows, source.label_names)
    assert 0.0 <= accuracy <= 1.0
    assert evaluation.starting_model_accuracy(settings, test_rows, ['a', 'b', 'c', 'd']) is None
    assert evaluation.starting_model_accuracy(SimpleNamespace(init_from=None), test_rows, source.label_names) is None


def test_init_from_its_own_output_and_mix_in_of_other_classes_are_one_line(tiny_albert_dir, toy_data, tmp_path, capsys):
    source = run_main(tiny_albert_dir, toy_data, tmp_path / 'source', '--epochs', '1')
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main.main(main_argv(tiny_albert_dir, toy_data, tmp_path / 'source', '--init-from', source))
    assert 'is the input file' in capsys.readouterr().err
    other = tmp_path / 'other'
    other.mkdir()
    write_rows(other / 'train.txt', [('胃窦糜烂', 0), ('结肠息肉', 1)])
    (other / 'labels.txt').write_text('0\tA\n1\tB\n', encoding='utf-8')
    with pytest.raises(SystemExit):
        main.main(main_argv(tiny_albert_dir, toy_data, tmp_path / 'mix', '--mix-in', str(other / 'train.txt')))
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and 'its classes (A, B)' in err and '--mix-in needs the same classes' in err


def test_mix_in_adds_the_asked_rows_and_continue_fit_draws_the_same(tiny_albert_dir, toy_data, tmp_path, capsys):
    own = load_data(toy_data['train'])
    extra = tmp_path / 'extra.txt'
    write_rows(extra, [(f'胃窦糜烂第{i}例', 1) for i in range(20)] + [own[0]])
    mixed = mixed_in(own, str(extra), 5, 7, TOY_LABEL_NAMES)  # extra.txt shares the toy data's labels.txt
    assert mixed[:len(own)] == own and len(mixed) == len(own) + 5 and own[0] not in mixed[len(own):]
    assert mixed == mixed_in(own, str(extra), 5, 7, TOY_LABEL_NAMES)  # the seed draws the same rows
    assert mixed != mixed_in(own, str(extra), 5, 8, TOY_LABEL_NAMES)
    weights = run_main(tiny_albert_dir, toy_data, tmp_path, '--epochs', '1', '--mix-in', str(extra), '--mix-in-size', '8')
    assert f'training on {len(own)} texts of {toy_data["train"]} and 8 of {extra}' in capsys.readouterr().out
    settings, _ = trainer.load_state(weights)
    assert len(trainer.load_splits(settings).train) == len(own) + 8


def test_early_stopping_waits_for_the_schedule_to_settle(tiny_albert_dir, toy_data, tmp_path, capsys):
    # 4 steps an epoch, 12 epochs: the schedule {80: 1, 1600: 0.1} squeezed to end at step 24 (epoch 6)
    weights = run_main(tiny_albert_dir, toy_data, tmp_path, '--epochs', '12', '--patience', '1',
                       '--learning-rate', '1e-9')  # a rate that moves nothing: val_loss never falls again
    rows = history(tmp_path)
    assert 'squeezed to {1: 1.0, 24: 0.1}' in capsys.readouterr().out
    # epochs 2-5 end before step 24 and do not count; epoch 6 ends on it and is the one bad epoch allowed
    assert len(rows) == 6 and int(rows[-1]['step']) == 24
    assert trainer.load_state(weights)[1].bad_epochs == 1
