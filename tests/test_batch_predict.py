"""batch_predict.py: the Apache Beam pipeline (DirectRunner, in process) against predict.py on a tiny saved model."""
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip('apache_beam', reason='batch_predict.py needs Apache Beam (make scale installs requirements-scale.txt)')

import batch_predict  # noqa: E402
import predict  # noqa: E402
from conftest import LABELS, TEXTS, write_rows  # noqa: E402
from utils.files import _writer_tag  # noqa: E402

pytestmark = pytest.mark.slow  # trains or runs a whole pipeline (make test-fast leaves it out)


@pytest.fixture
def weights(trained_tiny):
    return trained_tiny[2]


def inputs(tmp_path):
    """Two files in a folder: b.txt labelled (27 texts of mixed length), a.txt plain (9 texts)."""
    folder = tmp_path / 'in'
    folder.mkdir()
    labelled = write_rows(folder / 'b.txt', [(TEXTS[i] * (1 + i % 3), LABELS[i]) for i in range(3, 30)])
    plain = folder / 'a.txt'
    plain.write_text(''.join(text + '。\n' for text in TEXTS[:9]), encoding='utf-8')
    return labelled, str(plain)


def rows(lines, fmt):
    """(the fields that must match exactly, the probabilities) of output lines, headers left out."""
    if fmt == 'jsonl':
        records = [json.loads(line) for line in lines]
        return [{k: v for k, v in r.items() if k != 'probs'} for r in records], np.array([r['probs'] for r in records])
    header = lines[0]
    fields = [line.split('\t') for line in lines if line != header]
    probs = [i for i, name in enumerate(header.split('\t')) if name.startswith('prob_')]
    return ([[f for i, f in enumerate(row) if i not in probs] for row in fields],
            np.array([[float(row[i]) for i in probs] for row in fields]))


@pytest.mark.parametrize('fmt,min_confidence,tracts', [('tsv', None, False), ('tsv', '0.9', True), ('jsonl', '0.9', True)])
def test_output_is_predict_py_output_in_input_order(weights, tmp_path, capsys, fmt, min_confidence, tracts):
    labelled, plain = inputs(tmp_path)
    extra = (['--min-confidence', min_confidence] if min_confidence else []) + (['--tracts'] if tracts else [])
    prefix = tmp_path / 'out' / 'pred'
    # b.txt named first, then the glob: b.txt once, then a.txt; 10 lines of one file per output file
    batch_predict.main(['--input', labelled, str(tmp_path / 'in' / '*.txt'), '--output', str(prefix),
                        '--format', fmt, '--shard-lines', '10', '--beam-batch-size', '7', '--batch-size', '3',
                        '--weights', weights, *extra])
    printed = capsys.readouterr()
    *names, manifest = sorted(os.listdir(prefix.parent))
    # b.txt: 10 + 10 + 7 lines, a.txt: 9; each file named by its input
    assert names == [f'pred-{k:05d}-of-00004-{source}.{fmt}' for k, source in enumerate('bbba')]
    assert manifest == 'pred-manifest.tsv'
    assert (prefix.parent / manifest).read_text(encoding='utf-8').splitlines() == ['output\tinput\ttexts'] + [
        f'{prefix.parent / name}\t{source}\t{n}' for name, source, n in zip(names, [labelled] * 3 + [plain], [10, 10, 7, 9])]
    files = [(prefix.parent / name).read_text(encoding='utf-8').splitlines() for name in names]
    if fmt == 'tsv':
        assert len({lines[0] for lines in files}) == 1  # a header in every file
    got = [line for lines in files for line in lines]

    expected = []
    for source in (labelled, plain):
        out = tmp_path / f'{os.path.basename(source)}.{fmt}'
        predict.main(['--input', source, '--output', str(out), '--format', fmt, '--weights', weights, *extra])
        expected.extend(out.read_text(encoding='utf-8').splitlines())
    capsys.readouterr()
    exact, probs = rows(got, fmt)
    expected_exact, expected_probs = rows(expected, fmt)
    assert exact == expected_exact  # texts in input order, labels, names, unsure, tracts; the same columns
    np.testing.assert_allclose(probs, expected_probs, atol=1e-5)
    assert (f'wrote 36 predictions of 2 input files to 4 files: {prefix}-00000-of-00004-b.{fmt} ...; '
            f'which input each holds: {prefix}-manifest.tsv') in printed.out
    assert 'no accuracy report: 9 of 36 texts have no valid label' in printed.err
    if tracts:
        assert ('tracts' in got[0]) and re.search(r'^\d+ of 36 texts name both tracts \(tracts 1\+2\)$', printed.err, re.M)


