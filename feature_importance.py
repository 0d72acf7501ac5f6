"""Explain the classifier with Integrated Gradients: per-character scores, keyword tables, heatmaps.

The method is in attribution.py: each character's signed attribution to the
explained class's probability, from a baseline of [UNK] characters; they add
up to f(x) - f(baseline), and the completeness gap printed says how well
--steps approximates the integral. Keywords: each text is cut into words
(jieba, with the anatomy and procedure terms of utils/gi_words.txt kept whole),
a word scores the sum of its characters' attributions, each text's positive word
scores are min-max scaled to [0, 1], and words at or over --threshold are
counted over the whole file (with --extracts-max, only each text's top word).
--unit span counts the original project's runs of high-scoring characters
instead, --unit char single characters. Keywords made only of punctuation,
digits or layout among a class's top 20 are listed as possible shortcuts.

    python feature_importance.py                        # data/all.txt, 3 heatmaps
    python feature_importance.py --input data/test.txt --threshold 0.5 --extracts-max --heatmaps 5
    python feature_importance.py --input my.txt --target 2 --steps 50

A text whose completeness gap is over --max-gap (default 0.05) is explained
again with twice the steps, up to --max-steps (160): a very confident model's
probability turns within a short stretch of the path, which 20 points can miss.

On a CPU with native bfloat16 (AVX-512 BF16 or AMX) the path's matrix products
run in bfloat16, which is faster; f(x), f(baseline) and the class stay
float32's, and the scores are within a few percent of float32's
(docs/results.md has the figures). --precision float32 runs all of it in float32 (and is the
one for a --max-gap below about 0.005: bfloat16's rounding alone leaves gaps of
about 0.002).

Writes log/keywords.tsv, log/attributions.tsv, log/feature_importance.html
and images/sample1.png ... (--heatmaps N).
"""
import argparse
import html
import math
import os
import string
import sys
from collections import Counter

import numpy as np
from tqdm import tqdm

import attribution as A
import config
import path
from data_process import DataError, read_texts_or_fail
from inference import ig_dtype
from model import load_trained_or_fail
from tables import column_texts, is_table
from utils.cli import HelpFormatter, at_least, fail, shown_path
from utils.files import OverwriteError, UnwritableError, atomic_open, check_not_an_input, check_writable
from utils.plotting import plt, save_figure, sns, use_cjk_font
from utils.text import label_title, ljust, rjust

# --- output -----------------------------------------------------------------

def write_keywords(rows, num_classes, out_path):
    with atomic_open(out_path) as f:
        f.write('keyword\tcount\t' + '\t'.join(f'count_{k}' for k in range(num_classes)) + '\tmean_score\tshare\n')
        for keyword, n, per_class, score, share in rows:
            f.write(f'{keyword}\t{n}\t' + '\t'.join(map(str, per_class)) + f'\t{score:.4f}\t{share:.4f}\n')


def write_attributions(results, out_path):
    with atomic_open(out_path) as f:
        f.write('text\tpredicted\ttarget\tf_x\tf_baseline\tattribution_sum\tgap\tsteps\tprecision\tscores\n')
        for r in results:
            scores = ' '.join(f'{s:.4f}' for s in r['scores'])
            f.write(f"{r['text']}\t{r['predicted']}\t{r['target']}\t{r['f_x']:.6f}\t{r['f_baseline']:.6f}\t"
                    f"{r['attribution_sum']:.6f}\t{r['gap']:.6f}\t{r['steps']}\t{r['precision']}\t{scores}\n")


def print_refinement(results, explained_again, steps, max_gap, max_steps):
    """How many texts were explained again with more steps, what they kept, and how many are still over the gap."""
    if explained_again:
        took = Counter(r['steps'] for r in results if r['steps'] > steps)
        parts = [f'{count} took {n} steps' for n, count in sorted(took.items())]
        if explained_again > sum(took.values()):
            parts.append(f'{explained_again - sum(took.values())} kept their {steps}-step result, of smaller gap')
        print(f'{explained_again} texts had a gap over {max_gap} at {steps} steps and were explained again: '
              + ', '.join(parts))
    over = sum(r['gap'] > max_gap for r in results)
    if max_gap and over:
        more = (f'--max-steps {max_steps} is below twice --steps {steps}, so none was explained again: raise it'
                if steps * 2 > max_steps else '--max-steps gives them more')
        print(f'{over} texts still have a gap over {max_gap} ({more})')


