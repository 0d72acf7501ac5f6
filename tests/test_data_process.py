"""data_process: load_data's checks and messages, deduplicate, split_dataset."""
import os
from collections import Counter

import numpy as np
import pytest

from data_process import (DataError, deduplicate, load_data, load_labelled, mask_tokens, read_label_names, split_dataset,
                          write_dataset)


def data_file(tmp_path, content):
    path = tmp_path / 'data.txt'
    path.write_bytes(content if isinstance(content, bytes) else content.encode('utf-8'))
    return str(path)


@pytest.mark.parametrize('content, where, message', [
    ('慢性胃炎\t1\n内痔 2\n', 2, "expected 'text<TAB>label', found no tab"),
    ('慢性胃炎\t1\t2\n', 1, "expected 'text<TAB>label', found 2 tabs"),
    ('慢性胃炎\t1\n内痔\t2\n\t1\n', 3, 'empty text'),
    ('慢性胃炎\t1\n   \t1\n', 2, 'empty text'),
    ('慢性胃炎\t3\n', 1, "label '3' is not an integer in 0..2"),
    ('慢性胃炎\t1\n内痔\tx\n', 2, "label 'x' is not an integer in 0..2"),
    ('慢性胃炎\t-1\n', 1, "label '-1' is not an integer in 0..2"),
    ('慢性胃炎\t\n', 1, "label '' is not an integer in 0..2"),
    ('慢性胃炎\t①\n', 1, "label '①' is not an integer in 0..2"),  # str.isdigit says yes, int() says no
    ('慢性胃炎\t²\n', 1, "label '²' is not an integer in 0..2"),
    ('慢性胃炎\t1\n\n', 2, "empty line"),  # a blank line is an error, not skipped
    ('慢性胃炎\t1\n'.encode('utf-8') + '内痔\t2\n'.encode('gbk'), 2, 'not valid UTF-8'),
])
def test_load_data_errors_name_file_and_line(tmp_path, content, where, message):
    path = data_file(tmp_path, content)
    with pytest.raises(DataError) as e:
        load_data(path, num_classes=3)
    assert str(e.value).startswith(f'{path}:{where}: {message}')
    assert '\n' not in str(e.value)


def test_without_a_class_count_any_non_negative_label_is_one(tmp_path):
    assert load_data(data_file(tmp_path, '慢性胃炎\t7\n')) == [('慢性胃炎', 7)]
    with pytest.raises(DataError, match="label '-1' is not a non-negative integer"):
        load_data(data_file(tmp_path, '慢性胃炎\t-1\n'))


def test_classes_come_from_labels_txt_beside_the_data(tmp_path):
    train = data_file(tmp_path, '慢性胃炎\t1\n内痔\t0\n')
    (tmp_path / 'labels.txt').write_text('0\t甲\n1\t乙\n2\t丙\n', encoding='utf-8')
    (rows,), names = load_labelled([train])
    assert names == ['甲', '乙', '丙'] and rows == [('慢性胃炎', 1), ('内痔', 0)]  # class 2 named though unseen
    (tmp_path / 'labels.txt').write_text('0\t甲\n1\t乙\n', encoding='utf-8')
    other = data_file(tmp_path, '慢性胃炎\t2\n')
    with pytest.raises(DataError, match="label '2' is not an integer in 0..1"):
        load_labelled([other])


def test_without_labels_txt_classes_are_numbered_up_to_the_largest_label(tmp_path):
    train, test = tmp_path / 'train.txt', tmp_path / 'test.txt'
    train.write_text('慢性胃炎\t1\n内痔\t0\n肝囊肿\t2\n', encoding='utf-8')
    test.write_text('胆总管结石\t3\n', encoding='utf-8')
    (_, test_rows), names = load_labelled([str(train), str(test)])
    assert names == ['0', '1', '2', '3'] and test_rows == [('胆总管结石', 3)]
    train.write_text('慢性胃炎\t1\n内痔\t0\n', encoding='utf-8')  # no 2: a gap is a mistake, not a class
    with pytest.raises(DataError, match='no text has label 2, but labels go up to 3'):
        load_labelled([str(train), str(test)])
    test.write_text('胆总管结石\t0\n', encoding='utf-8')
    with pytest.raises(DataError, match='every text has label 0; a classifier needs two classes'):
        load_labelled([str(test)])


