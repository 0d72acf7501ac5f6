"""Figures take file, class and keyword names as written: a pair of $ in one is not a formula."""
import logging
import warnings

import matplotlib.figure
import matplotlib.text
import numpy as np
import pytest

import data_statistics
import feature_importance
from utils import plotting

# mathtext would typeset the first, warn of a glyph its font lacks in the second, and fail to parse the third
NAMES = ['其他', '$a$', '$胃$ x$_$y']
FILE = 'data/$a$ x$_$y.txt'


@pytest.fixture
def figures(monkeypatch, caplog):
    """The figures saved during the test; at its end, each has its $ texts drawn literally, and nothing
    was warned or logged."""
    saved, savefig = [], matplotlib.figure.Figure.savefig

    def record(fig, *args, **kwargs):
        saved.append(fig)
        return savefig(fig, *args, **kwargs)
    monkeypatch.setattr(matplotlib.figure.Figure, 'savefig', record)
    caplog.set_level(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        yield saved
    assert saved and not caplog.records
    for fig in saved:
        texts = [t for t in fig.findobj(matplotlib.text.Text) if '$' in t.get_text()]
        assert texts and not any(t.get_parse_math() for t in texts), [t.get_text() for t in texts]


def test_the_report_plots_take_dollar_signs_literally(figures, tmp_path, capsys):
    plotting.plot_confusion_matrix(np.array([[3, 1, 0], [0, 2, 1], [1, 0, 4]]), NAMES, str(tmp_path / 'cm.png'))
    plotting.plot_coverage([(0.5, 1.0, 0.8, 12), (0.9, 0.5, 1.0, 6)], str(tmp_path / 'coverage.png'),
                           '$a$ x$_$y.txt: accuracy against coverage')  # predict.py's title for such a file
    labels = np.array([0, 1, 2, 1])
    probs = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.3, 0.3, 0.4], [0.5, 0.4, 0.1]])
    plotting.plot_reliability([('check set $a$ x$_$y.txt', labels, {'before (T = 1)': probs})],
                              str(tmp_path / 'calibration.png'))
    data_statistics.plot_lengths({FILE: [('胃炎', 0), ('$a$ 内痔', 1), ('肠炎', 2)]}, NAMES, str(tmp_path / 'lengths.png'))
    feature_importance.plot_keywords([('$胃$', 3, 0.5), ('x$_$y', 2, 0.4)], NAMES, 1, str(tmp_path / 'keywords.png'))
    feature_importance.plot_heatmap({'chars': list('$胃$'), 'scores': [0.1, 0.9, 0.2], 'gap': 0.01, 'predicted': 1,
                                     'probs': [0.1, 0.8, 0.1], 'target': 2, 'contrast': None},
                                    NAMES, str(tmp_path / 'heatmap.png'))
    assert sorted(p.name for p in tmp_path.iterdir()) == ['calibration.png', 'cm.png', 'coverage.png', 'heatmap.png',
                                                          'keywords.png', 'lengths.png']
    assert not capsys.readouterr().err


def test_the_loss_axis_labels_its_ticks_as_numbers(monkeypatch, tmp_path):
    saved, savefig = [], matplotlib.figure.Figure.savefig
    monkeypatch.setattr(matplotlib.figure.Figure, 'savefig', lambda fig, *a, **k: (saved.append(fig), savefig(fig, *a, **k)))
    history = [{'epoch': epoch, 'loss': loss, 'val_loss': loss * 0.9, 'acc': 0.9, 'val_acc': 0.9, 'test_acc': 0.9}
               for epoch, loss in ((1, 0.9), (2, 0.5), (3, 0.3))]
    plotting.plot_training_curves(history, str(tmp_path / 'curves.png'))
    loss_axis = saved[0].axes[0]
    labels = [t.get_text() for t in loss_axis.get_yticklabels() + loss_axis.get_yticklabels(minor=True) if t.get_text()]
    assert labels and all(float(label) > 0 for label in labels), labels  # not $\mathdefault{10^{-1}}$
