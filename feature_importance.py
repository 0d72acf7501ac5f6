"""Explain the classifier with Integrated Gradients: per-character scores, keyword tables, heatmaps.

For each text, Integrated Gradients (Sundararajan et al. 2017) integrates the
gradient of the target class's probability along a straight path from a
baseline (the text's characters replaced by [PAD], [CLS] and [SEP] kept) to
the real token embeddings. Each character's attribution is (x - x')·mean
gradient summed over the embedding axis, signed: positive pushes towards the
class. The attributions add up to f(x) - f(baseline); the completeness gap
|sum - (f(x) - f(baseline))| says how well --steps approximates the integral.

Keywords, as the original project defined them: each text's positive scores
are min-max scaled to [0, 1], runs of consecutive characters at or over
--threshold are spans, and spans are counted over the whole file (with
--extracts-max, only the span holding each text's top character).

    python feature_importance.py                        # data/all.txt, 3 heatmaps
    python feature_importance.py --input data/test.txt --threshold 0.5 --extracts-max --heatmaps 5
    python feature_importance.py --input my.txt --target 2 --steps 50

Writes log/keywords.tsv, log/attributions.tsv, log/feature_importance.html
and images/sample1.png ... (--heatmaps N).
"""
import argparse
import html
import math
import os
import sys
from collections import Counter, defaultdict

import numpy as np

import path
from utils.cli import at_least
from data_process import LABEL_NAMES, MAXLEN, NUM_CLASSES, DataError
from predict import read_input

DEFAULT_STEPS = 20
DEFAULT_THRESHOLD = 0.2
IG_BATCH_ROWS = 256  # interpolation rows per forward/backward pass (texts x steps)
IG_TOKENS_PER_TEXT = 64  # padded tokens per text a batch allows on average


# --- Integrated Gradients ---------------------------------------------------

def path_points(steps, method='gausslegendre'):
    """Alphas in [0, 1] and their quadrature weights (summing to 1) for the path integral."""
    if method == 'gausslegendre':
        nodes, weights = np.polynomial.legendre.leggauss(steps)
        return (nodes + 1) / 2, weights / 2
    if method == 'trapezoid':
        alphas = np.linspace(0, 1, steps + 1)
        weights = np.full(steps + 1, 1.0 / steps)
        weights[[0, -1]] /= 2
        return alphas, weights
    raise ValueError(f'unknown method {method!r}: gausslegendre or trapezoid')


def make_ig_fn(trained):
    """A compiled function (token_ids, segment_ids, targets, alphas, weights) -> IG results for a batch.

    `is_text` marks the text's tokens (not [CLS], [SEP] or padding); a target
    of -1 explains the class predicted at x. Returns attributions (n, L) per
    token, f(x) and f(baseline) (n,) for the target class, the targets, and the
    probabilities at x (n, num_classes). All texts and all path points go
    through the model in one batched forward and backward pass.
    """
    import utils.compat  # noqa: F401
    import tensorflow as tf
    import model as M

    embedding_model = M.build_embedding_model(trained)
    embedding_layer = trained.get_layer(M.TOKEN_EMBEDDING)

    ids_spec = tf.TensorSpec([None, None], tf.int32)
    vector_spec = tf.TensorSpec([None], tf.float32)

    @tf.function(input_signature=[ids_spec, ids_spec, tf.TensorSpec([None], tf.int32), vector_spec, vector_spec,
                                  tf.TensorSpec([None, None], tf.bool)])
    def ig_fn(token_ids, segment_ids, targets, alphas, weights, is_text):
        n, length, k = tf.shape(token_ids)[0], tf.shape(token_ids)[1], tf.shape(alphas)[0]
        baseline_ids = tf.where(is_text, tf.zeros_like(token_ids), token_ids)  # [PAD] for the text, specials kept
        x = embedding_layer(token_ids)
        x_base = embedding_layer(baseline_ids)
        # one row per (text, alpha), plus the two ends of the path for f(x) and f(baseline)
        all_alphas = tf.concat([alphas, [1.0, 0.0]], axis=0)
        k2 = k + 2
        path = x_base[:, None] + all_alphas[None, :, None, None] * (x - x_base)[:, None]
        path = tf.reshape(path, [n * k2, length, -1])
        repeat = lambda t: tf.repeat(t, k2, axis=0)  # noqa: E731
        with tf.GradientTape() as tape:
            tape.watch(path)
            probs = embedding_model([repeat(token_ids), repeat(segment_ids), path], training=False)
            predicted = tf.argmax(tf.reshape(probs, [n, k2, -1])[:, k], axis=-1, output_type=tf.int32)
            targets = tf.where(targets < 0, predicted, targets)
            target_probs = tf.gather(probs, repeat(targets), axis=1, batch_dims=1)
        grads = tf.reshape(tape.gradient(target_probs, path), [n, k2, length, -1])
        mean_grad = tf.einsum('k,nkle->nle', weights, grads[:, :k])
        attributions = tf.reduce_sum((x - x_base) * mean_grad, axis=-1)
        attributions = tf.where(is_text, attributions, 0.0)
        target_probs = tf.reshape(target_probs, [n, k2])
        probs_at_x = tf.reshape(probs, [n, k2, -1])[:, k]
        return attributions, target_probs[:, k], target_probs[:, k + 1], targets, probs_at_x

    return ig_fn


