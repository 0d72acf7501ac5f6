"""The classifier: ALBERT-tiny + [CLS] -> Dense softmax; its tokenizers; saving and loading it.

A model built here carries what it was trained for: model.label_names (a tuple
indexed by label), model.maxlen, model.temperature and model.albert_config.
main.py saves it with its config and vocabulary beside the weights (path.py
names those files), so predict.py, feature_importance.py and export.py rebuild
exactly the model and tokenizer that were trained, whatever
albert_tiny_google_zh/ holds later. Running it fast is inference.py's job,
training it trainer.py's. Importing this module builds nothing.
"""
import glob
import json
import os
import shutil

import utils.compat  # noqa: F401  (must come before bert4keras)
import h5py
import numpy as np
from bert4keras.backend import keras, set_gelu
from bert4keras.models import build_transformer_model
from bert4keras.tokenizers import Tokenizer

import config
from path import seen_path, sidecar_paths
from utils.cli import fail, shown_path
from utils.files import atomic_open, atomic_path
from utils.script import simplified_table

set_gelu('tanh')  # ALBERT's gelu, as the original

TOKEN_EMBEDDING = 'Embedding-Token'  # bert4keras's name for the token embedding layer


def load_albert_config(albert_dir):
    path = os.path.join(albert_dir, 'albert_config.json')
    if not os.path.exists(path):
        raise FileNotFoundError(f'{path}: ALBERT config not found')
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def pretrained_checkpoint(albert_dir):
    """Path prefix of albert_model.ckpt in albert_dir, or None when it is absent."""
    prefix = os.path.join(albert_dir, 'albert_model.ckpt')
    return prefix if glob.glob(prefix + '.index') else None


CLASSIFIER = 'Classifier'


def classifier_head(sequence_output, num_classes, temperature=1.0):
    """[CLS] vector -> Dense logits -> softmax(logits / temperature) over the classes.

    The temperature (main.py fits it on the validation split, see
    utils/calibration.py) is a constant of the graph, so every path that
    builds the model from its saved config (prediction, int8, IG) gives
    calibrated probabilities; training builds with 1, where it is left out.
    """
    cls_vector = keras.layers.Lambda(lambda x: x[:, 0], name='CLS')(sequence_output)
    logits = keras.layers.Dense(num_classes, name=CLASSIFIER,
                                kernel_initializer=utils.compat.FreshTruncatedNormal(stddev=0.02))(cls_vector)
    if temperature != 1.0:
        logits = keras.layers.Lambda(lambda z: z / temperature, name='Temperature')(logits)
    return keras.layers.Activation('softmax', name='Probabilities')(logits)


def build_model(albert_config, label_names, checkpoint=None, maxlen=config.MAXLEN, temperature=1.0):
    """ALBERT from a config dict (optionally loading a TF checkpoint), [CLS] -> Dense softmax over the classes."""
    albert = build_transformer_model(checkpoint_path=checkpoint, model='albert', **albert_config)
    model = keras.models.Model(albert.inputs, classifier_head(albert.output, len(label_names), temperature))
    model.albert_config = albert_config  # for albert_forward and the benchmarks
    model.label_names = tuple(label_names)  # a tuple: Keras would wrap a list in a tracked ListWrapper
    model.maxlen = maxlen
    model.temperature = float(temperature)
    return model


def new_model(albert_dir, label_names, maxlen=config.MAXLEN, quiet=False):
    """The model to train for classes label_names: pretrained when albert_dir has albert_model.ckpt.*,
    else from scratch.

    Returns (model, albert_config, pretrained).
    """
    albert_config = load_albert_config(albert_dir)
    checkpoint = pretrained_checkpoint(albert_dir)
    if not quiet:
        if checkpoint:
            print(f'Loading pretrained ALBERT weights from {shown_path(checkpoint)}')
        else:
            print(f'No albert_model.ckpt in {shown_path(albert_dir)}: training ALBERT from scratch')
    return build_model(albert_config, label_names, checkpoint, maxlen), albert_config, checkpoint is not None


def model_from_trained(weights_path, label_names):
    """A model for classes label_names starting from a trained model (main.py --init-from): its
    ALBERT body, maxlen and vocabulary; its classifier too when label_names are its classes, else
    a new one. Returns (model, albert_config, vocabulary path, whether the classifier was kept).

    MissingModelError when weights_path cannot be loaded.
    """
    source, _ = load_trained(weights_path)
    model = build_model(source.albert_config, label_names, maxlen=source.maxlen)
    kept_head = tuple(label_names) == source.label_names
    for layer in model.layers:
        if layer.weights and (layer.name != CLASSIFIER or kept_head):
            layer.set_weights(source.get_layer(layer.name).get_weights())
    return model, source.albert_config, sidecar_paths(weights_path)[1], kept_head


# --- saving and loading -----------------------------------------------------

