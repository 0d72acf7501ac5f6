"""Integrated Gradients for the classifier, and the keywords they point at. No file I/O.

For each text, Integrated Gradients (Sundararajan et al. 2017) integrates the
gradient of the target class's probability along a straight path from a
baseline (the text's characters replaced by [UNK], [CLS] and [SEP] kept) to
the real token embeddings. A model trained with blank texts (config.BLANK_RATE)
gives every class the same probability there, so each class's attributions
measure the way from "no class" to the text. Each character's attribution is (x - x')·mean
gradient summed over the embedding axis, signed: positive pushes towards the
class. The attributions add up to f(x) - f(baseline); the completeness gap
|sum - (f(x) - f(baseline))| says how well the steps approximate the integral.

Keywords (text_keywords, keyword_table): words, each scoring the sum of its
characters' attributions, or the original project's spans (runs of characters
whose min-max scaled positive scores reach a threshold), or characters; counted
over a whole file, with each keyword's share of the attribution.
feature_importance.py reads texts, calls these and writes the tables.
"""
import logging
from collections import Counter, defaultdict

import utils.compat  # noqa: F401  (must come before bert4keras)
import jieba
import numpy as np
import tensorflow as tf

import config
import path
from data_process import encode, length_sorted_batches, text_positions
from inference import albert_forward, ig_dtype
from model import TOKEN_EMBEDDING
from utils.script import to_simplified

jieba.setLogLevel(logging.WARNING)  # not its dictionary-loading messages on every run


def path_points(steps, method='gausslobatto'):
    """Alphas in [0, 1] and their quadrature weights (summing to 1) for the path integral.

    Gauss-Lobatto's points include both ends of the path, so f(x), f(baseline)
    and the class to explain come from the path itself (in float32): steps rows
    forward and backward per text, about 2 x steps forward passes.
    Gauss-Legendre's do not, so it costs two more forward passes a text (as a
    bfloat16 path does); trapezoid's steps intervals take steps + 1 points.
    """
    if method == 'gausslobatto':
        if steps < 2:
            raise ValueError('gausslobatto needs at least 2 steps (the two ends)')
        # interior nodes: the roots of P'_{m-1}; weights 2 / (m (m-1) P_{m-1}(x)^2) on [-1, 1]
        legendre = np.polynomial.legendre
        last = np.zeros(steps)
        last[-1] = 1  # P_{m-1}
        nodes = np.concatenate([[-1.0], np.sort(legendre.legroots(legendre.legder(last))), [1.0]])
        weights = 2 / (steps * (steps - 1) * legendre.legval(nodes, last) ** 2)
        return (nodes + 1) / 2, weights / 2
    if method == 'gausslegendre':
        nodes, weights = np.polynomial.legendre.leggauss(steps)
        return (nodes + 1) / 2, weights / 2
    if method == 'trapezoid':
        alphas = np.linspace(0, 1, steps + 1)
        weights = np.full(steps + 1, 1.0 / steps)
        weights[[0, -1]] /= 2
        return alphas, weights
    raise ValueError(f'unknown method {method!r}: gausslobatto, gausslegendre or trapezoid')


FIXED_METHODS = ('gausslobatto', 'gausslegendre', 'trapezoid')
METHODS = FIXED_METHODS + ('warped',)


def warped_points(values, steps, floor=config.IG_WARP_FLOOR):
    """Per text, steps alphas and weights [texts, steps] placed where f changes along the path.

    values [texts, S + 1]: f at S + 1 evenly spaced points of the path (a
    forward pass only). A very confident model's f turns from baseline to text
    within a short stretch of the path, where evenly spaced points are few.
    Each of the S stretches is worth points in proportion to how much f
    changes over it, plus `floor` of them spread evenly (the gradients of
    single characters change where f does not); neighbouring stretches worth
    less than a point together are joined, and each such segment gets its
    whole number of Gauss-Legendre points. The path is still the straight
    line and the weights sum to 1: only where its integral is sampled changes.
    """
    values = np.asarray(values, dtype=np.float64)
    stretches = values.shape[1] - 1
    change = np.abs(np.diff(values, axis=1))
    mass = change + floor * change.sum(axis=1, keepdims=True) / stretches + 1e-12
    alphas, weights = np.empty((len(values), steps)), np.empty((len(values), steps))
    for row, worth in enumerate(mass / mass.sum(axis=1, keepdims=True) * steps):
        edges, held = [0], 0.0
        for j in range(stretches):
            held += worth[j]
            if held >= 1 - 1e-9:
                edges.append(j + 1)
                held = 0.0
        if edges[-1] != stretches:  # the last stretches, worth less than a point: part of the last segment
            edges[-1] = stretches
        segment_worth = np.array([worth[a:b].sum() for a, b in zip(edges, edges[1:])])
        counts = np.floor(segment_worth).astype(int)  # each at least 1
        counts[np.argsort(counts - segment_worth)[:steps - counts.sum()]] += 1  # the largest remainders
        points = []
        for (a, b), count in zip(zip(edges, edges[1:]), counts):
            nodes, node_weights = np.polynomial.legendre.leggauss(count)
            start, length = a / stretches, (b - a) / stretches
            points += [(start + (node + 1) / 2 * length, w / 2 * length) for node, w in zip(nodes, node_weights)]
        alphas[row], weights[row] = zip(*points)
    return alphas, weights


