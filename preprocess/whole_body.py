"""Label 0 beyond the biliary tree: the whole body, in every register of a hospital export.

An export pulled for this task is never only endoscopy: it holds imaging,
pathology, history sentences, operation names, diagnosis lists, discharge
summaries and lay or literature sentences about every organ. Label 0 ("neither
tract") must cover all of them, or a model learns that 0 means ERCP and calls
a liver CT or a cervical biopsy "upper tract". Each organ below has its own
imaging findings, diagnoses, pathology lines and operations; the register
functions put them into the sentence shapes of each kind of document.
No text here may name an upper- or lower-tract site (synthesize.consistent checks).
"""
from preprocess import tract_registers
from preprocess.textgen import maybe, numbered, weighted

# organ: imaging findings, diagnoses, pathology lines, operations
ORGANS = {
    'liver': {
        'mod': ['上腹部CT', '腹部增强CT', '肝脏MRI', '腹部B超', '肝胆脾彩超', 'CT'],
        'img': ['肝右叶见一{cm}cm低密度灶，增强扫描呈“快进快出”', '肝S{seg}段见类圆形稍低密度影，边界清，增强后边缘结节样强化并向心性填充',
                '肝实质回声增粗增强，分布欠均匀', '肝脏体积缩小，表面凹凸不平，肝裂增宽', '肝内见多发无回声区，最大约{cm}cm，后方回声增强',
                '肝实质密度弥漫性减低，CT值低于脾脏', '肝内见多发大小不等结节，考虑转移瘤', '肝左叶见一{cm}cm高回声结节，边界清',
                '肝门区见肿大淋巴结', '肝脏弥漫性病变，门静脉增宽约{mm}mm'],
        'dx': ['肝血管瘤', '脂肪肝', '中度脂肪肝', '酒精性肝病', '肝硬化失代偿期', '乙肝肝硬化', '原发性肝癌', '肝细胞癌（BCLC B期）',
               '肝囊肿', '多发肝囊肿', '慢性乙型病毒性肝炎', '丙型病毒性肝炎', '自身免疫性肝炎', '药物性肝损伤', '肝功能异常',
               '肝脓肿', '肝继发恶性肿瘤', '非酒精性脂肪性肝病', '原发性胆汁性胆管炎', '肝性脑病'],
        'path': ['（肝穿刺）慢性肝炎G{g}S{g}', '（肝脏肿物）肝细胞癌，中分化，MVI分级M{g}', '（肝）海绵状血管瘤',
                 '（肝穿刺组织）脂肪变性约{pct}%，伴轻度炎症', '（肝S{seg}段）转移性腺癌'],
        'op': ['肝癌射频消融术', 'TACE术', '肝动脉化疗栓塞术', '腹腔镜下肝S{seg}段切除术', '右半肝切除术', '肝穿刺活检术',
               '肝囊肿开窗引流术', 'TIPS术', '经颈静脉肝内门体分流术', '肝移植术'],
    },
    'spleen_portal': {
        'mod': ['上腹部CT', '腹部彩超', 'CT', '门静脉CTV'],
        'img': ['脾脏增大，厚约{mm}mm，肋下可及', '脾内见一{cm}cm低密度灶，边界清', '门静脉主干内见充盈缺损，考虑血栓形成',
                '门静脉高压，侧支循环形成', '脾静脉迂曲扩张', '副脾', '脾脏未见明显异常', '门静脉海绵样变'],
        'dx': ['脾大', '脾功能亢进', '门静脉高压症', '门静脉血栓形成', '脾梗死', '脾囊肿', '副脾', '脾破裂'],
        'path': ['（脾脏）淤血性脾大', '（脾）脾囊肿'],
        'op': ['脾切除术', '腹腔镜脾切除术', '部分脾动脉栓塞术', '门奇断流术'],
    },
    'pancreas_gallbladder': {
        'mod': ['MRCP', '上腹部增强CT', '肝胆胰脾超声', '腹部B超'],
        'img': ['胆囊壁增厚毛糙，腔内见强回声伴声影', '胆囊内见多发强回声，随体位移动', '胰腺体积增大，周围渗出', '胰头区见一{cm}cm低密度肿块，胰管扩张',
                '胆囊腔内见{mm}mm高回声，不随体位移动，考虑息肉', '胆总管扩张，内径约{mm}mm', '胰腺尾部见囊性灶，大小约{cm}cm'],
        'dx': ['胆囊结石伴慢性胆囊炎', '急性胆囊炎', '胆囊息肉', '急性胰腺炎（轻症）', '重症急性胰腺炎', '慢性胰腺炎', '胰腺癌',
               '胰腺导管内乳头状黏液瘤', '胆管癌', '胆总管结石', '胆囊腺肌症'],
        'path': ['（胆囊）慢性胆囊炎伴胆固醇沉积', '（胰腺）导管腺癌，中-低分化', '（胆囊）腺肌症', '（胰体尾）浆液性囊腺瘤'],
        'op': ['腹腔镜胆囊切除术', 'LC术', '胰十二指肠切除术', '胰体尾切除术', '经皮经肝胆道引流术（PTCD）', '胆总管探查T管引流术'],
    },
    'urinary': {
        'mod': ['泌尿系超声', '泌尿系CT', 'CTU', '肾脏彩超', '腹部CT'],
        'img': ['右肾见一{mm}mm强回声，后伴声影', '左肾积水，输尿管上段扩张', '双肾大小形态正常，皮髓质分界清', '膀胱壁毛糙增厚，最厚处约{mm}mm',
                '膀胱充盈可，腔内未见异常回声', '前列腺增大，约{cm}×{cm}cm，内见钙化灶', '左肾上极见一{cm}cm混杂密度肿块，增强不均匀强化',
                '右侧输尿管下段结石伴上方积水', '膀胱左侧壁见一乳头状突起，大小约{cm}cm'],
        'dx': ['肾结石', '双肾结石', '输尿管结石', '肾积水', '慢性肾脏病5期', '肾功能不全', 'IgA肾病', '肾病综合征', '肾囊肿', '肾癌',
               '膀胱癌', '尿路感染', '急性肾盂肾炎', '前列腺增生', '前列腺癌', '神经源性膀胱', '糖尿病肾病'],
        'path': ['（左肾）透明细胞性肾细胞癌，WHO/ISUP {g}级', '（膀胱肿物）高级别浸润性尿路上皮癌', '（前列腺穿刺）腺癌，Gleason评分{g}+{g}={gs}分',
                 '（肾穿刺）IgA肾病（Lee分级{g}级）'],
        'op': ['经尿道膀胱肿瘤电切术（TURBT）', '输尿管镜碎石取石术', '经皮肾镜取石术', '腹腔镜根治性肾切除术', '经尿道前列腺电切术', '血液透析',
               '动静脉内瘘成形术', '腹膜透析置管术', '输尿管支架置入术'],
    },
    'gynae': {
        'mod': ['妇科超声', '经阴道超声', '盆腔MRI', '盆腔CT'],
        'img': ['子宫前位，大小约{cm}×{cm}cm，肌层回声不均，见多发低回声结节', '右侧附件区见一{cm}cm无回声区，边界清',
                '子宫直肠陷凹见液性暗区，深约{mm}mm', '直肠子宫陷凹少量积液', '子宫内膜增厚，约{mm}mm', '宫颈见多个无回声，较大者约{mm}mm',
                '左卵巢见一混合回声包块，内见分隔', '盆腔积液', '宫腔内见节育环，位置正常'],
        'dx': ['子宫肌瘤', '多发性子宫肌瘤', '子宫腺肌症', '卵巢囊肿', '卵巢巧克力囊肿', '宫颈癌ⅡA期', '宫颈上皮内瘤变Ⅲ级', '宫颈炎',
               '子宫内膜息肉', '子宫内膜癌', '卵巢癌', '异位妊娠', '多囊卵巢综合征', '盆腔炎性疾病', '先兆流产', '宫内早孕'],
        'path': ['（宫颈活检）鳞状细胞癌，非角化型', '（宫颈）HSIL（CIN Ⅲ），累及腺体', '（子宫）平滑肌瘤', '（子宫内膜）子宫内膜样腺癌，高分化',
                 '（左卵巢）高级别浆液性癌', '（右卵巢）成熟性囊性畸胎瘤'],
        'op': ['腹腔镜下子宫肌瘤剔除术', '全子宫切除术', '宫颈锥切术（LEEP）', '宫腔镜检查+诊刮术', '腹腔镜卵巢囊肿剥除术', '剖宫产术',
               '广泛性子宫切除+盆腔淋巴结清扫术'],
    },
    'chest': {
        'mod': ['胸部CT', '胸部DR', '胸片', '胸部增强CT', 'PET-CT'],
        'img': ['右肺上叶见一{mm}mm磨玻璃结节', '左肺下叶见斑片状高密度影，边缘模糊', '双肺纹理增多', '右肺中叶见一{cm}cm分叶状肿块，可见毛刺',
                '双侧胸腔积液', '纵隔淋巴结肿大', '双肺散在小结节，建议随访', '两肺间质性改变', '右侧气胸，肺压缩约{pct}%',
                '心影增大，心胸比约0.{pct}', '主动脉硬化'],
        'dx': ['肺部感染', '社区获得性肺炎', '慢性阻塞性肺疾病急性加重', '支气管哮喘', '肺结节', '肺腺癌', '肺鳞癌', '肺结核',
               '支气管扩张', '胸腔积液', '气胸', '肺栓塞', '间质性肺炎', '呼吸衰竭'],
        'path': ['（右肺上叶）浸润性腺癌，腺泡为主型', '（左肺）鳞状细胞癌', '（肺穿刺）肉芽肿性炎，抗酸染色阳性', '（纵隔淋巴结）转移性小细胞癌'],
        'op': ['胸腔镜下右肺上叶切除术', '胸腔闭式引流术', '支气管镜检查', 'CT引导下肺穿刺活检术', '胸腔穿刺抽液术', '气管插管术'],
    },
    'heart_vessels': {
        'mod': ['心脏彩超', '血管彩超', '冠脉CTA', 'CTA', '心电图'],
        'img': ['左室壁增厚，舒张功能减退', '左房增大，二尖瓣中度反流', 'LVEF约{pct}%', '冠状动脉钙化', '双侧颈动脉内中膜增厚伴斑块形成',
                '左下肢深静脉血栓形成', '腹主动脉瘤，最大径约{cm}cm', '心包少量积液'],
        'dx': ['高血压3级（极高危）', '高血压病2级', '冠状动脉粥样硬化性心脏病', '急性ST段抬高型心肌梗死', '心房颤动', '慢性心力衰竭',
               '心功能Ⅲ级（NYHA）', '不稳定型心绞痛', '扩张型心肌病', '下肢深静脉血栓', '主动脉夹层', '高脂血症'],
        'path': ['（左心耳）心肌组织，未见特殊', '（下肢静脉）血栓形成伴机化'],
        'op': ['经皮冠状动脉介入治疗（PCI）', '冠状动脉旁路移植术', '永久起搏器植入术', '射频消融术', '冠脉造影术', '下腔静脉滤器置入术',
               '颈动脉内膜剥脱术'],
    },
    'brain_nerve': {
        'mod': ['头颅MRI', '颅脑CT平扫', '腰椎MRI', '颈椎MRI', '头颅CT'],
        'img': ['左侧基底节区见斑片状长T1长T2信号，DWI高信号', '双侧侧脑室旁多发腔隙性梗死灶', '右侧额叶见一{cm}cm占位，周围水肿明显',
                '脑萎缩', '左侧颞叶脑出血，量约{n}ml', '颈椎间盘突出（C5/6）', '腰4/5椎间盘突出，硬膜囊受压'],
        'dx': ['脑梗死', '腔隙性脑梗死', '脑出血', '短暂性脑缺血发作', '帕金森病', '癫痫', '偏头痛', '阿尔茨海默病', '胶质瘤',
               '脑膜瘤', '周围神经病', '腰椎间盘突出症', '颈椎病'],
        'path': ['（右额叶）胶质母细胞瘤，WHO 4级', '（颅内肿物）脑膜瘤，WHO 1级'],
        'op': ['开颅血肿清除术', '脑室腹腔分流术', '颅内动脉瘤栓塞术', '腰椎后路减压融合内固定术', '立体定向脑活检术'],
    },
    'thyroid_breast': {
        'mod': ['甲状腺彩超', '乳腺彩超', '乳腺钼靶', '颈部超声'],
        'img': ['甲状腺右叶见一{mm}mm低回声结节，边界不清，纵横比>1，TI-RADS 4b类', '甲状腺弥漫性病变', '甲状腺左叶囊实性结节，TI-RADS 3类',
                '左乳外上象限见一{mm}mm低回声结节，BI-RADS 4a类', '双乳腺体增生', '右侧腋窝淋巴结肿大', '右乳11点钟方向见不规则低回声肿块'],
        'dx': ['甲状腺结节', '甲状腺乳头状癌', '桥本甲状腺炎', '甲状腺功能亢进症', '甲状腺功能减退症', '乳腺癌', '乳腺纤维腺瘤',
               '乳腺增生', '急性乳腺炎'],
        'path': ['（甲状腺右叶）乳头状癌，经典型，大小{cm}cm', '（左乳肿物）浸润性导管癌，Ⅱ级，ER(+)，PR(+)，HER-2(1+)，Ki-67约{pct}%',
                 '（右乳）纤维腺瘤', '（甲状腺）结节性甲状腺肿', '（左腋窝淋巴结）见癌转移（{nodes}）'],
        'op': ['甲状腺右叶及峡部切除术', '甲状腺全切+中央区淋巴结清扫术', '乳腺癌改良根治术', '保乳手术+前哨淋巴结活检', '乳腺肿物切除术',
               '超声引导下甲状腺细针穿刺'],
    },
    'bone_skin_blood': {
        'mod': ['DR', 'X线', '骨盆CT', '膝关节MRI', '全身骨扫描', 'PET-CT'],
        'img': ['右股骨颈骨折', 'L1椎体压缩性骨折', '双膝关节退行性变，关节间隙变窄', '左胫腓骨远端骨折', '骨质疏松', '右肩袖撕裂',
                '多发骨转移瘤', '颈部多发淋巴结肿大'],
        'dx': ['骨质疏松症', '股骨颈骨折', '膝骨关节炎', '类风湿关节炎', '痛风', '强直性脊柱炎', '带状疱疹', '银屑病', '湿疹',
               '荨麻疹', '蜂窝织炎', '缺铁性贫血', '再生障碍性贫血', '急性髓系白血病', '弥漫大B细胞淋巴瘤', '多发性骨髓瘤',
               '血小板减少症', '2型糖尿病', '糖尿病酮症酸中毒', '低钾血症', '败血症', '脓毒症', '发热待查', 'COVID-19感染', '流行性感冒'],
        'path': ['（颈部淋巴结）弥漫大B细胞淋巴瘤，非生发中心型', '（皮肤）基底细胞癌', '（骨髓）增生活跃，原始细胞占{pct}%',
                 '（左大腿软组织）脂肪瘤', '（皮肤）脂溢性角化病', '（右股骨）骨巨细胞瘤'],
        'op': ['人工股骨头置换术', '全膝关节置换术', '骨折切开复位内固定术', '椎体成形术', '清创缝合术', '骨髓穿刺术', '皮肤肿物切除术',
               'PICC置管术', '中心静脉置管术', '输血治疗'],
    },
}
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


