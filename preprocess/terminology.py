"""Clinical names from a public ICD-10 list, labelled by a written rule, in the registers of an export.

The phrase banks hold the words of endoscopy and of the registers around it; a hospital's coded
diagnosis lists, problem lists and histories use the names of its terminology. This module
reads such names from banks/terminology.json (a selection of the Chinese ICD-10 clinical
edition, docs/data.md "The terminology" has its source), and writes them as a diagnosis list,
a coded line, a history or discharge sentence, a conclusion, or the bare name, for each label.

The rule (label_of) goes by the ICD-10 code first and the name second:
- 1: K20-K31 (oesophagus, stomach, duodenum), C15, C16, D00.1, D00.2, D13.0-D13.2, I85
  (oesophageal varices), Q39, Q40, K92.0 (haematemesis), K92.1 (melaena), R12 (heartburn),
  R13 (dysphagia);
- 2: K35-K38 (appendix), C18-C21, D01.0-D01.3, D12, I84 (haemorrhoids);
- by the sites the name names: K50-K52, K55-K63, K90, K91, K93, C17, C26, D37, Q41-Q45, S36,
  R15, R19: upper sites only -> 1, lower sites only -> 2, none -> 0 where the code is outside the
  tract (C26, D37, Q44, Q45, S36), else left out;
- 0: K00-K14 (mouth, salivary glands, jaws), K40-K46 (hernia), K65-K67 (peritoneum), K70-K87
  (liver, gallbladder, bile ducts, pancreas), K92.2 (bleeding of an unnamed part), C22-C25,
  D01.5, D13.4-D13.6, R10, R11, R14, R16-R18, and every chapter outside the digestive system;
- left out: any name of the small bowel (小肠, 空肠, 回肠 other than 回肠末端, the duodenum
  excepted), of both tracts or of the gut as a whole (胃肠, 肠 without a lower site), and a name that names a tract
  against its code's label. A name the rule cannot decide is left out, not guessed.

    python preprocess/terminology.py --source icd10.tsv     # code<TAB>name rows -> banks/terminology.json
"""
import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from preprocess.banks import FOLDER as BANK_DIR, load_bank  # noqa: E402
from preprocess.textgen import maybe, numbered, weighted  # noqa: E402

UPPER_SITES = ('食管', '食道', '贲门', '胃', '幽门', '十二指肠')
LOWER_SITES = ('结肠', '大肠', '直肠', '盲肠', '阑尾', '肛', '痔', '回盲', '回肠末端')
SMALL_BOWEL = ('小肠', '空肠', '回肠', '胃肠', '肠胃', '消化道')  # 回肠末端 and 十二指肠 are taken out first

UPPER_CODES = ['K2', 'K30', 'K31', 'C15', 'C16', 'D00.1', 'D00.2', 'D13.0', 'D13.1', 'D13.2', 'I85', 'Q39', 'Q40',
               'K92.0', 'K92.1', 'R12', 'R13']
LOWER_CODES = ['K35', 'K36', 'K37', 'K38', 'C18', 'C19', 'C20', 'C21', 'D01.0', 'D01.1', 'D01.2', 'D01.3', 'D12', 'I84']
BY_NAME_CODES = ['K50', 'K51', 'K52', 'K55', 'K56', 'K57', 'K58', 'K59', 'K60', 'K61', 'K62', 'K63', 'K90', 'K91',
                 'K93', 'C17', 'R15', 'R19']
BY_NAME_OR_NEITHER_CODES = ['C26', 'D37', 'Q41', 'Q42', 'Q43', 'Q44', 'Q45', 'S36']
NEITHER_DIGESTIVE_CODES = ['K0', 'K10', 'K11', 'K12', 'K13', 'K14', 'K4', 'K65', 'K66', 'K67', 'K7', 'K80', 'K81',
                           'K82', 'K83', 'K84', 'K85', 'K86', 'K87', 'K92.2', 'C22', 'C23', 'C24', 'C25', 'D01.5',
                           'D13.4', 'D13.5', 'D13.6', 'R10', 'R11', 'R14', 'R16', 'R17', 'R18']
