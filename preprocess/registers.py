"""Labels 1 and 2 outside the endoscopy room: the tracts in every other register of a hospital export.

synthesize.py writes the upper and lower tract as an endoscopist does. A real export also names
the oesophagus, stomach, duodenum, colon, rectum and anus in pathology reports, CT / MR /
ultrasound / barium / X-ray reports, admission and history sentences, operation names, coded
diagnosis lists, discharge summaries, patient education and research abstracts. A model that
has only seen endoscopy language calls a CT of a thickened duodenal wall, a rectal cancer
pathology line or a bowel-preparation line "neither" (0). This module writes those texts, in two
families of generators that synthesize.py draws from in equal shares:

- BANK_GENERATORS (the bank_* functions): every register filled from one phrase bank per tract
  (banks/tract_banks.json: its sites, imaging findings, diagnoses, pathology lines, operations,
  complaints, lay and research sentences) in the frames of banks/tract_bank_frames.json. The
  phrases of a text are drawn each on its own; 现病史 stories told from a complaint alone
  (present_illness, which whole_body.py uses too) and bowel-preparation lines are in this family.
- CASE_GENERATORS (the case_* engines and the upper_* / lower_* functions): to keep a text
  coherent, histories, operations and discharge summaries draw one clinical CASE (complaint,
  work-up, diagnosis, operation, advice that belong together), imaging reports one SCAN
  (modalities, findings and the impressions that fit them) and research sentences one STUDY;
  pathology reports stage depth and nodes consistently. Their banks are banks/upper_cases,
  upper_diagnoses, upper_scans, upper_pathology, upper_lay, upper_studies and upper_hard.json,
  their lower_ twins and lower_preparation.json, in the frames of banks/case_frames.json.

Hard positives are written in on purpose: 胆汁反流性胃炎 (upper despite 胆), 十二指肠 in CT and
histories, 贲门失弛缓症, 幽门螺杆菌, 食管胃底静脉曲张 in a cirrhotic, Barrett食管, 胃间质瘤 (label 1);
bowel preparation, 回肠末端 / 回盲瓣 at colonoscopy, 肝曲 / 脾曲 in CT or pathology, 肛周脓肿, 肛瘘, 痔,
阑尾, 直肠癌 with 肝转移 (label 2).

Every label-1 text names an upper site and no lower one, every label-2 text the reverse, as
synthesize.tracts() reads them: upper texts avoid 肛门排气, 结肠前吻合, 横结肠系膜; lower texts avoid
胃管, 胃纳, 胃镜; comorbidities name no digestive-tract site. bank_fill() fills BANK_FIELDS in a
fixed order; case_fill() fills the CASE_FIELDS, each occurrence drawn afresh, then textgen.FIELDS.

    BANK_GENERATORS, CASE_GENERATORS: {1: [(weight, function), ...], 2: [(weight, function), ...]}
"""
import re

from preprocess import textgen
from preprocess.banks import load_bank
from preprocess.textgen import maybe, numbered, one_of, weighted


# ===========================================================================
# Per-tract banks: every register filled from the one phrase bank of a tract.
# ===========================================================================
# The bank of each tract (banks/tract_banks.json, 'upper' and 'lower'): its sites, imaging
# modalities (mod) and findings (img), diagnoses (dx), pathology lines (path) and what follows
# them (path_tails), operations (op), complaints, lay and research sentences (edu) and
# discharge advice. TRACT_BANK[label] is the bank of label 1 or 2.
TRACT_BANKS = load_bank('tract_banks')
TRACT_BANK = {1: TRACT_BANKS['upper'], 2: TRACT_BANKS['lower']}
# what the registers put around a tract's phrases: heads, tails, comorbidities of other
# organs, onsets of a 现病史, bowel-preparation lines (banks/tract_bank_frames.json)
BANK_FRAMES = load_bank('tract_bank_frames')

# bank_fill() draws these in this order, each occurrence on its own
BANK_FIELDS = {
    'cm': lambda rng: f'{rng.randint(5, 90) / 10:.1f}',
    'mm': lambda rng: str(rng.randint(5, 30)),
    'n': lambda rng: str(rng.randint(2, 30)),
    'm': lambda rng: str(rng.randint(12, 35)),
    'nodes': lambda rng: '{}/{}'.format(*sorted(rng.sample(range(0, 36), 2))),
    't': one_of(BANK_FRAMES['fields']['t']),
    'nn': one_of(BANK_FRAMES['fields']['nn']),
    'layer': one_of(BANK_FRAMES['fields']['layer']),
    'her': one_of(BANK_FRAMES['fields']['her']),
    'clock': lambda rng: str(rng.randint(1, 12)),
    'prep': one_of(BANK_FRAMES['fields']['prep']),
    'b': lambda rng: str(rng.randint(2, 9)),
    'b3': lambda rng: str(rng.randint(0, 3)),
}


def bank_fill(rng, text, tract=None):
    """Fill {site} with the tract's sites, then BANK_FIELDS in their order."""
    while '{site}' in text:
        text = text.replace('{site}', rng.choice(tract['site']), 1)
    for name, make in BANK_FIELDS.items():
        while '{' + name + '}' in text:
            text = text.replace('{' + name + '}', make(rng), 1)
    return text


def bank_pick(rng, label, kind):
    """A phrase of one kind (site, img, dx, ...) from the label's bank, filled."""
    tract = TRACT_BANK[label]
    return bank_fill(rng, rng.choice(tract[kind]), tract)


