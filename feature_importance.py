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
That costs 20 to 40 forward-and-backward passes a text: a file of more than
1,000 texts (config.IG_EXACT_TEXTS) therefore gets its keyword tables from a
quick pass instead, 6 points a text placed where the model's output changes
(--method warped; again with more only where the gap is over 0.2), and only its
heatmap texts are explained to --max-gap: about
2 to 3 times faster, with nearly the same tables (docs/results.md).
--exact (or giving --steps, --method or --max-gap) explains every text to the
gap, --quick takes the quick pass for a small file too.

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
import time
from collections import Counter

import numpy as np
from tqdm import tqdm

import attribution as A
import config
import path
from data_process import DataError, read_texts_or_fail
from inference import ig_dtype
from model import load_trained_or_fail
from tables import add_table_arguments, column_texts, reads_table
from utils.cli import HelpFormatter, at_least, fail, shown_path
from utils.files import OverwriteError, UnwritableError, atomic_open, check_not_an_input, check_writable, same_file
from utils.plotting import plt, save_figure, sns, use_figure_text
from utils.text import display_width, is_layout, label_title, ljust, rjust

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
    width = max([12] + [display_width(row[0]) + 2 for row in rows[:top]])  # a long CJK word must not shift the columns
    print(f"{'rank':>4}  {ljust('keyword', width)}{'count':>7}"
          + ''.join(rjust(label_title(label_names, k), 14) for k in range(len(label_names))) + f"{'score':>7}{'share':>8}")
    for rank, (keyword, n, per_class, score, share) in enumerate(rows[:top], start=1):
        print(f'{rank:>4}  {ljust(keyword, width)}{n:>7}' + ''.join(f'{c:>14}' for c in per_class)
              + f'{score:>7.2f}{share:>8.1%}')


def content_rows(rows, show_layout):
    """The table's rows without keywords of punctuation, digits or layout only (unless show_layout)."""
    return rows if show_layout else [row for row in rows if not is_layout(row[0])]


def plot_keywords(rows, label_names, k, out_path, top=20):
    """A class's top keywords as a horizontal bar chart of their counts, the commonest on top."""
    use_figure_text()
    shown = rows[:top][::-1]
    fig, ax = plt.subplots(figsize=(6.4, 0.32 * max(len(shown), 3) + 1.2))
    ax.barh([keyword for keyword, *_ in shown], [n for _, n, *_ in shown], color='#dc2626')
    ax.set_xlabel('texts in which the word is a keyword')
    ax.set_title(f'What makes the model say {label_names[k]}: top {len(shown)} keywords', fontsize=12)
    ax.grid(axis='x', alpha=0.3)
    ax.tick_params(axis='y', labelsize=12)
    save_figure(fig, out_path)


def shortcuts(rows, top=20):
    """Keywords among the top ones made only of punctuation, digits or layout characters."""
    return [row[0] for row in rows[:top] if is_layout(row[0])]


def pick_samples(results, n, num_classes):
    """n texts for heatmaps: the first text predicted as each class in turn, then the next, ..."""
    by_class = [[i for i, r in enumerate(results) if r['predicted'] == k] for k in range(num_classes)]
    picked = []
    for rank in range(len(results)):
        for indices in by_class:
            if rank < len(indices) and len(picked) < n:
                picked.append(indices[rank])
    return picked


KEYWORD_CHART_CLASSES = 10  # images/keywords_<class>.png for the first this many classes
ESTIMATE_AFTER_TEXTS = 200  # a file longer than this gets a time estimate,
ESTIMATE_AFTER_SHARE = 0.05  # once this share of its tokens is explained after the first batch
HEATMAP_MAX_ROWS = 12  # 240 characters: more than maxlen, so only a text from elsewhere is cut


def plot_heatmap(result, label_names, out_path, chars_per_row=20, max_rows=HEATMAP_MAX_ROWS):
    """One text's characters on a colour scale of their scaled scores, wrapped over at most max_rows rows."""
    use_figure_text()
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
                cbar_kws={'label': 'evidence (scaled to 0-1)', 'shrink': 0.8}, annot_kws={'fontsize': 13},
                xticklabels=False, yticklabels=False, ax=ax)
    ax.set_title(heatmap_title(result, label_names), fontsize=14, loc='left')
    # the details a reader of the method wants, in a smaller line under the picture
    ax.set_xlabel(f"darker: stronger evidence; Integrated Gradients, completeness gap {result['gap']:.3f}"
                  + (f"; first {shown} of {len(result['chars'])} characters" if shown < len(result['chars']) else ''),
                  fontsize=9, color='#555')
    save_figure(fig, out_path)