IMPRESSIONS = ['', '', '建议进一步检查', '请结合临床', '建议随访复查', '建议增强扫描', '考虑良性病变可能', '性质待定', '较前片相仿',
               '较前增大', '较前明显吸收']


def imaging(rng):
    """An imaging finding, sometimes two of one organ, and an impression."""
    o = organ(rng)
    findings = [pick(rng, 'img', o) for _ in range(weighted(rng, [(6, 1), (3, 2)]))]
    head = rng.choice(['', '', rng.choice(o['mod']) + '：', rng.choice(o['mod']) + '示', '检查所见：', '影像所见：'])
    text = head + rng.choice(['，', '。', '；']).join(dict.fromkeys(findings))
    tail = rng.choice(IMPRESSIONS)
    if rng.random() < 0.35:
        tail = rng.choice(['印象：', '诊断意见：', '考虑', '提示']) + pick(rng, 'dx', o)
    return text + (rng.choice(['。', '，', '；']) + tail if tail else maybe(rng, 0.5, '。'))


def pathology(rng):
    """A pathology or immunohistochemistry line of an organ outside the GI tract."""
    o = organ(rng)
    text = pick(rng, 'path', o)
    head = rng.choice(['', '', '病理诊断：', '术后病理：', '病理：', '活检病理示', '冰冻病理：', '穿刺病理提示'])
    extra = rng.choice(['', '', '', '。免疫组化：CK(+)，Vimentin(-)，Ki-67约{pct}%', '，切缘未见癌', '，请结合临床',
                        '。特殊染色：PAS(-)', '，待免疫组化进一步明确'])
    return head + text + fill(rng, extra)


