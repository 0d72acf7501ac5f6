"""Write the shipped synthetic dataset: data/all.txt, train.txt, val.txt, test.txt and labels.txt.

The real hospital reports are private, so the project ships a synthetic set
written the way endoscopy reports are written:
gastroscopy walks and diagnoses (label 1), colonoscopy walks, polyps and
pathology (label 2), and ERCP / liver, gallbladder, pancreas / procedure-only
and other lines (label 0). Texts are put together from phrase banks per site,
so they vary in wording, length, punctuation (full and half width), 粘膜/黏膜,
abbreviations and the odd typo, and the keyword traps (肝曲, 脾曲, 距门齿,
距肛缘, 齿状线, 十二指肠乳头, 胃肠减压, 胃肠道, 降部/降结肠, 回肠末端) all occur
with their correct labels. The phrases are JSON files in preprocess/banks/; this
file, registers.py and whole_body.py hold the code that draws and joins them.

Left out on purpose:
- texts that mention both the upper and the lower tract (they have no single
  label; see `mentions_both_tracts`);
- the original project's eight example texts (preprocess/original_examples.txt)
  and anything close to them (difflib ratio >= 0.8), so that they stay an
  honest check of generalisation.

The same --seed and --size always give byte-identical files.

    python preprocess/synthesize.py                # writes data/*.txt
    python preprocess/synthesize.py --seed 7 --size 5000 --out-dir /tmp/syn
"""
import argparse
import bisect
import collections
import difflib
import os
import random
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import path  # noqa: E402
from config import SEED  # noqa: E402
from data_process import deduplicate, load_data, split_dataset, write_dataset  # noqa: E402
from preprocess import registers, terminology, whole_body  # noqa: E402
from preprocess.banks import load_bank  # noqa: E402
from preprocess.textgen import choose, end, fill, join_clauses, maybe, numbered, weighted  # noqa: E402
from utils.cli import fail  # noqa: E402
from utils.files import UnwritableError, check_output_files  # noqa: E402
from utils.text import is_punctuation  # noqa: E402

DEFAULT_SIZE = 10000
MIN_SIZE = 100          # below this a split can miss a label entirely
MIN_CHARS = 4
# load_data() warns about texts longer than MAXLEN - 2 = 198 characters (they
# would be truncated to 200 tokens), so the shipped texts stop there.
MAX_CHARS = 198
SIMILARITY_LIMIT = 0.8  # difflib ratio at which a text counts as a copy of an original example

# Share of each label. An export pulled for this task is mostly endoscopy, but
# label 0 now spans the whole body, so it is the largest class.
LABEL_SHARES = ((1, 0.32), (2, 0.30), (0, 0.38))
LABEL_NAMES = ('其他', '上消化道', '下消化道')  # written to labels.txt beside the data

# The original project's eight example texts (preprocess/original_examples.txt).
# They must be classified right, so they are kept OUT of the data (and anything
# within SIMILARITY_LIMIT of them).
ORIGINAL_EXAMPLES = load_data(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'original_examples.txt'))

# (substring, label): the keyword traps, words a keyword rule could read the wrong
# way (肝曲 is colon, not liver; 十二指肠乳头 in an ERCP is neither tract ...), each
# present in the data with the label written here.
TRAPS = [
    ('肝曲', 2), ('脾曲', 2),
    ('距门齿', 1), ('距肛缘', 2),
    ('齿状线', 1), ('齿状线', 2),
    ('十二指肠乳头', 0),
    ('胃肠减压', 0), ('胃肠道', 0),
    ('降部', 1), ('降结肠', 2),
    ('回肠末端', 2), ('回盲瓣', 2),
    # and the hard cases of other registers (docs/data.md, "Traps")
    ('陷凹', 0), ('胆汁反流', 1), ('肠道准备', 2),
]

# ---------------------------------------------------------------------------
# Which tract a text names. Used to keep every text consistent with its label
# and to leave out texts that name both tracts.
# ---------------------------------------------------------------------------
# 上消化道 / 下消化道 name a tract without an organ; 食道 is the oesophagus (Taiwan, Hong Kong and
# many mainland reports).
UPPER_TERMS = ['食管', '食道', '贲门', '胃', '幽门', '十二指肠', '门齿', '球部', '降部', 'Barrett', '上消化道']
LOWER_TERMS = ['结肠', '大肠', '直肠', '盲肠', '回肠', '回盲', '阑尾', '肛', '痔', '肝曲', '脾曲', '肠镜', '肠道准备', '下消化道']
# Symptoms that point at one tract without naming a site, as a clinician labels them:
# vomiting blood, melaena, dysphagia and reflux are upper; rectal bleeding, tenesmus
# and a change in bowel habit are lower. (恶心, 呕吐, 腹痛 and 腹胀 point nowhere.)
UPPER_SYMPTOMS = ['呕血', '黑便', '柏油样便', '吞咽困难', '哽噎', '反酸', '烧心', '嗳气', '呕吐宿食']
LOWER_SYMPTOMS = ['便血', '鲜血便', '脓血便', '里急后重', '大便变细', '大便习惯改变', '排便习惯改变', '排便次数增多']
UPPER_TERMS += UPPER_SYMPTOMS
LOWER_TERMS += LOWER_SYMPTOMS
# Names that name a tract by their code or by usage with no site word in them (复合性溃疡, GERD,
# Miles手术: preprocess/terminology.py) count as naming it; a Latin abbreviation only as a whole
# word (FD, not the FD of FDG).
def names_pattern(names, terms):
    names = sorted({name for name in names if not any(term in name for term in terms)}, key=len, reverse=True)
    return re.compile('|'.join(f'(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])' for name in names))