def make_ig_fn(trained, precision=config.IG_PRECISION):
    """A compiled function (token_ids, segment_ids, targets, contrasts, alphas, weights, is_text) -> IG results.

    `is_text` marks the text's tokens (not [CLS], [SEP] or padding); a target
    of -1 explains the class predicted at x. f is the target class's
    probability, or with a contrast class c >= 0, p(target) - p(c) ("why this
    class rather than that one"; -1: no contrast). Returns attributions (n, L)
    per token, f(x) and f(baseline) (n,), the targets, and the probabilities at
    x (n, num_classes). The path points of all texts go through the model in
    one batched forward and backward pass.

    precision (see inference.ig_dtype): bfloat16 runs the path's matrix products in
    bfloat16 (about 1.4 times as fast where the CPU has them natively); f(x),
    f(baseline) and the class to explain then come from a float32 forward
    pass of the two ends, so they are prediction's and the completeness gap
    counts bfloat16's rounding too (it keeps the gap from going much below
    0.002: for a smaller --max-gap, float32).
    """
    dtype = ig_dtype(precision)
    forward = albert_forward(trained, dtype=dtype)  # prediction's forward (in dtype), the embeddings an input
    end_forward = albert_forward(trained) if dtype != tf.float32 else forward
    embedding_layer = trained.get_layer(TOKEN_EMBEDDING)

    ids_spec = tf.TensorSpec([None, None], tf.int32)
    per_text_spec = tf.TensorSpec([None, None], tf.float32)
    classes_spec = tf.TensorSpec([None], tf.int32)
    f = lambda p, c: tf.reduce_sum(p * c, axis=-1)  # noqa: E731

    def path_rows(token_ids, segment_ids, baseline_ids, alphas):
        """The embeddings at each text's path points, one row per (text, alpha), and the ends x, x'."""
        n, length, k = tf.shape(token_ids)[0], tf.shape(token_ids)[1], tf.shape(alphas)[1]
        x, x_base = embedding_layer(token_ids), embedding_layer(baseline_ids)
        path = tf.reshape(x_base[:, None] + alphas[:, :, None, None] * (x - x_base)[:, None], [n * k, length, -1])
        return path, x, x_base, lambda t: tf.repeat(t, k, axis=0)

    def class_coefficients(targets, contrasts, probs_at_x):
        """The targets (-1: the class predicted at x) and f as coefficients over the classes: one-hot of
        the target, minus one-hot of the contrast."""
        targets = tf.where(targets < 0, tf.argmax(probs_at_x, axis=-1, output_type=tf.int32), targets)
        num_classes = tf.shape(probs_at_x)[-1]
        coefficients = (tf.one_hot(targets, num_classes)
                        - tf.one_hot(tf.maximum(contrasts, 0), num_classes) * tf.cast(contrasts[:, None] >= 0, tf.float32))
        return targets, tf.stop_gradient(coefficients)

    def float32_ends(token_ids, segment_ids, x, x_base):
        n = tf.shape(token_ids)[0]
        ends = end_forward(tf.concat([token_ids, token_ids], 0), tf.concat([segment_ids, segment_ids], 0),
                           tf.concat([x, x_base], 0))
        return ends[:n], ends[n:]

    def integrate_path(token_ids, segment_ids, targets, contrasts, alphas, weights, is_text, baseline_ids, ends):
        """ig_fn's results; ends(per_text_probs, x, x_base) gives the probabilities at x and at the baseline."""
        n, length, k = tf.shape(token_ids)[0], tf.shape(token_ids)[1], tf.shape(alphas)[1]
        path, x, x_base, repeat = path_rows(token_ids, segment_ids, baseline_ids, alphas)
        # only the path is watched: the backward pass skips the weights' gradients, about half its cost
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(path)
            probs = forward(repeat(token_ids), repeat(segment_ids), path)
            probs_at_x, probs_at_base = ends(tf.reshape(probs, [n, k, -1]), x, x_base)
            targets, coefficients = class_coefficients(targets, contrasts, probs_at_x)
            values = f(probs, repeat(coefficients))
        grads = tf.reshape(tape.gradient(values, path), [n, k, length, -1])
        mean_grad = tf.einsum('nk,nkle->nle', weights, grads)
        attributions = tf.reduce_sum((x - x_base) * mean_grad, axis=-1)
        attributions = tf.where(is_text, attributions, 0.0)
        return attributions, f(probs_at_x, coefficients), f(probs_at_base, coefficients), targets, probs_at_x

    ig_spec = [ids_spec, ids_spec, classes_spec, classes_spec, per_text_spec, per_text_spec,
               tf.TensorSpec([None, None], tf.bool), ids_spec]

    @tf.function(input_signature=ig_spec)
    def ig_fn(token_ids, segment_ids, targets, contrasts, alphas, weights, is_text, baseline_ids):
        def ends(per_text, x, x_base):
            # f(x), f(baseline) and the class: in float32, the path's end rows if its points include the ends
            # (Gauss-Lobatto, trapezoid); else (Gauss-Legendre, warped, or a bfloat16 path) a float32 pass of the two ends
            if dtype != tf.float32:
                return float32_ends(token_ids, segment_ids, x, x_base)
            on_path = tf.logical_and(tf.reduce_all(tf.equal(alphas[:, 0], 0.0)),
                                     tf.reduce_all(tf.equal(alphas[:, -1], 1.0)))
            return tf.cond(on_path, lambda: (per_text[:, -1], per_text[:, 0]),
                           lambda: float32_ends(token_ids, segment_ids, x, x_base))
        return integrate_path(token_ids, segment_ids, targets, contrasts, alphas, weights, is_text, baseline_ids, ends)

    @tf.function(input_signature=ig_spec + [per_text_spec, per_text_spec])
    def ig_given_ends_fn(token_ids, segment_ids, targets, contrasts, alphas, weights, is_text, baseline_ids,
                         probs_at_x, probs_at_base):
        """ig_fn with the probabilities at x and at the baseline given (scan_fn's): not computed again."""
        return integrate_path(token_ids, segment_ids, targets, contrasts, alphas, weights, is_text, baseline_ids,
                              lambda *_: (probs_at_x, probs_at_base))

    @tf.function(input_signature=[ids_spec, ids_spec, classes_spec, classes_spec, per_text_spec, ids_spec])
    def scan_fn(token_ids, segment_ids, targets, contrasts, alphas, baseline_ids):
        """f at the baseline, at the path points strictly between (forward only) and at the text:
        [texts, points + 2], for warped_points; the targets; the probabilities at x and at the baseline."""
        n, k = tf.shape(token_ids)[0], tf.shape(alphas)[1]
        path, x, x_base, repeat = path_rows(token_ids, segment_ids, baseline_ids, alphas)
        probs = forward(repeat(token_ids), repeat(segment_ids), path)
        probs_at_x, probs_at_base = float32_ends(token_ids, segment_ids, x, x_base)
        targets, coefficients = class_coefficients(targets, contrasts, probs_at_x)
        return (tf.concat([f(probs_at_base, coefficients)[:, None], tf.reshape(f(probs, repeat(coefficients)), [n, k]),
                           f(probs_at_x, coefficients)[:, None]], axis=1), targets, probs_at_x, probs_at_base)

    ig_fn.precision = dtype.name  # the path's, for the results
    ig_fn.scan = scan_fn
    ig_fn.given_ends = ig_given_ends_fn
    return ig_fn


