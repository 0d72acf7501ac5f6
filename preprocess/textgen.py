"""Building blocks of the synthetic texts: {field} placeholders and ways to join phrases.

The phrase banks (preprocess/banks/*.json) write their phrases with {name} fields;
synthesize.py, registers.py and whole_body.py fill them with fill()/choose(), and
the same random generator passed around keeps the whole dataset reproducible from one seed.
A field is a function of the generator: a number drawn in a range, a measurement, or
one phrase of a list (one_of; those lists are banks/fields.json).
"""
import re

from preprocess.banks import load_bank


def _decimal(rng, low, high):
    return f'{rng.randint(low, high) / 10:.1f}'


def _size(rng):
    a, b = _decimal(rng, 2, 15), _decimal(rng, 2, 15)
    return rng.choice([f'{a}*{b}cm', f'{a}*{b}cm', f'{a}×{b}cm', f'{a}x{b}cm', f'{a}cm×{b}cm',
                       f'{a}cm', f'{a}*{b}*{_decimal(rng, 2, 8)}cm', f'{rng.randint(3, 15)}mm'])


def _diam(rng):
    return rng.choice([f'{_decimal(rng, 2, 12)}cm', f'{_decimal(rng, 2, 12)}cm', f'{rng.randint(2, 12)}mm',
                       f'{_decimal(rng, 2, 6)}-{_decimal(rng, 7, 12)}cm'])


def _hiatus(rng):
    """Z-line and diaphragmatic hiatus of a hiatal hernia: the hiatus lies further down."""
    z = rng.randint(33, 38)
    return f'齿状线距门齿{z}cm，膈裂孔距门齿{z + rng.randint(2, 4)}cm'


def _bowel_prep(rng):
    """Bowel preparation with a Boston score (0-9) that fits it."""
    grade, low, high = rng.choice([('良', 7, 9), ('好', 7, 9), ('尚可', 5, 7), ('一般', 5, 6), ('欠佳', 3, 5), ('差', 1, 4)])
    return f'肠道准备{grade}，波士顿评分{rng.randint(low, high)}分'


def _dist(rng, low, high):
    """A distance in cm, sometimes a range."""
    d = rng.randint(low, high)
    return rng.choice([f'{d}', f'{d}', f'{d}', f'{d}-{d + rng.randint(1, 4)}', f'约{d}'])


def one_of(values):
    """A field that is one phrase of values."""
    return lambda rng: rng.choice(values)


FIELDS = {
    'size': _size,
    'diam': _diam,
    'n': lambda rng: str(rng.randint(2, 6)),
    'cbd': lambda rng: str(rng.randint(10, 22)),  # a dilated common bile duct, mm
    'dz': lambda rng: _dist(rng, 18, 40),          # 距门齿, oesophagus
    'dcard': lambda rng: str(rng.randint(37, 42)),  # 距门齿, Z-line
    'dr': lambda rng: _dist(rng, 2, 15),            # 距肛缘, rectum
    'hiatus': _hiatus,
    'bbps': _bowel_prep,
    **{name: one_of(values) for name, values in load_bank('fields').items()},
}


def fill(rng, phrase, **given):
    """Replace every {field} in phrase; nested fields (e.g. {clip} -> {k}) are filled too."""
    def value(match):
        name = match.group(1)
        return str(given[name]) if name in given else FIELDS[name](rng)
    for _ in range(3):
        phrase = re.sub(r'\{(\w+)\}', value, phrase)
    return phrase


def choose(rng, bank, **given):
    return fill(rng, rng.choice(bank), **given)


def maybe(rng, p, text, alt=''):
    return text if rng.random() < p else alt


def weighted(rng, options):
    """Pick from [(weight, value), ...]."""
    total = sum(w for w, _ in options)
    x = rng.random() * total
    for w, value in options:
        x -= w
        if x < 0:
            return value
    return options[-1][1]


def join_clauses(rng, clauses, seps=('，', '。', '；', '。', '，')):
    """Join clauses with one separator style chosen for the whole text."""
    sep = rng.choice(seps)
    return sep.join(c for c in clauses if c)


def end(rng, text):
    return text + maybe(rng, 0.5, '。')


def numbered(rng, items):
    """Items as a numbered list (1. 2. / 1、2、 / (1)(2)) or joined by commas; repeats dropped."""
    items = list(dict.fromkeys(items))
    style = rng.choice(['1.', '1、', '(1)', '，', '；', ' ', '1.'])
    if style in ('，', '；', ' ') or len(items) == 1:
        return style.join(items)
    parts = []
    for i, item in enumerate(items, 1):
        mark = {'1.': f'{i}.', '1、': f'{i}、', '(1)': f'({i})'}[style]
        parts.append(mark + item)
    return rng.choice([' ', '', '；', '。']).join(parts)