def explain(trained, tokenizer, texts, steps=DEFAULT_STEPS, method='gausslegendre', target=None,
            batch_rows=IG_BATCH_ROWS, ig_fn=None, progress=None):
    """Integrated Gradients for each text; a list of dicts, in input order.

    Each dict: text, chars (the characters), scores (signed attribution per
    character), predicted, target, probs, f_x, f_baseline, attribution_sum, gap.
    target None explains each text's predicted class.
    """
    from data_process import encode, length_sorted_batches

    ig_fn = ig_fn or make_ig_fn(trained)
    alphas, weights = path_points(steps, method)
    texts_per_batch = max(1, batch_rows // (len(alphas) + 2))  # each text goes in once per path point
    results = [None] * len(texts)
    # like prediction: similar lengths together, and long texts in smaller batches
    for chunk in length_sorted_batches(texts, texts_per_batch, max_tokens=texts_per_batch * IG_TOKENS_PER_TEXT):
        token_ids, segment_ids = encode([texts[i] for i in chunk], tokenizer)
        is_text = (token_ids > 0)
        is_text[:, 0] = False  # [CLS]
        is_text[np.arange(len(chunk)), (token_ids > 0).sum(axis=1) - 1] = False  # [SEP]
        targets = np.full(len(chunk), -1 if target is None else target, dtype='int32')
        attributions, f_x, f_base, targets, probs = (t.numpy() for t in ig_fn(
            token_ids, segment_ids, targets, alphas.astype('float32'), weights.astype('float32'), is_text))
        for row, i in enumerate(chunk):
            chars, scores = char_scores(texts[i], tokenizer, attributions[row])
            total = float(attributions[row].sum())
            results[i] = {'text': texts[i], 'chars': chars, 'scores': scores,
                          'predicted': int(probs[row].argmax()), 'target': int(targets[row]),
                          'probs': probs[row].tolist(), 'f_x': float(f_x[row]), 'f_baseline': float(f_base[row]),
                          'attribution_sum': total, 'gap': abs(total - float(f_x[row] - f_base[row]))}
        if progress:
            progress(len(chunk))
    return results


def char_scores(text, tokenizer, token_attributions):
    """(characters, score per character) from the attributions of the text's tokens.

    A character gets the attribution of the token it belongs to (a word piece
    such as 'ercp' may cover several); characters the tokenizer drops (spaces)
    and those past maxlen get 0.
    """
    tokens = tokenizer.tokenize(text, maxlen=MAXLEN)
    mapping = tokenizer.rematch(text, tokens)
    scores = np.zeros(len(text))
    for position, char_indices in enumerate(mapping):
        for c in char_indices:
            scores[c] = token_attributions[position]
    return list(text), scores.tolist()


# --- keywords ---------------------------------------------------------------

def scale_scores(scores):
    """Positive scores min-max scaled to [0, 1]; evidence against the class (negative) counts as 0."""
    positive = np.maximum(np.asarray(scores, dtype=float), 0.0)
    if positive.size == 0:
        return positive
    low, high = positive.min(), positive.max()
    if high <= low:  # all equal: a lone positive character (a one-character text) is the top, so 1
        return np.full_like(positive, 1.0 if high > 0 else 0.0)
    return (positive - low) / (high - low)


def extract_spans(chars, scaled, threshold=DEFAULT_THRESHOLD, extracts_max=False):
    """Runs of consecutive characters scoring >= threshold: [(span, mean scaled score)].

    With extracts_max, only the span holding the top-scoring character.
    """
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
    return [(''.join(chars[a:b]), float(np.mean(scaled[a:b]))) for a, b in spans]


def keyword_table(results, threshold=DEFAULT_THRESHOLD, extracts_max=False):
    """Rows (keyword, count, count per predicted class, mean score), most frequent first."""
    counts, per_class, score_sums = Counter(), defaultdict(Counter), Counter()
    for result in results:
        for span, score in extract_spans(result['chars'], scale_scores(result['scores']), threshold, extracts_max):
            counts[span] += 1
            per_class[span][result['predicted']] += 1
            score_sums[span] += score
    rows = [(span, n, [per_class[span][k] for k in range(NUM_CLASSES)], score_sums[span] / n)
            for span, n in counts.items()]
    return sorted(rows, key=lambda row: (-row[1], row[0]))


# --- output -----------------------------------------------------------------

def write_keywords(rows, out_path):
    from utils.files import atomic_open
    with atomic_open(out_path) as f:
        f.write('keyword\tcount\t' + '\t'.join(f'count_{k}' for k in range(NUM_CLASSES)) + '\tmean_score\n')
        for span, n, per_class, score in rows:
            f.write(f'{span}\t{n}\t' + '\t'.join(map(str, per_class)) + f'\t{score:.4f}\n')


def write_attributions(results, out_path):
    from utils.files import atomic_open
    with atomic_open(out_path) as f:
        f.write('text\tpredicted\ttarget\tf_x\tf_baseline\tattribution_sum\tgap\tscores\n')
        for r in results:
            scores = ' '.join(f'{s:.4f}' for s in r['scores'])
            f.write(f"{r['text']}\t{r['predicted']}\t{r['target']}\t{r['f_x']:.6f}\t{r['f_baseline']:.6f}\t"
                    f"{r['attribution_sum']:.6f}\t{r['gap']:.6f}\t{scores}\n")


def print_table(rows, top, title):
    from utils.text import ljust, rjust
    print(f'\n{title}')
    print(f"{'rank':>4}  {ljust('keyword', 12)}{'count':>7}"
          + ''.join(rjust(f'{LABEL_NAMES[k]}({k})', 14) for k in range(NUM_CLASSES)) + f"{'score':>7}")
    for rank, (span, n, per_class, score) in enumerate(rows[:top], start=1):
        print(f'{rank:>4}  {ljust(span, 12)}{n:>7}' + ''.join(f'{c:>14}' for c in per_class) + f'{score:>7.2f}')


def pick_samples(results, n):
    """n texts for heatmaps: the first text predicted as each class in turn, then the next, ..."""
    by_class = [[i for i, r in enumerate(results) if r['predicted'] == k] for k in (1, 2, 0)]
    picked = []
    for rank in range(len(results)):
        for indices in by_class:
            if rank < len(indices) and len(picked) < n:
                picked.append(indices[rank])
    return picked


HEATMAP_MAX_ROWS = 12  # 240 characters: more than maxlen, so only a text from elsewhere is cut


def plot_heatmap(result, out_path, chars_per_row=20, max_rows=HEATMAP_MAX_ROWS):
    """One text's characters on a colour scale of their scaled scores, wrapped over at most max_rows rows."""
    import matplotlib.pyplot as plt
    import seaborn as sns
    from utils.plotting import save_figure, use_cjk_font

    use_cjk_font()
    chars, scaled = result['chars'], scale_scores(result['scores'])
    shown = min(len(chars), chars_per_row * max_rows)  # the picture stays a bounded size
    chars, scaled = chars[:shown], scaled[:shown]
    rows = max(1, math.ceil(len(chars) / chars_per_row))
    grid = np.full((rows, chars_per_row), np.nan)
    labels = np.full((rows, chars_per_row), '', dtype=object)
    for i, (char, score) in enumerate(zip(chars, scaled)):
        grid[i // chars_per_row, i % chars_per_row] = score
        labels[i // chars_per_row, i % chars_per_row] = char
    fig, ax = plt.subplots(figsize=(0.5 * chars_per_row + 1.5, 0.55 * rows + 1.1))
    sns.heatmap(grid, annot=labels, fmt='', cmap='Reds', vmin=0, vmax=1, linewidths=0.5, linecolor='white',
                cbar_kws={'label': 'scaled IG score', 'shrink': 0.8}, annot_kws={'fontsize': 13},
                xticklabels=False, yticklabels=False, ax=ax)
    label = result['predicted']
    ax.set_title(f"predicted {label} {LABEL_NAMES[label]} (p={result['probs'][label]:.3f}), "
                 f"explaining class {result['target']}, completeness gap {result['gap']:.3f}"
                 + (f"\n(first {shown} of {len(result['chars'])} characters)" if shown < len(result['chars']) else ''),
                 fontsize=11)
    save_figure(fig, out_path)


def write_html(results, rows, out_path, top):
    """One self-contained HTML page: the keyword table and every text shaded by its scores."""
    from utils.files import atomic_open
    parts = ['<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>Integrated Gradients</title>',
             '<style>body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:60em;margin:2em auto;'
             'line-height:1.9}table{border-collapse:collapse}td,th{padding:2px 10px;border-bottom:1px solid #ddd}'
             '.text{margin:.6em 0;padding:.3em 0;border-bottom:1px solid #eee}.label{display:inline-block;'
             'min-width:7em;font-size:90%;color:#555}.c{padding:1px 0}</style></head><body>',
             '<h1>Integrated Gradients</h1>',
             f'<p>{len(results)} texts. Characters are shaded by their scaled IG score for the explained class '
             '(darker = stronger evidence). Hover a character for its score.</p>',
             f'<h2>Top {top} keywords</h2><table><tr><th>keyword</th><th>count</th>'
             + ''.join(f'<th>{html.escape(LABEL_NAMES[k])}</th>' for k in range(NUM_CLASSES)) + '<th>mean score</th></tr>']
    for span, n, per_class, score in rows[:top]:
        parts.append(f'<tr><td>{html.escape(span)}</td><td>{n}</td>' + ''.join(f'<td>{c}</td>' for c in per_class)
                     + f'<td>{score:.2f}</td></tr>')
    parts.append('</table><h2>Texts</h2>')
    for r in results:
        label = r['predicted']
        cells = ''.join(
            f'<span class="c" style="background:rgba(220,38,38,{s:.2f})" title="{raw:+.4f}">{html.escape(c)}</span>'
            for c, s, raw in zip(r['chars'], scale_scores(r['scores']), r['scores']))
        parts.append(f'<div class="text"><span class="label">{label} {html.escape(LABEL_NAMES[label])} '
                     f'p={r["probs"][label]:.3f}</span>{cells}</div>')
    parts.append('</body></html>\n')
    with atomic_open(out_path) as f:
        f.write('\n'.join(parts))


# --- command line -----------------------------------------------------------

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--input', default=path.ALL_PATH,
                        help='texts to explain, one per line (text<TAB>label works too) (default: %(default)s)')
    parser.add_argument('--weights', default=path.WEIGHTS_PATH, help='(default: %(default)s)')
    parser.add_argument('--albert-dir', default=path.ALBERT_DIR, help='(default: %(default)s)')
    parser.add_argument('--steps', type=at_least(1), default=DEFAULT_STEPS, help='points on the path (default: %(default)s)')
    parser.add_argument('--method', choices=['gausslegendre', 'trapezoid'], default='gausslegendre',
                        help='quadrature of the path integral (default: %(default)s)')
    parser.add_argument('--target', type=int, choices=range(NUM_CLASSES),
                        help='explain this class for every text (default: each text\'s predicted class)')
    parser.add_argument('--threshold', type=float, default=DEFAULT_THRESHOLD,
                        help='scaled score at which a character is part of a keyword (default: %(default)s)')
    parser.add_argument('--extracts-max', action='store_true',
                        help="count only the span holding each text's top character")
    parser.add_argument('--top', type=at_least(1), default=20, help='keywords to print (default: %(default)s)')
    parser.add_argument('--heatmaps', type=at_least(0), default=3, help='write this many images/sampleN.png (default: %(default)s)')
    parser.add_argument('--limit', type=at_least(1), help='explain only the first N texts')
    parser.add_argument('--skip-empty', action='store_true', help='skip empty lines instead of stopping at them')
    parser.add_argument('--batch-rows', type=at_least(1), default=IG_BATCH_ROWS,
                        help='texts x steps per forward/backward pass (default: %(default)s)')
    parser.add_argument('--log-dir', default=path.LOG_DIR, help='(default: %(default)s)')
    parser.add_argument('--images-dir', default=path.IMAGES_DIR, help='(default: %(default)s)')
    args = parser.parse_args(argv)
    if not 0 <= args.threshold <= 1:
        parser.error('--threshold must be in [0, 1]')
    return args


def main(argv=None):
    args = parse_args(argv)
    import model as M
    from tqdm import tqdm
    from utils.cli import fail
    from utils.files import OverwriteError, UnwritableError, check_not_an_input, check_writable

    outputs = [os.path.join(args.log_dir, name) for name in ('keywords.tsv', 'attributions.tsv', 'feature_importance.html')]
    outputs += [os.path.join(args.images_dir, f'sample{n}.png') for n in range(1, args.heatmaps + 1)]
    try:
        check_not_an_input(outputs, [args.input])
        check_writable([args.log_dir, args.images_dir])
        texts, _, skipped, _ = read_input(args.input, args.skip_empty)
        trained, tokenizer = M.load_trained(args.weights, args.albert_dir)
    except (DataError, M.MissingModelError, OverwriteError, UnwritableError) as e:
        fail(e)
    if skipped:
        print(f'skipped {skipped} empty lines', file=sys.stderr)
    texts = texts[:args.limit] if args.limit else texts
    with tqdm(total=len(texts), unit='text', desc=f'integrated gradients ({args.steps} steps)', mininterval=1) as bar:
        results = explain(trained, tokenizer, texts, args.steps, args.method, args.target, args.batch_rows,
                          progress=bar.update)

    gaps = np.array([r['gap'] for r in results])
    print(f'completeness gap |sum of attributions - (f(x) - f(baseline))| over {len(results)} texts: '
          f'mean {gaps.mean():.4f}, median {np.median(gaps):.4f}, max {gaps.max():.4f}')
    rows = keyword_table(results, args.threshold, args.extracts_max)
    how = f"threshold {args.threshold}{', extracts-max' if args.extracts_max else ''}"
    print_table(rows, args.top, f'top {args.top} keywords over {len(results)} texts ({how})')
    for k in range(NUM_CLASSES):
        class_rows = keyword_table([r for r in results if r['predicted'] == k], args.threshold, args.extracts_max)
        print_table(class_rows, min(args.top, 10), f'top keywords of texts predicted {k} {LABEL_NAMES[k]}')

    keywords_path = os.path.join(args.log_dir, 'keywords.tsv')
    attributions_path = os.path.join(args.log_dir, 'attributions.tsv')
    html_path = os.path.join(args.log_dir, 'feature_importance.html')
    write_keywords(rows, keywords_path)
    write_attributions(results, attributions_path)
    write_html(results, rows, html_path, args.top)
    written = [keywords_path, attributions_path, html_path]
    samples = pick_samples(results, args.heatmaps)
    for n, i in enumerate(samples, start=1):
        image_path = os.path.join(args.images_dir, f'sample{n}.png')
        plot_heatmap(results[i], image_path)
        written.append(image_path)
    stale = len(samples)
    while os.path.exists(os.path.join(args.images_dir, f'sample{stale + 1}.png')):  # an earlier run's, not this one's
        stale += 1
        os.remove(os.path.join(args.images_dir, f'sample{stale}.png'))
        print(f'removed {os.path.relpath(os.path.join(args.images_dir, f"sample{stale}.png"))} of an earlier run')
    print('\nwrote ' + ', '.join(os.path.relpath(p) for p in written))


if __name__ == '__main__':
    sys.exit(main())
