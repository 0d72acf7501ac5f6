"""Labels 1 and 2 outside the endoscopy room: the tracts in every other register of an export.

synthesize.py writes the tracts as endoscopists do. A hospital export also
names the stomach, duodenum, colon and rectum in pathology reports, CT / MR /
ultrasound / barium findings, admission histories, operation names, coded
diagnosis lists, discharge summaries and lay or research sentences; a model
that has never seen those calls a CT of a thickened duodenal wall "neither".
Each tract has its sites, diagnoses, imaging findings, pathology lines and
operations, and the register functions put them into each kind of sentence.
Hard cases are written in on purpose: 胆汁反流性胃炎 (upper despite 胆), 肝曲 /
脾曲 in CT or pathology (colon), bowel preparation lines (lower), 食管胃底静脉曲张
in a cirrhotic (upper), 阑尾 and 肛周 diseases (lower).
"""
from preprocess.banks import load_bank
from preprocess.textgen import maybe, numbered, one_of, weighted

# label: the tract's sites, imaging modalities (mod) and findings (img), diagnoses (dx),
# pathology lines (path) and what follows them (path_tails), operations (op), complaints,
# lay and research sentences (edu) and discharge advice (banks/tract_banks.json)
BANKS = load_bank('tract_banks')
TRACTS = {1: BANKS['upper'], 2: BANKS['lower']}
# what the registers put around a tract's phrases: heads, tails, comorbidities of other
# organs, onsets of a 现病史, bowel-preparation lines (banks/tract_bank_frames.json)
FRAMES = load_bank('tract_bank_frames')

# fill() draws these in this order, each occurrence on its own
FIELDS = {
    'cm': lambda rng: f'{rng.randint(5, 90) / 10:.1f}',
    'mm': lambda rng: str(rng.randint(5, 30)),
    'n': lambda rng: str(rng.randint(2, 30)),
    'm': lambda rng: str(rng.randint(12, 35)),
    'nodes': lambda rng: '{}/{}'.format(*sorted(rng.sample(range(0, 36), 2))),
    't': one_of(FRAMES['fields']['t']),
    'nn': one_of(FRAMES['fields']['nn']),
    'layer': one_of(FRAMES['fields']['layer']),
    'her': one_of(FRAMES['fields']['her']),
    'clock': lambda rng: str(rng.randint(1, 12)),
    'prep': one_of(FRAMES['fields']['prep']),
    'b': lambda rng: str(rng.randint(2, 9)),
    'b3': lambda rng: str(rng.randint(0, 3)),
}


def fill(rng, text, tract=None):
    while '{site}' in text:
        text = text.replace('{site}', rng.choice(tract['site']), 1)
    for name, make in FIELDS.items():
        while '{' + name + '}' in text:
            text = text.replace('{' + name + '}', make(rng), 1)
    return text


def pick(rng, label, kind):
    tract = TRACTS[label]
    return fill(rng, rng.choice(tract[kind]), tract)


def imaging(label):
    def imaging_line(rng):
        """An imaging finding of the tract, with an impression."""
        head = rng.choice(['', '', rng.choice(TRACTS[label]['mod']) + '：', rng.choice(TRACTS[label]['mod']) + '示', '影像所见：'])
        findings = [pick(rng, label, 'img') for _ in range(weighted(rng, [(7, 1), (3, 2)]))]
        text = head + '，'.join(dict.fromkeys(findings))
        tail = rng.choice(FRAMES['imaging_impressions'])
        if 'CT' in head and rng.random() < 0.3:
            tail = rng.choice(FRAMES['ct_incidentals']) + maybe(rng, 0.5, '，' + tail)
        if tail and ('胃镜' in tail and label == 2 or '肠镜' in tail and label == 1):
            tail = ''
        return text + (rng.choice(['。', '；', '，']) + tail if tail else maybe(rng, 0.5, '。'))
    return imaging_line


def pathology(label):
    def pathology_line(rng):
        """A biopsy or resection pathology line of the tract."""
        head = rng.choice(FRAMES['pathology_heads'])
        extra = rng.choice(TRACTS[label]['path_tails'])
        return head + pick(rng, label, 'path') + fill(rng, extra)
    return pathology_line


VAGUE_COMPLAINTS = tuple(FRAMES['vague_complaints'])  # complaints that name no site: 上腹, 右下腹


