"""Load, check, split and batch `text<TAB>label` data files.

A data file is UTF-8, one record per line: the report text, one tab, and an
integer label in 0..num_classes-1. Every problem is reported as a DataError
whose message names the file and line, e.g. `data/train.txt:12: empty text`.

This module imports no TensorFlow, so the preprocessing scripts stay quick;
`batches()` takes the tokenizer as an argument.
"""
import collections
import itertools
import os
import random
import re
import sys

import numpy as np

from config import (LENGTH_BUCKET_BATCHES, MAX_BATCH_TOKENS, MAXLEN, MIN_BATCH_TEXTS, MIN_REAL_FRACTION, PAD_MULTIPLE,
                    SPLIT_RATIOS)
from config import FEW_TEXTS, FEW_TEXTS_A_CLASS, REPEATED_SHARE
from utils.cli import fail
from utils.files import atomic_paths
from utils.text import is_layout, text_problem

LABELS_FILE = 'labels.txt'  # `id<TAB>name` lines, beside the data files


class DataError(ValueError):
    """Bad input data; the message is one line naming file and line."""


def cannot_read(path, error):
    """The DataError of a file that is there but cannot be read: no permission, an I/O error."""
    return DataError(f'{path}: cannot read it ({error.strerror or type(error).__name__})')


def open_binary(path):
    """The file at path open for reading in binary; DataError when it is missing, a folder or unreadable."""
    try:
        return open(path, 'rb')
    except FileNotFoundError:
        raise DataError(f'{path}: file not found') from None
    except IsADirectoryError:
        raise DataError(f'{path}: is a folder, not a file') from None
    except OSError as e:  # PermissionError above all
        raise cannot_read(path, e) from None


def check_readable(path):
    """DataError when the file at path cannot be opened for reading (nothing is read)."""
    open_binary(path).close()


def read_lines(path, stream=None):
    """Yield (line_number, line) of a UTF-8 text file, without line endings.

    A byte-order mark on the first line (as Excel writes) is dropped. A file
    that is not UTF-8 raises DataError naming the first bad line. '-' reads stdin.
    `stream`: the file at path already open in binary mode (as Apache Beam opens
    one, on any of its filesystems), read instead of opening path; it is closed.
    """
    if stream is not None:
        f = stream
    elif path == '-':
        f = open(sys.stdin.fileno(), 'rb', closefd=False)
    else:
        f = open_binary(path)
    with f:
        lines = iter(f.readline, b'')  # Beam's compressed files have only readline
        for number in itertools.count(1):
            try:
                raw = next(lines, None)
            except OSError as e:
                raise cannot_read(path, e) from None
            if raw is None:
                return
            try:
                line = raw.decode('utf-8')
            except UnicodeDecodeError as e:
                raise DataError(f'{path}:{number}: not valid UTF-8 (byte {e.start}); '
                                f'convert the file to UTF-8 first, e.g. iconv -f GBK -t UTF-8') from None
            if number == 1:
                line = line.lstrip('\ufeff')
            yield number, line.rstrip('\r\n')


FULL_WIDTH_DIGITS = {0xFF10 + i: ord('0') + i for i in range(10)}  # '１' as a Chinese keyboard types it


def parse_label(value, num_classes=None):
    """The integer label in `value`, or None when it is not one in 0..num_classes-1 (any
    non-negative integer when num_classes is None).

    ASCII or full-width digits only ('①' and '²' count as digits to str.isdigit
    but not to int); a spreadsheet's '1.0' reads as 1.
    """
    match = re.fullmatch(r'(-?[0-9]+)(?:\.0*)?', value.translate(FULL_WIDTH_DIGITS).strip())
    if not match:
        return None
    label = int(match.group(1))
    return label if 0 <= label and (num_classes is None or label < num_classes) else None


def label_range(num_classes):
    return 'a non-negative integer' if num_classes is None else f'an integer in 0..{num_classes - 1}'


