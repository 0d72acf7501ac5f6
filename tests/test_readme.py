"""README.md's quick start runs as written: every ```console command and every ```python block.

They run in a copy of the repository whose albert_tiny_google_zh/ holds the tiny test config and
whose weights/albert_tiny.h5 is the tiny trained model, so that each takes seconds; `python` is
this test's interpreter. Plain ``` blocks (make train, make test, outputs) are not run.
"""
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

import path
from conftest import TINY_ALBERT_CONFIG

pytestmark = pytest.mark.slow

README = os.path.join(path.ROOT, 'README.md')
# what the scripts write (git-ignored): the copy starts without them
OUTPUTS = {path.ROOT: ('weights', 'log', 'images'), path.DATA_DIR: ('custom', 'to_label.csv')}


def runnable_blocks():
    """[(kind, text)] of README.md's ```console and ```python blocks, in order."""
    with open(README, encoding='utf-8') as f:
        return re.findall(r'^```(console|python)\n(.*?)^```$', f.read(), re.M | re.S)


def commands(console):
    """The `$ command` lines of a console block (a trailing backslash continues a line)."""
    return [line[2:] for line in console.replace('\\\n', '').splitlines() if line.startswith('$ ')]


@pytest.fixture
def repository(tmp_path, trained_tiny):
    """A copy of the repository with the tiny config and the tiny trained model as the defaults, and a
    folder with a `python` that is this interpreter."""
    copy = tmp_path / 'repository'
    skip = {'.git', '.venv', '__pycache__', '.pytest_cache'}
    shutil.copytree(path.ROOT, copy, ignore=lambda folder, names: [
        name for name in names if name in skip or name in OUTPUTS.get(folder, ())])
    (copy / 'albert_tiny_google_zh' / 'albert_config.json').write_text(json.dumps(TINY_ALBERT_CONFIG))
    (copy / 'weights').mkdir()
    for source in path.model_files(trained_tiny[2]):
        if os.path.exists(source):
            suffix = os.path.basename(source)[len('model'):]  # .h5, .config.json, .vocab.txt
            shutil.copy(source, copy / 'weights' / f'albert_tiny{suffix}')
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    (bin_dir / 'python').write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n')
    (bin_dir / 'python').chmod(0o755)
    env = {key: value for key, value in os.environ.items() if key != 'PYTHONPATH'}
    env['PATH'] = f'{bin_dir}{os.pathsep}{env["PATH"]}'
    return copy, env


def test_the_readme_has_a_quick_start_to_run():
    kinds = [kind for kind, _ in runnable_blocks()]
    assert kinds.count('python') >= 1 and kinds.count('console') >= 3
    assert any('predict.py' in command for kind, text in runnable_blocks() if kind == 'console'
               for command in commands(text))


def test_every_command_and_python_block_of_the_readme_runs(repository):
    copy, env = repository
    has_beam = importlib.util.find_spec('apache_beam') is not None
    ran = 0
    for kind, text in runnable_blocks():
        if kind == 'python':
            runs = [[sys.executable, '-c', text]]
        else:
            runs = [['bash', '-c', command] for command in commands(text)
                    if has_beam or 'batch_predict.py' not in command]
        for argv in runs:
            result = subprocess.run(argv, cwd=copy, env=env, capture_output=True, text=True, timeout=120)
            assert result.returncode == 0, f'{argv[-1]}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}'
            ran += 1
    assert ran >= 8
    assert (copy / 'log' / 'test_predictions.tsv').exists() and (copy / 'weights' / 'custom.h5').exists()