def test_labelled_input_reports_accuracy_and_replaces_an_earlier_output(weights, tmp_path, capsys):
    labelled, _ = inputs(tmp_path)
    prefix = str(tmp_path / 'pred')
    batch_predict.main(['--input', labelled, '--output', prefix, '--shard-lines', '10', '--weights', weights])
    assert len(os.listdir(tmp_path)) == 5  # in/, three output files and the manifest
    capsys.readouterr()
    batch_predict.main(['--input', labelled, '--output', prefix, '--weights', weights])
    printed = capsys.readouterr()
    assert sorted(os.listdir(tmp_path)) == ['in', 'pred-00000-of-00001-b.tsv', 'pred-manifest.tsv']
    assert f'replaced an earlier output at {prefix}: removed 3 of its files' in printed.err
    probs = predict.predict_proba([TEXTS[i] * (1 + i % 3) for i in range(3, 30)], weights=weights)
    accuracy = np.mean(probs.argmax(axis=1) == np.array(LABELS[3:30]))
    assert f'accuracy {accuracy:.6f} on 27 labelled texts' in printed.out


def test_only_this_prefix_s_earlier_files_are_replaced(weights, tmp_path, capsys):
    labelled, _ = inputs(tmp_path)
    # other runs' files that a careless pattern would take for ours: 00000 in a folder name, [1] as a glob class
    others = [tmp_path / 'run00001' / 'pred-00000-of-00001.tsv', tmp_path / 'pred1-00000-of-00001.tsv']
    for other in others:
        other.parent.mkdir(exist_ok=True)
        other.write_text('keep\n', encoding='utf-8')
    for prefix in (tmp_path / 'run00000' / 'pred', tmp_path / 'pred[1]'):
        for shard_lines in ('10', '30'):  # 3 files, then 1 (-of-00001): the second run removes the 3
            batch_predict.main(['--input', labelled, '--output', str(prefix), '--shard-lines', shard_lines,
                                '--weights', weights])
        assert f'replaced an earlier output at {prefix}: removed 3 of its files' in capsys.readouterr().err
    assert all(other.read_text(encoding='utf-8') == 'keep\n' for other in others)
    assert sorted(os.listdir(tmp_path / 'run00000')) == ['pred-00000-of-00001-b.tsv', 'pred-manifest.tsv']


def test_a_mistyped_option_is_an_error_not_a_beam_warning(weights, tmp_path, capsys):
    labelled, _ = inputs(tmp_path)
    with pytest.raises(SystemExit) as stop:
        batch_predict.main(['--input', labelled, '--output', str(tmp_path / 'pred'), '--formt', 'jsonl',
                            '--weights', weights])
    assert stop.value.code == 2 and '--formt' in capsys.readouterr().err
    assert not list(tmp_path.glob('pred*'))


def test_a_bad_line_stops_the_run_in_one_line_naming_file_and_line(weights, tmp_path, capsys):
    labelled, plain = inputs(tmp_path)
    with open(plain, 'a', encoding='utf-8') as f:
        f.write('\n内痔\n')  # line 10 empty
    prefix = tmp_path / 'out' / 'pred'
    with pytest.raises(SystemExit) as stop:
        batch_predict.main(['--input', labelled, plain, '--output', str(prefix), '--weights', weights])
    assert stop.value.code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == \
        f'error: {plain}:10: empty text (use --skip-empty to skip empty lines)'
    assert not prefix.parent.exists() or not os.listdir(prefix.parent)  # nothing written
    batch_predict.main(['--input', plain, '--output', str(prefix), '--skip-empty', '--weights', weights])
    printed = capsys.readouterr()
    assert 'skipped 1 empty lines' in printed.err and 'wrote 10 predictions of 1 input file to 1 file: ' in printed.out


