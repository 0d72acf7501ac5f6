"""An output that names an input file stops the script before any work (issue: nothing lost)."""
import os

import pytest

import data_statistics
import feature_importance
import predict
from preprocess import data_transfer, generate4label
from utils.files import OverwriteError, check_not_an_input, same_file

LABELLED = '胃窦黏膜充血\t1\n内痔\t2\n胆总管结石\t0\n'


def links(tmp_path, source):
    """The ways a path can name `source`: itself, a symlink, a hard link."""
    symlink, hardlink = tmp_path / 'symlink.txt', tmp_path / 'hardlink.txt'
    os.symlink(source, symlink)
    os.link(source, hardlink)
    return {'same path': str(source), 'symlink': str(symlink), 'hard link': str(hardlink)}


def stops_before_work(capsys, call, source, before):
    with pytest.raises(SystemExit) as stop:
        call()
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and 'is the input file' in err, err
    assert open(source, 'rb').read() == before  # untouched


def test_same_file_sees_links_and_not_yet_written_paths(tmp_path):
    source = tmp_path / 'a.txt'
    source.write_text('x', encoding='utf-8')
    for way, name in links(tmp_path, source).items():
        assert same_file(name, str(source)), way
    assert same_file(str(tmp_path / 'sub' / '..' / 'a.txt'), str(source))
    assert not same_file(str(tmp_path / 'b.txt'), str(source))
    check_not_an_input(['-', str(tmp_path / 'b.txt')], [str(source), '-', None])  # no error
    with pytest.raises(OverwriteError):
        check_not_an_input([str(tmp_path / 'b.txt'), str(source)], [str(source)])


@pytest.mark.parametrize('way', ['same path', 'symlink', 'hard link'])
def test_predict_never_writes_over_its_input(tmp_path, capsys, way):
    source = tmp_path / 'labelled.txt'
    source.write_text(LABELLED, encoding='utf-8')
    output = links(tmp_path, source)[way]
    # no model exists at --weights: the guard comes before loading it
    stops_before_work(capsys, lambda: predict.main(['--input', str(source), '--output', output,
                                                    '--weights', str(tmp_path / 'none.h5')]),
                      source, LABELLED.encode('utf-8'))


def test_feature_importance_never_writes_over_its_input(tmp_path, capsys):
    source = tmp_path / 'keywords.tsv'
    source.write_text(LABELLED, encoding='utf-8')
    stops_before_work(capsys, lambda: feature_importance.main(['--input', str(source), '--log-dir', str(tmp_path),
                                                               '--weights', str(tmp_path / 'none.h5')]),
                      source, LABELLED.encode('utf-8'))


def test_data_statistics_never_writes_over_its_input(tmp_path, capsys):
    source = tmp_path / 'length_histogram.png'
    source.write_text(LABELLED, encoding='utf-8')
    stops_before_work(capsys, lambda: data_statistics.main(['--input', str(source), '--images-dir', str(tmp_path)]),
                      source, LABELLED.encode('utf-8'))


def test_generate4label_never_writes_over_the_export_even_with_force(tmp_path, capsys):
    source = tmp_path / 'export.csv'
    export = '影像表现,检查诊断\n胃窦黏膜充血水肿,慢性胃炎\n'.encode('utf-8')
    source.write_bytes(export)
    link = links(tmp_path, source)['symlink']
    stops_before_work(capsys, lambda: generate4label.main(['--input', str(source), '--output', link, '--force']),
                      source, export)


def test_data_transfer_never_writes_a_split_over_its_input(tmp_path, capsys):
    source = tmp_path / 'train.txt'
    labelled = '原文,标签\n胃窦黏膜充血,1\n'.encode('utf-8')
    source.write_bytes(labelled)
    stops_before_work(capsys, lambda: data_transfer.main(['--input', str(source), '--out-dir', str(tmp_path)]),
                      source, labelled)


