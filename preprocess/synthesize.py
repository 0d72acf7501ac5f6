"""Write the shipped synthetic dataset: data/all.txt, train.txt, val.txt, test.txt and labels.txt.

The real hospital reports are private, so the project ships a synthetic set
written the way endoscopy reports are written (BRIEF.md section 5):
gastroscopy walks and diagnoses (label 1), colonoscopy walks, polyps and
pathology (label 2), and ERCP / liver, gallbladder, pancreas / procedure-only
and other lines (label 0). Texts are put together from phrase banks per site,
so they vary in wording, length, punctuation (full and half width), 粘膜/黏膜,
abbreviations and the odd typo, and the keyword traps (肝曲, 脾曲, 距门齿,
距肛缘, 齿状线, 十二指肠乳头, 胃肠减压, 胃肠道, 降部/降结肠, 回肠末端) all occur
with their correct labels.

Left out on purpose:
- texts that mention both the upper and the lower tract (they have no single
  label; see `mentions_both_tracts`);
- the eight example texts of BRIEF section 2 and anything close to them
  (difflib ratio >= 0.8), so that they stay an honest check of generalisation.

The same --seed and --size always give byte-identical files.

    python preprocess/synthesize.py                # writes data/*.txt
    python preprocess/synthesize.py --seed 7 --size 5000 --out-dir /tmp/syn
"""
import argparse
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
from preprocess import registers_tract, tract_registers, whole_body  # noqa: E402
from preprocess.textgen import choose, end, fill, join_clauses, maybe, numbered, weighted  # noqa: E402
from utils.cli import fail  # noqa: E402
from utils.files import UnwritableError, check_output_files  # noqa: E402

DEFAULT_SIZE = 8000
MIN_SIZE = 100          # below this a split can miss a label entirely
MIN_CHARS = 4
# load_data() warns about texts longer than MAXLEN - 2 = 198 characters (they
# would be truncated to 200 tokens), so the shipped texts stop there.
MAX_CHARS = 198
SIMILARITY_LIMIT = 0.8  # difflib ratio at which a text counts as a copy of a BRIEF example

# Share of each label. An export pulled for this task is mostly endoscopy, but
# label 0 now spans the whole body, so it is the largest class.
LABEL_SHARES = ((1, 0.32), (2, 0.30), (0, 0.38))
LABEL_NAMES = ('其他', '上消化道', '下消化道')  # written to labels.txt beside the data

# The examples of BRIEF section 2 (preprocess/brief_examples.txt). They must be
# classified right, so they are kept OUT of the data (and anything within
# SIMILARITY_LIMIT of them).
BRIEF_EXAMPLES = load_data(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'brief_examples.txt'))

# (substring, label): the keyword traps of BRIEF section 5 (and two more), each
# present in the data with the label written here.
TRAPS = [
    ('肝曲', 2), ('脾曲', 2),
    ('距门齿', 1), ('距肛缘', 2),
    ('齿状线', 1), ('齿状线', 2),
    ('十二指肠乳头', 0),
    ('胃肠减压', 0), ('胃肠道', 0),
    ('降部', 1), ('降结肠', 2),
    ('回肠末端', 2), ('回盲瓣', 2),
    # and the hard cases of other registers (README, "The data")
    ('陷凹', 0), ('胆汁反流', 1), ('肠道准备', 2),
]

# ---------------------------------------------------------------------------
# Which tract a text names. Used to keep every text consistent with its label
# and to leave out texts that name both tracts.
# ---------------------------------------------------------------------------
UPPER_TERMS = ['食管', '贲门', '胃', '幽门', '十二指肠', '门齿', '球部', '降部', 'Barrett']
LOWER_TERMS = ['结肠', '大肠', '直肠', '盲肠', '回肠', '回盲', '阑尾', '肛', '痔', '肝曲', '脾曲', '肠镜', '肠道准备']
# Symptoms that point at one tract without naming a site, as a clinician labels them:
# vomiting blood, melaena, dysphagia and reflux are upper; rectal bleeding, tenesmus
# and a change in bowel habit are lower. (恶心, 呕吐, 腹痛 and 腹胀 point nowhere.)
UPPER_SYMPTOMS = ['呕血', '黑便', '吞咽困难', '哽噎', '反酸', '烧心', '嗳气', '呕吐宿食']
LOWER_SYMPTOMS = ['便血', '脓血便', '里急后重', '大便变细', '大便习惯改变', '排便次数增多']
UPPER_TERMS += UPPER_SYMPTOMS
LOWER_TERMS += LOWER_SYMPTOMS
# Name no single tract (or no tract at all): removed before looking for site words.
# 子宫直肠陷凹 and its kin are the pouch of Douglas, not the rectum.
NO_TRACT_TERMS = ['胃肠减压', '胃肠道', '子宫直肠陷凹', '直肠子宫陷凹', '膀胱直肠陷凹']
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
    upper = any(term in text for term in UPPER_TERMS)
    text = text.replace('十二指肠', '#')
    lower = any(term in text for term in LOWER_TERMS)
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


def too_close_to_examples(text):
    """True when difflib rates the text >= SIMILARITY_LIMIT against a BRIEF example (either way round)."""
    for example, _ in BRIEF_EXAMPLES:
        for a, b in ((text, example), (example, text)):
            matcher = difflib.SequenceMatcher(None, a, b)
            # The quick ratios are upper bounds of ratio(): cheap rejections first.
            if (matcher.real_quick_ratio() >= SIMILARITY_LIMIT and matcher.quick_ratio() >= SIMILARITY_LIMIT
                    and matcher.ratio() >= SIMILARITY_LIMIT):
                return True
    return False


