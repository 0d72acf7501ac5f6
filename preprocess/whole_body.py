"""Label 0 beyond the biliary tree: the whole body, in every register of a hospital export.

An export pulled for this task is never only endoscopy: it holds imaging,
pathology, history sentences, operation names, diagnosis lists, discharge
summaries and lay or literature sentences about every organ. Label 0 ("neither
tract") must cover all of them, or a model learns that 0 means ERCP and calls
a liver CT or a cervical biopsy "upper tract". Each organ has its own
imaging findings, diagnoses, pathology lines and operations
(banks/whole_body_organs.json); the register functions below put them into
the sentence shapes of each kind of document, with the heads, tails and
whole lines of banks/whole_body_lines.json.
No text here may name an upper- or lower-tract site (synthesize.consistent checks).
"""
from preprocess import registers
from preprocess.banks import load_bank
from preprocess.textgen import maybe, numbered, weighted

# organ: its imaging modalities (mod), findings (img), diagnoses (dx), pathology lines (path) and operations (op)
ORGANS = load_bank('whole_body_organs')
LINES = load_bank('whole_body_lines')
ORGAN_WEIGHTS = [(14, 'liver'), (6, 'spleen_portal'), (8, 'pancreas_gallbladder'), (12, 'urinary'), (12, 'gynae'),
                 (12, 'chest'), (9, 'heart_vessels'), (8, 'brain_nerve'), (9, 'thyroid_breast'), (10, 'bone_skin_blood')]

FIELDS = {
    'cm': lambda rng: f'{rng.randint(5, 90) / 10:.1f}',
    'mm': lambda rng: str(rng.randint(3, 40)),
    'seg': lambda rng: str(rng.randint(1, 8)),
    'g': lambda rng: str(rng.randint(1, 4)),
    'gs': lambda rng: str(rng.randint(6, 9)),
    'pct': lambda rng: str(rng.randint(5, 70)),
    'n': lambda rng: str(rng.randint(2, 30)),
    'm': lambda rng: str(rng.randint(12, 30)),
    'nodes': lambda rng: '{}/{}'.format(*sorted(rng.sample(range(0, 30), 2))),
}


def fill(rng, text):
    for name, make in FIELDS.items():
        while '{' + name + '}' in text:
            text = text.replace('{' + name + '}', make(rng), 1)
    return text


def organ(rng):
    return ORGANS[weighted(rng, ORGAN_WEIGHTS)]


def pick(rng, kind, organ_=None):
    return fill(rng, rng.choice((organ_ or organ(rng))[kind]))


def imaging(rng):
    """An imaging finding, sometimes two of one organ, and an impression."""
    o = organ(rng)
    findings = [pick(rng, 'img', o) for _ in range(weighted(rng, [(6, 1), (3, 2)]))]
    head = rng.choice(['', '', rng.choice(o['mod']) + '：', rng.choice(o['mod']) + '示', '检查所见：', '影像所见：'])
    text = head + rng.choice(['，', '。', '；']).join(dict.fromkeys(findings))
    tail = rng.choice(LINES['imaging_impressions'])
    if rng.random() < 0.35:
        tail = rng.choice(LINES['impression_heads']) + pick(rng, 'dx', o)
    return text + (rng.choice(['。', '，', '；']) + tail if tail else maybe(rng, 0.5, '。'))


def pathology(rng):
    """A pathology or immunohistochemistry line of an organ outside the GI tract."""
    o = organ(rng)
    text = pick(rng, 'path', o)
    head = rng.choice(LINES['pathology_heads'])
    extra = rng.choice(LINES['pathology_extras'])
    return head + text + fill(rng, extra)


AGES = lambda rng: rng.randint(18, 88)  # noqa: E731
STORY_COMPLAINTS = [c for c in LINES['complaints'] if not c.startswith(('发现', '体检', '外伤'))]  # ones a 现病史 can tell


def present_illness(rng):
    """A 现病史 story of a complaint outside the GI tract, or of one that points nowhere (恶心, 腹痛)."""
    return registers.present_illness(rng, rng.choice(STORY_COMPLAINTS))


def history(rng):
    """An EMR history sentence: 主诉, 现病史 or 既往史."""
    o = organ(rng)
    if rng.random() < 0.25:
        return present_illness(rng)
    kind = rng.random()
    if kind < 0.35:
        text = f'患者{rng.choice(LINES["sexes"])}，{AGES(rng)}岁，因“{fill(rng, rng.choice(LINES["complaints"]))}”入院'
    elif kind < 0.55:
        text = rng.choice(['主诉：', '主诉:']) + fill(rng, rng.choice(LINES['complaints']))
    elif kind < 0.8:
        text = f'既往{pick(rng, "dx", o)}病史{rng.randint(1, 20)}年' + rng.choice(LINES['past_history_tails'])
    else:
        text = f'患者{rng.randint(1, 15)}年前{rng.choice(LINES["operation_places"])}行{pick(rng, "op", o)}' + rng.choice(
            LINES['post_operative_tails'])
    tail = rng.choice(LINES['history_tails']).replace('{dx}', pick(rng, 'dx', o))
    return fill(rng, text + tail) + maybe(rng, 0.4, '。')


def operation(rng):
    """One or two operation or procedure names."""
    o = organ(rng)
    names = [pick(rng, 'op', o) for _ in range(weighted(rng, [(7, 1), (3, 2)]))]
    text = rng.choice(['+', '，', '、']).join(dict.fromkeys(names))
    return rng.choice(LINES['operation_heads']) + text + rng.choice(LINES['operation_tails'])


def diagnosis_list(rng):
    """A coded diagnosis list: one to four diagnoses, often of different organs."""
    items = [pick(rng, 'dx') for _ in range(weighted(rng, [(4, 1), (3, 2), (2, 3), (1, 4)]))]
    return rng.choice(LINES['diagnosis_heads']) + numbered(rng, items)


def discharge(rng):
    """A discharge-summary sentence."""
    o = organ(rng)
    if rng.random() < 0.25:
        return present_illness(rng)
    kind = rng.random()
    if kind < 0.4:
        items = [pick(rng, 'dx', o)] + [pick(rng, 'dx') for _ in range(rng.randint(0, 2))]
        return rng.choice(['出院诊断：', '出院诊断:']) + numbered(rng, items)
    if kind < 0.7:
        return rng.choice(LINES['discharge_courses']) + pick(rng, 'op', o) + rng.choice(LINES['discharge_outcomes'])
    return '出院医嘱：' + rng.choice(LINES['advice_heads']) + rng.choice(LINES['advice'])


def plain_language(rng):
    return fill(rng, rng.choice(LINES['education']).replace('{dx}', pick(rng, 'dx'))) + maybe(rng, 0.6, '。')


def no_organ(rng):
    items = [fill(rng, rng.choice(LINES['no_organ'])) for _ in range(weighted(rng, [(6, 1), (3, 2)]))]
    return '，'.join(dict.fromkeys(items)) + maybe(rng, 0.4, '。')


def hard_negative(rng):
    """A line a keyword list reads as a tract, though it names none: the pouch of Douglas
    (子宫直肠陷凹), gastrointestinal decompression (胃肠减压), the portal system and the
    lymph nodes of the mesentery and retroperitoneum."""
    return fill(rng, rng.choice(LINES['hard_negatives'])) + maybe(rng, 0.4, '。')


GENERATORS = {0: [(10, hard_negative), (22, imaging), (12, pathology), (14, history), (10, operation), (16, diagnosis_list), (8, discharge),
                  (8, plain_language), (10, no_organ)]}