def bank_imaging(label):
    def imaging_line(rng):
        """An imaging finding of the tract, with an impression."""
        mods = TRACT_BANK[label]['mod']
        head = rng.choice(['', '', rng.choice(mods) + '：', rng.choice(mods) + '示', '影像所见：'])
        findings = [bank_pick(rng, label, 'img') for _ in range(weighted(rng, [(7, 1), (3, 2)]))]
        text = head + '，'.join(dict.fromkeys(findings))
        tail = rng.choice(BANK_FRAMES['imaging_impressions'])
        if 'CT' in head and rng.random() < 0.3:
            tail = rng.choice(BANK_FRAMES['ct_incidentals']) + maybe(rng, 0.5, '，' + tail)
        if tail and ('胃镜' in tail and label == 2 or '肠镜' in tail and label == 1):
            tail = ''
        return text + (rng.choice(['。', '；', '，']) + tail if tail else maybe(rng, 0.5, '。'))
    return imaging_line


def bank_pathology(label):
    def pathology_line(rng):
        """A biopsy or resection pathology line of the tract."""
        head = rng.choice(BANK_FRAMES['pathology_heads'])
        extra = rng.choice(TRACT_BANK[label]['path_tails'])
        return head + bank_pick(rng, label, 'path') + bank_fill(rng, extra)
    return pathology_line


VAGUE_COMPLAINTS = tuple(BANK_FRAMES['vague_complaints'])  # complaints that name no site: 上腹, 右下腹


def present_illness(rng, complaint):
    """A 现病史 sentence: onset, trigger and the complaint told as a story, sometimes without any site."""
    complaint = complaint.split('{n}')[0]  # the template's symptom, without its duration
    course = rng.choice(BANK_FRAMES['illness_courses'])
    text = (rng.choice(BANK_FRAMES['illness_heads']) + '患者' + rng.choice(BANK_FRAMES['onsets']) + rng.choice(BANK_FRAMES['triggers'])
            + '出现' + complaint + course)
    return bank_fill(rng, text) + maybe(rng, 0.6, '。')


def bank_history(label):
    def history_line(rng):
        """An EMR history sentence about the tract."""
        kind = rng.random()
        if rng.random() < 0.25:
            return present_illness(rng, rng.choice(TRACT_BANK[label]['complaint']))
        if kind < 0.35:
            text = f'患者{rng.choice(BANK_FRAMES["sexes"])}，{rng.randint(20, 88)}岁，因“{bank_pick(rng, label, "complaint")}”入院'
        elif kind < 0.5:
            text = '主诉：' + bank_pick(rng, label, 'complaint')
        elif kind < 0.8:
            text = (f'患者{rng.randint(1, 12)}年前因{bank_pick(rng, label, "dx")}{rng.choice(BANK_FRAMES["operation_places"])}'
                    f'行{bank_pick(rng, label, "op")}' + rng.choice(BANK_FRAMES['post_operative_tails']))
        else:
            text = f'既往{bank_pick(rng, label, "dx")}病史{rng.randint(1, 20)}年' + rng.choice(BANK_FRAMES['past_history_tails'])
        tail = rng.choice(BANK_FRAMES['history_tails'])
        # A complaint like 呕血 or 便血 points at its tract by itself; vaguer ones
        # (上腹痛, 右下腹痛) get the ward's working diagnosis, which names the site.
        if kind < 0.5 and (text.split('“')[-1].startswith(VAGUE_COMPLAINTS) or rng.random() < 0.5):
            tail = rng.choice(BANK_FRAMES['working_diagnoses']).replace('{dx}', bank_pick(rng, label, 'dx'))
        return bank_fill(rng, text + tail) + maybe(rng, 0.4, '。')
    return history_line


def bank_operation(label):
    def operation_line(rng):
        """An operation or procedure name of the tract."""
        text = bank_pick(rng, label, 'op')
        if rng.random() < 0.2:
            text += rng.choice(['+', '，']) + bank_pick(rng, label, 'op')
        head = rng.choice(BANK_FRAMES['operation_heads'])
        return head + text + rng.choice(['', '', '', '术后', '术后第{n}天'.replace('{n}', str(rng.randint(1, 9)))])
    return operation_line


def bank_diagnosis_list(label):
    def diagnosis_list_line(rng):
        """A coded diagnosis list: the tract's diagnoses with comorbidities of other systems."""
        items = [bank_pick(rng, label, 'dx') for _ in range(weighted(rng, [(6, 1), (3, 2)]))]
        items += rng.sample(BANK_FRAMES['comorbidities'], weighted(rng, [(4, 0), (3, 1), (2, 2)]))
        return rng.choice(BANK_FRAMES['diagnosis_heads']) + numbered(rng, items)
    return diagnosis_list_line


def bank_discharge(label):
    def discharge_line(rng):
        """A discharge-summary sentence about the tract."""
        kind = rng.random()
        if kind < 0.4:
            items = [bank_pick(rng, label, 'dx')] + rng.sample(BANK_FRAMES['comorbidities'], rng.randint(0, 2))
            return '出院诊断：' + numbered(rng, items)
        if kind < 0.75:
            return rng.choice(BANK_FRAMES['discharge_courses']) + bank_pick(rng, label, 'op') + rng.choice(
                ['，术后恢复顺利，予出院', '，术后予抗感染、营养支持治疗', '，病情好转出院', '，术后病理回报：' + bank_pick(rng, label, 'path')])
        return '出院医嘱：' + rng.choice(TRACT_BANK[label]['advice'])
    return discharge_line


def bank_plain_language(label):
    def plain_language_line(rng):
        """A patient-education or research sentence about the tract."""
        return bank_fill(rng, rng.choice(TRACT_BANK[label]['edu'])) + maybe(rng, 0.6, '。')
    return plain_language_line


def bowel_preparation(rng):
    """Colonoscopy preparation and completion lines: lower tract though they may name no segment."""
    return bank_fill(rng, rng.choice(BANK_FRAMES['bowel_preparation'])) + maybe(rng, 0.5, '。')


def bank_symptom_story(label):
    def symptom_story_line(rng):
        """A 现病史 built on the tract's own complaint (呕血, 便血 …), often with no site named."""
        return present_illness(rng, rng.choice(TRACT_BANK[label]['complaint']))
    return symptom_story_line


