"""main.py --distribute: the batch split over replicas makes the single-device update; mirrored and
multiworker runs train, save and resume.

Two logical CPUs must be set before TensorFlow starts, and this process has
started it, so those runs go in fresh processes.
"""
import json
import os
import select
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

import continue_fit
import inference
import main
import model as M
import path
import trainer
from conftest import main_argv, write_tiny_albert, write_toy_data

pytestmark = pytest.mark.slow  # trains or runs a whole pipeline (make test-fast leaves it out)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def python(args, logical_cpus=None):
    """Run python with args in the repository, with LOGICAL_CPUS and without TF_CONFIG; its stdout."""
    env = {k: v for k, v in os.environ.items() if k not in ('TF_CONFIG', 'LOGICAL_CPUS')}
    if logical_cpus:
        env['LOGICAL_CPUS'] = str(logical_cpus)
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope='module')
def two_cpus(tmp_path_factory):
    """(stdout, weights path) of one process with LOGICAL_CPUS=2: distribute_check.py's updates, then
    main.py --distribute mirrored for one epoch and continue_fit.py for a second."""
    folder = tmp_path_factory.mktemp('two_cpus')
    albert_dir = write_tiny_albert(folder)
    weights = str(folder / 'weights' / 'model.h5')
    runs = [main_argv(albert_dir, write_toy_data(folder), folder, '--epochs', '1', '--patience', '5',
                      '--distribute', 'mirrored'),
            ['--weights', weights, '--epochs', '2', '--log-dir', str(folder / 'log'), '--images-dir', str(folder / 'images')]]
    out = python([os.path.join(ROOT, 'tests', 'distribute_check.py'), os.path.join(albert_dir, 'vocab.txt'),
                  json.dumps(runs)], logical_cpus=2)
    return out, weights


def test_two_replicas_make_the_single_device_update_of_the_global_batch(two_cpus):
    """Penalty, FGM and clipping on; 7 rows over 2 replicas, 1 row (a replica with none), 30 rows in rounds."""
    results = [json.loads(line) for line in two_cpus[0].splitlines() if line.startswith('{')]
    assert [r['batch'] for r in results] == ['7 rows', '1 row', '30 rows in rounds']
    for r in results:
        assert r['replicas'] == 2 and r['same_start'] and r['probs_rows'] == r['rows'], r
        assert r['moved'] > 1e-3, r  # the step really updates
        assert r['update_diff'] < 1e-6 and r['loss_diff'] < 1e-5 and r['probs_diff'] < 1e-6, r


def test_mirrored_on_two_logical_cpus_trains_saves_and_resumes(two_cpus):
    out, weights = two_cpus
    assert out.count('--distribute mirrored: replicas 2 (') == 2, out  # main.py, then continue_fit.py
    assert 'model.resume/ckpt-1: epoch 1, step 4' in out
    settings, progress = trainer.load_state(weights)
    assert settings.distribute == 'mirrored' and [row['step'] for row in progress.history] == [4, 8]
    model, tokenizer = M.load_trained(weights)  # the saved weights load with no strategy
    np.testing.assert_allclose(inference.predict_proba(model, tokenizer, ['内痔', '胃炎']).sum(axis=1), 1.0, rtol=1e-5)


def test_multiworker_without_tf_config_is_one_worker_that_writes(tiny_albert_dir, toy_data, tmp_path):
    run = 'import sys, main; main.matmul_gflops = lambda: 100.0; main.main(sys.argv[1:])'  # 3 s saved
    out = python(['-c', run, *main_argv(tiny_albert_dir, toy_data, tmp_path, '--epochs', '1', '--distribute', 'multiworker')])
    assert '--distribute multiworker: replicas 1 (' in out and 'epoch 1: ' in out
    assert trainer.load_state(str(tmp_path / 'weights' / 'model.h5'))[0].distribute == 'multiworker'
    assert os.path.exists(tmp_path / 'log' / 'metrics.json') and os.path.exists(tmp_path / 'images' / 'calibration.png')


