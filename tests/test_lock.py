"""One training run per weights path: an OS lock that dies with its process."""
import os
import signal
import subprocess
import sys
import time

import pytest

import continue_fit
import main
from utils.files import LockedError, run_lock

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOLD = ("import sys, time; sys.path.insert(0, {root!r}); from utils.files import run_lock\n"
        "with run_lock({weights!r}):\n    print('locked', flush=True); time.sleep(60)\n")


@pytest.fixture
def other_run(tmp_path):
    """A separate process holding the lock of tmp_path/model.h5, as a live main.py would."""
    weights = str(tmp_path / 'model.h5')
    process = subprocess.Popen([sys.executable, '-c', HOLD.format(root=ROOT, weights=weights)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == 'locked'
    yield weights, process
    process.kill()
    process.wait()


@pytest.mark.parametrize('script', [main, continue_fit])
def test_a_second_run_on_the_same_weights_stops_at_once_naming_the_first(other_run, capsys, script):
    weights, process = other_run
    started = time.time()
    with pytest.raises(SystemExit) as stop:
        script.main(['--weights', weights])
    assert stop.value.code == 2 and time.time() - started < 5
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f'pid {process.pid}' in err and 'in use by a training run' in err


def test_the_lock_dies_with_a_killed_run(other_run):
    weights, process = other_run
    with pytest.raises(LockedError):
        with run_lock(weights):
            pass
    process.send_signal(signal.SIGKILL)
    process.wait()
    with run_lock(weights):  # the lock file is still there, the lock is not
        assert os.path.exists(os.path.splitext(weights)[0] + '.lock')


def test_one_lock_for_every_weights_file_that_shares_the_sidecars(other_run):
    weights, _ = other_run  # model.h5 is locked; model.hdf5 shares model.config.json and model.resume/
    with pytest.raises(LockedError):
        with run_lock(os.path.splitext(weights)[0] + '.hdf5'):
            pass


def test_other_weights_are_not_locked(other_run, tmp_path):
    with run_lock(str(tmp_path / 'other.h5')):
        pass