# ---------------------------------------------------------------------------
# Upper tract (gastroscopy), label 1. Phrases per site, in walking order.
# ---------------------------------------------------------------------------
OESOPHAGUS_NORMAL = [
    '食管通过顺利，粘膜光滑，血管纹理清', '食管粘膜光滑，血管纹理清晰', '食管通过顺利，粘膜无殊',
    '食管各段粘膜光滑，未见糜烂及溃疡', '食管粘膜色泽正常，管腔通畅', '食管粘膜光滑，血管网清晰，扩张度好',
    '食管上中下段粘膜未见明显异常', '食管蠕动正常，粘膜光滑', '食管全程粘膜未见异常', '食管：通过顺利，粘膜光滑',
    '食管无殊', '食管粘膜光整，血管纹理清', '食管未见明显异常', '食管腔通畅，粘膜光滑柔软',
]
OESOPHAGUS_ABNORMAL = [
    '食管距门齿{dz}cm以下见{cnt}条纵行粘膜破损，长径<5mm，相互不融合',
    '食管下段见条状粘膜破损，长径>5mm，未融合', '食管下段见{cnt}处纵行糜烂，覆白苔',
    '距门齿{dz}cm见一{diam}粘膜下隆起，表面光滑，质软', '食管中下段见{n}条曲张静脉，呈串珠状，红色征阳性',
    '食管中下段见{n}条曲张静脉，最大直径约{diam}，红色征阴性', '食管下段粘膜粗糙，见散在白斑附着，不易擦去',
    '距门齿{dz}cm见一处粘膜粗糙发红，碘染色呈不染区，范围约{size}',
    '距门齿{dz}cm见不规则溃疡型新生物，管腔狭窄，内镜勉强通过', '距门齿{dz}cm见菜花样新生物，质脆，易出血，内镜不能通过',
    '食管下段见橘红色粘膜呈舌状上移约{n}cm', '距门齿{dz}cm见一{diam}乳头状隆起，表面呈白色',
    '食管上段距门齿{dz}cm见一处异位胃粘膜', '食管全程见散在白色斑点，易擦去', '食管中段见一{diam}黏膜下隆起',
    '食管腔内见较多食物残留，管腔扩张，贲门通过有阻力', '食管距门齿{dz}cm见一憩室',
]
CARDIA_NORMAL = [
    '贲门齿状线清，开闭可', '贲门开闭可，齿状线清晰', '贲门：齿状线距门齿{dcard}cm，开闭好', '贲门口开闭自如，粘膜光滑',
    '贲门粘膜光滑，开闭可', '贲门无殊', '齿状线清晰，贲门开闭好', '贲门齿状线规则，距门齿{dcard}cm', '贲门：开闭可',
    '倒镜观察贲门，粘膜光滑',
]
CARDIA_ABNORMAL = [
    '贲门口松弛，齿状线上移', '贲门齿状线模糊，其上方见条状糜烂', '贲门口见一{diam}息肉，表面光滑',
    '贲门口见溃疡型肿物，累及胃底，质脆', '贲门粘膜充血水肿', '贲门口见疝囊，{hiatus}',
    '贲门口见纵行粘膜撕裂，表面覆血痂', '倒镜见贲门口松弛', '贲门齿状线欠规整', '贲门下见一{diam}隆起{bx}',
]
FUNDUS_NORMAL = [
    '胃底粘液湖清，量中', '胃底粘液湖清亮，量少', '胃底粘膜光滑', '胃底粘膜无殊', '胃底：粘液湖清，量中',
    '胃底粘液湖清，粘膜光滑', '胃底未见异常',
]
FUNDUS_ABNORMAL = [
    '胃底粘液湖混浊，量多', '胃底粘液湖黄染', '胃底见{cnt}枚{diam}息肉，表面光滑', '胃底见迂曲静脉团，红色征阴性',
    '胃底粘膜充血', '胃底穹窿部见一{diam}粘膜下隆起，表面光滑', '胃底粘液湖黄色混浊', '胃底见较多食物残留',
]
BODY_NORMAL = [
    '胃体粘膜充血，皱襞正常', '胃体皱襞柔软，粘膜光滑', '胃体粘膜光滑，皱襞排列规则', '胃体粘膜无殊',
    '胃体：粘膜光滑，皱襞柔软', '胃体粘膜光整，充气扩张好', '胃体未见明显异常',
]
BODY_ABNORMAL = [
    '胃体粘膜红白相间', '胃体散在多发{diam}息肉，表面光滑', '胃体大弯侧见{cnt}枚扁平隆起{bx}',
    '胃体小弯侧见一{size}溃疡，底覆白苔，周边粘膜充血水肿', '胃体粘膜充血水肿，见散在出血点', '胃体下部见一黄色瘤',
    '胃体粘膜变薄，血管透见', '胃体后壁见一{diam}粘膜下隆起，表面光滑', '胃体中部大弯侧见巨大溃疡，周边堤样隆起',
    '胃体见散在点状糜烂', '胃体粘膜粗糙，皱襞增粗',
]
ANGLE_NORMAL = [
    '胃角弧度存在，粘膜光滑', '胃角切迹存在，粘膜无殊', '胃角弧度正常', '胃角：弧度存在', '胃角光滑',
    '胃角形态正常，粘膜光整',
]
ANGLE_ABNORMAL = [
    '胃角见一{size}溃疡，覆白苔，周边粘膜充血水肿', '胃角粘膜粗糙，见散在糜烂', '胃角粘膜红白相间，以白为主',
    '胃角见一浅溃疡，覆薄白苔（{ulcer}）', '胃角粘膜欠光滑{bx}', '胃角见一{diam}凹陷性病变{bx}',
]
ANTRUM_NORMAL = [
    '胃窦粘膜红白相间，以红为主', '胃窦蠕动好，粘膜光滑', '胃窦：红白相间，以红为主，蠕动好', '胃窦粘膜光滑，蠕动正常',
    '胃窦粘膜稍充血，蠕动好',
]
ANTRUM_ABNORMAL = [
    '胃窦粘膜红白相间，以白为主，散在糜烂', '胃窦粘膜充血，见散在点片状糜烂', '胃窦粘膜粗糙，散在糜烂，蠕动好',
    '胃窦见多发疣状隆起，顶端糜烂', '胃窦粘膜变薄，血管透见', '胃窦前壁见一{size}溃疡，底覆白苔',
    '胃窦小弯侧见一{diam}隆起，表面糜烂{bx}', '胃窦粘膜呈颗粒样改变', '胃窦粘膜充血水肿，呈条状发红',
    '胃窦红白相间，以白为主，见散在糜烂灶{bx}', '胃窦大弯侧见一{diam}息肉{bx}', '胃窦粘膜花斑样，散在出血点',
]
PYLORUS_NORMAL = ['幽门孔圆，开放可', '幽门开闭好', '幽门口圆，开闭自如', '幽门：孔圆，开放可', '幽门圆，开放好', '幽门无殊']
PYLORUS_ABNORMAL = [
    '幽门口变形，开放欠佳', '幽门口可见胆汁反流', '幽门孔圆，可见黄色胆汁反流', '幽门口水肿', '幽门口见一{diam}溃疡',
    '幽门口充血水肿，通过稍困难',
]
BULB_NORMAL = [
    '十二指肠球部粘膜无殊', '十二指肠球部未见溃疡及畸形', '十二指肠球部粘膜光滑', '十二指肠球腔无畸形，粘膜光滑',
    '十二指肠：球部及降部未见异常', '十二指肠球部及降部粘膜光滑', '球部、降部未见明显异常', '十二指肠球部无殊',
]
BULB_ABNORMAL = [
    '十二指肠球部前壁见一{size}溃疡，覆白苔', '十二指肠球部变形，见霜斑样溃疡', '十二指肠球部粘膜充血水肿',
    '十二指肠球部粘膜充血，散在糜烂', '十二指肠球部后壁见一溃疡，底覆血痂', '十二指肠球部见一{diam}隆起{bx}',
    '十二指肠球部前后壁见对吻溃疡（{ulcer}）',
]
DESCENDING_NORMAL = [
    '十二指肠降部未见异常', '降部粘膜光滑', '十二指肠降部粘膜无殊，乳头形态正常', '降部未见明显异常',
    '十二指肠降部粘膜绒毛正常',
]
DESCENDING_ABNORMAL = [
    '降部见霜斑样糜烂', '降部见散在点状糜烂', '十二指肠降部见一憩室', '降部乳头旁见一憩室', '十二指肠降部粘膜充血',
    '降部见一{diam}息肉样隆起{bx}', '十二指肠降部见散在白色颗粒样改变',
]
UPPER_WALK = [
    (OESOPHAGUS_NORMAL, OESOPHAGUS_ABNORMAL), (CARDIA_NORMAL, CARDIA_ABNORMAL), (FUNDUS_NORMAL, FUNDUS_ABNORMAL),
    (BODY_NORMAL, BODY_ABNORMAL), (ANGLE_NORMAL, ANGLE_ABNORMAL), (ANTRUM_NORMAL, ANTRUM_ABNORMAL),
    (PYLORUS_NORMAL, PYLORUS_ABNORMAL), (BULB_NORMAL, BULB_ABNORMAL), (DESCENDING_NORMAL, DESCENDING_ABNORMAL),
]
GASTRITIS = ['慢性非萎缩性胃炎', '慢性浅表性胃炎', '慢性萎缩性胃炎', '慢性胃炎', '非萎缩性胃炎', '萎缩性胃炎',
             '慢性非萎缩性胃炎（胃窦为主）', '慢性萎缩性胃炎（C1）', '慢性萎缩性胃炎（C2）', '胆汁反流性胃炎',
             '慢性浅表-萎缩性胃炎', '糜烂性胃炎', '疣状胃炎', '残胃炎', '胃窦炎']
GASTRITIS_SUFFIX = ['', '', '伴糜烂', '伴糜烂', '伴胆汁反流', '伴胆汁返流', '伴隆起糜烂', '伴平坦糜烂', '伴出血',
                    '伴肠化', '（中度）', '，HP(+)', '伴糜烂，HP阳性', '伴疣状隆起', '（轻度）', '伴多发糜烂']
