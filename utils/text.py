"""Terminal alignment for text mixing CJK (two columns wide) and Latin characters."""
import unicodedata


def display_width(text):
    return sum(2 if unicodedata.east_asian_width(c) in 'WF' else 1 for c in text)


def ljust(text, width):
    return text + ' ' * max(width - display_width(text), 1 if text else 0)


def rjust(text, width):
    return ' ' * max(width - display_width(text), 0) + text