def print_table(rows, top, title, label_names):
    print(f'\n{title}')
    print(f"{'rank':>4}  {ljust('keyword', 12)}{'count':>7}"
          + ''.join(rjust(label_title(label_names, k), 14) for k in range(len(label_names))) + f"{'score':>7}{'share':>8}")
    for rank, (keyword, n, per_class, score, share) in enumerate(rows[:top], start=1):
        print(f'{rank:>4}  {ljust(keyword, 12)}{n:>7}' + ''.join(f'{c:>14}' for c in per_class)
              + f'{score:>7.2f}{share:>8.1%}')


def shortcuts(rows, top=20):
    """Keywords among the top ones made only of punctuation, digits or layout characters."""
    return [row[0] for row in rows[:top] if A.is_layout(row[0])]


def pick_samples(results, n, num_classes):
    """n texts for heatmaps: the first text predicted as each class in turn, then the next, ..."""
    by_class = [[i for i, r in enumerate(results) if r['predicted'] == k] for k in range(num_classes)]
    picked = []
    for rank in range(len(results)):
        for indices in by_class:
            if rank < len(indices) and len(picked) < n:
                picked.append(indices[rank])
    return picked


HEATMAP_MAX_ROWS = 12  # 240 characters: more than maxlen, so only a text from elsewhere is cut


def plot_heatmap(result, label_names, out_path, chars_per_row=20, max_rows=HEATMAP_MAX_ROWS):
    """One text's characters on a colour scale of their scaled scores, wrapped over at most max_rows rows."""
    use_cjk_font()
    chars, scaled = result['chars'], A.scale_scores(result['scores'])
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
    label, explained = result['predicted'], label_title(label_names, result['target'])
    if result.get('contrast') is not None:
        explained = f"p({explained}) - p({label_title(label_names, result['contrast'])})"
    ax.set_title(f"predicted {label_title(label_names, label)} (p={result['probs'][label]:.3f}), "
                 f"explaining {explained}, completeness gap {result['gap']:.3f}"
                 + (f"\n(first {shown} of {len(result['chars'])} characters)" if shown < len(result['chars']) else ''),
                 fontsize=11)
    save_figure(fig, out_path)


def shaded(chars, scaled):
    """A text's characters as HTML, runs of the same score bucket (tenths) in one span, no span for
    bucket 0: about a tenth of the markup of one styled span per character."""
    buckets = np.rint(np.asarray(scaled) * 10).astype(int)
    parts, start = [], 0
    for i in range(1, len(chars) + 1):
        if i == len(chars) or buckets[i] != buckets[start]:
            run = html.escape(''.join(chars[start:i]))
            parts.append(f'<i class="s{buckets[start]}">{run}</i>' if buckets[start] else run)
            start = i
    return ''.join(parts)


def write_html(results, rows, label_names, out_path, top, template, gold=None):
    """One self-contained HTML page from the template (utils/feature_importance.html): the keyword table,
    then every text shaded by its scores, with a class filter, sorting by confidence, a search box
    and, when the input is labelled (gold), misses first with their gold label."""
    keyword_rows = [f'<tr><td>{html.escape(keyword)}</td><td>{n}</td>' + ''.join(f'<td>{c}</td>' for c in per_class)
                    + f'<td>{score:.2f}</td><td>{share:.1%}</td></tr>' for keyword, n, per_class, score, share in rows[:top]]
    texts = []
    for i, r in enumerate(results):
        label, confidence = r['predicted'], r['probs'][r['predicted']]
        miss = gold is not None and gold[i] != label
        head = f'{label_title(label_names, label)} {confidence:.3f}' + (f' (gold {gold[i]})' if miss else '')
        texts.append(f'<div data-i="{i}" data-c="{label}" data-p="{confidence:.4f}"{" class=miss" if miss else ""}>'
                     f'<b>{html.escape(head)}</b>{shaded(r["chars"], A.scale_scores(r["scores"]))}</div>')
    misses = sum(gold[i] != r['predicted'] for i, r in enumerate(results)) if gold is not None else None
    page = template.substitute(
        count=len(results), top=top, keyword_rows='\n'.join(keyword_rows), texts='\n'.join(texts),
        class_headers=''.join(f'<th>{html.escape(name)}</th>' for name in label_names),
        class_options=''.join(f'<option value="{k}">{html.escape(label_title(label_names, k))}</option>'
                              for k in range(len(label_names))),
        labelled_note=f', {misses} of them misses (shown first, in red, with the gold label)' if gold is not None else '',
        misses_checked='', precision=' and '.join(sorted({r['precision'] for r in results})))
    with atomic_open(out_path) as f:
        f.write(page)


