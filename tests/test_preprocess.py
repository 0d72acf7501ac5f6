"""preprocess/generate4label.py and preprocess/data_transfer.py on the shipped examples and on broken CSVs."""
import csv
import os
import re

import pytest

from data_process import load_data
from preprocess import data_transfer, generate4label
from preprocess.label_sheet import clean_text

HERE = os.path.dirname(os.path.abspath(__file__))
EXPORT = os.path.join(HERE, '..', 'preprocess', 'example_export.csv')
LABELLED = os.path.join(HERE, '..', 'preprocess', 'example_labelled.csv')


def write_csv(path, rows, encoding='utf-8-sig'):
    with open(path, 'w', encoding=encoding, newline='') as f:
        csv.writer(f).writerows(rows)
    return str(path)


def run(main, argv, capsys):
    """Run a script's main; returns (exit code, stdout, stderr)."""
    try:
        main(argv)
        code = 0
    except SystemExit as e:
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


# --- clean_text, one rule at a time ---

@pytest.mark.parametrize('raw, cleaned', [
    ('胃窦\r\n散在糜烂', '胃窦散在糜烂'),           # newlines removed, not turned into spaces
    ('胃窦\n散在糜烂\r', '胃窦散在糜烂'),
    ('食管\u3000粘膜光滑', '食管粘膜光滑'),          # full-width space
    ('贲门\t齿状线清', '贲门齿状线清'),              # tab: would break text<TAB>label
    ('胃息肉@已钳除', '胃息肉已钳除'),
    ('胃窦,散在糜烂,蠕动好', '胃窦，散在糜烂，蠕动好'),  # half-width comma to full-width
    ('胆总管结石   ERCP+EST', '胆总管结石 ERCP+EST'),  # run of spaces to one
    ('胃窦 \t 糜烂', '胃窦 糜烂'),                   # removals happen before collapsing
    ('  内痔  ', '内痔'),                            # stripped
    ('\u3000@\t\r\n', ''),
    ('慢性非萎缩性胃炎', '慢性非萎缩性胃炎'),        # clean text unchanged
])
def test_clean_text(raw, cleaned):
    assert clean_text(raw) == cleaned


# --- generate4label ---

def test_generate4label_on_example_export(tmp_path, capsys):
    output = tmp_path / 'to_label.csv'
    code, out, _ = run(generate4label.main, ['--input', EXPORT, '--output', str(output)], capsys)
    assert code == 0
    assert 'read 34 rows (68 cells)' in out
    assert 'kept 58 candidate texts' in out
    assert 'dropped 10: 3 empty, 1 too short (<2 chars), 2 too long (>200 chars), 4 duplicate' in out

    assert output.read_bytes().startswith('\ufeff原文,标签'.encode('utf-8'))  # BOM, so Excel reads UTF-8
    with open(output, encoding='utf-8-sig', newline='') as f:
        rows = list(csv.reader(f))
    assert rows[0] == ['原文', '标签']
    texts = [text for text, _ in rows[1:]]
    assert len(texts) == 58 and len(set(texts)) == 58
    assert all(label == '' for _, label in rows[1:])
    assert all(2 <= len(t) <= 200 for t in texts)
    assert not any(c in t for t in texts for c in '\r\n\t\u3000@,')
    assert '慢性非萎缩性胃炎伴糜烂' in texts and '内痔' in texts  # kept at 2 characters


def test_generate4label_keeps_existing_output(tmp_path, capsys):
    output = tmp_path / 'to_label.csv'
    output.write_text('原文,标签\n胃炎,1\n', encoding='utf-8')
    code, _, err = run(generate4label.main, ['--input', EXPORT, '--output', str(output)], capsys)
    assert code == 2 and '--force' in err
    assert output.read_text(encoding='utf-8') == '原文,标签\n胃炎,1\n'
    code, _, _ = run(generate4label.main, ['--input', EXPORT, '--output', str(output), '--force'], capsys)
    assert code == 0 and output.read_text(encoding='utf-8-sig').count('\n') == 59


def test_generate4label_missing_column(tmp_path, capsys):
    export = write_csv(tmp_path / 'export.csv', [['检查号', '影像表现'], ['1', '胃窦糜烂']])
    code, _, err = run(generate4label.main, ['--input', export, '--output', str(tmp_path / 'o.csv')], capsys)
    assert code == 2
    assert err.strip() == (f'error: {export}:1: missing column 检查诊断 (found: 检查号, 影像表现); '
                           'name yours with --findings-column and --diagnosis-column')
    assert not (tmp_path / 'o.csv').exists()