def explain(trained, tokenizer, texts, steps=config.IG_STEPS, method='gausslobatto', target=None,
            batch_rows=config.IG_BATCH_ROWS, ig_fn=None, progress=None, contrast=None,
            max_gap=None, max_steps=config.IG_MAX_STEPS, new_round=None, precision=config.IG_PRECISION):
    """Integrated Gradients for each text; a list of dicts, in input order.

    Each dict: text, chars (the characters), scores (signed attribution per
    character), predicted, target, contrast, probs, f_x, f_baseline,
    attribution_sum, gap, steps, precision (of the path: bfloat16 or float32).
    target None explains each text's predicted class; with contrast, f is
    p(target) - p(contrast).

    With max_gap, the texts whose completeness gap is over it are explained
    again with twice the steps, and again, as long as that stays within
    max_steps, keeping each text's result of smallest gap: a very confident
    model's probability turns from baseline to text within a short stretch of
    the path, which 20 points can miss (a third of the test texts at 20 steps,
    none over 0.05 at 80).
    new_round(texts, steps) is called before each such round, progress(n)
    after each batch of n texts. precision: make_ig_fn's, unless ig_fn is given.
    """
    ig_fn = ig_fn or make_ig_fn(trained, precision)
    results, todo = [None] * len(texts), list(range(len(texts)))
    while True:
        for i, result in zip(todo, integrate(trained, tokenizer, [texts[i] for i in todo], steps, method, target,
                                             batch_rows, ig_fn, progress, contrast)):
            if results[i] is None or result['gap'] < results[i]['gap']:  # more points need not mean a smaller gap
                results[i] = result
        todo = [i for i in todo if max_gap is not None and results[i]['gap'] > max_gap]
        if not todo or steps * 2 > max_steps:
            return results
        steps *= 2
        if new_round:
            new_round(len(todo), steps)


