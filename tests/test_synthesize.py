"""The shipped synthetic dataset (data/*.txt) and the script that writes it."""
import collections
import difflib
import filecmp
import os
import re

import pytest

import path
from data_process import load_data
from preprocess import synthesize

FILES = ('all.txt', 'train.txt', 'val.txt', 'test.txt')
MIN_TRAP_TEXTS = 25


@pytest.fixture(scope='module')
def shipped():
    """{name: [(text, label), ...]} of the committed data files."""
    return {name: load_data(os.path.join(path.DATA_DIR, name), warn=False) for name in FILES}


def test_regenerating_reproduces_the_committed_files(tmp_path):
    synthesize.main(['--out-dir', str(tmp_path)])
    for name in FILES:
        assert filecmp.cmp(tmp_path / name, os.path.join(path.DATA_DIR, name), shallow=False), \
            f'data/{name} differs from a fresh run of preprocess/synthesize.py; regenerate and commit it'


def test_another_seed_gives_other_files(tmp_path):
    synthesize.main(['--out-dir', str(tmp_path), '--seed', '7', '--size', '500'])
    synthesize.main(['--out-dir', str(tmp_path / 'again'), '--seed', '7', '--size', '500'])
    synthesize.main(['--out-dir', str(tmp_path / 'other'), '--seed', '8', '--size', '500'])
    for name in FILES:
        assert filecmp.cmp(tmp_path / name, tmp_path / 'again' / name, shallow=False)
        assert not filecmp.cmp(tmp_path / name, tmp_path / 'other' / name, shallow=False)