def test_generate4label_gbk_input(tmp_path, capsys):
    export = write_csv(tmp_path / 'export.csv', [['影像表现', '检查诊断'], ['胃窦,糜烂', '慢性胃炎']], encoding='gbk')
    output = str(tmp_path / 'o.csv')
    code, _, err = run(generate4label.main, ['--input', export, '--output', output], capsys)
    assert code == 2 and f'{export}:1: not valid utf-8-sig' in err and '--encoding gbk' in err
    assert len(err.strip().splitlines()) == 1
    code, out, _ = run(generate4label.main, ['--input', export, '--output', output, '--encoding', 'gbk'], capsys)
    assert code == 0 and 'kept 2' in out
    assert open(output, encoding='utf-8-sig').read().splitlines()[1:] == ['胃窦，糜烂,', '慢性胃炎,']


# --- data_transfer on the example ---

@pytest.fixture
def transferred(tmp_path, capsys):
    out_dir = tmp_path / 'custom'
    code, out, err = run(data_transfer.main, ['--input', LABELLED, '--map', '4:0', '--out-dir', str(out_dir)], capsys)
    assert code == 0, err
    return out_dir, out


def test_data_transfer_splits_8_1_1_stratified(transferred):
    out_dir, out = transferred
    splits = {name: load_data(str(out_dir / f'{name}.txt')) for name in ('train', 'val', 'test', 'all')}
    assert [len(splits[n]) for n in ('train', 'val', 'test', 'all')] == [48, 6, 6, 60]
    for label in range(3):
        total = sum(1 for _, k in splits['all'] if k == label)
        in_train = sum(1 for _, k in splits['train'] if k == label)
        assert total >= 10 and 0.75 <= in_train / total <= 0.85, (label, in_train, total)
        assert all(any(k == label for _, k in splits[n]) for n in ('val', 'test'))
    assert re.search(r'^train\s+12\s+18\s+18\s+48$', out, re.M), out


def test_data_transfer_no_leakage_and_dedup(transferred):
    out_dir, out = transferred
    texts = {n: [t for t, _ in load_data(str(out_dir / f'{n}.txt'))] for n in ('train', 'val', 'test', 'all')}
    train, val, test = set(texts['train']), set(texts['val']), set(texts['test'])
    assert not (train & val) and not (train & test) and not (val & test)
    assert train | val | test == set(texts['all'])
    assert len(texts['all']) == len(set(texts['all']))
    # the labeller's second batch repeats two texts (one with a trailing space): 62 rows, 60 kept
    assert 'read 62 labelled rows' in out and 'dropped 2 duplicates, kept 60 texts' in out
    assert texts['all'].count('慢性非萎缩性胃炎伴糜烂') == 1
    assert 'ERCP术后复查，胆道支架在位' in texts['all']  # cleaned like generate4label cleans


def test_data_transfer_map(transferred, tmp_path, capsys):
    out_dir, out = transferred
    labels = dict(load_data(str(out_dir / 'all.txt')))
    assert labels['检查未完成'] == 0 and labels['图像不清，无法评估'] == 0  # raw label 4
    assert 'mapped labels: 4 -> 0' in out
    # without --map the first 4 (line 58) is an unknown label
    code, _, err = run(data_transfer.main, ['--input', LABELLED, '--out-dir', str(tmp_path / 'x')], capsys)
    assert code == 2 and f"{LABELLED}:58: unknown label '4'" in err and '--map 4:0' in err
    # repeated and comma-separated forms
    labelled = write_csv(tmp_path / 'l.csv', [['原文', '标签'], ['胃炎', 'A'], ['内痔', 'B'], ['ERCP', '5']])
    code, _, err = run(data_transfer.main, ['--input', labelled, '--out-dir', str(tmp_path / 'm'),
                                            '--map', 'A:1,B:2', '--map', '5:0'], capsys)
    assert code == 0, err
    assert sorted(load_data(str(tmp_path / 'm' / 'all.txt'))) == [('ERCP', 0), ('内痔', 2), ('胃炎', 1)]