AGES = lambda rng: rng.randint(18, 88)  # noqa: E731
COMPLAINTS = ['咳嗽、咳痰{n}天', '反复胸闷{n}年，加重{n}天', '发热{n}天', '头晕头痛{n}天', '右侧肢体无力{n}小时', '尿频尿急尿痛{n}天',
              '发现甲状腺结节{n}月', '发现乳房肿块{n}月', '阴道不规则流血{n}月', '右腰部绞痛{n}小时', '皮肤巩膜黄染{n}天', '乏力、纳差{n}周',
              '双下肢水肿{n}月', '关节肿痛{n}年', '体检发现肝占位{n}天', '活动后气促{n}月', '皮疹伴瘙痒{n}天', '外伤后右髋疼痛{n}小时',
              '多饮多尿{n}年', '心悸{n}天', '恶心、呕吐{n}天', '腹痛{n}天', '腹胀、纳差{n}周', '恶心伴食欲不振{n}周', '腹痛伴发热{n}天',
              '全腹胀痛{n}天', '右上腹痛{n}天', '呕吐伴头晕{n}天']
HISTORY_TAILS = ['', '', '，门诊拟“{dx}”收入院', '，为进一步诊治入院', '，否认药物过敏史', '，无发热寒战', '，近期体重无明显变化']