def bank_generators(label):
    return [(18, bank_imaging(label)), (16, bank_pathology(label)), (14, bank_history(label)),
            (12, bank_operation(label)), (18, bank_diagnosis_list(label)), (10, bank_discharge(label)),
            (8, bank_plain_language(label)), (6, bank_symptom_story(label))]


BANK_GENERATORS = {1: bank_generators(1), 2: bank_generators(2) + [(6, bowel_preparation)]}


# ===========================================================================
# Clinical cases: every text tells one case, scan or study of a tract.
# ===========================================================================
CASE_FRAMES = load_bank('case_frames')


# ---------------------------------------------------------------------------
# The fields of the cases, and the pieces every case register uses.
# ---------------------------------------------------------------------------
def _dec(rng, low, high):
    return f'{rng.randint(round(low * 10), round(high * 10)) / 10:.1f}'


def _date(rng):
    y, m, d = rng.randint(2012, 2023), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice([f'{y}年{m}月', f'{y}年{m}月{d}日', f'{y}-{m:02d}-{d:02d}', f'{y}.{m}.{d}', f'{m}月{d}日', f'{y}年'])


def _period(rng):
    y = rng.randint(2010, 2019)
    return rng.choice([f'{y}年{rng.randint(1, 12)}月至{y + rng.randint(2, 5)}年{rng.randint(1, 12)}月',
                       f'{y}年1月—{y + rng.randint(2, 5)}年12月', f'{y}-{y + rng.randint(2, 5)}年'])


def _odds(rng, protective=False):
    value = rng.randint(21, 89) / 100 if protective else rng.randint(13, 69) / 10
    low = value * rng.uniform(0.45, 0.8)
    high = value + (0.99 - value) * rng.uniform(0.3, 0.95) if protective else value * rng.uniform(1.3, 2.4)
    return f'{rng.choice(["OR", "OR", "HR", "RR"])}={value:.2f}，95%CI：{low:.2f}～{high:.2f}'


CASE_FIELDS = {
    **{name: one_of(values) for name, values in CASE_FRAMES['fields'].items()},  # sex, grade, stage, ppi, chemo ...
    'cm': lambda rng: _dec(rng, 0.8, 9.5),
    'mm': lambda rng: str(rng.randint(4, 32)),
    'age': lambda rng: str(rng.randint(19, 88)),
    'yrs': lambda rng: rng.choice([str(rng.randint(1, 15)), '半', '十余', '2', '3', '1']),
    'mons': lambda rng: rng.choice([str(rng.randint(1, 11)), '半', '1', '2', '3']),
    'days': lambda rng: str(rng.randint(1, 20)),
    'hrs': lambda rng: str(rng.randint(3, 48)),
    'wks': lambda rng: str(rng.randint(1, 8)),
    'cyc': lambda rng: str(rng.randint(2, 12)),
    'kg': lambda rng: str(rng.randint(2, 15)),
    'ki': lambda rng: str(rng.choice([1, 2, 3, 5, 8, 10, 15, 20, 30, 40, 50, 60, 70, 80, 90])),
    'cps': lambda rng: str(rng.choice([1, 3, 5, 8, 10, 15, 20])),
    'mit': lambda rng: rng.choice([f'{rng.randint(0, 4)}/50HPF', f'{rng.randint(5, 20)}/50HPF', f'{rng.randint(1, 12)}个/5mm²',
                                   '<5/50HPF', '>5/50HPF', f'{rng.randint(1, 9)}个/50HPF']),
    'hb': lambda rng: str(rng.randint(45, 118)),
    'cea': lambda rng: _dec(rng, 2.1, 186.0),
    'clock': lambda rng: str(rng.randint(1, 12)),
    'suv': lambda rng: _dec(rng, 3.2, 24.0),
    'ml': lambda rng: str(rng.choice([10, 20, 30, 50, 100, 150, 200, 300])),
    'd3': lambda rng: str(rng.randint(1, 5)),
    'smm': lambda rng: str(rng.randint(3, 15)),
    'scm': lambda rng: _dec(rng, 0.5, 4.0),
    'prague': lambda rng: (lambda c: f'C{c}M{c + rng.randint(0, 4)}')(rng.randint(0, 5)),
    'min': lambda rng: str(rng.randint(40, 320)),
    'pno': lambda rng: rng.choice([f'{rng.randint(2015, 2023)}-{rng.randint(1, 40000):05d}', f'B{rng.randint(100000, 999999)}',
                                   str(rng.randint(10000, 99999))]),
    'period': _period,
    'odds': _odds,
    'protect': lambda rng: _odds(rng, protective=True),
    'pval': lambda rng: rng.choice(['P<0.05', 'P<0.01', 'P<0.001', f'P={rng.randint(1, 49) / 1000:.3f}', f'P={rng.randint(1, 4) / 100:.2f}']),
    'date': _date,
    'dob': lambda rng: _dec(rng, 4.5, 68.0),
    'b03': lambda rng: str(rng.randint(1, 3)),
    'bb': lambda rng: str(rng.randint(2, 9)),
    'bbps3': lambda rng: (lambda a: f'{sum(a)}分（{a[0]}-{a[1]}-{a[2]}）')([rng.randint(0, 3) for _ in range(3)]),
    # stages and node counts that agree with each other (staging() below; the layer tables are read when drawn)
    'tnmu': lambda rng: (rng.choice(['p', 'p', ''])
                         + staging(rng, UPPER_PATHOLOGY['resection']['layers'], lower=False, neoadjuvant=0)['tnm'][1:]),
    'tnml': lambda rng: (rng.choice(['p', 'p', '', 'yp'])
                         + staging(rng, LOWER_PATHOLOGY['resection']['layers'], lower=True, neoadjuvant=0)['tnm'][1:]),
    'nodes': lambda rng: staging(rng, UPPER_PATHOLOGY['resection']['layers'], lower=False)['nodes'],
}