def test_data_transfer_bad_map(tmp_path, capsys):
    code, _, err = run(data_transfer.main, ['--input', LABELLED, '--map', '4:7', '--out-dir', str(tmp_path)], capsys)
    assert code == 2 and '--map 4:7: 7 is not a class of' in err


def test_data_transfer_rerun_is_identical_and_does_not_append(transferred, tmp_path, capsys):
    out_dir, _ = transferred
    before = {n: (out_dir / f'{n}.txt').read_bytes() for n in ('train', 'val', 'test', 'all')}
    code, _, _ = run(data_transfer.main, ['--input', LABELLED, '--map', '4:0', '--out-dir', str(out_dir)], capsys)
    assert code == 0
    assert {n: (out_dir / f'{n}.txt').read_bytes() for n in before} == before
    code, _, _ = run(data_transfer.main, ['--input', LABELLED, '--map', '4:0', '--out-dir', str(out_dir),
                                          '--seed', '7'], capsys)
    assert code == 0
    assert (out_dir / 'train.txt').read_bytes() != before['train']
    assert (out_dir / 'all.txt').read_bytes() == before['all']


# --- data_transfer errors: one line naming file and line ---

def transfer_error(tmp_path, capsys, rows, encoding='utf-8-sig'):
    labelled = write_csv(tmp_path / 'labelled.csv', rows, encoding)
    code, out, err = run(data_transfer.main, ['--input', labelled, '--out-dir', str(tmp_path / 'out')], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / 'out').exists()
    return labelled, err.strip()


def test_error_missing_column(tmp_path, capsys):
    path, err = transfer_error(tmp_path, capsys, [['原文', '类别'], ['胃炎', '1']])
    assert err == f'error: {path}:1: missing column 标签 (found: 原文, 类别)'


def test_error_unknown_label_counts_multiline_cells(tmp_path, capsys):
    # line 1 header, line 2, lines 3-4 one quoted cell, line 5 the bad label
    path, err = transfer_error(tmp_path, capsys, [['原文', '标签'], ['胃炎', '1'], ['食管\n粘膜光滑', '1'], ['内痔', '3']])
    assert err.startswith(f"error: {path}:5: unknown label '3'")


@pytest.mark.parametrize('label', ['x', '-1', '1.5', '', '①', '²'])
def test_error_bad_labels(tmp_path, capsys, label):
    path, err = transfer_error(tmp_path, capsys, [['原文', '标签'], ['胃炎', '1'], ['内痔', label]])
    assert err.startswith(f'error: {path}:3: ' + ('no label' if label == '' else f'unknown label {label!r}'))


@pytest.mark.parametrize('text', ['', '  ', '@\u3000\t'])
def test_error_empty_text(tmp_path, capsys, text):
    path, err = transfer_error(tmp_path, capsys, [['原文', '标签'], ['胃炎', '1'], ['内痔', '2'], [text, '1']])
    assert err.startswith(f'error: {path}:4: empty text')


def test_error_text_labelled_two_ways(tmp_path, capsys):
    path, err = transfer_error(tmp_path, capsys, [['原文', '标签'], ['胃窦,糜烂', '1'], ['内痔', '2'], ['胃窦，糜烂', '0']])
    assert err.startswith(f'error: {path}:4: text labelled 0 here but 1 at line 2')


def test_error_not_utf8(tmp_path, capsys):
    labelled = tmp_path / 'labelled.csv'
    labelled.write_bytes('原文,标签\n胃炎,1\n'.encode('utf-8') + '内痔,2\n'.encode('gbk'))
    code, _, err = run(data_transfer.main, ['--input', str(labelled), '--out-dir', str(tmp_path / 'out')], capsys)
    assert code == 2
    assert err.strip() == (f'error: {labelled}:3: not valid utf-8-sig '
                           '(an Excel CSV saved on Chinese Windows is usually GBK: try --encoding gbk)')


def test_blank_rows_are_counted_not_errors(tmp_path, capsys):
    labelled = write_csv(tmp_path / 'l.csv', [['原文', '标签'], ['胃炎', '1'], ['', ''], ['内痔', '2'], ['', '']])
    code, out, _ = run(data_transfer.main, ['--input', labelled, '--out-dir', str(tmp_path / 'o')], capsys)
    assert code == 0 and 'read 2 labelled rows' in out and '(2 blank rows skipped)' in out