UPPER_DIAGNOSES = [
    '反流性食管炎（{la}）', '反流性食管炎{la}', '反流性食管炎', 'Barrett食管', 'Barrett食管？', '食管静脉曲张（轻度）',
    '食管静脉曲张（中度）', '食管静脉曲张（重度），红色征阳性', '食管胃底静脉曲张', '胃底静脉曲张', '胃息肉',
    '胃多发息肉', '胃体多发息肉', '胃底腺息肉', '胃溃疡（{ulcer}）', '胃角溃疡（{ulcer}）', '胃窦溃疡{ulcer}',
    '十二指肠球部溃疡（{ulcer}）', '十二指肠球部溃疡{ulcer}', '胃及十二指肠复合性溃疡', '十二指肠球炎', '十二指肠降部憩室',
    '食管裂孔疝', '贲门炎', '贲门撕裂综合征', '食管乳头状瘤', '胃黄色瘤', '胃窦隆起性病变', '胃体粘膜下隆起',
    '食管粘膜下隆起', '食管癌', '食管癌？', '贲门癌', '胃癌', '胃窦癌（Borrmann Ⅲ型）', '胃角早癌？', '食管早癌可能',
    '门脉高压性胃病', '胃潴留', '贲门失弛缓症', '真菌性食管炎', '食管异物', '胃内异物', '胃石症',
    '十二指肠球部霜斑样溃疡', '十二指肠炎', '胃息肉（已钳除）', '胃间质瘤可能', '吻合口炎（胃大部切除术后）',
    'Barrett食管（C1M2）', '慢性胃炎，HP感染', '胃窦糜烂', '食管炎',
]
UPPER_SHORT_FINDINGS = [
    '降部霜斑样糜烂', '降部散在糜烂', '球部溃疡（{ulcer}）', '胃窦散在糜烂', '胃体多发息肉', '食管下段粘膜破损',
    '十二指肠降部憩室', '胃底粘液湖黄染', '贲门口松弛', '胃窦粘膜粗糙', '胃角溃疡', '球部变形', '食管下段纵行糜烂',
    '胃底息肉', '幽门口胆汁反流', '胃窦疣状隆起', '十二指肠球部充血', '降部乳头旁憩室', '齿状线上移',
]
UPPER_PATHOLOGY = [
    '慢性萎缩性胃炎伴肠上皮化生', '粘膜慢性炎伴轻度肠上皮化生', '粘膜中度慢性炎，活动性', '低级别上皮内瘤变',
    '高级别上皮内瘤变', '腺癌', '中分化腺癌', '印戒细胞癌', '鳞状细胞癌', '胃底腺息肉', '增生性息肉',
    '粘膜慢性炎，HP(+)', '鳞状上皮增生', '轻度肠上皮化生', '粘膜慢性炎伴糜烂', '慢性非萎缩性胃炎', '黄色瘤',
    '低级别上皮内瘤变伴肠上皮化生', '粘膜慢性炎，HP(-)',
]
UPPER_PATH_SITES = ['胃窦', '胃角', '胃体', '胃底', '贲门', '食管', '十二指肠球部', '食管下段', '胃窦小弯', '胃体大弯',
                    '食管距门齿30cm', '十二指肠降部', '胃角前壁']
UPPER_PROCEDURES = [
    '食管静脉曲张套扎术（EVL）', '食管静脉曲张套扎术，套扎{n}环', '胃底静脉曲张组织胶注射术', '胃底静脉曲张组织胶注射{n}点',
    '胃窦ESD术', '食管早癌ESD术', '胃体EMR术', '胃息肉APC灼除术', '十二指肠球部溃疡出血，予钛夹止血',
    '胃体溃疡出血，予去甲肾上腺素局部喷洒止血', '食管狭窄球囊扩张术', '食管支架置入术', '经皮内镜下胃造瘘术（PEG）',
    '贲门失弛缓症POEM术', '食管异物取出术', '胃内异物取出术', '胃窦活检{b}块', '于胃角活检{b}块送病理',
    '胃镜下止血术', '食管狭窄探条扩张术', '胃窦溃疡出血，予钛夹{k}枚夹闭止血', '胃底静脉曲张硬化剂注射',
    '胃息肉圈套摘除术', '贲门ESD术后复查', '胃ESD术后，创面愈合良好', '食管ESD术后瘢痕形成',
]
UPPER_SITE_NAMES = ['食管', '贲门', '胃底', '胃体', '胃角', '胃窦', '幽门', '十二指肠球部', '十二指肠', '降部']
UPPER_WALK_ENDINGS = ['快速尿素酶试验：阳性', 'HP快速尿素酶试验阴性', '于胃窦、胃角各取活检{b}块', '余未见明显异常',
                      '胃窦活检1块送病理', 'C13呼气试验阳性', '检查过程顺利，患者无不适', '建议根除HP治疗后复查',
                      '建议定期复查胃镜', '病理待回报', '于胃窦小弯取活检{b}块', '余胃粘膜未见明显异常']
UPPER_OPENINGS = ['', '', '', '进镜顺利，', '咽部无殊，', '麻醉下进镜，', '无痛胃镜：', '胃镜所见：', '镜下所见：']
UPPER_DIAG_PREFIX = ['', '', '', '', '诊断：', '检查结论：', '内镜诊断：', '印象：', '镜下诊断:', '胃镜诊断：', '结论：',
                     '胃镜提示：']


def gastritis(rng):
    return rng.choice(GASTRITIS) + rng.choice(GASTRITIS_SUFFIX)


def upper_diagnosis(rng):
    return weighted(rng, [(3, gastritis), (3, lambda r: choose(r, UPPER_DIAGNOSES))])(rng)


def upper_diagnosis_line(rng):
    """1 to 3 diagnoses, maybe numbered, maybe with a 诊断： prefix."""
    count = weighted(rng, [(5, 1), (3, 2), (1, 3)])
    items = [upper_diagnosis(rng) for _ in range(count)]
    return rng.choice(UPPER_DIAG_PREFIX) + numbered(rng, items)


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
        sites = sites[:-1]  # BULB_NORMAL often covers the 降部 as well
    clauses = site_findings(rng, sites, rng.choice([0.15, 0.25, 0.35, 0.5]))
    if len(clauses) == len(UPPER_WALK) and '降部' in clauses[-2]:
        clauses = clauses[:-1]  # the 球部 phrase already covered the 降部
    clauses = colon_style(rng, clauses, UPPER_SITE_NAMES)
    if rng.random() < 0.4:
        clauses = add_biopsy_marks(rng, clauses)
    text = rng.choice(UPPER_OPENINGS) + join_clauses(rng, clauses, seps=('。', '。', '，', '；', '.', ''))
    ending = weighted(rng, [(4, ''), (3, 'diag'), (2, 'other')])
    if ending == 'diag':
        text += rng.choice(['。诊断：', '。', ' ', '。检查结论：']) + upper_diagnosis(rng)
    elif ending == 'other':
        text += '。' + choose(rng, UPPER_WALK_ENDINGS)
    return end(rng, text)


def upper_walk_partial(rng):
    """A run of 1 to 6 consecutive sites, often abnormal, maybe with a diagnosis."""
    length = weighted(rng, [(2, 1), (3, 2), (3, 3), (2, 4), (1, 5), (1, 6)])
    start = rng.randint(0, len(UPPER_WALK) - length)
    clauses = site_findings(rng, UPPER_WALK[start:start + length], 0.6)
    text = rng.choice(UPPER_OPENINGS) + join_clauses(rng, colon_style(rng, clauses, UPPER_SITE_NAMES))
    tail = weighted(rng, [(6, ''), (2, 'diag'), (1, 'hp'), (1, 'bx')])
    if tail == 'diag':
        text += rng.choice(['。', '。诊断：', '，考虑', ' ']) + upper_diagnosis(rng)
    elif tail == 'hp':
        text += rng.choice(['。快速尿素酶试验阳性', '。HP(+)', '，Hp(-)', '。C13呼气试验阳性'])
    elif tail == 'bx':
        text += fill(rng, '{bx}')
    return end(rng, text)


def upper_focal(rng):
    """One lesion with its measurement and what was done."""
    lesion = rng.choice([
        '距门齿{dz}cm见一{diam}{ptype}息肉', '胃体大弯侧见一{ptype}息肉，大小约{size}', '胃窦前壁见一{size}隆起',
        '胃底见一{diam}半球形隆起', '距门齿{dz}cm食管见一{size}平坦型病变，碘染不染', '贲门下见一{size}浅表凹陷型病变',
        '胃角见一溃疡，大小约{size}，覆白苔（{ulcer}）', '十二指肠球部前壁见一溃疡，大小约{size}，可见血管残端',
        '胃窦小弯侧见一{diam}{ptype}息肉', '胃体上部后壁见一{size}粘膜下隆起',
    ])
    action = rng.choice(['，{removal}', '，{removal}，{clip}', '{bx}', '，{surface}', '，{surface}{bx}',
                         '，予钛夹{k}枚夹闭止血', '，予ESD完整剥离', '，超声内镜示起源于固有肌层', ''])
    text = fill(rng, lesion + action)
    if rng.random() < 0.3:
        text = choose(rng, OESOPHAGUS_NORMAL + CARDIA_NORMAL) + '，' + text
    if rng.random() < 0.25:
        text += '。' + upper_diagnosis(rng)
    return end(rng, text)