STORY_COMPLAINTS = [c for c in COMPLAINTS if not c.startswith(('发现', '体检', '外伤'))]  # ones a 现病史 can tell


def present_illness(rng):
    """A 现病史 story of a complaint outside the GI tract, or of one that points nowhere (恶心, 腹痛)."""
    return tract_registers.present_illness(rng, rng.choice(STORY_COMPLAINTS))


def history(rng):
    """An EMR history sentence: 主诉, 现病史 or 既往史."""
    o = organ(rng)
    if rng.random() < 0.25:
        return present_illness(rng)
    kind = rng.random()
    if kind < 0.35:
        text = f'患者{rng.choice(["男", "女", "男性", "女性"])}，{AGES(rng)}岁，因“{fill(rng, rng.choice(COMPLAINTS))}”入院'
    elif kind < 0.55:
        text = rng.choice(['主诉：', '主诉:']) + fill(rng, rng.choice(COMPLAINTS))
    elif kind < 0.8:
        text = f'既往{pick(rng, "dx", o)}病史{rng.randint(1, 20)}年' + rng.choice(
            ['，规律服药', '，未规律治疗', '，口服药物控制可', '', '，否认手术外伤史'])
    else:
        text = f'患者{rng.randint(1, 15)}年前{rng.choice(["于外院", "在我院", "", "因病"])}行{pick(rng, "op", o)}' + rng.choice(
            ['，术后恢复可', '，术后规律复查', '', '，术后病理不详', '，术后予化疗{n}周期'])
    tail = rng.choice(HISTORY_TAILS).replace('{dx}', pick(rng, 'dx', o))
    return fill(rng, text + tail) + maybe(rng, 0.4, '。')


