"""Labels 1 and 2 in every register of a hospital export except endoscopy findings.

synthesize.py writes the upper and lower tract as an endoscopist does. A real export also names
the oesophagus, stomach, duodenum, colon, rectum and anus in pathology reports, CT / MR /
ultrasound / barium / X-ray reports, admission and history sentences, operation names, coded
diagnosis lists, discharge summaries, patient education and research abstracts (BRIEF.md
section 6). A model that has only seen endoscopy language calls a CT of a thickened duodenal
wall, a rectal cancer pathology line or a bowel-preparation line "neither" (0).

Each label has one generator per register and one for hard positives: 胆汁反流性胃炎 (upper
despite 胆), 十二指肠 in CT and histories, 贲门失弛缓症, 幽门螺杆菌, 食管胃底静脉曲张 in a cirrhotic,
Barrett食管, 胃间质瘤 (label 1); bowel preparation, 回肠末端 / 回盲瓣 at colonoscopy, 肝曲 / 脾曲 in CT
or pathology, 肛周脓肿, 肛瘘, 痔, 阑尾, 直肠癌 with 肝转移 (label 2).

To keep a text coherent, histories, operations and discharge summaries draw one clinical CASE
(complaint, work-up, diagnosis, operation, advice that belong together), imaging reports one SCAN
(modalities, findings and the impressions that fit them) and research sentences one STUDY.

Every label-1 text names an upper site and no lower one, every label-2 text the reverse, as
synthesize.tracts() reads them: upper texts avoid 肛门排气, 结肠前吻合, 横结肠系膜; lower texts avoid
胃管, 胃纳, 胃镜; comorbidities name no digestive-tract site. Phrases use textgen.FIELDS and the
local LOCAL_FIELDS, which this module's fill() draws afresh at every occurrence.

    GENERATORS = {1: [(weight, function), ...], 2: [(weight, function), ...]}
"""
import re

from preprocess import textgen
from preprocess.textgen import maybe, numbered, weighted


# ---------------------------------------------------------------------------
# Local fields and helpers.
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


PPI = ['奥美拉唑', '艾司奥美拉唑', '雷贝拉唑', '泮托拉唑', '兰索拉唑', '伏诺拉生', '艾普拉唑']
HP_REGIMENS = ['铋剂四联方案', '{ppi}+阿莫西林+克拉霉素+枸橼酸铋钾', '{ppi}、胶体果胶铋、阿莫西林及呋喃唑酮四联', '伏诺拉生+阿莫西林双联方案',
               '含铋剂四联（{ppi}+阿莫西林+左氧氟沙星+铋剂）', '高剂量双联方案', '{ppi}+四环素+甲硝唑+铋剂']
LOCAL_FIELDS = {
    'cm': lambda rng: _dec(rng, 0.8, 9.5),
    'mm': lambda rng: str(rng.randint(4, 32)),
    'age': lambda rng: str(rng.randint(19, 88)),
    'sex': lambda rng: rng.choice(['男', '女', '男性', '女性']),
    'yrs': lambda rng: rng.choice([str(rng.randint(1, 15)), '半', '十余', '2', '3', '1']),
    'mons': lambda rng: rng.choice([str(rng.randint(1, 11)), '半', '1', '2', '3']),
    'days': lambda rng: str(rng.randint(1, 20)),
    'hrs': lambda rng: str(rng.randint(3, 48)),
    'wks': lambda rng: str(rng.randint(1, 8)),
    'cyc': lambda rng: str(rng.randint(2, 12)),
    'kg': lambda rng: str(rng.randint(2, 15)),
    'ki': lambda rng: str(rng.choice([1, 2, 3, 5, 8, 10, 15, 20, 30, 40, 50, 60, 70, 80, 90])),
    'her2': lambda rng: rng.choice(['0', '1+', '2+', '3+']),
    'cps': lambda rng: str(rng.choice([1, 3, 5, 8, 10, 15, 20])),
    'mit': lambda rng: rng.choice([f'{rng.randint(0, 4)}/50HPF', f'{rng.randint(5, 20)}/50HPF', f'{rng.randint(1, 12)}个/5mm²',
                                   '<5/50HPF', '>5/50HPF', f'{rng.randint(1, 9)}个/50HPF']),
    'risk': lambda rng: rng.choice(['极低危', '低危', '中危', '高危', '低度危险', '高度危险']),
    'grade': lambda rng: rng.choice(['高分化', '中分化', '中分化', '低分化', '中-低分化', '高-中分化']),
    'deg': lambda rng: rng.choice(['轻度', '中度', '重度', '轻-中度', '中-重度']),
    'stage': lambda rng: rng.choice(['Ⅰ期', 'ⅠA期', 'ⅡA期', 'ⅡB期', 'Ⅱ期', 'ⅢA期', 'ⅢB期', 'ⅢC期', 'Ⅲ期', 'Ⅳ期', 'ⅣA期', 'IV期', 'III期']),
    'tstage': lambda rng: rng.choice(['T2', 'T3', 'T3', 'T4a', 'T4b', 'T3N1', 'T4aN2', 'T3N+']),
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
    'hosp': lambda rng: rng.choice(['我院', '我院', '外院', '当地医院', '当地县医院', '省肿瘤医院', '上级医院', '我科']),
    'ppi': lambda rng: rng.choice(PPI),
    'hpreg': lambda rng: rng.choice(HP_REGIMENS),
    'uchemo': lambda rng: rng.choice(['SOX', 'XELOX', 'FLOT', 'DOS', '奥沙利铂+替吉奥', '替吉奥单药', '信迪利单抗联合XELOX', '纳武利尤单抗+SOX',
                                      '曲妥珠单抗联合XELOX']),
    'echemo': lambda rng: rng.choice(['紫杉醇+顺铂', '多西他赛+奈达铂', '紫杉醇+卡铂', '卡瑞利珠单抗+紫杉醇+顺铂']),
    'lchemo': lambda rng: rng.choice(['FOLFOX', 'mFOLFOX6', 'XELOX', 'CapeOX', 'FOLFIRI', '卡培他滨单药', '贝伐珠单抗+FOLFIRI',
                                      '西妥昔单抗+FOLFOX', '奥沙利铂+卡培他滨', '伊立替康+雷替曲塞']),
    'dob': lambda rng: _dec(rng, 4.5, 68.0),
    'child': lambda rng: rng.choice(['A级', 'B级', 'C级', 'B级7分', 'C级10分', 'A级6分']),
    'b03': lambda rng: str(rng.randint(1, 3)),
    'bb': lambda rng: str(rng.randint(2, 9)),
    'peg': lambda rng: rng.choice(['2', '3', '4', '2+1']),
    'bbps3': lambda rng: (lambda a: f'{sum(a)}分（{a[0]}-{a[1]}-{a[2]}）')([rng.randint(0, 3) for _ in range(3)]),
    # stages and node counts that agree with each other (staging() below; the layer tables are read when drawn)
    'tnmu': lambda rng: rng.choice(['p', 'p', '']) + staging(rng, UPPER_LAYERS, lower=False, neoadjuvant=0)['tnm'][1:],
    'tnml': lambda rng: rng.choice(['p', 'p', '', 'yp']) + staging(rng, LOWER_LAYERS, lower=True, neoadjuvant=0)['tnm'][1:],
    'nodes': lambda rng: staging(rng, UPPER_LAYERS, lower=False)['nodes'],
}


def fill(rng, phrase, **given):
    """Fill given values and local fields (each occurrence drawn on its own), then textgen's fields."""
    def value(match):
        name = match.group(1)
        if name in given:
            return str(given[name])
        if name in LOCAL_FIELDS:
            return LOCAL_FIELDS[name](rng)
        return match.group(0)
    for _ in range(3):
        phrase = re.sub(r'\{(\w+)\}', value, phrase)
    return textgen.fill(rng, phrase)


def choose(rng, bank, **given):
    return fill(rng, rng.choice(bank), **given)


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


# Diagnoses of other organs a GI patient carries. They name no digestive-tract site.
COMORBIDITIES = [
    '高血压病', '高血压3级（很高危）', '高血压病2级', '2型糖尿病', '2型糖尿病伴血糖控制不佳', '冠状动脉粥样硬化性心脏病', '心房颤动',
    '慢性心力衰竭', '慢性阻塞性肺疾病', '肺部感染', '低蛋白血症', '中度贫血', '重度贫血', '失血性贫血', '缺铁性贫血', '低钾血症',
    '电解质紊乱', '慢性乙型病毒性肝炎', '脂肪肝', '肝囊肿', '胆囊结石', '肾囊肿', '慢性肾脏病3期', '高脂血症', '高尿酸血症',
    '脑梗死后遗症', '陈旧性脑梗死', '甲状腺功能减退症', '甲状腺结节', '骨质疏松症', '前列腺增生', '腰椎间盘突出症', '焦虑状态',
    '营养不良', '重度营养不良', '肺结节', '窦性心动过缓', '帕金森病', '类风湿关节炎', '慢性支气管炎', '睡眠障碍', '高同型半胱氨酸血症',
]


def comorbidities(rng, count):
    return rng.sample(COMORBIDITIES, count)


# ---------------------------------------------------------------------------
# Register engines shared by both labels; the data come from the label sections.
# ---------------------------------------------------------------------------
IMAGING_HEADS = ['{m}：', '{m}示', '{m}提示', '{m}：', '', '影像所见：', '检查所见：', '{date}{m}：', '{m}检查：']
IMPRESSION_HEADS = ['。印象：', '。诊断意见：', '，考虑', '。结论：', '；', '。影像诊断：', '。', '。意见：']
CT_TAILS = ['腹膜后未见肿大淋巴结', '肝脏未见明显异常', '少量盆腔积液', '双肺未见明确转移', '腹腔未见积液', '余腹部脏器未见明显异常']


def imaging_report(rng, scans):
    """One scan: a modality, its key finding(s), maybe more findings and an impression that fits."""
    scan = rng.choice(scans)
    given = {name: rng.choice(values) for name, values in scan.get('sites', {}).items()}
    mod = rng.choice(scan['mods'])
    findings = [choose(rng, scan['key'], **given)]
    for phrase in rng.sample(scan.get('more', []), min(len(scan.get('more', [])), weighted(rng, [(3, 0), (4, 1), (3, 2), (1, 3)]))):
        findings.append(fill(rng, phrase, **given))
    if 'CT' in mod and rng.random() < 0.3:   # incidental lines, none about an organ the findings already describe
        said = ''.join(findings)
        tails = [t for t in CT_TAILS if not any(w in t and w in said for w in ('肝', '腹膜后', '腹腔', '肺', '盆腔'))]
        findings += rng.sample(tails, min(len(tails), rng.randint(1, 2)))
    text = fill(rng, rng.choice(IMAGING_HEADS), m=mod) + rng.choice(['，', '；', '。']).join(dict.fromkeys(findings))
    if scan.get('must') or rng.random() < 0.65:
        text += rng.choice(IMPRESSION_HEADS) + choose(rng, scan['imp'], **given)
    return shorten([text], '') + maybe(rng, 0.4, '。')


def onset(rng, symptom):
    """'上腹痛{mons}月' -> ('2月前', '上腹痛'): a 主诉 template turned into the start of a 现病史."""
    duration = r'\{(mons|yrs|days|wks|hrs)\}(月|年|天|周|小时)'
    match = re.search(duration, symptom)
    core = fill(rng, re.sub(duration, '', symptom)).strip('，')
    when = fill(rng, match.group(0)) + '前' if match else rng.choice(['近期', '1月前', '3天前'])
    return when.replace('半月', '半个月'), core


TRIGGERS = ['无明显诱因', '无明显诱因', '', '劳累后', '饮酒后', '进食油腻食物后']
DETAILS = ['伴头晕、乏力，', '无发热，', '体重下降约{kg}kg，', '{hosp}查Hb {hb}g/L，', '', '伴纳差，', '{hosp}就诊，', '自服药物无缓解，',
           '查CEA {cea}ng/ml，']


def history(rng, cases, family):
    """An admission or history sentence (主诉, 现病史, 既往史, 家族史) from one case."""
    case = rng.choice(cases)
    fixed = {name: fill(rng, '{%s}' % name) for name in ('la', 'ulcer', 'prague')}   # one grade per case
    g = lambda key: choose(rng, case[key], **fixed)  # noqa: E731
    kind = weighted(rng, [(3, 'intro'), (2, 'complaint'), (3 if 'op' in case else 0, 'post_op'), (3, 'present'),
                          (2 if 'med' in case else 0, 'past'), (1, 'family'), (3 if 'op' in case else 0, 'long')])
    if kind == 'intro':
        text = fill(rng, rng.choice(['患者{sex}，{age}岁，因“{s}”入院', '{sex}，{age}岁，因“{s}”于{date}入院', '患者，{sex}，{age}岁，主因“{s}”入院',
                                     '患者{age}岁{sex}，以“{s}”为主诉入院']), s=g('sx')) + '。' + g('exam') + maybe(
            rng, 0.4, rng.choice(['，门诊拟“{}”收入院', '，诊断为{}', '，考虑{}']).format(g('dx')))
    elif kind == 'complaint':
        cc, symptom = g('cc'), rng.choice(case['sx'])
        text = '主诉：' + (fill(rng, symptom) + '，' + cc if rng.random() < 0.35 and onset(rng, symptom)[1][:2] not in cc else cc)
    elif kind == 'post_op':
        text = fill(rng, rng.choice(['患者{yrs}年前因“{dx}”于{hosp}行{op}', '患者{mons}月前因{dx}在{hosp}行{op}', '{yrs}年前因{dx}行{op}']),
                    dx=g('dx'), op=g('op')) + (g('after') if 'after' in case else '') + maybe(rng, 0.3, '，' + choose(
                        rng, ['现为进一步治疗入院', '此次为复查入院', '定期随访', '今为行下一周期治疗入院']))
    elif kind == 'present':
        when, core = onset(rng, rng.choice(case['sx']))
        text = fill(rng, '患者{w}{t}出现{c}，{d}', w=when, t=rng.choice(TRIGGERS), c=core, d=choose(rng, DETAILS)) + g('exam') + maybe(
            rng, 0.3, '，为进一步诊治来我院')
    elif kind == 'past':
        text = fill(rng, rng.choice(['既往{dx}病史{yrs}年', '既往史：{dx}{yrs}年', '有{dx}史{yrs}年', '{dx}病史{yrs}年']), dx=g('dx')) + g('med')
    elif kind == 'family':
        text = choose(rng, family)
    else:
        text = fill(rng, '患者{sex}，{age}岁，{yrs}年前因{dx}行{op}', dx=g('dx'), op=g('op')) + (g('after') if 'after' in case else '') + \
            '，' + rng.choice(['此次因“{}”入院', '{}再次入院', '近来{}']).format(g('sx'))
    if kind in ('intro', 'present', 'long') and rng.random() < 0.35:   # the admission note goes on with the past history
        past = fill(rng, '既往{dx}病史{yrs}年', dx=g('dx')) + g('med') if 'med' in case else rng.choice(
            ['既往体健', '否认高血压、糖尿病病史', '既往{}病史{}年'.format(rng.choice(COMORBIDITIES), rng.randint(2, 20)), choose(rng, family)])
        text = shorten([text, past + rng.choice(['', '，否认药物过敏史', '，吸烟{}年'.format(rng.randint(5, 40))])], '。')
    return shorten([text], '') + maybe(rng, 0.5, '。')


OP_HEADS = ['', '', '', '', '手术名称：', '术式：', '行', '拟行', '全麻下行', '拟于全麻下行', '{date}行', '已行', '手术：', '择期行', '手术记录：']
OP_TAILS = ['', '', '', '', '术后', '术后第{days}天', '术后{yrs}年', '术后{mons}月', '（{date}）', '，手术顺利', '，术中出血约{ml}ml', '，手术时间{min}分钟']
# Endoscopic and interventional procedures: no incision, no blood loss in ml, often no general anaesthesia.
ENDOSCOPIC = re.compile('内镜|镜下|ESD|EMR|EFTR|POEM|PEG|TEM|ESMR|套扎|支架|扩张|注射|取出|射频|栓塞|消融|TIF|TIPS|RPH|造瘘管|置入|穿刺')


def operation(rng, cases, extra_ops):
    """An operation or procedure name, alone or after its case's diagnosis."""
    if rng.random() < 0.5:
        case = rng.choice([c for c in cases if 'op' in c])
        if rng.random() < 0.35:
            return fill(rng, rng.choice(['术前诊断：{dx}；拟行手术：{op}', '术前诊断：{dx}，手术方式：{op}', '{dx}，行{op}', '术后诊断：{dx}。术式：{op}',
                                         '诊断：{dx}  手术：{op}']), dx=choose(rng, case['dx']), op=choose(rng, case['op']))
        name = choose(rng, case['op'])
    else:
        name = choose(rng, extra_ops)
    head = rng.choice(OP_HEADS)
    if ENDOSCOPIC.search(name):
        head = head.replace('全麻下', '')
    tail = rng.choice(OP_TAILS) if head in ('', '手术名称：', '术式：', '手术：', '已行') else ''
    if ENDOSCOPIC.search(name) and ('出血' in tail or '时间' in tail):
        tail = ''
    tail = fill(rng, tail)
    if tail.startswith('术后') and name.endswith('术'):
        name = name[:-1]  # 切除术 + 术后 -> 切除术后
    return fill(rng, head) + name + tail