def load_data(path, num_classes=None, maxlen=MAXLEN, warn=True):
    """Read a `text<TAB>label` file into a list of (text, label).

    Raises DataError for a line without exactly one tab, an empty text, a label
    that is not an integer in 0..num_classes-1 (not a non-negative integer when
    num_classes is None), an empty file, or a file that is not UTF-8. Texts longer than maxlen - 2 characters are kept; the tokenizer
    truncates them to maxlen tokens, and one warning counts them.
    """
    data, too_long = [], []
    for number, line in read_lines(path):
        where = f'{path}:{number}'
        if not line.strip():
            raise DataError(f'{where}: empty line')
        tabs = line.count('\t')
        if tabs != 1:
            found = 'no tab' if tabs == 0 else f'{tabs} tabs'
            raise DataError(f"{where}: expected 'text<TAB>label', found {found}")
        text, label_field = line.split('\t')
        text = text.strip()
        if not text:
            raise DataError(f'{where}: empty text')
        label = parse_label(label_field, num_classes)
        if label is None:
            raise DataError(f'{where}: label {label_field.strip()!r} is not {label_range(num_classes)}')
        if len(text) > maxlen - 2:
            too_long.append(number)
        data.append((text, label))
    if not data:
        raise DataError(f'{path}: no data (the file is empty)')
    if too_long and warn:
        print(f'warning: {path}: {len(too_long)} texts longer than {maxlen - 2} characters '
              f'will be truncated to {maxlen} tokens (first at line {too_long[0]})', file=sys.stderr)
    return data


class TextFile:
    """The texts of a file to predict or explain, read as a stream: one text a line, or `text<TAB>label`.

    Iterating yields (text, label or None); a file of any size is read a line
    at a time. After iterating: `skipped` counts the empty lines skipped (with
    skip_empty; otherwise an empty line is a DataError), `labelled` says whether
    every line carried a valid label, and `why` names the first line without
    one when only some did (None for a file of plain texts). `stream`: see
    read_lines.
    """

    def __init__(self, path, num_classes=None, skip_empty=False, stream=None):
        self.path, self.num_classes, self.skip_empty, self.stream = path, num_classes, skip_empty, stream
        self.skipped, self.count, self.with_label, self.why = 0, 0, 0, None

    def __iter__(self):
        for number, line in read_lines(self.path, self.stream):
            text, _, rest = line.partition('\t')
            text = text.strip()
            if text_problem(text):  # empty, or spaces and control characters (a NUL) only
                if self.skip_empty:
                    self.skipped += 1
                    continue
                raise DataError(f'{self.path}:{number}: empty text (use --skip-empty to skip empty lines)')
            raw_label = rest.split('\t')[0]
            label = parse_label(raw_label, self.num_classes) if rest else None
            self.count += 1
            if label is not None:
                self.with_label += 1
            elif self.why is None:
                self.why = f'{self.path}:{number}: ' + (
                    f'label {raw_label!r} is not {label_range(self.num_classes)}' if rest else 'no label')
            yield text, label
        if not self.count:
            raise DataError(f'{self.path}: no texts to predict (the input is empty)')

    @property
    def labelled(self):
        return self.count > 0 and self.with_label == self.count

    def reason_without_labels(self):
        """Why a file with some labels gets no accuracy report; None for plain texts or a fully labelled file."""
        return self.why if self.with_label and not self.labelled else None


def read_texts(path, num_classes=None, skip_empty=False):
    """(texts, labels or None, number of empty lines skipped, why there are no labels): a whole
    TextFile at once."""
    reader = TextFile(path, num_classes, skip_empty)
    rows = list(reader)
    labels = [label for _, label in rows] if reader.labelled else None
    return [text for text, _ in rows], labels, reader.skipped, reader.reason_without_labels()


def load_data_or_fail(path, num_classes=None):
    """load_data for a script: the rows, or one line naming the file and line on stderr and exit status 2."""
    try:
        return load_data(path, num_classes)
    except DataError as e:
        fail(e)


def read_texts_or_fail(path, num_classes=None, skip_empty=False):
    """(texts, labels or None, why there are no labels) of a file to predict or explain (see read_texts),
    or one line and exit status 2; the number of empty lines skipped goes to stderr."""
    try:
        texts, labels, skipped, why = read_texts(path, num_classes, skip_empty)
    except DataError as e:
        fail(e)
    if skipped:
        print(f'skipped {skipped} empty lines', file=sys.stderr)
    return texts, labels, why


def labels_path(data_path):
    """Where the label names of the data file at data_path are: labels.txt in its folder."""
    return os.path.join(os.path.dirname(os.path.abspath(data_path)), LABELS_FILE)


