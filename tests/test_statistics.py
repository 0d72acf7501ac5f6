"""data_statistics.py: the keyword rule, the printed tables and the histogram."""
import os
import re
import shutil
import sys

import pytest

import data_statistics
import path as path_module
from baselines import KEYWORD_RULES, keyword_rule, keyword_rules_for, original_keyword_rule

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TRAIN = [
    ('慢性非萎缩性胃炎伴糜烂', 1),
    ('反流性食管炎(LA-A级)', 1),
    ('乙状结肠息肉（已摘除）', 2),
    ('内痔', 2),
    ('胆总管结石ERCP+EST', 0),
    ('十二指肠镜进镜至十二指肠乳头，胆管插管成功', 0),  # the rule says 1
    ('克罗恩病？', 2),                                   # the rule says 0
    ('慢性非萎缩性胃炎伴糜烂', 1),                      # repeated within train
]
VAL = [('胃溃疡(A1期)', 1), ('结肠憩室', 2)]
TEST = [('球囊扩张术，异物取出术', 0), ('内痔', 2)]  # 内痔 is in train too


@pytest.mark.parametrize('text, label', [
    ('慢性非萎缩性胃炎伴糜烂', 1),
    ('食管距门齿30cm见纵行糜烂', 1),
    ('十二指肠球部溃疡(A1期)', 1),
    ('乙状结肠息肉（已摘除）', 2),
    ('肝曲见一亚蒂息肉', 2),
    ('内痔', 2),
    ('肛门指检未触及肿物', 2),
    ('胆总管结石ERCP+EST+胆道塑料支架置入术', 0),
    ('球囊扩张术，异物取出术', 0),
    ('胃镜及结肠镜均未见明显异常', 0),             # both tracts
    ('肠道准备差，建议清肠后复查', 0),             # a colonoscopy text naming no site
    ('十二指肠镜进镜至十二指肠乳头，胆管插管成功', 1),  # the ERCP trap the rule falls into
])
def test_keyword_rule(text, label):
    assert keyword_rule(text) == label


@pytest.mark.parametrize('text, label', [
    ('慢性非萎缩性胃炎伴糜烂', 1),
    ('食管距门齿30cm见纵行糜烂', 1),
    ('乙状结肠息肉（已摘除）', 2),
    ('肛门指检未触及肿物', 2),
    ('肠道准备差，建议清肠后复查', 2),   # 肠 alone counts here
    ('十二指肠球部溃疡(A1期)', 2),        # but 十二指肠 holds 肠: wrong
    ('内痔', 0),                         # no keyword of the four
    ('胃镜及结肠镜均未见明显异常', 0),    # both
    ('胆总管结石ERCP+EST', 0),
])
def test_original_keyword_rule(text, label):
    assert original_keyword_rule(text) == label


@pytest.fixture
def dataset(tmp_path):
    paths = []
    for name, rows in (('train.txt', TRAIN), ('val.txt', VAL), ('test.txt', TEST)):
        path = tmp_path / name
        path.write_text(''.join(f'{t}\t{k}\n' for t, k in rows), encoding='utf-8')
        paths.append(str(path))
    shutil.copy(path_module.LABELS_PATH, tmp_path / 'labels.txt')  # as data_transfer.py writes it
    return paths


def test_main_prints_tables_and_writes_histogram(dataset, tmp_path, capsys):
    images = tmp_path / 'images'
    data_statistics.main(['--input', *dataset, '--images-dir', str(images)])
    out = capsys.readouterr().out

    assert re.search(r'^train\.txt\s+2 \(25\.0%\)\s+3 \(37\.5%\)\s+3 \(37\.5%\)\s+8\s+66\.7%$', out, re.M), out
    assert re.search(r'^total\s+3 \(25\.0%\)\s+4 \(33\.3%\)\s+5 \(41\.7%\)\s+12\s+100\.0%$', out, re.M), out
    assert re.search(r'^val\.txt\s+2\s+4\s+6\.0\s+6\.0', out, re.M), out  # n, min, median, mean
    assert 'train.txt: 1 repeated rows (1 distinct texts), 0 texts with two labels' in out
    assert 'train.txt & test.txt: 1 texts in both\n    内痔\n' in out
    assert 'train.txt & val.txt: 0 texts in both' in out
    assert re.search(r'^胃\s+0 \(0\.0%\)\s+3 \(75\.0%\)\s+0 \(0\.0%\)\s+3 \(25\.0%\)$', out, re.M), out
    assert re.search(r'^ERCP\s+1 \(33\.3%\)\s+0 \(0\.0%\)\s+0 \(0\.0%\)\s+1 \(8\.3%\)$', out, re.M), out
    # 10 of 12 right; recall 2/3 for 0, 4/4 for 1, 4/5 for 2
    assert re.search(r'^all\s+0\.8333\s+0\.6667\s+1\.0+\s+0\.80*$', out, re.M), out
    assert 'the floor any model must beat: keyword-rule accuracy 0.8333 on all 12 texts' in out

    png = images / 'length_histogram.png'
    assert png.read_bytes().startswith(b'\x89PNG') and png.stat().st_size > 10_000
    assert [p.name for p in images.iterdir()] == ['length_histogram.png']  # no temporary file left


def test_main_bad_file_is_one_line_error(dataset, tmp_path, capsys):
    bad = tmp_path / 'bad.txt'
    bad.write_text('内痔\t2\n胃炎\t3\n', encoding='utf-8')
    with pytest.raises(SystemExit) as e:
        data_statistics.main(['--input', dataset[0], str(bad), '--images-dir', str(tmp_path)])
    assert e.value.code == 2
    assert capsys.readouterr().err == f"error: {bad}:2: label '3' is not an integer in 0..2\n"


def test_no_top_level_module_shadows_the_standard_library():
    # e.g. a statistics.py here would be imported by seaborn instead of Python's own
    shadowing = [f for f in os.listdir(ROOT) if f.endswith('.py') and f[:-3] in sys.stdlib_module_names]
    assert shadowing == []


def test_keyword_rules_apply_only_to_the_shipped_classes():
    assert keyword_rules_for(['其他', '上消化道', '下消化道']) == KEYWORD_RULES
    assert keyword_rules_for(['0', '1', '2']) == {}  # three classes, but not known to be these
    assert keyword_rules_for(['其他', '上消化道', '下消化道', '肝脏']) == {}


def test_the_format_of_each_label_is_measured():
    rows = [('胃炎', 1), ('胃窦糜烂，充血。', 1), ('内痔', 2), ('直肠息肉3枚', 2), ('肝：囊肿，10mm', 0)]
    table = data_statistics.format_table(rows, ['其他', '上消化道', '下消化道'])
    assert list(table['texts']) == [1, 2, 2]
    assert list(table['mean length']) == [9.0, 5.0, 4.0]
    assert table.loc['0 其他', 'punctuation /100'] == round(100 * 2 / 9, 2)  # ： and ，
    assert table.loc['2 下消化道', 'digits /100'] == round(100 * 1 / 8, 2)
    assert table.loc['1 上消化道', 'with ，'] == '50.0%' and table.loc['0 其他', 'with ，'] == '100.0%'