def upper_findings_and_diagnosis(rng):
    """Diagnosis and a short finding run together, as in 慢性…胃炎伴糜烂降部霜斑样糜烂."""
    parts = [upper_diagnosis(rng), choose(rng, UPPER_SHORT_FINDINGS)]
    if rng.random() < 0.4:
        parts.reverse()
    return rng.choice(['', '', '，', '。', ' ', '；']).join(parts)


def quoted(rng, site):
    return rng.choice(['“{}”', '“{}”', '（{}）', '({})', '{}：', '"{}"', '{}']).format(site)


def upper_pathology(rng):
    """Pathology results with their sites, e.g. “胃窦”慢性萎缩性胃炎伴肠上皮化生。"""
    count = weighted(rng, [(4, 1), (3, 2), (1, 3)])
    sites = rng.sample(UPPER_PATH_SITES, count)
    parts = [quoted(rng, s) + rng.choice(UPPER_PATHOLOGY) for s in sites]
    prefix = rng.choice(['', '', '病理：', '病理诊断：', '病理示：', '活检病理：'])
    return end(rng, prefix + rng.choice(['。', '；', '，', ' ']).join(parts))


def upper_procedure(rng):
    items = [choose(rng, UPPER_PROCEDURES) for _ in range(weighted(rng, [(4, 1), (1, 2)]))]
    return rng.choice(['', '', '治疗：', '内镜治疗：', '术式：']) + rng.choice(['，', '+', '；']).join(dict.fromkeys(items))


# Short texts around each upper-tract trap; upper_trap() picks a trap first, so
# every trap gets its share.
UPPER_TRAPS = {
    '距门齿': [  # measured from the incisors: points up
        '距门齿{dz}cm见一{diam}隆起，表面光滑', '食管距门齿{dz}cm见纵行糜烂', '距门齿{dz}cm见曲张静脉，予套扎{n}环',
        '食管异物：距门齿{dz}cm见一枚鱼刺嵌顿，予异物钳取出', '距门齿{dz}cm处管腔狭窄，内镜不能通过',
        '距门齿{dz}cm见环周新生物{bx}', '距门齿{dz}cm食管粘膜见片状发红', '病灶位于距门齿{dz}cm，食管左侧壁',
        '距门齿{dz}cm见一{diam}憩室', '{hiatus}', '距门齿{dz}cm见一枚硬币，予网篮取出',
        '距门齿{dz}cm起见橘红色粘膜上移', '距门齿{dz}cm见吻合口，吻合口通畅', '距门齿{dz}cm见粘膜破损，长径<5mm',
    ],
    '齿状线': [  # in a gastroscopy: the Z-line at the cardia
        '齿状线清，贲门开闭可', '齿状线清晰，贲门开闭好', '贲门齿状线距门齿{dcard}cm，齿状线清', '齿状线模糊，其上食管下段见{cnt}条纵行糜烂',
        '齿状线上移{n}cm，呈舌状，考虑Barrett食管', '齿状线欠规则，贲门口松弛', '倒镜观察贲门，齿状线清晰，开闭可',
        '食管下段齿状线处见条状粘膜破损（{la}）', '齿状线上方食管见岛状橘红色粘膜', '贲门：齿状线不清', '齿状线呈锯齿状，食管下段粘膜光滑',
        '贲门齿状线处见一{diam}息肉样隆起', '胃镜：齿状线清，胃底粘液湖清', '齿状线上移，食管裂孔疝',
    ],
    '降部': [  # 降部 is the descending duodenum; 降结肠 is colon
        '十二指肠降部见一{diam}息肉', '降部霜斑样溃疡', '降部粘膜光滑，未见异常', '球部及降部粘膜无殊',
        '降部乳头旁见一憩室，大小约{size}', '降部见散在糜烂{bx}', '十二指肠降部粘膜粗糙，呈白色颗粒样',
        '球部溃疡（{ulcer}），降部未见异常', '进镜至十二指肠降部，未见异常', '降部见一溃疡，覆白苔', '降部见多发点状糜烂',
        '十二指肠降部乳头形态正常', '降部粘膜充血水肿', '十二指肠降部绒毛萎缩',
    ],
}


def trap_text(rng, groups, **given):
    """A phrase from one trap group, the group chosen first so each trap gets its share."""
    return choose(rng, groups[rng.choice(list(groups))], **given)


def upper_trap(rng):
    text = trap_text(rng, UPPER_TRAPS)
    if rng.random() < 0.25:
        text += rng.choice(['。', '，', '；']) + upper_diagnosis(rng)
    return text


UPPER_GENERATORS = [
    (15, upper_diagnosis_line), (32, upper_walk_full), (17, upper_walk_partial), (11, upper_focal),
    (9, upper_findings_and_diagnosis), (9, upper_pathology), (7, upper_procedure), (11, upper_trap),
]

# ---------------------------------------------------------------------------
# Lower tract (colonoscopy), label 2.
# ---------------------------------------------------------------------------
COLON_DISTANCE = {  # typical 距肛缘 (cm) of each segment
    '直肠': (2, 15), '乙状结肠': (15, 40), '降结肠': (35, 50), '脾曲': (45, 55), '结肠脾曲': (45, 55),
    '横结肠': (50, 75), '肝曲': (65, 80), '结肠肝曲': (65, 80), '升结肠': (75, 90), '盲肠': (85, 95),
}
ANUS_OPENINGS = [
    '肛门通过顺利', '肛门指检未触及肿物', '肛门指检无殊，进镜顺利', '肛门外观无殊，指检未及异常', '进镜顺利',
    '肛门通过顺利，戴透明帽进镜', '肛门指检：指套无血染', '肛门：通过顺利', '麻醉下进镜，肛门通过顺利',
    '{bbps}', '肠道准备{prep}', '循腔进镜至回肠末端，退镜观察', '进镜至回盲部，退镜观察',
    '肛门通过顺利，循腔进镜至回肠末端{n}cm',
]
TERMINAL_ILEUM = [
    '回肠末端粘膜光滑，绒毛正常', '进入回肠末端{n}cm，粘膜未见异常', '回肠末端见散在淋巴滤泡增生', '回肠末端未见异常',
    '回肠末端见多发阿弗他溃疡', '回肠末端粘膜充血水肿，见纵行溃疡', '回肠末端：粘膜光滑', '回肠末端绒毛可',
]
CAECUM = [
    '盲肠：阑尾开口呈半月形，回盲瓣呈唇样', '回盲部未见异常', '阑尾开口清晰，回盲瓣开闭可', '盲肠粘膜光滑，阑尾开口可见',
    '回盲瓣呈乳头样，开闭好', '盲肠见一{size}侧向发育型肿物', '回盲瓣见一{diam}溃疡', '盲肠：阑尾开口清，粘膜光滑',
    '回盲瓣唇形，阑尾开口呈月牙形', '盲肠见一{diam}{ptype}息肉',
]
COLON_NORMAL = {
    '升结肠': ['升结肠粘膜光滑', '升结肠未见异常', '升结肠：粘膜光滑，血管纹理清'],
    '肝曲': ['肝曲未见异常', '肝曲粘膜光滑', '结肠肝曲无殊'],
    '横结肠': ['横结肠粘膜光滑，结肠袋存在', '横结肠粘膜未见异常', '横结肠：结肠袋存在，粘膜光滑'],
    '脾曲': ['脾曲未见异常', '脾曲粘膜光滑', '结肠脾曲无殊'],
    '降结肠': ['降结肠粘膜光滑，血管纹理清', '降结肠未见异常', '降结肠：粘膜光滑'],
    '乙状结肠': ['乙状结肠粘膜光滑', '乙状结肠迂曲，进镜稍困难，粘膜光滑', '乙状结肠未见异常', '乙状结肠冗长，反复结袢'],
    '直肠': ['直肠粘膜光滑，血管纹理清', '直肠未见明显异常', '直肠：粘膜光滑', '直肠粘膜光滑，倒镜未见异常'],
}
COLON_ABNORMAL_ANY = [  # {site} is filled with the segment name
    '{site}见一{size}{ptype}息肉', '{site}见一{ptype}息肉，大小约{size}，{removal}', '{site}见{cnt}枚{diam}息肉{bx}',
    '{site}见多发憩室开口', '{site}粘膜充血水肿，散在糜烂', '{site}见一{diam}息肉，{surface}，{removal}',
    '{site}粘膜呈褐色，见网格样色素沉着', '{site}见一{size}侧向发育型肿瘤（LST-G）', '{site}见散在点片状糜烂',
    '{site}见一溃疡型肿物，占据肠腔{frac}周，质脆，触之易出血{bx}', '{site}血管纹理模糊，见散在浅溃疡',
    '{site}见一{diam}黄色粘膜下隆起，表面光滑',
]
RECTUM_ABNORMAL = [
    '距肛缘{dr}cm直肠见一{diam}{ptype}息肉', '直肠粘膜充血水肿，见散在糜烂及浅溃疡，表面覆脓性分泌物',
    '直肠距肛缘{dr}cm见一不规则溃疡型肿物，占据肠腔{frac}周', '直肠见一{diam}黄色粘膜下隆起，表面光滑',
    '直肠粘膜呈颗粒样，血管纹理消失', '直肠粘膜见散在点状充血', '直肠见放射状毛细血管扩张',
]
ANAL_FINDINGS = [
    '倒镜见内痔', '肛门口见痔核', '倒镜见齿状线上方{n}枚痔核，表面充血', '肛管见肛乳头肥大', '肛门：见外痔',
    '倒镜：齿状线上方见内痔', '肛门口见混合痔', '肛缘见一皮赘', '倒镜见齿状线清晰，未见痔核',
    '倒镜见齿状线上方{cnt}枚内痔，予套扎{n}环',
]
LOWER_SITE_NAMES = ['回肠末端', '盲肠', '升结肠', '肝曲', '横结肠', '脾曲', '降结肠', '乙状结肠', '直肠', '肛门']
LOWER_WALK_ENDINGS = ['{bbps}', '余结肠未见明显异常', '退镜观察未见其他异常', '建议1年后复查肠镜',
                      '病理待回报', '息肉已全部摘除，建议术后禁食6小时', '肠腔内见较多粪水，影响观察', '余所见肠段未见异常']