def test_size_labels_and_lengths(shipped):
    rows = shipped['all.txt']
    texts = [text for text, _ in rows]
    assert len(rows) >= 6000
    assert len(set(texts)) == len(texts), 'duplicate texts'
    counts = collections.Counter(label for _, label in rows)
    assert set(counts) == {0, 1, 2}
    for label, n in counts.items():
        assert n / len(rows) >= 0.25, f'label {label} is only {n / len(rows):.1%}'
    assert counts[0] > counts[1] and counts[0] > counts[2]  # label 0 spans the whole body
    lengths = sorted(len(text) for text in texts)
    assert lengths[0] >= 4 and lengths[-1] <= 200
    mean = sum(lengths) / len(lengths)
    assert 30 <= mean <= 60, mean
    assert lengths[len(lengths) // 2] < mean          # many short lines, fewer long walks
    assert lengths[int(0.95 * len(lengths))] >= 100   # long multi-site passages are common


def test_splits_are_a_stratified_8_1_1_partition(shipped):
    whole = shipped['all.txt']
    parts = [shipped[name] for name in ('train.txt', 'val.txt', 'test.txt')]
    assert sorted(r for part in parts for r in part) == sorted(whole)
    sets = [{text for text, _ in part} for part in parts]
    assert not (sets[0] & sets[1] or sets[0] & sets[2] or sets[1] & sets[2]), 'a text in two splits'
    for part, share in zip(parts, (0.8, 0.1, 0.1)):
        assert abs(len(part) / len(whole) - share) < 0.01
    whole_counts = collections.Counter(label for _, label in whole)
    for part in parts:
        counts = collections.Counter(label for _, label in part)
        for label in whole_counts:
            assert abs(counts[label] / len(part) - whole_counts[label] / len(whole)) < 0.02


def test_the_original_examples_are_not_in_the_data(shipped):
    assert len(synthesize.ORIGINAL_EXAMPLES) == 8
    for text, _ in shipped['all.txt']:
        for example, _ in synthesize.ORIGINAL_EXAMPLES:
            for a, b in ((text, example), (example, text)):
                assert difflib.SequenceMatcher(None, a, b).ratio() < 0.8, (text, example)


@pytest.mark.parametrize('word,label', synthesize.TRAPS)
def test_every_trap_is_present_with_its_label(shipped, word, label):
    rows = shipped['all.txt']
    assert sum(1 for text, lab in rows if word in text and lab == label) >= MIN_TRAP_TEXTS


def test_trap_texts_are_labelled_by_the_tract_not_the_keyword(shipped):
    labels = collections.defaultdict(set)
    for text, label in shipped['all.txt']:
        for word in ('肝曲', '脾曲', '距肛缘', '降结肠', '回肠末端', '回盲瓣'):
            if word in text:
                labels[word].add(label)
        if '距门齿' in text:
            labels['距门齿'].add(label)
        if ('胃肠减压' in text or '胃肠道' in text) and not any(synthesize.tracts(text)):  # no other site named
            labels['胃肠减压/胃肠道'].add(label)
    assert labels['距门齿'] == {1}
    assert labels['胃肠减压/胃肠道'] == {0}
    for word in ('肝曲', '脾曲', '距肛缘', '降结肠', '回肠末端', '回盲瓣'):
        assert labels[word] == {2}, word


# A hospital export mixes registers; each label must come in each of them.
REGISTER_CUES = {
    'pathology': ('病理', '分化', '瘤变', '免疫组化', '切缘'),
    'imaging': ('CT', 'MR', '超声', 'B超', '钡', '强化', '回声', '造影', 'PET'),
    'medical history': ('患者', '主诉', '现病史', '既往', '入院'),
    'discharge summary': ('出院',),
}
BODY_OUTSIDE_THE_GI_TRACT = ('肝', '脾', '胰', '胆', '肾', '膀胱', '子宫', '卵巢', '肺', '心', '脑', '甲状腺', '乳腺',
                             '骨', '皮肤', '血')


@pytest.mark.parametrize('register', REGISTER_CUES)
def test_every_label_comes_in_every_register(shipped, register):
    rows = shipped['all.txt']
    for label in (0, 1, 2):
        texts = [text for text, lab in rows if lab == label]
        share = sum(any(cue in text for cue in REGISTER_CUES[register]) for text in texts) / len(texts)
        assert share >= 0.02, f'label {label}: {share:.1%} {register} texts'


def test_symptoms_that_point_at_a_tract_stand_alone_in_histories(shipped):
    # 呕血 or 便血 says upper or lower without a site word; vague 腹痛 or 恶心 says neither
    rows = shipped['all.txt']
    symptoms = synthesize.UPPER_SYMPTOMS + synthesize.LOWER_SYMPTOMS
    sites = [term for term in synthesize.UPPER_TERMS + synthesize.LOWER_TERMS if term not in symptoms]
    for symptom, label in (('呕血', 1), ('吞咽困难', 1), ('便血', 2), ('里急后重', 2)):
        alone = [lab for text, lab in rows if symptom in text and re.search('前.{0,6}出现', text)
                 and not any(site in text for site in sites)]
        assert alone and set(alone) == {label}, (symptom, collections.Counter(alone))
    for vague in ('恶心', '腹胀', '腹痛'):  # with no site and no pointing symptom
        alone = [lab for text, lab in rows if vague in text and re.search('前.{0,6}出现', text)
                 and not any(synthesize.tracts(text))]
        assert alone and set(alone) == {0}, (vague, collections.Counter(alone))


def test_label_0_covers_the_whole_body(shipped):
    zero = [text for text, label in shipped['all.txt'] if label == 0]
    for organ in BODY_OUTSIDE_THE_GI_TRACT:
        assert sum(organ in text for text in zero) >= 10, organ
    biliary = sum(any(cue in text for cue in synthesize.BILIARY_CUES) for text in zero)
    assert biliary / len(zero) < 0.5, 'label 0 is mostly biliary again'


def test_no_text_names_both_tracts(shipped):
    for text, label in shipped['all.txt']:
        assert not synthesize.mentions_both_tracts(text), text
        assert synthesize.consistent(text, label), (text, label)


@pytest.mark.parametrize('text,both', [
    ('胃窦粘膜充血，乙状结肠见一息肉', True),
    ('胃肠镜检查：食管通过顺利，直肠未见异常', True),
    ('十二指肠降部见霜斑样糜烂', False),        # 十二指肠 contains 肠
    ('十二指肠镜进至降部，乳头开口见结石嵌顿', False),  # 十二指肠镜 contains 肠镜
    ('肝曲见一0.3cm息肉，予APC灼除', False),    # 肝曲 is colon only
    ('胃肠减压后，直肠未见异常', False),          # 胃肠减压 names no tract
    ('慢性胃炎伴肠上皮化生', False),
])
def test_mentions_both_tracts(text, both):
    assert synthesize.mentions_both_tracts(text) == both


def test_synthesize_is_seeded():
    assert synthesize.synthesize(200, 3) == synthesize.synthesize(200, 3)
    rows = synthesize.synthesize(200, 3)
    assert len(rows) == 200 and len({text for text, _ in rows}) == 200


def test_trim_cuts_at_a_sentence_end():
    text = '胃窦见一0.5cm息肉。' * 30
    trimmed = synthesize.trim(text)
    assert len(trimmed) <= synthesize.MAX_CHARS and trimmed.endswith('。')
    assert synthesize.trim('短句') == '短句'


def test_size_below_the_minimum_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as e:
        synthesize.main(['--size', '10'])
    assert e.value.code == 2
    assert '--size' in capsys.readouterr().err
