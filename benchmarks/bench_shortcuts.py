"""Does the model lean on punctuation? Its probabilities with and without the punctuation of each text.

feature_importance.py lists punctuation among a class's top keywords as a possible
shortcut. This measures the behaviour behind it: for each class, over the texts predicted
as that class, the mean probability of the class, the mean with every punctuation mark
taken out of the texts (a run of them becomes one space), and how many labels change. It
also prints what the model says at Integrated Gradients' baseline (each text's characters
replaced by [UNK], [CLS] and [SEP] kept): the attributions of a text add up to its
probability minus that one, so a baseline far from the class spreads evidence over every
character, punctuation included.

    python benchmarks/bench_shortcuts.py [--input data/ood_check.txt] [--weights weights/albert_tiny.h5]
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import utils.compat  # noqa: E402,F401

import path  # noqa: E402
from benchmarks.common import markdown_table, provenance  # noqa: E402
from data_process import encode, read_texts_or_fail  # noqa: E402
from attribution import baseline_ids  # noqa: E402
from inference import albert_forward, predict_proba  # noqa: E402
from model import TOKEN_EMBEDDING, load_trained_or_fail  # noqa: E402
from utils.cli import HelpFormatter, shown_path  # noqa: E402
from utils.flops import matmul_gflops  # noqa: E402
from utils.text import is_punctuation  # noqa: E402


def without_punctuation(text):
    """The text with each run of punctuation marks (and spaces) turned into one space; a text of nothing else stays."""
    stripped = re.sub(r'\s+', ' ', ''.join(' ' if is_punctuation(ch) else ch for ch in text))
    return stripped.strip() or text


def baseline_probabilities(model, tokenizer, texts):
    """The class probabilities at each text's Integrated Gradients baseline."""
    token_ids, segment_ids = encode(texts, tokenizer, model.maxlen)
    baseline = model.get_layer(TOKEN_EMBEDDING)(baseline_ids(token_ids, tokenizer))
    return albert_forward(model)(token_ids, segment_ids, baseline).numpy()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument('--input', default=path.CHECK_PATH, help='texts, one a line (labels ignored) (default: %(default)s)')
    parser.add_argument('--weights', default=path.WEIGHTS_PATH, help='trained model (default: %(default)s)')
    args = parser.parse_args(argv)
    model, tokenizer = load_trained_or_fail(args.weights)
    texts = read_texts_or_fail(args.input, len(model.label_names))[0]
    probs = predict_proba(model, tokenizer, texts)
    stripped = predict_proba(model, tokenizer, [without_punctuation(text) for text in texts])
    at_baseline = baseline_probabilities(model, tokenizer, texts)
    predicted = probs.argmax(axis=1)
    print(provenance(matmul_gflops(), argv))
    print(f'\n{shown_path(args.input)}: {len(texts)} texts; each class over the texts predicted as it\n')
    rows = []
    for k, name in enumerate(model.label_names):
        mine = predicted == k
        if not mine.any():
            continue
        drop = probs[mine, k] - stripped[mine, k]
        rows.append([f'{k} {name}', int(mine.sum()), f'{probs[mine, k].mean():.4f}', f'{stripped[mine, k].mean():.4f}',
                     f'{drop.mean():+.4f}', f'{drop.max():+.4f}', int((stripped[mine].argmax(axis=1) != k).sum()),
                     f'{at_baseline[mine, k].mean():.4f}'])
    print(markdown_table(['class', 'texts', 'mean p', 'mean p without punctuation', 'mean drop', 'largest drop',
                          'labels changed', 'mean p at the IG baseline'], rows))
    return rows


if __name__ == '__main__':
    main()