@pytest.mark.parametrize('case', ['no such input', 'a folder', 'output is an input', 'no model'])
def test_bad_arguments_stop_before_the_pipeline_in_one_line(weights, tmp_path, capsys, case):
    labelled, _ = inputs(tmp_path)
    argv = ['--input', labelled, '--output', str(tmp_path / 'pred'), '--weights', weights]
    if case == 'no such input':
        argv[1], expected = str(tmp_path / 'none' / '*.txt'), f'{tmp_path}/none/*.txt: no such file'
    elif case == 'a folder':
        argv[1], expected = str(tmp_path / 'in'), f'{tmp_path}/in: is a folder, not a file'
    elif case == 'output is an input':  # an earlier output file given as input is never written over
        shard = tmp_path / 'pred-00000-of-00001.tsv'
        shard.write_text('胃炎\n', encoding='utf-8')
        argv[1], expected = str(shard), 'is the input file'
    else:
        argv[-1], expected = str(tmp_path / 'none.h5'), 'none.h5 not found: train a model first'
    with pytest.raises(SystemExit) as stop:
        batch_predict.main(argv)
    err = capsys.readouterr().err.strip()
    assert stop.value.code == 2 and len(err.splitlines()) == 1 and expected in err, err


@pytest.mark.parametrize('output', ['', 'out/', '.'])
def test_an_output_that_is_no_prefix_stops_before_any_work(weights, tmp_path, monkeypatch, capsys, output):
    labelled, _ = inputs(tmp_path)
    work = tmp_path / 'work'
    (work / 'out').mkdir(parents=True)
    monkeypatch.chdir(work)  # '' and '.' wrote beside the working folder, 'out/' beside out/
    with pytest.raises(SystemExit) as stop:
        batch_predict.main(['--input', labelled, '--output', output, '--weights', weights])
    err = capsys.readouterr().err.strip()
    assert stop.value.code == 2 and len(err.splitlines()) == 1 and err.startswith(f'error: --output {output!r}: ')
    assert sorted(os.listdir(tmp_path)) == ['in', 'work'] and os.listdir(work) == ['out']
    assert not os.listdir(work / 'out')


def test_each_input_file_is_read_once_whatever_glob_characters_its_name_has(weights, tmp_path, capsys):
    folder = tmp_path / 'in'
    folder.mkdir()
    sizes = {'report [2024].txt': 5, 'bracket[1].txt': 4, 'bracket1.txt': 3}  # [1] as a glob names bracket1.txt
    for name, n in sizes.items():
        (folder / name).write_text(''.join(text + '\n' for text in TEXTS[:n]), encoding='utf-8')
    prefix = tmp_path / 'out' / 'pred'
    for argv in ([str(folder / '*.txt')], [str(folder / name) for name in sizes]):  # a glob; the names the shell gives
        batch_predict.main(['--input', *argv, '--output', str(prefix), '--weights', weights])
        assert 'wrote 12 predictions of 3 input files to 3 files: ' in capsys.readouterr().out
        manifest = (prefix.parent / 'pred-manifest.tsv').read_text(encoding='utf-8').splitlines()[1:]
        assert sorted((os.path.basename(line.split('\t')[1]), int(line.split('\t')[2])) for line in manifest) == \
            sorted(sizes.items())


def test_one_file_under_several_spellings_is_read_once(weights, tmp_path, monkeypatch, capsys):
    (tmp_path / 'in').mkdir()
    (tmp_path / 'in' / 'a.txt').write_text(''.join(text + '\n' for text in TEXTS[:4]), encoding='utf-8')
    os.symlink(tmp_path / 'in' / 'a.txt', tmp_path / 'in' / 'link.txt')
    monkeypatch.chdir(tmp_path / 'in')
    batch_predict.main(['--input', 'a.txt', './a.txt', str(tmp_path / 'in' / 'a.txt'), '../in/a.txt', 'link.txt',
                        '--output', str(tmp_path / 'out' / 'pred'), '--weights', weights])
    assert 'wrote 4 predictions of 1 input file to 1 file: ' in capsys.readouterr().out  # was 20 of 5