UPPER_NAMES = names_pattern(terminology.TRACT_NAMES[1], UPPER_TERMS)
LOWER_NAMES = names_pattern(terminology.TRACT_NAMES[2], LOWER_TERMS)
# Name no single tract (or no tract at all): removed before looking for site words.
# 子宫直肠陷凹 and its kin are the pouch of Douglas, not the rectum; 胃肠炎 and the other
# 胃肠 words name the gut as a whole.
NO_TRACT_TERMS = ['胃肠减压', '胃肠道', '子宫直肠陷凹', '直肠子宫陷凹', '膀胱直肠陷凹',
                  '胃肠炎', '肠胃炎', '胃肠功能', '胃肠型', '胃肠外营养', '胃肠营养']
# A label-0 text may name the duodenum (乳头, 降部 reached by the duodenoscope) or
# the stomach (EUS through the gastric wall) only around bile duct / pancreas work.
BILIARY_CUES = ['ERCP', '胆', '胰', '壶腹', 'EST', 'ENBD', 'EPBD']


def tracts(text):
    """(names_upper, names_lower) for a text, by keyword.

    The traps are handled first: 胃肠减压/胃肠道 name no tract, and 十二指肠 is
    blanked before the lower terms are looked for, because it contains 肠 and
    十二指肠镜 contains 肠镜. 肝曲/脾曲 are lower terms in their own right
    (肝 and 脾 alone are not terms at all).
    """
    for term in NO_TRACT_TERMS:
        text = text.replace(term, '#')
    upper = any(term in text for term in UPPER_TERMS) or bool(UPPER_NAMES.search(text))
    text = text.replace('十二指肠', '#')
    lower = any(term in text for term in LOWER_TERMS) or bool(LOWER_NAMES.search(text))
    return upper, lower


def mentions_both_tracts(text):
    """True when a text names upper and lower sites together.

    Such texts (e.g. a combined 胃肠镜 report) have no single label, so the
    synthetic data leaves them out; a real export labelled for this project
    should drop or split them too.
    """
    upper, lower = tracts(text)
    return upper and lower


def consistent(text, label):
    """True when the sites a text names agree with its label."""
    upper, lower = tracts(text)
    if label == 1:
        return upper and not lower
    if label == 2:
        return lower and not upper
    return not lower and (not upper or any(cue in text for cue in BILIARY_CUES))


def similar(text, reference):
    """True when difflib rates the two >= SIMILARITY_LIMIT (either way round)."""
    for a, b in ((text, reference), (reference, text)):
        matcher = difflib.SequenceMatcher(None, a, b)
        # The quick ratios are upper bounds of ratio(): cheap rejections first.
        if (matcher.real_quick_ratio() >= SIMILARITY_LIMIT and matcher.quick_ratio() >= SIMILARITY_LIMIT
                and matcher.ratio() >= SIMILARITY_LIMIT):
            return True
    return False


def too_close_to_examples(text):
    """True when the text is within SIMILARITY_LIMIT of an original example."""
    return any(similar(text, example) for example, _ in ORIGINAL_EXAMPLES)


def bigrams(text):
    return {text[i:i + 2] for i in range(len(text) - 1)}


class NearTexts:
    """Finds the texts of a set within SIMILARITY_LIMIT of a text, looking only at those that share a
    character pair with it and could reach the limit by their length."""

    def __init__(self, texts):
        self.members = set(texts)
        self.texts = sorted(self.members)
        self.counts = [collections.Counter(text) for text in self.texts]
        self.index = collections.defaultdict(set)
        for i, text in enumerate(self.texts):
            for pair in bigrams(text):
                self.index[pair].add(i)

    def near(self, text):
        if text in self.members:
            return True
        counts = collections.Counter(text)
        for i in set().union(*(self.index.get(pair, ()) for pair in bigrams(text))):
            reference = self.texts[i]
            # ratio = 2 * matches / (len(a) + len(b)), and matches <= the characters they share
            limit = SIMILARITY_LIMIT * (len(text) + len(reference)) / 2
            if min(len(text), len(reference)) >= limit and sum((counts & self.counts[i]).values()) >= limit \
                    and similar(text, reference):
                return True
        return False


# ---------------------------------------------------------------------------
# Upper tract (gastroscopy), label 1. The phrases are banks/upper_walk.json (per
# site, in walking order), upper_endoscopy.json and upper_traps.json.
# ---------------------------------------------------------------------------
UPPER_SITES = load_bank('upper_walk')  # site: {'normal': [...], 'abnormal': [...]}, 食管 to 降部
UPPER_WALK = [(site['normal'], site['abnormal']) for site in UPPER_SITES.values()]
UPPER = load_bank('upper_endoscopy')


def gastritis(rng):
    return rng.choice(UPPER['gastritis']) + rng.choice(UPPER['gastritis_suffixes'])


