"""Export a trained model as a TensorFlow SavedModel that reads raw text, for TF Serving or any TensorFlow.

    python export.py                                  # weights/albert_tiny.h5 -> weights/albert_tiny_savedmodel/<n>/
    python export.py --weights my.h5 --output /srv/models/endoscopy --version 3

The SavedModel holds the tokenizer (utils/graph_tokenizer.py: the same token
ids as bert4keras's, in TensorFlow ops), the model with its temperature, and
the class names. Its serving signature 'serving_default':

    texts       string [n]          raw UTF-8 texts, any length (cut to maxlen tokens, as predict.py does)
    -> label    int64 [n]           the predicted class
       label_name string [n]        its name
       probs    float32 [n, k]      the calibrated probabilities

Each export is a new numbered version under --output (1, 2, ...), the layout
TF Serving watches; an existing version is never written over. The export is
written beside it, loaded back and checked against predict.py on --check
(default: the test split: same labels, probabilities within 1e-5), and only
then renamed into place; one that fails the check never appears, and the
folder a killed export leaves goes with the next export of that version.

Loading it in Python needs TensorFlow Text's ops registered first:
    import tensorflow as tf, tensorflow_text  # noqa
    serve = tf.saved_model.load('weights/albert_tiny_savedmodel/1').signatures['serving_default']
    serve(texts=tf.constant(['慢性浅表性胃炎']))
"""
import argparse
import os
import shutil

import utils.compat  # noqa: F401  (must come before bert4keras)
import numpy as np
import tensorflow as tf

import config
import path
from baselines import is_shipped_task
from data_process import read_texts_or_fail
from inference import MissingModelError, load_predictor, make_forward, named_tracts
from utils.cli import HelpFormatter, at_least, fail, shown_path
from utils.files import (OverwriteError, UnwritableError, check_not_a_lock, check_not_an_input, check_writable,
                         new_temp_folder, usual_permissions)
try:
    from utils.graph_tokenizer import GraphTokenizer
except ImportError as e:  # TensorFlow Text: the tokenizer's ops inside the SavedModel
    if __name__ != '__main__':
        raise
    fail(f'export.py needs TensorFlow Text ({e}): pip install -r requirements.txt, which installs tensorflow-text')

# How far the exported probabilities may be from predict.py's: both run inference.make_forward, but the
# SavedModel's graph is optimised anew when it loads
TOLERANCE = 1e-5


# inference.clauses in TensorFlow ops: a clause is blank when it holds only what str.strip() removes
SEPARATORS = '[' + ''.join(f'\\x{{{ord(ch):x}}}' for ch in config.CLAUSE_SEPARATORS) + ']'
BLANK = r'[\t\n\x{0b}\f\r\x{1c}-\x{1f}\x{85}\p{Z}]*'


def graph_clauses(texts):
    """Each text's clauses (ragged string [n, (clauses)]), as inference.clauses cuts them."""
    pieces = tf.strings.split(tf.strings.regex_replace(texts, SEPARATORS, '\n'), '\n')  # \n is a separator too
    pieces = tf.ragged.boolean_mask(pieces, tf.logical_not(tf.strings.regex_full_match(pieces, BLANK)))
    alone = tf.expand_dims(pieces.row_lengths() == 0, 1)  # no clause: the text itself
    return tf.concat([pieces, tf.ragged.boolean_mask(tf.expand_dims(texts, 1), alone)], axis=1)


def serving_module(model, tokenizer):
    """A tf.Module whose `serve` function is the serving signature (see the docstring above)."""
    module = tf.Module()
    module.tokenizer = GraphTokenizer(tokenizer, model.maxlen)
    module.model_variables = list(model.variables)  # tracked here, so that the SavedModel holds them
    label_names = tf.constant(list(model.label_names))
    forward = make_forward(model)  # predict.py's float32 forward, temperature included
    with_tracts = is_shipped_task(model.label_names)

    def predict(texts):
        token_ids = module.tokenizer(texts)
        return forward(token_ids, tf.zeros_like(token_ids))

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name='texts')])
    def serve(texts):
        probs = predict(texts)
        label = tf.argmax(probs, axis=1)
        outputs = {'label': label, 'label_name': tf.gather(label_names, label), 'probs': probs}
        if with_tracts:  # predict.py --tracts: each clause on its own
            clauses = graph_clauses(texts)
            clause_labels = clauses.with_flat_values(tf.argmax(predict(clauses.flat_values), axis=1))
            upper = tf.reduce_any(tf.equal(clause_labels, 1), axis=1)
            lower = tf.reduce_any(tf.equal(clause_labels, 2), axis=1)
            outputs['tracts'] = tf.where(upper & lower, '1+2', tf.where(upper, '1', tf.where(lower, '2', '')))
        return outputs

    module.serve = serve
    return module


def next_version(base):
    """One more than the highest numbered version under base (1 for none)."""
    versions = [int(name) for name in os.listdir(base) if name.isdigit()] if os.path.isdir(base) else []
    return max(versions, default=0) + 1


def version_taken(folder):
    return OverwriteError(f'{shown_path(folder)} exists: each export is a new version (leave out --version, or give another)')