LOWER_SEGMENTS = ['直肠', '乙状结肠', '降结肠', '脾曲', '横结肠', '肝曲', '升结肠']  # walking upwards
LOWER_DIAGNOSES = [
    '结肠息肉', '结肠息肉（已摘除）', '直肠息肉', '乙状结肠息肉', '横结肠多发息肉', '结肠多发息肉（已摘除）',
    '乙状结肠息肉（山田Ⅱ型）', '升结肠息肉', '降结肠息肉', '肝曲息肉', '脾曲息肉', '直肠息肉EMR术后',
    '内痔', '内痔（Ⅱ度）', '内痔（II度）', '混合痔', '内痔伴出血', '溃疡性结肠炎（活动期）', '溃疡性结肠炎（缓解期）',
    '溃疡性结肠炎（初发型，左半结肠型，活动期，Mayo {n}分）', '溃疡性直肠炎', '克罗恩病（回结肠型）', '结肠克罗恩病？',
    '结肠憩室', '乙状结肠多发憩室', '结肠黑变病', '直肠癌', '乙状结肠癌', '升结肠癌', '结肠癌？', '直肠占位',
    '升结肠肿物性质待定', '直肠炎', '放射性直肠炎', '回肠末端炎', '直肠神经内分泌肿瘤', '直肠NET（G1）',
    '结肠侧向发育型肿瘤（LST-NG）', '肛乳头肥大', '缺血性结肠炎', '结肠脂肪瘤', '直肠粘膜下隆起', '全结肠炎',
    '结肠炎', '乙状结肠冗长', '直肠溃疡', '结肠癌术后，吻合口未见复发', '回盲部溃疡', '阑尾开口炎',
    '结肠多发息肉（{n}枚，已APC治疗）', '肛瘘', '结肠肝曲侧向发育型肿瘤', '降结肠憩室炎', '肠道准备欠佳，结肠未见明显异常',
]
LOWER_PATHOLOGY = [
    '管状腺瘤', '管状腺瘤伴低级别上皮内瘤变', '绒毛管状腺瘤', '绒毛管状腺瘤伴高级别上皮内瘤变', '增生性息肉',
    '炎性息肉', '无蒂锯齿状病变', '锯齿状腺瘤', '中分化腺癌', '粘膜慢性炎', '粘膜慢性活动性炎', '神经内分泌肿瘤（G1）',
    '脂肪瘤', '管状绒毛状腺瘤', '低级别上皮内瘤变', '高级别上皮内瘤变', '腺瘤性息肉', '幼年性息肉',
    '粘膜慢性炎伴隐窝脓肿', '黏膜内癌',
]
LOWER_PATH_SITES = ['直肠', '乙状结肠', '降结肠', '横结肠', '升结肠', '盲肠', '肝曲', '脾曲', '回肠末端', '回盲部',
                    '结肠肝曲', '结肠脾曲', '距肛缘15cm', '距肛缘{dr}cm', '乙状结肠息肉', '直肠息肉', '回盲瓣']
LOWER_PROCEDURES = [
    '内痔套扎术', '内痔套扎术，套扎{n}环', '结肠息肉EMR术', '直肠ESD术', '{seg}息肉圈套摘除术+钛夹夹闭',
    '结肠镜下止血术', '{seg}息肉APC治疗', '结肠支架置入术', '乙状结肠扭转内镜下复位术', '内痔硬化剂注射术',
    '{seg}息肉冷圈套切除术', '{seg}LST行ESD术', '结肠镜下息肉切除术', '直肠息肉EMR+钛夹封闭术', '{seg}活检{b}块',
    '结肠ESD术后复查', '直肠NET行ESMR-L', '{seg}息肉切除术后出血，予钛夹{k}枚止血',
]
LOWER_DIAG_PREFIX = ['', '', '', '', '诊断：', '检查结论：', '内镜诊断：', '印象：', '结论：', '肠镜诊断：', '结肠镜诊断：',
                     '镜下诊断:']


def lower_diagnosis_line(rng):
    count = weighted(rng, [(5, 1), (3, 2), (1, 3)])
    items = [choose(rng, LOWER_DIAGNOSES) for _ in range(count)]
    return rng.choice(LOWER_DIAG_PREFIX) + numbered(rng, items)


def colon_segment(rng, seg, p_abnormal):
    if rng.random() >= p_abnormal:
        return rng.choice(COLON_NORMAL[seg])
    if seg == '直肠' and rng.random() < 0.5:
        return choose(rng, RECTUM_ABNORMAL)
    finding = choose(rng, COLON_ABNORMAL_ANY, site=seg)
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
    top = [choose(rng, CAECUM)] + maybe(rng, 0.7, [choose(rng, TERMINAL_ILEUM)], [])
    bottom = [maybe(rng, 0.3, choose(rng, ANAL_FINDINGS))]
    if full:
        if rng.random() < 0.7:  # written in the direction of insertion
            clauses = [choose(rng, ANUS_OPENINGS)] + clauses + top + bottom
        else:                   # written on withdrawal
            clauses = [rng.choice(['进镜至回肠末端，退镜观察：', '循腔进镜至回盲部，退镜：', '退镜观察：'])] \
                + list(reversed(top)) + list(reversed(clauses)) + bottom
            clauses = [clauses[0] + clauses[1]] + clauses[2:]
    elif rng.random() < 0.3:
        clauses = [choose(rng, ANUS_OPENINGS)] + clauses
    clauses = colon_style(rng, clauses, LOWER_SITE_NAMES)
    if rng.random() < 0.35:
        clauses = add_biopsy_marks(rng, clauses)
    text = join_clauses(rng, clauses, seps=('。', '。', '，', '；', '.'))
    ending = weighted(rng, [(5, ''), (3, 'diag'), (1, 'other')])
    if ending == 'diag':
        text += rng.choice(['。诊断：', '。', ' ', '。检查结论：']) + choose(rng, LOWER_DIAGNOSES)
    elif ending == 'other':
        text += '。' + choose(rng, LOWER_WALK_ENDINGS)
    return end(rng, text)


