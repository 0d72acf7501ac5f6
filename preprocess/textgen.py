"""Building blocks of the synthetic texts: {field} placeholders and ways to join phrases.

Every phrase-bank module of preprocess/ (synthesize.py, tract_registers.py, whole_body.py) writes
its phrases with {name} fields and fills them with fill()/choose(); the same
random generator passed around keeps the whole dataset reproducible from one seed.
"""
import re


def _decimal(rng, low, high):
    return f'{rng.randint(low, high) / 10:.1f}'


def _size(rng):
    a, b = _decimal(rng, 2, 15), _decimal(rng, 2, 15)
    return rng.choice([f'{a}*{b}cm', f'{a}*{b}cm', f'{a}×{b}cm', f'{a}x{b}cm', f'{a}cm×{b}cm',
                       f'{a}cm', f'{a}*{b}*{_decimal(rng, 2, 8)}cm', f'{rng.randint(3, 15)}mm'])


def _diam(rng):
    return rng.choice([f'{_decimal(rng, 2, 12)}cm', f'{_decimal(rng, 2, 12)}cm', f'{rng.randint(2, 12)}mm',
                       f'{_decimal(rng, 2, 6)}-{_decimal(rng, 7, 12)}cm'])


def _count(rng):
    return rng.choice(['一', '一', '一', '两', '三', '2', '3', '数', '多'])


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


FIELDS = {
    'size': _size,
    'diam': _diam,
    'cnt': _count,
    'n': lambda rng: str(rng.randint(2, 6)),
    'cbd': lambda rng: str(rng.randint(10, 22)),  # a dilated common bile duct, mm
    'dz': lambda rng: _dist(rng, 18, 40),          # 距门齿, oesophagus
    'dcard': lambda rng: str(rng.randint(37, 42)),  # 距门齿, Z-line
    'dr': lambda rng: _dist(rng, 2, 15),            # 距肛缘, rectum
    'hiatus': _hiatus,
    'frac': lambda rng: rng.choice(['1/4', '1/3', '1/2', '2/3', '3/4', '全']),
    'ptype': lambda rng: rng.choice(['亚蒂', '广基', '有蒂', '无蒂', '扁平', '山田Ⅰ型', '山田Ⅱ型', '山田Ⅲ型',
                                     '山田II型', '分叶状', '半球形', '长蒂']),
    'removal': lambda rng: rng.choice(['予圈套摘除', '予圈套器电切', '予EMR切除', '予APC灼除', '予活检钳钳除',
                                       '予冷圈套切除', '予热活检钳除', '予高频电切除', '行EMR术', '予圈套器完整切除',
                                       '予内镜下黏膜切除', '活检钳除']),
    'clip': lambda rng: rng.choice(['创面予钛夹{k}枚夹闭', '创面钛夹{k}枚封闭', '创面以钛夹夹闭', '钛夹{k}枚夹闭创面',
                                    '创面无出血', '创面无渗血', '创面予APC处理', '创面平整，予钛夹{k}枚夹闭',
                                    '基底部予钛夹预防出血']),
    'k': lambda rng: rng.choice(['一', '两', '三', '1', '2', '3', '4']),
    'bx': lambda rng: rng.choice(['，取活检{b}块', '（活检{b}块）', '，活检{b}块', '(活检)', '，活检']),
    'b': lambda rng: rng.choice(['1', '2', '3', '4', '一', '两', '数']),
    'surface': lambda rng: rng.choice(['表面光滑', '表面充血', '表面糜烂', '表面呈分叶状', '表面腺管开口呈IIIL型',
                                       'NICE 2型', '表面发红', '色泽同周围粘膜', 'JNET 2A型', '表面覆白苔']),
    'prep': lambda rng: rng.choice(['良', '好', '尚可', '欠佳', '差', '一般']),
    'bbps': _bowel_prep,
    'ulcer': lambda rng: rng.choice(['A1期', 'A2期', 'H1期', 'H2期', 'S1期', 'S2期']),
    'la': lambda rng: rng.choice(['LA-A级', 'LA-B级', 'LA-C级', 'LA-A', 'LA-B']),
    'fr': lambda rng: rng.choice(['7Fr', '8.5Fr', '10Fr', '7F', '8.5F', '10F']),
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


