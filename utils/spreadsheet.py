"""Cells a spreadsheet must show as text, never run as a formula (CSV injection).

Excel and LibreOffice read a cell that starts with = + - @ (or a tab or carriage return) as a
formula, so a report text such as `=HYPERLINK(...)` or `=cmd|' /C calc'!A0` in a sheet a person
opens could run. As OWASP advises, such a cell is written with a single quote in front, and that
quote alone is taken off again when the sheet is read back.
"""

FORMULA_STARTS = ('=', '+', '-', '@', '\t', '\r')


def _quoted_formula(text):
    """Whether text is a formula start behind zero or more quotes: one more quote in front of it is ours."""
    return text.lstrip("'").startswith(FORMULA_STARTS)


def spreadsheet_cell(value):
    """value as written to a sheet: a text that starts like a formula gets a ' in front. A text that
    already starts with quotes before such a character gets one more, so that from_spreadsheet_cell
    gives every text back exactly; numbers and other texts are unchanged."""
    return "'" + value if isinstance(value, str) and _quoted_formula(value) else value


def from_spreadsheet_cell(text):
    """The text that spreadsheet_cell wrote as text: the added quote taken off, every other cell as it is."""
    return text[1:] if text.startswith("'") and _quoted_formula(text) else text
