"""data/ood_check.txt, the out-of-distribution check set, and benchmarks/bench_check.py."""
import collections
import difflib
import json
import os
import re

import numpy as np
import pytest

import config
import path
from data_process import load_data
from inference import load_predictor
from preprocess import synthesize

SIMILARITY_LIMIT = 0.8


@pytest.fixture(scope='module')
def check_rows():
    return load_data(path.CHECK_PATH, warn=False)


def near_copies(texts, references, limit=SIMILARITY_LIMIT):
    """(text, reference, ratio) for each text within difflib ratio `limit` of a reference.

    difflib's quick_ratio (shared characters, counted with multiplicity) bounds
    ratio() from above, so it is computed for all pairs at once with numpy and
    only the pairs that pass it get the slow ratio(), both ways round.
    """
    alphabet = {ch: i for i, ch in enumerate(sorted({ch for t in texts + references for ch in t}))}
    counts = np.zeros((len(references), len(alphabet)), dtype=np.int16)
    for row, ref in zip(counts, references):
        for ch in ref:
            row[alphabet[ch]] += 1
    ref_lengths = np.array([len(ref) for ref in references])
    found = []
    for text in texts:
        own = collections.Counter(text)
        columns = [alphabet[ch] for ch in own]
        shared = np.minimum(counts[:, columns], np.array([own[ch] for ch in own])).sum(axis=1)
        bound = 2 * shared / (len(text) + ref_lengths)
        for j in np.flatnonzero(bound >= limit):
            ratio = max(difflib.SequenceMatcher(None, text, references[j]).ratio(),
                        difflib.SequenceMatcher(None, references[j], text).ratio())
            if ratio >= limit:
                found.append((text, references[j], ratio))
    return found


def test_near_copies_finds_what_difflib_finds():
    references = ['慢性非萎缩性胃炎伴糜烂', '内痔', '肝右叶血管瘤，建议随访']
    texts = ['慢性非萎缩性胃炎伴糜烂。', '混合痔', '肝右叶血管瘤', '甲状腺结节']
    expected = [(t, r) for t in texts for r in references
                if max(difflib.SequenceMatcher(None, t, r).ratio(), difflib.SequenceMatcher(None, r, t).ratio()) >= 0.8]
    assert [(t, r) for t, r, _ in near_copies(texts, references)] == expected
    assert expected  # the case is not empty


def test_the_check_set_is_large_labelled_and_mixed(check_rows):
    texts = [text for text, _ in check_rows]
    assert len(check_rows) >= 300
    assert len(set(texts)) == len(texts), 'repeated texts'
    counts = collections.Counter(label for _, label in check_rows)
    assert set(counts) == {0, 1, 2}
    for label, n in counts.items():
        assert n / len(check_rows) >= 0.15, f'label {label} is only {n / len(check_rows):.1%}'
    assert counts[0] == max(counts.values()), 'a general export has most texts outside the GI tract'
    assert all(4 <= len(text) <= 198 for text in texts)
    for text, label in check_rows:  # one tract per text, as in the training data
        assert not synthesize.mentions_both_tracts(text), text
    # registers beyond endoscopy: imaging, pathology, history, diagnosis lists, education
    for cues in (('CT',), ('病理', '活检', '切缘', '免疫组化'), ('超声',), ('患者',), ('术后',)):
        assert sum(any(cue in text for cue in cues) for text in texts) >= 5, cues
    # the body outside the digestive tract
    for organ in ('肝', '肾', '肺', '子宫', '甲状腺'):
        assert sum(organ in text for text, label in check_rows if label == 0) >= 3, organ


OOD_SETS = [path.CHECK_PATH, path.HOLDOUT_PATH, path.TERMS_CHECK_PATH]


@pytest.mark.parametrize('ood_path', OOD_SETS)
def test_the_check_sets_are_not_the_generator_nor_close_to_it(ood_path):
    # compared as the generator compares them: without spaces and end marks (synthesize.bare)
    generated = [synthesize.bare(text) for text, _ in load_data(path.ALL_PATH, warn=False)]
    texts = [synthesize.bare(text) for text, _ in load_data(ood_path, warn=False)]
    assert not set(texts) & set(generated)
    copies = near_copies(texts, generated)
    assert not copies, f'{len(copies)} check texts within difflib {SIMILARITY_LIMIT} of generated ones, ' \
                       f'e.g. {copies[0]}'


# terms_check.txt's short names include the commonest diagnoses, one of them within 0.8 of an original
# example (慢性非萎缩性胃炎伴胆汁反流): a separate check, not training data, so it may.
@pytest.mark.parametrize('ood_path', [path.CHECK_PATH, path.HOLDOUT_PATH])
def test_the_original_examples_stay_out_of_the_check_sets(ood_path):
    examples = [text for text, _ in synthesize.ORIGINAL_EXAMPLES]
    assert not near_copies([text for text, _ in load_data(ood_path, warn=False)], examples)