def upper_diagnosis(rng):
    return weighted(rng, [(3, gastritis), (3, lambda r: choose(r, UPPER['diagnoses']))])(rng)


def upper_diagnosis_line(rng):
    """1 to 3 diagnoses, maybe numbered, maybe with a 诊断： prefix."""
    count = weighted(rng, [(5, 1), (3, 2), (1, 3)])
    items = [upper_diagnosis(rng) for _ in range(count)]
    return rng.choice(UPPER['diagnosis_prefixes']) + numbered(rng, items)


def site_findings(rng, sites, p_abnormal):
    """One clause per site, normal or abnormal; an abnormal site sometimes gets a second finding."""
    clauses = []
    for normal, abnormal in sites:
        if rng.random() < p_abnormal:
            first, second = rng.sample(abnormal, 2)
            clause = fill(rng, first) + maybe(rng, 0.2, '，' + fill(rng, second))
        else:
            clause = choose(rng, normal)
        clauses.append(clause)
    return clauses


def colon_style(rng, clauses, sites):
    """Sometimes write 'site：finding' (食管：通过顺利…) as some report templates do."""
    if rng.random() >= 0.2:
        return clauses
    out = []
    for clause in clauses:
        for site in sites:
            if clause.startswith(site) and not clause.startswith(site + '：') and len(clause) > len(site) + 1:
                clause = site + '：' + clause[len(site):]
                break
        out.append(clause)
    return out


def add_biopsy_marks(rng, clauses):
    """Number some findings (活检1), (活检2), ... as doctors do for biopsy jars."""
    marks, out = 1, []
    for clause in clauses:
        if '见' in clause and '未见' not in clause and rng.random() < 0.35:
            clause += rng.choice(['（活检{}）', '(活检{})', '(活检{})', '，活检{}']).format(marks)
            marks += 1
        out.append(clause)
    return out


def upper_walk_full(rng):
    """A whole gastroscopy walk, 食管 to 十二指肠."""
    sites = list(UPPER_WALK)
    if rng.random() < 0.5:
        sites = sites[:-1]  # the 球部 phrases often cover the 降部 as well
    clauses = site_findings(rng, sites, rng.choice([0.15, 0.25, 0.35, 0.5]))
    if len(clauses) == len(UPPER_WALK) and '降部' in clauses[-2]:
        clauses = clauses[:-1]  # the 球部 phrase already covered the 降部
    clauses = colon_style(rng, clauses, UPPER['site_names'])
    if rng.random() < 0.4:
        clauses = add_biopsy_marks(rng, clauses)
    text = rng.choice(UPPER['openings']) + join_clauses(rng, clauses, seps=('。', '。', '，', '；', '.', ''))
    ending = weighted(rng, [(4, ''), (3, 'diag'), (2, 'other')])
    if ending == 'diag':
        text += rng.choice(['。诊断：', '。', ' ', '。检查结论：']) + upper_diagnosis(rng)
    elif ending == 'other':
        text += '。' + choose(rng, UPPER['walk_endings'])
    return end(rng, text)


def upper_walk_partial(rng):
    """A run of 1 to 6 consecutive sites, often abnormal, maybe with a diagnosis."""
    length = weighted(rng, [(2, 1), (3, 2), (3, 3), (2, 4), (1, 5), (1, 6)])
    start = rng.randint(0, len(UPPER_WALK) - length)
    clauses = site_findings(rng, UPPER_WALK[start:start + length], 0.6)
    text = rng.choice(UPPER['openings']) + join_clauses(rng, colon_style(rng, clauses, UPPER['site_names']))
    tail = weighted(rng, [(6, ''), (2, 'diag'), (1, 'hp'), (1, 'bx')])
    if tail == 'diag':
        text += rng.choice(['。', '。诊断：', '，考虑', ' ']) + upper_diagnosis(rng)
    elif tail == 'hp':
        text += rng.choice(UPPER['hp_results'])
    elif tail == 'bx':
        text += fill(rng, '{bx}')
    return end(rng, text)


def upper_focal(rng):
    """One lesion with its measurement and what was done."""
    text = fill(rng, rng.choice(UPPER['focal_lesions']) + rng.choice(UPPER['focal_actions']))
    if rng.random() < 0.3:
        text = choose(rng, UPPER_SITES['oesophagus']['normal'] + UPPER_SITES['cardia']['normal']) + '，' + text
    if rng.random() < 0.25:
        text += '。' + upper_diagnosis(rng)
    return end(rng, text)


def upper_findings_and_diagnosis(rng):
    """Diagnosis and a short finding run together, as in 慢性…胃炎伴糜烂降部霜斑样糜烂."""
    parts = [upper_diagnosis(rng), choose(rng, UPPER['short_findings'])]
    if rng.random() < 0.4:
        parts.reverse()
    return rng.choice(['', '', '，', '。', ' ', '；']).join(parts)


def quoted(rng, site):
    return rng.choice(['“{}”', '“{}”', '（{}）', '({})', '{}：', '"{}"', '{}']).format(site)