@pytest.mark.parametrize('content, message', [
    ('0\t甲\n1\n', ':2: expected'),
    ('0\t甲\nx\t乙\n', ':2: expected'),
    ('0\t甲\n0\t乙\n', ':2: label 0 named twice'),
    ('0\t甲\n2\t乙\n', ': the ids must be 0..n-1'),
    ('0\t甲\n', ': the ids must be 0..n-1 for two or more classes'),
    ('0\t甲\n1\t甲\n', ":2: the name '甲' is given to two labels"),
])
def test_bad_labels_txt_is_one_line_naming_it(tmp_path, content, message):
    (tmp_path / 'labels.txt').write_text(content, encoding='utf-8')
    with pytest.raises(DataError) as e:
        read_label_names(str(tmp_path / 'labels.txt'))
    assert str(e.value).startswith(f"{tmp_path / 'labels.txt'}{message}")


def test_write_dataset_writes_labels_txt_with_the_files(tmp_path):
    write_dataset(str(tmp_path), {'train': [('内痔', 1)], 'test': [('胃炎', 0)]}, ['其他', '肠'])
    assert read_label_names(str(tmp_path / 'labels.txt')) == ['其他', '肠']
    assert load_labelled([str(tmp_path / 'train.txt')]) == ([[('内痔', 1)]], ['其他', '肠'])


def test_load_data_empty_file(tmp_path):
    path = data_file(tmp_path, '')
    with pytest.raises(DataError, match='no data') as e:
        load_data(path)
    assert str(e.value).startswith(f'{path}: ')


def test_load_data_missing_file(tmp_path):
    with pytest.raises(DataError, match='file not found'):
        load_data(str(tmp_path / 'nope.txt'))


def test_load_data_reads_bom_crlf_and_spaces(tmp_path):
    path = data_file(tmp_path, '\ufeff慢性胃炎\t1\r\n 内痔 \t 2 \r\n胆总管结石\t0\n')
    assert load_data(path) == [('慢性胃炎', 1), ('内痔', 2), ('胆总管结石', 0)]


def test_load_data_warns_once_counting_long_texts(tmp_path, capsys):
    long_text = '胃' * 199  # more than MAXLEN - 2 characters
    path = data_file(tmp_path, f'内痔\t2\n{long_text}\t1\n慢性胃炎\t1\n{long_text}0\t1\n{long_text}00\t1\n')
    data = load_data(path)
    assert len(data) == 5 and data[1] == (long_text, 1)  # kept, not cut
    err = capsys.readouterr().err
    assert err.count('warning') == 1
    assert f'{path}: 3 texts longer than 198 characters' in err and 'first at line 2' in err
    load_data(path, warn=False)
    assert capsys.readouterr().err == ''


def test_write_then_load_round_trip(tmp_path):
    rows = [('慢性胃炎', 1), ('内痔', 2), ('ERCP', 0)]
    write_dataset(str(tmp_path / 'sub'), {'out': rows})
    assert load_data(str(tmp_path / 'sub' / 'out.txt')) == rows


def test_deduplicate():
    rows = [('胃炎', 1), ('内痔', 2), ('胃炎', 1)]
    assert deduplicate(rows) == [('胃炎', 1), ('内痔', 2)]
    with pytest.raises(DataError, match='labelled both 1 and 0'):
        deduplicate(rows + [('胃炎', 0)], source='x.csv')


