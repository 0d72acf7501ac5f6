"""The keyword rules a model must beat: string search over site words, as a clinician without a model would.

data_statistics.py prints their accuracy on a dataset (the floor), and
evaluation.check scores them beside the model on the out-of-distribution check
set. They answer the shipped task's three labels (0 其他, 1 上消化道, 2 下消化道),
so keyword_rules_for gives none for other classes.
"""
import path
from data_process import read_label_names
from utils.script import to_simplified

# Every site word of the label definitions (胃 covers 胃底/胃体/胃角/胃窦, 回盲 covers
# 回盲瓣, 肛 covers 肛管/肛门, 结肠 covers each segment).
UPPER_KEYWORDS = ('食管', '贲门', '胃', '幽门', '十二指肠', '球部', '降部')
LOWER_KEYWORDS = ('结肠', '直肠', '盲肠', '回肠', '回盲', '阑尾', '肝曲', '脾曲', '肛', '痔')
# The original project's statistics counted four keywords (胃 肠 食管 肛门).
ORIGINAL_UPPER_KEYWORDS = ('胃', '食管')
ORIGINAL_LOWER_KEYWORDS = ('肠', '肛门')


def rule(text, upper_words, lower_words):
    """1 if text names only upper words, 2 if only lower words, else (both or neither) 0. A text in
    Traditional script is read as simplified first, as the model reads it (utils/script.py)."""
    text = to_simplified(text)
    upper = any(word in text for word in upper_words)
    lower = any(word in text for word in lower_words)
    if upper and not lower:
        return 1
    if lower and not upper:
        return 2
    return 0


def keyword_rule(text):
    """The label a clinician with string search would give; the floor any model must beat.

    2 if the text names a lower-tract site (结肠 直肠 盲肠 回肠 回盲 阑尾 肝曲 脾曲 肛 痔)
    and no upper one, 1 if it names an upper-tract site (食管 贲门 胃 幽门 十二指肠
    球部 降部) and no lower one, otherwise (both or neither) 0. It knows none of the
    traps: an ERCP text through the 十二指肠乳头 comes out 1, so does 胃肠减压, and a
    colonoscopy text that names no site (肠道准备差，建议清肠后复查; 克罗恩病) comes out 0.
    """
    return rule(text, UPPER_KEYWORDS, LOWER_KEYWORDS)


def original_keyword_rule(text):
    """The same rule with the original project's four keywords: 胃/食管 upper, 肠/肛门 lower.

    十二指肠 contains 肠, so a duodenal text names "both" and comes out 0.
    """
    return rule(text, ORIGINAL_UPPER_KEYWORDS, ORIGINAL_LOWER_KEYWORDS)


# The baselines a model is compared with (evaluation.check, benchmarks/bench_check.py).
KEYWORD_RULES = {'4-keyword rule': original_keyword_rule, 'site-word rule': keyword_rule}


def is_shipped_task(label_names):
    """True when the classes are those of data/labels.txt (0 其他, 1 上消化道, 2 下消化道): the task the
    keyword rules and the out-of-distribution check sets are written for."""
    return list(label_names) == read_label_names(path.LABELS_PATH)


def keyword_rules_for(label_names):
    """The keyword rules when the classes are the shipped task's, else none: they answer its three
    labels and mean nothing for other classes."""
    return KEYWORD_RULES if is_shipped_task(label_names) else {}