def upper_pathology(rng):
    """Pathology results with their sites, e.g. “胃窦”慢性萎缩性胃炎伴肠上皮化生。"""
    count = weighted(rng, [(4, 1), (3, 2), (1, 3)])
    sites = rng.sample(UPPER['pathology_sites'], count)
    parts = [quoted(rng, s) + rng.choice(UPPER['pathology']) for s in sites]
    prefix = rng.choice(UPPER['pathology_prefixes'])
    return end(rng, prefix + rng.choice(['。', '；', '，', ' ']).join(parts))


def upper_procedure(rng):
    items = [choose(rng, UPPER['procedures']) for _ in range(weighted(rng, [(4, 1), (1, 2)]))]
    return rng.choice(UPPER['procedure_prefixes']) + rng.choice(['，', '+', '；']).join(dict.fromkeys(items))


# Short texts around each upper-tract trap: 距门齿 (measured from the incisors:
# points up), 齿状线 (in a gastroscopy, the Z-line at the cardia) and 降部 (the
# descending duodenum; 降结肠 is colon).
UPPER_TRAPS = load_bank('upper_traps')


def trap_text(rng, groups, **given):
    """A phrase from one trap group, the group chosen first so each trap gets its share."""
    return choose(rng, groups[rng.choice(list(groups))], **given)


def upper_trap(rng):
    text = trap_text(rng, UPPER_TRAPS['traps'])
    if rng.random() < 0.25:
        text += rng.choice(['。', '，', '；']) + upper_diagnosis(rng)
    return text


UPPER_GENERATORS = [
    (15, upper_diagnosis_line), (32, upper_walk_full), (17, upper_walk_partial), (11, upper_focal),
    (9, upper_findings_and_diagnosis), (9, upper_pathology), (7, upper_procedure), (11, upper_trap),
]

# ---------------------------------------------------------------------------
# Lower tract (colonoscopy), label 2. The phrases are banks/lower_walk.json (per
# site), lower_endoscopy.json and lower_traps.json.
# ---------------------------------------------------------------------------
LOWER_SITES = load_bank('lower_walk')
LOWER = load_bank('lower_endoscopy')
LOWER_SEGMENTS = ['直肠', '乙状结肠', '降结肠', '脾曲', '横结肠', '肝曲', '升结肠']  # walking upwards
COLON_DISTANCE = {  # typical 距肛缘 (cm) of each segment
    '直肠': (2, 15), '乙状结肠': (15, 40), '降结肠': (35, 50), '脾曲': (45, 55), '结肠脾曲': (45, 55),
    '横结肠': (50, 75), '肝曲': (65, 80), '结肠肝曲': (65, 80), '升结肠': (75, 90), '盲肠': (85, 95),
}


def lower_diagnosis_line(rng):
    count = weighted(rng, [(5, 1), (3, 2), (1, 3)])
    items = [choose(rng, LOWER['diagnoses']) for _ in range(count)]
    return rng.choice(LOWER['diagnosis_prefixes']) + numbered(rng, items)


def colon_segment(rng, seg, p_abnormal):
    if rng.random() >= p_abnormal:
        return rng.choice(LOWER_SITES['normal'][seg])
    if seg == '直肠' and rng.random() < 0.5:
        return choose(rng, LOWER_SITES['rectum_abnormal'])
    finding = choose(rng, LOWER_SITES['abnormal'], site=seg)  # {site}: the segment's name
    if rng.random() < 0.3:
        low, high = COLON_DISTANCE[seg]
        finding = f'距肛缘{rng.randint(low, high)}cm' + finding
    return finding


def lower_walk(rng, full):
    """A colonoscopy walk: upwards from the anus, or the withdrawal from the ileum down."""
    segments = list(LOWER_SEGMENTS)
    if not full:
        length = rng.randint(1, 5)
        start = rng.randint(0, len(segments) - length)
        segments = segments[start:start + length]
    p_abnormal = rng.choice([0.15, 0.25, 0.35, 0.45]) if full else 0.55
    clauses = [colon_segment(rng, seg, p_abnormal) for seg in segments]
    top = [choose(rng, LOWER_SITES['caecum'])] + maybe(rng, 0.7, [choose(rng, LOWER_SITES['terminal_ileum'])], [])
    bottom = [maybe(rng, 0.3, choose(rng, LOWER_SITES['anal']))]
    if full:
        if rng.random() < 0.7:  # written in the direction of insertion
            clauses = [choose(rng, LOWER['openings'])] + clauses + top + bottom
        else:                   # written on withdrawal
            clauses = [rng.choice(LOWER['withdrawal_openings'])] + list(reversed(top)) + list(reversed(clauses)) + bottom
            clauses = [clauses[0] + clauses[1]] + clauses[2:]
    elif rng.random() < 0.3:
        clauses = [choose(rng, LOWER['openings'])] + clauses
    clauses = colon_style(rng, clauses, LOWER['site_names'])
    if rng.random() < 0.35:
        clauses = add_biopsy_marks(rng, clauses)
    text = join_clauses(rng, clauses, seps=('。', '。', '，', '；', '.'))
    ending = weighted(rng, [(5, ''), (3, 'diag'), (1, 'other')])
    if ending == 'diag':
        text += rng.choice(['。诊断：', '。', ' ', '。检查结论：']) + choose(rng, LOWER['diagnoses'])
    elif ending == 'other':
        text += '。' + choose(rng, LOWER['walk_endings'])
    return end(rng, text)


