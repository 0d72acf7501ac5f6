"""The rows predict.py and batch_predict.py write, and the counts they print: one format for both.

TSV: text, label, label_name, prob_0 .. prob_k (and unsure with a confidence
threshold, tracts with --tracts), then truncated (1 for a text longer than the
model reads), a header first; JSONL: the same as fields of one object a line.
"""
import json
import sys

import numpy as np


def unsure(probs, min_confidence):
    """Whether each text's top probability is below min_confidence (none is, without one)."""
    top = np.asarray(probs).max(axis=1)
    return top < min_confidence if min_confidence is not None else np.zeros(len(top), dtype=bool)


def write_header(out, fmt, label_names, min_confidence=None, tracts=False):
    if fmt == 'tsv':
        out.write('text\tlabel\tlabel_name\t' + '\t'.join(f'prob_{k}' for k in range(len(label_names)))
                  + ('\tunsure' if min_confidence is not None else '') + ('\ttracts' if tracts else '') + '\ttruncated\n')


def truncated(text, maxlen):
    """Whether a text is longer than a model of this maxlen reads ([CLS] and [SEP] take two tokens):
    only its start was predicted on."""
    return len(text) > maxlen - 2


def write_output(out, texts, probs, fmt, label_names, maxlen, min_confidence=None, tracts=None):
    """tracts: inference.named_tracts of the texts, or None for no such column."""
    predicted = probs.argmax(axis=1)
    named = tracts if tracts is not None else [None] * len(texts)
    for text, label, row, doubt, both in zip(texts, predicted, probs, unsure(probs, min_confidence), named):
        if fmt == 'tsv':
            out.write(f'{text}\t{label}\t{label_names[label]}\t' + '\t'.join(f'{p:.6f}' for p in row)
                      + (f'\t{int(doubt)}' if min_confidence is not None else '')
                      + (f'\t{both}' if tracts is not None else '') + f'\t{int(truncated(text, maxlen))}\n')
        else:
            record = {'text': text, 'label': int(label), 'label_name': label_names[label],
                      'probs': [round(float(p), 6) for p in row]}
            if min_confidence is not None:
                record['unsure'] = bool(doubt)
            if tracts is not None:
                record['tracts'] = both
            record['truncated'] = truncated(text, maxlen)
            out.write(json.dumps(record, ensure_ascii=False) + '\n')


def report_counts(skipped, too_long, maxlen, unsure_count, total, min_confidence):
    """On stderr: the empty lines skipped, the texts truncated, and with min_confidence the texts unsure."""
    if skipped:
        print(f'skipped {skipped} empty lines', file=sys.stderr)
    warn_too_long(too_long, maxlen)
    if min_confidence is not None:
        print(f'{unsure_count} of {total} texts unsure (top probability below {min_confidence:g})', file=sys.stderr)


def accuracy_line(correct, total):
    return f'accuracy {correct / total:.6f} on {total} labelled texts'


def warn_too_long(count, maxlen):
    if count:
        print(f'warning: {count} texts longer than {maxlen - 2} characters were truncated to {maxlen} tokens',
              file=sys.stderr)