DIGESTIVE_CHAPTER = ('K', 'C15', 'C16', 'C17', 'C18', 'C19', 'C20', 'C21', 'C22', 'C23', 'C24', 'C25', 'C26',
                     'D00', 'D01', 'D12', 'D13', 'D37', 'I84', 'I85', 'Q38', 'Q39', 'Q4', 'R1', 'S36')


def named_sites(name):
    """(names an upper site, names a lower site, names the small bowel or the gut as a whole)."""
    lower = any(site in name for site in LOWER_SITES)
    rest = name.replace('回肠末端', '#').replace('十二指肠', '#十二指#')
    small = any(word in rest for word in SMALL_BOWEL) or ('肠' in rest and not lower)  # 肠道, 肠梗阻: which gut?
    upper = any(site in rest.replace('#十二指#', '十二指肠') for site in UPPER_SITES)
    return upper, lower, small


def label_of(code, name):
    """The label of an ICD-10 entry by the rule of the module docstring, or None (left out)."""
    code = code.strip().upper()
    upper, lower, small = named_sites(name)
    if small or (upper and lower):
        return None
    if code.startswith(tuple(UPPER_CODES)):
        return None if lower else 1
    if code.startswith(tuple(LOWER_CODES)):
        return None if upper else 2
    if code.startswith(tuple(BY_NAME_CODES + BY_NAME_OR_NEITHER_CODES)):
        if upper or lower:
            return 1 if upper else 2
        return 0 if code.startswith(tuple(BY_NAME_OR_NEITHER_CODES)) else None
    if code.startswith(tuple(NEITHER_DIGESTIVE_CODES)) or not code.startswith(DIGESTIVE_CHAPTER):
        return None if upper or lower else 0
    return None


def clean_name(name):
    """The name as a clinician writes it: ICD's ', 不可归类在他处者' style clauses and [alternatives] kept off."""
    name = re.sub(r'\[[^\]]*\]', '', name)
    return name.replace('，', ',').split(',')[0].strip()


def build(rows):
    """{label: [[code, name], ...]} of the rows the rule decides, one entry per name."""
    bank, seen = {'0': [], '1': [], '2': []}, set()
    for code, name in rows:
        name = clean_name(name)
        label = label_of(code, name)
        if label is None or len(name) < 2 or name in seen or not re.search('[\u4e00-\u9fff]', name):
            continue
        seen.add(name)
        bank[str(label)].append([code, name])
    return bank


# ---------------------------------------------------------------------------
# The names in the registers of an export.
# ---------------------------------------------------------------------------
TERMS = load_bank('terminology')
FRAMES = load_bank('terminology_frames')
# What clinicians write beside the coded names: abbreviations (GERD, TME, ERCP), eponyms
# (Mallory-Weiss, Miles, Whipple) and symptom names, each under the label of the site it names
# (banks/clinical_shorthand.json, written from clinical usage, not from the ICD list).
SHORTHAND = load_bank('clinical_shorthand')
# Names a tract by code or by usage although no site word is in it (复合性溃疡, GERD, 里急后重):
# synthesize.tracts() counts them as naming their tract.
TRACT_NAMES = {label: [name for _, name in TERMS['names'][str(label)]]
               + [entry['text'] for entry in SHORTHAND['abbreviations'][str(label)]]
               + SHORTHAND['eponyms'][str(label)] + SHORTHAND['symptoms'][str(label)] for label in (1, 2)}


def pick(rng, label):
    code, name = rng.choice(TERMS['names'][str(label)])
    return code, name


def bare_name(label):
    def write(rng):
        return pick(rng, label)[1]
    return write


def coded_name(label):
    def write(rng):
        code, name = pick(rng, label)
        return rng.choice(['{name}（{code}）', '{name}({code})', '{code} {name}', '{code}{name}']).format(code=code, name=name)
    return write


def diagnosis_list(label):
    def write(rng):
        """One to three names of the label, sometimes with a comorbidity outside the digestive tract."""
        names = [pick(rng, label)[1] for _ in range(weighted(rng, [(5, 1), (3, 2), (1, 3)]))]
        if label and rng.random() < 0.3:
            names.insert(rng.randint(0, len(names)), rng.choice(FRAMES['comorbidities']))
        return maybe(rng, 0.7, rng.choice(FRAMES['list_heads'])) + numbered(rng, names)
    return write


