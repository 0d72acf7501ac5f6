"""Matplotlib with Chinese glyphs, and figures saved atomically.

The CJK font comes from the `mplfonts` wheel (Noto Sans CJK SC), so no system
font package is needed; a missing font is an error, never a plot of tofu boxes.
"""
import os

import matplotlib

matplotlib.use('Agg')  # no display on servers and in CI
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from utils.files import atomic_path  # noqa: E402

CJK_FONT_FILE = 'NotoSansCJKsc-Regular.otf'


def cjk_font_path():
    """Path of the CJK font file shipped by mplfonts."""
    import mplfonts
    path = os.path.join(os.path.dirname(mplfonts.__file__), 'fonts', CJK_FONT_FILE)
    if not os.path.exists(path):
        raise RuntimeError(f'CJK font not found at {path}; reinstall the requirements (pip install mplfonts)')
    return path


def use_cjk_font():
    """Make matplotlib draw Chinese text with the shipped CJK font; returns the font's name."""
    path = cjk_font_path()
    font_manager.fontManager.addfont(path)
    name = font_manager.FontProperties(fname=path).get_name()
    plt.rcParams['font.family'] = [name]
    plt.rcParams['axes.unicode_minus'] = False
    return name


def save_figure(fig, path, dpi=150):
    """Save a figure to `path` atomically and close it."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches='tight')
    plt.close(fig)
