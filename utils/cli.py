"""What every script does with bad input: one line on stderr, exit status 2.

The preamble the scripts share lives here too: read the data or fail, load the
trained model or fail, say how many empty lines were skipped.
"""
import argparse
import os
import sys

import numpy as np
from tqdm import tqdm

from data_process import DataError, load_data, read_texts


def shown_path(name):
    """A path as the scripts print it: relative to the working folder when inside it, else as it is
    (absolute, or a URL such as gs://...)."""
    if '://' in name:
        return name
    relative = os.path.relpath(name)
    return name if relative.startswith('..') else relative


def fail(message):
    print(f'error: {message}', file=sys.stderr)
    sys.exit(2)


def load_data_or_fail(path, num_classes=None):
    """load_data(path), or one line naming the file and line and exit status 2."""
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


def load_model_or_fail(weights, albert_dir=None):
    """(model, tokenizer) saved by main.py at weights, or one line and exit status 2."""
    import model as M  # TensorFlow: imported here so that the preprocessing scripts, which use fail(), stay quick
    try:
        return M.load_trained(weights, albert_dir)
    except M.MissingModelError as e:
        fail(e)


def model_files(weights):
    """The weights and the files that travel with them (model.model_files), for scripts that load
    TensorFlow only when given a model: an output must never be one of them."""
    import model as M
    return M.model_files(weights)


def model_guesses_or_fail(weights, texts):
    """(predicted labels, their calibrated probabilities, the model's class names) for texts, by the
    model saved at weights (or one line and exit status 2), with a progress bar."""
    import model as M
    model, tokenizer = load_model_or_fail(weights)
    with tqdm(total=len(texts), unit='text', desc='predicting', file=sys.stderr, mininterval=1) as bar:
        probs = M.predict_proba(model, tokenizer, texts, progress=bar.update)
    predicted = probs.argmax(axis=1)
    return predicted, probs[np.arange(len(texts)), predicted], model.label_names


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