def lower_polyp(rng):
    """A polyp found at a distance from the anal verge and removed."""
    text = polyp_sentence(rng)
    if rng.random() < 0.3:
        text += rng.choice(['。', '；', '。另']) + polyp_sentence(rng)
    opening = maybe(rng, 0.5, choose(rng, LOWER['openings']) + '，')
    return end(rng, opening + text)


def polyp_sentence(rng):
    seg = rng.choice(list(COLON_DISTANCE))
    low, high = COLON_DISTANCE[seg]
    where = rng.choice([f'距肛缘{rng.randint(low, high)}cm{seg}{maybe(rng, 0.5, "处")}',
                        f'{seg}距肛缘{rng.randint(low, high)}cm{maybe(rng, 0.5, "处")}',
                        f'{seg}', f'距肛缘约{rng.randint(low, high)}cm'])
    see = rng.choice(['见', '可见', '见', '可见'])
    clauses = [where + see + rng.choice(LOWER['polyps'])]
    if rng.random() < 0.4:
        clauses.append('{surface}')
    clauses.append('{removal}')
    if rng.random() < 0.7:
        clauses.append('{clip}')
    return fill(rng, '，'.join(clauses))


def lower_normal_summary(rng):
    """Whole-colon normal lines such as 所见…结肠未见明显异常."""
    return end(rng, choose(rng, LOWER['normal_summaries']))


def lower_pathology(rng):
    """Pathology with quoted sites, e.g. “乙状结肠”管状腺瘤。“直肠”增生性息肉。"""
    groups = []
    for _ in range(weighted(rng, [(4, 1), (3, 2), (2, 3)])):
        sites = [fill(rng, s) for s in rng.sample(LOWER['pathology_sites'], weighted(rng, [(3, 1), (1, 2)]))]
        joiner = rng.choice(['及', '、'])
        style = rng.choice(['“{}”', '“{}”', '（{}）', '{}：', '"{}"'])
        if style == '{}：':  # 横结肠及直肠：…
            names = joiner.join(sites) + '：'
        else:                # “横结肠”及“直肠”…
            names = joiner.join(style.format(s) for s in sites)
        groups.append(names + rng.choice(LOWER['pathology']))
    prefix = rng.choice(LOWER['pathology_prefixes'])
    return end(rng, prefix + rng.choice(['。', '。', '；', ' ']).join(groups))


def lower_procedure(rng):
    items = [choose(rng, LOWER['procedures'], seg=rng.choice(LOWER['procedure_segments']))
             for _ in range(weighted(rng, [(4, 1), (1, 2)]))]
    return rng.choice(LOWER['procedure_prefixes']) + rng.choice(['，', '+', '；']).join(dict.fromkeys(items))


def lower_findings_and_diagnosis(rng):
    finding = rng.choice(LOWER['short_findings'])
    parts = [choose(rng, LOWER['diagnoses']), fill(rng, finding)]
    if rng.random() < 0.5:
        parts.reverse()
    return rng.choice(['', '，', '。', ' ', '；']).join(parts)


# Short texts around each lower-tract trap: 肝曲/脾曲 (colon flexures, not liver or
# spleen; {flex} is one of the flexures), 距肛缘 (measured from the anal verge:
# points down), 齿状线 (at a colonoscopy, the dentate line of the anal canal),
# 降结肠, and 回肠末端/回盲瓣 as seen at a colonoscopy.
LOWER_TRAPS = load_bank('lower_traps')


def lower_trap(rng):
    text = trap_text(rng, LOWER_TRAPS['traps'], flex=rng.choice(LOWER_TRAPS['flexures']))
    if rng.random() < 0.2:
        text += rng.choice(['。', '，', '；']) + choose(rng, LOWER['diagnoses'])
    return text


LOWER_GENERATORS = [
    (15, lower_diagnosis_line), (30, lambda rng: lower_walk(rng, full=True)),
    (12, lambda rng: lower_walk(rng, full=False)), (15, lower_polyp), (4, lower_normal_summary),
    (10, lower_pathology), (6, lower_procedure), (5, lower_findings_and_diagnosis), (15, lower_trap),
]

# ---------------------------------------------------------------------------
# Neither, label 0: ERCP and the bile ducts (banks/ercp.json); liver, gallbladder,
# pancreas, spleen, abdominal cavity, procedures that name no site and other
# lines (neither_lines.json); the traps of label 0 (zero_traps.json).
# ---------------------------------------------------------------------------
ERCP = load_bank('ercp')
NEITHER = load_bank('neither_lines')


def ercp_line(rng):
    """Compact ERCP lines: diagnosis + ERCP + steps, in several orders."""
    dx = rng.choice(ERCP['diagnoses'])
    steps = rng.sample(ERCP['steps'], weighted(rng, [(3, 1), (4, 2), (2, 3), (1, 4)]))
    joiner = rng.choice(['+', '+', '、', '，'])
    proc = 'ERCP' + joiner + joiner.join(steps)
    return rng.choice([
        f'{dx}{proc}', f'{dx}，{proc}', f'{dx}，行{proc}', f'{proc}（{dx}）', f'诊断：{dx}。治疗：{proc}',
        f'{proc}', f'{dx}：{proc}', f'{dx} {proc}', f'行{proc}，术后诊断：{dx}',
    ])