def operation(rng):
    """One or two operation or procedure names."""
    o = organ(rng)
    names = [pick(rng, 'op', o) for _ in range(weighted(rng, [(7, 1), (3, 2)]))]
    text = rng.choice(['+', '，', '、']).join(dict.fromkeys(names))
    return rng.choice(['', '', '', '手术名称：', '术式：', '行', '拟行', '已行']) + text + rng.choice(['', '', '', '术后', '（择期）'])


def diagnosis_list(rng):
    """A coded diagnosis list: one to four diagnoses, often of different organs."""
    items = [pick(rng, 'dx') for _ in range(weighted(rng, [(4, 1), (3, 2), (2, 3), (1, 4)]))]
    return rng.choice(['', '', '', '诊断：', '初步诊断：', '入院诊断：', '临床诊断：']) + numbered(rng, items)


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
        return rng.choice(['住院期间行', '入院后完善检查，行', '患者入院后予']) + pick(rng, 'op', o) + rng.choice(
            ['，术后恢复顺利，予出院', '，病情好转出院', '，术后予抗感染、补液等对症支持治疗', '，现一般情况可，准予出院'])
    return '出院医嘱：' + rng.choice(['低盐低脂饮食，', '注意休息，', '避免劳累，', '']) + rng.choice(
        ['规律服药，定期复查肝功能', '1月后门诊复查', '监测血压血糖', '定期复查甲状腺功能', '如有不适及时就诊', '2周后拆线',
         '肾内科门诊随诊', '妇科门诊随访', '呼吸科门诊复诊'])


