"""--help of every script: it runs, and shows path defaults as a user types them, not as absolute paths."""
import importlib

import pytest

import path

SCRIPTS = ['main', 'continue_fit', 'predict', 'feature_importance', 'export', 'batch_predict']


@pytest.mark.parametrize('name', SCRIPTS)
def test_help_shows_path_defaults_relative_to_the_working_folder(name, capsys, monkeypatch):
    monkeypatch.chdir(path.ROOT)
    script = importlib.import_module(name)
    with pytest.raises(SystemExit) as exit_info:
        script.parse_args(['--help'])
    assert exit_info.value.code == 0
    shown = ' '.join(capsys.readouterr().out.split())  # argparse wraps long lines
    assert 'usage:' in shown and path.ROOT not in shown
    assert '(default: weights/albert_tiny.h5)' in shown or name == 'batch_predict'


def test_help_of_a_path_outside_the_working_folder_stays_absolute(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit):
        importlib.import_module('predict').parse_args(['--help'])
    assert f'(default: {path.WEIGHTS_PATH})' in ' '.join(capsys.readouterr().out.split())
