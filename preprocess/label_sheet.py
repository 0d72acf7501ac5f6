"""The label sheet: reading an export (CSV, TSV or .xlsx), cleaning its cells into one-line texts, and the CSV a person labels.

generate4label.py writes the sheet (原文, 标签 and, pre-labelled, 模型预测, 置信度);
data_transfer.py reads it back once labelled.
"""
import csv
import os
import re

import path
from data_process import DataError
from tables import read_table
from utils.files import atomic_open
from utils.spreadsheet import spreadsheet_cell

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


def read_csv(file, columns, encoding='utf-8-sig', sheet=None):
    """Read a CSV, TSV or .xlsx export (tables.read_table) into a list of (line_number, {column: cell})
    for the given columns. Raises DataError for an unreadable file or a missing column."""
    header, rows = read_table(file, encoding, sheet)
    for column in columns:
        if column not in header:
            raise DataError(f'{file}:1: missing column {column} (found: {", ".join(header)})')
    index = {column: header.index(column) for column in columns}
    return [(line, {c: cells[i] for c, i in index.items()}) for line, cells in rows]


def write_label_sheet(path_, rows, with_model):
    """The CSV a person labels in Excel (UTF-8 with BOM): 原文,标签 and, with_model, 模型预测,置信度.
    rows: (text, label or '', and with_model: predicted label, confidence). A cell that Excel would take
    for a formula (= + - @ first) gets a ' in front; data_transfer.py takes it off again."""
    with atomic_open(path_, encoding='utf-8-sig', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['原文', '标签', *(MODEL_COLUMNS if with_model else ())])
        for text, label, *guess in rows:
            cells = [text, label, *([guess[0], f'{guess[1]:.4f}'] if with_model else [])]
            writer.writerow([spreadsheet_cell(cell) for cell in cells])