def sentence(label):
    def write(rng):
        """A history, discharge or conclusion sentence around one name."""
        frame = rng.choice(FRAMES['sentences'] + (FRAMES['tract_sentences'] if label else []))
        return frame.format(name=pick(rng, label)[1], n=rng.randint(1, 20))
    return write


def tract_words(label):
    def write(rng):
        """The classes' own words: 上消化道 / 下消化道 and a finding, or words that name no single tract."""
        words = FRAMES['tract_words']
        if label == 0:
            return rng.choice(words['neither']).format(finding=rng.choice(words['findings']))
        tract = '上消化道' if label == 1 else '下消化道'
        finding = rng.choice(words['findings'] + words['upper' if label == 1 else 'lower'])
        return maybe(rng, 0.35, rng.choice(words['qualifiers'])) + tract + finding + maybe(rng, 0.4, rng.choice(words['tails']))
    return write


def fill_frame(rng, frame, x):
    return frame.replace('{x}', x).replace('{n}', str(rng.randint(1, 12)))


def eponym_kind(eponym):
    """'procedure' for an operation's eponym (Miles手术, Longo术), else 'diagnosis'."""
    return 'procedure' if eponym.endswith(('术', '手术')) else 'diagnosis'


def shorthand(label):
    def write(rng):
        """An abbreviation or an eponym in a diagnosis or procedure frame."""
        if rng.random() < 0.6:
            entry = rng.choice(SHORTHAND['abbreviations'][str(label)])
            text, kind = entry['text'], entry['kind']
        else:
            text = rng.choice(SHORTHAND['eponyms'][str(label)])
            kind = eponym_kind(text)
        return fill_frame(rng, maybe(rng, 0.7, rng.choice(SHORTHAND['abbreviation_frames'][kind]), '{x}'), text)
    return write


def symptom(label):
    def write(rng):
        """A symptom or sign, alone or as a complaint."""
        name = rng.choice(SHORTHAND['symptoms'][str(label)])
        return fill_frame(rng, maybe(rng, 0.6, rng.choice(SHORTHAND['symptom_frames']), '{x}'), name)
    return write


def eponym_context(label):
    def write(rng):
        """An eponym inside a longer history, consultation or follow-up sentence: each eponym is named
        a few times a dataset, so it needs contexts of its own to be learnt from (a bare eponym is one
        text, and often too close to a held-out check line to be kept)."""
        contexts = SHORTHAND['eponym_contexts']
        text = rng.choice(SHORTHAND['eponyms'][str(label)])
        frame = rng.choice(contexts['leads']) + rng.choice(contexts[eponym_kind(text)]) + rng.choice(contexts['tails'])
        return fill_frame(rng, frame, text).replace('{age}', str(rng.randint(18, 85)))
    return write


GENERATORS = {label: [(3, bare_name(label)), (1, coded_name(label)), (3, diagnosis_list(label)), (3, sentence(label)),
                      (6, tract_words(label)), (4, shorthand(label)), (3, symptom(label)), (4, eponym_context(label))]
              for label in (0, 1, 2)}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Label the entries of a Chinese ICD-10 list by the rule of this '
                                                 'module and write them to preprocess/banks/terminology.json.')
    parser.add_argument('--source', required=True, help='code<TAB>name rows (a header row "code<TAB>name" is skipped)')
    parser.add_argument('--name', default='', help='where the list comes from, recorded in the bank')
    parser.add_argument('--output', default=os.path.join(BANK_DIR, 'terminology.json'))
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    with open(args.source, encoding='utf-8') as f:
        rows = [line.rstrip('\n').split('\t')[:2] for line in f if '\t' in line]
    rows = [row for row in rows if row != ['code', 'name']]
    bank = build(rows)
    tmp = args.output + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump({'source': args.name, 'names': bank}, f, ensure_ascii=False, indent=1)
        f.write('\n')
    os.replace(tmp, args.output)
    print(f'{args.output}: ' + ', '.join(f'label {label}: {len(names)}' for label, names in bank.items())
          + f' (of {len(rows)} entries; the rest left out by the rule)')


if __name__ == '__main__':
    main()
