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
from preprocess.textgen import maybe, numbered, weighted

TRACTS = {
    1: {
        'site': ['胃窦', '胃体', '胃角', '胃底', '贲门', '胃体小弯', '胃窦大弯', '食管中段', '食管下段', '食管胸中段', '十二指肠球部',
                 '十二指肠降部', '幽门管', '胃食管结合部', '残胃吻合口', '胃'],
        'mod': ['上腹部CT', '腹部增强CT', '胸部CT', '上消化道造影', '钡餐', '超声内镜', 'PET-CT', '腹部MRI', '食管造影'],
        'img': ['{site}壁不规则增厚，最厚约{mm}mm，增强扫描明显强化', '{site}壁增厚，浆膜面毛糙，周围脂肪间隙模糊', '{site}见充盈缺损，黏膜破坏',
                '{site}见龛影，大小约{mm}mm', '十二指肠降段壁增厚，周围渗出', '十二指肠水平段受压', '胃腔充盈欠佳，胃壁未见明显增厚',
                '食管下段管腔狭窄，呈“鸟嘴样”改变，上段扩张', '胃小弯侧见多发肿大淋巴结', '胃窦部胃壁增厚伴强化，考虑胃癌可能',
                '{site}见一{cm}cm类圆形软组织密度影，向腔外生长，考虑间质瘤', '食管中段管壁增厚，管腔狭窄，钡剂通过受阻', '胃内大量内容物潴留，胃扩张',
                '食管胃底静脉曲张'],
        'dx': ['胃恶性肿瘤', '胃癌（cT{t}N{nn}M0）', '贲门癌', '食管癌', '食管鳞癌', '胃溃疡', '十二指肠球部溃疡', '十二指肠溃疡伴出血',
               '胃溃疡伴出血', '上消化道出血（胃溃疡）', '胆汁反流性胃炎', '慢性萎缩性胃炎伴肠化', '幽门螺杆菌感染性胃炎', '幽门梗阻',
               '反流性食管炎', '贲门失弛缓症', '胃食管反流病', '食管胃底静脉曲张破裂出血', 'Barrett食管', '胃间质瘤', '胃息肉', '功能性消化不良（胃）',
               '急性胃炎', '急性胃黏膜病变', '胃MALT淋巴瘤', '十二指肠憩室', '食管裂孔疝', '胃大部切除术后', '全胃切除术后', '食管癌术后',
               '残胃炎', '胃扭转', '胃轻瘫', '食管异物', '食管狭窄'],
        'path': ['（{site}）中分化腺癌，侵达{layer}', '（{site}）低分化腺癌，部分为印戒细胞癌，Lauren分型：弥漫型', '（{site}）慢性中度萎缩性胃炎，伴中度肠上皮化生',
                 '（{site}）黏膜慢性炎，HP（+）', '（{site}）胃肠间质瘤，核分裂象<5/50HPF，危险度：低危', '（{site}）鳞状细胞癌，中分化',
                 '（{site}）低级别上皮内瘤变', '（{site}）高级别上皮内瘤变', '（{site}）增生性息肉', '（{site}）胃底腺息肉', '（十二指肠球部）黏膜慢性炎伴糜烂',
                 '（远端胃）溃疡型中分化腺癌，大小{cm}×{cm}cm，侵及{layer}，淋巴结（{nodes}）见癌转移，上下切缘未见癌',
                 '（全胃）印戒细胞癌，脉管内见癌栓，神经侵犯（+）', '（食管）Barrett食管伴低级别异型增生', '（{site}）黏膜内癌，HER-2（{her}）'],
        'op': ['根治性远端胃大部切除术（Billroth Ⅱ式）', '腹腔镜下根治性全胃切除术', '胃癌D2根治术', '食管癌根治术（Ivor Lewis）', '胃空肠吻合术',
               '十二指肠溃疡穿孔修补术', '胃穿孔修补术', '内镜下胃ESD术', '经皮内镜下胃造瘘术（PEG）', '食管支架置入术', '贲门失弛缓POEM术',
               '食管胃底静脉曲张套扎术', '胃底静脉曲张组织胶注射术', '幽门成形术', '腹腔镜胃袖状切除术', '食管球囊扩张术', '胃楔形切除术'],
        'complaint': ['上腹痛{n}月', '反复上腹部隐痛{n}年', '呕血{n}次', '黑便{n}天', '进食哽噎感{n}月', '反酸烧心{n}年', '上腹胀伴嗳气{n}月',
                      '呕吐宿食{n}天', '吞咽困难{n}月'],
        'edu': ['幽门螺杆菌感染是胃癌的重要危险因素，建议根除治疗', '胃溃疡患者应避免服用阿司匹林等非甾体抗炎药', '反流性食管炎患者睡前3小时内不宜进食',
                '胃癌早期多无明显症状，40岁以上人群建议行胃镜筛查', '目的：探讨消化性溃疡再出血的危险因素，纳入{n}例十二指肠溃疡出血患者',
                '奥美拉唑联合铋剂四联方案根除幽门螺杆菌的疗效分析', '食管癌的发生与吸烟、饮酒及进食过烫食物有关', '胃癌根治术后患者需少食多餐',
                '贲门失弛缓症是一种食管动力障碍性疾病', '胆汁反流性胃炎的治疗以促动力和保护胃黏膜为主', '研究表明，慢性萎缩性胃炎伴肠化是胃癌的癌前状态',
                '十二指肠溃疡多表现为空腹痛，进食后缓解'],
    },
    2: {
        'site': ['直肠', '直肠上段', '直肠中段', '乙状结肠', '降结肠', '横结肠', '升结肠', '结肠肝曲', '结肠脾曲', '肝曲', '脾曲', '盲肠',
                 '回盲部', '回肠末端', '阑尾', '肛管', '直肠乙状结肠交界处', '结肠'],
        'mod': ['腹部增强CT', '盆腔MRI', '直肠MRI', '全腹CT', '钡灌肠', '结肠CT成像', '腹部超声', '经直肠超声', 'PET-CT', '肛周MRI'],
        'img': ['{site}壁不规则增厚，最厚约{mm}mm，管腔狭窄，增强扫描明显强化', '{site}肠壁增厚，浆膜面毛糙，周围见小淋巴结', '{site}见一{cm}cm软组织肿块',
                '直肠中下段肠壁增厚，累及系膜筋膜，MRF（+）', '阑尾增粗，直径约{mm}mm，周围脂肪间隙模糊', '阑尾腔内见粪石',
                '乙状结肠多发憩室', '{site}见“苹果核”样充盈缺损', '结肠肝曲肠壁增厚，考虑肿瘤性病变', '肛周见条状异常信号，内口位于截石位{clock}点',
                '肛周见一{cm}cm脓腔形成', '回盲部肠壁增厚，周围淋巴结肿大', '结肠脾曲见肿块，近端结肠扩张积液', '直肠系膜内见多发淋巴结'],
        'dx': ['直肠恶性肿瘤', '直肠癌（pT{t}N{nn}M0）', '乙状结肠癌', '升结肠癌', '结肠肝曲癌', '结肠脾曲癌', '横结肠癌伴梗阻', '结肠恶性肿瘤',
               '结直肠癌肝转移', '直肠腺瘤', '结肠息肉', '结肠多发息肉', '溃疡性结肠炎', '克罗恩病（回结肠型）', '缺血性结肠炎', '急性阑尾炎',
               '慢性阑尾炎', '阑尾周围脓肿', '混合痔', '内痔出血', '血栓性外痔', '肛周脓肿', '肛瘘', '肛裂', '直肠脱垂', '结肠憩室炎',
               '乙状结肠扭转', '下消化道出血（结肠憩室）', '直肠阴道瘘', '结肠造口术后', '直肠癌术后', '放射性直肠炎', '结肠黑变病', '便秘（结肠慢传输型）'],
        'path': ['（{site}）中分化腺癌，侵达{layer}', '（{site}）管状腺瘤伴低级别上皮内瘤变', '（{site}）绒毛管状腺瘤，局灶高级别上皮内瘤变',
                 '（{site}）黏液腺癌', '（直肠）神经内分泌肿瘤，G1', '（阑尾）急性化脓性阑尾炎', '（阑尾）慢性阑尾炎急性发作', '（{site}）增生性息肉',
                 '（直肠）溃疡型中分化腺癌，大小{cm}×{cm}cm，侵透肌层达外膜，淋巴结（{nodes}）见癌转移，环周切缘阴性',
                 '（乙状结肠）腺癌，MLH1（+），MSH2（+），MSH6（+），PMS2（+），提示pMMR', '（肛瘘）慢性炎性肉芽组织', '（痔）混合痔，血管扩张淤血',
                 '（{site}）黏膜慢性活动性炎，可见隐窝脓肿', '（回盲部）肉芽肿性炎，考虑克罗恩病'],
        'op': ['腹腔镜直肠癌根治术（Dixon）', '腹会阴联合直肠癌根治术（Miles）', '腹腔镜右半结肠切除术', '左半结肠切除术', '乙状结肠切除术',
               '横结肠造瘘术', '回肠末端造口还纳术', '腹腔镜阑尾切除术', '阑尾切除术', '痔切除术', '吻合器痔上黏膜环切术（PPH）', '肛瘘切开挂线术',
               '肛周脓肿切开引流术', '结肠支架置入术', '直肠ESD术', '结肠息肉EMR术', '经肛门内镜微创手术（TEM）', '肛裂侧切术'],
        'complaint': ['便血{n}月', '大便习惯改变{n}月', '排便次数增多伴黏液脓血便{n}月', '里急后重{n}周', '右下腹痛{n}天', '转移性右下腹痛{n}小时',
                      '肛周肿痛{n}天', '肛门坠胀{n}月', '大便变细{n}月', '腹泻伴脓血便{n}年'],
        'edu': ['结直肠癌筛查建议50岁以上人群每5-10年行一次结肠镜检查', '肠镜检查前一天需低渣饮食，当天口服聚乙二醇电解质散清洁肠道',
                '溃疡性结肠炎患者可长期口服美沙拉嗪维持缓解', '痔疮患者应多饮水、多吃蔬菜，避免久坐', '便血不一定是痔疮，也可能是直肠癌',
                '目的：分析波士顿肠道准备评分与结肠腺瘤检出率的关系', '本研究纳入{n}例直肠癌新辅助放化疗患者', '急性阑尾炎是最常见的外科急腹症之一',
                '肛瘘一般需要手术治疗', '结肠息肉切除后需定期复查肠镜', '克罗恩病可累及回肠末端及结肠', '直肠癌术后保肛与否取决于肿瘤距肛缘的距离'],
    },
}