# --- model-assisted labelling ---

def read_sheet(path_):
    with open(path_, encoding='utf-8-sig', newline='') as f:
        return list(csv.reader(f))


def test_generate4label_with_weights_prelabels_least_confident_first_and_round_trips(trained_tiny, tmp_path, capsys):
    import predict
    _, _, weights = trained_tiny
    output = tmp_path / 'to_label.csv'
    code, out, _ = run(generate4label.main, ['--input', EXPORT, '--output', str(output), '--weights', weights], capsys)
    assert code == 0 and 'kept 58 candidate texts' in out and 'least confident first' in out
    rows = read_sheet(output)
    assert rows[0] == ['原文', '标签', '模型预测', '置信度']
    texts = [row[0] for row in rows[1:]]
    assert len(texts) == 58 and all(row[1] == '' for row in rows[1:])  # the label stays the person's
    probs = predict.predict_proba(texts, weights=weights)
    assert [int(row[2]) for row in rows[1:]] == probs.argmax(axis=1).tolist()
    confidences = [float(row[3]) for row in rows[1:]]
    assert confidences == sorted(confidences)
    assert confidences == pytest.approx(probs.max(axis=1).tolist(), abs=1e-4)

    # the labeller accepts the model's label on the confident half and types another on the rest
    labelled = [[text, guess if i >= 29 else str((int(guess) + 1) % 3), guess, confidence]
                for i, (text, _, guess, confidence) in enumerate(rows[1:])]
    sheet = write_csv(tmp_path / 'labelled.csv', [rows[0]] + labelled)
    code, out, err = run(data_transfer.main, ['--input', sheet, '--out-dir', str(tmp_path / 'out')], capsys)
    assert code == 0, err
    assert sorted(load_data(str(tmp_path / 'out' / 'all.txt'))) == sorted((row[0], int(row[1])) for row in labelled)

    # --suspects: the rows whose label the model contradicts, the most confident contradiction first
    suspects = tmp_path / 'suspects.csv'
    code, out, err = run(data_transfer.main, ['--input', sheet, '--suspects', str(suspects), '--weights', weights,
                                              '--suspect-confidence', '0.4', '--out-dir', str(tmp_path / 'unused')], capsys)
    assert code == 0, err
    expected = sorted((i for i in range(29) if float(labelled[i][3]) >= 0.4), key=lambda i: -float(labelled[i][3]))
    found = read_sheet(suspects)
    assert found[0] == ['原文', '标签', '模型预测', '置信度']
    assert sorted(row[:3] for row in found[1:]) == sorted(labelled[i][:3] for i in expected)  # the person's label too
    confidences = [float(row[3]) for row in found[1:]]
    assert confidences == sorted(confidences, reverse=True) and min(confidences) >= 0.4
    assert f'{len(expected)} of 58 labelled texts are contradicted' in out
    assert not (tmp_path / 'unused').exists()  # a check, no splits written


def test_suspects_needs_weights(tmp_path, capsys):
    code, _, err = run(data_transfer.main, ['--input', LABELLED, '--map', '4:0', '--suspects', str(tmp_path / 's.csv')],
                       capsys)
    assert code == 2 and '--suspects FILE and --weights W go together' in err


def test_suspects_refuses_other_classes_and_never_writes_over_the_labels(trained_tiny, tmp_path, capsys):
    _, _, weights = trained_tiny
    sheet = write_csv(tmp_path / 'l.csv', [['原文', '标签'], ['内痔', '2'], ['胃炎', '1']])
    labels = tmp_path / 'labels.txt'
    labels.write_text('0\t其他\n1\t下消化道\n2\t上消化道\n', encoding='utf-8')  # the same count, other meanings
    code, _, err = run(data_transfer.main, ['--input', sheet, '--labels', str(labels), '--suspects',
                                            str(tmp_path / 's.csv'), '--weights', weights], capsys)
    assert code == 2 and "are not those of" in err and not (tmp_path / 's.csv').exists()
    before = labels.read_bytes()
    code, _, err = run(data_transfer.main, ['--input', sheet, '--labels', str(labels), '--suspects', str(labels),
                                            '--weights', weights], capsys)
    assert code == 2 and 'is the input file' in err and labels.read_bytes() == before


# --- cells Excel would run as a formula (CSV injection) ---

