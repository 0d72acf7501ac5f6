"""Any Chinese script: Traditional characters read as simplified ones (utils/script.py), in the tokenizer and its explanations."""
import numpy as np
import pytest

import attribution as A
import model as M
import path
from data_process import load_data
from preprocess import traditional_copy
from utils.script import simplified_table, to_simplified

VOCAB = f'{path.ALBERT_DIR}/vocab.txt'
TRADITIONAL = '內視鏡：結腸瘜肉，闌尾開口；術後裡急後重，十二指腸球部潰瘍'
SIMPLIFIED = '内视镜：结肠瘜肉，阑尾开口；术后里急后重，十二指肠球部溃疡'


def test_traditional_characters_read_as_simplified():
    assert to_simplified(TRADITIONAL) == SIMPLIFIED
    assert to_simplified('膽總管結石ERCP') == '胆总管结石ERCP'
    assert to_simplified('顯著') == '显著'  # 著 is a simplified character too (显著): kept
    assert to_simplified('乾燥') == '乾燥'


def test_the_table_maps_one_character_to_one_and_once_is_enough():
    table = simplified_table()
    assert len(table) > 4000
    assert all(len(out) == 1 for out in table.values())
    assert all(to_simplified(out) == out for out in table.values())


@pytest.mark.parametrize('file', [path.DATA_DIR + '/all.txt', path.CHECK_PATH, path.HOLDOUT_PATH])
def test_simplified_text_reads_as_before(file):
    """The shipped data, and so training on it, is untouched by the mapping."""
    texts = [text for text, _ in load_data(file, warn=False)]
    assert [to_simplified(text) for text in texts] == texts


@pytest.fixture(scope='module')
def tokenizer():
    return M.load_tokenizer(VOCAB)


def test_the_tokenizer_encodes_traditional_as_simplified(tokenizer):
    assert tokenizer.encode(TRADITIONAL)[0] == tokenizer.encode(SIMPLIFIED)[0]
    assert tokenizer.tokenize(TRADITIONAL) == tokenizer.tokenize(SIMPLIFIED)
    assert tokenizer.token_to_id('結') != tokenizer.token_to_id('结')  # the vocabulary has both


def test_explanations_fall_on_the_characters_as_written(tokenizer):
    tokens = tokenizer.tokenize(TRADITIONAL)
    attributions = np.arange(len(tokens), dtype=float)
    chars, scores = A.char_scores(TRADITIONAL, tokenizer, attributions)
    assert chars == list(TRADITIONAL)
    assert scores == A.char_scores(SIMPLIFIED, tokenizer, attributions)[1]


def test_the_shipped_traditional_check_is_the_check_set_converted():
    shipped = load_data(path.CHECK_TRADITIONAL_PATH, warn=False)
    assert shipped == traditional_copy.convert(load_data(path.CHECK_PATH, warn=False), 's2twp')
    assert sum(text != to_simplified(text) for text, _ in shipped) > 0.9 * len(shipped)


def test_traditional_copy_writes_and_refuses_its_input(tmp_path, capsys):
    source = tmp_path / 'in.txt'
    source.write_text('结肠镜检查\t2\n胃窦糜烂\t1\n', encoding='utf-8')
    traditional_copy.main(['--input', str(source), '--output', str(tmp_path / 'out.txt'), '--config', 's2hk'])
    assert (tmp_path / 'out.txt').read_text(encoding='utf-8') == '結腸鏡檢查\t2\n胃竇糜爛\t1\n'
    with pytest.raises(SystemExit) as stop:
        traditional_copy.main(['--input', str(source), '--output', str(source)])
    assert stop.value.code == 2 and 'is the input file' in capsys.readouterr().err
    assert source.read_text(encoding='utf-8') == '结肠镜检查\t2\n胃窦糜烂\t1\n'


def test_the_keyword_rules_read_traditional_script_too():
    from baselines import keyword_rule, original_keyword_rule
    assert keyword_rule('結腸息肉') == 2 and keyword_rule('胃竇潰瘍') == 1 and keyword_rule('膽囊結石') == 0
    assert original_keyword_rule('腸鏡') == 2


def test_a_character_that_would_map_out_of_the_vocabulary_stays_itself(tokenizer):
    outside = [chr(code) for code, ch in simplified_table().items()
               if chr(code) in tokenizer._token_dict and ch not in tokenizer._token_dict]
    assert outside  # e.g. 嗰, whose simplified form is not in the vocabulary
    assert tokenizer.tokenize(outside[0])[1:-1] == [outside[0]]  # a token, not [UNK]
    assert all(ch in tokenizer._token_dict for ch in tokenizer.script_table.values())


def test_words_of_a_traditional_text_are_cut_as_its_simplified_form():
    segmenter = A.word_segmenter()
    assert A.word_ranges(TRADITIONAL, segmenter) == A.word_ranges(SIMPLIFIED, segmenter)