# --- command line -----------------------------------------------------------

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument('--input', default=path.ALL_PATH,
                        help='texts to explain, one per line (text<TAB>label works too) (default: %(default)s)')
    parser.add_argument('--weights', default=path.WEIGHTS_PATH, help='(default: %(default)s)')
    parser.add_argument('--albert-dir', default=path.ALBERT_DIR, help='(default: %(default)s)')
    parser.add_argument('--steps', type=at_least(1), default=config.IG_STEPS, help='points on the path (default: %(default)s)')
    parser.add_argument('--max-gap', type=float, default=config.IG_MAX_GAP,
                        help='explain a text again with twice the steps while its completeness gap is over this '
                             '(0: never) (default: %(default)s)')
    parser.add_argument('--max-steps', type=at_least(1), default=config.IG_MAX_STEPS,
                        help='the most steps a text gets for --max-gap (default: %(default)s)')
    parser.add_argument('--method', choices=A.METHODS, default=A.METHODS[0],
                        help='quadrature of the path integral (default: %(default)s)')
    parser.add_argument('--target', type=at_least(0),
                        help='explain this class for every text (default: each text\'s predicted class)')
    parser.add_argument('--contrast', type=at_least(0), nargs=2, metavar=('A', 'B'),
                        help='explain p(A) - p(B) for every text: why class A rather than class B')
    parser.add_argument('--unit', choices=A.UNITS, default='word',
                        help='keywords are words (jieba, with the terms of utils/gi_words.txt kept whole; each word '
                             "scores the sum of its characters), 'span': the original's runs of high-scoring "
                             "characters, or 'char' (default: %(default)s)")
    parser.add_argument('--threshold', type=float, default=config.IG_THRESHOLD,
                        help='scaled score at which a character is part of a keyword (default: %(default)s)')
    parser.add_argument('--extracts-max', action='store_true',
                        help="count only each text's top keyword (with --unit span: the span holding its top character)")
    parser.add_argument('--top', type=at_least(1), default=20, help='keywords to print (default: %(default)s)')
    parser.add_argument('--heatmaps', type=at_least(0), default=3, help='write this many images/sampleN.png (default: %(default)s)')
    parser.add_argument('--limit', type=at_least(1), help='explain only the first N texts')
    parser.add_argument('--skip-empty', action='store_true', help='skip empty lines instead of stopping at them')
    parser.add_argument('--column', metavar='NAME',
                        help='the column holding the text, in a table with a header line (.csv, .tsv, .xlsx) '
                             '(default: the only column)')
    parser.add_argument('--sheet', metavar='NAME', help='the sheet of an .xlsx input (default: the first)')
    parser.add_argument('--encoding', default='utf-8-sig',
                        help='of a .csv/.tsv table, e.g. gbk for a CSV saved by Chinese Excel (default: %(default)s)')
    parser.add_argument('--precision', choices=config.IG_PRECISIONS, default=config.IG_PRECISION,
                        help="the path's matrix products; auto: bfloat16 where this CPU has it natively, else "
                             'float32 (default: %(default)s)')
    parser.add_argument('--batch-rows', type=at_least(1), default=config.IG_BATCH_ROWS,
                        help='texts x steps per forward/backward pass (default: %(default)s)')
    parser.add_argument('--log-dir', default=path.LOG_DIR, help='(default: %(default)s)')
    parser.add_argument('--images-dir', default=path.IMAGES_DIR, help='(default: %(default)s)')
    args = parser.parse_args(argv)
    if not 0 <= args.threshold <= 1:
        parser.error('--threshold must be in [0, 1]')
    if args.max_gap < 0:
        parser.error('--max-gap must be 0 or more')
    if args.method == 'gausslobatto' and args.steps < 2:
        parser.error('--method gausslobatto takes at least 2 --steps (its points include both ends of the path)')
    if args.contrast and (args.target is not None or args.contrast[0] == args.contrast[1]):
        parser.error('--contrast A B takes two different classes, and no --target')
    return args


