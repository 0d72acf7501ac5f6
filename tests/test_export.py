"""export.py: the SavedModel's in-graph tokenizer and its predictions against bert4keras and predict.py."""
import os
import random
import shutil
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from bert4keras.tokenizers import Tokenizer

import export
import inference
import model as M
import path
import predict
from conftest import TEXTS, TOY_LABEL_NAMES
from utils.files import _writer_tag
from utils.graph_tokenizer import GraphTokenizer

pytestmark = pytest.mark.slow  # trains or runs a whole pipeline (make test-fast leaves it out)

# Texts a hospital export really holds, and the characters that tokenizers get wrong
AWKWARD = [
    '胃镜：慢性浅表性胃炎，HP(+)', 'Hp阳性；HP阴性；hp？', 'ERCP术后 2.5cm×3.0cm 结石', '距门齿25-30cm见糜烂',
    '全角ＡＢＣ１２３，（半角ABC123,）', '食管下段Barrett食管 LA-B级', 'EST+ENBD术\t乳头括约肌切开',
    '反流性食管炎（LA-A级）。', '「直肠」『息肉』…… ——', '结肠镜:回盲部未见异常;直肠距肛缘5cm', '',
    'café naïve İstanbul Ⅲ期 ②号', '\u3000\xa0 空格\u2028分行\u200b零宽\x00控制\ufffd替换', '𠀀𪚥罕见字☃😀',
    'cmcmcmcmcmcmcmcmcm' * 3, 'x' * 250, '胃' * 300, '十二指肠球部溃疡A1期，' * 20,
    # Traditional script, read as simplified (utils/script.py), and the characters it leaves alone
    '內視鏡：結腸瘜肉，闌尾開口；術後裡急後重', '膽總管結石ERCP+EST膽道支架置入術', '顯著乾燥於後著', '十二指腸球部潰瘍Ａ１期',
    # Greek: str.lower makes a capital sigma ς at the end of a word, σ elsewhere
    'ΓΑΣΤΡΙΤΙΣ ΟΞΕΙΑ', 'ΟΔΟΣ. ΣΟΦΟΣ', "ΑΣ'Α ΑΣ.Α ΑΣ\u0301Α", 'Σ胃Σ',
]

# Capital sigmas in every context of str.lower's final-sigma rule: after a cased letter or not, before one or
# not, with case-ignorable characters (accents, apostrophe, full stop, modifier letters) between them
SIGMAS = ['ΟΔΟΣ', 'ΣΟΦΟΣ.', 'ΟΔΟΣ ΑΣΘΕΝΗΣ', 'Σ', "ΑΣ'Α", 'ΑΣ.Α', 'Σ.', 'ΑΣ!', 'Αʹ\u0301Σ', 'ΟΔΟΣ\u0301', 'ΟΔΌΣ',
          '胃Σ', 'aΣ', 'ΣΣ', 'ΑΣΣ', 'ΑΣ\u0301Α', 'Hp ΑΣ', 'ΑΣ1', 'ΑΣa', 'ΓΑΣΤΡΙΤΙΣ，ΕΛΚΟΣ', 'ΑΣ\u200bΑ', '']


def random_texts(n, seed=0):
    """Texts of characters drawn from the blocks a report may hold, and some it should not."""
    blocks = [(0x20, 0x7E), (0x00, 0x1F), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x3FF), (0x3A3, 0x3A3),
              (0x400, 0x4FF), (0x2000, 0x206F), (0x2160, 0x2188), (0x2460, 0x24FF), (0x3000, 0x303F),
              (0x4E00, 0x9FFF), (0xAC00, 0xAD00), (0xFF00, 0xFFEF), (0x1F300, 0x1F6FF), (0x20000, 0x200FF)]
    rng = random.Random(seed)
    return [''.join(chr(rng.randint(*rng.choice(blocks))) for _ in range(rng.randint(0, 30))) for _ in range(n)]


@pytest.fixture(scope='module')
def tokenizer():
    return M.load_tokenizer(os.path.join(os.path.dirname(export.__file__), 'albert_tiny_google_zh', 'vocab.txt'))


@pytest.mark.parametrize('kind', ['plain', 'seen-tokens', 'bert4keras'])
@pytest.mark.parametrize('maxlen', [200, 12])
def test_graph_tokenizer_gives_bert4keras_token_ids(tokenizer, kind, maxlen):
    texts = AWKWARD + TEXTS + random_texts(400)
    if kind == 'seen-tokens':  # a model trained from scratch reads tokens outside its training data as [UNK]
        tokenizer = M.SeenTokenizer(tokenizer, M.seen_tokens(tokenizer, TEXTS + AWKWARD[:5]))
    elif kind == 'bert4keras':  # bert4keras's own Tokenizer: no script mapping, in the graph neither
        tokenizer = Tokenizer(tokenizer._token_dict, do_lower_case=True)
    token_ids = GraphTokenizer(tokenizer, maxlen)(tf.constant(texts)).numpy()
    for text, row in zip(texts, token_ids):
        expected = tokenizer.encode(text, maxlen=maxlen)[0]
        assert row[:len(expected)].tolist() == expected, text
        assert not row[len(expected):].any(), text  # padding only
    assert token_ids.shape[1] == max(len(tokenizer.encode(t, maxlen=maxlen)[0]) for t in texts)


