"""A picture of an HTML page in headless Chromium, with the CJK font the plots use.

Checks feature_importance.py's report the way a reader sees it: Chromium draws
the page, and its Chinese text comes out in Noto Sans CJK SC, the font file of
the mplfonts wheel, handed to Chromium through a fontconfig file of its own, so
no system font package is needed. Chromium itself is a system package
(Debian: apt-get install chromium).

    python utils/screenshot.py log/feature_importance.html images/report.png
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from utils.cli import HelpFormatter, at_least, fail  # noqa: E402
from utils.files import atomic_path  # noqa: E402
from utils.plotting import cjk_font_path  # noqa: E402

BROWSERS = ('chromium', 'chromium-browser', 'google-chrome')


def find_browser():
    """The path of a Chromium on PATH, or None."""
    return next((shutil.which(name) for name in BROWSERS if shutil.which(name)), None)


def screenshot(page, out_path, width=1100, height=1400, browser=None):
    """Draw the local HTML file `page` in headless Chromium into the PNG out_path (written atomically)."""
    browser = browser or find_browser()
    if browser is None:
        raise FileNotFoundError(f'no Chromium on PATH (looked for {", ".join(BROWSERS)}); '
                                'install it, e.g. apt-get install chromium')
    if not os.path.isfile(page):
        raise FileNotFoundError(f'{page}: no such page')
    with tempfile.TemporaryDirectory() as folder:
        fonts_conf = os.path.join(folder, 'fonts.conf')
        with open(fonts_conf, 'w', encoding='utf-8') as f:
            f.write('<?xml version="1.0"?>\n<fontconfig>\n'
                    '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
                    f'  <dir>{os.path.dirname(cjk_font_path())}</dir>\n'
                    f'  <cachedir>{os.path.join(folder, "cache")}</cachedir>\n</fontconfig>\n')
        with atomic_path(out_path) as tmp:
            command = [browser, '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars',
                       f'--user-data-dir={os.path.join(folder, "profile")}',
                       f'--window-size={width},{height}', f'--screenshot={os.path.abspath(tmp)}',
                       'file://' + os.path.abspath(page)]
            result = subprocess.run(command, capture_output=True, text=True, timeout=120,
                                    env={**os.environ, 'FONTCONFIG_FILE': fonts_conf})
            if result.returncode != 0 or not os.path.exists(tmp) or not os.path.getsize(tmp):
                last = (result.stderr.strip().splitlines() or ['no output'])[-1]
                raise RuntimeError(f'{browser} made no screenshot of {page} ({last})')
    return out_path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument('page', help='a local HTML file, e.g. log/feature_importance.html')
    parser.add_argument('out', help='the PNG to write')
    parser.add_argument('--width', type=at_least(100), default=1100, help='(default: %(default)s)')
    parser.add_argument('--height', type=at_least(100), default=1400, help='(default: %(default)s)')
    args = parser.parse_args(argv)
    try:
        screenshot(args.page, args.out, args.width, args.height)
    except (FileNotFoundError, RuntimeError, subprocess.TimeoutExpired) as e:
        fail(e)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