FORMULA_TEXTS = ["=cmd|' /C calc'!A0 胃窦糜烂", '+1+2', "-2+3+cmd|' /C calc'!A0", '=HYPERLINK("http://example.com"，"胃镜报告")',
                 '- 胃窦糜烂，幽门螺杆菌阳性', "'-2+3 已带引号", "''=1+1", "'普通引号开头", '胃窦糜烂']


@pytest.mark.parametrize('text', FORMULA_TEXTS + ['@SUM(A1)', '\t=1+1', '\r=1+1', "'", ''])
def test_a_formula_like_cell_is_quoted_and_read_back_exactly(text):
    from utils.spreadsheet import FORMULA_STARTS, from_spreadsheet_cell, spreadsheet_cell
    written = spreadsheet_cell(text)
    assert not written.startswith(FORMULA_STARTS)
    assert written == (text if not text.lstrip("'").startswith(FORMULA_STARTS) else "'" + text)  # only a quote added
    assert from_spreadsheet_cell(written) == text


def assert_text_cells(rows, tmp_path):
    """Every cell of the rows, put into a workbook as a spreadsheet takes a typed cell, is stored as text, not a formula."""
    import openpyxl
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(tmp_path / 'opened.xlsx')
    cells = [cell for row in openpyxl.load_workbook(tmp_path / 'opened.xlsx').active.iter_rows() for cell in row]
    assert [cell.data_type for cell in cells if cell.value is not None] == ['s'] * sum(bool(c) for row in rows for c in row)
    assert not any(str(c).startswith(('=', '+', '-', '@', '\t', '\r')) for row in rows for c in row)


def test_generate4label_quotes_formula_cells_and_data_transfer_reads_the_texts_back(tmp_path, capsys):
    export = write_csv(tmp_path / 'export.csv', [['影像表现', '检查诊断'], *[[text, ''] for text in FORMULA_TEXTS]])
    sheet = tmp_path / 'to_label.csv'
    code, _, err = run(generate4label.main, ['--input', export, '--output', str(sheet)], capsys)
    assert code == 0, err
    rows = read_sheet(sheet)
    assert [row[0] for row in rows[1:]] == ["'=cmd|' /C calc'!A0 胃窦糜烂", "'+1+2", "'-2+3+cmd|' /C calc'!A0",
                                            """'=HYPERLINK("http://example.com"，"胃镜报告")""",
                                            "'- 胃窦糜烂，幽门螺杆菌阳性", "''-2+3 已带引号", "'''=1+1", "'普通引号开头", '胃窦糜烂']
    assert_text_cells(rows, tmp_path)

    labelled = write_csv(tmp_path / 'labelled.csv', [rows[0]] + [[text, str(i % 3)] for i, (text, _) in enumerate(rows[1:])])
    code, _, err = run(data_transfer.main, ['--input', labelled, '--out-dir', str(tmp_path / 'out')], capsys)
    assert code == 0, err
    assert sorted(load_data(str(tmp_path / 'out' / 'all.txt'))) == sorted((text, i % 3) for i, text in enumerate(FORMULA_TEXTS))


def test_the_suspects_sheet_quotes_formula_cells(tmp_path, capsys, monkeypatch):
    import numpy as np

    import inference
    texts = ["=cmd|' /C calc'!A0 胃窦糜烂", '- 内痔', '胃炎']
    monkeypatch.setattr(inference, 'model_guesses_or_fail',
                        lambda weights, texts_: (np.array([2, 1, 0]), np.array([0.99, 0.98, 0.97]), ['其他', '上消化道', '下消化道']))
    sheet = write_csv(tmp_path / 'l.csv', [['原文', '标签'], [texts[0], '1'], [texts[1], '2'], [texts[2], '1']])
    suspects = tmp_path / 's.csv'
    code, _, err = run(data_transfer.main, ['--input', sheet, '--suspects', str(suspects), '--weights', str(tmp_path / 'm.h5')],
                       capsys)
    assert code == 0, err
    rows = read_sheet(suspects)
    assert rows[1:] == [["'=cmd|' /C calc'!A0 胃窦糜烂", '1', '2', '0.9900'], ["'- 内痔", '2', '1', '0.9800'],
                        ['胃炎', '1', '0', '0.9700']]
    assert_text_cells(rows, tmp_path)
