"""The first screen of a scorecard at a phone's and a laptop's width, as PNGs for docs/ (`make docs`).

    python -m cjx.report.screenshots REPORTS_FOLDER DOCS_FOLDER

takes the latest main page in the reports folder (after `make demo`) and writes scorecard_390.png and
scorecard_1280.png, in Debian's chromium driven by Playwright, offline, like the PNG snapshots.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cjx.report.snapshot import CHROMIUM_FLAGS, find_chromium

SCREENS = {390: 844, 1280: 800}  # width -> height of the first screen


def first_screens(html: Path, out: Path) -> list[str]:
    """scorecard_<width>.png of the first screen of `html` at each width in SCREENS; the paths written."""
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("no system chromium on PATH (apt-get install chromium): cannot take the screenshots")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        try:
            for width, height in SCREENS.items():
                context = browser.new_context(viewport={"width": width, "height": height}, offline=True)
                page = context.new_page()
                page.goto(html.resolve().as_uri())
                page.wait_for_selector("#journey-curve .main-svg", timeout=30_000)
                page.wait_for_timeout(300)
                path = out / f"scorecard_{width}.png"
                page.screenshot(path=str(path))
                written.append(str(path))
                context.close()
        finally:
            browser.close()
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m cjx.report.screenshots REPORTS_FOLDER DOCS_FOLDER", file=sys.stderr)
        return 2
    reports, docs = Path(argv[0]), Path(argv[1])
    pages = sorted(reports.glob("scorecard_*.html"))
    if not pages:
        print(f"{reports}: no scorecard_*.html (run make demo first)", file=sys.stderr)
        return 1
    for path in first_screens(pages[-1], docs):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
