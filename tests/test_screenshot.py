"""utils/screenshot.py: the HTML report drawn by headless Chromium, with real CJK glyphs."""
import numpy as np
import pytest
from matplotlib import image

import feature_importance as FI
from conftest import LABELS, TEXTS, write_rows
from utils import screenshot

pytestmark = [pytest.mark.skipif(screenshot.find_browser() is None,
                                 reason='no Chromium on PATH (make browser installs it; CI does)'),
              pytest.mark.slow]  # a browser per test


def draw(tmp_path, name, body, width=300, height=120):
    page = tmp_path / f'{name}.html'
    page.write_text(f'<html><body style="margin:0;font:64px \'Noto Sans CJK SC\'">{body}</body></html>',
                    encoding='utf-8')
    return image.imread(screenshot.screenshot(str(page), str(tmp_path / f'{name}.png'), width, height))


def test_chinese_is_drawn_as_glyphs_not_boxes(tmp_path):
    stomach, bowel = draw(tmp_path, 'stomach', '胃胃胃'), draw(tmp_path, 'bowel', '肠肠肠')
    assert stomach.shape[:2] == (120, 300)
    assert (stomach[..., :3] < 0.5).any()  # something dark was drawn
    # missing glyphs all come out as the same box: two different characters must differ
    assert np.abs(stomach - bowel).mean() > 0.01


def test_the_report_screenshot_shows_its_texts(trained_tiny, tmp_path):
    _, _, weights = trained_tiny
    source = write_rows(tmp_path / 'in.txt', list(zip(TEXTS, LABELS)))
    FI.main(['--input', source, '--weights', weights, '--steps', '2', '--heatmaps', '0',
             '--log-dir', str(tmp_path / 'log'), '--images-dir', str(tmp_path / 'img')])
    shot = image.imread(screenshot.screenshot(str(tmp_path / 'log' / 'feature_importance.html'),
                                              str(tmp_path / 'report.png')))
    assert shot.shape[:2] == (1400, 1100)
    red = (shot[..., 0] > 0.7) & (shot[..., 1] < 0.5) & (shot[..., 2] < 0.5)
    assert red.sum() > 100  # the shading of the scored characters


def test_a_missing_page_is_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        screenshot.main([str(tmp_path / 'none.html'), str(tmp_path / 'out.png')])
    assert stop.value.code == 2 and 'none.html: no such page' in capsys.readouterr().err
