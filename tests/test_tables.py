"""An analyst's own files: CSV, TSV and .xlsx tables read by column, through predict.py, feature_importance.py
and generate4label.py."""
import csv

import openpyxl
import pytest

import feature_importance as FI
import predict
import tables
from conftest import TEXTS
from data_process import DataError
from preprocess import generate4label

HEADER = ['编号', '检查类型', '报告']


def write_csv(path_, rows, delimiter=',', encoding='utf-8-sig'):
    with open(path_, 'w', encoding=encoding, newline='') as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return str(path_)


def write_xlsx(path_, rows, title='报告单'):
    workbook = openpyxl.Workbook()
    workbook.active.title = title
    for row in rows:
        workbook.active.append(row)
    workbook.save(path_)
    return str(path_)


@pytest.fixture
def weights(trained_tiny):
    return trained_tiny[2]


def test_csv_tsv_and_xlsx_give_the_same_header_rows_and_lines(tmp_path):
    rows = [HEADER, ['1', '胃镜', '胃窦糜烂，\n幽门螺杆菌阳性'], ['2', '肠镜', '乙状结肠息肉'], ['3', '', '']]
    read = {kind: tables.read_table(path_) for kind, path_ in (
        ('csv', write_csv(tmp_path / 'a.csv', rows)), ('tsv', write_csv(tmp_path / 'a.tsv', rows, '\t')))}
    assert read['csv'][0] == read['tsv'][0] == HEADER
    assert [cells for _, cells in read['csv'][1]] == [cells for _, cells in read['tsv'][1]] == rows[1:]
    assert [line for line, _ in read['csv'][1]] == [2, 4, 5]  # a quoted cell over two lines: the next record is on 4
    # the workbook's header is its first row; numbers read as Excel shows them
    workbook_rows = tables.read_table(write_xlsx(tmp_path / 'b.xlsx', [HEADER, [1, '胃镜', '胃窦糜烂，\n幽门螺杆菌阳性'],
                                                                       [2.0, '肠镜', '乙状结肠息肉'], [3, None, None]]))[1]
    assert [cells for _, cells in workbook_rows] == rows[1:] and [line for line, _ in workbook_rows] == [2, 3, 4]
    assert tables.cell_text(3.0) == '3' and tables.cell_text(2.5) == '2.5' and tables.cell_text(None) == ''


def test_a_table_that_cannot_be_read_is_one_line_naming_the_file(tmp_path):
    workbook = write_xlsx(tmp_path / 'a.xlsx', [HEADER, ['1', '胃镜', '胃炎']])
    disguised = tmp_path / 'export.csv'
    disguised.write_bytes(open(workbook, 'rb').read())
    gbk = tmp_path / 'gbk.csv'
    gbk.write_bytes('报告\n胃炎\n'.encode('gbk'))
    broken = tmp_path / 'broken.xlsx'
    broken.write_bytes(b'not a zip')
    for file, kwargs, message in [
            (disguised, {}, 'this is an Excel workbook, not a CSV; name it .xlsx'),
            (gbk, {}, ':1: not valid utf-8-sig (an Excel CSV saved on Chinese Windows is usually GBK: try --encoding gbk)'),
            (broken, {}, 'not a readable .xlsx workbook'),
            (workbook, {'sheet': 'x'}, "no sheet 'x' (sheets: 报告单)"),
            (tmp_path / 'missing.csv', {}, 'file not found')]:
        with pytest.raises(DataError, match=message.replace('(', r'\(').replace(')', r'\)')):
            tables.read_table(str(file), **kwargs)
    assert tables.read_table(str(gbk), encoding='gbk') == (['报告'], [(2, ['胃炎'])])
    with pytest.raises(DataError, match=r"3 columns \(编号, 检查类型, 报告\); name the one holding the text with --column"):
        tables.column_texts(workbook)
    with pytest.raises(DataError, match=r":1: no column '诊断' \(found: 编号, 检查类型, 报告\)"):
        tables.column_texts(workbook, '诊断')


def test_a_header_line_is_recognised_and_a_report_is_not():
    assert tables.looks_like_header('影像表现,检查诊断') and tables.looks_like_header('text\tlabel')
    assert tables.looks_like_header('原文')
    assert not tables.looks_like_header('慢性胃炎') and not tables.looks_like_header('诊断：慢性胃炎')