def case_fill(rng, phrase, **given):
    """Fill given values and CASE_FIELDS (each occurrence drawn on its own), then textgen's fields."""
    def value(match):
        name = match.group(1)
        if name in given:
            return str(given[name])
        if name in CASE_FIELDS:
            return CASE_FIELDS[name](rng)
        return match.group(0)
    for _ in range(3):
        phrase = re.sub(r'\{(\w+)\}', value, phrase)
    return textgen.fill(rng, phrase)


def case_choose(rng, bank, **given):
    return case_fill(rng, rng.choice(bank), **given)


def shorten(parts, sep, limit=190):
    """Join parts, dropping the later ones until the text fits."""
    parts = [p for p in parts if p]
    while len(parts) > 1 and len(sep.join(parts)) > limit:
        parts.pop()
    return sep.join(parts)


def cite(rng, site, biopsy=True):
    """A specimen label as pathologists write it."""
    styles = ['（{}）', '（{}）', '({})', '“{}”', '{}：'] + (['{}活检：', '{}黏膜：'] if biopsy else [])
    return rng.choice(styles).format(site)


def staging(rng, layers, lower, neoadjuvant=0.1):
    """Depth, nodes and a TNM stage that agree: {l} the layer reached, {nodes} x/y, {p}, {total}, {tnm}."""
    layer, t = rng.choice(layers)
    total = rng.randint(8, 38)
    positive = min(total, weighted(rng, [(5, 0), (4, rng.randint(1, 3)), (2, rng.randint(4, 12)), (1, rng.randint(13, 20))]))
    if lower:
        n = '0' if not positive else '1a' if positive == 1 else '1b' if positive <= 3 else '2a' if positive <= 6 else '2b'
    else:
        n = '0' if not positive else '1' if positive <= 2 else '2' if positive <= 6 else '3a' if positive <= 15 else '3b'
    prefix = 'yp' if rng.random() < neoadjuvant else 'p'
    nodes = f'{positive}/{total}'
    ln = rng.choice([f'淋巴结（{nodes}）见癌转移', f'淋巴结转移性癌（{nodes}）', f'淋巴结（{nodes}）', f'送检淋巴结{total}枚，{positive}枚见癌转移']) if positive \
        else rng.choice([f'淋巴结未见癌转移（{nodes}）', f'淋巴结（{nodes}）', f'送检淋巴结{total}枚，均未见癌转移'])
    return {'l': layer, 't': t, 'p': positive, 'nodes': nodes, 'total': total, 'ln': ln,
            'tnm': f'{prefix}T{t}N{n}M{rng.choice(["0"] * 8 + ["1", "x"])}', 'trg': prefix == 'yp'}


def case_comorbidities(rng, count):
    """Diagnoses of other organs a GI patient carries; they name no digestive-tract site."""
    return rng.sample(CASE_FRAMES['comorbidities'], count)


# ---------------------------------------------------------------------------
# Register engines shared by both labels; the data come from the label sections.
# ---------------------------------------------------------------------------
def resolve_scans(bank):
    """The scans of a scan bank, its '@name' modality groups and site sets replaced by the lists they name."""
    def modalities(names):
        return [mod for name in names for mod in (bank['modalities'][name[1:]] if name.startswith('@') else [name])]
    return [{**scan, 'mods': modalities(scan['mods']),
             **({'sites': bank['sites'][scan['sites'][1:]]} if isinstance(scan.get('sites'), str) else {})}
            for scan in bank['scans']]


def imaging_report(rng, scans):
    """One scan: a modality, its key finding(s), maybe more findings and an impression that fits."""
    scan = rng.choice(scans)
    given = {name: rng.choice(values) for name, values in scan.get('sites', {}).items()}
    mod = rng.choice(scan['mods'])
    findings = [case_choose(rng, scan['key'], **given)]
    for phrase in rng.sample(scan.get('more', []), min(len(scan.get('more', [])), weighted(rng, [(3, 0), (4, 1), (3, 2), (1, 3)]))):
        findings.append(case_fill(rng, phrase, **given))
    if 'CT' in mod and rng.random() < 0.3:   # incidental lines, none about an organ the findings already describe
        said = ''.join(findings)
        tails = [t for t in CASE_FRAMES['ct_incidentals'] if not any(w in t and w in said for w in ('肝', '腹膜后', '腹腔', '肺', '盆腔'))]
        findings += rng.sample(tails, min(len(tails), rng.randint(1, 2)))
    text = case_fill(rng, rng.choice(CASE_FRAMES['imaging_heads']), m=mod) + rng.choice(['，', '；', '。']).join(dict.fromkeys(findings))
    if scan.get('must') or rng.random() < 0.65:
        text += rng.choice(CASE_FRAMES['impression_heads']) + case_choose(rng, scan['imp'], **given)
    return shorten([text], '') + maybe(rng, 0.4, '。')


def onset(rng, symptom):
    """'上腹痛{mons}月' -> ('2月前', '上腹痛'): a 主诉 template turned into the start of a 现病史."""
    duration = r'\{(mons|yrs|days|wks|hrs)\}(月|年|天|周|小时)'
    match = re.search(duration, symptom)
    core = case_fill(rng, re.sub(duration, '', symptom)).strip('，')
    when = case_fill(rng, match.group(0)) + '前' if match else rng.choice(CASE_FRAMES['recent_onsets'])
    return when.replace('半月', '半个月'), core