def lower_polyp(rng):
    """A polyp found at a distance from the anal verge and removed."""
    text = polyp_sentence(rng)
    if rng.random() < 0.3:
        text += rng.choice(['。', '；', '。另']) + polyp_sentence(rng)
    opening = maybe(rng, 0.5, choose(rng, ANUS_OPENINGS) + '，')
    return end(rng, opening + text)


def polyp_sentence(rng):
    seg = rng.choice(list(COLON_DISTANCE))
    low, high = COLON_DISTANCE[seg]
    where = rng.choice([f'距肛缘{rng.randint(low, high)}cm{seg}{maybe(rng, 0.5, "处")}',
                        f'{seg}距肛缘{rng.randint(low, high)}cm{maybe(rng, 0.5, "处")}',
                        f'{seg}', f'距肛缘约{rng.randint(low, high)}cm'])
    see = rng.choice(['见', '可见', '见', '可见'])
    polyp = rng.choice(['一{ptype}息肉，大小约{size}', '一{diam}{ptype}息肉', '{cnt}枚{ptype}息肉，最大约{size}',
                        '一息肉，大小约{size}，{ptype}', '一{size}大小息肉'])
    clauses = [where + see + polyp]
    if rng.random() < 0.4:
        clauses.append('{surface}')
    clauses.append('{removal}')
    if rng.random() < 0.7:
        clauses.append('{clip}')
    return fill(rng, '，'.join(clauses))


def lower_normal_summary(rng):
    """Whole-colon normal lines such as 所见…结肠未见明显异常."""
    return end(rng, choose(rng, [
        '所见回肠末端及各段结肠粘膜光滑，血管纹理清', '回肠末端及所见结肠、直肠粘膜未见异常', '全结肠及直肠粘膜光滑，未见新生物',
        '所见结直肠粘膜光滑，血管纹理清晰', '所见大肠粘膜未见明显异常', '进镜至回盲部，所见结肠粘膜光滑',
        '所见各段结肠及直肠无殊', '回盲部、结肠、直肠未见异常', '所见回肠末端粘膜光滑，全结肠未见息肉及肿物',
        '所见结肠粘膜光滑，血管纹理清，未见溃疡及新生物', '所见末段回肠及全大肠未见异常', '结肠镜检查未见明显异常',
        '所见肠段粘膜光滑，肠道准备{prep}', '所见回肠末端、回盲瓣、阑尾开口未见异常', '全大肠粘膜光滑，血管网清晰',
        '所见结肠各段及直肠粘膜未见明显异常，肛门无殊', '盲肠至直肠粘膜光滑，未见异常',
    ]))


def lower_pathology(rng):
    """Pathology with quoted sites, e.g. “乙状结肠”管状腺瘤。“直肠”增生性息肉。"""
    groups = []
    for _ in range(weighted(rng, [(4, 1), (3, 2), (2, 3)])):
        sites = [fill(rng, s) for s in rng.sample(LOWER_PATH_SITES, weighted(rng, [(3, 1), (1, 2)]))]
        joiner = rng.choice(['及', '、'])
        style = rng.choice(['“{}”', '“{}”', '（{}）', '{}：', '"{}"'])
        if style == '{}：':  # 横结肠及直肠：…
            names = joiner.join(sites) + '：'
        else:                # “横结肠”及“直肠”…
            names = joiner.join(style.format(s) for s in sites)
        groups.append(names + rng.choice(LOWER_PATHOLOGY))
    prefix = rng.choice(['', '', '', '病理：', '病理诊断：', '活检病理：'])
    return end(rng, prefix + rng.choice(['。', '。', '；', ' ']).join(groups))


def lower_procedure(rng):
    items = [choose(rng, LOWER_PROCEDURES, seg=rng.choice(['直肠', '乙状结肠', '降结肠', '横结肠', '升结肠', '结肠']))
             for _ in range(weighted(rng, [(4, 1), (1, 2)]))]
    return rng.choice(['', '', '治疗：', '内镜治疗：', '术式：']) + rng.choice(['，', '+', '；']).join(dict.fromkeys(items))


def lower_findings_and_diagnosis(rng):
    finding = rng.choice(['乙状结肠多发憩室', '直肠散在糜烂', '降结肠息肉', '横结肠见一息肉', '回肠末端溃疡', '肛门口痔核',
                          '升结肠粘膜色素沉着', '直肠粘膜充血', '回盲瓣变形', '乙状结肠见{cnt}枚息肉'])
    parts = [choose(rng, LOWER_DIAGNOSES), fill(rng, finding)]
    if rng.random() < 0.5:
        parts.reverse()
    return rng.choice(['', '，', '。', ' ', '；']).join(parts)


LOWER_TRAPS = {
    '肝曲/脾曲': [  # colon flexures, not liver / spleen
        '{flex}见一{diam}息肉，{removal}', '{flex}见{cnt}处憩室', '{flex}粘膜充血，血管纹理模糊', '“{flex}”管状腺瘤',
        '进镜至{flex}，因肠道准备差未继续进镜', '{flex}见一{size}侧向发育型肿瘤', '横结肠近{flex}见一{diam}息肉{bx}',
        '{flex}癌', '{flex}见一溃疡型肿物，肠腔狭窄，内镜无法通过', '{flex}息肉，{removal}', '{flex}见一{diam}息肉，{surface}',
    ],
    '距肛缘': [  # measured from the anal verge: points down
        '距肛缘{dr}cm见一{diam}息肉，{removal}', '直肠距肛缘{dr}cm见一{diam}黄色隆起，考虑NET',
        '距肛缘{dr}cm处见一环周肿物，内镜无法通过', '距肛缘{dr}cm以下粘膜充血水肿，散在糜烂', '距肛缘{dr}cm见吻合口，未见复发',
        '病变位于距肛缘{dr}cm', '距肛缘{dr}cm见一侧向发育型肿瘤，大小约{size}', '距肛缘{dr}cm见一{diam}溃疡',
    ],
    '齿状线': [  # at a colonoscopy: the dentate line of the anal canal
        '齿状线上方见内痔', '倒镜见齿状线上方{cnt}枚痔核，表面充血', '齿状线附近见痔核，予套扎{n}环',
        '肛管齿状线处见肛乳头肥大', '齿状线上方见静脉曲张团，考虑内痔', '倒镜观察：齿状线清晰，未见内痔',
        '齿状线处见一{diam}肛乳头瘤', '直肠下段近齿状线见一{diam}息肉', '齿状线上方粘膜充血糜烂，考虑直肠炎',
        '肛门指检阴性，齿状线上方见痔核', '齿状线上方{n}点位见痔核，予套扎', '齿状线上方见曲张静脉团（内痔），表面糜烂渗血',
        '距齿状线约{n}cm直肠见一{diam}隆起', '肛管齿状线附近见一肛瘘内口',
    ],
    '降结肠': [
        '降结肠见一{diam}{ptype}息肉，{removal}', '降结肠粘膜充血水肿，散在糜烂', '降结肠见多发憩室开口',
        '降结肠未见异常', '“降结肠”管状腺瘤', '降结肠至直肠粘膜连续性充血糜烂', '降结肠见一{size}侧向发育型肿瘤',
        '降结肠息肉，{removal}',
    ],
    '回肠末端/回盲瓣': [  # the ileum and ileocaecal valve as seen at colonoscopy
        '回肠末端粘膜光滑，绒毛正常', '进入回肠末端{n}cm，未见异常', '回盲瓣呈唇形，开闭可', '回盲瓣见一{diam}溃疡',
        '回肠末端见散在淋巴滤泡', '回肠末端多发阿弗他溃疡，考虑克罗恩病', '循腔进镜至回肠末端，退镜观察',
        '回盲瓣变形，开口狭窄', '回盲瓣上唇见一{diam}息肉{bx}', '回肠末端及回盲瓣未见异常',
    ],
}


