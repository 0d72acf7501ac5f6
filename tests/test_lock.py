"""One training run per weights path: an OS lock that dies with its process."""
import os
import signal
import subprocess
import sys
import time

import pytest

import continue_fit
import main
import predict
import utils.files as files
from utils.files import LockedError, run_lock

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOLD = ("import sys, time; sys.path.insert(0, {root!r}); from utils.files import run_lock\n"
        "with run_lock({weights!r}):\n    print('locked', flush=True); time.sleep(60)\n")

# A run that got in while the lock file was gone: its own lock file, locked, in the place of the first's (renamed
# onto it, so that the first run's watcher cannot lock a new one in between, as it would within a second)
TAKE_OVER = ("import fcntl, os, time\nfd = os.open({lock!r} + '.new', os.O_RDWR | os.O_CREAT)\n"
             "fcntl.flock(fd, fcntl.LOCK_EX)\nos.write(fd, f'pid {{os.getpid()}}\\n'.encode())\n"
             "os.rename({lock!r} + '.new', {lock!r})\nprint('locked', flush=True)\ntime.sleep(60)\n")


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


def wait_for(condition, seconds=10):
    deadline = time.time() + seconds
    while not condition() and time.time() < deadline:
        time.sleep(0.05)
    return condition()


def test_a_deleted_lock_file_is_locked_again_and_a_second_run_still_stops(other_run):
    weights, process = other_run
    lock_file = os.path.splitext(weights)[0] + '.lock'
    os.remove(lock_file)  # "the file means nothing by itself": someone tidies up
    wait_for(lambda: os.path.exists(lock_file))
    with pytest.raises(LockedError, match=f'pid {process.pid}'):
        with run_lock(weights):
            pass


def test_a_run_whose_lock_file_another_run_took_stops_before_saving(tmp_path):
    weights = str(tmp_path / 'model.h5')
    with run_lock(weights, every=3600):  # no watcher in time: the second run gets in first
        os.remove(os.path.splitext(weights)[0] + '.lock')
        second = subprocess.Popen([sys.executable, '-c', HOLD.format(root=ROOT, weights=weights)], stdout=subprocess.PIPE,
                                  text=True)
        try:
            assert second.stdout.readline().strip() == 'locked'
            with pytest.raises(LockedError) as lost:
                files.check_run_lock(weights)
        finally:
            second.kill()
            second.wait()
    message = str(lost.value)
    assert f'pid {second.pid}' in message and 'stops without saving' in message and '\n' not in message


def test_predict_never_writes_over_the_run_lock(tmp_path, capsys):
    weights, source = tmp_path / 'model.h5', tmp_path / 'in.txt'
    source.write_text('胃窦黏膜充血\t1\n', encoding='utf-8')
    lock_file = tmp_path / 'model.lock'
    lock_file.write_text('pid 12345\n', encoding='utf-8')
    with pytest.raises(SystemExit) as stop:
        predict.main(['--input', str(source), '--output', str(lock_file), '--weights', str(weights)])
    err = capsys.readouterr().err.strip()
    assert stop.value.code == 2 and len(err.splitlines()) == 1 and 'is the run lock of' in err, err
    assert lock_file.read_text(encoding='utf-8') == 'pid 12345\n'


def test_predict_never_writes_into_a_training_runs_checkpoints(tmp_path, capsys):
    weights, source = tmp_path / 'model.h5', tmp_path / 'in.txt'
    source.write_text('胃窦黏膜充血\t1\n', encoding='utf-8')
    state = tmp_path / 'other.resume' / 'state.json'  # another model's: continue_fit.py resumes from it
    state.parent.mkdir()
    state.write_text('{"epoch": 3}', encoding='utf-8')
    with pytest.raises(SystemExit) as stop:
        predict.main(['--input', str(source), '--output', str(state), '--weights', str(weights)])
    err = capsys.readouterr().err.strip()
    assert stop.value.code == 2 and len(err.splitlines()) == 1 and 'the checkpoints of a training run' in err, err
    assert state.read_text(encoding='utf-8') == '{"epoch": 3}'


def test_a_training_run_whose_lock_another_run_took_stops_before_saving(tiny_albert_dir, toy_data, tmp_path, capsys,
                                                                         monkeypatch):
    import trainer
    from conftest import main_argv
    weights = str(tmp_path / 'weights' / 'model.h5')
    second = []
    evaluate = trainer.evaluate

    def evaluate_then_lose_the_lock(*args, **kwargs):  # once the epoch is trained, before its saves
        if not second:
            take_over = TAKE_OVER.format(lock=os.path.splitext(weights)[0] + '.lock')
            second.append(subprocess.Popen([sys.executable, '-c', take_over], stdout=subprocess.PIPE, text=True))
            assert second[0].stdout.readline().strip() == 'locked'
        return evaluate(*args, **kwargs)

    monkeypatch.setattr(trainer, 'evaluate', evaluate_then_lose_the_lock)
    try:
        with pytest.raises(SystemExit) as stop:
            main.main(main_argv(tiny_albert_dir, toy_data, tmp_path, '--epochs', '1'))
    finally:
        for process in second:
            process.kill()
            process.wait()
    err = capsys.readouterr().err.strip().splitlines()
    assert stop.value.code == 2 and err[-1] == (f'error: {os.path.splitext(weights)[0]}.lock was deleted or replaced '
                                                f'while this run held it, and another training run (pid {second[0].pid}) '
                                                f'has taken {weights} since; this run stops without saving again')
    assert not os.path.exists(weights) and not os.path.exists(os.path.splitext(weights)[0] + '.resume')