def case_history(rng, cases, family):
    """An admission or history sentence (主诉, 现病史, 既往史, 家族史) from one case."""
    case = rng.choice(cases)
    fixed = {name: case_fill(rng, '{%s}' % name) for name in ('la', 'ulcer', 'prague')}   # one grade per case
    g = lambda key: case_choose(rng, case[key], **fixed)  # noqa: E731
    kind = weighted(rng, [(3, 'intro'), (2, 'complaint'), (3 if 'op' in case else 0, 'post_op'), (3, 'present'),
                          (2 if 'med' in case else 0, 'past'), (1, 'family'), (3 if 'op' in case else 0, 'long')])
    if kind == 'intro':
        text = case_fill(rng, rng.choice(CASE_FRAMES['admissions']), s=g('sx')) + '。' + g('exam') + maybe(
            rng, 0.4, rng.choice(CASE_FRAMES['working_diagnoses']).format(dx=g('dx')))
    elif kind == 'complaint':
        cc, symptom = g('cc'), rng.choice(case['sx'])
        text = '主诉：' + (case_fill(rng, symptom) + '，' + cc if rng.random() < 0.35 and onset(rng, symptom)[1][:2] not in cc else cc)
    elif kind == 'post_op':
        text = case_fill(rng, rng.choice(CASE_FRAMES['operations_past']), dx=g('dx'), op=g('op')) \
            + (g('after') if 'after' in case else '') + maybe(rng, 0.3, '，' + case_choose(rng, CASE_FRAMES['since_operation']))
    elif kind == 'present':
        when, core = onset(rng, rng.choice(case['sx']))
        text = case_fill(rng, '患者{w}{t}出现{c}，{d}', w=when, t=rng.choice(CASE_FRAMES['triggers']), c=core,
                         d=case_choose(rng, CASE_FRAMES['details'])) + g('exam') + maybe(rng, 0.3, '，为进一步诊治来我院')
    elif kind == 'past':
        text = case_fill(rng, rng.choice(CASE_FRAMES['past_histories']), dx=g('dx')) + g('med')
    elif kind == 'family':
        text = case_choose(rng, family)
    else:
        text = case_fill(rng, '患者{sex}，{age}岁，{yrs}年前因{dx}行{op}', dx=g('dx'), op=g('op')) + (g('after') if 'after' in case else '') + \
            '，' + rng.choice(CASE_FRAMES['readmissions']).format(sx=g('sx'))
    if kind in ('intro', 'present', 'long') and rng.random() < 0.35:   # the admission note goes on with the past history
        past = case_fill(rng, '既往{dx}病史{yrs}年', dx=g('dx')) + g('med') if 'med' in case else rng.choice(
            ['既往体健', '否认高血压、糖尿病病史', '既往{}病史{}年'.format(rng.choice(CASE_FRAMES['comorbidities']), rng.randint(2, 20)),
             case_choose(rng, family)])
        text = shorten([text, past + rng.choice(['', '，否认药物过敏史', '，吸烟{}年'.format(rng.randint(5, 40))])], '。')
    return shorten([text], '') + maybe(rng, 0.5, '。')


# Endoscopic and interventional procedures: no incision, no blood loss in ml, often no general anaesthesia.
ENDOSCOPIC = re.compile('内镜|镜下|ESD|EMR|EFTR|POEM|PEG|TEM|ESMR|套扎|支架|扩张|注射|取出|射频|栓塞|消融|TIF|TIPS|RPH|造瘘管|置入|穿刺')


def case_operation(rng, cases, extra_ops):
    """An operation or procedure name, alone or after its case's diagnosis."""
    if rng.random() < 0.5:
        case = rng.choice([c for c in cases if 'op' in c])
        if rng.random() < 0.35:
            return case_fill(rng, rng.choice(CASE_FRAMES['diagnosis_and_operation']), dx=case_choose(rng, case['dx']),
                             op=case_choose(rng, case['op']))
        name = case_choose(rng, case['op'])
    else:
        name = case_choose(rng, extra_ops)
    head = rng.choice(CASE_FRAMES['operation_heads'])
    if ENDOSCOPIC.search(name):
        head = head.replace('全麻下', '')
    tail = rng.choice(CASE_FRAMES['operation_tails']) if head in ('', '手术名称：', '术式：', '手术：', '已行') else ''
    if ENDOSCOPIC.search(name) and ('出血' in tail or '时间' in tail):
        tail = ''
    tail = case_fill(rng, tail)
    if tail.startswith('术后') and name.endswith('术'):
        name = name[:-1]  # 切除术 + 术后 -> 切除术后
    return case_fill(rng, head) + name + tail


def case_diagnosis_list(rng, cancer, cancer_q, benign, icd):
    """1 to 4 coded diagnoses: the tract's first, then maybe comorbidities of other organs."""
    gi = []
    for _ in range(weighted(rng, [(7, 1), (1, 2)])):
        gi.append(rng.choice(cancer) + case_fill(rng, rng.choice(cancer_q)) if rng.random() < 0.4 and not gi else case_choose(rng, benign))
    if rng.random() < 0.08:
        gi = [f'{icd[d]} {d}' if d in icd else d for d in gi]
    items = gi + case_comorbidities(rng, weighted(rng, [(4, 0), (3, 1), (2, 2), (1, 3)]))
    if len(items) == 1 and len(items[0]) < 4:   # a three-character name alone: add what the list also holds
        items += case_comorbidities(rng, 1)
    if rng.random() < 0.15 and len(items) > 1:
        items[0], items[1] = items[1], items[0]
    if rng.random() < 0.5:
        body = rng.choice(['；', '；', '，', '、', ' ', ';']).join(dict.fromkeys(items))
    else:
        body = numbered(rng, items)
    return rng.choice(CASE_FRAMES['diagnosis_heads']) + body


