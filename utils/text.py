"""Terminal alignment for text mixing CJK (two columns wide) and Latin characters; what counts as
punctuation; what counts as a text at all."""
import math
import unicodedata


def text_problem(value):
    """Why value is not a text to classify ('NaN', 'None', 'a float, not a string', 'empty',
    'only spaces or control characters'), or None when it is one."""
    if value is None:
        return 'None'
    if isinstance(value, float) and math.isnan(value) or type(value).__name__ in ('NAType', 'NaTType'):
        return 'NaN (an empty cell)'
    if not isinstance(value, str):
        return f'a {type(value).__name__}, not a string'
    if not value:
        return 'empty'
    if all(ch.isspace() or unicodedata.category(ch)[0] == 'C' for ch in value):
        return 'only spaces or control characters'
    return None


def is_punctuation(ch):
    """True for a punctuation mark of any script (Unicode category P*): ， 。 ； ( . and the rest."""
    return unicodedata.category(ch).startswith('P')


def is_layout(text):
    """True for a text of punctuation, digits, symbols or spaces only (Unicode P, N, S, Z): layout, not content."""
    return all(unicodedata.category(c)[0] in 'PNSZ' for c in text)


def display_width(text):
    return sum(2 if unicodedata.east_asian_width(c) in 'WF' else 1 for c in text)


def ljust(text, width):
    return text + ' ' * max(width - display_width(text), 1 if text else 0)


def rjust(text, width):
    return ' ' * max(width - display_width(text), 0) + text


def label_title(label_names, k):
    """How a class is shown: '1 上消化道', or '1' when the class is named by its number."""
    return str(k) if label_names[k] == str(k) else f'{k} {label_names[k]}'
