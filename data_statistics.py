"""Describe a dataset of `text<TAB>label` files before training on it.

Prints label counts per file, text lengths, the format of each label's texts
(length, punctuation, digits: a label that differs in format can be told apart
without reading it, a shortcut a model will take), duplicates within and across
files, which keywords each label's texts contain, and the accuracy of a plain
keyword rule: the floor any model must beat. Writes a length histogram.

    python data_statistics.py                              # the shipped data/{train,val,test}.txt
    python data_statistics.py --input data/custom/train.txt data/custom/val.txt data/custom/test.txt

(Not named statistics.py: that would shadow Python's own `statistics` module,
which seaborn imports, for every script in this folder.)
"""
import argparse
import os
from collections import Counter

import numpy as np
import pandas as pd

import path
from baselines import keyword_rule, keyword_rules_for
from config import MAXLEN
from data_process import DataError, load_labelled
from utils.cli import HelpFormatter, fail
from utils.files import OverwriteError, UnwritableError, check_not_an_input, check_writable
from utils.plotting import plt, save_figure, use_figure_text
from utils.script import to_simplified
from utils.text import is_punctuation, label_title

# The words whose coverage per label is printed (the original's four, and more)
KEYWORDS = ('胃', '肠', '食管', '肛门', '结肠', '直肠', '十二指肠', '贲门', '幽门', '胆', '胰', 'ERCP')
N_EXAMPLES = 3


def label_columns(label_names):
    return [label_title(label_names, k) for k in range(len(label_names))]


def count_pct(n, total):
    return f'{n} ({100 * n / total:.1f}%)' if total else '0'


def count_table(datasets, label_names):
    """Rows = files and total; columns = each label's count (share of the row), total, share of all texts."""
    everything = sum(len(rows) for rows in datasets.values())
    table = {}
    for name, rows in [*datasets.items(), ('total', [r for rows in datasets.values() for r in rows])]:
        counts = Counter(label for _, label in rows)
        table[name] = [count_pct(counts[k], len(rows)) for k in range(len(label_names))]
        table[name] += [len(rows), f'{100 * len(rows) / everything:.1f}%']
    return pd.DataFrame.from_dict(table, orient='index', columns=label_columns(label_names) + ['total', '%'])


def length_table(datasets):
    table = {}
    for name, rows in [*datasets.items(), ('all', [r for rows in datasets.values() for r in rows])]:
        lengths = np.array([len(text) for text, _ in rows])
        table[name] = {'n': len(lengths), 'min': lengths.min(), 'median': np.median(lengths),
                       'mean': round(lengths.mean(), 1), 'p95': np.percentile(lengths, 95), 'max': lengths.max(),
                       f'>{MAXLEN - 2}': int((lengths > MAXLEN - 2).sum())}
    return pd.DataFrame.from_dict(table, orient='index')


def plot_lengths(datasets, label_names, file):
    use_figure_text()
    rows = [r for rows in datasets.values() for r in rows]
    bins = np.linspace(0, max(len(text) for text, _ in rows) + 1, 41)
    lengths = [[len(text) for text, label in rows if label == k] for k in range(len(label_names))]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.hist(lengths, bins=bins, stacked=True,
            label=[f'{label_title(label_names, k)}, {len(lengths[k])} 条' for k in range(len(label_names))])
    ax.set_xlabel('文本长度（字符）')
    ax.set_ylabel('文本数')
    ax.set_title('文本长度分布：' + '、'.join(datasets))
    ax.legend()
    save_figure(fig, file)


def report_duplicates(datasets):
    for name, rows in datasets.items():
        counts = Counter(text for text, _ in rows)
        repeated = [text for text, n in counts.items() if n > 1]
        labels = {}
        for text, label in rows:
            labels.setdefault(text, set()).add(label)
        conflicts = [text for text in repeated if len(labels[text]) > 1]
        print(f'{name}: {sum(counts[t] - 1 for t in repeated)} repeated rows '
              f'({len(repeated)} distinct texts), {len(conflicts)} texts with two labels')
        for text in (conflicts + repeated)[:N_EXAMPLES]:
            print(f'    x{counts[text]} labels {sorted(labels[text])}: {text[:60]}')
    names = list(datasets)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            shared = sorted({t for t, _ in datasets[a]} & {t for t, _ in datasets[b]})
            print(f'{a} & {b}: {len(shared)} texts in both')
            for text in shared[:N_EXAMPLES]:
                print(f'    {text[:60]}')