def diagnosis_list(rng, cancer, cancer_q, benign, icd):
    """1 to 4 coded diagnoses: the tract's first, then maybe comorbidities of other organs."""
    gi = []
    for _ in range(weighted(rng, [(7, 1), (1, 2)])):
        gi.append(rng.choice(cancer) + fill(rng, rng.choice(cancer_q)) if rng.random() < 0.4 and not gi else choose(rng, benign))
    if rng.random() < 0.08:
        gi = [f'{icd[d]} {d}' if d in icd else d for d in gi]
    items = gi + comorbidities(rng, weighted(rng, [(4, 0), (3, 1), (2, 2), (1, 3)]))
    if len(items) == 1 and len(items[0]) < 4:   # a three-character name alone: add what the list also holds
        items += comorbidities(rng, 1)
    if rng.random() < 0.15 and len(items) > 1:
        items[0], items[1] = items[1], items[0]
    if rng.random() < 0.5:
        body = rng.choice(['；', '；', '，', '、', ' ', ';']).join(dict.fromkeys(items))
    else:
        body = numbered(rng, items)
    return rng.choice(['', '', '', '', '', '诊断：', '入院诊断：', '门诊诊断：', '术前诊断：', '术后诊断：', '初步诊断：', '主要诊断：',
                       '临床诊断：', '修正诊断：', '其他诊断：']) + body


OP_COURSE = [
    '入院后完善{work}等检查，{exam}，排除手术禁忌后于{date}在{an}下行{op}，术后予{care}等治疗，恢复顺利',
    '入院后完善相关检查，诊断“{dx}”明确，于{date}行{op}，手术顺利，术后恢复可',
    '患者入院后{exam}，于{date}行{op}，{post}',
    '住院期间行{op}，术后第{d3}天恢复进食，无发热、腹痛',
    '{date}在{an}下行{op}，{blood}术后予{care}等对症治疗',
]
RX_COURSE = ['入院后予{rx}，症状明显好转', '入院后{exam}，予{rx}，病情好转', '住院期间予{rx}，复查无明显不适']


def discharge(rng, cases, work, advice, named):
    """出院诊断, 住院经过 or 出院医嘱 of one case; one or two parts."""
    case = rng.choice(cases)
    fixed = {name: fill(rng, '{%s}' % name) for name in ('la', 'ulcer', 'prague')}   # one grade per case
    g = lambda key: choose(rng, case[key], **fixed)  # noqa: E731
    parts = []
    use_op = 'op' in case and ('rx' not in case or rng.random() < 0.6)
    case_advice = [a for a in case['advice'] if use_op or '术后' not in a] or case['advice']
    for kind in rng.sample(['dx', 'course', 'advice'], weighted(rng, [(5, 1), (4, 2), (2, 3)])):
        if kind == 'dx':
            items = [g('dx')] + comorbidities(rng, weighted(rng, [(3, 0), (3, 1), (1, 2)]))
            parts.append(rng.choice(['出院诊断：', '出院诊断：', '最后诊断：', '' if len(items) > 1 else '诊断：']) + numbered(rng, items))
        elif kind == 'course':
            op = g('op') if use_op else ''
            scope = bool(ENDOSCOPIC.search(op))
            course = choose(rng, OP_COURSE if use_op else RX_COURSE, work='、'.join(rng.sample(work, 2)), exam=g('exam'), dx=g('dx'), op=op,
                            rx=g('rx') if not use_op else '', an=rng.choice(['静脉麻醉', '局麻']) if scope else rng.choice(['全麻', '全麻', '腰麻']),
                            care='抑酸、补液' if scope else rng.choice(['抗感染、补液、营养支持', '预防感染、止痛', '抗感染、镇痛、营养支持']),
                            post='术后恢复顺利' if scope else rng.choice(['术后切口愈合良好', '术后恢复顺利']),
                            blood='' if scope else fill(rng, '术中出血约{ml}ml，'))
            parts.append(rng.choice(['住院经过：', '诊疗经过：', '', '']) + course)
        else:
            items = [choose(rng, case_advice)] + [choose(rng, advice) for _ in range(rng.randint(0, 3))]
            rng.shuffle(items)
            parts.append(rng.choice(['出院医嘱：', '出院医嘱：', '医嘱：', '出院后']) + numbered(rng, items))
    text = shorten(parts, rng.choice(['。', '；', ' ']))
    if not named(text.replace('胃肠减压', '').replace('胃肠道', '')):   # no site left (dropped for length, or 胃肠减压 only)
        text = '出院诊断：' + g('dx')
    return text + maybe(rng, 0.4, '。')


RESEARCH = [
    '目的：探讨{topic}。方法：回顾性分析{period}{where}收治的{total}例{dis}患者的临床资料',
    '{total}例{dis}患者中，{sub}例（{pc}）发生{event}，多因素分析显示{factor}是独立危险因素（{odds}，{pval}）',
    '结论：{factor}是{dis}患者{event}的独立危险因素，应加强随访', '本研究纳入{total}例{dis}患者，随机分为{treat}组和对照组，比较两组{rate}',
    '结果：{dis}患者中{treat}组{rate}为{hi}，显著高于对照组的{lo}（{pval}）', 'Logistic回归分析显示，{factor}是{dis}患者{event}的独立危险因素（{odds}，{pval}）',
    '关键词：{dis}；{kw}；{kw2}', '{dis}是临床常见的{kind}，{topic}尚存争议', '方法：{total}例{dis}患者接受{treat}，中位随访{m}个月，观察{event}发生情况',
    'Kaplan-Meier分析显示，合并{factor}的{dis}患者无事件生存率为{lo}，低于对照组的{hi}（{pval}）', 'meta分析共纳入{k}项研究{total}例{dis}患者，{treat}可降低{event}风险（{protect}）',
    '{topic}：一项{where}回顾性研究', '既往研究表明，{treat}治疗{dis}的{rate}约为{hi}', '{dis}患者{event}的发生率为{pc}，与{factor}密切相关',
]


