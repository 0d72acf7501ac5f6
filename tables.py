"""Spreadsheets in: a CSV, TSV or .xlsx export read as a header and rows, and a column picked by name.

An analyst's export is a table, not one text per line: predict.py and
feature_importance.py (--column) and preprocess/generate4label.py read it here.
Every cell comes back as a string ('' for an empty one), every row with the
line (CSV/TSV: where its record starts, the header being line 1) or sheet row
(.xlsx) it came from, so an error can name it. No model, no TensorFlow.
"""
import csv
import io
import os

from data_process import DataError, cannot_read
from utils.text import text_problem

TABLE_SUFFIXES = ('.csv', '.tsv', '.xlsx', '.xlsm')
# First lines of a plain text file that are a table's header rather than a text.
HEADER_WORDS = {'text', 'texts', 'report', 'content', 'finding', 'findings', 'diagnosis', 'label', '文本', '原文',
                '报告', '内容', '影像表现', '检查所见', '检查诊断', '诊断', '结论', '标签', '检查类型'}


def add_table_arguments(parser, column_help=''):
    """--column, --sheet and --encoding, for a script that reads a table's column."""
    parser.add_argument('--column', metavar='NAME',
                        help='the column holding the text, in a table with a header line (.csv, .tsv, .xlsx)'
                             f'{column_help} (default: the only column)')
    parser.add_argument('--sheet', metavar='NAME', help='the sheet of an .xlsx input (default: the first)')
    parser.add_argument('--encoding', default='utf-8-sig',
                        help='of a .csv/.tsv table, e.g. gbk for a CSV saved by Chinese Excel (default: %(default)s)')


def reads_table(file, column=None, sheet=None):
    """Whether a script's input is read as a table: a table's suffix, or --column or --sheet given."""
    return bool(file) and (is_table(file) or column is not None or sheet is not None)


def is_table(file):
    """Whether file is read as a table (by its suffix)."""
    return os.path.splitext(file)[1].lower() in TABLE_SUFFIXES


def read_table(file, encoding='utf-8-sig', sheet=None):
    """(header, [(line, cells)]) of a CSV, TSV or .xlsx file; cells as strings, padded to the header.

    DataError (naming the file and line) for a missing, unreadable, undecodable or empty file.
    sheet: an .xlsx sheet's name (default: the first).
    """
    if not os.path.exists(file):
        raise DataError(f'{file}: file not found')
    try:
        if os.path.splitext(file)[1].lower() in ('.xlsx', '.xlsm'):
            header, rows = _read_xlsx(file, sheet)
        else:
            header, rows = _read_delimited(file, encoding, '\t' if file.lower().endswith('.tsv') else ',')
    except OSError as e:  # PermissionError above all
        raise cannot_read(file, e) from None
    width = len(header)
    return header, [(line, cells[:width] + [''] * (width - len(cells))) for line, cells in rows]


def _read_delimited(file, encoding, delimiter):
    with open(file, 'rb') as f:
        raw = f.read()
    if raw[:4] == b'PK\x03\x04':  # a zip: an Excel workbook saved under another name
        raise DataError(f'{file}: this is an Excel workbook, not a CSV; name it .xlsx')
    try:
        content = raw.decode(encoding)
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b'\n') + 1
        hint = ' (an Excel CSV saved on Chinese Windows is usually GBK: try --encoding gbk)' \
            if encoding.lower().replace('_', '-').startswith('utf') else ''
        raise DataError(f'{file}:{line}: not valid {encoding}{hint}') from None
    except LookupError:
        raise DataError(f'{file}: unknown encoding {encoding!r}') from None
    reader = csv.reader(io.StringIO(content.lstrip('\ufeff'), newline=''), delimiter=delimiter)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise DataError(f'{file}:1: empty file, expected a header line naming the columns') from None
    rows, start = [], reader.line_num + 1
    for cells in reader:
        rows.append((start, cells))
        start = reader.line_num + 1
    return header, rows


def _read_xlsx(file, sheet):
    try:
        import openpyxl
    except ImportError:
        raise DataError(f'{file}: reading .xlsx needs openpyxl (pip install openpyxl, or make setup)') from None
    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except PermissionError:
        raise
    except Exception as e:  # zipfile.BadZipFile, KeyError, ...: openpyxl raises many kinds for a damaged file
        raise DataError(f'{file}: not a readable .xlsx workbook ({type(e).__name__})') from None
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise DataError(f"{file}: no sheet {sheet!r} (sheets: {', '.join(workbook.sheetnames)})")
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        rows = worksheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise DataError(f'{file}: sheet {worksheet.title!r} is empty, expected a header row naming the columns')
        header = [cell_text(cell).strip() for cell in header]
        body = [(number, [cell_text(cell) for cell in cells]) for number, cells in enumerate(rows, start=2)]
        return header, body
    finally:
        workbook.close()


def cell_text(value):
    """A spreadsheet cell as text: '' for an empty cell, 3 for 3.0."""
    if value is None:
        return ''
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def column_index(file, header, column):
    """The position of the named column; DataError listing the columns when it is missing (or, with
    column None, when there is more than one to choose from)."""
    if column is None:
        if len(header) == 1:
            return 0
        raise DataError(f"{file}: {len(header)} columns ({', '.join(header)}); name the one holding the text "
                        f'with --column')
    if column not in header:
        raise DataError(f"{file}:1: no column {column!r} (found: {', '.join(header)})")
    return header.index(column)


def column_texts(file, column=None, encoding='utf-8-sig', sheet=None, skip_empty=False):
    """A table's texts: (header, rows, {row position: text}, rows skipped). The text of a row is its
    column's cell, stripped; an empty one is a DataError naming its line, or with skip_empty skipped."""
    header, rows = read_table(file, encoding, sheet)
    index = column_index(file, header, column)
    texts, skipped = {}, 0
    for i, (line, cells) in enumerate(rows):
        text = cells[index].strip()
        problem = text_problem(text)
        if problem and not skip_empty:
            raise DataError(f'{file}:{line}: column {header[index]}: the text is {problem} (--skip-empty skips such rows)')
        if problem:
            skipped += 1
        else:
            texts[i] = text
    if not texts:
        raise DataError(f'{file}: no texts in column {header[index]}')
    return header, rows, texts, skipped


def looks_like_header(line):
    """Whether the first line of a plain text file is a table's header (text, 原文, 影像表现,检查诊断 ...)."""
    fields = [field.strip().lower() for field in line.replace(',', '\t').split('\t') if field.strip()]
    return bool(fields) and all(field in HEADER_WORDS for field in fields)