def case_discharge(rng, cases, work, advice, named):
    """出院诊断, 住院经过 or 出院医嘱 of one case; one or two parts."""
    case = rng.choice(cases)
    fixed = {name: case_fill(rng, '{%s}' % name) for name in ('la', 'ulcer', 'prague')}   # one grade per case
    g = lambda key: case_choose(rng, case[key], **fixed)  # noqa: E731
    parts = []
    use_op = 'op' in case and ('rx' not in case or rng.random() < 0.6)
    case_advice = [a for a in case['advice'] if use_op or '术后' not in a] or case['advice']
    for kind in rng.sample(['dx', 'course', 'advice'], weighted(rng, [(5, 1), (4, 2), (2, 3)])):
        if kind == 'dx':
            items = [g('dx')] + case_comorbidities(rng, weighted(rng, [(3, 0), (3, 1), (1, 2)]))
            parts.append(rng.choice(['出院诊断：', '出院诊断：', '最后诊断：', '' if len(items) > 1 else '诊断：']) + numbered(rng, items))
        elif kind == 'course':
            op = g('op') if use_op else ''
            scope = bool(ENDOSCOPIC.search(op))
            course = case_choose(rng, CASE_FRAMES['courses_with_operation'] if use_op else CASE_FRAMES['courses_with_treatment'],
                            work='、'.join(rng.sample(work, 2)), exam=g('exam'), dx=g('dx'), op=op, rx=g('rx') if not use_op else '',
                            an=rng.choice(CASE_FRAMES['endoscopy_anaesthesia' if scope else 'surgery_anaesthesia']),
                            care='抑酸、补液' if scope else rng.choice(CASE_FRAMES['surgery_care']),
                            post='术后恢复顺利' if scope else rng.choice(CASE_FRAMES['surgery_recovery']),
                            blood='' if scope else case_fill(rng, '术中出血约{ml}ml，'))
            parts.append(rng.choice(CASE_FRAMES['course_heads']) + course)
        else:
            items = [case_choose(rng, case_advice)] + [case_choose(rng, advice) for _ in range(rng.randint(0, 3))]
            rng.shuffle(items)
            parts.append(rng.choice(CASE_FRAMES['advice_heads']) + numbered(rng, items))
    text = shorten(parts, rng.choice(['。', '；', ' ']))
    if not named(text.replace('胃肠减压', '').replace('胃肠道', '')):   # no site left (dropped for length, or 胃肠减压 only)
        text = '出院诊断：' + g('dx')
    return text + maybe(rng, 0.4, '。')