def read_label_names(path):
    """The class names of a labels.txt, a list indexed by label: lines `id<TAB>name`, ids 0..n-1."""
    names = {}
    for number, line in read_lines(path):
        if not line.strip():
            continue
        label, sep, name = line.partition('\t')
        label, name = parse_label(label), name.strip()
        if not sep or label is None or not name or '\t' in name:
            raise DataError(f"{path}:{number}: expected 'id<TAB>name' with a non-negative integer id")
        if label in names:
            raise DataError(f'{path}:{number}: label {label} named twice')
        if name in names.values():
            raise DataError(f'{path}:{number}: the name {name!r} is given to two labels')
        names[label] = name
    if sorted(names) != list(range(len(names))) or len(names) < 2:
        raise DataError(f'{path}: the ids must be 0..n-1 for two or more classes, found {sorted(names)}')
    return [names[k] for k in range(len(names))]


def load_labelled(paths, label_file=None, maxlen=MAXLEN):
    """([rows of each path], label names): the data files and the classes they share.

    The names are those of label_file (default: labels.txt beside the first
    path) when it exists, and the labels of every file must be among them;
    otherwise the classes are 0..the largest label found, named by their numbers.
    """
    label_file = label_file or labels_path(paths[0])
    names = read_label_names(label_file) if os.path.exists(label_file) else None
    datasets = [load_data(p, len(names) if names else None, maxlen) for p in paths]
    if names is None:
        found = {label for rows in datasets for _, label in rows}
        missing = sorted(set(range(max(found) + 1)) - found)
        if missing:
            raise DataError(f'{paths[0]}: no text has label {missing[0]}, but labels go up to {max(found)}; '
                            f'renumber the labels 0..n-1, or name every class in {label_file}')
        if len(found) < 2:
            raise DataError(f'{paths[0]}: every text has label {max(found)}; a classifier needs two classes or more')
        names = [str(k) for k in range(len(found))]
    return datasets, names


def dataset_warnings(splits, label_names):
    """One-line warnings about data a model cannot learn or be judged on: {'train': rows, 'val': rows, ...}."""
    warnings = []
    train = splits['train']
    if len(train) < FEW_TEXTS:
        warnings.append(f'only {len(train)} training texts: below about {FEW_TEXTS} (and {FEW_TEXTS_A_CLASS} a class) '
                        f'a model trained from scratch learns little; --init-from weights/albert_tiny.h5 starts from '
                        f'the shipped model')
    for name, rows in splits.items():
        counts = collections.Counter(label for _, label in rows)
        for k, class_name in enumerate(label_names):
            if name == 'train' and not counts[k]:
                warnings.append(f'class {k} ({class_name}) has no training texts; the model cannot learn it: '
                                f'add labelled texts of it, or leave it out of labels.txt')
            elif rows and not counts[k]:
                warnings.append(f'{name} split: no text of class {k} ({class_name})')
            elif name == 'train' and counts[k] < FEW_TEXTS_A_CLASS:
                warnings.append(f'train split: only {counts[k]} texts of class {k} ({class_name})')
    seen = {text for text, _ in train}
    for name, rows in splits.items():
        repeated = sum(text in seen for text, _ in rows) if name != 'train' and rows else 0
        if repeated and repeated >= REPEATED_SHARE * len(rows):
            warnings.append(f'{name} split: {repeated} of its {len(rows)} texts are also training texts; '
                            f'its accuracy says little about new text')
    return warnings


def deduplicate(rows, source='data'):
    """Drop repeated (text, label) rows, keeping the first; a text seen with two labels is an error."""
    seen, unique = {}, []
    for text, label in rows:
        if text in seen:
            if seen[text] != label:
                raise DataError(f'{source}: text labelled both {seen[text]} and {label}: {text[:40]}')
            continue
        seen[text] = label
        unique.append((text, label))
    return unique


def mixed_in(train_rows, mix_path, size, seed, label_names):
    """The training rows plus `size` rows drawn with `seed` from the labelled file mix_path (main.py
    --mix-in: the shipped data beside a user's own), leaving out its texts already in train_rows.

    DataError when mix_path's classes (its labels.txt) are not label_names.
    """
    names_file = labels_path(mix_path)
    mix_names = read_label_names(names_file) if os.path.exists(names_file) else None
    rows = load_data(mix_path, len(label_names))
    if mix_names is not None and list(mix_names) != list(label_names):
        raise DataError(f"{mix_path}: its classes ({', '.join(mix_names)}) are not the training data's "
                        f"({', '.join(label_names)}); --mix-in needs the same classes")
    own = {text for text, _ in train_rows}
    rows = [row for row in rows if row[0] not in own]
    random.Random(seed).shuffle(rows)
    return train_rows + rows[:size]