def test_predict_keeps_every_column_and_adds_the_models(weights, tmp_path, capsys):
    export = write_csv(tmp_path / 'reports.csv', [HEADER, ['1', '胃镜', TEXTS[0]], ['2', '肠镜', TEXTS[1]],
                                                   ['3', 'CT', ''], ['4', '其他', TEXTS[2]]])
    out = tmp_path / 'out.csv'
    with pytest.raises(SystemExit):
        predict.main(['--weights', weights, '--input', export, '--column', '报告', '--output', str(out)])
    assert f'{export}:4: column 报告: the text is empty' in capsys.readouterr().err and not out.exists()
    predict.main(['--weights', weights, '--input', export, '--column', '报告', '--output', str(out), '--skip-empty',
                  '--min-confidence', '0.5'])
    with open(out, encoding='utf-8-sig', newline='') as f:
        written = list(csv.reader(f))
    assert written[0] == HEADER + ['label', 'label_name', 'prob_0', 'prob_1', 'prob_2', 'unsure', 'truncated']
    assert [row[:3] for row in written[1:]] == [['1', '胃镜', TEXTS[0]], ['2', '肠镜', TEXTS[1]], ['3', 'CT', ''],
                                               ['4', '其他', TEXTS[2]]]
    expected = predict.multi_predict([TEXTS[0], TEXTS[1], TEXTS[2]], weights=weights)
    assert [int(written[r][3]) for r in (1, 2, 4)] == expected and written[3][3:] == [''] * 7
    assert 'skipped 1 rows with an empty text' in capsys.readouterr().err
    # a workbook, to a TSV on stdout; a column named like one of the model's gets a suffix
    workbook = write_xlsx(tmp_path / 'r.xlsx', [['label', '报告'], ['x', TEXTS[0]]])
    predict.main(['--weights', weights, '--input', workbook, '--column', '报告'])
    header, row = capsys.readouterr().out.splitlines()
    assert header.split('\t')[:4] == ['label', '报告', 'label_predicted', 'label_name']
    assert row.split('\t')[:3] == ['x', TEXTS[0], str(expected[0])]


def test_predict_warns_when_a_plain_file_starts_with_a_header(weights, tmp_path, capsys):
    source = tmp_path / 'reports.txt'
    source.write_text('影像表现,检查诊断\n' + TEXTS[0] + '\n', encoding='utf-8')
    predict.main(['--weights', weights, '--input', str(source), '--output', str(tmp_path / 'out.tsv')])
    assert f'warning: {source}:1 looks like a header (影像表现,检查诊断)' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        predict.main(['--weights', weights, '--input', '-', '--column', '报告'])
    assert 'read a table from a file, not from stdin' in capsys.readouterr().err


@pytest.mark.slow
def test_feature_importance_explains_a_tables_column(weights, tmp_path, capsys):
    export = write_xlsx(tmp_path / 'reports.xlsx', [HEADER, *[[str(i), '胃镜', text] for i, text in enumerate(TEXTS[:4])]])
    FI.main(['--input', export, '--column', '报告', '--weights', weights, '--steps', '4', '--heatmaps', '0',
             '--log-dir', str(tmp_path / 'log'), '--images-dir', str(tmp_path / 'img')])
    assert 'over 4 texts' in capsys.readouterr().out
    attributions = (tmp_path / 'log' / 'attributions.tsv').read_text(encoding='utf-8').splitlines()[1:]
    assert [line.split('\t')[0] for line in attributions] == TEXTS[:4]


def test_generate4label_reads_a_workbook_with_its_own_column_names(tmp_path, capsys):
    export = write_xlsx(tmp_path / 'export.xlsx', [['检查号', '检查所见', '诊断'], ['1', '胃窦粘膜充血', '慢性胃炎'],
                                                  ['2', '直肠见息肉', '']])
    sheet = tmp_path / 'to_label.csv'
    generate4label.main(['--input', export, '--output', str(sheet), '--findings-column', '检查所见',
                         '--diagnosis-column', '诊断'])
    with open(sheet, encoding='utf-8-sig', newline='') as f:
        assert [row[0] for row in csv.reader(f)] == ['原文', '胃窦粘膜充血', '慢性胃炎', '直肠见息肉']
    with pytest.raises(SystemExit):
        generate4label.main(['--input', export, '--output', str(tmp_path / 'x.csv')])
    assert 'name yours with --findings-column and --diagnosis-column' in capsys.readouterr().err