PREP_LINES = ['肠道准备{prep}，波士顿评分{b}分', '肠道准备：{prep}', '波士顿肠道准备评分{b}分（{b3}-{b3}-{b3}）', '肠道清洁度{prep}',
              '肠道准备欠佳，建议充分清肠后复查', '口服聚乙二醇电解质散行肠道准备', '肠道准备不充分，所见肠段未见明显异常',
              '患者肠道准备后行无痛结肠镜检查', '因肠道准备差，检查未能完成', '肠道准备良好，回盲瓣及阑尾开口清晰可见',
              '进镜至回肠末端，回盲瓣呈唇形，阑尾开口清晰', '回肠末端约{n}cm黏膜光滑，回盲瓣开闭可']

FIELDS = {
    'cm': lambda rng: f'{rng.randint(5, 90) / 10:.1f}',
    'mm': lambda rng: str(rng.randint(5, 30)),
    'n': lambda rng: str(rng.randint(2, 30)),
    'm': lambda rng: str(rng.randint(12, 35)),
    'nodes': lambda rng: '{}/{}'.format(*sorted(rng.sample(range(0, 36), 2))),
    't': lambda rng: rng.choice(['1', '2', '3', '4a', '4b']),
    'nn': lambda rng: rng.choice(['0', '1', '1a', '2', '2b', '3']),
    'layer': lambda rng: rng.choice(['黏膜下层', '固有肌层', '浆膜下层', '浆膜层', '外膜', '肌层']),
    'her': lambda rng: rng.choice(['0', '1+', '2+', '3+']),
    'clock': lambda rng: str(rng.randint(1, 12)),
    'prep': lambda rng: rng.choice(['良好', '好', '可', '尚可', '欠佳', '差', '一般']),
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


# Diagnoses of other systems that a GI patient carries; they name no tract.
COMORBIDITIES = ['高血压病', '2型糖尿病', '冠心病', '贫血', '低蛋白血症', '肺部感染', '慢性乙型病毒性肝炎', '肝硬化', '脂肪肝',
                 '胆囊结石', '肾囊肿', '高脂血症', '电解质紊乱', '营养不良', '脑梗死后遗症']
IMPRESSIONS = ['', '', '请结合内镜检查', '建议胃镜检查', '建议肠镜检查', '考虑恶性肿瘤可能', '较前相仿', '较前进展', '建议进一步检查']


def imaging(label):
    def imaging_line(rng):
        """An imaging finding of the tract, with an impression."""
        head = rng.choice(['', '', rng.choice(TRACTS[label]['mod']) + '：', rng.choice(TRACTS[label]['mod']) + '示', '影像所见：'])
        findings = [pick(rng, label, 'img') for _ in range(weighted(rng, [(7, 1), (3, 2)]))]
        text = head + '，'.join(dict.fromkeys(findings))
        tail = rng.choice(IMPRESSIONS)
        if 'CT' in head and rng.random() < 0.3:
            tail = rng.choice(['肝内多发低密度灶，考虑转移', '腹膜后未见肿大淋巴结', '肝脏未见明显异常', '少量腹水']) + maybe(rng, 0.5, '，' + tail)
        if tail and ('胃镜' in tail and label == 2 or '肠镜' in tail and label == 1):
            tail = ''
        return text + (rng.choice(['。', '；', '，']) + tail if tail else maybe(rng, 0.5, '。'))
    return imaging_line


def pathology(label):
    def pathology_line(rng):
        """A biopsy or resection pathology line of the tract."""
        head = rng.choice(['', '', '病理：', '术后病理：', '病理诊断：', '活检病理示', '病理回报：'])
        extra = rng.choice(['', '', '', '。免疫组化：CK20（+），CDX-2（+），Ki-67约{m}%', '，请结合临床', '，建议免疫组化',
                            '，Lauren分型：肠型' if label == 1 else '，KRAS突变型'])
        return head + pick(rng, label, 'path') + fill(rng, extra)
    return pathology_line


VAGUE_COMPLAINTS = ('上腹', '反复上腹', '右下腹', '转移性右下腹', '主诉：上腹', '主诉：反复上腹', '主诉：右下腹', '主诉：转移性')
ONSETS = ['{n}月前', '{n}年前', '{n}天前', '{n}周前', '{n}余年前', '{n}月余前']
TRIGGERS = ['无明显诱因', '无明显诱因', '', '饮酒后', '进食后', '劳累后']


def present_illness(rng, complaint):
    """A 现病史 sentence: onset, trigger and the complaint told as a story, sometimes without any site."""
    complaint = complaint.split('{n}')[0]  # the template's symptom, without its duration
    course = rng.choice(['，未予重视', '，自服药物后缓解', '，症状反复', '，近{n}周加重', '，伴乏力、消瘦', '，无发热', ''])
    text = rng.choice(['现病史：', '', '']) + '患者' + rng.choice(ONSETS) + rng.choice(TRIGGERS) + '出现' + complaint + course
    return fill(rng, text) + maybe(rng, 0.6, '。')


def history(label):
    def history_line(rng):
        """An EMR history sentence about the tract."""
        kind = rng.random()
        if rng.random() < 0.25:
            return present_illness(rng, rng.choice(TRACTS[label]['complaint']))
        if kind < 0.35:
            text = f'患者{rng.choice(["男", "女", "男性", "女性"])}，{rng.randint(20, 88)}岁，因“{pick(rng, label, "complaint")}”入院'
        elif kind < 0.5:
            text = '主诉：' + pick(rng, label, 'complaint')
        elif kind < 0.8:
            text = f'患者{rng.randint(1, 12)}年前因{pick(rng, label, "dx")}{rng.choice(["于我院", "在外院", ""])}行{pick(rng, label, "op")}' \
                + rng.choice(['，术后恢复可', '，术后化疗{n}周期', '，术后定期复查', '，术后病理不详', ''])
        else:
            text = f'既往{pick(rng, label, "dx")}病史{rng.randint(1, 20)}年' + rng.choice(['，未规律治疗', '，间断服药', '，曾行内镜治疗', ''])
        tail = rng.choice(['', '', '，为进一步诊治入院', '，近期体重下降{n}kg'])
        # A complaint like 呕血 or 便血 points at its tract by itself; vaguer ones
        # (上腹痛, 右下腹痛) get the ward's working diagnosis, which names the site.
        if kind < 0.5 and (text.split('“')[-1].startswith(VAGUE_COMPLAINTS) or rng.random() < 0.5):
            tail = rng.choice(['，门诊拟“{dx}”收入院', '，诊断为{dx}', '，外院诊断“{dx}”']).replace('{dx}', pick(rng, label, 'dx'))
        return fill(rng, text + tail) + maybe(rng, 0.4, '。')
    return history_line


def operation(label):
    def operation_line(rng):
        """An operation or procedure name of the tract."""
        text = pick(rng, label, 'op')
        if rng.random() < 0.2:
            text += rng.choice(['+', '，']) + pick(rng, label, 'op')
        return rng.choice(['', '', '', '手术名称：', '术式：', '行', '拟行']) + text + rng.choice(['', '', '', '术后', '术后第{n}天'.replace('{n}', str(rng.randint(1, 9)))])
    return operation_line


def diagnosis_list(label):
    def diagnosis_list_line(rng):
        """A coded diagnosis list: the tract's diagnoses with comorbidities of other systems."""
        items = [pick(rng, label, 'dx') for _ in range(weighted(rng, [(6, 1), (3, 2)]))]
        items += rng.sample(COMORBIDITIES, weighted(rng, [(4, 0), (3, 1), (2, 2)]))
        return rng.choice(['', '', '', '诊断：', '初步诊断：', '入院诊断：', '临床诊断：']) + numbered(rng, items)
    return diagnosis_list_line


def discharge(label):
    def discharge_line(rng):
        """A discharge-summary sentence about the tract."""
        kind = rng.random()
        if kind < 0.4:
            items = [pick(rng, label, 'dx')] + rng.sample(COMORBIDITIES, rng.randint(0, 2))
            return '出院诊断：' + numbered(rng, items)
        if kind < 0.75:
            return rng.choice(['入院后完善相关检查，于全麻下行', '住院期间行', '患者入院后行']) + pick(rng, label, 'op') + rng.choice(
                ['，术后恢复顺利，予出院', '，术后予抗感染、营养支持治疗', '，病情好转出院', '，术后病理回报：' + pick(rng, label, 'path')])
        return '出院医嘱：' + rng.choice(
            ['流质饮食逐步过渡，少食多餐，1月后复查胃镜', '继续口服雷贝拉唑1月，4周后复查胃镜', '根除HP治疗结束4周后复查呼气试验，胃部不适随诊'] if label == 1 else
            ['保持大便通畅，1年后复查肠镜', '结肠造口护理，定期更换造口袋', '温水坐浴，肛周每日换药', '口服美沙拉嗪，定期复查肠镜'])
    return discharge_line


def plain_language(label):
    def plain_language_line(rng):
        """A patient-education or research sentence about the tract."""
        return fill(rng, rng.choice(TRACTS[label]['edu'])) + maybe(rng, 0.6, '。')
    return plain_language_line


def bowel_preparation(rng):
    """Colonoscopy preparation and completion lines: lower tract though they may name no segment."""
    return fill(rng, rng.choice(PREP_LINES)) + maybe(rng, 0.5, '。')


def symptom_story(label):
    def symptom_story_line(rng):
        """A 现病史 built on the tract's own complaint (呕血, 便血 …), often with no site named."""
        return present_illness(rng, rng.choice(TRACTS[label]['complaint']))
    return symptom_story_line


def register_generators(label):
    return [(18, imaging(label)), (16, pathology(label)), (14, history(label)), (12, operation(label)),
            (18, diagnosis_list(label)), (10, discharge(label)), (8, plain_language(label)), (6, symptom_story(label))]


GENERATORS = {1: register_generators(1), 2: register_generators(2) + [(6, bowel_preparation)]}
