"""bert4keras's Tokenizer(do_lower_case=True).encode(text, maxlen) as TensorFlow ops, for export.py.

With model.py's ScriptTokenizer, Traditional characters are first read as
simplified ones: that mapping is per character too, so it joins step 1's table.

The exported SavedModel takes raw strings, so the tokenizer has to live in the
graph and cut every text exactly as the Python one does (the model only knows
the token ids it was trained on). The Python tokenizer, per character of the
text, in order:

1. lower-cases, decomposes (NFD) and drops combining marks (category Mn);
2. puts spaces around punctuation and CJK characters, turns spaces into
   separators and drops control characters, NUL and U+FFFD;
3. splits on whitespace into words and cuts each word into the longest
   vocabulary pieces from the left ('##' marks a piece inside a word); a word
   that cannot be cut, or of more than 200 characters, is one [UNK];
4. keeps the first maxlen - 2 tokens between [CLS] and [SEP].

Steps 1 and 2 depend on the character alone, so they are two lookup tables
computed here from Python's own unicodedata (the same one bert4keras uses), and
range tests for the CJK blocks; step 3 is TensorFlow Text's WordpieceTokenizer,
whose op is one TF Serving has long shipped. One rule of step 1 is not per
character: str.lower makes a capital sigma (Σ) a final sigma (ς) when a cased
letter comes before it and none after it, case-ignorable characters (accents,
apostrophes, full stops, ...) skipped; ΟΔΟΣ reads as οδος, ΣΟΦΟΣ as σοφος.
A third table, read off str.lower itself, gives each character's part in that
rule, and the graph looks at the neighbours of each Σ.
"""
import unicodedata

import numpy as np
import tensorflow as tf
import tensorflow_text as tf_text
from bert4keras.snippets import lowercase_and_normalize
from bert4keras.tokenizers import Tokenizer

# What step 2 does with a character
OTHER, SPLIT, SPACE, DROP = 0, 1, 2, 3
# Marks "unchanged by step 1" in the normalisation table; no normalised character is ever NUL
UNCHANGED = '\0'
# A character's part in str.lower's final-sigma rule
NOT_CASED, CASED, CASE_IGNORABLE = 0, 1, 2
SIGMA, FINAL_SIGMA = 0x3A3, '\u03c2'
CJK_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F), (0x2B740, 0x2B81F),
              (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))  # Tokenizer._is_cjk_character's


def character_class(ch):
    """What step 2 does with ch, as Tokenizer._tokenize decides it."""
    if Tokenizer._is_punctuation(ch) or Tokenizer._is_cjk_character(ch):
        return SPLIT
    if Tokenizer._is_space(ch):
        return SPACE
    if ord(ch) in (0, 0xFFFD) or Tokenizer._is_control(ch):
        return DROP
    if ch.isspace():  # not a space to bert4keras, but str.split() splits on it
        return SPACE
    return OTHER


def character_tables(script_table=None):
    """({codepoint: normalised string} where step 1 changes the character,
    {codepoint: class} where step 2 does not keep it as it is, outside the CJK blocks).

    script_table ({codepoint: character}, utils/script.py's) maps a character before step 1,
    as model.ScriptTokenizer does."""
    script_table = script_table or {}
    normalised, classes = {}, {}
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:  # surrogates: never in decoded UTF-8
            continue
        ch = chr(code)
        if unicodedata.category(ch) == 'Cn':  # unassigned: neither step touches it
            continue
        out = lowercase_and_normalize(script_table.get(code, ch))
        if out != ch:
            normalised[code] = out
        kind = character_class(ch)
        if kind != OTHER and not Tokenizer._is_cjk_character(ch):
            classes[code] = kind
    return normalised, classes


def sigma_context_classes(script_table=None):
    """{codepoint: CASED or CASE_IGNORABLE} as str.lower's final-sigma rule sees the character (after
    script_table, as character_tables), read off str.lower itself: a cased character before Σ makes it ς;
    a case-ignorable one between them is skipped (it is looked past before being asked whether it is cased)."""
    script_table = script_table or {}
    classes = {}
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = script_table.get(code, chr(code))
        if (ch + 'Σ').lower().endswith(FINAL_SIGMA):
            classes[code] = CASED
        elif ('A' + ch + 'Σ').lower().endswith(FINAL_SIGMA):
            classes[code] = CASE_IGNORABLE
    return classes


def _table(mapping, value_dtype, default):
    keys = tf.constant(list(mapping), dtype=tf.int64)
    values = tf.constant(list(mapping.values()), dtype=value_dtype)
    return tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(keys, values), default)