def test_the_holdout_is_labelled_mixed_and_apart_from_the_check_set(check_rows):
    holdout = load_data(path.HOLDOUT_PATH, warn=False)
    assert len(holdout) >= 200
    counts = collections.Counter(label for _, label in holdout)
    assert counts[0] == max(counts.values()) and min(counts.values()) / len(holdout) >= 0.15
    assert not near_copies([text for text, _ in holdout], [text for text, _ in check_rows])
    assert not any(synthesize.mentions_both_tracts(text) for text, _ in holdout)


def test_bench_check_prints_the_table_and_the_misses(trained_tiny, tmp_path, capsys):
    from benchmarks import bench_check
    _, _, weights = trained_tiny
    check = tmp_path / 'check.txt'
    check.write_text('肝右叶血管瘤\t0\n胆汁反流性胃炎\t1\n肠道准备良好\t2\n十二指肠乳头插管，胆总管取石\t0\n'
                     '十二指肠球部溃疡\t1\n内痔\t2\n',
                     encoding='utf-8')
    out_json = tmp_path / 'check.json'
    scores = bench_check.main(['--input', str(check), '--weights', weights, '--json', str(out_json)])
    printed = capsys.readouterr().out
    assert re.search(r'^\| model \| \d\.\d{4}( \| \d\.\d{4}){4} \|$', printed, re.M)  # a markdown table
    assert re.search(r'^\| site-word rule \| 0\.6667 \|', printed, re.M)
    assert re.search(r'^\| 4-keyword rule \| 0\.5000 \|', printed, re.M)
    assert re.search(r'^\d{4}-\d\d-\d\d, commit \w+\+?, float32 matmul \d+ GFLOP/s, \d+ CPUs: `python ', printed, re.M)
    saved = json.loads(out_json.read_text(encoding='utf-8'))
    n_misses = round((1 - scores['model']['accuracy']) * 6)
    assert f'the model misses {n_misses} of 6' in printed and len(saved['misses']) == n_misses
    assert scores['model']['misses'] == n_misses
    # the confident misses: those above config.CONFIDENT_MISS, counted from the model's own probabilities
    probs = load_predictor(weights).predict_proba([text for text, _ in load_data(str(check), warn=False)])
    wrong = probs.argmax(axis=1) != [label for _, label in load_data(str(check), warn=False)]
    confident = int((wrong & (probs.max(axis=1) > config.CONFIDENT_MISS)).sum())
    assert scores['model']['confident_misses'] == confident
    assert f'the model: {n_misses} misses, {confident} of them at p > 0.99' in printed
    assert saved['scores']['site-word rule']['accuracy'] == pytest.approx(4 / 6)


def test_bench_check_without_a_model_is_one_line(tmp_path, capsys):
    from benchmarks import bench_check
    with pytest.raises(SystemExit) as stop:
        bench_check.main(['--weights', str(tmp_path / 'none.h5')])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and 'none.h5 not found' in err


@pytest.mark.parametrize('ood_path', OOD_SETS)
def test_the_check_sets_are_never_training_data(ood_path):
    generated = {text for name in ('train.txt', 'val.txt', 'test.txt')
                 for text, _ in load_data(os.path.join(path.DATA_DIR, name), warn=False)}
    assert not generated & {text for text, _ in load_data(ood_path, warn=False)}


def test_bench_shortcuts_compares_with_and_without_punctuation(trained_tiny, tmp_path, capsys):
    from benchmarks import bench_shortcuts
    assert bench_shortcuts.without_punctuation('胃窦：糜烂，（活检1）。') == '胃窦 糜烂 活检1'
    assert bench_shortcuts.without_punctuation('。，') == '。，'  # nothing else: left as it is
    _, _, weights = trained_tiny
    texts = tmp_path / 'texts.txt'
    texts.write_text('肝右叶血管瘤，建议随访。\n胃窦：糜烂，（活检1）。\n内痔，出血。\n', encoding='utf-8')
    rows = bench_shortcuts.main(['--input', str(texts), '--weights', weights])
    printed = capsys.readouterr().out
    assert '| class | texts | mean p | mean p without punctuation |' in printed
    assert sum(row[1] for row in rows) == 3
    for row in rows:
        assert 0 <= float(row[2]) <= 1 and 0 <= float(row[7]) <= 1 and 0 <= row[6] <= row[1]


def test_training_report_of_an_older_runs_metrics_is_one_line(tmp_path, capsys):
    from benchmarks import training_report
    (tmp_path / 'metrics.json').write_text(json.dumps({'per_class': {'其他': {}}, 'test_accuracy': 0.9}), encoding='utf-8')
    (tmp_path / 'history.csv').write_text('epoch,loss\n1,0.5\n', encoding='utf-8')
    with pytest.raises(SystemExit) as stop:
        training_report.main(['--log-dir', str(tmp_path)])
    err = capsys.readouterr().err.strip()
    assert stop.value.code == 2 and err == f"error: {tmp_path / 'metrics.json'}: no 'speed' in it (written by an older main.py); train again to report the run"