def lower_trap(rng):
    text = trap_text(rng, LOWER_TRAPS, flex=rng.choice(['肝曲', '脾曲', '结肠肝曲', '结肠脾曲']))
    if rng.random() < 0.2:
        text += rng.choice(['。', '，', '；']) + choose(rng, LOWER_DIAGNOSES)
    return text


LOWER_GENERATORS = [
    (15, lower_diagnosis_line), (30, lambda rng: lower_walk(rng, full=True)),
    (12, lambda rng: lower_walk(rng, full=False)), (15, lower_polyp), (4, lower_normal_summary),
    (10, lower_pathology), (6, lower_procedure), (5, lower_findings_and_diagnosis), (15, lower_trap),
]

# ---------------------------------------------------------------------------
# Neither, label 0: ERCP and the bile ducts, liver, gallbladder, pancreas,
# spleen, abdominal cavity, procedures that name no site, other lines.
# ---------------------------------------------------------------------------
BILIARY_DIAGNOSES = [
    '胆总管结石', '胆总管多发结石', '胆管狭窄', '肝门部胆管癌', '壶腹部肿物', '壶腹部癌', '胰头癌伴梗阻性黄疸',
    '急性化脓性胆管炎', '慢性胰腺炎', '胰管结石', '胆漏', '胆总管下段狭窄', '梗阻性黄疸', '胆囊切除术后胆总管残余结石',
    '胆管支架术后', '胆总管结石伴胆管炎', '肝内外胆管结石', '胆总管下段恶性狭窄', '胰腺分裂', '胆源性胰腺炎',
    '肝移植术后胆管吻合口狭窄', '胆管癌', '胆总管囊肿', '十二指肠乳头狭窄',
]
ERCP_STEPS = [
    'EST', 'EST', 'EPBD', 'EPLBD', '取石术', '网篮取石', '球囊取石', '机械碎石', 'ENBD', 'ERBD', 'ENBD术',
    '胆道塑料支架置入术', '胆道金属支架置入术', '胆道支架置入', '胰管支架置入术', '胆管活检', '支架取出术', '胆管刷检',
    '鼻胆管引流术', '胆管造影', '乳头括约肌切开', '金属支架置入', 'ERPD',
]
PAPILLA = [
    '十二指肠乳头形态正常', '乳头呈半球型，开口呈颗粒状', '十二指肠乳头开口见结石嵌顿', '乳头旁见一憩室，乳头位于憩室内缘',
    '十二指肠乳头肿大，表面糜烂', '乳头开口见脓性胆汁流出', '十二指肠乳头呈绒毛状隆起', '乳头开口狭小', '乳头呈乳头型',
    '十二指肠乳头见EST术后改变', '十二指肠乳头开口见支架在位',
]
CANNULATION = [
    '选择性胆管插管成功', '导丝引导下胆管插管顺利', '插管困难，行预切开后胆管插管成功', '胰管反复显影后胆管插管成功',
    '沿导丝胆管插管成功', '双导丝法胆管插管成功',
]
CHOLANGIOGRAM = [
    '造影示胆总管扩张，直径约{cbd}mm，内见{cnt}枚充盈缺损，最大约{diam}', '造影示胆总管下段狭窄，长约{n}cm，上段扩张',
    '造影示肝门部胆管狭窄，左右肝管扩张', '造影示胆囊管显影，胆囊内见充盈缺损', '造影示主胰管扩张，见多发结石影',
    '造影示胆总管未见充盈缺损', '造影示肝内胆管轻度扩张', '造影见胆总管中段造影剂外溢',
]
ERCP_TREATMENT = [
    '行EST，网篮取出结石{cnt}枚', '行EPBD后球囊取出结石数枚', '置入{fr}胆道塑料支架一根', '置入金属支架一枚，引流通畅',
    '留置ENBD管', '胰管内置入5Fr支架一根', '机械碎石后取出胆管结石', '行EST+网篮取石，球囊清理胆管', '留置鼻胆管引流',
    '胆管刷检送细胞学', '取出原胆道支架，更换{fr}塑料支架',
]
ERCP_AFTER = ['再次造影未见充盈缺损', '胆汁引流通畅', '见大量胆汁及絮状物流出', '术中出血少量，予止血', '退镜观察乳头无出血',
              '手术顺利']
HBP_DIAGNOSES = [
    '肝硬化', '肝硬化失代偿期', '肝内胆管结石', '胆囊结石伴慢性胆囊炎', '胆囊息肉', '胆囊切除术后', '急性胆管炎',
    '胆总管扩张', '胰腺假性囊肿', '急性胰腺炎', '胰头占位', '胰腺囊性病变', '脾大', '脾功能亢进', '腹腔积液',
    '腹腔淋巴结肿大', '肝占位性病变', '肝囊肿', '脂肪肝', 'PTCD术后', '胆道感染', '胆肠吻合术后', '胰腺癌',
    '胰腺导管内乳头状黏液性肿瘤（IPMN）', '自身免疫性胰腺炎', '脾切除术后', '腹腔脓肿', '肝癌介入术后', '胆囊腺肌症',
    '原发性硬化性胆管炎', '门静脉高压', '肝功能异常', '胆囊炎', '胰腺钙化', '腹腔占位',
]
HBP_QUALIFIERS = ['', '', '', '？', '可能', '待排', '（考虑）', '，建议进一步检查', '，建议MRCP检查', '，建议外科就诊']
EUS_LINES = [
    '超声内镜：胰腺实质回声不均，主胰管扩张约{n}mm', 'EUS示胰头部见一{size}低回声占位，行EUS-FNA',
    '超声内镜引导下胰腺假性囊肿穿刺引流术', 'EUS：胆总管下段见强回声，后方伴声影', '超声内镜示胆囊壁增厚，胆囊内见泥沙样结石',
    '超声内镜：胰体部见一{diam}囊性病灶，与主胰管相通', 'EUS示胆总管扩张，未见结石', '超声内镜：胰腺钙化，考虑慢性胰腺炎',
    'EUS-FNA：胰腺穿刺{n}针，标本送病理', '超声内镜示肝左叶见一低回声结节', '超声内镜引导下胆管引流术（EUS-BD）',
    '超声内镜：脾门处见多发迂曲血管影', '超声内镜：腹腔干周围见肿大淋巴结',
]
SITELESS_PROCEDURES = [
    '止血术', '活检术', '异物取出术', '球囊扩张术', '内镜下治疗', '内镜下止血术', '内镜下活检', '支架置入术',
    '内镜下黏膜切除术', '内镜下黏膜下剥离术', '息肉切除术', '钛夹止血', '注射止血', '氩离子凝固术（APC）', '内镜下套扎术',
    '扩张术', '无痛内镜检查', '静脉麻醉', '麻醉下内镜检查', '内镜检查', '探条扩张术', '硬化剂注射术', '组织胶注射术',
    '异物取出', 'EMR', 'ESD', 'APC', '活检', '染色内镜', '放大内镜检查', '钛夹定位', '电凝止血', '圈套切除术',
    '热活检钳除术', '内镜下异物取出术', '经内镜治疗', '内镜下球囊扩张', '止血夹止血', '内镜下注射术', '窄带成像检查',
]
MISC_LINES = [
    '检查未完成', '患者不耐受，检查终止', '患者无法配合，未完成检查', '患者躁动，检查中止', '建议复查', '建议外科会诊',
    '请结合临床', '建议定期随访', '病理待回报', '标本已送病理', '术后禁食，补液', '心电监护下完成检查',
    '术中患者生命体征平稳', '详见病理报告', '建议住院治疗', '建议择期复查', '术前谈话已签字', '镇静下完成检查',
    '术中出血少量，已处理', '无明显异常', '未见明显异常', '检查顺利，术后无不适', '建议3个月后复查', '麻醉效果满意',
    '术后注意有无腹痛、发热', '建议内科随诊', '患者血压偏高，暂缓检查', '检查过程顺利', '随访', '腹痛待查', '贫血待查',
    '消化道出血待查', '体检', '消化道异物', '腹腔镜探查术后', '腹部手术后复查', '黄疸待查', '发热待查', '腹水待查',
]