def test_split_dataset_keeps_proportions_and_leaks_nothing():
    rows = [(f'text {i}', 0) for i in range(500)] + [(f'text {i}', 1) for i in range(500, 800)] \
        + [(f'text {i}', 2) for i in range(800, 1000)]
    train, val, test = split_dataset(list(rows), seed=2024)
    assert (len(train), len(val), len(test)) == (800, 100, 100)
    for split, share in ((train, 0.8), (val, 0.1), (test, 0.1)):
        counts = Counter(label for _, label in split)
        assert counts == {0: 500 * share, 1: 300 * share, 2: 200 * share}
    texts = [{t for t, _ in split} for split in (train, val, test)]
    assert not (texts[0] & texts[1]) and not (texts[0] & texts[2]) and not (texts[1] & texts[2])
    assert sorted(train + val + test) == sorted(rows)
    # shuffled across labels, not grouped by label
    assert len({label for _, label in train[:50]}) == 3


def test_split_dataset_is_seeded():
    rows = [(f'text {i}', i % 3) for i in range(300)]
    assert split_dataset(list(rows), seed=1) == split_dataset(list(rows), seed=1)
    assert split_dataset(list(rows), seed=1)[0] != split_dataset(list(rows), seed=2)[0]


def test_length_sorted_batches_cover_every_text_once_within_their_limits():
    from data_process import PAD_MULTIPLE, length_sorted_batches
    texts = ['胃' * n for n in [5, 190, 30, 31, 7, 100, 6, 60, 8, 150, 9, 10, 29, 28, 3, 4] * 5]
    for batch_size, max_tokens in [(1, 8192), (4, 8192), (128, 8192), (128, 512)]:
        batches = length_sorted_batches(texts, batch_size, max_tokens)
        assert sorted(i for batch in batches for i in batch) == list(range(len(texts)))
        for batch in batches:
            lengths = [len(texts[i]) + 2 for i in batch]
            width = -(-max(lengths) // PAD_MULTIPLE) * PAD_MULTIPLE
            assert len(batch) <= batch_size
            assert len(batch) == 1 or len(batch) * width <= max_tokens
            assert lengths == sorted(lengths)
    # with room for all, short and long texts still do not share a batch
    batches = length_sorted_batches(texts, 128, 10 ** 6)
    assert not any(len(texts[batch[0]]) < 10 and len(texts[batch[-1]]) > 100 for batch in batches)


def test_rounding_to_pad_multiple_does_not_count_as_padding():
    # texts of 7 to 14 characters all round up to width 16: one batch, not batches of 8 (as when
    # a 9-token text in a 16-wide row counted as 44% padding)
    from data_process import length_sorted_batches
    texts = ['胃' * (7 + i % 8) for i in range(200)]
    assert [len(batch) for batch in length_sorted_batches(texts, 128)] == [128, 72]
    # texts longer than maxlen are cut to it, so they are counted at maxlen
    long_texts = ['胃' * 500] * 20
    assert [len(batch) for batch in length_sorted_batches(long_texts, 128, max_tokens=4096, maxlen=200)] == [20]


def test_mask_tokens_hides_only_text_tokens_at_the_asked_rates():
    # 200 texts of 20 tokens ([CLS] 18 characters [SEP]) padded to 24
    ids = np.zeros((200, 24), dtype='int32')
    ids[:, 0], ids[:, 1:19], ids[:, 19] = 101, 5000, 102
    masked = mask_tokens(ids, np.random.default_rng(0), unk_id=100, unk_rate=0.1)
    assert (ids[:, 1:19] == 5000).all()  # the input is not changed
    assert (masked[:, 0] == 101).all() and (masked[:, 19] == 102).all() and (masked[:, 20:] == 0).all()
    assert set(np.unique(masked[:, 1:19])) == {100, 5000}
    assert 0.08 < (masked[:, 1:19] == 100).mean() < 0.12

    spans = mask_tokens(ids, np.random.default_rng(0), unk_id=100, span_rate=0.5, span_max=4)
    hidden = (spans[:, 1:19] == 100)
    assert 0.4 < hidden.any(axis=1).mean() < 0.6
    for row in hidden[hidden.any(axis=1)]:  # one run of 1..4 tokens
        where = np.flatnonzero(row)
        assert 1 <= len(where) <= 4 and where[-1] - where[0] == len(where) - 1

    np.testing.assert_array_equal(mask_tokens(ids, np.random.default_rng(5), 100, 0.2, 0.5, 3),
                                  mask_tokens(ids, np.random.default_rng(5), 100, 0.2, 0.5, 3))


def test_mask_tokens_never_hides_a_one_character_text_by_span():
    ids = np.array([[101, 7000, 102, 0]], dtype='int32')
    for seed in range(20):
        assert mask_tokens(ids, np.random.default_rng(seed), 100, span_rate=1.0, span_max=4)[0, 1] == 7000


def test_a_spreadsheet_float_label_and_a_full_width_digit_read_as_the_integer(tmp_path):
    assert load_data(data_file(tmp_path, '慢性胃炎\t1.0\n内痔\t2.00\n肝囊肿\t０\n')) == [
        ('慢性胃炎', 1), ('内痔', 2), ('肝囊肿', 0)]


def test_a_folder_given_as_a_data_file_says_so(tmp_path):
    with pytest.raises(DataError, match='is a folder, not a file'):
        load_data(str(tmp_path))


def test_dataset_warnings_name_tiny_sets_missing_classes_and_repeats():
    from data_process import dataset_warnings
    names = ['其他', '上消化道', '下消化道']
    train = [(f'胃{i}', 1) for i in range(30)] + [(f'肠{i}', 2) for i in range(30)] + [(f'肝{i}', 0) for i in range(5)]
    val = [('胃0', 1), ('胃1', 1), ('肠新', 2)]
    warnings = dataset_warnings({'train': train, 'val': val, 'test': [('肝新', 0)]}, names)
    assert any(w.startswith('only 65 training texts') for w in warnings)
    assert 'train split: only 5 texts of class 0 (其他)' in warnings
    assert 'val split: no text of class 0 (其他)' in warnings
    assert 'test split: no text of class 1 (上消化道)' in warnings
    assert any(w.startswith('val split: 2 of its 3 texts are also training texts') for w in warnings)
    big = [(f'胃{i}', 1) for i in range(100)] + [(f'肠{i}', 2) for i in range(100)] + [(f'肝{i}', 0) for i in range(100)]
    assert dataset_warnings({'train': big, 'val': [('胃x', 1), ('肠x', 2), ('肝x', 0)], 'test': []}, names) == []


def test_model_warnings_name_a_one_class_model():
    from evaluation import model_warnings
    names = ['其他', '上消化道', '下消化道']
    labels = [0] * 4 + [1] * 3 + [2] * 3
    one_class = model_warnings(labels, [2] * 10, 0.3, names)
    assert one_class[0].startswith('the model answers 2 (下消化道) for 100% of the validation split, where 30%')
    assert one_class[1].startswith('validation accuracy 0.3000 is no better than always answering 0 (其他): 0.4000')
    assert model_warnings(labels, labels, 1.0, names) == []


def test_blank_texts_turn_every_text_token_of_a_share_of_texts_to_unk_and_their_label_to_blank():
    from data_process import BLANK, blank_texts
    ids = np.array([[101, 7, 8, 9, 102, 0], [101, 5, 102, 0, 0, 0]] * 50, dtype='int32')
    labels = np.array([1, 2] * 50, dtype='int32')
    blanked_ids, blanked_labels = blank_texts(ids, labels, np.random.default_rng(0), unk_id=100, rate=0.3)
    hit = blanked_labels == BLANK
    assert 10 < hit.sum() < 50 and (blanked_labels[~hit] == labels[~hit]).all()
    np.testing.assert_array_equal(blanked_ids[~hit], ids[~hit])
    expected = np.where((ids != 0) & (ids != 101) & (ids != 102), 100, ids)  # [CLS], [SEP], padding kept
    np.testing.assert_array_equal(blanked_ids[hit], expected[hit])
    assert (ids[:, 1] != 100).all() and (labels != BLANK).all()  # the batch given is not changed


def test_a_share_of_blank_texts_keeps_its_punctuation_and_digits():
    from bert4keras.tokenizers import Tokenizer
    from data_process import BLANK, blank_texts, encode, layout_token_ids
    tokenizer = Tokenizer({t: i for i, t in enumerate(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '胃', '肠', '；', '、', '3', '##5'])})
    layout = layout_token_ids(tokenizer)
    assert layout.tolist() == [False] * 6 + [True] * 4
    ids, _ = encode(['胃；肠、35'] * 200, tokenizer, 16)
    blanked, labels = blank_texts(ids, np.ones(200, 'int32'), np.random.default_rng(0), 1, rate=1.0,
                                  layout_ids=layout, layout_share=0.5)
    assert (labels == BLANK).all()
    kept = (blanked == ids).all(axis=1)
    all_unk = np.where(layout[ids] & (ids > 3), ids, 1)  # [PAD] [UNK] [CLS] [SEP] are ids 0-3
    all_unk[:, 0], all_unk[:, -1] = ids[:, 0], ids[:, -1]
    with_layout = (blanked == all_unk).all(axis=1)
    fully = (blanked[:, 1:-1] == 1).all(axis=1)
    assert not kept.any() and (with_layout | fully).all() and 60 < with_layout.sum() < 140
    assert (blanked[with_layout][:, [2, 4, 5, 6]] == ids[with_layout][:, [2, 4, 5, 6]]).all()  # ； 、 3 ##5 kept