def integrate(trained, tokenizer, texts, steps, method, target, batch_rows, ig_fn, progress, contrast):
    """explain's results for one number of steps."""
    if method == 'warped':
        scan_alphas = np.linspace(0, 1, config.IG_SCAN_STEPS + 1, dtype='float32')[None, 1:-1]  # the ends: float32's
        rows_per_text = max(steps, scan_alphas.shape[1])
    else:
        alphas, weights = path_points(steps, method)
        rows_per_text = len(alphas)
    texts_per_batch = max(1, batch_rows // rows_per_text)  # each text goes in once per path point
    results = [None] * len(texts)
    # like prediction: similar lengths together, and long texts in smaller batches
    for chunk in length_sorted_batches(texts, texts_per_batch, max_tokens=texts_per_batch * config.IG_TOKENS_PER_TEXT,
                                       maxlen=trained.maxlen):
        token_ids, segment_ids = encode([texts[i] for i in chunk], tokenizer, trained.maxlen)
        is_text = text_positions(token_ids)
        baseline = baseline_ids(token_ids, tokenizer)
        targets = np.full(len(chunk), -1 if target is None else target, dtype='int32')
        contrasts = np.full(len(chunk), -1 if contrast is None else contrast, dtype='int32')
        if method == 'warped':
            values, targets, *ends = ig_fn.scan(token_ids, segment_ids, targets, contrasts,
                                                np.repeat(scan_alphas, len(chunk), axis=0), baseline)
            chunk_alphas, chunk_weights = warped_points(values.numpy(), steps)
            integrate_fn = lambda *args: ig_fn.given_ends(*args, *ends)  # noqa: E731
        else:
            chunk_alphas, chunk_weights = np.tile(alphas, (len(chunk), 1)), np.tile(weights, (len(chunk), 1))
            integrate_fn = ig_fn
        attributions, f_x, f_base, targets, probs = (t.numpy() for t in integrate_fn(
            token_ids, segment_ids, targets, contrasts, chunk_alphas.astype('float32'), chunk_weights.astype('float32'),
            is_text, baseline))
        for row, i in enumerate(chunk):
            chars, scores = char_scores(texts[i], tokenizer, attributions[row], trained.maxlen)
            total = float(attributions[row].sum())
            results[i] = {'text': texts[i], 'chars': chars, 'scores': scores,
                          'predicted': int(probs[row].argmax()), 'target': int(targets[row]), 'contrast': contrast,
                          'probs': probs[row].tolist(), 'f_x': float(f_x[row]), 'f_baseline': float(f_base[row]),
                          'attribution_sum': total, 'gap': abs(total - float(f_x[row] - f_base[row])), 'steps': steps,
                          'precision': ig_fn.precision}
        if progress:
            progress(len(chunk))
    return results


def baseline_ids(token_ids, tokenizer):
    """The baseline's token ids: every text token [UNK], [CLS], [SEP] and padding kept."""
    return np.where(text_positions(token_ids), tokenizer._token_unk_id, token_ids).astype(token_ids.dtype)


def char_scores(text, tokenizer, token_attributions, maxlen=config.MAXLEN):
    """(characters, score per character) from the attributions of the text's tokens.

    A character gets the attribution of the token it belongs to (a word piece
    such as 'ercp' may cover several); characters the tokenizer drops (spaces)
    and those past maxlen get 0.
    """
    tokens = tokenizer.tokenize(text, maxlen=maxlen)
    mapping = tokenizer.rematch(text, tokens)
    scores = np.zeros(len(text))
    for position, char_indices in enumerate(mapping):
        for c in char_indices:
            scores[c] = token_attributions[position]
    return list(text), scores.tolist()


def scale_scores(scores):
    """Positive scores min-max scaled to [0, 1]; evidence against the class (negative) counts as 0."""
    positive = np.maximum(np.asarray(scores, dtype=float), 0.0)
    if positive.size == 0:
        return positive
    low, high = positive.min(), positive.max()
    if high <= low:  # all equal: a lone positive character (a one-character text) is the top, so 1
        return np.full_like(positive, 1.0 if high > 0 else 0.0)
    return (positive - low) / (high - low)


def span_ranges(chars, scaled, threshold=config.IG_THRESHOLD, extracts_max=False):
    """(start, end) of the runs of consecutive characters scoring >= threshold; with extracts_max,
    only the run holding the top-scoring character."""
    spans, start = [], None
    for i, score in enumerate(list(scaled) + [-1.0]):  # a sentinel closes the last run
        if score >= threshold and chars[i:i + 1] != [' ']:
            start = i if start is None else start
        elif start is not None:
            spans.append((start, i))
            start = None
    if extracts_max and spans:
        top = int(np.argmax(scaled))
        spans = [(a, b) for a, b in spans if a <= top < b]
    return spans


UNITS = ('word', 'span', 'char')


def word_segmenter():
    """jieba's segmenter, keeping the anatomy, procedure and diagnosis terms of utils/gi_words.txt whole."""
    segmenter = jieba.Tokenizer()
    segmenter.load_userdict(path.USER_DICT_PATH)
    return segmenter


def word_ranges(text, segmenter):
    """(start, end) of each word of text; dictionary words only (no HMM guesses), so the cut is predictable.
    A text in Traditional script is cut as its simplified form (the same length), as the model reads it."""
    return [(start, end) for _, start, end in segmenter.tokenize(to_simplified(text), HMM=False)]


def text_keywords(result, unit='word', threshold=config.IG_THRESHOLD, extracts_max=False, segmenter=None):
    """The keywords of one explained text: [(keyword, scaled score, attribution)].

    unit 'span': runs of characters whose scaled scores reach the threshold (the
    original's keywords); 'word' and 'char': each word (or character) gets the
    sum of its characters' signed attributions, those sums are scaled as
    characters' are, and the units reaching the threshold are keywords. With
    extracts_max, only the top one (the span holding the top character).
    """
    chars, scores = result['chars'], np.asarray(result['scores'], dtype=float)
    if unit == 'span':
        scaled = scale_scores(scores)
        return [(''.join(chars[a:b]), float(np.mean(scaled[a:b])), float(scores[a:b].sum()))
                for a, b in span_ranges(chars, scaled, threshold, extracts_max)]
    if unit == 'word':
        pieces = word_ranges(''.join(chars), segmenter or word_segmenter())
    else:
        pieces = [(i, i + 1) for i in range(len(chars))]
    pieces = [(a, b) for a, b in pieces if ''.join(chars[a:b]).strip()]
    attributions = np.array([scores[a:b].sum() for a, b in pieces])
    scaled = scale_scores(attributions)
    keep = [i for i in range(len(pieces)) if scaled[i] >= threshold]
    if extracts_max and keep:
        keep = [int(np.argmax(scaled))]
    return [(''.join(chars[pieces[i][0]:pieces[i][1]]), float(scaled[i]), float(attributions[i])) for i in keep]


def keyword_table(results, num_classes, threshold=config.IG_THRESHOLD, extracts_max=False, unit='span', segmenter=None,
                  keywords=None):
    """Rows (keyword, count, count per predicted class 0..num_classes-1, mean scaled score, share), most
    frequent first.

    share: the keyword's positive attribution over these texts as a part of all
    their characters' positive attribution; over the texts of one predicted
    class, what drives that class. keywords: each result's text_keywords when
    they are already found (then unit, threshold, extracts_max and segmenter are theirs).
    """
    if keywords is None:
        if unit == 'word' and segmenter is None:
            segmenter = word_segmenter()
        keywords = [text_keywords(result, unit, threshold, extracts_max, segmenter) for result in results]
    counts, per_class, score_sums, evidence = Counter(), defaultdict(Counter), Counter(), Counter()
    total = sum(float(np.maximum(result['scores'], 0).sum()) for result in results) or 1.0
    for result, found in zip(results, keywords):
        for keyword, score, attribution in found:
            counts[keyword] += 1
            per_class[keyword][result['predicted']] += 1
            score_sums[keyword] += score
            evidence[keyword] += max(attribution, 0.0)
    rows = [(keyword, n, [per_class[keyword][k] for k in range(num_classes)], score_sums[keyword] / n,
             evidence[keyword] / total) for keyword, n in counts.items()]
    return sorted(rows, key=lambda row: (-row[1], row[0]))

