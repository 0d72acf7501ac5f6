"""What every script does with bad input (one line on stderr, exit status 2), argparse types that check ranges, and the --help format.

The library modules give the loaders the scripts share a `*_or_fail` form
(data_process.load_data_or_fail, model.load_trained_or_fail, ...) built on fail().
"""
import argparse
import copy
import os
import sys


def shown_path(name):
    """A path as the scripts print it: relative to the working folder when inside it, else as it is
    (absolute, or a URL such as gs://...)."""
    if '://' in name:
        return name
    relative = os.path.relpath(name)
    return name if relative.startswith('..') else relative


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """--help as the scripts print it: the module docstring as written, and a path default as
    shown_path shows it (`log`, not the checkout's absolute path)."""

    def _expand_help(self, action):
        default = action.default
        if isinstance(default, str) and os.path.isabs(default):
            action = copy.copy(action)
            action.default = shown_path(default)
        elif isinstance(default, (list, tuple)) and default and all(isinstance(d, str) and os.path.isabs(d) for d in default):
            action = copy.copy(action)
            action.default = ' '.join(shown_path(d) for d in default)
        return super()._expand_help(action)


def fail(message):
    print(f'error: {message}', file=sys.stderr)
    sys.exit(2)


def _number(text, kind):
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'{text!r} is not a{"n integer" if kind is int else " number"}') from None


def at_least(minimum, kind=int):
    """An argparse type: a number of `kind` that is at least `minimum` (a usage error otherwise)."""
    def parse(text):
        value = _number(text, kind)
        if value < minimum:
            raise argparse.ArgumentTypeError(f'{text} is below {minimum}')
        return value
    return parse


def positive_float(text):
    """An argparse type: a float above 0."""
    value = _number(text, float)
    if not value > 0:
        raise argparse.ArgumentTypeError(f'{text} must be above 0')
    return value


def probability(text):
    """An argparse type: a number in (0, 1]."""
    value = _number(text, float)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f'{text} is not a probability in (0, 1]')
    return value