def unwritable_calls(tmp_path):
    """Each script with one output folder that cannot be made (a plain file stands where it should be)."""
    blocker = tmp_path / 'a-file'
    blocker.write_text('x', encoding='utf-8')
    bad = str(blocker / 'sub')
    labelled = tmp_path / 'in.txt'
    labelled.write_text(LABELLED, encoding='utf-8')
    csv = tmp_path / 'in.csv'
    csv.write_text('原文,标签\n胃窦黏膜充血,1\n', encoding='utf-8')
    export = tmp_path / 'export.csv'
    export.write_text('影像表现,检查诊断\n胃窦黏膜充血水肿,慢性胃炎\n', encoding='utf-8')
    import continue_fit
    import main
    from preprocess import synthesize
    none = str(tmp_path / 'none.h5')
    return {
        'main.py --log-dir': lambda: main.main(['--log-dir', bad, '--weights', none]),
        'main.py --weights': lambda: main.main(['--weights', bad + '/m.h5']),
        'continue_fit.py --images-dir': lambda: continue_fit.main(['--images-dir', bad, '--weights', none]),
        'predict.py --output': lambda: predict.main(['--input', str(labelled), '--output', bad + '/p.tsv', '--weights', none]),
        'feature_importance.py --images-dir': lambda: feature_importance.main(['--input', str(labelled), '--images-dir', bad,
                                                                              '--weights', none]),
        'data_statistics.py --images-dir': lambda: data_statistics.main(['--input', str(labelled), '--images-dir', bad]),
        'generate4label.py --output': lambda: generate4label.main(['--input', str(export), '--output', bad + '/o.csv']),
        'data_transfer.py --out-dir': lambda: data_transfer.main(['--input', str(csv), '--out-dir', bad]),
        'synthesize.py --out-dir': lambda: synthesize.main(['--out-dir', bad, '--size', '100']),
    }


@pytest.mark.parametrize('case', [
    'main.py --log-dir', 'main.py --weights', 'continue_fit.py --images-dir', 'predict.py --output',
    'feature_importance.py --images-dir', 'data_statistics.py --images-dir', 'generate4label.py --output',
    'data_transfer.py --out-dir', 'synthesize.py --out-dir'])
def test_an_output_folder_that_cannot_be_written_stops_the_script_at_start(tmp_path, capsys, case):
    with pytest.raises(SystemExit) as stop:
        unwritable_calls(tmp_path)[case]()
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and 'a-file/sub' in err and 'cannot write there' in err, err


@pytest.mark.parametrize('script, args, message', [
    ('feature_importance', ['--top', '0'], 'argument --top: 0 is below 1'),
    ('feature_importance', ['--limit', '0'], 'argument --limit: 0 is below 1'),
    ('feature_importance', ['--heatmaps', '-1'], 'argument --heatmaps: -1 is below 0'),
    ('predict', ['--batch-size', '0', '胃炎'], 'argument --batch-size: 0 is below 1'),
    ('continue_fit', ['--extra-epochs', '0'], 'argument --extra-epochs: 0 is below 1'),
    ('continue_fit', ['--epochs', 'x'], "argument --epochs: 'x' is not an integer"),
    ('main', ['--learning-rate', '0'], 'argument --learning-rate: 0 must be above 0'),
])
def test_numeric_flags_are_range_checked(capsys, script, args, message):
    import importlib
    with pytest.raises(SystemExit) as stop:
        importlib.import_module(script).main(args)
    assert stop.value.code == 2 and message in capsys.readouterr().err


def test_main_never_writes_a_model_over_its_data_and_refuses_a_folder_as_weights(tmp_path, capsys):
    import main
    train = tmp_path / 'train.h5'  # an odd name, but a data file all the same
    train.write_text(LABELLED, encoding='utf-8')
    stops_before_work(capsys, lambda: main.main(['--train', str(train), '--weights', str(train), '--overwrite']),
                      train, LABELLED.encode('utf-8'))
    with pytest.raises(SystemExit) as stop:
        main.main(['--weights', str(tmp_path) + '/'])
    assert stop.value.code == 2 and 'not a folder' in capsys.readouterr().err


def test_predict_never_writes_over_the_model_and_not_into_a_folder(tmp_path, capsys):
    weights = tmp_path / 'model.h5'
    weights.write_bytes(b'weights')
    source = tmp_path / 'in.txt'
    source.write_text(LABELLED, encoding='utf-8')
    stops_before_work(capsys, lambda: predict.main(['--input', str(source), '--output', str(weights),
                                                    '--weights', str(weights)]), weights, b'weights')
    with pytest.raises(SystemExit) as stop:
        predict.main(['--input', str(source), '--output', str(tmp_path), '--weights', str(weights)])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and 'is a folder, not a file name' in err and len(err.strip().splitlines()) == 1
