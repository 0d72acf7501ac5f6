"""Atomic writes: a set of files changes together, and interrupted writes leave nothing behind for good."""
import os
import subprocess
import sys

import pytest

from data_process import load_data, write_dataset
from utils.files import _writer_tag


def test_a_failed_set_leaves_every_old_file_as_it_was(tmp_path):
    write_dataset(tmp_path, {'train': [('胃炎', 1)], 'val': [('内痔', 2)], 'test': [('肝囊肿', 0)]})
    before = {name: (tmp_path / name).read_bytes() for name in ('train.txt', 'val.txt', 'test.txt')}

    def broken():
        yield ('食管炎', 1)
        raise RuntimeError('disk full')
    with pytest.raises(RuntimeError):
        write_dataset(tmp_path, {'train': [('直肠息肉', 2)], 'val': [('胆囊炎', 0)], 'test': broken()})
    assert {name: (tmp_path / name).read_bytes() for name in before} == before
    assert sorted(os.listdir(tmp_path)) == ['test.txt', 'train.txt', 'val.txt']  # no temporary files
    write_dataset(tmp_path, {'train': [('直肠息肉', 2)], 'val': [('胆囊炎', 0)], 'test': [('胃溃疡', 1)]})
    assert load_data(str(tmp_path / 'test.txt'), warn=False) == [('胃溃疡', 1)]


def test_temporary_files_of_dead_writers_are_cleaned_and_live_ones_kept(tmp_path):
    dead = subprocess.Popen([sys.executable, '-c', 'pass'])
    dead.wait()
    host = _writer_tag().partition('@')[2]
    stale = tmp_path / f'.train.txt.tmp{dead.pid}@{host}.abc123.txt'
    live = tmp_path / f'.train.txt.tmp{os.getpid()}@{host}.def456.txt'  # a write in progress (this process)
    elsewhere = tmp_path / f'.train.txt.tmp{dead.pid}@another-machine.jkl012.txt'  # a shared folder's other writer
    other = tmp_path / f'.val.txt.tmp{dead.pid}@{host}.ghi789.txt'  # another output's: not this write's business
    for p in (stale, live, elsewhere, other):
        p.write_text('half', encoding='utf-8')
    write_dataset(str(tmp_path), {'train': [('胃炎', 1)]})
    assert not stale.exists() and live.exists() and elsewhere.exists() and other.exists()