def test_one_replica_gives_the_numbers_of_no_strategy(
        tiny_albert_dir, toy_data, tmp_path, capsys, monkeypatch):
    """This process has one CPU device and no GPU: MirroredStrategy(['/cpu:0'])."""
    monkeypatch.setattr(main, 'matmul_gflops', lambda: 100.0)  # the speed yardstick (3 s a run) is not under test
    runs = {}
    for distribute in ('none', 'mirrored'):
        out = tmp_path / distribute
        main.main(main_argv(tiny_albert_dir, toy_data, out, '--epochs', '1', '--seed', '4',
                            '--gradient-penalty', '1', '--adversarial', '0.5', '--distribute', distribute))
        runs[distribute] = trainer.load_state(str(out / 'weights' / 'model.h5'))[1].history, M.load_trained(
            str(out / 'weights' / 'model.h5'))[0].get_weights()
    assert '--distribute mirrored: replicas 1 (/job:localhost/replica:0/task:0/device:CPU:0 ' in capsys.readouterr().out
    (plain_history, plain_weights), (mirrored_history, mirrored_weights) = runs['none'], runs['mirrored']
    for a, b in zip(plain_history, mirrored_history, strict=True):
        for key in ('step', 'lr', 'loss', 'acc', 'val_loss', 'val_acc', 'test_acc'):
            assert b[key] == pytest.approx(a[key], rel=1e-5, abs=1e-6), key
    for a, b in zip(plain_weights, mirrored_weights, strict=True):
        np.testing.assert_allclose(b, a, atol=1e-5)


def test_a_worker_other_than_the_chief_writes_to_a_copy_in_a_temporary_folder(tmp_path):
    weights = tmp_path / 'weights' / 'model.h5'
    (tmp_path / 'weights' / 'model.resume').mkdir(parents=True)
    for p in (weights, tmp_path / 'weights' / 'model.config.json', tmp_path / 'weights' / 'model.resume' / 'state.json'):
        p.write_text(p.name)
    given = dict(weights=str(weights), log_dir=str(tmp_path / 'log'), images_dir=str(tmp_path / 'images'))
    args = SimpleNamespace(**given)
    trainer.worker_outputs(SimpleNamespace(extended=SimpleNamespace(should_checkpoint=True)), args, copy_model=True)
    assert vars(args) == given  # the chief writes where it was told

    worker = SimpleNamespace(extended=SimpleNamespace(should_checkpoint=False))
    trainer.worker_outputs(worker, args, copy_model=True)
    copy = os.path.dirname(args.weights)
    assert not args.weights.startswith(str(tmp_path)) and os.path.basename(args.weights) == 'model.h5'
    assert sorted(os.listdir(copy)) == ['model.config.json', 'model.h5', 'model.resume']
    assert open(os.path.join(copy, 'model.resume', 'state.json')).read() == 'state.json'
    assert {os.path.dirname(args.log_dir), os.path.dirname(args.images_dir)} == {os.path.dirname(copy)}

    args = SimpleNamespace(**given)
    trainer.worker_outputs(worker, args)  # main.py: a new run, nothing to copy
    assert os.listdir(os.path.dirname(args.weights)) == []


@pytest.mark.parametrize('tf_config, message', [
    ('{"cluster": ', 'TF_CONFIG is not valid JSON'), ('["worker"]', 'TF_CONFIG must be a JSON object'),
    ('', 'TF_CONFIG must be a JSON object'),  # was TensorFlow's own JSON error, not naming TF_CONFIG
    ('{"cluster": {"worker": ["localhost:1"]}, "task": {"type": "worker", "index": 5}}',
     'TF_CONFIG: its task worker 5 is not in its cluster (1 worker)')])  # was a wait for worker 0
