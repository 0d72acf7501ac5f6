"""Matplotlib with Chinese glyphs, and figures saved atomically.

The CJK font comes from the `mplfonts` wheel (Noto Sans CJK SC), so no system
font package is needed; a missing font is an error, never a plot of tofu boxes.
"""
import os

import matplotlib

matplotlib.use('Agg')  # no display on servers and in CI
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import mplfonts  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib import font_manager, ticker  # noqa: E402

from utils.calibration import expected_calibration_error, reliability_bins  # noqa: E402
from utils.files import atomic_path  # noqa: E402
from utils.text import label_title  # noqa: E402

CJK_FONT_FILE = 'NotoSansCJKsc-Regular.otf'


def cjk_font_path():
    """Path of the CJK font file shipped by mplfonts."""
    path = os.path.join(os.path.dirname(mplfonts.__file__), 'fonts', CJK_FONT_FILE)
    if not os.path.exists(path):
        raise RuntimeError(f'CJK font not found at {path}; reinstall the requirements (pip install mplfonts)')
    return path


def use_cjk_font():
    """Make matplotlib draw Chinese text with the shipped CJK font; returns the font's name. Figures call
    use_figure_text, which does this too."""
    path = cjk_font_path()
    font_manager.fontManager.addfont(path)
    name = font_manager.FontProperties(fname=path).get_name()
    plt.rcParams['font.family'] = [name]
    plt.rcParams['axes.unicode_minus'] = False
    return name


def use_figure_text():
    """The text of every figure: Chinese in the CJK font, and every text drawn as written. File, class and
    keyword names come from users, and mathtext would take a pair of $ in them for a formula (typeset, a
    missing glyph warned about, or a parse error that loses the plot)."""
    plt.rcParams['text.parse_math'] = False
    plt.rcParams['text.usetex'] = False
    return use_cjk_font()


class PlainLogFormatter(ticker.LogFormatter):
    """A log axis's tick labels as plain numbers (0.2, 1, 10): matplotlib's own are formulas
    ($10^{-1}$), which figures drawn as written (use_figure_text) would print as such."""

    def __call__(self, x, pos=None):
        return f'{x:g}' if super().__call__(x, pos) else ''


def save_figure(fig, path, dpi=150):
    """Save a figure to `path` atomically and close it."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches='tight')
    plt.close(fig)


def plot_training_curves(history, path):
    """Loss and accuracy per epoch (train, val, test) from main.py's history rows."""
    use_figure_text()
    epochs = [row['epoch'] for row in history]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
    ax_loss.plot(epochs, [row['loss'] for row in history], 'o-', label='train')
    ax_loss.plot(epochs, [row['val_loss'] for row in history], 'o-', label='val')
    ax_loss.set(xlabel='epoch', ylabel='cross-entropy', title='loss', yscale='log')
    ax_loss.yaxis.set_major_formatter(PlainLogFormatter())
    ax_loss.yaxis.set_minor_formatter(PlainLogFormatter(minor_thresholds=(2, 0.4)))
    ax_acc.plot(epochs, [row['acc'] for row in history], 'o-', label='train')
    ax_acc.plot(epochs, [row['val_acc'] for row in history], 'o-', label='val')
    ax_acc.plot(epochs, [row['test_acc'] for row in history], 'o-', label='test')
    ax_acc.set(xlabel='epoch', ylabel='accuracy', title='accuracy')
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    save_figure(fig, path)


def plot_confusion_matrix(cm, label_names, path, title='test set'):
    """A seaborn heatmap of a confusion matrix with Chinese class names."""
    use_figure_text()
    names = [label_title(label_names, k) for k in range(len(cm))]
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    sns.heatmap(cm, annot=True, fmt='d', cmap='Blues', xticklabels=names, yticklabels=names, cbar=False, ax=ax)
    ax.set(xlabel='predicted', ylabel='true', title=title)
    save_figure(fig, path)


def plot_reliability(panels, path, bins=15):
    """Reliability diagrams: per panel (title, labels, {curve name: probs}), accuracy against confidence
    per bin (point area: texts in the bin, numbers beside), with the diagonal of perfect calibration
    and each curve's ECE."""
    use_figure_text()
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 4.6), squeeze=False)
    for ax, (title, labels, curves) in zip(axes[0], panels):
        ax.plot([0, 1], [0, 1], '--', color='grey', label='perfect calibration')
        for (name, probs), marker in zip(curves.items(), 'os^'):
            confidence, accuracy, count = reliability_bins(probs, labels, bins)
            filled = count > 0
            # one point per bin, its area by the number of texts in it (most sit near confidence 1)
            ax.scatter(confidence[filled], accuracy[filled], s=20 + 300 * np.sqrt(count[filled] / count.sum()),
                       marker=marker, alpha=0.6, label=f'{name}: ECE {expected_calibration_error(probs, labels, bins):.4f}')
            for x, y, n in zip(confidence[filled], accuracy[filled], count[filled]):
                ax.annotate(str(n), (x, y), textcoords='offset points', xytext=(6, -10), fontsize=7)
        ax.set(xlabel='confidence (top probability)', ylabel='accuracy', title=f'{title} ({len(labels)} texts)',
               xlim=(0, 1.02), ylim=(0, 1.02))
        ax.grid(alpha=0.3)
        ax.legend(loc='upper left', fontsize=8, markerscale=0.5)
    save_figure(fig, path)


def plot_coverage(rows, path, title):
    """Accuracy on the kept texts against coverage (the share kept), one point per --min-confidence
    threshold of coverage_curve's rows, each labelled with its P."""
    use_figure_text()
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    coverage, accuracy = [row[1] for row in rows], [row[2] for row in rows]
    ax.plot(coverage, accuracy, 'o-')
    thresholds_at = {}  # thresholds that keep the same texts share one point and one label
    for threshold, x, y, _ in rows:
        thresholds_at.setdefault((x, y), []).append(f'{threshold:g}')
    for (x, y), thresholds in thresholds_at.items():
        ax.annotate('P=' + ', '.join(thresholds), (x, y), textcoords='offset points', xytext=(4, 6), fontsize=8)
    ax.set(xlabel='coverage (share of texts kept)', ylabel='accuracy on the kept texts', title=title)
    ax.invert_xaxis()  # from keeping everything (left) to keeping only the surest (right)
    ax.grid(alpha=0.3)
    save_figure(fig, path)
