"""The phrase banks of the synthetic data (preprocess/banks/*.json): readable, well formed, repeats kept."""
import collections
import glob
import json
import os
import re

import pytest

from preprocess.banks import FOLDER, load_bank

NAMES = sorted(os.path.basename(f)[:-len('.json')] for f in glob.glob(os.path.join(FOLDER, '*.json')))

# The phrases a list repeats on purpose: a phrase written n times is drawn n times as
# often, and '' written n times is "nothing here" n times. Removing a repeat would change
# the texts a seed gives, so these stay; no other phrase repeats within a list.
REPEATS = {
    'case_frames': {'fields/grade': {'中分化': 2}, 'fields/tstage': {'T3': 2}, 'fields/hosp': {'我院': 2},
                    'imaging_heads': {'{m}：': 2}, 'triggers': {'无明显诱因': 2}, 'operation_heads': {'': 4},
                    'operation_tails': {'': 4}, 'diagnosis_heads': {'': 5}, 'course_heads': {'': 2},
                    'advice_heads': {'出院医嘱：': 2}, 'surgery_anaesthesia': {'全麻': 2}, 'lay_heads': {'': 4},
                    'finding_heads': {'': 4}, 'finding_tails': {'': 4}, 'pathology_heads': {'': 3}},
    'clinical_shorthand': {'eponym_contexts/leads': {'': 3}, 'eponym_contexts/tails': {'': 3}},
    'ercp': {'steps': {'EST': 2}, 'prefixes': {'': 2}},
    'fields': {'cnt': {'一': 3}},
    'lower_diagnoses': {'cancer_qualifiers': {'': 3, '（{tnml}）': 2}},
    'lower_endoscopy': {'diagnosis_prefixes': {'': 4}, 'pathology_prefixes': {'': 3}, 'procedure_prefixes': {'': 2}},
    'lower_pathology': {'resection/gross': {'': 2}, 'resection/tumours': {'{grade}腺癌': 2},
                        'resection/extras/nodes': {'{ln}': 2}, 'appendix_specimens': {'（阑尾）': 2}},
    'lower_preparation': {'heads': {'': 3}, 'tails': {'': 3}},
    'lower_scans': {'sites/rectum/nn': {'1': 2}, 'sites/rectum/t': {'3': 2}},
    'neither_lines': {'hbp_qualifiers': {'': 3}, 'hbp_prefixes': {'': 3}, 'siteless_prefixes': {'': 3}},
    'tract_bank_frames': {'imaging_impressions': {'': 2}, 'pathology_heads': {'': 2}, 'illness_heads': {'': 2},
                          'triggers': {'无明显诱因': 2}, 'history_tails': {'': 2}, 'operation_heads': {'': 3},
                          'diagnosis_heads': {'': 3}},
    'tract_banks': {'upper/path_tails': {'': 3}, 'lower/path_tails': {'': 3}},
    'upper_diagnoses': {'cancer_qualifiers': {'': 3, '（{tnmu}）': 2}},
    'upper_endoscopy': {'openings': {'': 3}, 'gastritis_suffixes': {'': 2, '伴糜烂': 2}, 'diagnosis_prefixes': {'': 4},
                        'pathology_prefixes': {'': 2}, 'procedure_prefixes': {'': 2}},
    'upper_pathology': {'sites/stomach': {'胃窦': 2}, 'resection/gross': {'': 2}, 'resection/tumours': {'{grade}腺癌': 2},
                        'resection/extras/nodes': {'{ln}': 2}},
    'whole_body_lines': {'imaging_impressions': {'': 2}, 'pathology_heads': {'': 2}, 'pathology_extras': {'': 3},
                         'history_tails': {'': 2}, 'operation_heads': {'': 3}, 'operation_tails': {'': 3},
                         'diagnosis_heads': {'': 3}},
    'zero_traps': {'fields/ctx': {'': 2}},
}


def phrase_lists(obj, path=()):
    """(path, phrases) for every list of strings in a bank; a path is its keys and indices joined by '/'."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from phrase_lists(value, path + (key,))
    elif isinstance(obj, list) and all(isinstance(x, str) for x in obj):
        yield '/'.join(map(str, path)), obj
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from phrase_lists(value, path + (i,))


def leaves(obj, path=()):
    """(path, value) for every value in a bank that is neither a list nor an object."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from leaves(value, path + (key,))
    elif isinstance(obj, list):
        assert obj, f'{"/".join(map(str, path))}: an empty list'
        for i, value in enumerate(obj):
            yield from leaves(value, path + (i,))
    else:
        yield path, obj


def test_the_code_reads_every_bank_and_every_bank_it_reads_is_there():
    read = set()
    for source in glob.glob(os.path.join(os.path.dirname(FOLDER), '*.py')):
        with open(source, encoding='utf-8') as f:
            read.update(re.findall(r"load_bank\('(\w+)'\)", f.read()))
    assert read == set(NAMES)


@pytest.mark.parametrize('name', NAMES)
def test_a_bank_is_utf8_json_of_phrases(name):
    with open(os.path.join(FOLDER, name + '.json'), encoding='utf-8') as f:
        bank = json.load(f)
    assert isinstance(bank, (dict, list)) and bank and bank == load_bank(name)  # phrases, or named lists of them
    for path, value in leaves(bank):
        where = f'{name}: {"/".join(map(str, path))}'
        if path[-1] == 'must':  # a scan whose impression is always written
            assert value is True, where
            continue
        assert isinstance(value, str), where
        assert value or isinstance(path[-1], int), where  # '' only as one option of a list
        assert value == value.strip(), where
        assert not re.search('[{}]', re.sub(r'\{\w+\}', '', value)), where  # braces only around a {field}
    for path, phrases in phrase_lists(bank):
        assert any(phrases), f'{name}: {path} holds only empty phrases'


@pytest.mark.parametrize('name', NAMES)
def test_a_list_repeats_only_the_phrases_it_repeated_before(name):
    repeats = {}
    for path, phrases in phrase_lists(load_bank(name)):
        counts = {phrase: n for phrase, n in collections.Counter(phrases).items() if n > 1}
        if counts:
            repeats[path] = counts
    assert repeats == REPEATS.get(name, {})


def test_every_repeat_belongs_to_a_bank():
    assert set(REPEATS) <= set(NAMES)


@pytest.mark.parametrize('name', [name for name in NAMES if name.endswith('_scans')])
def test_a_scan_names_only_the_modality_lists_and_site_sets_of_its_bank(name):
    bank = load_bank(name)
    for scan in bank['scans']:
        assert all(mod[1:] in bank['modalities'] for mod in scan['mods'] if mod.startswith('@')), scan
        sites = scan.get('sites', {})
        assert sites[1:] in bank['sites'] if isinstance(sites, str) else all(sites.values()), scan