def heatmap_title(result, label_names):
    """A plain title: the prediction and its probability, and what the colour shows when it is not that."""
    label = result['predicted']
    title = f"Predicted: {label_names[label]} ({result['probs'][label]:.0%})"
    if result.get('contrast') is not None:
        return f"{title}; shaded: why {label_names[result['target']]} rather than {label_names[result['contrast']]}"
    if result['target'] != label:
        return f"{title}; shaded: the evidence for {label_names[result['target']]}"
    return title


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


def table_rows(rows, top):
    return [f'<tr><td>{html.escape(keyword)}</td><td>{n}</td>' + ''.join(f'<td>{c}</td>' for c in per_class)
            + f'<td>{score:.2f}</td><td>{share:.1%}</td></tr>' for keyword, n, per_class, score, share in rows[:top]]


def write_html(results, rows, label_names, out_path, top, template, gold=None, class_rows=None, layout_note=''):
    """One self-contained HTML page from the template (utils/feature_importance.html): the keyword table,
    one per predicted class (class_rows: {class: rows}), then every text shaded by its scores, with a
    class filter, sorting by confidence, a search box and, when the input is labelled (gold), misses
    first with their gold label."""
    keyword_rows = table_rows(rows, top)
    header = ('<tr><th>keyword</th><th>count</th>' + ''.join(f'<th>{html.escape(name)}</th>' for name in label_names)
              + '<th>mean score</th><th>share</th></tr>')
    class_tables = ''.join(f'<h3>Texts predicted {html.escape(label_title(label_names, k))}</h3>\n<table>\n{header}\n'
                           + '\n'.join(table_rows(krows, top)) + '\n</table>\n'
                           for k, krows in (class_rows or {}).items())
    if class_tables:  # folded, so that the texts stay near the top of the page
        class_tables = f'<details><summary>Top {top} keywords of each predicted class</summary>\n{class_tables}</details>'
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
        misses_checked='', precision=' and '.join(sorted({r['precision'] for r in results})),
        class_tables=class_tables, layout_note=html.escape(layout_note))
    with atomic_open(out_path) as f:
        f.write(page)


def explain_with_progress(trained, tokenizer, texts, steps, method, max_gap, max_steps, target, contrast, batch_rows,
                          precision, title):
    """attribution.explain with a progress bar, a time estimate for a long file, and the number of texts
    explained again in each round after the first."""
    rounds = []
    with tqdm(total=len(texts), unit='text', desc=title, mininterval=1) as bar:
        # the texts go shortest first: the estimate goes by tokens, not by texts
        tokens = np.cumsum(sorted(min(len(text), trained.maxlen - 2) + 2 for text in texts))
        clock = {}  # 'start': (time, tokens done) after the first batch, which also sets TensorFlow's functions up

        def progress(n):
            bar.update(n)
            done = tokens[bar.n - 1]
            if 'start' not in clock:
                clock['start'] = time.time(), done
                return
            # the first batches say how long the whole file will take, before the user waits for it
            started, at_start = clock['start']
            if ('estimated' not in clock and len(texts) > ESTIMATE_AFTER_TEXTS
                    and done - at_start >= ESTIMATE_AFTER_SHARE * tokens[-1]):
                clock['estimated'] = True
                seconds = (time.time() - started) / (done - at_start) * (tokens[-1] - done)
                minutes = max(1, round(seconds / 60))
                bar.write(f"{len(texts):,} texts to explain: about {minutes} more minute{'s' if minutes > 1 else ''} on "
                          'this machine' + (', more if some need more steps' if max_gap else '')
                          + ' (--limit N explains the first N)')

        def new_round(count, steps):
            rounds.append(count)
            bar.set_description(f'again, gap over {max_gap} ({steps} steps)', refresh=False)
            bar.reset(total=count)

        results = A.explain(trained, tokenizer, texts, steps, method, target, batch_rows, progress=progress,
                            contrast=contrast, max_gap=max_gap or None, max_steps=max_steps, new_round=new_round,
                            precision=precision)
    return results, rounds


# --- command line -----------------------------------------------------------