def ercp_narrative(rng):
    """The findings of an ERCP, papilla to treatment."""
    scope = rng.choice(ERCP['scope'])
    access = [choose(rng, ERCP['papilla']), choose(rng, ERCP['cannulation']), maybe(rng, 0.8, choose(rng, ERCP['cholangiogram']))]
    treatment = [fill(rng, step) for step in rng.sample(ERCP['treatment'], weighted(rng, [(1, 0), (5, 1), (4, 2)]))]
    after = [maybe(rng, 0.4, rng.choice(ERCP['after'])),
             maybe(rng, 0.2, rng.choice(['术中患者生命体征平稳', '术后予禁食、补液', '术后诊断：' + rng.choice(ERCP['diagnoses'])]))]
    prefix = rng.choice(ERCP['prefixes'])
    return end(rng, prefix + join_clauses(rng, [scope] + access + treatment + after, seps=('，', '。', '；', '。')))


def hbp_line(rng):
    """Liver, gallbladder, pancreas, spleen and abdominal lines, or an EUS of them."""
    if rng.random() < 0.3:
        return end(rng, choose(rng, NEITHER['eus']))
    items = []
    for dx in rng.sample(NEITHER['hbp_diagnoses'], weighted(rng, [(5, 1), (3, 2), (1, 3)])):
        qualifier = rng.choice(NEITHER['hbp_qualifiers'])
        items.append(dx if dx.endswith('术后') else dx + qualifier)  # no 切除术后？
    prefix = rng.choice(NEITHER['hbp_prefixes'])
    return prefix + numbered(rng, items)


def siteless_procedure(rng):
    """Procedure names without a site, alone or combined (球囊扩张术，异物取出术 style)."""
    items = rng.sample(NEITHER['siteless_procedures'], weighted(rng, [(4, 1), (4, 2), (2, 3)]))
    text = rng.choice(['，', '+', '、', '；', ' ']).join(items)
    prefix = rng.choice(NEITHER['siteless_prefixes'])
    return (prefix if not text.startswith(prefix) else '') + text


def misc_line(rng):
    items = [rng.choice(NEITHER['misc']) for _ in range(weighted(rng, [(5, 1), (2, 2)]))]
    return end(rng, '，'.join(items))


# Texts around the traps of label 0: 十二指肠乳头 inside an ERCP text (biliary),
# 胃肠减压 and 胃肠道 (no single tract); their {fields} are one of the bank's 'fields' lists.
ZERO_TRAPS = load_bank('zero_traps')


def zero_trap(rng):
    given = {name: rng.choice(values) for name, values in ZERO_TRAPS['fields'].items()}
    return end(rng, trap_text(rng, ZERO_TRAPS['traps'], **given))


ZERO_GENERATORS = [
    (16, ercp_line), (28, ercp_narrative), (20, hbp_line), (16, siteless_procedure), (12, misc_line), (20, zero_trap),
]

# Each label draws from the endoscopy generators of this file and from the other
# registers of a hospital export (registers.py: the tracts in pathology, imaging,
# history, operation, diagnosis-list, discharge and lay or literature language,
# filled from one bank per tract or told as whole clinical cases; whole_body.py:
# the whole body outside the GI tract in the same registers). The shares are
# (share, generators) per label.
SOURCES = {
    1: [(0.3, UPPER_GENERATORS), (0.225, registers.BANK_GENERATORS[1]), (0.225, registers.CASE_GENERATORS[1]),
        (0.25, terminology.GENERATORS[1])],
    2: [(0.3, LOWER_GENERATORS), (0.225, registers.BANK_GENERATORS[2]), (0.225, registers.CASE_GENERATORS[2]),
        (0.25, terminology.GENERATORS[2])],
    0: [(0.2, ZERO_GENERATORS), (0.55, whole_body.GENERATORS[0]), (0.25, terminology.GENERATORS[0])],
}

# ---------------------------------------------------------------------------
# Surface variation: 粘膜/黏膜, full/half-width punctuation, typos, length cap.
# ---------------------------------------------------------------------------
HALF_WIDTH = {'，': ',', '。': '.', '；': ';', '：': ':', '（': '(', '）': ')'}
# Homophone slips of a pinyin input method, as they turn up in real reports.
TYPOS = [('粘膜', '粘模'), ('黏膜', '黏模'), ('幽门', '幽们'), ('糜烂', '靡烂'), ('充血', '冲血'), ('息肉', '熄肉'),
         ('光滑', '光华'), ('清晰', '清析'), ('未见', '为见'), ('齿状线', '齿壮线'), ('憩室', '憩是'), ('溃疡', '溃扬')]
TYPO_RATE = 0.025
# Characters of these words are never dropped or doubled by a typo.
PROTECTED = UPPER_TERMS + LOWER_TERMS + NO_TRACT_TERMS + ['齿状线', '乳头', 'ERCP', '胆', '胰']