def split_dataset(rows, seed, ratios=SPLIT_RATIOS):
    """Split rows into train/val/test, stratified by label, shuffled with `seed`.

    Each label's rows are shuffled and cut in the given ratios, so every split
    keeps the label proportions; rows must already be deduplicated, so no text
    lands in two splits.
    """
    rng = random.Random(seed)
    by_label = {}
    for row in rows:
        by_label.setdefault(row[1], []).append(row)
    total = sum(ratios)
    splits = ([], [], [])
    for label in sorted(by_label):
        group = by_label[label]
        rng.shuffle(group)
        n_train = round(len(group) * ratios[0] / total)
        n_val = round(len(group) * ratios[1] / total)
        splits[0].extend(group[:n_train])
        splits[1].extend(group[n_train:n_train + n_val])
        splits[2].extend(group[n_train + n_val:])
    for split in splits:
        rng.shuffle(split)
    return splits


def _write_rows(path, rows):
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        for text, label in rows:
            f.write(f'{text}\t{label}\n')


def write_dataset(out_dir, parts, label_names=None):
    """Write {name: rows} as out_dir/name.txt files that change together: all of them or none.

    With label_names, out_dir/labels.txt is one of them.
    """
    paths = [os.path.join(out_dir, f'{name}.txt') for name in parts]
    if label_names:
        paths.append(os.path.join(out_dir, LABELS_FILE))
    with atomic_paths(paths) as temps:
        for tmp, rows in zip(temps, parts.values()):
            _write_rows(tmp, rows)
        if label_names:
            with open(temps[-1], 'w', encoding='utf-8', newline='\n') as f:
                f.writelines(f'{k}\t{name}\n' for k, name in enumerate(label_names))