def save(module, base, version, check=None):
    """Write the SavedModel as base/version, whole or not at all.

    check(folder), if given, runs on the written model before it takes its
    version's name (TF Serving starts serving a new version as soon as it
    appears) and raises ExportCheckError to stop it from appearing at all.
    """
    target = os.path.join(base, str(version))
    if os.path.exists(target):
        raise version_taken(target)
    tmp = new_temp_folder(target)  # .VERSION.tmp...: TF Serving ignores names that are not numbers
    try:
        tf.saved_model.save(module, tmp, signatures={'serving_default': module.serve})
        if check:
            check(tmp)
        usual_permissions(tmp, 0o777)
        try:
            os.rename(tmp, target)
        except OSError:  # another export took this version meanwhile
            raise version_taken(target) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


class ExportCheckError(RuntimeError):
    """The written model does not give predict.py's predictions."""


def load_serving(export_dir):
    """The serving signature of an exported model: texts -> {label, label_name, probs} (tensors)."""
    return tf.saved_model.load(export_dir).signatures['serving_default']


def serve_in_batches(serve, texts, batch_size):
    """The exported model's (labels, probabilities, tracts or None) for texts, as numpy."""
    labels, probs, tracts = [], [], []
    for start in range(0, len(texts), batch_size):
        out = serve(texts=tf.constant(texts[start:start + batch_size]))
        labels.append(out['label'].numpy())
        probs.append(out['probs'].numpy())
        if 'tracts' in out:
            tracts.extend(t.decode('utf-8') for t in out['tracts'].numpy())
    return np.concatenate(labels), np.concatenate(probs), (tracts if tracts else None)


def compare_with_predict(export_dir, texts, weights, albert_dir, batch_size):
    """(texts with the same label, and the same tracts where the export gives them; largest probability
    difference) between the export and predict.py."""
    labels, probs, tracts = serve_in_batches(load_serving(export_dir), texts, batch_size)
    predictor = load_predictor(weights, albert_dir)
    expected = predictor.predict_proba(texts, batch_size)
    same = labels == expected.argmax(axis=1)
    if tracts is not None:
        same &= np.array(tracts) == np.array(named_tracts(predictor, texts, batch_size))
    return int(same.sum()), float(np.abs(probs - expected).max())


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument('--weights', default=path.WEIGHTS_PATH, help='trained weights (default: %(default)s)')
    parser.add_argument('--output', help='the folder of numbered versions to add one to (default: the weights\' '
                                         'path with _savedmodel for .h5: weights/albert_tiny_savedmodel)')
    parser.add_argument('--version', type=at_least(1), help='the version number (default: one more than the highest there)')
    parser.add_argument('--check', default=path.TEST_PATH if os.path.exists(path.TEST_PATH) else '',
                        help="texts (one a line, text<TAB>label works) to check the export on; '' for none "
                             '(default: %(default)s)')
    parser.add_argument('--batch-size', type=at_least(1), default=config.PREDICT_BATCH_SIZE,
                        help='for the check (default: %(default)s)')
    parser.add_argument('--albert-dir', default=path.ALBERT_DIR,
                        help='config and vocab.txt, used only when the weights have none saved beside them (default: %(default)s)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    args.output = args.output or path.export_dir(args.weights)
    try:
        check_not_an_input([args.output], [args.weights, *([args.check] if args.check else [])])
        check_not_a_lock([args.output], args.weights)
        check_writable([args.output])
        if args.version and os.path.exists(os.path.join(args.output, str(args.version))):
            raise version_taken(os.path.join(args.output, str(args.version)))
    except (OverwriteError, UnwritableError) as e:
        fail(e)
    texts = read_texts_or_fail(args.check)[0] if args.check else []
    try:  # the loader's cache: the check predicts with this very model, loaded once
        predictor = load_predictor(args.weights, args.albert_dir)
    except MissingModelError as e:
        fail(e)
    model, tokenizer = predictor.model, predictor.tokenizer

    def check(folder):
        same, largest = compare_with_predict(folder, texts, args.weights, args.albert_dir, args.batch_size)
        print(f'check on {shown_path(args.check)}: same label{" and tracts" if is_shipped_task(model.label_names) else ""} '
              f'as predict.py on {same}/{len(texts)} texts, '
              f'largest probability difference {largest:.1e}')
        if same < len(texts) or largest > TOLERANCE:
            raise ExportCheckError(f'the export does not agree with predict.py on {args.check} (tolerance {TOLERANCE:g}), '
                                   'so it was not written; please report this with the texts')

    try:
        target = save(serving_module(model, tokenizer), args.output, args.version or next_version(args.output),
                      check if texts else None)
    except (OverwriteError, ExportCheckError) as e:
        fail(e)
    outputs = 'label, label_name, probs' + (', tracts' if is_shipped_task(model.label_names) else '')
    print(f'wrote {shown_path(target)} (signature serving_default: texts -> {outputs}; '
          f'classes {", ".join(model.label_names)}; maxlen {model.maxlen})')


if __name__ == '__main__':
    main()