def keyword_table(rows, label_names):
    """Rows = keywords; columns = how many texts of each label contain it (share of that label's texts)."""
    read = [(to_simplified(text).upper(), label) for text, label in rows]  # as the keyword rules read them
    by_label = {k: [text for text, label in read if label == k] for k in range(len(label_names))}
    table = {}
    for word in KEYWORDS:
        table[word] = [count_pct(sum(word in t for t in texts), len(texts)) for texts in by_label.values()]
        table[word].append(count_pct(sum(word in text for text, _ in read), len(read)))
    return pd.DataFrame.from_dict(table, orient='index', columns=label_columns(label_names) + ['all'])


def format_table(rows, label_names):
    """Rows = labels; columns = the format of their texts: mean length, punctuation marks and digits per
    100 characters, and the share of texts holding each of the commonest marks."""
    marks = [mark for mark, _ in Counter(ch for text, _ in rows for ch in text if is_punctuation(ch)).most_common(7)]
    table = {}
    for k in range(len(label_names)):
        texts = [text for text, label in rows if label == k]
        chars = sum(len(text) for text in texts) or 1
        table[label_title(label_names, k)] = {
            'texts': len(texts), 'mean length': round(chars / max(1, len(texts)), 1),
            'punctuation /100': round(100 * sum(is_punctuation(ch) for text in texts for ch in text) / chars, 2),
            'digits /100': round(100 * sum(ch.isdigit() for text in texts for ch in text) / chars, 2),
            **{f'with {mark}': f'{sum(mark in text for text in texts) / max(1, len(texts)):.1%}' for mark in marks}}
    return pd.DataFrame.from_dict(table, orient='index')


def rule_table(datasets, label_names):
    table = {}
    for name, rows in [*datasets.items(), ('all', [r for rows in datasets.values() for r in rows])]:
        truth = np.array([label for _, label in rows])
        guess = np.array([keyword_rule(text) for text, _ in rows])
        table[name] = {'accuracy': round(float((truth == guess).mean()), 4)}
        for k in range(len(label_names)):
            table[name][f'recall {label_title(label_names, k)}'] = \
                round(float((guess[truth == k] == k).mean()), 4) if (truth == k).any() else float('nan')
    return pd.DataFrame.from_dict(table, orient='index')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument('--input', nargs='+', default=[path.TRAIN_PATH, path.VAL_PATH, path.TEST_PATH],
                        help='one or more text<TAB>label files; label names come from labels.txt beside the first '
                             '(default: data/train.txt data/val.txt data/test.txt)')
    parser.add_argument('--images-dir', default=path.IMAGES_DIR,
                        help='where length_histogram.png goes (default: %(default)s)')
    args = parser.parse_args(argv)

    # name each file by its base name, or by its path when two base names clash
    names = [os.path.basename(p) for p in args.input]
    if len(set(names)) < len(names):
        names = list(args.input)
    histogram = os.path.join(args.images_dir, 'length_histogram.png')
    try:
        check_not_an_input([histogram], args.input)
        check_writable([args.images_dir])
        loaded, label_names = load_labelled(args.input)
        datasets = dict(zip(names, loaded))
    except (DataError, OverwriteError, UnwritableError) as e:
        fail(e)
    rows = [r for rows in datasets.values() for r in rows]
    pd.set_option('display.unicode.east_asian_width', True)  # align Chinese column names
    pd.set_option('display.width', 200)

    print('== texts per label (share of the file) and per file (share of all) ==')
    print(count_table(datasets, label_names).to_string())
    print(f'\n== length in characters (longer than {MAXLEN - 2} are truncated by the tokenizer) ==')
    print(length_table(datasets).to_string())
    plot_lengths(datasets, label_names, histogram)
    print(f'histogram -> {os.path.relpath(histogram)}')
    print('\n== format per label (a label that differs in format can be told by its format alone) ==')
    print(format_table(rows, label_names).to_string())
    print('\n== duplicates ==')
    report_duplicates(datasets)
    print('\n== keyword coverage: texts of each label containing the keyword ==')
    print(keyword_table(rows, label_names).to_string())
    if not keyword_rules_for(label_names):
        print(f'\n(no keyword rule: it answers the classes of {os.path.relpath(path.LABELS_PATH)}, and these are others)')
        return
    print('\n== keyword rule (see keyword_rule in baselines.py) ==')
    table = rule_table(datasets, label_names)
    print(table.to_string())
    print(f'the floor any model must beat: keyword-rule accuracy {table.loc["all", "accuracy"]:.4f} on all '
          f'{len(rows)} texts')


if __name__ == '__main__':
    main()