class GraphTokenizer(tf.Module):
    """texts (string [n]) -> token ids (int32 [n, width], 0-padded): tokenizer.encode(text, maxlen)[0] for each.

    tokenizer is a bert4keras Tokenizer with do_lower_case=True, or model.py's
    SeenTokenizer around one (tokens outside its seen set read as [UNK]).
    """

    def __init__(self, tokenizer, maxlen):
        super().__init__()
        base = getattr(tokenizer, 'tokenizer', tokenizer)
        if not base._do_lower_case:
            raise ValueError('GraphTokenizer follows a tokenizer with do_lower_case=True')
        script = getattr(base, 'script_table', None)  # model.ScriptTokenizer's
        normalised, classes = character_tables(script)
        self.normalise_table = _table(normalised, tf.string, UNCHANGED)
        self.class_table = _table(classes, tf.int32, OTHER)
        self.sigma_context_table = _table(sigma_context_classes(script), tf.int32, NOT_CASED)
        vocab = [base.id_to_token(i) for i in range(base._vocab_size)]
        vocab_table = tf.lookup.StaticVocabularyTable(
            tf.lookup.KeyValueTensorInitializer(vocab, tf.range(len(vocab), dtype=tf.int64)), num_oov_buckets=1)
        self.word_maxlen = base._word_maxlen
        # a word over word_maxlen characters is made [UNK] before this; 4 bytes is the longest UTF-8 character
        self.wordpiece = tf_text.WordpieceTokenizer(vocab_table, suffix_indicator='##',
                                                    max_bytes_per_word=4 * self.word_maxlen,
                                                    unknown_token=base._token_unk, token_out_type=tf.int64)
        ids = np.arange(base._vocab_size)
        if hasattr(tokenizer, '_seen_ids'):  # SeenTokenizer
            ids = np.where(tokenizer._seen_ids, ids, base._token_unk_id)
        self.token_ids = tf.constant(ids, dtype=tf.int32)
        self.start_id, self.end_id = base._token_start_id, base._token_end_id
        self.unk = base._token_unk
        self.maxlen = maxlen

    @staticmethod
    def _per_character(texts, pieces_fn):
        """Each text with every character c replaced by pieces_fn(codepoints, characters)."""
        codes = tf.strings.unicode_decode(texts, 'UTF-8', errors='replace')
        chars = tf.strings.unicode_encode(tf.expand_dims(codes.flat_values, 1), 'UTF-8')
        pieces = pieces_fn(tf.cast(codes.flat_values, tf.int64), chars)
        return tf.strings.reduce_join(codes.with_flat_values(pieces), axis=1)

    def final_sigmas(self, codes):
        """codes (ragged int32 [n, (characters)]) -> bool per character (flat): a Σ that str.lower makes ς."""
        kind = codes.with_flat_values(self.sigma_context_table.lookup(tf.cast(codes.flat_values, tf.int64)))
        counted = kind != CASE_IGNORABLE
        # the counted characters of each text in order, NOT_CASED at either end: a counted character's
        # neighbours are found by its rank among them
        others = tf.pad(tf.ragged.boolean_mask(kind, counted).to_tensor(NOT_CASED), [[0, 0], [1, 1]],
                        constant_values=NOT_CASED)
        rank = tf.cumsum(tf.cast(counted, tf.int32).to_tensor(0), axis=1, exclusive=True)
        before = tf.gather(others, rank, batch_dims=1)
        after = tf.gather(others, tf.minimum(rank + 2, tf.shape(others)[1] - 1), batch_dims=1)
        final = tf.RaggedTensor.from_tensor((before == CASED) & (after != CASED), lengths=codes.row_lengths())
        return (codes.flat_values == SIGMA) & final.flat_values

    def normalise(self, texts):
        """Step 1: lower-cased (a final Σ to ς, as str.lower), decomposed, without combining marks."""
        codes = tf.strings.unicode_decode(texts, 'UTF-8', errors='replace')
        chars = tf.strings.unicode_encode(tf.expand_dims(codes.flat_values, 1), 'UTF-8')
        mapped = self.normalise_table.lookup(tf.cast(codes.flat_values, tf.int64))
        pieces = tf.where(self.final_sigmas(codes), FINAL_SIGMA, tf.where(mapped == UNCHANGED, chars, mapped))
        return tf.strings.reduce_join(codes.with_flat_values(pieces), axis=1)

    def words(self, texts):
        """Steps 1 and 2: each text's words (ragged string [n, (words)])."""
        def pieces(codes, chars):
            kind = self.class_table.lookup(codes)
            cjk = tf.reduce_any(tf.stack([(codes >= lo) & (codes <= hi) for lo, hi in CJK_RANGES]), axis=0)
            kind = tf.where(cjk, SPLIT, kind)
            return tf.where(kind == SPLIT, ' ' + chars + ' ',
                            tf.where(kind == SPACE, ' ', tf.where(kind == DROP, '', chars)))
        spaced = self._per_character(self.normalise(texts), pieces)
        words = tf.strings.split(spaced, sep=' ')
        return tf.ragged.boolean_mask(words, words != '')

    def __call__(self, texts):
        words = self.words(texts)
        too_long = tf.strings.length(words.flat_values, unit='UTF8_CHAR') > self.word_maxlen
        words = words.with_flat_values(tf.where(too_long, self.unk, words.flat_values))
        token_ids = tf.gather(self.token_ids, self.wordpiece.tokenize(words).merge_dims(1, 2))
        token_ids = token_ids[:, :self.maxlen - 2]
        ends = tf.ones([tf.shape(texts)[0], 1], tf.int32)
        token_ids = tf.concat([ends * self.start_id, token_ids, ends * self.end_id], axis=1).to_tensor(0)
        # no texts: [0, 0]; the model needs a width of at least [CLS] [SEP]
        return tf.pad(token_ids, [[0, 0], [0, tf.maximum(0, 2 - tf.shape(token_ids)[1])]])