EDUCATION = [
    '{dx}患者应戒烟限酒，规律作息，定期复查', '得了{dx}不用过度紧张，遵医嘱治疗大多可以控制', '{dx}早期症状不明显，体检是发现它的重要途径',
    '研究显示，{dx}的发病率逐年上升，与生活方式密切相关', '本研究回顾性分析了我院{n}例{dx}患者的临床资料', '目的：探讨{dx}的危险因素及预后',
    '{dx}的规范化治疗可显著改善患者生活质量', '有{dx}家族史的人群建议定期筛查', '多数{dx}为良性病变，定期随访即可',
    '结论：{dx}患者联合治疗组有效率高于对照组（P<0.05）', '如何预防{dx}？保持健康饮食、适量运动很重要',
]
NO_ORGAN = [
    '患者神志清，精神可，饮食睡眠可', '家属签字同意', '请结合临床', '建议定期随访', '患者拒绝进一步检查', '生命体征平稳',
    '血常规：WBC {n}.{g}×10^9/L，Hb {m}{g}g/L', '肝功能：ALT {m}U/L，AST {n}U/L', 'CEA {g}.{g}ng/ml，AFP {n}ng/ml，CA19-9 {m}U/ml',
    '予抗感染、补液等对症支持治疗', '术前准备完善，签署知情同意书', '嘱患者卧床休息，监测生命体征', '患者未诉特殊不适',
    '今日查房，患者一般情况可', '门诊随访', '复查', '随诊', '体检', '无特殊', '予营养支持治疗', '留置导尿管，尿色清',
    '体温{m}.{g}℃，脉搏{m}次/分', '血糖控制可，继续当前方案', '患者及家属要求出院', '病情告知家属，家属表示理解',
]


def plain_language(rng):
    return fill(rng, rng.choice(EDUCATION).replace('{dx}', pick(rng, 'dx'))) + maybe(rng, 0.6, '。')


def no_organ(rng):
    items = [fill(rng, rng.choice(NO_ORGAN)) for _ in range(weighted(rng, [(6, 1), (3, 2)]))]
    return '，'.join(dict.fromkeys(items)) + maybe(rng, 0.4, '。')


# Lines a keyword list reads as a tract, though they name none: the pouch of
# Douglas (子宫直肠陷凹), gastrointestinal decompression (胃肠减压), the portal
# system and the lymph nodes of the mesentery and retroperitoneum.
HARD_NEGATIVES = [
    '子宫直肠陷凹见液性暗区，深约{mm}mm', '直肠子宫陷凹少量积液', '子宫直肠陷凹积液，考虑生理性', '经阴道超声：子宫直肠陷凹未见积液',
    '盆腔少量积液，位于子宫直肠陷凹', '膀胱直肠陷凹见少量游离液体', '术后予禁食、胃肠减压、补液治疗', '留置胃肠减压管，引流液呈淡黄色',
    '急性胰腺炎，予胃肠减压、抑酶治疗', '停胃肠减压，逐步恢复流质饮食', '门静脉主干增宽，内径约{mm}mm', '门静脉右支血栓形成',
    '肠系膜根部见多发小淋巴结', '肠系膜上动脉夹层', '腹膜后见多发肿大淋巴结，最大约{cm}cm', '腹腔积液，量中等', '肠系膜脂膜炎',
    '腹主动脉旁淋巴结肿大', '大网膜增厚，呈饼状', '腹壁切口疝', '腹股沟斜疝', '脐疝修补术',
]


def hard_negative(rng):
    return fill(rng, rng.choice(HARD_NEGATIVES)) + maybe(rng, 0.4, '。')


GENERATORS = {0: [(10, hard_negative), (22, imaging), (12, pathology), (14, history), (10, operation), (16, diagnosis_list), (8, discharge),
                  (8, plain_language), (10, no_organ)]}