def padded_width(length):
    """length rounded up to a multiple of PAD_MULTIPLE."""
    return -(-length // PAD_MULTIPLE) * PAD_MULTIPLE


def encode(texts, tokenizer, maxlen=MAXLEN):
    """Token ids and segment ids for texts, padded with 0 to the longest of them.

    The width is rounded up to a multiple of PAD_MULTIPLE: TensorFlow's CPU
    kernels pay a set-up cost the first time they see a shape (seconds for a
    long batch), so fewer distinct widths make the first epoch much faster.
    """
    token_ids = [tokenizer.encode(text, maxlen=maxlen)[0] for text in texts]
    width = padded_width(max(len(ids) for ids in token_ids))
    padded = np.zeros((len(token_ids), width), dtype='int32')
    for row, ids in zip(padded, token_ids):
        row[:len(ids)] = ids
    return padded, np.zeros_like(padded)


def length_sorted_batches(texts, batch_size, max_tokens=MAX_BATCH_TOKENS, min_real=MIN_REAL_FRACTION, maxlen=MAXLEN):
    """Index lists that cover texts sorted by length, for inference.

    A batch holds at most batch_size texts and, padded to its longest text, at
    most max_tokens tokens; once it has MIN_BATCH_TEXTS texts it also closes
    rather than let padding exceed 1 - min_real of it, counting each text at
    its own width rounded as encode rounds it (that rounding is not padding
    this rule can avoid). So long texts go in smaller batches and little
    compute is spent on padding.
    """
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    batches_, current, own_widths = [], [], 0
    for i in order:
        width = padded_width(min(len(texts[i]) + 2, maxlen))  # characters + [CLS], [SEP]: about the tokens
        padded = (len(current) + 1) * width
        if current and (len(current) == batch_size or padded > max_tokens
                        or (len(current) >= MIN_BATCH_TEXTS and (own_widths + width) / padded < min_real)):
            batches_.append(current)
            current, own_widths = [], 0
        current.append(i)
        own_widths += width
    if current:
        batches_.append(current)
    return batches_


def mask_tokens(token_ids, rng, unk_id, unk_rate=0.0, span_rate=0.0, span_max=1):
    """A copy of padded token ids with some text tokens replaced by unk_id, for training.

    Each token between [CLS] and [SEP] becomes unk_id with probability
    unk_rate; and with probability span_rate a text also loses one run of
    1..span_max tokens (never all of a text). [CLS], [SEP] and padding stay.
    `rng` is a numpy Generator, so the same seed masks the same tokens.
    """
    masked = np.array(token_ids, copy=True)
    lengths = (masked != 0).sum(axis=1)  # [CLS] text [SEP]
    for row, length in zip(masked, lengths):
        n_text = length - 2
        if n_text < 1:
            continue
        hide = rng.random(n_text) < unk_rate
        if n_text > 1 and rng.random() < span_rate:
            span = rng.integers(1, min(span_max, n_text - 1) + 1)
            start = rng.integers(0, n_text - span + 1)
            hide[start:start + span] = True
        row[1:1 + n_text][hide] = unk_id
    return masked


def text_positions(token_ids):
    """True where padded token ids hold a text token: not [CLS], [SEP] or padding."""
    real = token_ids != 0
    position = np.arange(token_ids.shape[1])[None, :]
    return real & (position > 0) & (position < real.sum(axis=1, keepdims=True) - 1)


BLANK = -1  # the label of a blanked training text: its target is every class equally


def blank_texts(token_ids, labels, rng, unk_id, rate, layout_ids=None, layout_share=0.0):
    """Copies of a batch's token ids and labels with a share `rate` of the texts blanked:
    every text token [UNK] ([CLS], [SEP] and padding kept) and the label BLANK.

    With layout_ids (True for each vocabulary id of punctuation, digits or
    symbols only), a share `layout_share` of the blanked texts keeps those
    tokens: a text's layout without its words is then no class either, so the
    model cannot read a class from the separators and digits a text happens to use.
    """
    token_ids, labels = np.array(token_ids, copy=True), np.array(labels, copy=True)
    blanked = rng.random(len(labels)) < rate
    hide = blanked[:, None] & text_positions(token_ids)
    if layout_ids is not None:
        keeps_layout = blanked & (rng.random(len(labels)) < layout_share)
        hide &= ~(keeps_layout[:, None] & layout_ids[token_ids])
    token_ids[hide] = unk_id
    labels[blanked] = BLANK
    return token_ids, labels


def layout_token_ids(tokenizer):
    """A boolean array over the vocabulary: True for the tokens of punctuation, digits or symbols only."""
    layout = np.zeros(max(tokenizer._token_dict.values()) + 1, dtype=bool)
    for token, token_id in tokenizer._token_dict.items():
        piece = token[2:] if token.startswith('##') else token
        layout[token_id] = bool(piece) and is_layout(piece)
    return layout


def batches(data, tokenizer, batch_size, shuffle=False, seed=None, maxlen=MAXLEN, bucket=LENGTH_BUCKET_BATCHES,
            augment=None, blank=None):
    """Yield ([token_ids, segment_ids], labels) batches over (text, label) data, one pass.

    Each batch is padded to its own longest text. With shuffle, the order is
    drawn from `seed` (pass a different seed each epoch for a new order), and
    texts are grouped by length: the shuffled data is cut into chunks of
    `bucket` batches, each chunk sorted by length and cut into batches, and the
    batches shuffled, so that little of each batch is padding. Chunks are kept
    small so that each epoch still puts different texts together.
    `augment(token_ids, rng)`, if given, changes each batch's token ids (see
    mask_tokens); its numpy Generator is seeded with `seed` too. `blank(token_ids,
    labels, rng)`, if given, then changes token ids and labels (see blank_texts).
    """
    augment_rng = np.random.default_rng(seed)
    order = list(range(len(data)))
    batch_starts = range(0, len(order), batch_size)
    if shuffle:
        rng = random.Random(seed)
        rng.shuffle(order)
        chunk = batch_size * bucket
        order = [i for start in range(0, len(order), chunk)
                 for i in sorted(order[start:start + chunk], key=lambda i: len(data[i][0]))]
        batch_starts = list(batch_starts)
        rng.shuffle(batch_starts)
    for start in batch_starts:
        rows = [data[i] for i in order[start:start + batch_size]]
        token_ids, segment_ids = encode([text for text, _ in rows], tokenizer, maxlen)
        if augment:
            token_ids = augment(token_ids, augment_rng)
        labels = np.array([label for _, label in rows], dtype='int32')
        if blank:
            token_ids, labels = blank(token_ids, labels, augment_rng)
        yield [token_ids, segment_ids], labels
