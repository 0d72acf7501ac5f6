import os
import sys

# Tests import the top-level scripts (path.py, model.py, ...) as modules.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import utils.compat  # noqa: E402,F401  (before any test imports TensorFlow)

import json  # noqa: E402
import shutil  # noqa: E402

import pytest  # noqa: E402

import path  # noqa: E402

# A tiny ALBERT (1 layer, hidden 32) with the real vocabulary: fast enough for
# unit tests, and the same code path as the real albert_tiny config.
TINY_ALBERT_CONFIG = {
    'attention_probs_dropout_prob': 0.0, 'hidden_act': 'gelu', 'hidden_dropout_prob': 0.0,
    'embedding_size': 16, 'hidden_size': 32, 'initializer_range': 0.02, 'intermediate_size': 64,
    'max_position_embeddings': 512, 'num_attention_heads': 2, 'num_hidden_layers': 1,
    'type_vocab_size': 2, 'vocab_size': 21128,
}

TOY_ROWS = {
    0: ['胆总管结石ERCP取石术', '胰管支架置入', '胆囊切除术后复查', 'EST+ENBD术', '胆道金属支架置入',
        '壶腹部占位', '肝内胆管扩张', '胆管狭窄行球囊扩张', '乳头括约肌切开', '胰腺假性囊肿引流'],
    1: ['慢性浅表性胃炎', '食管通过顺利粘膜光滑', '十二指肠球部溃疡A1期', '胃窦粘膜充血水肿', '贲门齿状线清晰',
        '反流性食管炎LA-A级', '胃体息肉予活检', '幽门孔圆开放可', '胃角溃疡S1期', '食管静脉曲张'],
    2: ['直肠息肉予圈套摘除', '乙状结肠粘膜光滑', '内痔', '横结肠见一憩室', '肛门指检未及肿物',
        '回盲瓣呈唇形', '降结肠管状腺瘤', '盲肠阑尾开口清晰', '升结肠黑变病', '溃疡性结肠炎'],
}
TOY_LABEL_NAMES = ('其他', '上消化道', '下消化道')  # written to labels.txt by the toy_data fixture
TEXTS = [text for texts in TOY_ROWS.values() for text in texts]
LABELS = [label for label, texts in TOY_ROWS.items() for _ in texts]


@pytest.fixture(autouse=True)
def float32_integrated_gradients(monkeypatch):
    """Integrated Gradients' precision 'auto' is float32 in every test, whatever the CPU; bfloat16's tests ask for it."""
    import inference
    monkeypatch.setattr(inference, 'native_bfloat16', lambda: False)


def write_rows(path_, rows):
    with open(path_, 'w', encoding='utf-8') as f:
        f.writelines(f'{text}\t{label}\n' for text, label in rows)
    return str(path_)


def main_argv(tiny_albert_dir, toy_data, out, *extra):
    """main.py's arguments for a run on the toy data with the tiny ALBERT, writing below out (a Path):
    the weights at out/weights/model.h5."""
    return ['--train', toy_data['train'], '--val', toy_data['val'], '--test', toy_data['test'], '--check', '',
            '--albert-dir', tiny_albert_dir, '--weights', str(out / 'weights' / 'model.h5'),
            '--log-dir', str(out / 'log'), '--images-dir', str(out / 'images'),
            '--batch-size', '8', '--learning-rate', '3e-3', *extra]


def write_tiny_albert(folder):
    """folder/albert, an albert_tiny_google_zh-like folder holding the tiny config and the real vocab.txt."""
    albert_dir = folder / 'albert'
    albert_dir.mkdir()
    (albert_dir / 'albert_config.json').write_text(json.dumps(TINY_ALBERT_CONFIG))
    shutil.copy(f'{path.ALBERT_DIR}/vocab.txt', albert_dir / 'vocab.txt')
    return str(albert_dir)


def write_toy_data(tmp_path):
    """Small train/val/test files in tmp_path: 30 / 9 / 9 texts over the three labels, and their labels.txt."""
    rows = [(text, label) for label, texts in TOY_ROWS.items() for text in texts]
    train = [(text, label) for text, label in rows]
    val = [(text + '。', label) for text, label in rows[::10][:3] + rows[1::10][:3] + rows[2::10][:3]]
    test = [(text + '，', label) for text, label in rows[3::10][:3] + rows[4::10][:3] + rows[5::10][:3]]
    (tmp_path / 'labels.txt').write_text(''.join(f'{k}\t{name}\n' for k, name in enumerate(TOY_LABEL_NAMES)),
                                         encoding='utf-8')
    return {name: write_rows(tmp_path / f'{name}.txt', split)
            for name, split in (('train', train), ('val', val), ('test', test))}


@pytest.fixture
def tiny_albert_dir(tmp_path):
    return write_tiny_albert(tmp_path)


@pytest.fixture
def toy_data(tmp_path):
    return write_toy_data(tmp_path)


@pytest.fixture(scope='session')
def trained_tiny(tmp_path_factory):
    """(model, tokenizer, weights path): a tiny model trained on TOY_ROWS until its predictions
    differ by text, saved as main.py saves it."""
    import numpy as np
    import tensorflow as tf
    from bert4keras.backend import keras

    import model as M
    import trainer
    from data_process import encode

    albert_dir = write_tiny_albert(tmp_path_factory.mktemp('tiny'))
    tf.keras.utils.set_random_seed(1)
    model, _, _ = M.new_model(albert_dir, TOY_LABEL_NAMES, quiet=True)
    tokenizer = M.load_tokenizer(os.path.join(albert_dir, 'vocab.txt'))
    token_ids, segment_ids = encode(TEXTS, tokenizer)
    step = trainer.make_train_step(model, keras.optimizers.Adam(3e-3), gradient_penalty=0.0)
    for _ in range(40):
        step(token_ids, segment_ids, np.array(LABELS, dtype='int32'))
    weights = str(tmp_path_factory.mktemp('weights') / 'model.h5')
    M.save_model_files(model, os.path.join(albert_dir, 'vocab.txt'), weights)
    M.save_weights(model, weights)  # as main.py saves it, fingerprint included
    return model, tokenizer, weights


@pytest.fixture
def unreadable(monkeypatch):
    """make_unreadable(path): opening that file with open() raises PermissionError, as a file without read
    permission does for a user other than root (chmod 000 stops no root process, and tests may run as root)."""
    import builtins
    real_open, blocked = builtins.open, set()

    def guarded_open(file, *args, **kwargs):
        if isinstance(file, (str, bytes, os.PathLike)) and os.path.realpath(file) in blocked:
            raise PermissionError(13, 'Permission denied', os.fspath(file))
        return real_open(file, *args, **kwargs)
    monkeypatch.setattr(builtins, 'open', guarded_open)

    def make_unreadable(path_):
        blocked.add(os.path.realpath(path_))
        return str(path_)
    return make_unreadable