def main(argv=None):
    args = parse_args(argv)
    outputs = [os.path.join(args.log_dir, name) for name in ('keywords.tsv', 'attributions.tsv', 'feature_importance.html')]
    outputs += [os.path.join(args.images_dir, f'sample{n}.png') for n in range(1, args.heatmaps + 1)]
    try:
        check_not_an_input(outputs, [args.input])
        check_writable([args.log_dir, args.images_dir])
    except (OverwriteError, UnwritableError) as e:
        fail(e)
    with open(path.REPORT_TEMPLATE_PATH, encoding='utf-8') as f:  # read now: a missing file must not end a long run
        template = string.Template(f.read())
    trained, tokenizer = load_trained_or_fail(args.weights, args.albert_dir)
    names = trained.label_names
    for flag, classes in (('--target', [args.target]), ('--contrast', args.contrast or [])):
        if any(k is not None and k >= len(names) for k in classes):
            fail(f'{flag} {" ".join(map(str, classes))}: the model at {args.weights} has classes 0..{len(names) - 1}')
    target, contrast = args.contrast if args.contrast else (args.target, None)
    if is_table(args.input) or args.column is not None or args.sheet is not None:
        try:
            _, _, by_row, _ = column_texts(args.input, args.column, args.encoding, args.sheet, args.skip_empty)
        except DataError as e:
            fail(e)
        texts, gold = list(by_row.values()), None
    else:
        texts, gold, _ = read_texts_or_fail(args.input, len(names), args.skip_empty)
    texts = texts[:args.limit] if args.limit else texts
    gold = gold[:len(texts)] if gold else None
    rounds = []  # texts explained again in each round after the first
    precision = ig_dtype(args.precision).name  # auto's choice on this CPU
    with tqdm(total=len(texts), unit='text', desc=f'integrated gradients ({args.steps} steps, {precision})',
              mininterval=1) as bar:

        def new_round(count, steps):
            rounds.append(count)
            bar.set_description(f'again, gap over {args.max_gap} ({steps} steps)', refresh=False)
            bar.reset(total=count)

        results = A.explain(trained, tokenizer, texts, args.steps, args.method, target, args.batch_rows,
                            progress=bar.update, contrast=contrast, max_gap=args.max_gap or None,
                            max_steps=args.max_steps, new_round=new_round, precision=precision)

    gaps = np.array([r['gap'] for r in results])
    print_refinement(results, rounds[0] if rounds else 0, args.steps, args.max_gap, args.max_steps)
    if contrast is not None:
        print(f'explaining p({label_title(names, target)}) - p({label_title(names, contrast)}): '
              f'why {names[target]} rather than {names[contrast]}')
    print(f'completeness gap |sum of attributions - (f(x) - f(baseline))| over {len(results)} texts, path in '
          f'{precision}: mean {gaps.mean():.4f}, median {np.median(gaps):.4f}, max {gaps.max():.4f}')
    segmenter = A.word_segmenter() if args.unit == 'word' else None
    table = lambda rs: A.keyword_table(rs, len(names), args.threshold, args.extracts_max, args.unit, segmenter)  # noqa: E731
    rows = table(results)
    how = f"{args.unit}s, threshold {args.threshold}{', extracts-max' if args.extracts_max else ''}"
    print_table(rows, args.top, f'top {args.top} keywords over {len(results)} texts ({how})', names)
    suspects = {}
    for k in range(len(names)):
        class_rows = table([r for r in results if r['predicted'] == k])
        print_table(class_rows, args.top, f'top keywords of texts predicted {label_title(names, k)} '
                    '(share: of the attribution to this class)', names)
        suspects[k] = shortcuts(class_rows, 20)
    if any(suspects.values()):
        print('\npossible shortcuts (punctuation, digits or layout among a class\'s top 20 keywords; '
              'check that the data does not give the class away by its format):')
        for k, keywords in suspects.items():
            if keywords:
                print(f'  {label_title(names, k)}: ' + ' '.join(keywords))

    keywords_path = os.path.join(args.log_dir, 'keywords.tsv')
    attributions_path = os.path.join(args.log_dir, 'attributions.tsv')
    html_path = os.path.join(args.log_dir, 'feature_importance.html')
    write_keywords(rows, len(names), keywords_path)
    write_attributions(results, attributions_path)
    write_html(results, rows, names, html_path, args.top, template, gold)
    written = [keywords_path, attributions_path, html_path]
    samples = pick_samples(results, args.heatmaps, len(names))
    for n, i in enumerate(samples, start=1):
        image_path = os.path.join(args.images_dir, f'sample{n}.png')
        plot_heatmap(results[i], names, image_path)
        written.append(image_path)
    stale = len(samples)
    while os.path.exists(os.path.join(args.images_dir, f'sample{stale + 1}.png')):  # an earlier run's, not this one's
        stale += 1
        os.remove(os.path.join(args.images_dir, f'sample{stale}.png'))
        print(f'removed {shown_path(os.path.join(args.images_dir, f"sample{stale}.png"))} of an earlier run')
    print('\nwrote ' + ', '.join(shown_path(p) for p in written))


if __name__ == '__main__':
    sys.exit(main())
