"""predict.py: the API and the command line on a tiny saved model."""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import model as M
import inference
import path
import predict
from conftest import LABELS, TEXTS, TOY_LABEL_NAMES, write_rows


@pytest.fixture
def weights(trained_tiny):
    return trained_tiny[2]


def run_cli(capsys, *argv):
    predict.main(list(argv))
    return capsys.readouterr()


def test_api_predictions_are_probabilities_in_input_order(weights):
    probs = predict.predict_proba(TEXTS, weights=weights, batch_size=4)
    assert probs.shape == (len(TEXTS), 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    # one at a time, no batching or sorting involved
    single = np.stack([predict.predict_proba([text], weights=weights)[0] for text in TEXTS])
    np.testing.assert_allclose(probs, single, atol=1e-5)
    assert predict.multi_predict(TEXTS, weights=weights, batch_size=4) == probs.argmax(axis=1).tolist()
    assert predict.predict(TEXTS[0], weights=weights) == int(probs[0].argmax())
    assert predict.multi_predict([], weights=weights) == []
    assert len(set(predict.multi_predict(TEXTS, weights=weights))) > 1, 'the trained toy model predicts one class only'


def test_a_bare_string_is_refused_rather_than_read_as_characters(weights):
    for call in (predict.multi_predict, predict.predict_proba):
        with pytest.raises(TypeError, match='one string'):
            call('内痔出血', weights=weights)
    assert predict.multi_predict(('内痔出血',), weights=weights) == [predict.predict('内痔出血', weights=weights)]


def test_multi_predict_has_no_length_cap(weights):
    texts = [TEXTS[i % len(TEXTS)] for i in range(600)]  # the original stopped at 512
    assert predict.multi_predict(texts, weights=weights, batch_size=256) == \
        predict.multi_predict(TEXTS, weights=weights) * 20


def test_cli_file_output_agrees_with_the_api_and_keeps_input_order(weights, tmp_path, capsys):
    # mixed lengths in a non-sorted order, labelled: the CLI must also report accuracy
    rows = [(TEXTS[i] * (1 + i % 3), LABELS[i]) for i in (5, 27, 1, 13, 20, 8, 2, 29)]
    source = write_rows(tmp_path / 'in.txt', rows)
    output = tmp_path / 'out' / 'predictions.tsv'
    printed = run_cli(capsys, '--input', source, '--output', str(output), '--weights', weights, '--batch-size', '3').out
    lines = output.read_text(encoding='utf-8').splitlines()
    assert lines[0] == 'text\tlabel\tlabel_name\tprob_0\tprob_1\tprob_2\ttruncated'
    fields = [line.split('\t') for line in lines[1:]]
    assert [f[0] for f in fields] == [text for text, _ in rows]
    expected = predict.multi_predict([text for text, _ in rows], weights=weights)
    assert [int(f[1]) for f in fields] == expected
    assert [f[2] for f in fields] == [TOY_LABEL_NAMES[k] for k in expected]
    assert all(abs(sum(float(p) for p in f[3:6]) - 1) < 1e-4 for f in fields)
    accuracy = np.mean(np.array(expected) == [label for _, label in rows])
    assert f'accuracy {accuracy:.6f} on 8 labelled texts' in printed
    assert 'precision' in printed and 'confusion matrix' in printed


def test_cli_texts_and_jsonl_on_stdout(weights, tmp_path, capsys):
    printed = run_cli(capsys, TEXTS[0], TEXTS[15], '--weights', weights).out.splitlines()
    expected = predict.multi_predict([TEXTS[0], TEXTS[15]], weights=weights)
    assert [int(line.split('\t')[0]) for line in printed] == expected
    assert [line.split('\t')[1] for line in printed] == [TOY_LABEL_NAMES[k] for k in expected]

    source = tmp_path / 'plain.txt'
    source.write_text('\n'.join(TEXTS[:4]) + '\n', encoding='utf-8')
    records = [json.loads(line) for line in
               run_cli(capsys, '--input', str(source), '--format', 'jsonl', '--weights', weights).out.splitlines()]
    assert [r['text'] for r in records] == TEXTS[:4]
    assert [r['label'] for r in records] == predict.multi_predict(TEXTS[:4], weights=weights)
    assert all(len(r['probs']) == 3 for r in records)


def test_empty_lines_are_errors_unless_skipped(weights, tmp_path, capsys):
    source = tmp_path / 'gaps.txt'
    source.write_text(f'{TEXTS[0]}\n\n{TEXTS[1]}\n', encoding='utf-8')
    with pytest.raises(SystemExit) as stop:
        run_cli(capsys, '--input', str(source), '--weights', weights)
    assert stop.value.code == 2
    assert capsys.readouterr().err.strip() == f'error: {source}:2: empty text (use --skip-empty to skip empty lines)'
    result = run_cli(capsys, '--input', str(source), '--weights', weights, '--skip-empty')
    assert len(result.out.splitlines()) == 3  # header + 2 predictions
    assert 'skipped 1 empty lines' in result.err


def test_long_texts_are_truncated_with_one_warning(weights, tmp_path, capsys):
    source = write_rows(tmp_path / 'long.txt', [('胃窦粘膜充血' * 40, 1), ('内痔' * 120, 2), ('胆囊结石', 0)])
    result = run_cli(capsys, '--input', source, '--weights', weights)
    assert result.err.count('warning') == 1
    assert '2 texts longer than 198 characters were truncated' in result.err
    assert len(result.out.splitlines()) == 4
    # and each such text says so in its own row
    assert [line.split('\t')[-1] for line in result.out.splitlines()] == ['truncated', '1', '1', '0']
    jsonl = run_cli(capsys, '--input', source, '--weights', weights, '--format', 'jsonl').out.splitlines()
    assert [json.loads(line)['truncated'] for line in jsonl] == [True, True, False]


@pytest.mark.parametrize('content,message', [
    (b'', 'no texts to predict (the input is empty)'),
    ('胃炎\n'.encode() + '内痔\n'.encode('gbk'), ':2: not valid UTF-8'),
])
def test_bad_input_gives_one_clear_line(weights, tmp_path, capsys, content, message):
    source = tmp_path / 'bad.txt'
    source.write_bytes(content)
    with pytest.raises(SystemExit) as stop:
        run_cli(capsys, '--input', str(source), '--weights', weights)
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err and str(source) in err


def test_missing_weights_say_to_train_first(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        run_cli(capsys, '胃炎', '--weights', str(tmp_path / 'none.h5'))
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and 'none.h5 not found: train a model first' in err


def test_importing_predict_loads_no_model():
    code = 'import sys; import predict; print("tensorflow" in sys.modules)'
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         cwd=os.path.dirname(predict.path.__file__)).stdout.strip()
    assert out == 'False'


def test_weights_without_a_config_give_one_line(trained_tiny, tmp_path, capsys):
    lone = tmp_path / 'lone.h5'
    shutil.copy(trained_tiny[2], lone)  # no .config.json / .vocab.txt beside it
    with pytest.raises(SystemExit) as stop:
        run_cli(capsys, '胃炎', '--weights', str(lone), '--albert-dir', str(tmp_path / 'no_such_dir'))
    err = capsys.readouterr().err.strip()
    assert stop.value.code == 2 and len(err.splitlines()) == 1 and 'lone.h5: cannot load this model' in err


@pytest.mark.parametrize('damage', ['vocabulary one line short', 'config of another size', 'config with more classes',
                                    'config with more layers', 'config with other heads', 'maxlen not a number',
                                    'maxlen missing', 'label names not a list'])
def test_a_model_that_does_not_match_its_files_is_refused_in_one_line(trained_tiny, tmp_path, capsys, damage):
    weights = tmp_path / 'copy.h5'
    shutil.copy(trained_tiny[2], weights)
    config_path, vocab_path = path.sidecar_paths(str(weights))
    source_config, source_vocab = path.sidecar_paths(trained_tiny[2])
    shutil.copy(source_config, config_path)
    shutil.copy(source_vocab, vocab_path)
    config = json.loads(open(config_path, encoding='utf-8').read())
    if damage == 'vocabulary one line short':
        with open(vocab_path, encoding='utf-8') as f:
            lines = list(f)  # as bert4keras reads it: by '\n' (str.splitlines also cuts at \x1c, \x85 …)
        with open(vocab_path, 'w', encoding='utf-8') as f:
            f.writelines(lines[:-1])
        expected = f'has {len(lines) - 1} lines, the config says vocab_size {len(lines)}'
    elif damage == 'config of another size':
        config['albert_config']['hidden_size'] *= 2
        expected = 'cannot load this model'
    elif damage == 'config with more classes':
        config['num_classes'] += 1
        expected = 'cannot load this model'
    elif damage == 'maxlen not a number':
        config['maxlen'] = '200'
        expected = "maxlen '200' is not an integer in 3..512"
    elif damage == 'maxlen missing':
        del config['maxlen']
        expected = "copy.config.json has no 'maxlen'"
    elif damage == 'label names not a list':
        config['label_names'] = 'abc'
        expected = 'label_names must be a list of names'
    elif damage == 'config with more layers':  # same weight shapes: ALBERT shares its layers
        config['albert_config']['num_hidden_layers'] += 1
        expected = f"says num_hidden_layers {config['albert_config']['num_hidden_layers']}, the weights were trained with"
    else:
        config['albert_config']['num_attention_heads'] = 1
        expected = 'says num_attention_heads 1, the weights were trained with'
    if damage != 'vocabulary one line short':
        open(config_path, 'w', encoding='utf-8').write(json.dumps(config))
    with pytest.raises(SystemExit) as stop:
        run_cli(capsys, '胃炎', '--weights', str(weights))
    err = capsys.readouterr().err.strip()
    assert stop.value.code == 2 and len(err.splitlines()) == 1 and expected in err, err


def test_a_labelled_file_with_a_bad_label_says_why_there_is_no_accuracy(trained_tiny, tmp_path, capsys):
    source = tmp_path / 'labelled.txt'
    source.write_text('胃窦黏膜充血\t1\n内痔\t②\n胆总管结石\t0\n', encoding='utf-8')
    predict.main(['--input', str(source), '--output', str(tmp_path / 'out.tsv'), '--weights', trained_tiny[2]])
    captured = capsys.readouterr()
    assert f"no accuracy report: {source}:2: label '②' is not an integer in 0..2" in captured.err
    assert 'accuracy' not in captured.out
    plain = tmp_path / 'plain.txt'
    plain.write_text('胃窦黏膜充血\n内痔\n', encoding='utf-8')
    predict.main(['--input', str(plain), '--output', str(tmp_path / 'out2.tsv'), '--weights', trained_tiny[2]])
    assert 'no accuracy report' not in capsys.readouterr().err  # plain texts: nothing to report


def test_prediction_uses_the_maxlen_and_names_saved_with_the_model(trained_tiny, tmp_path):
    weights = tmp_path / 'short.h5'
    shutil.copy(trained_tiny[2], weights)
    config_path, vocab_path = path.sidecar_paths(str(weights))
    shutil.copy(path.sidecar_paths(trained_tiny[2])[1], vocab_path)
    saved = json.loads(open(path.sidecar_paths(trained_tiny[2])[0], encoding='utf-8').read())
    saved['maxlen'], saved['label_names'] = 8, ['甲', '乙', '丙']  # as if trained with another config.py
    open(config_path, 'w', encoding='utf-8').write(json.dumps(saved))
    long_text = '胃窦粘膜充血水肿伴糜烂，予活检'
    probs = predict.predict_proba([long_text, long_text[:6]], weights=str(weights))
    np.testing.assert_allclose(probs[0], probs[1], atol=1e-6)  # cut to 8 tokens: [CLS] + 6 characters + [SEP]
    assert predict.label_names(str(weights)) == ('甲', '乙', '丙')


def test_a_file_streams_through_in_chunks_with_the_same_output(weights, tmp_path, capsys, monkeypatch):
    rows = [(TEXTS[i % len(TEXTS)] + '。' * (i % 5), LABELS[i % len(TEXTS)]) for i in range(47)]
    source = write_rows(tmp_path / 'many.txt', rows)
    outputs = {}
    for chunk in (10000, 7):  # one chunk, and seven chunks of 7 (the last one short)
        monkeypatch.setattr(predict.config, 'PREDICT_CHUNK_TEXTS', chunk)
        out = tmp_path / f'out{chunk}.tsv'
        predict.main(['--input', source, '--output', str(out), '--weights', weights])
        outputs[chunk] = (out.read_text(encoding='utf-8'), capsys.readouterr().out.replace(str(out), 'OUT'))
    # the same texts and labels in input order, and the same accuracy report; the probabilities may differ in
    # the last digit, since the batches hold other texts (the CPU's matrix kernels depend on a batch's shape)
    assert outputs[7][1] == outputs[10000][1]
    chunked, whole = ([line.split('\t') for line in outputs[chunk][0].splitlines()] for chunk in (7, 10000))
    assert [row[:3] for row in chunked] == [row[:3] for row in whole]
    np.testing.assert_allclose([[float(p) for p in row[3:]] for row in chunked[1:]],
                               [[float(p) for p in row[3:]] for row in whole[1:]], atol=1e-5)
    lines = outputs[7][0].splitlines()
    assert len(lines) == 48 and [line.split('\t')[0] for line in lines[1:]] == [text for text, _ in rows]
    assert 'accuracy' in outputs[7][1] and 'on 47 labelled texts' in outputs[7][1]


def test_int8_precision_follows_float32_through_the_api_and_the_cli(weights, tmp_path, capsys):
    texts = TEXTS + [TEXTS[3] * 5, 'ERCP：胆总管结石，取石术后。', 'Hp(+)，CEA 5.2ng/ml，胃窦溃疡A1期']
    float32 = predict.predict_proba(texts, weights=weights)
    int8 = predict.predict_proba(texts, weights=weights, batch_size=5, precision='int8')
    assert int8.shape == float32.shape
    np.testing.assert_allclose(int8.sum(axis=1), 1.0, rtol=1e-5)
    # int8 matrix products: close to float32's probabilities, not equal to them
    assert 0 < np.abs(int8 - float32).max() < 0.02
    assert predict.multi_predict(texts, weights=weights, precision='int8') == int8.argmax(axis=1).tolist()
    output = tmp_path / 'int8.tsv'
    run_cli(capsys, '--input', write_rows(tmp_path / 'in.txt', [(t, 0) for t in texts]), '--output', str(output),
            '--weights', weights, '--precision', 'int8')
    rows = [line.split('\t') for line in output.read_text(encoding='utf-8').splitlines()[1:]]
    np.testing.assert_allclose([[float(p) for p in row[3:6]] for row in rows], int8, atol=1e-6)


def test_tflite_float32_copy_gives_the_keras_model_probabilities(trained_tiny):
    # what is converted is inference.make_forward's graph: its gathers and slices must mean the same in TensorFlow Lite
    model, tokenizer, _ = trained_tiny
    texts = TEXTS[:10] + [TEXTS[0] * 7]
    keras_probs = inference.predict_proba(model, tokenizer, texts, predict_fn=inference.keras_predict_fn(model))
    tflite_probs = inference.predict_proba(model, tokenizer, texts, predict_fn=inference.tflite_predict_fn(model, quantize=False))
    np.testing.assert_allclose(tflite_probs, keras_probs, atol=1e-5)
    with pytest.raises(ValueError, match='unknown precision'):
        inference.make_predict_fn(model, 'int4')


def test_a_text_is_cut_into_clauses_at_its_separators():
    assert inference.clauses('胃镜：胃炎。肠镜：内痔，已套扎；') == ['胃镜：胃炎', '肠镜：内痔', '已套扎']
    assert inference.clauses('胆囊结石') == ['胆囊结石']
    assert inference.clauses('。，') == ['。，']  # nothing but separators: the text itself


class ClausePredictor:
    """A predictor that knows each clause's label, to check how named_tracts puts clauses together."""
    LABELS = {'胃炎': 1, '十二指肠溃疡': 1, '内痔': 2, '直肠息肉': 2, '胆囊结石': 0, '已切除': 0}

    def __init__(self, label_names=TOY_LABEL_NAMES):
        self.model = type('Model', (), {'label_names': label_names})

    def predict_proba(self, texts, batch_size):
        return np.eye(3)[[self.LABELS[text] for text in texts]]


def test_named_tracts_collects_the_tracts_of_the_clauses():
    texts = ['胃炎，内痔', '胃炎；十二指肠溃疡', '直肠息肉，已切除', '胆囊结石。已切除', '内痔，胃炎。胆囊结石']
    assert inference.named_tracts(ClausePredictor(), texts) == ['1+2', '1', '2', '', '1+2']
    with pytest.raises(ValueError, match='tracts are labels 1 and 2 of the shipped classes'):
        inference.named_tracts(ClausePredictor(('a', 'b', 'c', 'd')), texts)


def test_tracts_on_the_command_line_and_in_python(weights, tmp_path, capsys):
    texts = [TEXTS[0], f'{TEXTS[0]}，{TEXTS[-1]}']
    expected = predict.tracts(texts, weights=weights)
    assert all(named in ('', '1', '2', '1+2') for named in expected)
    # each clause predicted on its own: the tracts of the joined text are those of its two parts
    parts = predict.tracts([TEXTS[0], TEXTS[-1]], weights=weights)
    assert expected[1] == '+'.join(sorted(set('+'.join(parts).split('+')) - {''}))
    printed = run_cli(capsys, *texts, '--tracts', '--weights', weights).out.splitlines()
    assert [line.split('\t')[-2] for line in printed] == [f'tracts={named}' for named in expected]

    source = write_rows(tmp_path / 'in.txt', [(text, 1) for text in texts])
    out = tmp_path / 'out.tsv'
    err = run_cli(capsys, '--input', source, '--output', str(out), '--tracts', '--weights', weights).err
    rows = [line.split('\t') for line in out.read_text(encoding='utf-8').splitlines()]
    assert rows[0][-2:] == ['tracts', 'truncated'] and [row[-2] for row in rows[1:]] == expected
    assert f"{expected.count('1+2')} of 2 texts name both tracts (tracts 1+2)" in err
    records = [json.loads(line) for line in
               run_cli(capsys, '--input', source, '--format', 'jsonl', '--tracts', '--weights', weights).out.splitlines()]
    assert [r['tracts'] for r in records] == expected


def test_classifier_gives_a_dataframe_with_the_series_index_in_one_pass(weights, monkeypatch):
    import pandas as pd
    series = pd.Series(TEXTS[:5] + ['胃' * 300], index=[f'r{i}' for i in range(6)], name='报告')
    series.index.name = 'id'
    clf = predict.Classifier.load(weights)
    passes = []
    real = clf.predictor.predict_proba
    monkeypatch.setattr(clf.predictor, 'predict_proba', lambda *a, **k: passes.append(1) or real(*a, **k))
    result = clf.predict(series, min_confidence=0.99)
    assert len(passes) == 1
    assert list(result.index) == list(series.index) and result.index.name == 'id'
    probs = predict.predict_proba(list(series), weights=weights)
    np.testing.assert_allclose(result[[f'prob_{k}' for k in range(3)]].to_numpy(), probs, atol=1e-6)
    assert list(result['label']) == list(probs.argmax(axis=1))
    assert list(result['label_name']) == [TOY_LABEL_NAMES[k] for k in probs.argmax(axis=1)]
    assert list(result['unsure']) == list(probs.max(axis=1) < 0.99)
    assert list(result['truncated']) == [False] * 5 + [True]
    assert clf.label_names == TOY_LABEL_NAMES


@pytest.mark.parametrize('bad, problem', [(float('nan'), 'NaN'), (None, 'None'), ('', 'empty'), ('  \t', 'only spaces or control'),
                                          ('\x00', 'only spaces or control'), (3, 'a int, not a string')])
def test_classifier_names_the_row_of_a_text_that_is_not_one_or_skips_it(weights, bad, problem):
    import pandas as pd
    clf = predict.Classifier.load(weights)
    with pytest.raises(ValueError, match=f'row 1: the text is {problem}'):
        clf.predict([TEXTS[0], bad, TEXTS[1]])
    series = pd.Series([TEXTS[0], bad, TEXTS[1]], index=[10, 11, 12], dtype=object)
    with pytest.raises(ValueError, match=f'row 11: the text is {problem}'):
        clf.predict(series)
    skipped = clf.predict(series, skip_empty=True)
    assert list(skipped.index) == [10, 12] and list(skipped['text']) == [TEXTS[0], TEXTS[1]]
    with pytest.raises(TypeError):
        clf.predict('内痔出血')


def test_an_empty_or_blank_text_is_refused_everywhere_not_given_a_confident_label(weights, tmp_path, capsys):
    for bad in ['', '   ', '\x00', '\t\n']:
        with pytest.raises(ValueError, match='text 1: is'):
            predict.multi_predict(['内痔', bad], weights=weights)
        with pytest.raises(ValueError, match='text 0: is'):
            predict.predict(bad, weights=weights)
    with pytest.raises(SystemExit):
        predict.main(['--weights', weights, '内痔', '   '])
    err = capsys.readouterr().err
    assert err.strip() == 'error: text 2 is only spaces or control characters: nothing to classify'  # one line
    nul = tmp_path / 'nul.txt'
    nul.write_text('内痔\n\x00\n', encoding='utf-8')
    with pytest.raises(SystemExit):
        predict.main(['--weights', weights, '--input', str(nul), '--output', str(tmp_path / 'out.tsv')])
    assert f'{nul}:2: empty text (use --skip-empty to skip empty lines)' in capsys.readouterr().err
    predict.main(['--weights', weights, '--input', str(nul), '--output', str(tmp_path / 'out.tsv'), '--skip-empty'])
    assert (tmp_path / 'out.tsv').read_text(encoding='utf-8').count('\n') == 2  # header and 内痔


@pytest.mark.parametrize('name', ['texts.txt', 'table.csv'])
def test_an_unreadable_input_is_one_line(weights, tmp_path, capsys, unreadable, name):
    source = tmp_path / name
    source.write_text('text\n胃炎\n' if name.endswith('.csv') else '胃炎\n', encoding='utf-8')
    unreadable(source)
    with pytest.raises(SystemExit) as stop:
        predict.main(['--input', str(source), '--output', str(tmp_path / 'out.tsv'), '--weights', weights])
    err = capsys.readouterr().err.strip()
    assert stop.value.code == 2 and err == f'error: {source}: cannot read it (Permission denied)'
    assert not (tmp_path / 'out.tsv').exists()


def test_the_coverage_plot_of_a_file_with_dollar_signs_in_its_name_is_drawn(weights, tmp_path, capsys):
    source = tmp_path / '$a$ x$_$y.txt'  # mathtext would fail on the pair around _ in the plot's title
    write_rows(source, list(zip(TEXTS, LABELS)))
    plot = tmp_path / 'coverage.png'
    printed = run_cli(capsys, '--input', str(source), '--output', str(tmp_path / 'out.tsv'), '--min-confidence', '0.5',
                      '--coverage-plot', str(plot), '--weights', weights)
    assert plot.exists() and f'wrote {plot}' in printed.out and 'warning' not in printed.err