# Words of Taiwan and Hong Kong reports, in the simplified characters the tokenizer reads every
# script as (model.ScriptTokenizer maps 內視鏡 to 内视镜): (mainland word, regional word).
# A text written in the regional style takes all of them; 食道 is common on the mainland too.
REGIONAL_WORDS = [('反流性食管炎', '胃食道逆流'), ('胃食管反流', '胃食道逆流'), ('胃-食管反流', '胃食道逆流'), ('胃镜', '上消化道内视镜'),
                  ('结肠镜', '大肠镜'), ('内镜', '内视镜'), ('结直肠癌', '大肠直肠癌'), ('结肠癌', '大肠癌'),
                  ('结肠息肉', '大肠瘜肉'), ('息肉', '瘜肉'), ('食管', '食道')]
REGIONAL_RATE = 0.15
OESOPHAGUS_RATE = 0.1  # 食道 for 食管 outside the regional style
# Separators some exports drop or turn into spaces (a diagnosis field, a copied table): every
# label's texts lose them at the same rate, so their number says nothing about the label.
SEPARATORS = '，。；、'
NO_SEPARATOR_RATE = 0.08


def restyle(rng, text):
    """Vary 粘膜/黏膜, regional words, separators and the punctuation width the way different doctors write."""
    if rng.random() < 0.3:
        text = text.replace('粘膜', '黏膜')
    if rng.random() < REGIONAL_RATE:
        for mainland, regional in REGIONAL_WORDS:
            text = text.replace(mainland, regional)
    elif rng.random() < OESOPHAGUS_RATE:
        text = text.replace('食管', '食道')
    if rng.random() < NO_SEPARATOR_RATE:
        space = rng.choice([' ', ''])
        text = re.sub(f'[{SEPARATORS}]+', space, text).strip()
    style = rng.random()
    if style < 0.12:                      # all half-width
        for full, half in HALF_WIDTH.items():
            text = text.replace(full, half)
    elif style < 0.18:                    # only the commas (a common mix)
        text = text.replace('，', ',')
    elif style < 0.24:                    # half-width brackets only
        text = text.replace('（', '(').replace('）', ')')
    return text


def add_typo(rng, text):
    """One typo: a homophone slip, or a dropped or doubled character outside the site words."""
    slips = [pair for pair in TYPOS if pair[0] in text]
    if slips and rng.random() < 0.6:
        right, wrong = rng.choice(slips)
        return text.replace(right, wrong, 1)
    protected = set()
    for word in PROTECTED:
        for m in re.finditer(re.escape(word), text):
            protected.update(range(m.start(), m.end()))
    spots = [i for i, ch in enumerate(text) if '\u4e00' <= ch <= '\u9fff' and i not in protected]
    if not spots:
        return text
    i = rng.choice(spots)
    return text[:i] + text[i + 1:] if rng.random() < 0.5 else text[:i] + text[i] + text[i:]


def trim(text, limit=MAX_CHARS):
    """Cut a too-long text after its last sentence end (or else before its last comma) within the limit."""
    if len(text) <= limit:
        return text
    head = text[:limit + 1]  # a mark just past the limit still ends a sentence that fits

    def cuts(marks):
        # a '.' after a digit is a decimal point or a list number, not a sentence end
        return [i for i, ch in enumerate(head) if ch in marks and not (ch == '.' and i > 0 and head[i - 1].isdigit())]
    ends = [i + 1 for i in cuts('。；;.')] + [i for i in cuts('，,')]
    ends = [i for i in ends if MIN_CHARS <= i <= limit]
    return head[:max(ends)] if ends else ''


def make_text(rng, label):
    """One candidate text for a label (not yet checked)."""
    generator = weighted(rng, weighted(rng, SOURCES[label]))
    text = restyle(rng, generator(rng))
    if rng.random() < TYPO_RATE:
        text = add_typo(rng, text)
    return trim(text.strip())


def bare(text):
    """A text without its spaces and end marks, to compare with the check sets."""
    return re.sub(r'\s+', '', text).rstrip('。；;.，,')


# The hand-written check sets (data/ood_check*.txt, ood_holdout.txt, terms_check.txt) are never
# copied into the data: a generated text equal to one of them, or within SIMILARITY_LIMIT of
# one, is dropped, as for the original examples.
NEAR_CHECK = NearTexts(bare(text) for check in path.HELD_OUT_PATHS if os.path.exists(check)
                       for text, _ in load_data(check, warn=False))


def acceptable(text, label):
    return (MIN_CHARS <= len(text) <= MAX_CHARS and not re.search(r'[\t{}]', text) and consistent(text, label)
            and not mentions_both_tracts(text) and not NEAR_CHECK.near(bare(text)) and not too_close_to_examples(text))


# ---------------------------------------------------------------------------
# The same format in every label. A gastroscopy walk is long and full of commas, a label-0
# diagnosis short; a model that can tell the label by a text's length or its number of commas
# learns that instead of the anatomy (and explains 其他 with ， and 。). So label-0 texts are
# also written as several lines of a record joined (JOINED_RATE), and every label keeps each
# candidate with a probability that gives all labels the same distribution of length and
# punctuation, and as many texts with list marks and with full stops: the smallest of the
# labels' shares in each FORMAT bin, over the label's own.
# ---------------------------------------------------------------------------
JOINED_RATE = 0.35          # label-0 texts made of 2 to 5 lines of one record
JOINERS = ['。', '。', '；', '，', ' ']
LENGTH_BIN = 10             # characters
PUNCTUATION_BINS = (0.05, 0.1, 0.15)  # punctuation marks per character
PILOT_TEXTS = 6000          # candidates per label drawn to measure the labels' formats
# Marks of lists (恶心、呕吐; 禁食、补液；抑酸), commoner in label 0's records and histories than in a
# report of one tract: a model reads 、 as evidence of 其他 unless every label has them as often.
LIST_MARKS = '、；;'