def save_model_files(model, vocab_file, weights_path, pretrained=False, tokenizer=None):
    """Write the config (ALBERT's, the label names, maxlen, the model's temperature) and a copy of
    the vocabulary that go with the model's weights at weights_path.

    With a SeenTokenizer, its seen tokens go beside them too (albert_tiny.seen.txt).
    """
    config_path, vocab_path = sidecar_paths(weights_path)
    with atomic_open(config_path) as f:
        json.dump({'albert_config': dict(model.albert_config), 'num_classes': len(model.label_names),
                   'label_names': list(model.label_names), 'maxlen': model.maxlen,
                   'temperature': model.temperature, 'pretrained': pretrained}, f, ensure_ascii=False, indent=2)
    with atomic_path(vocab_path) as tmp:
        shutil.copyfile(vocab_file, tmp)
    if isinstance(tokenizer, SeenTokenizer):
        with atomic_open(seen_path(weights_path)) as f:
            f.writelines(token + '\n' for token in tokenizer.seen)
    elif os.path.exists(seen_path(weights_path)):  # another model's list, not this one's
        os.remove(seen_path(weights_path))


def save_temperature(weights_path, temperature):
    """Set the temperature in the config saved beside the weights, leaving the rest of it as it is."""
    config_path = sidecar_paths(weights_path)[0]
    with open(config_path, encoding='utf-8') as f:
        saved = json.load(f)
    saved['temperature'] = float(temperature)
    with atomic_open(config_path) as f:
        json.dump(saved, f, ensure_ascii=False, indent=2)


# The config entries that change what the weights compute without changing their
# shapes (ALBERT shares one layer's weights across layers, and heads split the
# same matrices), recorded inside the .h5 so that a hand-edited config is caught.
FINGERPRINT = ('num_hidden_layers', 'num_attention_heads', 'hidden_size', 'embedding_size', 'intermediate_size',
               'vocab_size', 'max_position_embeddings', 'hidden_act')


def save_weights(model, weights_path):
    """Write the weights atomically, with the fingerprint of the model's ALBERT config in the file."""
    with atomic_path(weights_path) as tmp:
        model.save_weights(tmp)
        with h5py.File(tmp, 'a') as f:
            f.attrs['albert_fingerprint'] = json.dumps({k: model.albert_config.get(k) for k in FINGERPRINT},
                                                       sort_keys=True)


def check_fingerprint(weights_path, albert_config, config_path):
    """ValueError when the weights were trained with another architecture than albert_config describes."""
    with h5py.File(weights_path, 'r') as f:
        saved = f.attrs.get('albert_fingerprint')
    if saved is None:  # weights trained elsewhere
        return
    saved = json.loads(saved)
    for key in FINGERPRINT:
        if saved.get(key) != albert_config.get(key):
            raise ValueError(f'{config_path} says {key} {albert_config.get(key)}, the weights were trained with {saved.get(key)}')


class ScriptTokenizer(Tokenizer):
    """bert4keras's Tokenizer that reads Traditional characters as their simplified ones
    (utils/script.py): 結腸鏡 is cut and encoded as 结肠镜. The mapping keeps the text's length, so
    rematch() still points at the characters of the text as written.

    Only mappings onto a character of the vocabulary are kept (script_table): a character that
    maps to one outside it (嗰 to 𠮶) would otherwise turn from a token into [UNK]."""

    def __init__(self, token_dict, *args, **kwargs):
        super().__init__(token_dict, *args, **kwargs)
        self.script_table = {code: ch for code, ch in simplified_table().items() if ch in self._token_dict}

    def _tokenize(self, text, pre_tokenize=True):
        return super()._tokenize(text.translate(self.script_table), pre_tokenize)

    def rematch(self, text, tokens):
        return super().rematch(text.translate(self.script_table), tokens)


def load_tokenizer(vocab_path):
    return ScriptTokenizer(vocab_path, do_lower_case=True)


class SeenTokenizer:
    """A bert4keras Tokenizer that reads every token outside `seen` as [UNK].

    For a model trained from scratch: the tokens of its training data are the
    only ones whose embeddings were trained. Everything but encode() is the
    wrapped tokenizer's.
    """

    def __init__(self, tokenizer, seen):
        self.tokenizer = tokenizer
        self.seen = sorted(set(seen) | {tokenizer._token_pad, tokenizer._token_unk,
                                         tokenizer._token_start, tokenizer._token_end})
        self._seen_ids = np.zeros(tokenizer._vocab_size, dtype=bool)
        self._seen_ids[[tokenizer.token_to_id(token) for token in self.seen]] = True
        self.unk_id = tokenizer._token_unk_id

    def encode(self, *args, **kwargs):
        token_ids, segment_ids = self.tokenizer.encode(*args, **kwargs)
        return [i if self._seen_ids[i] else self.unk_id for i in token_ids], segment_ids

    def __getattr__(self, name):
        return getattr(self.tokenizer, name)


def seen_tokens(tokenizer, texts, maxlen=config.MAXLEN):
    """The set of vocabulary tokens that occur in texts (as the tokenizer cuts them, up to maxlen).

    A character outside the vocabulary comes out of tokenize() as itself but
    reads as [UNK] anyway, so it is left out.
    """
    seen = set()
    for text in texts:
        seen.update(tokenizer.tokenize(text, maxlen=maxlen))
    return {token for token in seen if token in tokenizer._token_dict}


