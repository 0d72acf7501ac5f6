"""What every script does with bad input: one line on stderr, exit status 2."""
import sys


def fail(message):
    print(f'error: {message}', file=sys.stderr)
    sys.exit(2)