def research(rng, studies):
    """One sentence of an abstract about one study; every template names the disease or the topic."""
    study = rng.choice(studies)
    templates = [t for t in RESEARCH if 'Kaplan' not in t or '肿瘤' in study['kind']]   # survival curves for cancers only
    total = rng.choice([rng.randint(36, 400), rng.randint(100, 3000)])
    sub = rng.randint(1, max(1, total // 3))
    hi, lo = sorted([rng.randint(55, 98), rng.randint(20, 80)], reverse=True)
    kw, kw2 = rng.sample(study['kw'], 2)
    text = choose(rng, templates, topic=study['topic'], dis=rng.choice(study['dis']), factor=rng.choice(study['factors']),
                  event=rng.choice(study['events']), treat=rng.choice(study['treats']), rate=rng.choice(study['rates']),
                  total=total, sub=sub, pc=f'{100 * sub / total:.1f}%', hi=f'{hi}.{rng.randint(0, 9)}%', lo=f'{lo}.{rng.randint(0, 9)}%',
                  m=rng.randint(12, 60), k=rng.randint(5, 32), kw=kw, kw2=kw2, kind=study['kind'],
                  where=rng.choice(['我院', '本中心', '多中心', '我科', '单中心']))
    return shorten([text], '') + maybe(rng, 0.5, '。')


def lay(rng, bank, endings):
    text = rng.choice(['', '', '', '', '温馨提示：', '健康宣教：', '医生提醒：', '科普：', '患者须知：']) + choose(rng, bank)
    if rng.random() < 0.2:
        text += '，' + rng.choice(endings)
    return text + maybe(rng, 0.6, rng.choice(['。', '。', '！']))


FINDING_HEADS = ['', '', '', '', '{date}', '外院', '复查', '{date}复查', '本院', '会诊：']
FINDING_TAILS = ['', '', '', '', '，建议随访', '，请结合临床', '，较前相仿', '，较前进展', '，建议进一步检查', '，已告知患者及家属']


def hard(rng, bank, heads=FINDING_HEADS, tails=FINDING_TAILS, extras=True):
    """A hard positive: a finding or sentence in a frame, or a diagnosis maybe with comorbidities or a context word."""
    text = choose(rng, bank)
    if not extras or (re.search('示|见', text) and '诊断' not in text):   # a finding: in a frame
        return fill(rng, rng.choice(heads)) + text + fill(rng, rng.choice(tails)) + maybe(rng, 0.3, '。')
    if re.search('[，：]', text):                                          # a sentence: as it is
        return text + maybe(rng, 0.3, '。')
    extra = weighted(rng, [(5, ''), (2, 'co'), (1, 'ctx')]) if len(text) >= 4 else rng.choice(['co', 'ctx'])
    if extra == 'co':
        text += rng.choice(['；', '，', ' ']) + '；'.join(comorbidities(rng, rng.randint(1, 2)))
    elif extra == 'ctx':
        text = rng.choice(['患者既往', '门诊诊断：', '会诊意见：', '病史：', '追问病史，', '入院诊断：']) + text
    return text + maybe(rng, 0.3, '。')


# ---------------------------------------------------------------------------
# Upper tract, label 1.
# ---------------------------------------------------------------------------
STOMACH_SITES = ['胃窦', '胃窦', '胃体', '胃角', '胃底', '贲门', '胃体小弯', '胃体大弯', '胃窦小弯', '胃窦大弯', '胃窦前壁', '胃窦后壁',
                 '胃角小弯', '胃体后壁', '胃底贲门', '幽门前区', '胃体下部', '胃体上部', '残胃', '残胃吻合口', '胃']
OESO_SITES = ['食管', '食管上段', '食管中段', '食管下段', '食管胸中段', '食管胸下段', '食管颈段', '食管中下段', '距门齿{dz}cm食管']
DUO_SITES = ['十二指肠球部', '十二指肠降部', '十二指肠', '十二指肠球部前壁', '十二指肠水平部', '十二指肠降段']
BIOPSY = {
    'stomach': [
        '黏膜慢性炎（{deg}），活动性（+），HP（+）', '慢性萎缩性胃炎（{deg}），伴{deg}肠上皮化生', '黏膜慢性非萎缩性炎，局灶糜烂',
        '黏膜慢性炎伴{deg}肠上皮化生，HP（-）', '腺体低级别上皮内瘤变', '高级别上皮内瘤变，局灶不除外黏膜内癌', '{grade}腺癌',
        '{grade}管状腺癌', '低分化腺癌，部分为印戒细胞癌', '印戒细胞癌', '黏液腺癌', '胃底腺息肉', '增生性息肉', '腺瘤伴低级别上皮内瘤变',
        '黄色瘤', '黏膜相关淋巴组织结外边缘区淋巴瘤（MALT淋巴瘤）', '神经内分泌肿瘤（G1），Syn（+），CgA（+），Ki-67约{ki}%',
        '溃疡边缘组织，见炎性坏死物及肉芽组织，未见肿瘤', '梭形细胞肿瘤，结合免疫组化符合胃肠间质瘤', '黏膜慢性炎，固有腺体减少，OLGA Ⅱ期',
        '黏膜中度慢性炎，见幽门螺杆菌', '小凹上皮增生，固有层水肿，符合化学性（反流性）胃病', '异位胰腺', '低分化癌，免疫组化：HER2（{her2}）',
    ],
    'oeso': [
        '鳞状细胞癌（{grade}）', '{grade}鳞状细胞癌', '鳞状上皮低级别上皮内瘤变', '鳞状上皮高级别上皮内瘤变', '鳞状上皮增生伴角化不全',
        '鳞状上皮乳头状瘤', '黏膜慢性炎伴鳞状上皮基底细胞增生，符合反流性食管炎', '柱状上皮化生伴杯状细胞，符合Barrett食管',
        'Barrett食管伴低级别异型增生', '鳞状上皮表面见真菌菌丝及孢子，符合念珠菌性食管炎', '平滑肌瘤', '颗粒细胞瘤，S-100（+）',
        '嗜酸性粒细胞浸润（>15个/HPF），考虑嗜酸细胞性食管炎',
    ],
    'duo': [
        '黏膜慢性炎伴糜烂', '黏膜慢性炎，绒毛变短', '布氏腺增生', '黏膜慢性炎伴胃上皮化生', '管状腺瘤伴低级别上皮内瘤变', '{grade}腺癌',
        '神经内分泌肿瘤（G1）', '溃疡边缘黏膜组织，见炎性渗出', '绒毛萎缩，上皮内淋巴细胞增多', '异位胃黏膜',
    ],
}
UPPER_SPECIMENS = ['远端胃', '全胃', '近端胃', '根治性远端胃大部切除标本', '全胃切除标本', '胃癌根治标本', '残胃', '近端胃切除标本']
UPPER_GROSS = ['溃疡型', '隆起型', '浸润型', 'Borrmann Ⅱ型', 'Borrmann Ⅲ型', 'Borrmann Ⅳ型', '局限溃疡型', '', '']
UPPER_LAYERS = [('黏膜下层', '1b'), ('黏膜下层（SM2）', '1b'), ('固有肌层', '2'), ('浆膜下层', '3'), ('浆膜层', '4a'), ('浆膜外脂肪组织', '4b')]
OESO_LAYERS = [('黏膜下层', '1b'), ('固有肌层', '2'), ('外膜', '3'), ('纤维膜', '3')]
UPPER_RESECTION_EXTRAS = {
    'margin': ['上、下切缘未见癌', '近端切缘、远端切缘及大小网膜均未见癌', '两切缘阴性', '上切缘见癌残留', '切缘（-）',
               '十二指肠切缘及胃切缘均未见癌', '远端切缘距肿瘤{cm}cm，未见癌'],
    'nodes': ['{ln}', '{ln}', '胃周{ln}', '小弯侧{ln}'],
    'vessel': ['脉管内见癌栓', '可见神经侵犯', '脉管侵犯（+），神经侵犯（-）', '未见明确脉管及神经侵犯', 'LVI（+），PNI（+）'],
    'ihc': ['免疫组化：HER2（{her2}），Ki-67（约{ki}%+）', 'HER2（{her2}）', 'MLH1（+），PMS2（+），MSH2（+），MSH6（+），pMMR',
            'EBER原位杂交（-）', 'PD-L1（22C3）CPS={cps}', '免疫组化：CDX-2（+），P53（突变型），Ki-67（{ki}%）', 'Lauren分型：{lauren}'],
    'tnm': ['{tnm}', '病理分期：{tnm}', 'TNM分期：{tnm}', 'pTNM分期：{tnm}'],
}


def upper_pathology(rng):
    """Biopsy, resection, ESD or GIST pathology of the oesophagus, stomach or duodenum."""
    kind = weighted(rng, [(5, 'biopsy'), (4, 'resection'), (2, 'oeso'), (2, 'esd'), (2, 'gist')])
    head = rng.choice(['', '', '', '病理：', '病理诊断：', '术后病理：', '活检病理示：', '病理回报：', '病理号{pno}：'])
    if kind == 'biopsy':
        parts = []
        for _ in range(weighted(rng, [(5, 1), (3, 2), (1, 3)])):
            organ, sites = rng.choice([('stomach', STOMACH_SITES), ('stomach', STOMACH_SITES), ('oeso', OESO_SITES), ('duo', DUO_SITES)])
            lesion = choose(rng, BIOPSY[organ])
            if organ == 'oeso' and ('Barrett' in lesion or '反流' in lesion):   # columnar metaplasia and reflux sit just above the Z-line
                sites = ['食管下段', '食管胃交界处', '齿状线上方食管', '距门齿{dcard}cm食管']
            parts.append(cite(rng, fill(rng, rng.choice(sites))) + lesion)
        text = rng.choice(['；', '。', ' ', '；']).join(dict.fromkeys(parts))
    elif kind == 'resection':
        stage = staging(rng, UPPER_LAYERS, lower=False, neoadjuvant=0.15)
        tumour = fill(rng, rng.choice(UPPER_GROSS) + rng.choice(['{grade}腺癌', '{grade}腺癌', '印戒细胞癌', '低分化腺癌伴印戒细胞癌', '黏液腺癌',
                                                                  '{grade}管状腺癌']))
        depth = '，侵透浆膜' if stage['t'] == '4a' and rng.random() < 0.4 else rng.choice(['，侵达{l}', '，浸润至{l}', '，癌组织侵及{l}'])
        specimen = rng.choice(UPPER_SPECIMENS)
        where = ['胃窦', '胃角', '胃体下部', '胃窦小弯', '幽门前区'] if '远端' in specimen else ['贲门', '胃底', '胃体上部', '胃底贲门'] \
            if '近端' in specimen else STOMACH_SITES[:12]
        core = (cite(rng, specimen, biopsy=False) + tumour + maybe(rng, 0.4, '，位于' + rng.choice(where))
                + maybe(rng, 0.4, fill(rng, '，大小{cm}×{cm}cm')) + fill(rng, depth, **stage))
        extras = [choose(rng, UPPER_RESECTION_EXTRAS[key], lauren=rng.choice(['肠型', '弥漫型', '混合型']), **stage)
                  for key in rng.sample(list(UPPER_RESECTION_EXTRAS), rng.randint(1, 4))]
        if stage['trg'] and rng.random() < 0.5:
            extras.append(f'肿瘤退缩分级：TRG {rng.randint(1, 3)}级')
        text = shorten([core] + extras, rng.choice(['；', '，', '。']))
    elif kind == 'oeso':
        stage = staging(rng, OESO_LAYERS, lower=False, neoadjuvant=0.3)
        core = fill(rng, rng.choice(['（食管）', '（食管癌根治标本）', '（食管+近端胃）', '食管：']) + rng.choice(['髓质型', '溃疡型', '缩窄型', '蕈伞型', ''])
                    + '{grade}鳞状细胞癌，侵达{l}', **stage)
        extras = [choose(rng, bank, **stage) for bank in rng.sample([
            ['上切缘、下切缘及环周切缘未见癌', '上切缘见高级别上皮内瘤变', '两切缘阴性'],
            ['{ln}', '食管旁{ln}'],
            ['脉管内见癌栓', '神经侵犯（+）', '未见脉管侵犯'], ['{tnm}', '病理分期：{tnm}', '免疫组化：P40（+），CK5/6（+），Ki-67（{ki}%）']], 2)]
        text = shorten([core] + extras, '，')
    elif kind == 'esd':
        site = rng.choice(['胃窦', '胃体', '胃角', '贲门', '食管', '胃底', '十二指肠球部', '食管下段'])
        lesion = fill(rng, '{grade}' + ('鳞状细胞癌' if '食管' in site else '管状腺癌'))
        depth = rng.choice(['黏膜固有层', '黏膜肌层', 'SM'])
        lesion = f'黏膜内{lesion}' if depth != 'SM' else lesion
        depth = depth if depth != 'SM' else f'黏膜下层（SM1，{rng.randint(100, 480)}μm）'
        text = fill(rng, rng.choice(['（{s}ESD标本）', '{s}ESD标本：', '（{s}）内镜切除标本：']) + lesion
                    + rng.choice(['（0-Ⅱc型）', '（0-Ⅱa型）', '（0-Ⅱa+Ⅱc）', '']) + f'，大小{_dec(rng, 0.5, 4)}×{_dec(rng, 0.5, 3)}cm，侵达' + depth + '，'
                    + rng.choice(['水平切缘及垂直切缘均阴性', '水平切缘阳性，垂直切缘阴性', '侧切缘及基底切缘未见肿瘤'])
                    + maybe(rng, 0.6, rng.choice(['，脉管侵犯（-）', '，LVI（-）', '，eCura A', '，eCura C-1', '，治愈性切除'])), s=site)
    else:
        text = fill(rng, rng.choice(['（{s}）胃肠间质瘤', '（{s}）胃间质瘤', '{s}肿物：胃肠间质瘤', '（{s}）GIST']) + '，{gt}，大小{cm}×{cm}cm，核分裂象{mit}'
                    + rng.choice(['，危险度分级：{risk}', '（NIH分级：{risk}）', '，{risk}']) + maybe(rng, 0.7, rng.choice([
                        '；免疫组化：CD117（+），DOG-1（+），CD34（+），SDHB（+），Ki-67（{ki}%）', '；CD117（+），DOG-1（+），S-100（-），SMA（-）',
                        '；基因检测：c-KIT 11号外显子突变'])), s=rng.choice(['胃底', '胃体', '胃体大弯', '贲门', '胃窦', '胃', '胃体后壁']),
                    gt=rng.choice(['梭形细胞型', '上皮样细胞型', '混合型']))
    return fill(rng, head) + re.sub('(胃周|小弯侧|食管旁)送检', r'送检\1', text) + maybe(rng, 0.3, '。')


U_CT = ['上腹部增强CT', '腹部增强CT', '全腹部CT平扫+增强', 'CT', '上腹部CT', '胸腹部增强CT', '上腹部MRI']
U_BARIUM = ['上消化道钡餐', '上消化道造影', '上消化道气钡双重造影', '钡餐造影']
E_BARIUM = ['食管吞钡造影', '食管钡餐', '上消化道造影', '食管造影']
U_EUS = ['超声胃镜', 'EUS', '超声内镜']
GSITE = {'g': ['胃窦', '胃体', '胃角', '胃底', '贲门', '胃窦小弯侧', '胃体大弯侧', '胃体小弯侧']}
ESITE = {'e': ['上段', '中段', '下段', '胸中段', '胸下段', '中下段']}
UPPER_SCANS = [
    dict(mods=U_CT, sites=GSITE, key=['{g}胃壁不规则增厚，最厚处约{mm}mm，增强扫描呈不均匀明显强化', '{g}胃壁局限性增厚，黏膜面凹凸不平，浆膜面毛糙'],
         more=['周围脂肪间隙模糊', '胃周见多发肿大淋巴结，较大者短径约{mm}mm', '肝内多发低密度灶，考虑转移', '网膜增厚，少量腹水', '腹膜后未见肿大淋巴结'],
         imp=['{g}癌（c{tstage}）', '胃癌伴胃周淋巴结转移可能', '考虑胃癌，请结合胃镜病理', '{g}占位，恶性可能大', '胃癌伴肝转移可能']),
    dict(mods=['PET-CT', '全身PET-CT'], sites=GSITE, key=['{g}胃壁增厚伴FDG摄取异常增高，SUVmax约{suv}'],
         more=['胃周及腹膜后多发淋巴结代谢增高', '全身其余部位未见明显异常代谢灶', '肝内见高代谢结节'], imp=['{g}癌伴淋巴结转移', '符合胃癌表现'], must=True),
    dict(mods=U_BARIUM, sites=GSITE, key=['{g}见不规则充盈缺损，黏膜皱襞中断、破坏', '{g}见不规则腔内龛影，周围见环堤'],
         more=['局部胃壁僵硬，蠕动消失', '胃腔变形、缩小'], imp=['{g}癌可能，建议胃镜检查', '胃癌（Borrmann Ⅲ型？）', '{g}恶性病变']),
    dict(mods=U_CT + U_BARIUM, key=['胃窦部胃壁弥漫增厚、僵硬，胃腔缩小，呈“革囊胃”改变'], imp=['皮革胃，弥漫浸润型胃癌可能']),
    dict(mods=U_BARIUM, key=['胃窦小弯侧见一{smm}mm龛影，突出于胃轮廓外，周围见黏膜纠集', '胃角见一{smm}mm龛影，口部见“项圈征”'],
         imp=['胃溃疡（良性可能大）', '胃角溃疡', '胃窦溃疡']),
    dict(mods=U_BARIUM, key=['十二指肠球部变形，呈“三叶草”样，见小龛影', '十二指肠球部激惹，见一{smm}mm龛影'], imp=['十二指肠球部溃疡']),
    dict(mods=['腹部立位平片', '立位腹平片', 'X线腹部平片'], key=['双侧膈下见新月形游离气体'], imp=['消化道穿孔，考虑胃十二指肠溃疡穿孔可能'], must=True),
    dict(mods=U_CT, key=['十二指肠球部壁增厚，周围见少许游离气体及渗出', '胃窦前壁局部连续性中断，周围见游离气体'],
         more=['肝前间隙见游离气体', '腹腔少量积液'], imp=['十二指肠球部溃疡穿孔可能', '胃窦溃疡穿孔可能', '上消化道穿孔（胃十二指肠来源）']),
    dict(mods=U_CT + ['胸部增强CT', '胸部CT'], sites=ESITE, key=['食管{e}管壁环周增厚，最厚约{mm}mm，管腔狭窄', '食管{e}见软组织肿块，病变长约{cm}cm'],
         more=['上方食管扩张积液', '与降主动脉分界尚清', '与气管膜部分界欠清', '纵隔及食管旁见肿大淋巴结'], imp=['食管{e}癌', '食管癌（c{tstage}）', '食管占位，建议胃镜']),
    dict(mods=E_BARIUM, sites=ESITE, key=['食管{e}见长约{cm}cm管腔狭窄，管壁僵硬，黏膜破坏', '食管{e}见不规则充盈缺损'],
         more=['钡剂通过受阻，狭窄上方食管扩张'], imp=['食管{e}癌', '食管癌（髓质型？）']),
    dict(mods=U_CT, key=['贲门区胃壁增厚，累及食管下段及胃底', '食管胃结合部管壁不规则增厚，增强明显强化'],
         more=['胃小弯侧及贲门旁淋巴结肿大', '肝胃韧带区见小淋巴结'], imp=['贲门癌，累及食管下段', '食管胃结合部癌（Siewert Ⅱ型）']),
    dict(mods=U_CT, sites={'g': ['胃体', '胃底', '胃体大弯侧', '胃窦', '胃体后壁']}, key=['{g}见一{cm}cm×{cm}cm软组织肿块，向腔外生长', '{g}见一类圆形软组织结节，大小约{mm}mm，边界清'],
         more=['密度不均，内见坏死', '增强后不均匀明显强化', '周围未见肿大淋巴结'], imp=['胃间质瘤可能', '{g}间质瘤（{risk}？）', '胃肠间质瘤可能']),
    dict(mods=U_EUS, sites={'g': ['胃底', '胃体', '胃窦', '贲门下', '胃体大弯']}, key=['{g}黏膜下见一{mm}mm低回声团块，起源于固有肌层（第四层）'],
         more=['边界清，内部回声均匀', '内部回声不均，可见无回声区', '周围未见肿大淋巴结'], imp=['胃间质瘤可能', '胃平滑肌瘤或间质瘤，建议随访']),
    dict(mods=U_EUS, sites=ESITE, key=['食管{e}黏膜下见一{mm}mm低回声病灶，起源于黏膜肌层'], more=['边界清，内部回声均匀'], imp=['食管平滑肌瘤可能']),
    dict(mods=U_EUS, sites=GSITE, key=['{g}病灶处黏膜层增厚，黏膜下层连续完整', '{g}病变累及黏膜下层浅层'], more=['周围未见肿大淋巴结'],
         imp=['早期胃癌（uT1aN0）', '{g}早癌，uT1bN0']),
    dict(mods=['食管吞钡造影', '上消化道造影', '食管钡餐'], key=['食管下段呈“鸟嘴样”狭窄，边缘光滑', '钡剂通过贲门缓慢，呈“鸟嘴征”'],
         more=['近端食管明显扩张，内见食物残留', '食管蠕动减弱'], imp=['贲门失弛缓症']),
    dict(mods=['胸部CT', 'CT'], key=['食管全程扩张，内见大量液体及食物残渣，贲门区管壁稍厚'], imp=['贲门失弛缓症可能'], must=True),
    dict(mods=U_BARIUM + E_BARIUM[:2] + ['胸部CT'], key=['膈上见疝囊，内见胃黏膜皱襞', '贲门及部分胃底疝入胸腔'], more=['见钡剂反流入食管'], imp=['食管裂孔疝（滑动型）', '食管裂孔疝']),
    dict(mods=U_CT + ['门静脉CTA'], key=['食管下段及胃底周围见迂曲增粗血管影，增强后明显强化'],
         more=['肝脏体积缩小，表面呈波浪状', '脾大', '门静脉主干增宽约{mm}mm', '少量腹水'], imp=['肝硬化、脾大，食管胃底静脉曲张', '门静脉高压，胃底静脉曲张']),
    dict(mods=E_BARIUM, key=['食管中下段黏膜呈串珠样、蚯蚓状充盈缺损'], imp=['食管静脉曲张']),
    dict(mods=U_CT, key=['十二指肠降段肠壁增厚，周围脂肪间隙模糊', '十二指肠水平部壁增厚，黏膜面强化'], more=['伴少许渗出', '周围见小淋巴结'],
         imp=['十二指肠炎', '十二指肠病变，建议胃镜检查']),
    dict(mods=U_CT + U_BARIUM, key=['十二指肠降部内侧见一囊袋状影，内含气液', '十二指肠降部见憩室影，大小约{mm}mm'], imp=['十二指肠憩室']),
    dict(mods=U_CT + U_BARIUM, key=['十二指肠水平部受肠系膜上动脉压迫，近端十二指肠扩张', '十二指肠水平部见“笔杆征”，钡剂通过受阻'],
         imp=['肠系膜上动脉压迫综合征（十二指肠淤积症）']),
    dict(mods=U_CT, key=['胃腔明显扩张，内见大量内容物潴留，幽门管壁增厚'], imp=['幽门梗阻']),
    dict(mods=U_BARIUM, key=['钡剂排空延迟，4小时后胃内仍有大量钡剂残留', '胃扩张，幽门管狭窄、变形'], imp=['幽门梗阻', '胃排空障碍（幽门狭窄）']),
    dict(mods=U_CT, key=['胃癌术后改变，残胃吻合口壁未见明显增厚', '全胃切除术后，食管空肠吻合口未见肿块'],
         more=['腹腔及腹膜后未见肿大淋巴结', '较{date}片相仿'], imp=['胃癌术后改变，未见明确复发']),
    dict(mods=U_BARIUM, key=['食管空肠吻合口通畅，未见造影剂外漏', '胃空肠吻合口通畅，输出袢显影良好', '食管胃吻合口通畅，胸胃排空可'],
         imp=['胃癌术后改变，吻合口通畅', '食管癌术后改变']),
    dict(mods=['胃充盈超声', '腹部超声', '经腹胃超声'], key=['饮水充盈后胃窦前壁见局限性低回声增厚，厚约{mm}mm，层次不清', '胃窦部见“假肾征”'],
         imp=['胃窦壁增厚，建议胃镜检查', '胃窦占位，胃癌可能']),
    dict(mods=U_CT, key=['胃充盈良好，胃壁未见明显增厚，十二指肠未见异常'], imp=['胃未见明显异常']),
    dict(mods=U_CT, key=['胃壁弥漫性显著增厚，最厚约{mm}mm，胃腔无明显狭窄，强化较均匀'], more=['腹腔多发肿大淋巴结'], imp=['胃淋巴瘤可能']),
    dict(mods=U_CT, key=['胃腔内见一{cm}cm混杂密度团块，内含气体，可随体位移动'], imp=['胃石症']),
    dict(mods=['颈部CT', '胸部CT', 'CT'], key=['食管上段见条形高密度影，长约{mm}mm'], more=['周围软组织肿胀'], imp=['食管异物（鱼刺？）']),
]


def upper_imaging(rng):
    """CT / MR / PET-CT / barium / ultrasound / EUS / X-ray report of the upper tract."""
    return imaging_report(rng, UPPER_SCANS)


# Clinical cases of the upper tract: the parts of a history, operation or discharge that belong together.
# sx: the complaint (may name no site); cc: complaint naming a site; exam: work-up; op: procedure; rx: medical treatment.
UPPER_CASES = [
    dict(dx=['胃窦癌', '胃窦腺癌', '胃恶性肿瘤', '胃窦低分化腺癌', '胃角癌'], sx=['上腹痛{mons}月', '上腹部隐痛伴纳差{mons}月', '消瘦、乏力{mons}月', '黑便{days}天'],
         cc=['胃镜发现胃窦占位{days}天', '体检发现胃窦占位{wks}周'],
         exam=['胃镜示胃窦溃疡型肿物，活检病理：{grade}腺癌', '胃镜示胃窦小弯侧溃疡型肿物，病理提示印戒细胞癌', '腹部增强CT示胃窦壁增厚伴胃周淋巴结肿大'],
         op=['根治性远端胃大部切除术（Billroth Ⅱ式）', '腹腔镜辅助根治性远端胃切除术（D2）', '远端胃大部切除+Roux-en-Y吻合术', '根治性远端胃大部切除术（Billroth Ⅰ式）'],
         after=['，术后病理：{grade}腺癌，{tnmu}', '，术后行{uchemo}方案化疗{cyc}周期', '，术后定期复查胃镜及CT', '，术后病理示淋巴结（{nodes}）见癌转移'],
         advice=['术后3-4周返院行辅助化疗（胃癌）', '术后1月内半流质饮食，少食多餐（胃大部切除术后）', '3个月后复查胃镜及腹部CT']),
    dict(dx=['贲门癌', '胃底贲门癌', '食管胃结合部腺癌', '贲门腺癌'], sx=['进食哽噎感{mons}月', '上腹胀痛{mons}月', '呕血伴黑便{days}天'],
         cc=['胃镜发现贲门占位{days}天', '进食梗阻{mons}月，胃镜示贲门癌'],
         exam=['胃镜示贲门溃疡型肿物，累及食管下段，病理：{grade}腺癌', 'CT示贲门区胃壁增厚，累及食管下段'],
         op=['根治性全胃切除术+食管空肠Roux-en-Y吻合', '腹腔镜近端胃切除术（双通道吻合）', '全腹腔镜下全胃切除术', '经胸腹联合贲门癌根治术'],
         after=['，术后病理：{grade}腺癌，{tnmu}', '，术后行{uchemo}方案化疗{cyc}周期', '，术前行{uchemo}新辅助化疗{cyc}周期'],
         advice=['术后3-4周返院行辅助化疗（贲门癌）', '少食多餐，每日6-8餐（全胃切除术后）', '定期复查胃镜、胸腹部CT及肿瘤标志物']),
    dict(dx=['胃体癌', '胃体低分化腺癌', '胃体印戒细胞癌'], sx=['上腹胀痛{mons}月', '黑便{days}天', '消瘦{mons}月，体重下降{kg}kg'], cc=['胃镜发现胃体占位{days}天'],
         exam=['胃镜示胃体小弯侧巨大溃疡，活检：印戒细胞癌', '胃镜示胃体大弯侧溃疡型肿物，病理：{grade}腺癌', 'CT示胃体壁弥漫增厚，胃周多发淋巴结'],
         op=['根治性全胃切除术（D2）', '腹腔镜根治性全胃切除术', '全腹腔镜下全胃切除术'], after=['，术后病理：{grade}腺癌，{tnmu}', '，术后行{uchemo}方案化疗{cyc}周期'],
         advice=['少食多餐，每日6-8餐（全胃切除术后）', '定期补充维生素B12（全胃切除术后）']),
    dict(dx=['食管鳞癌', '食管中段癌', '食管恶性肿瘤', '食管胸下段鳞状细胞癌'], sx=['进行性吞咽困难{mons}月', '进食哽噎感{mons}月', '胸骨后疼痛伴吞咽不适{mons}月'],
         cc=['胃镜发现食管新生物{days}天', '吞咽困难{mons}月，胃镜示食管癌'],
         exam=['胃镜示距门齿{dz}cm食管新生物，活检示鳞状细胞癌', '胸部增强CT示食管中段管壁增厚，管腔狭窄', '食管吞钡造影示食管中段充盈缺损，管腔狭窄'],
         op=['胸腹腔镜联合食管癌根治术（McKeown）', '食管癌根治术（Ivor-Lewis）', '经左胸食管癌根治术（Sweet）', '食管癌根治术+胃代食管，颈部吻合'],
         after=['，术后病理：{grade}鳞状细胞癌，{tnmu}', '，术后出现吻合口狭窄，行食管扩张{n}次', '，术后行{echemo}化疗{cyc}周期', '，术前行新辅助放化疗'],
         advice=['半流质饮食，进食后勿立即平卧（食管癌术后）', '出院后1月复查食管造影及胸部CT', '进食哽噎加重时及时复查胃镜（食管吻合口）']),
    dict(dx=['早期胃癌', '胃角早癌', '胃窦高级别上皮内瘤变'], sx=['上腹部不适{mons}月', '反酸、嗳气{mons}月', '上腹隐痛{mons}月'],
         cc=['胃镜发现胃角病变{wks}周', '体检胃镜发现胃窦早癌{wks}周'],
         exam=['胃镜示胃角0-Ⅱc型病变，活检示高级别上皮内瘤变', '放大胃镜示胃窦平坦型病变，边界清', '超声胃镜示胃角病变局限于黏膜层'],
         op=['内镜下胃黏膜剥离术（ESD）', '胃角ESD术', '胃窦ESD术'], after=['，术后病理示黏膜内癌，切缘阴性', '，术后{mons}月复查胃镜示创面愈合良好', '，术后病理为治愈性切除'],
         advice=['继续口服{ppi}8周促进胃ESD创面愈合', '术后3、6、12个月复查胃镜', '术后2周内避免剧烈运动，注意有无黑便（胃ESD术后）']),
    dict(dx=['早期食管癌', '食管鳞状上皮高级别上皮内瘤变'], sx=['胸骨后不适{mons}月', '进食偶有哽噎{mons}月'], cc=['胃镜发现食管早癌{wks}周'],
         exam=['碘染色示食管中段不染区，活检示高级别上皮内瘤变', '放大胃镜示食管中段IPCL B1型血管'], op=['食管ESD术', '食管早癌内镜黏膜下剥离术'],
         after=['，术后病理示黏膜内鳞癌，切缘阴性', '，术后出现食管狭窄，行扩张治疗{n}次'], advice=['术后3个月复查胃镜，警惕食管狭窄']),
    dict(dx=['胃间质瘤', '胃肠间质瘤（胃底）', '胃体间质瘤', '胃间质瘤（{risk}）'], sx=['黑便{days}天', '上腹部隐痛{mons}月', '上腹胀{mons}月'],
         cc=['体检发现胃底肿物{wks}周', '超声胃镜发现胃体黏膜下肿物{mons}月'],
         exam=['超声胃镜示胃底黏膜下低回声团块，起源于固有肌层', 'CT示胃体大弯侧外生性软组织肿块，大小{cm}cm', '胃镜示胃底黏膜下隆起，表面光滑'],
         op=['腹腔镜胃间质瘤局部切除术', '胃楔形切除术', '内镜下全层切除术（胃底EFTR）', '腹腔镜胃部分切除术'],
         after=['，术后病理：胃肠间质瘤，核分裂象{mit}，{risk}', '，术后口服伊马替尼{mons}月', '，术后定期复查胃镜及CT'],
         advice=['继续口服伊马替尼400mg qd，定期复查血常规及肝功能（胃间质瘤）', '每3-6个月复查腹部增强CT（胃间质瘤术后）']),
    dict(dx=['十二指肠球部溃疡伴出血', '十二指肠溃疡出血', '上消化道出血（十二指肠球部溃疡）'], sx=['黑便{days}天', '呕血伴黑便{days}天', '头晕、乏力伴黑便{days}天'],
         cc=['十二指肠球部溃疡{yrs}年，黑便{days}天', '黑便{days}天，胃镜示十二指肠溃疡'],
         exam=['急诊胃镜示十二指肠球部溃疡（Forrest Ⅱa），可见血管显露', '胃镜示十二指肠球部前壁溃疡，表面覆血痂', '查Hb {hb}g/L，急诊胃镜示十二指肠球部溃疡伴活动性渗血'],
         op=['胃镜下钛夹止血术（十二指肠球部溃疡）', '十二指肠球部溃疡出血内镜下注射+钛夹止血', '胃十二指肠动脉栓塞术'],
         rx=['禁食、{ppi}静脉泵入、输血等治疗（十二指肠溃疡出血）', '{ppi}抑酸、补液及输红细胞悬液{n}U（十二指肠球部溃疡出血）'],
         after=['，术后予{ppi}静脉抑酸，未再出血', '，并予{hpreg}根除幽门螺杆菌'], med=['，间断口服{ppi}', '，未规律复查胃镜', '，长期服用阿司匹林'],
         advice=['继续口服{ppi}6-8周，停药1月后复查呼气试验（幽门螺杆菌）', '注意有无黑便、呕血，8周后复查胃镜（十二指肠溃疡）', '暂停阿司匹林（十二指肠溃疡出血），消化科及心内科随诊']),
    dict(dx=['胃溃疡', '胃溃疡伴出血', '胃溃疡（{ulcer}）', '胃溃疡，HP阳性'], sx=['上腹痛{mons}月，餐后加重', '反复上腹部隐痛{yrs}年，加重{days}天', '黑便{days}天'],
         cc=['胃镜发现胃角溃疡{wks}周', '胃溃疡{yrs}年，上腹痛加重{days}天'],
         exam=['胃镜示胃角溃疡（{ulcer}），活检示溃疡边缘慢性炎', '上消化道钡餐示胃窦小弯侧龛影', 'C13呼气试验阳性，胃镜示胃窦溃疡'],
         op=['胃镜下钛夹止血术（胃窦溃疡）', '胃溃疡出血内镜下止血术'], rx=['{ppi}抑酸、瑞巴派特保护胃黏膜', '{hpreg}根除幽门螺杆菌（胃溃疡）'],
         med=['，间断口服{ppi}', '，长期服用布洛芬止痛', '，未行根除幽门螺杆菌治疗'], after=['，术后予{hpreg}根除幽门螺杆菌', '，术后{ppi}治疗8周，复查胃镜溃疡愈合'],
         advice=['继续口服{ppi}，疗程8周（胃溃疡）', '8周后复查胃镜并活检（胃溃疡）', '避免服用非甾体抗炎药，保护胃黏膜']),
    dict(dx=['十二指肠球部溃疡穿孔', '十二指肠溃疡急性穿孔'], sx=['突发上腹剧痛{hrs}小时', '上腹痛伴全腹压痛{hrs}小时'],
         cc=['突发上腹剧痛{hrs}小时，既往十二指肠溃疡病史'], exam=['立位腹平片示膈下游离气体，CT示十二指肠球部周围积气', 'CT示十二指肠球部周围游离气体及渗出'],
         op=['腹腔镜十二指肠球部溃疡穿孔修补术', '十二指肠溃疡穿孔修补+大网膜覆盖术'], after=['，术后予禁食、胃肠减压、{ppi}抑酸', '，术后行{hpreg}根除治疗'],
         advice=['术后继续口服{ppi}8周（十二指肠溃疡）', '1-2月后复查胃镜，评估十二指肠溃疡愈合情况']),
    dict(dx=['胃溃疡穿孔', '胃窦溃疡穿孔'], sx=['突发上腹剧痛{hrs}小时'], cc=['胃溃疡病史{yrs}年，突发腹痛{hrs}小时'],
         exam=['查体：板状腹，CT示胃窦前壁穿孔', 'CT示胃窦周围游离气体，考虑胃溃疡穿孔'], op=['腹腔镜胃溃疡穿孔修补术', '胃穿孔修补术+腹腔冲洗引流', '胃大部切除术（Billroth Ⅱ式）'],
         after=['，术中取溃疡边缘组织送病理，未见恶性'], advice=['术后口服{ppi}8周，复查胃镜排除胃癌']),
    dict(dx=['贲门失弛缓症', '贲门失弛缓症（Ⅱ型）'], sx=['吞咽困难{yrs}年', '进食后呕吐未消化食物{mons}月', '吞咽困难伴体重下降{mons}月'],
         cc=['吞咽困难{yrs}年，诊断贲门失弛缓症', '贲门失弛缓症POEM术后{mons}月，吞咽困难复发'],
         exam=['食管吞钡造影示食管下段呈“鸟嘴样”狭窄，近端食管扩张', '高分辨率食管测压示LES松弛障碍，符合贲门失弛缓症', '胃镜示食管腔扩张，内见食物潴留，贲门紧闭'],
         op=['经口内镜下肌切开术（POEM，贲门失弛缓症）', '腹腔镜Heller肌切开术+Dor胃底折叠', '贲门球囊扩张术'], med=['，曾行贲门球囊扩张{n}次', '，未系统治疗'],
         after=['，术后吞咽困难明显缓解，Eckardt评分{n}分', '，术后出现反流性食管炎，口服{ppi}'],
         advice=['术后流质饮食{n}天，逐步过渡（贲门失弛缓症POEM术后）', '口服{ppi}，3个月后复查胃镜（贲门）']),
    dict(dx=['胃食管反流病', '反流性食管炎（{la}）', '食管裂孔疝', '食管裂孔疝伴反流性食管炎'], sx=['反酸、烧心{yrs}年', '胸骨后烧灼感{mons}月', '夜间反流、咳嗽{mons}月'],
         cc=['反酸烧心{yrs}年，胃镜示食管裂孔疝', '反复胸骨后烧灼感{yrs}年，诊断反流性食管炎'],
         exam=['胃镜示反流性食管炎（{la}），食管裂孔疝', '24小时食管pH监测示病理性酸反流', '上消化道造影示食管裂孔疝，膈上见疝囊'],
         op=['腹腔镜食管裂孔疝修补+胃底折叠术（Nissen）', '腹腔镜Toupet胃底折叠术', '经口无切口胃底折叠术（TIF）'], rx=['{ppi}抑酸、莫沙必利促动力（胃食管反流病）'],
         med=['，长期口服{ppi}', '，间断服用铝碳酸镁'], after=['，术后反酸症状消失', '，术后停用{ppi}'],
         advice=['睡前3小时不进食，抬高床头（反流性食管炎）', '继续口服{ppi}4-8周（反流性食管炎）', '避免饱餐，控制体重，复查胃镜']),
    dict(dx=['食管胃底静脉曲张破裂出血', '乙肝肝硬化失代偿期，食管静脉曲张（重度）', '肝硬化伴胃底静脉曲张', '酒精性肝硬化，食管胃底静脉曲张'],
         sx=['呕血{days}天', '呕鲜血约{ml}ml伴黑便{days}天', '黑便伴头晕{days}天'], cc=['肝硬化{yrs}年，呕血{days}天，胃镜示食管静脉曲张', '食管胃底静脉曲张套扎术后{mons}月，再发黑便'],
         exam=['急诊胃镜示食管静脉曲张（重度），红色征阳性，胃底静脉曲张', 'CT示肝硬化、脾大，食管下段及胃底静脉曲张', '查Hb {hb}g/L，胃镜示食管中下段{n}条曲张静脉'],
         op=['食管静脉曲张套扎术（EVL）', '胃底静脉曲张组织胶注射术', '内镜下食管静脉曲张套扎+胃底组织胶注射术', '经颈静脉肝内门体分流术（TIPS，胃底静脉曲张出血）'],
         rx=['生长抑素、特利加压素降门脉压及{ppi}抑酸（食管胃底静脉曲张出血）'], med=['，长期口服恩替卡韦及普萘洛尔', '，曾行食管静脉曲张套扎{n}次'],
         after=['，术后予普萘洛尔二级预防', '，术后未再出血'],
         advice=['继续口服普萘洛尔，2周后返院再次行食管静脉曲张套扎', '软食，避免粗糙坚硬食物划伤食管曲张静脉', '定期复查胃镜及肝功能、血常规']),
    dict(dx=['幽门梗阻', '十二指肠球部溃疡伴幽门梗阻', '瘢痕性幽门梗阻'], sx=['呕吐宿食{days}天', '餐后上腹胀满伴呕吐{wks}周'],
         cc=['反复呕吐{wks}周，胃镜示幽门狭窄', '呕吐宿食{days}天，CT示胃潴留'],
         exam=['胃镜示幽门变形狭窄，内镜不能通过', 'CT示胃腔明显扩张，内见大量内容物潴留，幽门管壁增厚', '上消化道造影示胃排空延迟，幽门管狭窄'],
         op=['胃空肠吻合术', '腹腔镜胃空肠短路术', '幽门球囊扩张术', '远端胃大部切除术（Billroth Ⅱ式）'], rx=['禁食、胃肠减压、{ppi}抑酸及营养支持（幽门梗阻）'],
         after=['，术后进食通畅', '，术后呕吐缓解'],
         advice=['术后少食多餐，逐步由流质过渡到半流质（胃空肠吻合术后）', '症状缓解后逐步由流质过渡到半流质，1月后复查胃镜（幽门梗阻）']),
    dict(dx=['幽门螺杆菌感染', '慢性萎缩性胃炎伴肠化', '幽门螺杆菌相关性胃炎', '慢性非萎缩性胃炎，HP阳性'], sx=['上腹胀{mons}月', '嗳气、纳差{mons}月', '口臭、上腹不适{mons}月'],
         cc=['发现幽门螺杆菌感染{wks}周', '上腹胀{mons}月，胃镜示萎缩性胃炎'],
         exam=['C13呼气试验阳性（DOB {dob}），胃镜示慢性萎缩性胃炎', '胃镜示胃窦黏膜红白相间，快速尿素酶试验阳性', '胃镜病理示胃窦慢性炎伴肠上皮化生，HP（+）'],
         rx=['{hpreg}根除幽门螺杆菌，疗程14天', '{hpreg}治疗幽门螺杆菌感染'], med=['，曾行{hpreg}根除治疗失败', '，未规律治疗'],
         advice=['停药1月后复查C13呼气试验（幽门螺杆菌）', '1-2年后复查胃镜（萎缩性胃炎伴肠化）', '家庭成员建议同时检测幽门螺杆菌']),
    dict(dx=['胆汁反流性胃炎', '慢性胃炎伴胆汁反流', '胃大部切除术后胆汁反流性胃炎'], sx=['上腹烧灼痛{mons}月', '口苦、恶心{mons}月', '胆囊切除术后上腹不适{mons}月'],
         cc=['口苦、上腹痛{mons}月，胃镜示胆汁反流性胃炎'], exam=['胃镜示胃内胆汁潴留，胃窦黏膜充血糜烂', '胃镜示幽门口胆汁反流，胃底粘液湖黄染'],
         rx=['铝碳酸镁+莫沙必利治疗胆汁反流性胃炎', '熊去氧胆酸联合{ppi}治疗胆汁反流性胃炎'], med=['，间断口服铝碳酸镁', '，曾行胆囊切除术'],
         advice=['口服铝碳酸镁、莫沙必利，胃部不适随诊', '避免餐后立即平卧，戒烟酒（胆汁反流性胃炎）']),
    dict(dx=['Barrett食管', 'Barrett食管伴低级别异型增生'], sx=['反酸、烧心{yrs}年'], cc=['胃镜发现Barrett食管{yrs}年'],
         exam=['胃镜示齿状线上移{n}cm，病理：柱状上皮化生伴杯状细胞', '放大胃镜示Barrett食管（{prague}）'],
         op=['Barrett食管射频消融术', 'Barrett食管内镜下黏膜切除术'], med=['，长期口服{ppi}', '，每年复查胃镜'],
         advice=['长期口服{ppi}，每1-2年复查胃镜（Barrett食管）']),
    dict(dx=['食管异物', '食管异物（鱼刺）'], sx=['误吞鱼刺后胸骨后疼痛{hrs}小时', '误吞枣核后吞咽疼痛{hrs}小时'], cc=['误吞异物{hrs}小时，胃镜示食管异物'],
         exam=['胃镜示距门齿{dz}cm食管见一枚鱼刺嵌顿', 'CT示食管上段高密度异物影'], op=['食管异物取出术', '胃镜下食管异物取出术'], after=['，术后进食通畅'],
         advice=['禁食{n}小时后温凉流质（食管异物取出术后）', '进食细嚼慢咽，避免鱼刺等误入食管']),
    dict(dx=['食管良性狭窄', '食管吻合口狭窄', '食管癌术后吻合口狭窄'], sx=['吞咽困难{mons}月', '进食哽噎{mons}月'], cc=['食管癌术后{yrs}年，进食梗阻{mons}月'],
         exam=['食管造影示吻合口狭窄，直径约{mm}mm', '胃镜示食管吻合口狭窄，内镜不能通过'],
         op=['食管狭窄球囊扩张术', '食管覆膜支架置入术', '食管狭窄探条扩张术'], after=['，术后进食通畅', '，此后反复扩张{n}次'],
         advice=['进软食，如再次吞咽困难及时复查胃镜（食管狭窄）']),
    dict(dx=['胃多发息肉', '胃底腺息肉', '胃窦腺瘤'], sx=['上腹不适{mons}月', '腹胀{mons}月'], cc=['体检胃镜发现胃息肉{wks}周'],
         exam=['胃镜示胃体多发息肉，最大约{mm}mm', '胃镜示胃窦一枚{smm}mm扁平隆起，活检示腺瘤'],
         op=['胃息肉EMR术', '胃息肉圈套摘除术', '胃窦ESD术'], after=['，术后病理：增生性息肉', '，术后病理：管状腺瘤'],
         advice=['术后{n}天流质饮食，1年后复查胃镜', '注意有无黑便（胃息肉切除术后）']),
    dict(dx=['十二指肠腺瘤', '十二指肠降部腺瘤'], sx=['上腹隐痛{mons}月'], cc=['胃镜发现十二指肠隆起{wks}周'], exam=['胃镜示十二指肠降部一枚{smm}mm扁平隆起，活检示腺瘤'],
         op=['十二指肠腺瘤EMR术', '十二指肠病变ESD术'], advice=['术后禁食{n}天，注意有无腹痛、黑便（十二指肠EMR术后）']),
    dict(dx=['十二指肠憩室', '十二指肠降部憩室'], sx=['上腹隐痛{mons}月'], cc=['CT发现十二指肠降段憩室{wks}周'], exam=['CT示十二指肠降部内侧见一囊袋状影', '上消化道造影示十二指肠降部憩室'],
         op=['十二指肠憩室切除术'], rx=['解痉、抑酸治疗（十二指肠憩室炎）'], advice=['少食多餐，如有腹痛、发热、黄疸及时就诊（十二指肠憩室）']),
    dict(dx=['十二指肠淤积症（肠系膜上动脉压迫综合征）', '肠系膜上动脉压迫综合征（十二指肠）'], sx=['餐后上腹胀伴呕吐{mons}月', '消瘦伴餐后呕吐{mons}月'],
         cc=['餐后呕吐{mons}月，造影示十二指肠淤积'], exam=['上消化道造影示十二指肠水平部“笔杆征”，近端十二指肠扩张', 'CT示十二指肠水平部受肠系膜上动脉压迫'],
         op=['十二指肠空肠吻合术'], rx=['少食多餐、餐后左侧卧位及营养支持（十二指肠淤积症）'], advice=['少食多餐，餐后左侧卧位（十二指肠淤积症）']),
    dict(dx=['吞咽障碍，胃造瘘状态', '食管癌晚期，经皮胃造瘘术后'], sx=['进食呛咳{mons}月'], cc=['脑梗死后吞咽困难{mons}月，留置鼻胃管'],
         exam=['胃镜检查示食管、胃未见明显异常'], op=['经皮内镜下胃造瘘术（PEG）', '胃造瘘管更换术'],
         advice=['胃造瘘管每日温水冲洗，注意造瘘口周围皮肤护理']),
]
UPPER_EXTRA_OPS = [
    '姑息性胃切除术', '胃癌D2根治术', '迷走神经切断术+幽门成形术', '胃扭转复位固定术', '残胃癌根治术', '腹腔镜袖状胃切除术（LSG）', '腹腔镜Roux-en-Y胃旁路术',
    '食管憩室切除术', '食管平滑肌瘤摘除术', '胃镜下胃内异物取出术', '鼻胃管置入术', '鼻空肠营养管置入术（经胃镜）', '食管狭窄探条扩张术', '十二指肠支架置入术',
    '胃底静脉曲张硬化剂注射术', '胃镜下十二指肠球部溃疡止血术', '内镜下胃内球囊置入术', '腹腔镜胃减容术', '食管胃吻合口狭窄扩张术', '胃大部切除术（Billroth Ⅰ式）',
]
UPPER_FAMILY = ['父亲因胃癌去世', '母亲{age}岁时诊断胃癌', '哥哥患食管癌', '父亲有胃溃疡病史', '家族中有{n}人患胃癌', '姐姐曾行胃癌根治术',
                '母亲患胃癌，否认其他家族遗传病史', '父亲患食管癌，患者长期吸烟、饮酒']


def upper_history(rng):
    """Admission and history sentences (主诉, 现病史, 既往史, 家族史) naming the upper tract."""
    return history(rng, UPPER_CASES, UPPER_FAMILY)


def upper_operation(rng):
    """Operation and procedure names of the upper tract, sometimes after their diagnosis."""
    return operation(rng, UPPER_CASES, UPPER_EXTRA_OPS)


UPPER_CANCER_DX = ['胃恶性肿瘤', '胃窦恶性肿瘤', '胃体恶性肿瘤', '贲门恶性肿瘤', '胃底贲门恶性肿瘤', '胃角恶性肿瘤', '胃小弯恶性肿瘤', '食管恶性肿瘤',
                   '食管中段恶性肿瘤', '食管下段恶性肿瘤', '食管胸上段恶性肿瘤', '十二指肠恶性肿瘤', '胃癌', '胃窦腺癌', '胃体低分化腺癌', '贲门腺癌',
                   '食管鳞状细胞癌', '食管胃结合部腺癌（Siewert Ⅱ型）', '残胃癌', '胃印戒细胞癌', '十二指肠腺癌', '胃神经内分泌癌', '胃弥漫大B细胞淋巴瘤']
UPPER_CANCER_Q = ['', '', '', '（{tnmu}）', '（{tnmu}）', '（c{tstage}）', '（{stage}）', '术后', '术后化疗后', '伴肝转移', '伴腹膜转移', '伴腹腔淋巴结转移',
                  '待排', '？', '姑息化疗中', '（{grade}）', '术后吻合口复发', '新辅助化疗后']
UPPER_BENIGN_DX = [
    '胃溃疡', '胃溃疡伴出血', '胃角溃疡', '急性胃溃疡伴穿孔', '十二指肠球部溃疡', '十二指肠溃疡伴出血', '十二指肠球部溃疡伴幽门梗阻', '复合性溃疡（胃、十二指肠）',
    '吻合口溃疡（胃大部切除术后）', '慢性胃炎', '慢性萎缩性胃炎伴肠化', '慢性浅表性胃炎', '胆汁反流性胃炎', '急性糜烂出血性胃炎', '幽门螺杆菌感染',
    '幽门螺杆菌相关性胃炎', '胃食管反流病', '反流性食管炎（{la}）', 'Barrett食管', '食管裂孔疝', '贲门失弛缓症', '食管良性狭窄', '食管静脉曲张',
    '食管胃底静脉曲张破裂出血', '胃底静脉曲张', '门脉高压性胃病', '功能性消化不良（胃排空延迟）', '胃下垂', '糖尿病胃轻瘫', '幽门梗阻',
    '十二指肠淤积症', '十二指肠憩室', '食管异物', '胃石症', '急性胃扭转', '贲门黏膜撕裂综合征', '胃息肉', '胃多发息肉', '胃间质瘤', '胃间质瘤（{risk}）',
    '胃大部切除术后', '全胃切除术后', '倾倒综合征（胃切除术后）', '食管癌放疗后食管狭窄', '胃黏膜下隆起', '十二指肠球炎', '食管平滑肌瘤', '真菌性食管炎',
    '胃潴留', '急性胃扩张', '胃肠间质瘤（胃体）', '食管憩室', '嗜酸细胞性食管炎', '应激性胃溃疡', '胃黄色瘤', '贲门炎症', '早期胃癌ESD术后', '胃MALT淋巴瘤',
    '上消化道出血（胃溃疡）', '十二指肠乳头旁憩室（降部）', '食管贲门黏膜撕裂', '胃窦毛细血管扩张症', '急性胃黏膜病变',
]
UPPER_ICD = {'胃恶性肿瘤': 'C16.9', '胃窦恶性肿瘤': 'C16.3', '贲门恶性肿瘤': 'C16.0', '食管恶性肿瘤': 'C15.9', '胃溃疡': 'K25.9',
             '十二指肠球部溃疡': 'K26.9', '胃食管反流病': 'K21.9', '贲门失弛缓症': 'K22.0', '慢性胃炎': 'K29.5', '胃息肉': 'K31.7'}


def upper_diagnoses(rng):
    """A short coded diagnosis list, e.g. 胃恶性肿瘤；贫血."""
    return diagnosis_list(rng, UPPER_CANCER_DX, UPPER_CANCER_Q, UPPER_BENIGN_DX, UPPER_ICD)


UPPER_WORKUP = ['胃镜', '腹部增强CT', '超声胃镜', '上消化道造影', '胸腹部CT', '胃镜病理', '血常规', '肿瘤标志物']
UPPER_ADVICE = [
    '少食多餐，细嚼慢咽', '避免辛辣刺激、浓茶咖啡，戒烟酒', '注意有无呕血、黑便，不适随诊', '定期复查血常规、肿瘤标志物', '1个月后门诊复诊',
    '口服瑞巴派特保护胃黏膜', '半年后复查胃镜', '遵医嘱服药，勿自行停药', '适当活动，避免劳累', '监测血压、血糖',
]


def _names_upper(text):
    return any(w in text for w in ('食管', '贲门', '胃', '幽门', '十二指肠', 'Barrett'))


def upper_discharge(rng):
    """Discharge-summary sentences (出院诊断, 住院经过, 出院医嘱) naming the upper tract."""
    return discharge(rng, UPPER_CASES, UPPER_WORKUP, UPPER_ADVICE, _names_upper)


UPPER_LAY = [
    '幽门螺杆菌感染是胃癌的重要危险因素，建议家庭成员共同检测、共同治疗', '胃溃疡患者应避免服用阿司匹林、布洛芬等非甾体抗炎药',
    '反流性食管炎患者睡前3小时内不宜进食，可适当抬高床头', '胃癌早期多无明显症状，40岁以上人群建议行胃镜筛查', '食管癌的发生与吸烟、饮酒及长期进食过烫食物有关',
    '胃切除术后应少食多餐、细嚼慢咽，以预防倾倒综合征', '吃饭时哽噎感持续加重，需警惕食管癌，应尽早做胃镜', '根除幽门螺杆菌一般需要服药10-14天，停药1个月后复查呼气试验',
    '{ppi}治疗胃溃疡时宜在早餐前半小时空腹服用', '做胃镜前需禁食6-8小时，检查后2小时内不宜进食', '胃息肉多数为良性，但较大的腺瘤性息肉有癌变可能，应内镜下切除',
    '十二指肠溃疡常表现为空腹痛、夜间痛，进食后可缓解', '出现呕血或黑便时，可能是胃或十二指肠溃疡出血，应立即就医', '贲门失弛缓症患者常有吞咽困难和食物反流',
    '肝硬化患者发生食管胃底静脉曲张破裂出血时病情凶险，需急诊处理', '胆汁反流性胃炎患者应戒烟戒酒，规律进食', '慢性萎缩性胃炎伴肠化者应定期复查胃镜',
    '腌制、熏烤食品含较多亚硝酸盐，长期食用增加胃癌风险', '服用铋剂期间大便发黑属正常现象，与胃出血引起的黑便不同', 'Barrett食管是食管腺癌的癌前病变',
    '胃间质瘤对放化疗不敏感，首选手术切除，高危者术后口服伊马替尼', '暴饮暴食易诱发急性胃扩张', '问：胃溃疡会癌变吗？答：少数慢性胃溃疡可能癌变，需规范治疗并复查',
    '饭后立即平躺容易引起胃酸反流到食管', '分餐制和使用公筷可减少幽门螺杆菌在家庭内传播', '无痛胃镜在静脉麻醉下进行，检查过程中基本没有痛苦',
    '胃食管反流病患者应减肥、戒烟，少吃巧克力、薄荷和高脂食物', '食管胃底静脉曲张套扎术后1周内宜进温凉流质，避免粗糙食物',
    '胃镜发现的低级别上皮内瘤变需要随访，高级别病变建议内镜下切除', '碳13呼气试验查幽门螺杆菌前需停用抗生素和铋剂4周、质子泵抑制剂2周',
    '儿童反复腹痛、生长迟缓时，也要考虑幽门螺杆菌感染或十二指肠溃疡', '胃大部切除术后长期可出现贫血，需定期补充维生素B12和铁剂',
]
UPPER_STUDIES = [
    dict(dis=['十二指肠溃疡出血', '消化性溃疡出血（胃及十二指肠）'], topic='十二指肠溃疡出血患者内镜止血后再出血的危险因素', events=['再出血', '死亡'],
         factors=['溃疡直径>2cm', 'Forrest Ⅰa-Ⅱb级', 'Hb<70g/L', '服用抗血小板药物', '年龄≥65岁'], treats=['内镜下止血联合大剂量PPI', '钛夹联合注射止血'],
         rates=['止血成功率', '30天再出血率'], kw=['消化性溃疡', '再出血', '内镜止血', '质子泵抑制剂'], kind='上消化道急症'),
    dict(dis=['早期胃癌', '胃黏膜高级别上皮内瘤变'], topic='内镜黏膜下剥离术治疗早期胃癌的疗效及安全性', events=['非治愈性切除', '术后迟发出血', '穿孔'],
         factors=['病变直径>3cm', '未分化型', '溃疡形成', '位于胃体上部'], treats=['ESD', 'EMR'], rates=['整块切除率', '治愈性切除率'],
         kw=['内镜黏膜下剥离术', '早期胃癌', '迟发出血', '治愈性切除'], kind='消化系统肿瘤'),
    dict(dis=['进展期胃癌', '局部进展期胃癌', '胃癌'], topic='腹腔镜与开腹D2胃癌根治术的近期疗效', events=['术后并发症', '吻合口瘘', '腹膜复发'],
         factors=['年龄≥70岁', '术前白蛋白<35g/L', 'BMI≥28', '全胃切除', 'HER2阳性', '脉管癌栓'], treats=['腹腔镜胃癌根治术', '新辅助SOX化疗', '曲妥珠单抗联合化疗'],
         rates=['R0切除率', '3年无病生存率', '5年总生存率'], kw=['胃癌', '腹腔镜', '新辅助化疗', '预后', 'HER2'], kind='恶性肿瘤'),
    dict(dis=['幽门螺杆菌感染'], topic='伏诺拉生双联方案根除幽门螺杆菌的疗效', events=['根除失败', '不良反应'], factors=['克拉霉素耐药', '吸烟', '依从性差', '既往根除失败'],
         treats=['伏诺拉生双联', '铋剂四联', '高剂量双联'], rates=['根除率', '不良反应发生率'], kw=['幽门螺杆菌', '伏诺拉生', '根除治疗', '耐药'], kind='感染性疾病'),
    dict(dis=['肝硬化食管胃底静脉曲张出血', '食管胃底静脉曲张'], topic='食管胃底静脉曲张破裂出血的二级预防', events=['再出血', '死亡'],
         factors=['Child-Pugh C级', '门静脉血栓', '胃底静脉曲张', 'MELD评分>15'], treats=['内镜套扎联合普萘洛尔', 'TIPS', '组织胶注射'],
         rates=['1年再出血率', '1年生存率'], kw=['肝硬化', '食管胃底静脉曲张', '套扎', '二级预防'], kind='肝硬化并发症'),
    dict(dis=['Barrett食管', '胃食管反流病'], topic='Barrett食管的癌变风险及随访策略', events=['高级别异型增生', '食管腺癌'],
         factors=['长段Barrett食管', '低级别异型增生', '男性', '吸烟', '肥胖'], treats=['射频消融', '长期PPI治疗'], rates=['完全清除率', '症状缓解率'],
         kw=['Barrett食管', '食管腺癌', '射频消融', '胃食管反流'], kind='癌前病变'),
    dict(dis=['贲门失弛缓症'], topic='经口内镜下肌切开术后胃食管反流的发生率', events=['术后反流', '症状复发'], factors=['前壁切开', '肌切开过长', '病程>10年'],
         treats=['POEM', '腹腔镜Heller肌切开术', '球囊扩张'], rates=['临床缓解率', 'Eckardt评分改善率'], kw=['贲门失弛缓症', 'POEM', '胃食管反流'], kind='食管动力障碍性疾病'),
    dict(dis=['胃间质瘤', '胃肠间质瘤（胃）'], topic='胃间质瘤危险度分级与术后复发的关系', events=['复发', '转移'], factors=['肿瘤直径>5cm', '核分裂象>5/50HPF', '肿瘤破裂'],
         treats=['伊马替尼辅助治疗', '腹腔镜局部切除'], rates=['3年无复发生存率'], kw=['胃肠间质瘤', '伊马替尼', '危险度分级'], kind='间叶源性肿瘤'),
    dict(dis=['食管鳞癌', '局部进展期食管癌'], topic='新辅助放化疗联合手术治疗局部进展期食管鳞癌', events=['吻合口瘘', '喉返神经损伤', '复发'],
         factors=['颈部吻合', '糖尿病', '术前放疗'], treats=['新辅助放化疗', '新辅助免疫化疗'], rates=['病理完全缓解率', 'R0切除率'],
         kw=['食管鳞癌', '新辅助治疗', '食管切除术'], kind='恶性肿瘤'),
    dict(dis=['慢性萎缩性胃炎', '胃黏膜肠上皮化生', '胆汁反流性胃炎'], topic='胃黏膜萎缩、肠化与胃癌风险', events=['胃癌', '异型增生', '胃黏膜癌变'],
         factors=['OLGA Ⅲ-Ⅳ期', '广泛肠化', 'HP持续感染', '胆汁反流'], treats=['根除幽门螺杆菌', '叶酸'], rates=['逆转率'], kw=['萎缩性胃炎', '肠上皮化生', '胃癌前病变'],
         kind='消化系统疾病'),
    dict(dis=['反流性食管炎'], topic='不同抑酸药物治疗反流性食管炎的愈合率', events=['复发'], factors=['LA-C/D级', '食管裂孔疝', '肥胖'],
         treats=['艾司奥美拉唑', '伏诺拉生'], rates=['8周黏膜愈合率', '烧心缓解率'], kw=['反流性食管炎', '钾离子竞争性酸阻滞剂', '质子泵抑制剂'], kind='消化系统疾病'),
]


def upper_lay(rng):
    """A plain-language patient-education sentence about the upper tract."""
    return lay(rng, UPPER_LAY, ['具体请遵医嘱', '如有疑问请咨询消化科医生', '切勿自行停药'])


def upper_research(rng):
    """A research-abstract or literature sentence about the upper tract."""
    return research(rng, UPPER_STUDIES)


# Hard positives of label 1: words that pull towards 0 (胆, 肝硬化, 脾) or rarer sites.
UPPER_HARD = [
    '胆汁反流性胃炎', '慢性胃炎伴胆汁反流', '胆囊切除术后胆汁反流性胃炎', '胃镜示胃内大量胆汁反流，胃窦黏膜充血', '（胃窦）黏膜慢性炎，小凹增生，符合胆汁反流性胃病',
    '诊断：胆汁反流性胃炎；胆囊结石', '胆汁反流性胃炎，予铝碳酸镁、莫沙必利治疗', '幽门口见黄色胆汁反流入胃', '胃液呈黄绿色，考虑十二指肠胃反流',
    'CT：十二指肠降段肠壁增厚，周围脂肪间隙模糊', 'CT示十二指肠球部前壁小龛影伴游离气体，考虑十二指肠球部溃疡穿孔', '十二指肠水平部壁增厚，建议胃镜检查',
    '既往十二指肠球部溃疡病史{yrs}年', '十二指肠球部溃疡伴出血，Hb {hb}g/L', '腹部增强CT提示十二指肠降部占位，周围淋巴结肿大',
    '贲门失弛缓症', '贲门失弛缓症（Ⅱ型），Eckardt评分{n}分', '食管测压示LES松弛障碍，符合贲门失弛缓症', '贲门失弛缓症POEM术后{mons}月',
    'C13呼气试验DOB值{dob}，提示幽门螺杆菌感染', 'HP抗体阳性，幽门螺杆菌感染', '幽门螺杆菌阳性，予{hpreg}14天', '快速尿素酶试验（+），幽门螺杆菌感染',
    '乙肝肝硬化失代偿期，食管胃底静脉曲张破裂出血', '肝硬化（Child-Pugh {child}），胃底静脉曲张', '酒精性肝硬化，食管静脉曲张（重度）',
    'CT示肝硬化、脾大，食管下段及胃底静脉曲张', '肝硬化门脉高压，胃底静脉曲张组织胶注射术后', '脾大、脾功能亢进，门脉高压性胃病',
    'Barrett食管', 'Barrett食管（{prague}），定期随访', 'Barrett食管伴低级别异型增生', '（食管下段）柱状上皮化生，符合Barrett食管',
    '胃间质瘤', '胃间质瘤（{risk}），术后口服伊马替尼', '胃底间质瘤，大小{cm}cm', 'CT示胃体外生性肿块，考虑胃间质瘤', '胃间质瘤术后{yrs}年，复查CT未见复发',
    '胃窦部见胰腺异位结节', '肝癌TACE术后，胃底静脉曲张', '胃石症（柿石）', '十二指肠球部溃疡瘢痕，幽门梗阻', '十二指肠降部憩室炎',
]


def upper_hard(rng):
    """Hard positives of the upper tract (胆汁反流, 肝硬化 with 静脉曲张, HP, Barrett, GIST, 十二指肠 in CT)."""
    return hard(rng, UPPER_HARD)


# ---------------------------------------------------------------------------
# Lower tract, label 2.
# ---------------------------------------------------------------------------
COLON_SITES = ['直肠', '直肠上段', '直肠中段', '直肠下段', '乙状结肠', '降结肠', '横结肠', '升结肠', '盲肠', '回盲部', '结肠肝曲', '结肠脾曲',
               '肝曲', '脾曲', '直肠乙状结肠交界处', '结肠', '回肠末端', '回盲瓣', '距肛缘{dr}cm直肠', '乙状结肠息肉', '横结肠息肉']
LOWER_BIOPSY = {
    'colon': [
        '管状腺瘤伴低级别上皮内瘤变', '绒毛状管状腺瘤，局灶高级别上皮内瘤变', '无蒂锯齿状病变', '传统锯齿状腺瘤', '增生性息肉', '炎性息肉',
        '{grade}腺癌', '黏液腺癌', '印戒细胞癌', '黏膜慢性活动性炎，隐窝结构扭曲，可见隐窝脓肿，符合溃疡性结肠炎', '黏膜慢性炎，见非干酪样肉芽肿，考虑克罗恩病',
        '黏膜固有层见大量色素吞噬细胞，符合结肠黑变病', '淋巴组织增生', '黏膜慢性炎', '脂肪瘤', '错构瘤性息肉（Peutz-Jeghers型）', '幼年性息肉',
        '黏膜慢性炎，间质见巨细胞病毒包涵体', '上皮下胶原带增厚（>10μm），符合胶原性结肠炎', '黏膜内癌', '高级别上皮内瘤变', '腺瘤癌变，癌组织侵达黏膜下层',
        '缺血性改变，固有层玻璃样变', '黏膜慢性活动性炎，基底浆细胞增多', '神经内分泌肿瘤（G1），Ki-67<2%', '黏膜慢性炎，嗜酸性粒细胞增多（>{n}0个/HPF）',
    ],
    'rectum': ['神经内分泌肿瘤（G1），Syn（+），CgA（+），Ki-67约{b03}%', '神经内分泌肿瘤（G2），Ki-67约{n}%', '放射性肠炎改变', '孤立性直肠溃疡综合征'],
    'anal': {'肛管': ['鳞状细胞癌', '恶性黑色素瘤，HMB45（+），S-100（+）', '纤维上皮性息肉（肛乳头瘤）', '肛管腺癌'],
             '肛门肿物': ['纤维上皮性息肉（肛乳头瘤）', '鳞状细胞癌', '尖锐湿疣'], '肛瘘': ['瘘管壁慢性炎性肉芽组织', '慢性化脓性炎伴异物巨细胞反应'],
             '痔': ['混合痔，血管扩张充血伴血栓形成', '血管扩张淤血，符合痔'], '混合痔': ['血管扩张充血伴血栓形成', '符合混合痔'],
             '肛周': ['尖锐湿疣', '急性化脓性炎伴脓肿形成', '皮肤慢性炎伴角化过度'], '肛周脓肿': ['急性化脓性炎伴脓肿形成', '坏死组织及大量中性粒细胞']},
    'appendix': ['急性单纯性阑尾炎', '急性化脓性阑尾炎', '急性坏疽性阑尾炎伴穿孔', '慢性阑尾炎', '低级别阑尾黏液性肿瘤（LAMN）', '神经内分泌肿瘤（G1），位于阑尾尖部',
                 '慢性阑尾炎急性发作伴阑尾周围炎', '阑尾腔内见粪石，黏膜慢性炎'],
}
LOWER_SPECIMENS = ['右半结肠', '左半结肠', '乙状结肠', '横结肠', '直肠', '直肠前切除标本', '直肠腹会阴联合切除标本', '右半结肠切除标本', '回盲部',
                   '乙状结肠切除标本', '结肠肝曲', '结肠脾曲', '直肠癌根治标本', '扩大右半结肠（肝曲）']
LOWER_LAYERS = [('黏膜下层', '1'), ('固有肌层', '2'), ('浆膜下层', '3'), ('肠周脂肪组织', '3'), ('直肠系膜脂肪组织', '3'), ('外膜', '3'), ('浆膜', '4a')]
LOWER_RESECTION_EXTRAS = {
    'margin': ['上、下切缘及环周切缘（CRM）均未见癌', '两端切缘未见癌', '远切缘距肿瘤{cm}cm，未见癌', '环周切缘阳性（≤1mm）', '切缘（-）'],
    'nodes': ['{ln}', '{ln}', '肠系膜{ln}', '肠周{ln}'],
    'vessel': ['脉管内见癌栓', '可见神经侵犯', 'LVI（+），PNI（-）', '未见脉管及神经侵犯', '肿瘤出芽：高级别（Bd3）', '肿瘤出芽：低级别（Bd1）'],
    'ihc': ['MLH1（+），MSH2（+），MSH6（+），PMS2（+），提示pMMR', 'MLH1（-），PMS2（-），提示dMMR', 'KRAS基因12号密码子突变', 'NRAS、BRAF野生型',
            'BRAF V600E突变', '免疫组化：CDX-2（+），SATB2（+），Ki-67（{ki}%）', 'MSI-H'],
    'tnm': ['{tnm}', '病理分期：{tnm}', 'TNM分期：{tnm}', 'pTNM分期：{tnm}'],
}


def lower_pathology(rng):
    """Biopsy or resection pathology of the colon, rectum, appendix or anus."""
    kind = weighted(rng, [(5, 'biopsy'), (4, 'resection'), (2, 'appendix'), (2, 'anal'), (1, 'net')])
    head = rng.choice(['', '', '', '病理：', '病理诊断：', '术后病理：', '活检病理示：', '病理回报：', '病理号{pno}：'])
    if kind == 'biopsy':
        parts = [cite(rng, fill(rng, rng.choice(COLON_SITES))) + choose(rng, LOWER_BIOPSY['colon'])
                 for _ in range(weighted(rng, [(5, 1), (3, 2), (1, 3)]))]
        text = rng.choice(['；', '。', ' ']).join(dict.fromkeys(parts))
    elif kind == 'resection':
        stage = staging(rng, LOWER_LAYERS, lower=True, neoadjuvant=0.2)
        deep = stage['t'] not in ('1', '2')
        core = (cite(rng, rng.choice(LOWER_SPECIMENS), biopsy=False) + rng.choice(['溃疡型', '隆起型', '浸润型', '环周型', '', '']) + fill(rng, rng.choice(
            ['{grade}腺癌', '{grade}腺癌', '黏液腺癌', '腺癌伴部分黏液腺癌（约{n}0%）', '印戒细胞癌', '{grade}管状腺癌']))
            + maybe(rng, 0.4, fill(rng, '，肿瘤大小{cm}×{cm}cm'))
            + fill(rng, rng.choice(['，侵达{l}', '，浸润至{l}', '，癌组织累及{l}'] + ['，侵透肌层达{l}'] * deep), **stage))
        extras = [choose(rng, LOWER_RESECTION_EXTRAS[key], **stage) for key in rng.sample(list(LOWER_RESECTION_EXTRAS), rng.randint(1, 4))]
        if stage['trg'] and rng.random() < 0.6:
            extras.append(f'肿瘤退缩分级：TRG {rng.randint(1, 3)}级（AJCC）')
        text = shorten([core] + extras, rng.choice(['；', '，', '。']))
    elif kind == 'appendix':
        text = rng.choice(['（阑尾）', '（阑尾）', '阑尾：', '（阑尾切除标本）']) + choose(rng, LOWER_BIOPSY['appendix'])
    elif kind == 'anal':
        site = rng.choice(list(LOWER_BIOPSY['anal']))
        text = cite(rng, site) + choose(rng, LOWER_BIOPSY['anal'][site])
    else:
        text = cite(rng, fill(rng, rng.choice(['直肠', '直肠下段', '距肛缘{dr}cm直肠', '直肠ESD标本']))) + choose(rng, LOWER_BIOPSY['rectum']) + maybe(
            rng, 0.5, fill(rng, '，大小{mm}mm，' + rng.choice(['基底切缘阴性', '切缘未见肿瘤', '脉管侵犯（-）'])))
    return fill(rng, head) + re.sub('(肠系膜|肠周)送检', r'送检\1', text) + maybe(rng, 0.3, '。')


L_CT = ['全腹部CT增强', '腹盆腔CT', '腹部增强CT', 'CT', '下腹部CT', '全腹部CT平扫+增强', '腹盆腔增强CT']
L_MRI = ['直肠高分辨MRI', '盆腔MRI', '直肠MRI', '盆腔增强MRI']
L_BARIUM = ['钡灌肠', '结肠气钡双重造影', '钡剂灌肠造影']
CSITE = {'c': ['乙状结肠', '升结肠', '降结肠', '横结肠', '盲肠', '结肠肝曲', '结肠脾曲', '肝曲', '脾曲', '直肠上段']}
RSITE = {'r': ['上段', '中段', '下段', '中下段'], 'nn': ['0', '1', '1', '2'], 't': ['2', '3', '3', '4a']}
LOWER_SCANS = [
    dict(mods=L_MRI, sites=RSITE, key=['直肠{r}肠壁不规则增厚，下缘距肛缘约{cm}cm，T2WI呈中等信号，DWI呈高信号', '直肠{r}见一肿块，肿瘤突破固有肌层，侵犯系膜脂肪深度约{mm}mm'],
         more=['直肠系膜筋膜（MRF）未受累，EMVI（-）', 'MRF阳性，EMVI（+）', '直肠系膜内见{n}枚肿大淋巴结，边缘不规则', '双侧髂血管旁未见肿大淋巴结', '肿瘤下缘距齿状线约{cm}cm'],
         imp=['直肠癌（mrT{t}N{nn}）', '直肠{r}癌（mrT{t}N{nn}，MRF-）', '直肠癌，建议新辅助治疗']),
    dict(mods=L_MRI, sites=RSITE, key=['新辅助放化疗后，直肠{r}肠壁增厚较前减轻'], more=['DWI高信号范围明显缩小', '系膜淋巴结较前缩小'],
         imp=['直肠癌新辅助治疗后，肿瘤明显退缩（mrTRG 2级）', '直肠癌治疗后改变']),
    dict(mods=L_CT, sites=CSITE, key=['{c}肠壁不规则增厚，最厚约{mm}mm，管腔狭窄，增强扫描明显强化', '{c}见一{cm}cm×{cm}cm软组织肿块，浆膜面毛糙'],
         more=['周围脂肪间隙模糊，见多发小淋巴结', '肝内多发低密度灶，考虑转移', '腹膜后未见肿大淋巴结', '近端肠管扩张积液'],
         imp=['{c}癌', '{c}占位，考虑结肠癌', '{c}癌伴周围淋巴结转移可能', '{c}病变，请结合肠镜']),
    dict(mods=['PET-CT', '全身PET-CT'], sites=CSITE, key=['{c}肠壁增厚伴FDG摄取增高，SUVmax约{suv}'], more=['肝内多发高代谢灶', '腹膜后淋巴结代谢增高'],
         imp=['{c}癌伴肝转移', '符合结肠癌表现'], must=True),
    dict(mods=['腹部立位平片', '立位腹平片', '全腹部CT'], key=['结肠积气扩张，横结肠直径约{cm}cm，可见多发气液平', '乙状结肠以上结肠明显扩张积气，可见气液平面'],
         more=['乙状结肠肠壁环形增厚，管腔狭窄', '小肠未见明显扩张'], imp=['结肠梗阻', '低位结肠梗阻，乙状结肠癌可能']),
    dict(mods=['腹部立位平片', '腹部CT', 'CT'], key=['乙状结肠明显扩张，呈“咖啡豆征”', '乙状结肠系膜旋转，呈“漩涡征”'], imp=['乙状结肠扭转']),
    dict(mods=L_CT, key=['阑尾增粗，直径约{mm}mm，壁增厚，周围脂肪间隙模糊', '阑尾腔内见高密度粪石影，阑尾增粗'], more=['右下腹少量渗出', '回盲部肠壁稍水肿'],
         imp=['急性阑尾炎', '急性阑尾炎伴粪石']),
    dict(mods=['阑尾超声', '腹部超声', '右下腹超声'], key=['右下腹探及增粗阑尾，直径{mm}mm，加压不可压缩', '阑尾壁增厚，周边血流信号增多'],
         more=['阑尾周围见少量液性暗区', '阑尾腔内见强回声伴声影'], imp=['急性阑尾炎', '阑尾炎伴粪石']),
    dict(mods=L_CT, key=['右下腹阑尾区见混杂密度包块，内见积气'], more=['边缘强化', '周围肠管粘连'], imp=['阑尾周围脓肿']),
    dict(mods=L_CT, key=['阑尾明显增粗呈囊状，内为低密度，壁见弧形钙化'], imp=['阑尾黏液性肿瘤可能']),
    dict(mods=['CT小肠造影（CTE）', 'MR小肠造影（MRE）', '腹部增强CT'], key=['回肠末端及回盲部肠壁节段性增厚，呈“靶征”', '回肠末端肠腔狭窄，近端回肠扩张'],
         more=['周围系膜血管增多呈“梳样征”', '肠系膜淋巴结稍大'], imp=['克罗恩病（回结肠型）可能', '回肠末端炎性病变，克罗恩病？']),
    dict(mods=L_CT + L_BARIUM, key=['全结肠壁弥漫性增厚，结肠袋消失', '结肠袋消失，肠管僵直呈“铅管样”'], imp=['溃疡性结肠炎（全结肠型）']),
    dict(mods=L_CT, key=['乙状结肠多发憩室，周围脂肪间隙模糊', '降结肠、乙状结肠多发憩室，肠壁增厚'], more=['局部见小脓肿形成'], imp=['乙状结肠憩室炎', '结肠憩室炎']),
    dict(mods=L_BARIUM, key=['乙状结肠见长约{cm}cm环形狭窄，黏膜破坏，呈“苹果核征”'], imp=['乙状结肠癌可能', '乙状结肠恶性病变']),
    dict(mods=L_BARIUM, sites=CSITE, key=['{c}见不规则充盈缺损，黏膜中断'], imp=['{c}癌可能，建议结肠镜']),
    dict(mods=L_BARIUM + ['CT结肠成像（CTC）'], sites=CSITE, key=['{c}见一{mm}mm圆形充盈缺损，边缘光整', '{c}见一{mm}mm息肉样病变'], imp=['{c}息肉，建议结肠镜切除']),
    dict(mods=L_BARIUM, key=['横结肠冗长下垂', '乙状结肠冗长，迂曲'], more=['结肠袋形态正常'], imp=['结肠冗长症']),
    dict(mods=L_CT, sites=CSITE, key=['{c}腔内见一{cm}cm脂肪密度肿块，边界清'], imp=['{c}脂肪瘤']),
    dict(mods=['肛周MRI', '盆腔MRI'], key=['肛管右后方见条状T2高信号瘘管，内口位于截石位{clock}点', '括约肌间见条状异常信号，外口位于肛周皮肤'],
         more=['瘘管穿过外括约肌，向坐骨直肠窝延伸', '未见明确脓腔'], imp=['经括约肌型肛瘘', '括约肌间型肛瘘', '复杂性肛瘘']),
    dict(mods=['肛周超声', '肛周MRI', '盆腔CT'], key=['肛周皮下见一{cm}cm液性暗区，内透声差', '左侧坐骨直肠窝见一{cm}cm脓腔，边缘强化'], imp=['肛周脓肿', '坐骨直肠窝脓肿']),
    dict(mods=['经直肠腔内超声', '直肠腔内超声'], key=['直肠壁见低回声病灶，突破固有肌层'], more=['直肠周围见{n}枚低回声淋巴结'], imp=['直肠癌uT3N1', '直肠癌uT3N0']),
    dict(mods=['经直肠腔内超声', '直肠腔内超声'], key=['直肠壁五层结构清晰，病灶局限于黏膜下层'], imp=['直肠病变uT1N0，可考虑内镜下切除', '直肠神经内分泌肿瘤可能']),
    dict(mods=L_CT, key=['直肠癌术后，吻合口区未见异常强化', '乙状结肠造口术后改变，造口周围未见肿块', '右半结肠切除术后，吻合口未见增厚'],
         more=['腹膜后未见肿大淋巴结', '较{date}片相仿'], imp=['结直肠癌术后改变，未见明确复发']),
    dict(mods=['上腹部增强MRI', '腹部增强CT', '肝脏MRI'], key=['肝内多发类圆形低密度灶，呈“牛眼征”'], more=['直肠癌术后改变', '乙状结肠壁增厚'],
         imp=['结直肠癌肝转移', '直肠癌肝转移可能'], must=True),
    dict(mods=L_CT + ['腹部超声'], key=['右下腹见“同心圆征”，回肠末端套入升结肠'], imp=['回结肠型肠套叠']),
    dict(mods=L_CT, key=['结肠充盈可，肠壁未见明显增厚'], imp=['结直肠未见明显异常']),
]


def lower_imaging(rng):
    """CT / MR / PET-CT / barium enema / ultrasound / X-ray report of the lower tract."""
    return imaging_report(rng, LOWER_SCANS)


LOWER_CASES = [
    dict(dx=['直肠癌', '直肠腺癌', '低位直肠癌', '直肠恶性肿瘤'], sx=['便血{mons}月', '大便习惯改变{mons}月', '排便次数增多伴里急后重{mons}月', '大便变细{mons}月'],
         cc=['肠镜发现直肠肿物{days}天', '便血{mons}月，肠镜示直肠占位'],
         exam=['肠镜示距肛缘{dr}cm直肠溃疡型肿物，活检病理：{grade}腺癌', '肛门指检：距肛缘{cm}cm直肠前壁触及肿物，质硬，指套染血', '直肠MRI示直肠中下段肠壁增厚，mrT3N1，MRF（-）'],
         op=['腹腔镜直肠癌根治术（Dixon）', '腹腔镜辅助直肠前切除术+预防性回肠造口', '腹会阴联合直肠癌根治术（Miles）', '低位直肠癌经括约肌间切除术（ISR）',
             '经肛全直肠系膜切除术（taTME）'],
         rx=['新辅助同步放化疗（直肠癌，50.4Gy/28f，卡培他滨同步）'],
         after=['，术前行长程同步放化疗（50.4Gy/28f，卡培他滨）', '，术后病理：{grade}腺癌，{tnml}', '，术后行{lchemo}方案化疗{cyc}周期', '，{mons}月前复查CT示肝内新发转移灶'],
         advice=['3个月后返院行回肠造口还纳术（直肠癌术后）', '结肠造口术后护理，定期更换造口袋', '定期复查CEA、盆腔MRI及结肠镜',
                 '放化疗结束后6-8周复查直肠MRI评估疗效']),
    dict(dx=['乙状结肠癌', '乙状结肠腺癌', '乙状结肠恶性肿瘤'], sx=['便血伴大便习惯改变{mons}月', '左下腹痛{mons}月', '大便变细{mons}月'],
         cc=['肠镜发现乙状结肠肿物{days}天'], exam=['肠镜示乙状结肠环周肿物，病理：{grade}腺癌', '腹部CT示乙状结肠肠壁增厚，周围见小淋巴结'],
         op=['腹腔镜乙状结肠癌根治术', '腹腔镜左半结肠切除术', '乙状结肠切除术'], after=['，术后病理：{grade}腺癌，{tnml}', '，术后行{lchemo}方案化疗{cyc}周期'],
         advice=['1年后复查结肠镜', '定期复查CEA及腹部CT（乙状结肠癌术后）']),
    dict(dx=['乙状结肠癌伴梗阻', '左半结肠癌伴不全梗阻', '恶性结肠梗阻（乙状结肠癌）'], sx=['腹胀伴停止排气排便{days}天', '腹痛、腹胀{days}天'],
         cc=['腹胀{days}天，CT示乙状结肠占位伴肠梗阻'], exam=['腹部CT示乙状结肠肠壁环形增厚，近端结肠扩张积气', '腹部立位平片示结肠扩张，见多发气液平', '肠镜示乙状结肠肿物，肠腔狭窄，内镜无法通过'],
         op=['结肠支架置入术', 'Hartmann术（乙状结肠切除、降结肠造口）', '横结肠造瘘术', '乙状结肠双腔造口术'], after=['，支架置入后{n}周行根治性手术', '，术后{mons}月行造口还纳'],
         advice=['结肠支架术后进少渣饮食', '造口护理，保持造口周围皮肤清洁（结肠造口）']),
    dict(dx=['升结肠癌', '盲肠癌', '右半结肠癌', '回盲部腺癌'], sx=['乏力、头晕{mons}月', '右下腹隐痛{mons}月', '右下腹包块{wks}周'],
         cc=['肠镜发现升结肠肿物{days}天', '贫血{mons}月，肠镜示盲肠占位'],
         exam=['肠镜示升结肠菜花样肿物，病理：{grade}腺癌', 'CT示盲肠壁增厚，周围淋巴结肿大', '查Hb {hb}g/L，粪便隐血阳性，肠镜示盲肠肿物'],
         op=['腹腔镜根治性右半结肠切除术（CME）', '腹腔镜右半结肠癌根治术', '开腹右半结肠切除术'],
         after=['，术后病理：{grade}腺癌，{tnml}', '，术后行{lchemo}方案化疗{cyc}周期', '，术后病理提示dMMR'], advice=['术后半年复查结肠镜及腹部CT']),
    dict(dx=['结肠肝曲癌', '结肠肝曲恶性肿瘤', '结肠肝曲腺癌'], sx=['右上腹隐痛{mons}月', '消瘦、乏力{mons}月'], cc=['肠镜发现结肠肝曲肿物{wks}周'],
         exam=['肠镜示结肠肝曲溃疡型肿物，活检：{grade}腺癌', 'CT示结肠肝曲肠壁增厚，与胆囊分界欠清'],
         op=['腹腔镜结肠肝曲癌根治术（扩大右半结肠切除）', '扩大右半结肠切除术'], after=['，术后病理：{grade}腺癌，{tnml}', '，术后行{lchemo}方案化疗{cyc}周期'],
         advice=['定期复查CEA、胸腹盆CT及结肠镜']),
    dict(dx=['结肠脾曲癌', '结肠脾曲恶性肿瘤', '降结肠癌'], sx=['腹胀、便秘{mons}月', '左上腹隐痛{mons}月'], cc=['肠镜发现结肠脾曲占位{days}天'],
         exam=['肠镜示结肠脾曲环周肿物，活检：{grade}腺癌', 'CT示结肠脾曲肠壁增厚，近端结肠扩张'],
         op=['腹腔镜左半结肠切除术（结肠脾曲癌）', '左半结肠切除术'], after=['，术后病理：{grade}腺癌，{tnml}', '，术后行{lchemo}方案化疗{cyc}周期'],
         advice=['定期复查CEA、胸腹盆CT及结肠镜']),
    dict(dx=['直肠癌伴肝转移', '结直肠癌肝转移', '乙状结肠癌肝转移'], sx=['便血{mons}月', '乏力、消瘦{mons}月'],
         cc=['直肠癌术后{yrs}年，发现肝转移{wks}周', '乙状结肠癌化疗中，复查发现肝转移'],
         exam=['CT示肝内多发转移灶，原发灶为直肠癌', 'MRI示肝S{n}段转移瘤（直肠癌术后）', '肠镜示乙状结肠肿物，CT示肝内多发占位'],
         op=['肝转移灶切除术（结直肠癌肝转移）', '结直肠癌肝转移灶射频消融术'], rx=['{lchemo}方案化疗（结直肠癌肝转移）'],
         after=['，术后行{lchemo}方案化疗{cyc}周期', '，基因检测RAS野生型，联合西妥昔单抗治疗（结直肠癌）'], advice=['定期复查CEA、肝脏MRI及肠镜']),
    dict(dx=['急性阑尾炎', '急性化脓性阑尾炎', '急性坏疽性阑尾炎伴穿孔'], sx=['转移性右下腹痛{hrs}小时', '右下腹痛伴发热{days}天'],
         cc=['转移性右下腹痛{hrs}小时，考虑急性阑尾炎'],
         exam=['查体：麦氏点压痛、反跳痛（+），超声示阑尾增粗', 'CT示阑尾增粗，直径约{mm}mm，腔内见粪石', '血常规WBC升高，超声示阑尾肿大'],
         op=['腹腔镜阑尾切除术', '开腹阑尾切除术'], rx=['抗生素保守治疗（急性单纯性阑尾炎）'], after=['，术后病理：急性化脓性阑尾炎', '，术后恢复顺利'],
         advice=['阑尾切除术后1周门诊拆线', '术后早期下床活动，预防肠粘连（阑尾切除术后）', '如右下腹痛再发及时就诊（阑尾炎保守治疗后）']),
    dict(dx=['阑尾周围脓肿'], sx=['右下腹痛伴发热{days}天'], cc=['发现右下腹阑尾包块{days}天'],
         exam=['CT示右下腹阑尾区混杂密度包块，内见积气', '超声示阑尾周围液性暗区'], op=['超声引导下阑尾周围脓肿穿刺引流术'],
         rx=['抗感染治疗（阑尾周围脓肿）'], advice=['3个月后返院行择期阑尾切除术']),
    dict(dx=['混合痔', '内痔（Ⅲ度）', '嵌顿痔', '环状混合痔'], sx=['便后肛门滴血{mons}月', '肛内肿物脱出{yrs}年', '便血伴肛门坠胀{mons}月'],
         cc=['便血伴肛内肿物脱出{yrs}年', '肛门肿物脱出不能回纳{days}天'],
         exam=['肛门视诊：截石位{clock}点见痔核脱出，表面充血', '肛门镜示齿状线上方痔核，{clock}点为著', '肛门指检未触及肿物，肛门镜见混合痔'],
         op=['吻合器痔上黏膜环切术（PPH）', '混合痔外剥内扎术', '内痔套扎术（RPH）', '选择性痔上黏膜切除术（TST）'],
         med=['，间断使用痔疮栓', '，便秘时加重'], after=['，术后便血消失'],
         advice=['温水坐浴，每日肛周换药', '保持大便通畅，避免久坐久蹲（痔术后）', '口服乳果糖软化大便，防止痔术后便秘']),
    dict(dx=['血栓性外痔'], sx=['肛门疼痛{days}天', '肛缘肿物伴剧痛{days}天'], cc=['肛缘肿痛{days}天'], exam=['肛门视诊：截石位{clock}点见暗紫色肿物，触痛明显'],
         op=['血栓性外痔剥离术'], rx=['温水坐浴、外用痔疮膏（血栓性外痔）'], advice=['温水坐浴，保持肛周清洁干燥']),
    dict(dx=['肛瘘', '复杂性肛瘘', '高位经括约肌肛瘘'], sx=['肛旁反复流脓{mons}月', '肛周肿痛、破溃{mons}月'], cc=['肛周脓肿术后{mons}月，反复流脓'],
         exam=['肛周{clock}点见一外口，挤压有脓液溢出', '肛周MRI示经括约肌型肛瘘，内口位于截石位{clock}点', '肛周超声示括约肌间低回声瘘管'],
         op=['肛瘘切开挂线术', '肛瘘切除术', '肛瘘括约肌间瘘管结扎术（LIFT）'], med=['，曾行肛瘘手术{n}次'], after=['，术后{mons}月肛瘘复发'],
         advice=['肛瘘挂线脱落前每周门诊换药', '温水坐浴，保持肛周清洁干燥']),
    dict(dx=['肛周脓肿', '坐骨直肠窝脓肿'], sx=['肛周肿痛{days}天，伴发热', '肛旁红肿疼痛{days}天'], cc=['肛周肿痛{days}天'],
         exam=['肛周{clock}点见{cm}cm红肿硬结，波动感（+）', '肛周超声示皮下液性暗区', 'CT示右侧坐骨直肠窝脓肿'],
         op=['肛周脓肿切开引流术', '肛周脓肿一次性根治术'], after=['，术后形成肛瘘'], advice=['每日换药，肛周创面保持引流通畅']),
    dict(dx=['肛裂', '慢性肛裂'], sx=['便时肛门疼痛伴便血{wks}周'], cc=['便时肛门剧痛{mons}月'], exam=['肛门视诊：截石位{clock}点见肛裂，伴哨兵痔'],
         op=['肛裂侧方内括约肌切开术', '肛裂切除术'], rx=['温水坐浴、外用硝酸甘油软膏（肛裂）'], advice=['口服乳果糖，温水坐浴（肛裂）']),
    dict(dx=['溃疡性结肠炎', '溃疡性结肠炎（慢性复发型，全结肠型，重度活动期）', '溃疡性结肠炎（左半结肠型，中度活动期）'],
         sx=['黏液脓血便{mons}月', '腹泻伴脓血便{yrs}年，加重{wks}周', '腹痛、里急后重{mons}月'], cc=['反复黏液脓血便{yrs}年，诊断溃疡性结肠炎'],
         exam=['肠镜示直肠至乙状结肠黏膜连续性充血糜烂，Mayo评分{n}分', '肠镜病理示隐窝脓肿，符合溃疡性结肠炎', 'CT示全结肠壁弥漫增厚，结肠袋消失'],
         op=['全结肠切除+回肠储袋肛管吻合术（IPAA）'], rx=['美沙拉嗪口服联合灌肠（溃疡性结肠炎）', '英夫利昔单抗诱导治疗（溃疡性结肠炎）', '甲泼尼龙静滴（重度溃疡性结肠炎）'],
         med=['，长期口服美沙拉嗪{b03}g/d', '，曾使用激素治疗', '，改用维得利珠单抗维持'],
         advice=['口服美沙拉嗪1g tid，定期复查肠镜', '避免自行停药，腹泻、便血加重随诊（溃疡性结肠炎）']),
    dict(dx=['克罗恩病（回结肠型）', '克罗恩病（A2L3B2），回肠末端狭窄', '结肠克罗恩病'], sx=['反复腹痛、腹泻{yrs}年', '右下腹痛伴消瘦{mons}月', '肛周反复脓肿{yrs}年'],
         cc=['回结肠型克罗恩病{yrs}年，腹痛加重{wks}周'],
         exam=['肠镜示回肠末端纵行溃疡，回盲瓣狭窄', 'CTE示回肠末端及回盲部肠壁节段性增厚，呈“梳样征”', '肠镜病理示回盲部非干酪样肉芽肿'],
         op=['回盲部切除术（克罗恩病）', '回肠末端狭窄内镜下球囊扩张术'], rx=['英夫利昔单抗治疗（结肠克罗恩病）', '乌司奴单抗诱导治疗（回结肠型克罗恩病）'],
         med=['，长期使用阿达木单抗', '，口服硫唑嘌呤维持'], advice=['定期复查肠镜及CTE（克罗恩病累及回肠末端）']),
    dict(dx=['结肠憩室出血', '升结肠憩室出血'], sx=['无痛性便血{days}天', '暗红色血便{days}天'], cc=['暗红色血便{days}天，肠镜示结肠憩室'],
         exam=['肠镜示升结肠多发憩室，其一见活动性出血', '增强CT示升结肠憩室造影剂外溢'], op=['结肠镜下憩室出血钛夹止血术', '结肠憩室出血介入栓塞术'],
         advice=['高纤维饮食，保持大便通畅（结肠憩室）']),
    dict(dx=['乙状结肠憩室炎', '结肠憩室炎'], sx=['左下腹痛伴发热{days}天'], cc=['左下腹痛{days}天，CT示乙状结肠憩室炎'],
         exam=['CT示乙状结肠多发憩室，周围脂肪间隙模糊'], op=['腹腔镜乙状结肠切除术'], rx=['抗感染、禁食补液（乙状结肠憩室炎）'],
         advice=['炎症消退后6-8周复查结肠镜']),
    dict(dx=['乙状结肠扭转'], sx=['腹胀伴停止排气排便{days}天'], cc=['反复腹胀{yrs}年，再发{days}天，诊断乙状结肠扭转'],
         exam=['腹部平片示乙状结肠扩张呈“咖啡豆征”', 'CT示乙状结肠扭转，呈“漩涡征”'], op=['结肠镜下乙状结肠扭转减压术', '乙状结肠切除术'],
         advice=['保持大便通畅，择期行乙状结肠切除术']),
    dict(dx=['直肠脱垂', '直肠黏膜脱垂'], sx=['排便时肛内肿物脱出{yrs}年'], cc=['排便时直肠脱出{yrs}年'], exam=['蹲位见直肠全层脱出约{cm}cm'],
         op=['经腹直肠悬吊固定术', '经会阴直肠乙状结肠切除术（Altemeier）', '直肠黏膜环切术'], advice=['避免用力排便，提肛运动每日2次（直肠脱垂术后）']),
    dict(dx=['结肠多发息肉', '结肠腺瘤', '结肠侧向发育型肿瘤', '直肠腺瘤'], sx=['大便带血{wks}周', '大便习惯改变{mons}月'], cc=['体检肠镜发现结肠息肉{wks}周'],
         exam=['肠镜示乙状结肠一枚{smm}mm亚蒂息肉', '肠镜示直肠LST-G，大小{scm}cm', '肠镜示横结肠多发息肉，最大约{mm}mm'],
         op=['结肠息肉EMR术', '直肠ESD术', '结肠息肉冷圈套切除术', '经肛门内镜微创手术（TEM）'], after=['，术后病理：管状腺瘤伴低级别上皮内瘤变', '，术后病理：绒毛管状腺瘤'],
         advice=['1年后复查肠镜', '术后流质饮食3天，注意有无便血（结肠息肉切除术后）']),
    dict(dx=['直肠神经内分泌肿瘤（G1）', '直肠NET'], sx=['大便习惯改变{mons}月'], cc=['肠镜发现直肠黏膜下隆起{wks}周'],
         exam=['肠镜示距肛缘{dr}cm直肠黄色黏膜下隆起', '超声肠镜示直肠病变位于黏膜下层'], op=['直肠ESD术', '直肠NET内镜下套扎辅助切除（ESMR-L）'],
         after=['，术后病理：神经内分泌肿瘤G1，切缘阴性'], advice=['每年复查肠镜及盆腔MRI（直肠NET）']),
    dict(dx=['结肠造口状态', '回肠造口状态（直肠癌术后）'], sx=['直肠癌术后{mons}月'], cc=['直肠癌术后{mons}月，要求回肠造口还纳'],
         exam=['造影示直肠吻合口通畅，未见瘘', '肠镜示直肠吻合口愈合良好'], op=['回肠造口还纳术', '结肠造口还纳术'],
         advice=['术后逐步恢复饮食，注意排便情况（直肠癌术后）']),
]
LOWER_EXTRA_OPS = [
    '结肠次全切除术', '全结肠切除术', '肛门成形术', '肛乳头切除术', '直肠息肉经肛切除术', '直肠阴道瘘修补术', '回肠末端切除+回结肠吻合术', '盲肠造瘘术',
    '阑尾周围脓肿切开引流术', '痔切除术（外剥内扎术，Milligan-Morgan）', '内痔硬化剂注射术', '结肠镜下息肉切除术', '直肠前切除术后吻合口狭窄扩张术',
    '腹腔镜乙状结肠部分切除术', '横结肠造口还纳术', '肛周尖锐湿疣切除术', '结肠镜下止血术', '经肛门直肠肿物局部切除术', '肛管直肠周围脓肿切开挂线术',
]
LOWER_FAMILY = ['父亲因结肠癌去世', '母亲{age}岁时诊断直肠癌', '哥哥患结肠癌', '父亲患家族性腺瘤性息肉病，已行全结肠切除', '家族中有{n}人患结直肠癌',
                '姐姐曾行直肠癌根治术', '母亲有结肠息肉病史，建议一级亲属行结肠镜筛查']


def lower_history(rng):
    """Admission and history sentences (主诉, 现病史, 既往史, 家族史) naming the lower tract."""
    return history(rng, LOWER_CASES, LOWER_FAMILY)


def lower_operation(rng):
    """Operation and procedure names of the lower tract, sometimes after their diagnosis."""
    return operation(rng, LOWER_CASES, LOWER_EXTRA_OPS)


LOWER_CANCER_DX = ['直肠恶性肿瘤', '直肠腺癌', '乙状结肠恶性肿瘤', '升结肠恶性肿瘤', '横结肠恶性肿瘤', '降结肠恶性肿瘤', '结肠肝曲恶性肿瘤',
                   '结肠脾曲恶性肿瘤', '盲肠恶性肿瘤', '直肠乙状结肠连接处恶性肿瘤', '肛管恶性肿瘤', '结肠癌', '直肠癌', '低位直肠癌', '结直肠癌',
                   '阑尾黏液腺癌', '结肠印戒细胞癌', '肛管鳞状细胞癌', '肛管恶性黑色素瘤', '右半结肠癌']
LOWER_CANCER_Q = ['', '', '', '（{tnml}）', '（{tnml}）', '（{stage}）', '术后', '术后化疗后', '伴肝转移', '伴肺转移', '伴腹膜转移',
                  '待排', '？', '新辅助放化疗后', '（{grade}）', '术后吻合口复发', '伴不全梗阻', '（dMMR）', '（KRAS突变型）']
LOWER_BENIGN_DX = [
    '结肠息肉', '直肠息肉', '结肠多发腺瘤', '家族性腺瘤性息肉病（结肠）', '溃疡性结肠炎', '溃疡性结肠炎（慢性复发型，全结肠型，重度活动期）', '溃疡性直肠炎',
    '克罗恩病（A2L3B1，回结肠型）', '结肠克罗恩病', '结肠憩室', '乙状结肠憩室炎', '缺血性结肠炎', '急性阑尾炎', '急性化脓性阑尾炎', '急性坏疽性阑尾炎伴穿孔',
    '慢性阑尾炎', '阑尾周围脓肿', '阑尾黏液性肿瘤', '内痔', '外痔', '混合痔', '混合痔（Ⅲ度）', '血栓性外痔', '嵌顿痔', '内痔出血', '肛瘘', '复杂性肛瘘',
    '高位肛瘘', '肛周脓肿', '坐骨直肠窝脓肿', '肛裂', '肛乳头肥大', '直肠脱垂', '直肠前突', '结肠冗长症', '乙状结肠扭转', '结肠梗阻', '结肠黑变病',
    '放射性直肠炎', '伪膜性结肠炎', '结肠造口状态', '回肠造口状态', '直肠阴道瘘', '肛门失禁', '结肠慢传输型便秘', '结肠憩室出血', '回盲部溃疡',
    '结肠脂肪瘤', '直肠类癌', '肛周尖锐湿疣', '溃疡性结肠炎合并巨细胞病毒感染', '阑尾切除术后', '直肠黏膜脱垂', '肛周湿疹', '直肠孤立性溃疡',
    '直肠神经内分泌肿瘤（G1）', '下消化道出血（结肠憩室）', '回结肠型肠套叠', '结肠侧向发育型肿瘤', '痔术后', '肛瘘术后',
]
LOWER_ICD = {'直肠恶性肿瘤': 'C20', '乙状结肠恶性肿瘤': 'C18.7', '升结肠恶性肿瘤': 'C18.2', '结肠肝曲恶性肿瘤': 'C18.3', '结肠脾曲恶性肿瘤': 'C18.5',
             '急性阑尾炎': 'K35.8', '溃疡性结肠炎': 'K51.9', '肛瘘': 'K60.3', '肛周脓肿': 'K61.0', '混合痔': 'K64.8', '结肠息肉': 'K63.5'}


def lower_diagnoses(rng):
    """A short coded diagnosis list, e.g. 直肠恶性肿瘤(pT3N1M0)；2型糖尿病."""
    return diagnosis_list(rng, LOWER_CANCER_DX, LOWER_CANCER_Q, LOWER_BENIGN_DX, LOWER_ICD)


LOWER_WORKUP = ['肠镜', '盆腔MRI', '腹部增强CT', '肛门指检', '肛周MRI', 'CEA', '血常规', '胸腹盆CT']
LOWER_ADVICE = [
    '多饮水，多食蔬菜水果，预防便秘', '注意有无便血、腹痛，不适随诊', '避免辛辣刺激饮食', '1个月后门诊复诊', '适当活动，避免劳累', '遵医嘱服药，勿自行停药',
    '定期复查血常规、CEA', '监测血压、血糖', '保持伤口清洁干燥',
]


def _names_lower(text):
    return any(w in text for w in ('结肠', '大肠', '直肠', '盲肠', '回肠', '回盲', '阑尾', '肛', '痔', '肝曲', '脾曲', '肠镜', '肠道准备'))


def lower_discharge(rng):
    """Discharge-summary sentences (出院诊断, 住院经过, 出院医嘱) naming the lower tract."""
    return discharge(rng, LOWER_CASES, LOWER_WORKUP, LOWER_ADVICE, _names_lower)


LOWER_LAY = [
    '结直肠癌筛查建议50岁以上人群每5-10年行一次结肠镜检查', '肠镜检查前一天低渣饮食，当天口服聚乙二醇电解质散，直到排出清水样便',
    '溃疡性结肠炎患者需长期口服美沙拉嗪维持缓解，不可自行停药', '痔疮患者应多饮水、多吃蔬菜，避免久坐久蹲', '便血不一定是痔疮，也可能是直肠癌，应及时做肛门指检和肠镜',
    '粪便隐血试验阳性者应进一步行结肠镜检查', '急性阑尾炎是最常见的外科急腹症之一，一经确诊应尽早手术', '肛瘘很难自愈，一般需要手术治疗',
    '结肠息肉切除后需定期复查肠镜，腺瘤性息肉有复发可能', '克罗恩病可累及回肠末端及结肠，吸烟会加重病情', '直肠癌术后能否保肛取决于肿瘤距肛缘的距离',
    '结肠造口患者应选择合适的造口袋，保持造口周围皮肤清洁', '大便习惯改变、大便变细或带血，要警惕结直肠癌', '肛周脓肿破溃后容易形成肛瘘',
    '便后温水坐浴可减轻痔疮引起的肛门疼痛', '长期便秘、排便费力是诱发痔疮和肛裂的常见原因', '家族中有人患结肠癌者，应提前到40岁开始做肠镜',
    '高脂肪、低纤维饮食会增加大肠癌的发病风险', '问：做肠镜痛吗？答：无痛肠镜在麻醉下进行，检查过程中一般没有痛苦',
    '肠道准备不充分会降低结肠息肉的检出率，必要时需重新清肠复查', '肠镜前服用聚乙二醇清肠时应在1-2小时内分次喝完', '肛裂急性期可用温水坐浴和外用药物治疗',
    '慢性阑尾炎反复发作者可择期行阑尾切除术', '炎症性肠病病程长的患者癌变风险升高，需定期复查结肠镜', '直肠指检简单易行，能发现大部分低位直肠癌',
    '阑尾切除术后早期下床活动，可减少肠粘连', '痔疮术后第一次排便可能疼痛，可在医生指导下使用止痛药', '服用铁剂的患者肠镜前需停药，以免影响肠道准备',
]
LOWER_STUDIES = [
    dict(dis=['结肠息肉', '结直肠腺瘤'], topic='波士顿肠道准备评分与结肠腺瘤检出率的关系', events=['腺瘤漏诊', '间期癌'], factors=['肠道准备不充分', '波士顿评分<6分', '退镜时间<6分钟', '年龄≥60岁'],
         treats=['分次服用聚乙二醇', '低剂量聚乙二醇方案', '人工智能辅助结肠镜'], rates=['腺瘤检出率', '肠道准备合格率', '盲肠插镜率'], kw=['结肠镜', '肠道准备', '腺瘤检出率'], kind='结直肠病变'),
    dict(dis=['局部进展期直肠癌', '低位直肠癌', '直肠癌'], topic='新辅助放化疗后直肠癌病理完全缓解的预测因素', events=['局部复发', '远处转移', '吻合口瘘', '低位前切除综合征'],
         factors=['肿瘤距肛缘<5cm', 'EMVI阳性', 'CRM阳性', '术前CEA升高', '吻合口位置低'], treats=['全程新辅助治疗', '新辅助放化疗', '腹腔镜手术', '经括约肌间切除术'],
         rates=['pCR率', '保肛率', '3年无病生存率'], kw=['直肠癌', '新辅助放化疗', '保肛', '全直肠系膜切除'], kind='消化系统恶性肿瘤'),
    dict(dis=['急性阑尾炎', '复杂性阑尾炎'], topic='腹腔镜与开腹阑尾切除术的疗效比较', events=['切口感染', '腹腔脓肿'], factors=['阑尾粪石', '穿孔', '症状>48小时'],
         treats=['腹腔镜阑尾切除术', '抗生素保守治疗'], rates=['治愈率', '1年复发率'], kw=['阑尾炎', '腹腔镜', '阑尾切除术'], kind='外科急腹症'),
    dict(dis=['溃疡性结肠炎', '回结肠型克罗恩病', '结肠克罗恩病'], topic='生物制剂治疗中重度炎症性肠病（结肠）的疗效', events=['复发', '结肠切除', '癌变'],
         factors=['病程>10年', '全结肠型', '合并原发性硬化性胆管炎', '激素依赖'], treats=['美沙拉嗪', '英夫利昔单抗', '维得利珠单抗'], rates=['临床缓解率', '黏膜愈合率'],
         kw=['溃疡性结肠炎', '克罗恩病', '生物制剂', '结肠镜'], kind='炎症性肠病'),
    dict(dis=['肛瘘', '复杂性肛瘘', '肛周脓肿'], topic='肛瘘挂线术与LIFT术的疗效比较', events=['复发', '肛门失禁'], factors=['高位肛瘘', '多个内口', '糖尿病'],
         treats=['切开挂线术', 'LIFT术'], rates=['治愈率', '肛门功能保留率'], kw=['肛瘘', '挂线', '肛门功能'], kind='肛肠疾病'),
    dict(dis=['混合痔', 'Ⅲ-Ⅳ度内痔'], topic='PPH与外剥内扎术治疗混合痔的疗效', events=['术后出血', '复发', '肛门狭窄'], factors=['痔核数目≥3个', '环状痔'],
         treats=['PPH', 'TST', '外剥内扎术'], rates=['治愈率', '术后疼痛缓解率'], kw=['混合痔', '吻合器痔上黏膜环切术', '术后疼痛'], kind='肛肠疾病'),
    dict(dis=['结肠癌', '右半结肠癌', '结直肠癌肝转移'], topic='右半结肠癌完整结肠系膜切除的生存获益', events=['局部复发', '肝转移'], factors=['淋巴结转移', '肿瘤分化差', 'dMMR', '术前CEA升高'],
         treats=['CME', '同期肝转移灶切除', 'FOLFOX化疗'], rates=['5年总生存率', 'R0切除率'], kw=['结肠癌', '完整结肠系膜切除', '肝转移'], kind='消化系统恶性肿瘤'),
    dict(dis=['结肠憩室出血', '恶性结肠梗阻'], topic='结肠支架作为手术过渡治疗恶性结肠梗阻的安全性', events=['支架移位', '穿孔', '再出血'], factors=['左半结肠梗阻', '年龄≥75岁'],
         treats=['结肠支架置入', '急诊手术'], rates=['技术成功率', '一期吻合率'], kw=['结肠梗阻', '结肠支架', '憩室出血'], kind='外科急症'),
]


def lower_lay(rng):
    """A plain-language patient-education sentence about the lower tract."""
    return lay(rng, LOWER_LAY, ['具体请遵医嘱', '如有疑问请咨询肛肠科医生', '切勿讳疾忌医'])


def lower_research(rng):
    """A research-abstract or literature sentence about the lower tract."""
    return research(rng, LOWER_STUDIES)


# Hard positives of label 2: a colonoscopy named only by its preparation, 肝曲/脾曲 outside an
# endoscopy, the ileocaecal region, anal and appendix diseases, 肝转移 of a rectal cancer.
LOWER_HARD = [
    '回肠末端见散在小溃疡，回盲瓣变形', '回盲瓣口见一{smm}mm息肉', '回肠末端淋巴滤泡增生，回盲瓣未见异常',
    'CT示结肠肝曲肠壁增厚，考虑结肠癌', '（结肠肝曲）中分化腺癌', '（结肠脾曲）管状腺瘤', '结肠脾曲癌伴梗阻', '肝曲癌根治术后{yrs}年', '增强CT：结肠肝曲见{cm}cm肿块，与肝脏分界清',
    '脾曲结肠壁增厚，周围见小淋巴结', '（肝曲）绒毛管状腺瘤伴高级别上皮内瘤变', 'PET-CT示结肠脾曲高代谢灶', '结肠肝曲癌侵犯胆囊？建议进一步检查',
    '肛周脓肿', '肛周脓肿切开引流术后', '肛瘘', '高位复杂性肛瘘', '肛瘘术后复发', '混合痔', '内痔（Ⅱ度）', '痔疮出血', '外痔', '肛周{clock}点见一{cm}cm红肿硬结，波动感（+）',
    '急性阑尾炎', '阑尾炎术后', '阑尾切除术后{yrs}年', '慢性阑尾炎', '化脓性阑尾炎，腹腔镜阑尾切除术', '阑尾粪石', '超声：阑尾肿大，考虑急性阑尾炎',
    '直肠癌伴肝转移', '直肠癌肝转移术后', '直肠癌术后，肝内多发转移', 'CT示肝内多发转移灶，原发灶为乙状结肠癌', '结直肠癌肝转移，行肝转移灶射频消融',
    '直肠癌（cT3N1M1a，肝转移）', '肝转移瘤（直肠来源）', '结肠癌肝转移，予贝伐珠单抗联合化疗',
]


# Bowel preparation and the ileocaecal region: a colonoscopy even where no segment is named.
LOWER_PREP = [
    '{bbps}', '肠道准备{prep}', '肠道准备：{prep}，波士顿评分{bbps3}', '口服聚乙二醇电解质散{peg}L行肠道准备', '肠道准备不充分，建议充分清肠后复查肠镜',
    '因肠道准备差，肠镜检查未能完成', '波士顿肠道准备评分（BBPS）{bbps3}', '复方聚乙二醇分次服用，肠道准备满意', '肠镜前一天晚上及检查当日早晨分次服用聚乙二醇',
    '肠道清洁度差，回盲部大量粪水', '肠道准备良好，回盲瓣及阑尾开口清晰可见', '肠镜检查前3天低渣饮食，肠道准备可', '肠道准备欠佳，升结肠及盲肠可见较多粪渣',
    '肠道准备差，检查未达回盲部', '肠道准备尚可，部分肠段见少量粪水，予冲洗吸引后观察', '服用复方聚乙二醇电解质散{peg}L后肠道准备良好',
    '清肠不充分，肠道准备评分{bb}分，建议1年内复查肠镜', '肠道准备：聚乙二醇{peg}L分次服用，末次排便为清水样', '乳果糖口服液清肠，肠道准备一般',
    '肠道准备不佳，可能影响小息肉检出', '检查前一日晚开始口服聚乙二醇，肠道准备{prep}', '肠镜：肠道准备{prep}，进镜至回盲部',
    '进镜至回肠末端约{n}cm，黏膜光滑，回盲瓣呈唇形，开闭好', '回盲瓣呈唇形，回肠末端绒毛正常', '回肠末端及回盲瓣未见异常，阑尾开口清晰',
]


def lower_hard(rng):
    """Hard positives of the lower tract (肠道准备, 回盲瓣, 肝曲/脾曲, 肛周, 阑尾, 肝转移 of a rectal cancer)."""
    if rng.random() < 0.35:
        return hard(rng, LOWER_PREP, heads=['', '', '', '肠镜检查：', '{date}肠镜：', '结肠镜：', '无痛肠镜：'],
                    tails=['', '', '', '，检查顺利', '，患者耐受可', '，退镜时间{n}分钟', '，已告知患者'], extras=False)
    return hard(rng, LOWER_HARD)


GENERATORS = {
    1: [(15, upper_pathology), (16, upper_imaging), (14, upper_history), (11, upper_operation), (14, upper_diagnoses),
        (9, upper_discharge), (5, upper_lay), (5, upper_research), (11, upper_hard)],
    2: [(15, lower_pathology), (16, lower_imaging), (14, lower_history), (11, lower_operation), (14, lower_diagnoses),
        (9, lower_discharge), (5, lower_lay), (5, lower_research), (11, lower_hard)],
}