def research(rng, studies):
    """One sentence of an abstract about one study; every template names the disease or the topic."""
    study = rng.choice(studies)
    templates = [t for t in CASE_FRAMES['research'] if 'Kaplan' not in t or '肿瘤' in study['kind']]   # survival curves for cancers only
    total = rng.choice([rng.randint(36, 400), rng.randint(100, 3000)])
    sub = rng.randint(1, max(1, total // 3))
    hi, lo = sorted([rng.randint(55, 98), rng.randint(20, 80)], reverse=True)
    kw, kw2 = rng.sample(study['kw'], 2)
    text = case_choose(rng, templates, topic=study['topic'], dis=rng.choice(study['dis']), factor=rng.choice(study['factors']),
                  event=rng.choice(study['events']), treat=rng.choice(study['treats']), rate=rng.choice(study['rates']),
                  total=total, sub=sub, pc=f'{100 * sub / total:.1f}%', hi=f'{hi}.{rng.randint(0, 9)}%', lo=f'{lo}.{rng.randint(0, 9)}%',
                  m=rng.randint(12, 60), k=rng.randint(5, 32), kw=kw, kw2=kw2, kind=study['kind'],
                  where=rng.choice(CASE_FRAMES['research_places']))
    return shorten([text], '') + maybe(rng, 0.5, '。')


def lay(rng, bank, endings):
    text = rng.choice(CASE_FRAMES['lay_heads']) + case_choose(rng, bank)
    if rng.random() < 0.2:
        text += '，' + rng.choice(endings)
    return text + maybe(rng, 0.6, rng.choice(['。', '。', '！']))


def hard(rng, bank, heads=CASE_FRAMES['finding_heads'], tails=CASE_FRAMES['finding_tails'], extras=True):
    """A hard positive: a finding or sentence in a frame, or a diagnosis maybe with comorbidities or a context word."""
    text = case_choose(rng, bank)
    if not extras or (re.search('示|见', text) and '诊断' not in text):   # a finding: in a frame
        return case_fill(rng, rng.choice(heads)) + text + case_fill(rng, rng.choice(tails)) + maybe(rng, 0.3, '。')
    if re.search('[，：]', text):                                          # a sentence: as it is
        return text + maybe(rng, 0.3, '。')
    extra = weighted(rng, [(5, ''), (2, 'co'), (1, 'ctx')]) if len(text) >= 4 else rng.choice(['co', 'ctx'])
    if extra == 'co':
        text += rng.choice(['；', '，', ' ']) + '；'.join(case_comorbidities(rng, rng.randint(1, 2)))
    elif extra == 'ctx':
        text = rng.choice(CASE_FRAMES['hard_contexts']) + text
    return text + maybe(rng, 0.3, '。')


# ---------------------------------------------------------------------------
# Upper tract, label 1.
# ---------------------------------------------------------------------------
UPPER_PATHOLOGY = load_bank('upper_pathology')
UPPER_SCANS = resolve_scans(load_bank('upper_scans'))
# Clinical cases of the upper tract: the parts of a history, operation or discharge that belong together.
# sx: the complaint (may name no site); cc: complaint naming a site; exam: work-up; op: procedure; rx: medical treatment.
UPPER_CASES = load_bank('upper_cases')  # and the operations, family histories, work-up and advice beside them
UPPER_DIAGNOSES = load_bank('upper_diagnoses')
UPPER_LAY = load_bank('upper_lay')
UPPER_STUDIES = load_bank('upper_studies')
# Hard positives of label 1: words that pull towards 0 (胆, 肝硬化, 脾) or rarer sites.
UPPER_HARD = load_bank('upper_hard')


def upper_pathology(rng):
    """Biopsy, resection, ESD or GIST pathology of the oesophagus, stomach or duodenum."""
    path = UPPER_PATHOLOGY
    kind = weighted(rng, [(5, 'biopsy'), (4, 'resection'), (2, 'oeso'), (2, 'esd'), (2, 'gist')])
    head = rng.choice(CASE_FRAMES['pathology_heads'])
    if kind == 'biopsy':
        parts = []
        for _ in range(weighted(rng, [(5, 1), (3, 2), (1, 3)])):
            organ = rng.choice(['stomach', 'stomach', 'oesophagus', 'duodenum'])
            lesion = case_choose(rng, path['biopsy'][organ])
            sites = path['sites'][organ]
            if organ == 'oesophagus' and ('Barrett' in lesion or '反流' in lesion):  # they sit just above the Z-line
                sites = path['sites']['barrett']
            parts.append(cite(rng, case_fill(rng, rng.choice(sites))) + lesion)
        text = rng.choice(['；', '。', ' ', '；']).join(dict.fromkeys(parts))
    elif kind == 'resection':
        resection = path['resection']
        stage = staging(rng, resection['layers'], lower=False, neoadjuvant=0.15)
        tumour = case_fill(rng, rng.choice(resection['gross']) + rng.choice(resection['tumours']))
        depth = '，侵透浆膜' if stage['t'] == '4a' and rng.random() < 0.4 else rng.choice(resection['depths'])
        specimen = rng.choice(resection['specimens'])
        where = resection['distal_sites'] if '远端' in specimen else resection['proximal_sites'] if '近端' in specimen \
            else path['sites']['stomach'][:12]
        core = (cite(rng, specimen, biopsy=False) + tumour + maybe(rng, 0.4, '，位于' + rng.choice(where))
                + maybe(rng, 0.4, case_fill(rng, '，大小{cm}×{cm}cm')) + case_fill(rng, depth, **stage))
        extras = [case_choose(rng, resection['extras'][key], lauren=rng.choice(resection['lauren']), **stage)
                  for key in rng.sample(list(resection['extras']), rng.randint(1, 4))]
        if stage['trg'] and rng.random() < 0.5:
            extras.append(f'肿瘤退缩分级：TRG {rng.randint(1, 3)}级')
        text = shorten([core] + extras, rng.choice(['；', '，', '。']))
    elif kind == 'oeso':
        resection = path['oesophagus_resection']
        stage = staging(rng, resection['layers'], lower=False, neoadjuvant=0.3)
        core = case_fill(rng, rng.choice(resection['specimens']) + rng.choice(resection['gross']) + '{grade}鳞状细胞癌，侵达{l}', **stage)
        extras = [case_choose(rng, bank, **stage) for bank in rng.sample(resection['extras'], 2)]
        text = shorten([core] + extras, '，')
    elif kind == 'esd':
        esd = path['esd']
        site = rng.choice(esd['sites'])
        lesion = case_fill(rng, '{grade}' + ('鳞状细胞癌' if '食管' in site else '管状腺癌'))
        depth = rng.choice(['黏膜固有层', '黏膜肌层', 'SM'])
        lesion = f'黏膜内{lesion}' if depth != 'SM' else lesion
        depth = depth if depth != 'SM' else f'黏膜下层（SM1，{rng.randint(100, 480)}μm）'
        text = case_fill(rng, rng.choice(esd['specimens']) + lesion + rng.choice(esd['types'])
                    + f'，大小{_dec(rng, 0.5, 4)}×{_dec(rng, 0.5, 3)}cm，侵达' + depth + '，' + rng.choice(esd['margins'])
                    + maybe(rng, 0.6, rng.choice(esd['tails'])), s=site)
    else:
        gist = path['gist']
        text = case_fill(rng, rng.choice(gist['specimens']) + '，{gt}，大小{cm}×{cm}cm，核分裂象{mit}' + rng.choice(gist['risks'])
                    + maybe(rng, 0.7, rng.choice(gist['ihc'])), s=rng.choice(gist['sites']), gt=rng.choice(gist['cell_types']))
    return case_fill(rng, head) + re.sub('(胃周|小弯侧|食管旁)送检', r'送检\1', text) + maybe(rng, 0.3, '。')


def upper_imaging(rng):
    """CT / MR / PET-CT / barium / ultrasound / EUS / X-ray report of the upper tract."""
    return imaging_report(rng, UPPER_SCANS)


def upper_history(rng):
    """Admission and history sentences (主诉, 现病史, 既往史, 家族史) naming the upper tract."""
    return case_history(rng, UPPER_CASES['cases'], UPPER_CASES['family'])


def upper_operation(rng):
    """Operation and procedure names of the upper tract, sometimes after their diagnosis."""
    return case_operation(rng, UPPER_CASES['cases'], UPPER_CASES['extra_operations'])


def upper_diagnoses(rng):
    """A short coded diagnosis list, e.g. 胃恶性肿瘤；贫血."""
    return case_diagnosis_list(rng, UPPER_DIAGNOSES['cancer'], UPPER_DIAGNOSES['cancer_qualifiers'], UPPER_DIAGNOSES['benign'],
                          UPPER_DIAGNOSES['icd'])


def _names_upper(text):
    return any(w in text for w in ('食管', '贲门', '胃', '幽门', '十二指肠', 'Barrett'))


def upper_discharge(rng):
    """Discharge-summary sentences (出院诊断, 住院经过, 出院医嘱) naming the upper tract."""
    return case_discharge(rng, UPPER_CASES['cases'], UPPER_CASES['workup'], UPPER_CASES['advice'], _names_upper)


def upper_lay(rng):
    """A plain-language patient-education sentence about the upper tract."""
    return lay(rng, UPPER_LAY['sentences'], UPPER_LAY['endings'])


def upper_research(rng):
    """A research-abstract or literature sentence about the upper tract."""
    return research(rng, UPPER_STUDIES)


def upper_hard(rng):
    """Hard positives of the upper tract (胆汁反流, 肝硬化 with 静脉曲张, HP, Barrett, GIST, 十二指肠 in CT)."""
    return hard(rng, UPPER_HARD)


# ---------------------------------------------------------------------------
# Lower tract, label 2.
# ---------------------------------------------------------------------------
LOWER_PATHOLOGY = load_bank('lower_pathology')
LOWER_SCANS = resolve_scans(load_bank('lower_scans'))
LOWER_CASES = load_bank('lower_cases')
LOWER_DIAGNOSES = load_bank('lower_diagnoses')
LOWER_LAY = load_bank('lower_lay')
LOWER_STUDIES = load_bank('lower_studies')
# Hard positives of label 2: 肝曲/脾曲 outside an endoscopy, the ileocaecal region, anal and
# appendix diseases, 肝转移 of a rectal cancer.
LOWER_HARD = load_bank('lower_hard')
# Bowel preparation and the ileocaecal region: a colonoscopy even where no segment is named.
LOWER_PREPARATION = load_bank('lower_preparation')


def lower_pathology(rng):
    """Biopsy or resection pathology of the colon, rectum, appendix or anus."""
    path = LOWER_PATHOLOGY
    kind = weighted(rng, [(5, 'biopsy'), (4, 'resection'), (2, 'appendix'), (2, 'anal'), (1, 'net')])
    head = rng.choice(CASE_FRAMES['pathology_heads'])
    if kind == 'biopsy':
        parts = [cite(rng, case_fill(rng, rng.choice(path['sites']['colon']))) + case_choose(rng, path['biopsy']['colon'])
                 for _ in range(weighted(rng, [(5, 1), (3, 2), (1, 3)]))]
        text = rng.choice(['；', '。', ' ']).join(dict.fromkeys(parts))
    elif kind == 'resection':
        resection = path['resection']
        stage = staging(rng, resection['layers'], lower=True, neoadjuvant=0.2)
        deep = stage['t'] not in ('1', '2')
        core = (cite(rng, rng.choice(resection['specimens']), biopsy=False) + rng.choice(resection['gross'])
                + case_fill(rng, rng.choice(resection['tumours'])) + maybe(rng, 0.4, case_fill(rng, '，肿瘤大小{cm}×{cm}cm'))
                + case_fill(rng, rng.choice(resection['depths'] + [resection['deep_depth']] * deep), **stage))
        extras = [case_choose(rng, resection['extras'][key], **stage) for key in rng.sample(list(resection['extras']), rng.randint(1, 4))]
        if stage['trg'] and rng.random() < 0.6:
            extras.append(f'肿瘤退缩分级：TRG {rng.randint(1, 3)}级（AJCC）')
        text = shorten([core] + extras, rng.choice(['；', '，', '。']))
    elif kind == 'appendix':
        text = rng.choice(path['appendix_specimens']) + case_choose(rng, path['biopsy']['appendix'])
    elif kind == 'anal':
        site = rng.choice(list(path['biopsy']['anal']))
        text = cite(rng, site) + case_choose(rng, path['biopsy']['anal'][site])
    else:
        text = cite(rng, case_fill(rng, rng.choice(path['sites']['net']))) + case_choose(rng, path['biopsy']['rectum']) + maybe(
            rng, 0.5, case_fill(rng, '，大小{mm}mm，' + rng.choice(path['net_tails'])))
    return case_fill(rng, head) + re.sub('(肠系膜|肠周)送检', r'送检\1', text) + maybe(rng, 0.3, '。')


def lower_imaging(rng):
    """CT / MR / PET-CT / barium enema / ultrasound / X-ray report of the lower tract."""
    return imaging_report(rng, LOWER_SCANS)


def lower_history(rng):
    """Admission and history sentences (主诉, 现病史, 既往史, 家族史) naming the lower tract."""
    return case_history(rng, LOWER_CASES['cases'], LOWER_CASES['family'])


def lower_operation(rng):
    """Operation and procedure names of the lower tract, sometimes after their diagnosis."""
    return case_operation(rng, LOWER_CASES['cases'], LOWER_CASES['extra_operations'])


def lower_diagnoses(rng):
    """A short coded diagnosis list, e.g. 直肠恶性肿瘤(pT3N1M0)；2型糖尿病."""
    return case_diagnosis_list(rng, LOWER_DIAGNOSES['cancer'], LOWER_DIAGNOSES['cancer_qualifiers'], LOWER_DIAGNOSES['benign'],
                          LOWER_DIAGNOSES['icd'])


def _names_lower(text):
    return any(w in text for w in ('结肠', '大肠', '直肠', '盲肠', '回肠', '回盲', '阑尾', '肛', '痔', '肝曲', '脾曲', '肠镜', '肠道准备'))


def lower_discharge(rng):
    """Discharge-summary sentences (出院诊断, 住院经过, 出院医嘱) naming the lower tract."""
    return case_discharge(rng, LOWER_CASES['cases'], LOWER_CASES['workup'], LOWER_CASES['advice'], _names_lower)


def lower_lay(rng):
    """A plain-language patient-education sentence about the lower tract."""
    return lay(rng, LOWER_LAY['sentences'], LOWER_LAY['endings'])


def lower_research(rng):
    """A research-abstract or literature sentence about the lower tract."""
    return research(rng, LOWER_STUDIES)


def lower_hard(rng):
    """Hard positives of the lower tract (肠道准备, 回盲瓣, 肝曲/脾曲, 肛周, 阑尾, 肝转移 of a rectal cancer)."""
    if rng.random() < 0.35:
        return hard(rng, LOWER_PREPARATION['lines'], heads=LOWER_PREPARATION['heads'], tails=LOWER_PREPARATION['tails'], extras=False)
    return hard(rng, LOWER_HARD)


CASE_GENERATORS = {
    1: [(15, upper_pathology), (16, upper_imaging), (14, upper_history), (11, upper_operation), (14, upper_diagnoses),
        (9, upper_discharge), (5, upper_lay), (5, upper_research), (11, upper_hard)],
    2: [(15, lower_pathology), (16, lower_imaging), (14, lower_history), (11, lower_operation), (14, lower_diagnoses),
        (9, lower_discharge), (5, lower_lay), (5, lower_research), (11, lower_hard)],
}