def present_illness(rng, complaint):
    """A 现病史 sentence: onset, trigger and the complaint told as a story, sometimes without any site."""
    complaint = complaint.split('{n}')[0]  # the template's symptom, without its duration
    course = rng.choice(FRAMES['illness_courses'])
    text = (rng.choice(FRAMES['illness_heads']) + '患者' + rng.choice(FRAMES['onsets']) + rng.choice(FRAMES['triggers'])
            + '出现' + complaint + course)
    return fill(rng, text) + maybe(rng, 0.6, '。')


def history(label):
    def history_line(rng):
        """An EMR history sentence about the tract."""
        kind = rng.random()
        if rng.random() < 0.25:
            return present_illness(rng, rng.choice(TRACTS[label]['complaint']))
        if kind < 0.35:
            text = f'患者{rng.choice(FRAMES["sexes"])}，{rng.randint(20, 88)}岁，因“{pick(rng, label, "complaint")}”入院'
        elif kind < 0.5:
            text = '主诉：' + pick(rng, label, 'complaint')
        elif kind < 0.8:
            text = f'患者{rng.randint(1, 12)}年前因{pick(rng, label, "dx")}{rng.choice(FRAMES["operation_places"])}行{pick(rng, label, "op")}' \
                + rng.choice(FRAMES['post_operative_tails'])
        else:
            text = f'既往{pick(rng, label, "dx")}病史{rng.randint(1, 20)}年' + rng.choice(FRAMES['past_history_tails'])
        tail = rng.choice(FRAMES['history_tails'])
        # A complaint like 呕血 or 便血 points at its tract by itself; vaguer ones
        # (上腹痛, 右下腹痛) get the ward's working diagnosis, which names the site.
        if kind < 0.5 and (text.split('“')[-1].startswith(VAGUE_COMPLAINTS) or rng.random() < 0.5):
            tail = rng.choice(FRAMES['working_diagnoses']).replace('{dx}', pick(rng, label, 'dx'))
        return fill(rng, text + tail) + maybe(rng, 0.4, '。')
    return history_line


def operation(label):
    def operation_line(rng):
        """An operation or procedure name of the tract."""
        text = pick(rng, label, 'op')
        if rng.random() < 0.2:
            text += rng.choice(['+', '，']) + pick(rng, label, 'op')
        return rng.choice(FRAMES['operation_heads']) + text + rng.choice(['', '', '', '术后', '术后第{n}天'.replace('{n}', str(rng.randint(1, 9)))])
    return operation_line


def diagnosis_list(label):
    def diagnosis_list_line(rng):
        """A coded diagnosis list: the tract's diagnoses with comorbidities of other systems."""
        items = [pick(rng, label, 'dx') for _ in range(weighted(rng, [(6, 1), (3, 2)]))]
        items += rng.sample(FRAMES['comorbidities'], weighted(rng, [(4, 0), (3, 1), (2, 2)]))
        return rng.choice(FRAMES['diagnosis_heads']) + numbered(rng, items)
    return diagnosis_list_line


def discharge(label):
    def discharge_line(rng):
        """A discharge-summary sentence about the tract."""
        kind = rng.random()
        if kind < 0.4:
            items = [pick(rng, label, 'dx')] + rng.sample(FRAMES['comorbidities'], rng.randint(0, 2))
            return '出院诊断：' + numbered(rng, items)
        if kind < 0.75:
            return rng.choice(FRAMES['discharge_courses']) + pick(rng, label, 'op') + rng.choice(
                ['，术后恢复顺利，予出院', '，术后予抗感染、营养支持治疗', '，病情好转出院', '，术后病理回报：' + pick(rng, label, 'path')])
        return '出院医嘱：' + rng.choice(TRACTS[label]['advice'])
    return discharge_line


def plain_language(label):
    def plain_language_line(rng):
        """A patient-education or research sentence about the tract."""
        return fill(rng, rng.choice(TRACTS[label]['edu'])) + maybe(rng, 0.6, '。')
    return plain_language_line


def bowel_preparation(rng):
    """Colonoscopy preparation and completion lines: lower tract though they may name no segment."""
    return fill(rng, rng.choice(FRAMES['bowel_preparation'])) + maybe(rng, 0.5, '。')


def symptom_story(label):
    def symptom_story_line(rng):
        """A 现病史 built on the tract's own complaint (呕血, 便血 …), often with no site named."""
        return present_illness(rng, rng.choice(TRACTS[label]['complaint']))
    return symptom_story_line


def register_generators(label):
    return [(18, imaging(label)), (16, pathology(label)), (14, history(label)), (12, operation(label)),
            (18, diagnosis_list(label)), (10, discharge(label)), (8, plain_language(label)), (6, symptom_story(label))]


GENERATORS = {1: register_generators(1), 2: register_generators(2) + [(6, bowel_preparation)]}