def test_an_exported_tokenizer_reads_a_final_capital_sigma_as_python_does(tokenizer, tmp_path):
    module = tf.Module()
    module.tokenizer = GraphTokenizer(tokenizer, 200)
    module.tokenize = tf.function(module.tokenizer.__call__, input_signature=[tf.TensorSpec([None], tf.string)])
    tf.saved_model.save(module, str(tmp_path / 'tokenizer'))
    token_ids = tf.saved_model.load(str(tmp_path / 'tokenizer')).tokenize(tf.constant(SIGMAS)).numpy()
    for text, row in zip(SIGMAS, token_ids):
        expected = tokenizer.encode(text)[0]
        assert row[:len(expected)].tolist() == expected and not row[len(expected):].any(), text
    assert tokenizer.encode('ΟΔΟΣ')[0] != tokenizer.encode('ΟΔΟσ')[0]  # ς and σ are other tokens


def test_the_graph_cuts_clauses_as_python_does():
    texts = AWKWARD + ['胃镜：胃炎。肠镜：内痔，已套扎；', '。，', ' ，\u3000。x\n\n', '\x1e分\x1f隔', ''] + random_texts(300)
    cut = [[piece.decode('utf-8') for piece in row] for row in export.graph_clauses(tf.constant(texts)).to_list()]
    assert cut == [inference.clauses(text) for text in texts]


def exported(weights, out_dir, *argv):
    export.main(['--weights', weights, '--output', str(out_dir), *argv])
    versions = sorted(int(name) for name in os.listdir(out_dir) if name.isdigit())
    return os.path.join(out_dir, str(versions[-1]))


@pytest.fixture
def tempered_weights(trained_tiny, tmp_path):
    """The tiny model's files copied, with a temperature of 1.7 in its config: the export must keep it."""
    folder = tmp_path / 'tempered'
    folder.mkdir()
    weights = str(folder / 'model.h5')
    for source, target in zip(path.model_files(trained_tiny[2]), path.model_files(weights)):
        if os.path.exists(source):
            shutil.copy(source, target)
    M.save_temperature(weights, 1.7)
    return weights


def test_export_gives_predict_py_labels_and_probabilities(tempered_weights, toy_data, tmp_path, capsys):
    weights = tempered_weights
    export_dir = exported(weights, tmp_path / 'export', '--check', toy_data['test'])
    assert 'same label and tracts as predict.py on 9/9 texts' in capsys.readouterr().out

    texts = AWKWARD + TEXTS + [line.split('\t')[0] for line in open(toy_data['test'], encoding='utf-8')]
    out = export.load_serving(export_dir)(texts=tf.constant(texts))
    # predict.py's computation; its API refuses the empty text of AWKWARD, which the graph still takes
    expected = inference.load_predictor(weights, None).predict_proba(texts)
    np.testing.assert_allclose(out['probs'].numpy(), expected, atol=export.TOLERANCE, rtol=0)
    assert out['label'].numpy().tolist() == expected.argmax(axis=1).tolist()
    assert [name.decode() for name in out['label_name'].numpy()] == [TOY_LABEL_NAMES[k] for k in expected.argmax(axis=1)]
    assert [t.decode() for t in out['tracts'].numpy()] == predict.tracts(texts, weights)  # predict.py --tracts
    assert len(set(np.round(expected[:, 0], 4))) > 3  # the texts really get different probabilities
    trained, _ = M.load_trained(weights)
    assert trained.temperature == 1.7  # so the probabilities compared are the tempered ones
    assert export.load_serving(export_dir)(texts=tf.constant([], tf.string))['probs'].shape == (0, 3)  # no texts