def test_a_run_that_fails_part_way_leaves_the_earlier_output_whole(weights, tmp_path, monkeypatch, capsys):
    for folder, end in (('in', ''), ('in2', '。')):  # two inputs named a.txt: the same output names
        (tmp_path / folder).mkdir()
        (tmp_path / folder / 'a.txt').write_text(''.join(TEXTS[i % len(TEXTS)] + end + '\n' for i in range(60)),
                                                 encoding='utf-8')
    out = tmp_path / 'out'
    argv = ['--output', str(out / 'pred'), '--shard-lines', '10', '--weights', weights]
    batch_predict.main(['--input', str(tmp_path / 'in' / 'a.txt'), *argv])
    old = {name: (out / name).read_text(encoding='utf-8') for name in os.listdir(out)}
    assert len(old) == 7  # six files of 10 lines and the manifest

    write_whole, written = batch_predict.write_whole, []

    def fails_at_the_fourth_file(name, pieces):  # as a run killed while it writes the new set
        if len(written) == 3:
            raise OSError(28, 'No space left on device')
        write_whole(name, pieces)
        written.append(name)
    monkeypatch.setattr(batch_predict, 'write_whole', fails_at_the_fourth_file)
    with pytest.raises(SystemExit):
        batch_predict.main(['--input', str(tmp_path / 'in2' / 'a.txt'), *argv])
    monkeypatch.undo()
    assert capsys.readouterr().err.strip().splitlines() == \
        ["error: the pipeline failed: OSError: [Errno 28] No space left on device (--verbose shows Beam's log and the "
         "traceback)"]
    assert len(written) == 3 and {name: (out / name).read_text(encoding='utf-8') for name in os.listdir(out)} == old

    # what a killed run leaves: a shard's temporary file (earlier versions wrote them beside the output),
    # a staging folder of a process that is gone; the next run removes both
    dead = subprocess.Popen([sys.executable, '-c', 'pass'])
    dead.wait()
    killed = out / f'.pred.tmp{dead.pid}@{_writer_tag().partition("@")[2]}.abc123'
    killed.mkdir()
    (killed / f'pred-00003-of-00006-a.tsv.tmp-{"0" * 32}').write_text('half\n', encoding='utf-8')
    (out / f'pred-00004-of-00006-a.tsv.tmp-{"1" * 32}').write_text('half\n', encoding='utf-8')
    batch_predict.main(['--input', str(tmp_path / 'in2' / 'a.txt'), *argv])
    assert sorted(os.listdir(out)) == sorted(old)
    new = {name: (out / name).read_text(encoding='utf-8') for name in os.listdir(out)}
    assert all(new[name] != old[name] for name in old if name != 'pred-manifest.tsv')


def test_a_run_killed_while_it_moves_its_set_into_place_is_finished_by_the_next(weights, tmp_path, monkeypatch, capsys):
    for folder, end in (('in', ''), ('in2', '。')):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / 'a.txt').write_text(''.join(TEXTS[i % len(TEXTS)] + end + '\n' for i in range(60)),
                                                 encoding='utf-8')
    out = tmp_path / 'out'
    argv = ['--output', str(out / 'pred'), '--shard-lines', '10', '--weights', weights]
    batch_predict.main(['--input', str(tmp_path / 'in2' / 'a.txt'), *argv])  # the set a whole run writes
    whole = {name: (out / name).read_text(encoding='utf-8') for name in os.listdir(out)}
    for name in whole:
        os.remove(out / name)
    batch_predict.main(['--input', str(tmp_path / 'in' / 'a.txt'), *argv])
    old = {name: (out / name).read_text(encoding='utf-8') for name in os.listdir(out)}

    rename = batch_predict.FileSystems.rename

    class Killed(BaseException):  # as kill -9: no clean-up of this process runs after it
        pass

    def killed_half_way(sources, destinations):  # moves 3 of the 6 files, then the process is gone
        if len(sources) > 1:
            rename(sources[:3], destinations[:3])
            raise Killed
        rename(sources, destinations)
    monkeypatch.setattr(batch_predict.FileSystems, 'rename', killed_half_way)
    monkeypatch.setattr(batch_predict.shutil, 'rmtree', lambda *a, **k: None)
    with pytest.raises(Killed):
        batch_predict.main(['--input', str(tmp_path / 'in2' / 'a.txt'), *argv])
    monkeypatch.undo()
    mixed = {name: (out / name).read_text(encoding='utf-8') for name in os.listdir(out) if name.endswith('.tsv')}
    assert 'pred-manifest.tsv' not in mixed and 0 < sum(mixed[n] != old[n] for n in mixed) < len(mixed)
    assert (out / 'pred-manifest.tsv.switching').exists()  # the journal: which set was moving in
    capsys.readouterr()

    assert not batch_predict.finish_switch(str(out / 'pred'))  # while the run's process lives, the move is its own
    # the next run first finishes the move (the killed run's process is gone): the killed run's whole set
    monkeypatch.setattr(batch_predict, 'writer_alive', lambda temp, path: False)
    assert batch_predict.finish_switch(str(out / 'pred'))
    assert {name: (out / name).read_text(encoding='utf-8') for name in os.listdir(out)
            if not name.startswith('.')} == whole
    batch_predict.main(['--input', str(tmp_path / 'in' / 'a.txt'), *argv])
    assert sorted(os.listdir(out)) == sorted(old)  # journal and staging folder gone
    assert {name: (out / name).read_text(encoding='utf-8') for name in os.listdir(out)} == old


