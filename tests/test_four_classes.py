"""A dataset with four classes goes through every script with no code edit: the classes and their
names come from labels.txt beside the data, and travel with the weights."""
import csv
import json

import pytest

import continue_fit
import data_statistics
import feature_importance
import main
import predict
from conftest import TOY_ROWS, write_rows

pytestmark = pytest.mark.slow  # trains or runs a whole pipeline (make test-fast leaves it out)

NAMES = ('其他', '上消化道', '下消化道', '肝脏')
LIVER = ['肝囊肿', '脂肪肝', '肝血管瘤', '肝硬化', '肝内钙化灶', '肝右叶占位', '肝功能异常', '肝脓肿', '肝左叶囊肿', '酒精性肝病']
ROWS = {**TOY_ROWS, 3: LIVER}


def test_four_classes_train_predict_explain_and_describe(tiny_albert_dir, tmp_path, capsys):
    rows = [(text, label) for label, texts in ROWS.items() for text in texts]
    data = tmp_path / 'data'
    data.mkdir()
    (data / 'labels.txt').write_text(''.join(f'{k}\t{name}\n' for k, name in enumerate(NAMES)), encoding='utf-8')
    train = write_rows(data / 'train.txt', rows)
    val = write_rows(data / 'val.txt', [(text + '。', label) for text, label in rows[::5]])
    test = write_rows(data / 'test.txt', [(text + '，', label) for text, label in rows[2::5]])
    weights = str(tmp_path / 'weights' / 'model.h5')
    common = ['--log-dir', str(tmp_path / 'log'), '--images-dir', str(tmp_path / 'images')]

    main.main(['--train', train, '--val', val, '--test', test, '--albert-dir', tiny_albert_dir,
               '--weights', weights, '--epochs', '2', '--batch-size', '8', '--learning-rate', '3e-3', *common])
    out = capsys.readouterr().out
    assert '4 classes: 其他, 上消化道, 下消化道, 肝脏' in out and '3 肝脏' in out  # the final report's table
    assert 'out-of-distribution check' not in out  # the shipped check set is written for the shipped classes
    metrics = json.loads((tmp_path / 'log' / 'metrics.json').read_text(encoding='utf-8'))
    assert list(metrics['per_class']) == list(NAMES) and len(metrics['confusion_matrix']) == 4
    saved = json.loads((tmp_path / 'weights' / 'model.config.json').read_text(encoding='utf-8'))
    assert saved['label_names'] == list(NAMES) and saved['num_classes'] == 4 and saved['maxlen'] == 200

    continue_fit.main(['--weights', weights, '--report', *common])  # the resume path reads the same classes
    assert '3 肝脏' in capsys.readouterr().out

    predictions = tmp_path / 'predictions.tsv'
    predict.main(['--input', test, '--output', str(predictions), '--weights', weights])
    out = capsys.readouterr().out
    assert 'accuracy' in out and '3 肝脏' in out
    with open(predictions, encoding='utf-8') as f:
        table = list(csv.DictReader(f, delimiter='\t'))
    assert list(table[0])[-5:] == ['prob_0', 'prob_1', 'prob_2', 'prob_3', 'truncated']
    assert all(row['label_name'] == NAMES[int(row['label'])] for row in table)
    assert predict.label_names(weights) == NAMES

    feature_importance.main(['--input', test, '--weights', weights, '--steps', '4', '--heatmaps', '1',
                             '--target', '3', *common])
    out = capsys.readouterr().out
    assert 'top keywords of texts predicted 3 肝脏' in out
    header = (tmp_path / 'log' / 'keywords.tsv').read_text(encoding='utf-8').splitlines()[0]
    assert header == 'keyword\tcount\tcount_0\tcount_1\tcount_2\tcount_3\tmean_score\tshare'
    assert '<th>肝脏</th>' in (tmp_path / 'log' / 'feature_importance.html').read_text(encoding='utf-8')

    data_statistics.main(['--input', train, val, test, '--images-dir', str(tmp_path / 'images')])
    out = capsys.readouterr().out
    assert '3 肝脏' in out and 'no keyword rule' in out