def test_a_class_with_no_training_texts_is_named_in_one_warning():
    from data_process import dataset_warnings
    names = ['其他', '上消化道', '下消化道', '肝胆']
    train = [(f'胃{i}', 1) for i in range(100)] + [(f'肠{i}', 2) for i in range(100)] + [(f'肝{i}', 0) for i in range(100)]
    held_out = [('胃x', 1), ('肠x', 2), ('肝x', 0), ('胆x', 3)]
    warnings = dataset_warnings({'train': train, 'val': held_out, 'test': held_out}, names)
    assert warnings == ['class 3 (肝胆) has no training texts; the model cannot learn it: '
                        'add labelled texts of it, or leave it out of labels.txt']


def test_an_unreadable_file_is_one_line_naming_it(tmp_path, unreadable):
    from data_process import read_lines
    data = unreadable(data_file(tmp_path, '胃炎\t1\n'))
    with pytest.raises(DataError) as error:
        load_data(data)
    assert str(error.value) == f'{data}: cannot read it (Permission denied)'

    class Failing:  # a stream (as Beam opens one) that breaks after the first line
        lines = iter([b'\xe8\x83\x83\xe7\x82\x8e\n'])

        def readline(self):
            line = next(self.lines, None)
            if line is None:
                raise OSError(5, 'Input/output error')
            return line

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False
    lines = read_lines('gs://b/x.txt', Failing())
    assert next(lines) == (1, '胃炎')
    with pytest.raises(DataError, match=r'^gs://b/x.txt: cannot read it \(Input/output error\)$'):
        next(lines)


@pytest.mark.skipif(os.geteuid() == 0, reason='chmod 000 does not stop root from reading')
def test_a_file_without_read_permission_is_one_line_naming_it(tmp_path):
    data = data_file(tmp_path, '胃炎\t1\n')
    os.chmod(data, 0)
    with pytest.raises(DataError, match=r'cannot read it \(Permission denied\)$'):
        load_data(data)
