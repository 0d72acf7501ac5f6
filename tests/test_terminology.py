"""preprocess/terminology.py: the ICD-10 names, their labels by rule, and their place in the data."""
import collections
import random

import pytest

import path
from data_process import load_data
from preprocess import synthesize, terminology
from utils.text import is_punctuation


@pytest.mark.parametrize('code, name, label', [
    ('K25.401', '胃溃疡伴出血', 1), ('K21.001', '反流性食管炎', 1), ('K27.903', '应激性溃疡', 1),
    ('K92.1', '黑便', 1), ('C16.3', '胃窦恶性肿瘤', 1), ('I85.0', '食管静脉曲张伴有出血', 1),
    ('K57.304', '盲肠憩室炎', 2), ('K35.9', '急性阑尾炎', 2), ('C20', '直肠恶性肿瘤', 2), ('I84.5', '外痔', 2),
    ('S36.5', '结肠损伤', 2), ('K51.9', '溃疡性结肠炎', 2),
    ('K80.2', '胆囊结石', 0), ('K85.9', '急性胰腺炎', 0), ('J18.9', '肺炎', 0), ('K92.2', '消化道出血', None),
    ('S36.1', '肝损伤', 0), ('R10.4', '腹痛', 0), ('K40.9', '腹股沟疝', 0),
    # left out: small bowel, both tracts, the gut as a whole, a tract word against the code
    ('K50.004', '空肠克罗恩病', None), ('K50.003', '回肠克罗恩病', None), ('K91.001', '胃肠手术后呕吐', None),
    ('K44.902', '食管裂孔疝', None), ('K63.9', '肠疾病', None), ('C26.0', '肠道恶性肿瘤', None),
    ('K52.9', '非感染性胃肠炎', None), ('C16.9', '胃和结肠恶性肿瘤', None),
])
def test_the_rule_labels_by_code_and_leaves_out_what_it_cannot_decide(code, name, label):
    assert terminology.label_of(code, name) == label


def test_the_shipped_bank_is_what_the_rule_gives():
    names = terminology.TERMS['names']
    assert min(len(names['1']), len(names['2'])) >= 300 and len(names['0']) >= 1000
    for label, entries in names.items():
        for code, name in entries:
            assert terminology.label_of(code, name) == int(label), (code, name)
            assert terminology.clean_name(name) == name
    assert terminology.TERMS['source']


def test_build_cleans_names_and_keeps_one_entry_a_name(tmp_path):
    rows = [('K25.401', '胃溃疡伴出血'), ('K25.4', '胃溃疡,慢性或未特指的,伴有出血'), ('K25.401', '胃溃疡伴出血'),
            ('K50.004', '空肠克罗恩病'), ('K91.103', '倾倒综合征[胃切除术后综合征]'), ('A00', 'X')]
    bank = terminology.build(rows)
    assert bank == {'0': [], '1': [['K25.401', '胃溃疡伴出血'], ['K25.4', '胃溃疡']], '2': []}
    source = tmp_path / 'icd.tsv'
    source.write_text('code\tname\n' + ''.join(f'{c}\t{n}\n' for c, n in rows), encoding='utf-8')
    out = tmp_path / 'bank.json'
    terminology.main(['--source', str(source), '--output', str(out), '--name', 'test list'])
    assert '胃溃疡伴出血' in out.read_text(encoding='utf-8') and not list(tmp_path.glob('*.tmp'))


@pytest.fixture(scope='module')
def shipped():
    return load_data(path.ALL_PATH, warn=False)


def test_the_data_names_terminology_entries_in_every_label(shipped):
    for label in (0, 1, 2):
        names = {name for _, name in terminology.TERMS['names'][str(label)]}
        texts = [text for text, lab in shipped if lab == label]
        with_name = sum(any(name in text for name in names) for text in texts)
        assert with_name / len(texts) >= 0.1, (label, with_name)


@pytest.mark.parametrize('word, label', [('上消化道', 1), ('下消化道', 2), ('食道', 1), ('胃食道逆流', 1), ('上消化道内视镜', 1),
                                         ('大肠镜', 2), ('瘜肉', 1), ('瘜肉', 2), ('内视镜', 1), ('胃肠炎', 0), ('消化道', 0)])
def test_the_classes_own_words_and_regional_words_are_in_the_data(shipped, word, label):
    assert sum(word in text for text, lab in shipped if lab == label) >= 3


def test_every_label_has_the_same_length_and_punctuation(shipped):
    by_label = collections.defaultdict(list)
    for text, label in shipped:
        by_label[label].append(text)
    lengths = {label: sum(map(len, texts)) / len(texts) for label, texts in by_label.items()}
    marks = {label: sum(sum(map(is_punctuation, t)) for t in texts) / sum(map(len, texts))
             for label, texts in by_label.items()}
    assert max(lengths.values()) / min(lengths.values()) < 1.1, lengths
    assert max(marks.values()) / min(marks.values()) < 1.1, marks


def test_every_label_has_as_many_lists_and_full_stops(shipped):
    """、 and ； (lists) and 。 in as large a share of every label's texts: none of them tells the label."""
    by_label = collections.defaultdict(list)
    for text, label in shipped:
        by_label[label].append(text)
    for marks in (synthesize.LIST_MARKS, '。'):
        shares = {label: sum(any(m in t for m in marks) for t in texts) / len(texts) for label, texts in by_label.items()}
        assert max(shares.values()) / min(shares.values()) < 1.2, (marks, shares)


def test_eponyms_come_in_sentences_of_their_own_label():
    """Each eponym is written inside history and consultation sentences, not only bare."""
    rng = random.Random(0)
    for label in (0, 1, 2):
        write = terminology.eponym_context(label)
        texts = [write(rng) for _ in range(200)]
        eponyms = terminology.SHORTHAND['eponyms'][str(label)]
        assert all(any(e in t for e in eponyms) and '{' not in t for t in texts)
        assert sum(t not in eponyms for t in texts) >= 190  # a frame around it nearly always
        assert len(set(texts)) >= 150


def test_the_terms_check_set(shipped):
    rows = load_data(path.TERMS_CHECK_PATH, warn=False)
    assert len(rows) >= 300
    counts = collections.Counter(label for _, label in rows)
    assert min(counts[label] for label in (0, 1, 2)) >= 90
    texts = [text for text, _ in rows]
    assert len(set(texts)) == len(texts)
    assert not {synthesize.bare(t) for t in texts} & {synthesize.bare(t) for t, _ in shipped}
