"""The label sheet: reading a CSV export, cleaning its cells into one-line texts, and the CSV a person labels.

generate4label.py writes the sheet (原文, 标签 and, pre-labelled, 模型预测, 置信度);
data_transfer.py reads it back once labelled.
"""
import csv
import io
import os
import re

import path
from data_process import DataError
from utils.files import atomic_open

MODEL_COLUMNS = ('模型预测', '置信度')  # the model's label and its probability, beside 原文,标签
DEFAULT_SHEET = os.path.join(path.DATA_DIR, 'to_label.csv')


def clean_text(text):
    """One report cell as a one-line text: the cleaning rules of the original project.

    Newlines, tabs, full-width spaces and '@' are removed (a tab would break the
    `text<TAB>label` files), ',' becomes '，', runs of spaces become one space,
    and the ends are stripped.
    """
    for junk in ('\r', '\n', '\t', '\u3000', '@'):
        text = text.replace(junk, '')
    text = text.replace(',', '，')
    text = re.sub(' {2,}', ' ', text)
    return text.strip()


def read_csv(file, columns, encoding='utf-8-sig'):
    """Read a CSV into a list of (line_number, {column: cell}) for the given columns.

    line_number is the line where the record starts (header = line 1), counted
    so that a quoted cell spanning several lines still points at the right line.
    Raises DataError for an undecodable file or a missing column.
    """
    try:
        with open(file, 'rb') as f:
            raw = f.read()
    except FileNotFoundError:
        raise DataError(f'{file}: file not found') from None
    try:
        content = raw.decode(encoding)
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b'\n') + 1
        hint = ' (an Excel CSV saved on Chinese Windows is usually GBK: try --encoding gbk)' \
            if encoding.lower().replace('_', '-').startswith('utf') else ''
        raise DataError(f'{file}:{line}: not valid {encoding}{hint}') from None
    except LookupError:
        raise DataError(f'{file}: unknown encoding {encoding!r}') from None

    reader = csv.reader(io.StringIO(content.lstrip('\ufeff'), newline=''))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise DataError(f'{file}:1: empty file, expected a header with {", ".join(columns)}') from None
    for column in columns:
        if column not in header:
            raise DataError(f'{file}:1: missing column {column} (found: {", ".join(header)})')
    index = {column: header.index(column) for column in columns}

    rows, start = [], reader.line_num + 1
    for cells in reader:
        rows.append((start, {c: cells[i] if i < len(cells) else '' for c, i in index.items()}))
        start = reader.line_num + 1
    return rows


def write_label_sheet(path_, rows, with_model):
    """The CSV a person labels in Excel (UTF-8 with BOM): 原文,标签 and, with_model, 模型预测,置信度.
    rows: (text, label or '', and with_model: predicted label, confidence)."""
    with atomic_open(path_, encoding='utf-8-sig', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['原文', '标签', *(MODEL_COLUMNS if with_model else ())])
        for text, label, *guess in rows:
            writer.writerow([text, label, *([guess[0], f'{guess[1]:.4f}'] if with_model else [])])