def run_script(*argv):
    """batch_predict.py run as from a shell (without the TF_CPP_MIN_LOG_LEVEL that importing TensorFlow here set)."""
    env = {k: v for k, v in os.environ.items() if k != 'TF_CPP_MIN_LOG_LEVEL'}
    return subprocess.run([sys.executable, 'batch_predict.py', *argv], cwd=os.path.dirname(batch_predict.__file__),
                          capture_output=True, text=True, timeout=600, env=env)


@pytest.mark.parametrize('case', ['clean', 'bad line'])
def test_beam_and_its_worker_processes_say_nothing_unless_verbose(weights, tmp_path, case):
    labelled, plain = inputs(tmp_path)
    if case == 'bad line':
        with open(plain, 'a', encoding='utf-8') as f:
            f.write('\n内痔\n')
    done = run_script('--input', plain, '--output', str(tmp_path / 'pred'), '--weights', weights,
                      '--direct_num_workers', '2', '--direct_running_mode', 'multi_processing')
    if case == 'clean':  # was 70 lines of the worker processes' log
        assert done.returncode == 0 and 'wrote 9 predictions' in done.stdout and done.stderr == '', done.stderr
    else:  # was 221 lines and 5 tracebacks before the error
        assert done.returncode == 2 and done.stderr.splitlines() == \
            [f'error: {plain}:10: empty text (use --skip-empty to skip empty lines)'], done.stderr


def test_an_unknown_runner_is_one_line_not_a_traceback(weights, tmp_path):
    labelled, _ = inputs(tmp_path)
    done = run_script('--input', labelled, '--output', str(tmp_path / 'pred'), '--weights', weights,
                      '--runner', 'NoSuchRunner')
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith('error: Beam: Unexpected pipeline runner: NoSuchRunner.') and 'Traceback' not in done.stderr
    assert not list(tmp_path.glob('pred*'))


def test_an_unreadable_input_stops_before_the_pipeline_in_one_line(tmp_path, capsys, unreadable):
    labelled, plain = inputs(tmp_path)
    unreadable(plain)
    with pytest.raises(SystemExit) as stop:  # no model needed: the inputs are checked first
        batch_predict.main(['--input', labelled, str(tmp_path / 'in' / '*.txt'), '--output', str(tmp_path / 'pred'),
                            '--weights', str(tmp_path / 'none.h5')])
    assert stop.value.code == 2
    assert capsys.readouterr().err.strip() == f'error: {plain}: cannot read it (Permission denied)'


def test_a_file_that_cannot_be_opened_in_the_pipeline_is_a_data_error(tmp_path, monkeypatch):
    from data_process import DataError
    name = str(tmp_path / 'a.txt')

    def unopenable(path, *args, **kwargs):  # a file that became unreadable after the inputs were checked
        raise PermissionError(13, 'Permission denied', path)
    monkeypatch.setattr(batch_predict.FileSystems, 'open', unopenable)
    with pytest.raises(DataError, match=r'a\.txt: cannot read it \(Permission denied\)$'):
        list(batch_predict.ReadTexts({name: 0}, 3, False).process(name))