def training_tokenizer(tokenizer, train_texts, unk_rate, maxlen=config.MAXLEN):
    """The tokenizer to train and evaluate with: the seen-token one when training replaces characters
    by [UNK] (unk_rate > 0, from scratch), else the plain one.

    [UNK] stands in for unseen tokens only once training has taught it to mean
    "no evidence"; a pretrained checkpoint has trained embeddings for its whole
    vocabulary, so nothing is mapped to [UNK] there.
    """
    return SeenTokenizer(tokenizer, seen_tokens(tokenizer, train_texts, maxlen)) if unk_rate else tokenizer


def saved_label_names(saved):
    """The label names of a saved config: a list of names, one per class."""
    names = saved['label_names']
    if not isinstance(names, list) or not all(isinstance(name, str) and name for name in names):
        raise ValueError('label_names must be a list of names, one per class')
    if len(names) != saved['num_classes']:
        raise ValueError(f"{len(names)} label names for {saved['num_classes']} classes")
    return names


def saved_maxlen(saved, albert_config):
    """The maxlen of a saved config: an integer from 3 ([CLS], a character, [SEP]) to the model's positions."""
    maxlen = saved['maxlen']
    if not isinstance(maxlen, int) or not 3 <= maxlen <= albert_config['max_position_embeddings']:
        raise ValueError(f"maxlen {maxlen!r} is not an integer in 3..{albert_config['max_position_embeddings']}")
    return maxlen


def saved_temperature(saved):
    """The temperature of a saved config: a positive number."""
    temperature = saved['temperature']
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not 0 < temperature < float('inf'):
        raise ValueError(f'temperature {temperature!r} is not a positive number')
    return float(temperature)


def classes_in_weights(weights_path):
    """The number of classes of the classifier in a weights file (the length of its bias)."""
    sizes = []
    with h5py.File(weights_path, 'r') as f:
        f.visititems(lambda name, item: sizes.append(item.shape[0])
                     if isinstance(item, h5py.Dataset) and name.startswith('Classifier') and 'bias' in name else None)
    if not sizes:
        raise ValueError('no Classifier layer in the weights')
    return sizes[0]


class MissingModelError(FileNotFoundError):
    """No trained model at the given path."""


def load_trained(weights_path, albert_dir=None):
    """(model, tokenizer) from weights saved by main.py.

    The config (ALBERT's, the label names, maxlen) and vocabulary saved beside
    the weights are used; weights that came without them (trained elsewhere) take
    albert_dir's config and vocabulary, the number of classes of their classifier
    and classes named by their numbers.
    """
    if not os.path.exists(weights_path):
        raise MissingModelError(f'{weights_path} not found: train a model first (make train, or python main.py)')
    config_path, vocab_path = sidecar_paths(weights_path)
    try:
        if os.path.exists(config_path) and os.path.exists(vocab_path):
            with open(config_path, encoding='utf-8') as f:
                saved = json.load(f)
            albert_config, label_names = saved['albert_config'], saved_label_names(saved)
            maxlen = saved_maxlen(saved, albert_config)
            temperature = saved_temperature(saved)
        elif albert_dir:
            albert_config, maxlen, temperature = load_albert_config(albert_dir), config.MAXLEN, 1.0
            label_names = [str(k) for k in range(classes_in_weights(weights_path))]
            vocab_path = os.path.join(albert_dir, 'vocab.txt')
        else:
            raise FileNotFoundError(f'{config_path} not found: the weights need the config saved with them')
        with open(vocab_path, encoding='utf-8') as f:
            vocab_lines = sum(1 for _ in f)
        if vocab_lines != albert_config['vocab_size']:  # another vocabulary would shift every token id
            raise ValueError(f'{vocab_path} has {vocab_lines} lines, the config says vocab_size {albert_config["vocab_size"]}')
        check_fingerprint(weights_path, albert_config, config_path)
        model = build_model(albert_config, label_names, maxlen=maxlen, temperature=temperature)
        model.load_weights(weights_path)  # a config whose shapes do not match the weights fails here
        tokenizer = load_tokenizer(vocab_path)
        if os.path.exists(seen_path(weights_path)):
            with open(seen_path(weights_path), encoding='utf-8') as f:
                seen = [line.rstrip('\n') for line in f if line.rstrip('\n')]
            unknown = [token for token in seen if token not in tokenizer._token_dict]
            if unknown:
                raise ValueError(f'{seen_path(weights_path)} names tokens missing from {vocab_path}, e.g. {unknown[0]!r}')
            tokenizer = SeenTokenizer(tokenizer, seen)
    except (OSError, ValueError, KeyError, TypeError) as e:
        message = str(e).splitlines()[0] if str(e) else type(e).__name__
        if isinstance(e, KeyError):
            message = f'{config_path} has no {e.args[0]!r}'
        raise MissingModelError(f'{weights_path}: cannot load this model ({message})') from None
    return model, tokenizer



def load_trained_or_fail(weights_path, albert_dir=None):
    """load_trained for a script: (model, tokenizer), or one line on stderr and exit status 2."""
    try:
        return load_trained(weights_path, albert_dir)
    except MissingModelError as e:
        fail(e)