def line_numbers(value):
    """'3,17,42' -> [3, 17, 42] (argparse type)."""
    try:
        numbers = [int(part) for part in value.split(',') if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f'expected line numbers such as 3,17,42, got {value!r}') from None
    if not numbers or min(numbers) < 1:
        raise argparse.ArgumentTypeError(f'expected line numbers from 1, such as 3,17,42, got {value!r}')
    return numbers


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument('--input', default=path.ALL_PATH,
                        help='texts to explain, one per line (text<TAB>label works too) (default: %(default)s)')
    parser.add_argument('--weights', default=path.WEIGHTS_PATH, help='(default: %(default)s)')
    parser.add_argument('--albert-dir', default=path.ALBERT_DIR, help='(default: %(default)s)')
    parser.add_argument('--steps', type=at_least(1), help=f'points on the path (default: {config.IG_STEPS})')
    parser.add_argument('--max-gap', type=float,
                        help='explain a text again with twice the steps while its completeness gap is over this '
                             f'(0: never) (default: {config.IG_MAX_GAP})')
    parser.add_argument('--max-steps', type=at_least(1), default=config.IG_MAX_STEPS,
                        help='the most steps a text gets for --max-gap (default: %(default)s)')
    parser.add_argument('--method', choices=A.METHODS, help=f'quadrature of the path integral (default: {A.METHODS[0]})')
    speed = parser.add_mutually_exclusive_group()
    speed.add_argument('--exact', action='store_true',
                       help='explain every text with --method, --steps and --max-gap, however many (the default for '
                            f'files of up to {config.IG_EXACT_TEXTS:,} texts, or when one of those three is given)')
    speed.add_argument('--quick', action='store_true',
                       help=f'the keyword tables from {config.IG_QUICK_STEPS} points a text, placed where the '
                            "model's output changes, and only the heatmap texts explained exactly (the default for "
                            f'files of more than {config.IG_EXACT_TEXTS:,} texts: 2 to 3 times faster, and nearly '
                            "--exact's tables)")
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
    parser.add_argument('--heatmaps', type=at_least(0), default=3,
                        help='write this many images/sampleN.png, a text of each class in turn (default: %(default)s)')
    parser.add_argument('--heatmap-lines', type=line_numbers, metavar='N,M,...',
                        help='the texts to draw heatmaps of, by line of the input (the first text is 1; a table\'s '
                             'first row under its header is 1), instead of --heatmaps\' choice')
    parser.add_argument('--show-layout', action='store_true',
                        help='keep keywords of punctuation, digits or layout only in the printed and HTML tables and '
                             'the bar charts (by default they are left out there, listed as possible shortcuts, and '
                             'kept in keywords.tsv)')
    parser.add_argument('--limit', type=at_least(1), help='explain only the first N texts')
    parser.add_argument('--skip-empty', action='store_true', help='skip empty lines instead of stopping at them')
    add_table_arguments(parser)
    parser.add_argument('--precision', choices=config.IG_PRECISIONS, default=config.IG_PRECISION,
                        help="the path's matrix products; auto: bfloat16 where this CPU has it natively, else "
                             'float32 (default: %(default)s)')
    parser.add_argument('--batch-rows', type=at_least(1), default=config.IG_BATCH_ROWS,
                        help='texts x steps per forward/backward pass (default: %(default)s)')
    parser.add_argument('--log-dir', default=path.LOG_DIR, help='(default: %(default)s)')
    parser.add_argument('--images-dir', default=path.IMAGES_DIR, help='(default: %(default)s)')
    args = parser.parse_args(argv)
    args.exact_asked = args.exact or any(v is not None for v in (args.steps, args.method, args.max_gap))
    args.steps = config.IG_STEPS if args.steps is None else args.steps
    args.method = args.method or A.METHODS[0]
    args.max_gap = config.IG_MAX_GAP if args.max_gap is None else args.max_gap
    if args.heatmap_lines:
        args.heatmaps = len(args.heatmap_lines)
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
    outputs += [os.path.join(args.images_dir, f'keywords_{k}.png') for k in range(KEYWORD_CHART_CLASSES)]
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
    if reads_table(args.input, args.column, args.sheet):
        try:
            _, _, by_row, _ = column_texts(args.input, args.column, args.encoding, args.sheet, args.skip_empty)
        except DataError as e:
            fail(e)
        texts, gold = list(by_row.values()), None
    else:
        texts, gold, _ = read_texts_or_fail(args.input, len(names), args.skip_empty)
    texts = texts[:args.limit] if args.limit else texts
    gold = gold[:len(texts)] if gold else None
    if args.heatmap_lines and max(args.heatmap_lines) > len(texts):
        fail(f'--heatmap-lines {max(args.heatmap_lines)}: {args.input} has {len(texts)} texts'
             + (f' (--limit {args.limit})' if args.limit else ''))
    precision = ig_dtype(args.precision).name  # auto's choice on this CPU
    quick = args.quick or (not args.exact_asked and len(texts) > config.IG_EXACT_TEXTS)
    explain = lambda texts, steps, method, max_gap, title: explain_with_progress(  # noqa: E731
        trained, tokenizer, texts, steps, method, max_gap, args.max_steps, target, contrast, args.batch_rows, precision,
        title)
    if quick:
        print(f'{len(texts):,} texts: the keyword tables come from a quick pass of {config.IG_QUICK_STEPS} points a '
              "text, placed where the model's output changes; the heatmap texts are then explained to a gap of "
              f'{args.max_gap} (--exact explains every text so, 2 to 3 times slower)')
        results, _ = explain(texts, config.IG_QUICK_STEPS, 'warped', config.IG_QUICK_MAX_GAP, f'quick pass ({precision})')
    else:
        results, rounds = explain(texts, args.steps, args.method, args.max_gap,
                                  f'integrated gradients ({args.steps} steps, {precision})')
    samples = ([n - 1 for n in args.heatmap_lines] if args.heatmap_lines
               else pick_samples(results, args.heatmaps, len(names)))
    if quick and samples:
        heatmap_results, rounds = explain([texts[i] for i in samples], args.steps, args.method, args.max_gap,
                                          f'heatmap texts ({args.steps} steps, {precision})')
        for i, result in zip(samples, heatmap_results):
            results[i] = result

    if contrast is not None:
        print(f'explaining p({label_title(names, target)}) - p({label_title(names, contrast)}): '
              f'why {names[target]} rather than {names[contrast]}')
    exact = [results[i] for i in samples] if quick else results
    if exact:
        gaps = np.array([r['gap'] for r in exact])
        print_refinement(exact, rounds[0] if rounds else 0, args.steps, args.max_gap, args.max_steps)
        print(f'completeness gap |sum of attributions - (f(x) - f(baseline))| over {len(exact)} '
              f"{'heatmap texts' if quick else 'texts'}, path in {precision}: mean {gaps.mean():.4f}, median "
              f'{np.median(gaps):.4f}, max {gaps.max():.4f}'
              + ("; the quick pass's gaps are larger (attributions.tsv has each text's steps and gap)" if quick else ''))
    segmenter = A.word_segmenter() if args.unit == 'word' else None
    keywords = [A.text_keywords(r, args.unit, args.threshold, args.extracts_max, segmenter) for r in results]
    table = lambda picked: A.keyword_table([results[i] for i in picked], len(names),  # noqa: E731
                                           keywords=[keywords[i] for i in picked])
    rows = table(range(len(results)))
    how = f"{args.unit}s, threshold {args.threshold}{', extracts-max' if args.extracts_max else ''}"
    layout_note = ('' if args.show_layout else
                   'keywords of punctuation, digits or layout only are left out of the tables (--show-layout keeps them)')
    print_table(content_rows(rows, args.show_layout), args.top, f'top {args.top} keywords over {len(results)} texts '
                f"({how}{'; ' + layout_note if layout_note else ''})", names)
    suspects, class_rows = {}, {}
    for k in range(len(names)):
        unfiltered = table([i for i, r in enumerate(results) if r['predicted'] == k])
        class_rows[k] = content_rows(unfiltered, args.show_layout)
        print_table(class_rows[k], args.top, f'top keywords of texts predicted {label_title(names, k)} '
                    '(share: of the attribution to this class)', names)
        suspects[k] = shortcuts(unfiltered, 20)
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
    write_html(results, content_rows(rows, args.show_layout), names, html_path, args.top, template, gold, class_rows,
               layout_note)
    written = [keywords_path, attributions_path, html_path]
    for k in range(min(len(names), KEYWORD_CHART_CLASSES)):
        chart_path = os.path.join(args.images_dir, f'keywords_{k}.png')
        plot_keywords(class_rows[k], names, k, chart_path, top=min(args.top, 20))
        written.append(chart_path)
    for n, i in enumerate(samples, start=1):
        image_path = os.path.join(args.images_dir, f'sample{n}.png')
        plot_heatmap(results[i], names, image_path)
        written.append(image_path)
    stale = len(samples)
    while os.path.exists(os.path.join(args.images_dir, f'sample{stale + 1}.png')):  # an earlier run's, not this one's
        stale += 1
        old = os.path.join(args.images_dir, f'sample{stale}.png')
        if same_file(old, args.input):  # the input named like a heatmap is an input, not an old picture
            print(f'kept {shown_path(old)}: it is the input')
            continue
        os.remove(old)
        print(f'removed {shown_path(old)} of an earlier run')
    print('\nwrote ' + ', '.join(shown_path(p) for p in written))


if __name__ == '__main__':
    sys.exit(main())