def make_candidate(rng, label):
    """make_text, or for label 0 sometimes several label-0 lines joined into one text."""
    if label != 0 or rng.random() >= JOINED_RATE:
        return make_text(rng, label)
    parts = [make_text(rng, 0) for _ in range(weighted(rng, [(4, 2), (3, 3), (3, 5)]))]
    joiner = rng.choice(JOINERS)
    return trim(joiner.join(part.rstrip('。；;.') for part in parts if part))


def format_bin(text):
    """(length bin, punctuation bin, whether it has a list mark, whether it has a full stop) of a text."""
    punctuation = sum(map(is_punctuation, text)) / len(text)
    return (len(text) // LENGTH_BIN, bisect.bisect(PUNCTUATION_BINS, punctuation),
            any(mark in text for mark in LIST_MARKS), '。' in text)


def format_acceptance(rng, labels):
    """{label: {format bin: probability of keeping a candidate in that bin}}, from a pilot sample."""
    shares = {}
    for label in labels:
        bins = []
        while len(bins) < PILOT_TEXTS:
            text = make_candidate(rng, label)
            if acceptable(text, label):
                bins.append(format_bin(text))
        shares[label] = {b: n / len(bins) for b, n in collections.Counter(bins).items()}
    common = {b: min(shares[label].get(b, 0.0) for label in labels) for b in shares[labels[0]]}
    return {label: {b: common.get(b, 0.0) / share for b, share in shares[label].items()} for label in labels}


def label_targets(size):
    """How many texts of each label, summing to size."""
    targets = {label: round(size * share) for label, share in LABEL_SHARES}
    targets[LABEL_SHARES[-1][0]] = size - sum(n for label, n in targets.items() if label != LABEL_SHARES[-1][0])
    return targets


def synthesize(size=DEFAULT_SIZE, seed=SEED):
    """`size` unique (text, label) rows in a shuffled order, the same for the same seed."""
    rng = random.Random(seed)
    targets = label_targets(size)
    keep = format_acceptance(rng, list(targets))
    seen, rows = set(), []
    for label, target in targets.items():
        made, attempts = 0, 0
        while made < target:
            attempts += 1
            if attempts > 500 * target + 1000:
                raise RuntimeError(f'could not make {target} unique texts of label {label}')
            text = make_candidate(rng, label)
            if text in seen or not acceptable(text, label) or rng.random() >= keep[label].get(format_bin(text), 0.0):
                continue
            seen.add(text)
            rows.append((text, label))
            made += 1
    rng.shuffle(rows)
    return deduplicate(rows, source='synthesize')


def describe(rows):
    """A few lines of statistics: labels, lengths, traps."""
    lengths = sorted(len(text) for text, _ in rows)
    lines = [f'{len(rows)} texts']
    for label, name in enumerate(LABEL_NAMES):
        n = sum(1 for _, lab in rows if lab == label)
        lines.append(f'  label {label} ({name}): {n} ({n / len(rows):.1%})')
    p95 = lengths[int(0.95 * (len(lengths) - 1))]
    lines.append(f'  length min {lengths[0]}, median {statistics.median(lengths):g}, '
                 f'mean {statistics.mean(lengths):.1f}, p95 {p95}, max {lengths[-1]}')
    traps = ', '.join(f'{word}->{label}: {count_trap(rows, word, label)}' for word, label in TRAPS)
    lines.append(f'  traps: {traps}')
    return '\n'.join(lines)


def count_trap(rows, word, label):
    return sum(1 for text, lab in rows if lab == label and word in text)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Write a synthetic labelled dataset of endoscopy report texts '
                    '(all.txt, train.txt, val.txt, test.txt; text<TAB>label, labels 0/1/2; and labels.txt, their names).')
    parser.add_argument('--seed', type=int, default=SEED,
                        help=f'random seed; the same seed gives the same files (default {SEED})')
    parser.add_argument('--size', type=int, default=DEFAULT_SIZE,
                        help=f'number of unique texts (default {DEFAULT_SIZE}, at least {MIN_SIZE})')
    parser.add_argument('--out-dir', default=path.DATA_DIR,
                        help='folder for the four files (default: the repository data/ folder)')
    args = parser.parse_args(argv)
    if args.size < MIN_SIZE:
        parser.error(f'--size must be at least {MIN_SIZE}')
    return args


def main(argv=None):
    args = parse_args(argv)
    try:
        check_output_files([os.path.join(args.out_dir, f'{name}.txt') for name in ('all', 'train', 'val', 'test', 'labels')])
    except UnwritableError as e:
        fail(e)
    rows = synthesize(args.size, args.seed)
    train, val, test = split_dataset(rows, args.seed)
    write_dataset(args.out_dir, {'all': rows, 'train': train, 'val': val, 'test': test}, LABEL_NAMES)
    print(describe(rows))
    print(f'wrote {args.out_dir}: all {len(rows)}, train {len(train)}, val {len(val)}, test {len(test)}')


if __name__ == '__main__':
    main()