def test_a_malformed_tf_config_is_one_line_naming_it(tf_config, message, monkeypatch, capsys):
    monkeypatch.setenv('TF_CONFIG', tf_config)
    with pytest.raises(SystemExit) as stop:
        main.main(['--distribute', 'multiworker', '--epochs', '1'])
    err = capsys.readouterr().err.strip()
    assert stop.value.code == 2 and len(err.splitlines()) == 1 and err.startswith(f'error: {message}'), err


def free_port():
    """A port nobody listens on (just now)."""
    import socket
    with socket.socket() as s:
        s.bind(('localhost', 0))
        return s.getsockname()[1]


def worker_without_its_peer(tmp_path, peer_timeout):
    """main.py as worker 0 of a TF_CONFIG whose worker 1 is a port nobody listens on; (process, worker 1's address)
    once it has said what it waits for, and the line it said."""
    peer = f'localhost:{free_port()}'
    env = {k: v for k, v in os.environ.items() if k != 'LOGICAL_CPUS'}
    env['TF_CONFIG'] = json.dumps({'cluster': {'worker': [f'localhost:{free_port()}', peer]},
                                   'task': {'type': 'worker', 'index': 0}})
    process = subprocess.Popen([sys.executable, 'main.py', '--distribute', 'multiworker', '--peer-timeout', str(peer_timeout),
                                '--weights', str(tmp_path / 'weights' / 'model.h5')],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready, _, _ = select.select([process.stdout], [], [], 120)
    return process, peer, process.stdout.readline() if ready else ''


def error_lines(stderr):
    return [line for line in stderr.splitlines() if line.startswith('error:')]


def test_a_missing_peer_is_named_at_once_and_the_run_stops_after_peer_timeout(tmp_path):
    process, peer, said = worker_without_its_peer(tmp_path, 3)
    try:
        assert said.startswith(f'waiting for worker 1 ({peer}) named in TF_CONFIG'), said
        out, err = process.communicate(timeout=30)  # before: waited without end
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 2
    assert error_lines(err) == [f'error: worker 1 ({peer}) named in TF_CONFIG did not answer within 3 s (--peer-timeout); '
                                f'start it with the same TF_CONFIG, or correct TF_CONFIG'], err[-2000:]


def test_sigterm_stops_a_run_waiting_for_a_peer(tmp_path):
    process, peer, said = worker_without_its_peer(tmp_path, 600)
    try:
        assert said.startswith(f'waiting for worker 1 ({peer})'), said
        process.terminate()
        out, err = process.communicate(timeout=10)  # before: SIGTERM went to TensorFlow, and the wait went on
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 143
    assert error_lines(err) == [f'error: stopped by SIGTERM while waiting for worker 1 ({peer}) named in TF_CONFIG'], err[-2000:]


def test_ctrl_c_while_waiting_for_a_peer_is_one_line(monkeypatch, capsys):
    from utils import cluster

    def interrupted(seconds):
        raise KeyboardInterrupt
    monkeypatch.setattr(cluster.time, 'sleep', interrupted)
    peer = f'localhost:{free_port()}'
    with pytest.raises(SystemExit) as stop:
        cluster.wait_for_peers({'cluster': {'worker': [f'localhost:{free_port()}', peer]},
                                'task': {'type': 'worker', 'index': 0}}, 30, say=lambda *a, **k: None)
    assert stop.value.code == 130
    assert capsys.readouterr().err.strip() == f'error: stopped by Ctrl-C while waiting for worker 1 ({peer}) named in TF_CONFIG'


def test_workers_waiting_for_each_other_see_each_other():
    """Each listens on its own port while it waits, so two that wait at once both go on."""
    import threading
    from utils.cluster import wait_for_peers
    workers = [f'localhost:{free_port()}', f'localhost:{free_port()}']
    done, said = [], []
    threads = [threading.Thread(target=lambda i=i: done.append(wait_for_peers(
                   {'cluster': {'worker': workers}, 'task': {'type': 'worker', 'index': i}}, 30,
                   say=lambda line, **_: said.append(line))))
               for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(40)
    assert len(done) == 2, said
