"""What every script does with bad input: one line on stderr, exit status 2."""
import sys


def fail(message):
    print(f'error: {message}', file=sys.stderr)
    sys.exit(2)


def _number(text, kind):
    import argparse
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'{text!r} is not a{"n integer" if kind is int else " number"}') from None


def at_least(minimum, kind=int):
    """An argparse type: a number of `kind` that is at least `minimum` (a usage error otherwise)."""
    import argparse

    def parse(text):
        value = _number(text, kind)
        if value < minimum:
            raise argparse.ArgumentTypeError(f'{text} is below {minimum}')
        return value
    return parse


def positive_float(text):
    """An argparse type: a float above 0."""
    import argparse
    value = _number(text, float)
    if not value > 0:
        raise argparse.ArgumentTypeError(f'{text} must be above 0')
    return value