def ercp_line(rng):
    """Compact ERCP lines: diagnosis + ERCP + steps, in several orders."""
    dx = rng.choice(BILIARY_DIAGNOSES)
    steps = rng.sample(ERCP_STEPS, weighted(rng, [(3, 1), (4, 2), (2, 3), (1, 4)]))
    joiner = rng.choice(['+', '+', '、', '，'])
    proc = 'ERCP' + joiner + joiner.join(steps)
    return rng.choice([
        f'{dx}{proc}', f'{dx}，{proc}', f'{dx}，行{proc}', f'{proc}（{dx}）', f'诊断：{dx}。治疗：{proc}',
        f'{proc}', f'{dx}：{proc}', f'{dx} {proc}', f'行{proc}，术后诊断：{dx}',
    ])


def ercp_narrative(rng):
    """The findings of an ERCP, papilla to treatment."""
    scope = rng.choice(['十二指肠镜进至十二指肠降部', '侧视镜顺利进至降部', '十二指肠镜循腔进镜', ''])
    access = [choose(rng, PAPILLA), choose(rng, CANNULATION), maybe(rng, 0.8, choose(rng, CHOLANGIOGRAM))]
    treatment = [fill(rng, step) for step in rng.sample(ERCP_TREATMENT, weighted(rng, [(1, 0), (5, 1), (4, 2)]))]
    after = [maybe(rng, 0.4, rng.choice(ERCP_AFTER)),
             maybe(rng, 0.2, rng.choice(['术中患者生命体征平稳', '术后予禁食、补液', '术后诊断：' + rng.choice(BILIARY_DIAGNOSES)]))]
    prefix = rng.choice(['', '', 'ERCP：', 'ERCP所见：', '操作过程：'])
    return end(rng, prefix + join_clauses(rng, [scope] + access + treatment + after, seps=('，', '。', '；', '。')))


def hbp_line(rng):
    """Liver, gallbladder, pancreas, spleen and abdominal lines, or an EUS of them."""
    if rng.random() < 0.3:
        return end(rng, choose(rng, EUS_LINES))
    items = []
    for dx in rng.sample(HBP_DIAGNOSES, weighted(rng, [(5, 1), (3, 2), (1, 3)])):
        qualifier = rng.choice(HBP_QUALIFIERS)
        items.append(dx if dx.endswith('术后') else dx + qualifier)  # no 切除术后？
    prefix = rng.choice(['', '', '', '诊断：', '临床诊断：', '术后诊断：', '印象：', '既往史：'])
    return prefix + numbered(rng, items)


def siteless_procedure(rng):
    """Procedure names without a site, alone or combined (球囊扩张术，异物取出术 style)."""
    items = rng.sample(SITELESS_PROCEDURES, weighted(rng, [(4, 1), (4, 2), (2, 3)]))
    text = rng.choice(['，', '+', '、', '；', ' ']).join(items)
    prefix = rng.choice(['', '', '', '治疗：', '术式：', '行', '内镜下', '拟行'])
    return (prefix if not text.startswith(prefix) else '') + text


def misc_line(rng):
    items = [rng.choice(MISC_LINES) for _ in range(weighted(rng, [(5, 1), (2, 2)]))]
    return end(rng, '，'.join(items))


ZERO_TRAPS = {
    '十二指肠乳头': [  # the papilla inside an ERCP text is biliary
        'ERCP：十二指肠乳头开口见结石嵌顿，予EST后取出', '十二指肠乳头旁憩室，ERCP插管困难', '十二指肠乳头肿大，ERCP+乳头活检',
        'ERCP示十二指肠乳头狭窄，行EST+EPBD', '十二指肠乳头开口见脓性胆汁流出，行ENBD', '十二指肠乳头癌，胆道金属支架置入术',
        '十二指肠乳头呈结节样，胆管插管成功，造影示胆总管结石', '十二指肠乳头开口见胆汁流出，胆管插管成功',
        '十二指肠乳头切开后取出胆管结石{cnt}枚', 'ERCP：十二指肠乳头形态正常，胆总管未见结石', '十二指肠乳头腺瘤，行内镜下乳头切除术+胰管支架置入',
        '十二指肠乳头括约肌切开术（EST）', 'ERCP术中见十二指肠乳头憩室旁型，插管顺利', '十二指肠乳头开口处见胆道支架脱出，予取出',
        '十二指肠乳头活检，胆管刷检', 'ERCP：十二指肠乳头开口狭小，行预切开',
    ],
    '胃肠减压': [  # names no single tract
        '{ctx}予胃肠减压{after}', '{ctx}胃肠减压{after}', '胃肠减压后{after2}', '{ctx}留置胃肠减压管{after}',
        '停胃肠减压，逐步进食', '{ctx}继续胃肠减压{after}',
    ],
    '胃肠道': [
        '胃肠道{gi}', '胃肠道{gi}{tail}', '{ctx}胃肠道{gi}', '既往胃肠道{gi}{tail}',
    ],
}
ZERO_TRAP_FIELDS = {
    'ctx': ['', '', '术后', 'ERCP术后', '急性胰腺炎，', '禁食、', '胆管炎，', '患者呕吐明显，'],
    'after': ['', '，禁食水', '，补液', '，监测生命体征', '，引流通畅', '，引流液清亮', '，观察引流液性状', '，抑酸、补液',
              '、禁食、补液治疗'],
    'tail': ['', '，建议复查', '，请结合临床', '，建议随访', '，患者拒绝进一步检查', '，建议专科就诊'],
    'after2': ['复查', '症状缓解', '腹胀减轻', '再行检查', '引流出少量液体'],
    'gi': ['准备欠佳', '出血待查', '间质瘤术后复查', '功能紊乱', '穿孔待排', '积气明显', '反应明显，检查终止', '症状待查',
           '息肉病家族史', '准备可', '术后', '准备不充分，建议择期复查', '出血？', '间质瘤待排', '反应较重', '异物？',
           '准备差，建议清洁后复查', '钡餐检查后'],
}


def zero_trap(rng):
    given = {name: rng.choice(values) for name, values in ZERO_TRAP_FIELDS.items()}
    return end(rng, trap_text(rng, ZERO_TRAPS, **given))


ZERO_GENERATORS = [
    (16, ercp_line), (28, ercp_narrative), (20, hbp_line), (16, siteless_procedure), (12, misc_line), (20, zero_trap),
]

# Each label draws from the endoscopy banks of this file and from the other
# registers of a hospital export (tract_registers.py: the tracts in pathology,
# imaging, history, operation, diagnosis-list, discharge and lay or literature
# language; whole_body.py: the whole body outside the GI tract in the same
# registers). The shares are (share, generators) per label.
SOURCES = {
    1: [(0.4, UPPER_GENERATORS), (0.3, tract_registers.GENERATORS[1]), (0.3, registers_tract.GENERATORS[1])],
    2: [(0.4, LOWER_GENERATORS), (0.3, tract_registers.GENERATORS[2]), (0.3, registers_tract.GENERATORS[2])],
    0: [(0.3, ZERO_GENERATORS), (0.7, whole_body.GENERATORS[0])],
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


def restyle(rng, text):
    """Vary 粘膜/黏膜 and the punctuation width the way different doctors write."""
    if rng.random() < 0.3:
        text = text.replace('粘膜', '黏膜')
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


def acceptable(text, label):
    return (MIN_CHARS <= len(text) <= MAX_CHARS and not re.search(r'[\t{}]', text) and consistent(text, label)
            and not mentions_both_tracts(text) and not too_close_to_examples(text))


def label_targets(size):
    """How many texts of each label, summing to size."""
    targets = {label: round(size * share) for label, share in LABEL_SHARES}
    targets[LABEL_SHARES[-1][0]] = size - sum(n for label, n in targets.items() if label != LABEL_SHARES[-1][0])
    return targets


def synthesize(size=DEFAULT_SIZE, seed=SEED):
    """`size` unique (text, label) rows in a shuffled order, the same for the same seed."""
    rng = random.Random(seed)
    seen, rows = set(), []
    for label, target in label_targets(size).items():
        made, attempts = 0, 0
        while made < target:
            attempts += 1
            if attempts > 200 * target + 1000:
                raise RuntimeError(f'could not make {target} unique texts of label {label}')
            text = make_text(rng, label)
            if text in seen or not acceptable(text, label):
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