def test_an_export_that_fails_its_check_never_appears(trained_tiny, toy_data, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(export, 'TOLERANCE', -1.0)  # no difference is small enough
    with pytest.raises(SystemExit) as exit_:
        export.main(['--weights', trained_tiny[2], '--output', str(tmp_path / 'export'), '--check', toy_data['test']])
    assert exit_.value.code == 2
    assert 'not written' in capsys.readouterr().err
    assert os.listdir(tmp_path / 'export') == []  # neither the version nor its temporary folder


def test_each_export_is_a_new_version_and_none_is_written_over(trained_tiny, tmp_path, capsys):
    _, _, weights = trained_tiny
    out_dir = tmp_path / 'export'
    assert exported(weights, out_dir, '--check', '').endswith('1')
    assert exported(weights, out_dir, '--check', '').endswith('2')
    saved = os.path.getmtime(out_dir / '1' / 'saved_model.pb')
    with pytest.raises(SystemExit) as exit_:
        exported(weights, out_dir, '--check', '', '--version', '1')
    assert exit_.value.code == 2
    assert 'exists' in capsys.readouterr().err
    assert os.path.getmtime(out_dir / '1' / 'saved_model.pb') == saved
    assert sorted(os.listdir(out_dir)) == ['1', '2']  # no temporary folder left behind


def test_the_default_output_follows_the_weights(trained_tiny, tmp_path, capsys):
    """Another model's versions never join the shipped model's: weights/mine.h5 -> weights/mine_savedmodel/1."""
    _, _, weights = trained_tiny
    mine = tmp_path / 'mine.h5'
    for source, target in zip(path.model_files(weights), path.model_files(str(mine))):
        if os.path.exists(source):
            shutil.copy(source, target)
    export.main(['--weights', str(mine), '--check', ''])
    assert 'mine_savedmodel/1' in capsys.readouterr().out
    assert os.listdir(tmp_path / 'mine_savedmodel') == ['1']
    assert path.export_dir(path.WEIGHTS_PATH) == path.EXPORT_DIR


def test_a_killed_export_s_temporary_folder_goes_with_the_next_export(trained_tiny, tmp_path):
    dead = subprocess.Popen([sys.executable, '-c', 'pass'])
    dead.wait()
    host = _writer_tag().partition('@')[2]
    out_dir = tmp_path / 'export'
    killed = out_dir / f'.1.tmp{dead.pid}@{host}.abc123'
    running = out_dir / f'.1.tmp{os.getpid()}@{host}.def456'  # an export in progress (this process)
    for folder in (killed, running):
        (folder / 'variables').mkdir(parents=True)
        (folder / 'saved_model.pb').write_bytes(b'half')
    assert exported(trained_tiny[2], out_dir, '--check', '').endswith('1')
    assert sorted(os.listdir(out_dir)) == sorted(['1', running.name])


def test_bad_input_is_one_line(trained_tiny, tmp_path, capsys):
    _, _, weights = trained_tiny
    bad = tmp_path / 'bad.txt'
    bad.write_text('内痔\n\n胃炎\n', encoding='utf-8')  # an empty line
    with pytest.raises(SystemExit):
        export.main(['--weights', weights, '--output', str(tmp_path / 'e'), '--check', str(bad)])
    err = capsys.readouterr().err
    assert err.startswith('error: ') and 'bad.txt' in err and len(err.strip().splitlines()) == 1
    with pytest.raises(SystemExit):
        export.main(['--weights', str(tmp_path / 'missing.h5'), '--output', str(tmp_path / 'e'), '--check', ''])
    assert 'missing.h5' in capsys.readouterr().err
    assert not os.path.exists(tmp_path / 'e' / '1')


def test_help(capsys):
    with pytest.raises(SystemExit) as exit_:
        export.main(['--help'])
    assert exit_.value.code == 0
    assert 'serving_default' in capsys.readouterr().out


def test_without_tensorflow_text_export_says_what_to_install(tmp_path):
    # a Python where importing tensorflow_text fails, as on a machine that never installed it
    blocker = tmp_path / 'sitecustomize.py'
    blocker.write_text('import sys\nclass Block:\n    def find_spec(self, name, path=None, target=None):\n'
                       '        if name.split(".")[0] == "tensorflow_text":\n'
                       '            raise ModuleNotFoundError("No module named \'tensorflow_text\'", name=name)\n'
                       'sys.meta_path.insert(0, Block())\n', encoding='utf-8')
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    done = subprocess.run([sys.executable, os.path.join(os.path.dirname(export.__file__), 'export.py'), '--help'],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and 'Traceback' not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("error: export.py needs TensorFlow Text (No module named 'tensorflow_text')")


def test_an_unreadable_check_file_is_one_line(tmp_path, capsys, unreadable):
    check = tmp_path / 'check.txt'
    check.write_text('胃炎\n', encoding='utf-8')
    unreadable(check)
    with pytest.raises(SystemExit) as stop:
        export.main(['--weights', str(tmp_path / 'm.h5'), '--output', str(tmp_path / 'e'), '--check', str(check)])
    assert stop.value.code == 2
    assert capsys.readouterr().err.strip() == f'error: {check}: cannot read it (Permission denied)'
