"""PNG snapshots of a rendered scorecard in Debian's headless chromium, driven by Playwright.

Playwright's own browser download is not used: the system chromium is enough and works offline. When either
is missing, `find_chromium`/`snapshot_pages` say why and the report is written without PNGs.
"""

from __future__ import annotations

import base64
import logging
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The charts a snapshot keeps as separate images (div ids of the main page), besides the whole page.
CHART_IDS = ("journey-curve", "ipa", "paths")


@dataclass
class SnapshotResult:
    written: list[str] = field(default_factory=list)
    skipped: str | None = None  # why nothing was written, for the log


def find_chromium() -> str | None:
    """Path of a system chromium ($PATH: chromium, chromium-browser), or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def snapshot_pages(pages: list[tuple[Path, Path]], width: int = 1280) -> SnapshotResult:
    """For each (html page, png folder): page.png (full page) and <chart>.png per chart, offline, in one browser."""
    chromium = find_chromium()
    if chromium is None:
        return SnapshotResult(skipped="no system chromium on PATH (apt-get install chromium): PNG snapshots skipped")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        return SnapshotResult(skipped="playwright is not installed (pip install playwright): PNG snapshots skipped")
    result = SnapshotResult()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
            try:
                context = browser.new_context(
                    viewport={"width": width, "height": 900}, offline=True, device_scale_factor=1
                )
                for html, folder in pages:
                    result.written += _snapshot_one(context, html, folder)
            finally:
                browser.close()
    except PlaywrightError as exc:  # a chromium that fails to start should not fail the pipeline run
        result.skipped = f"chromium could not render the scorecards ({str(exc).splitlines()[0]}): PNG snapshots skipped"
    return result


def email_page(html: str, pngs: dict[str, bytes]) -> str:
    """The single-file copy of a main page for e-mail: each chart as its PNG (a data: URI), no script at all
    (mail clients run none), so it is one file of a few hundred kilobytes that reads the same in any inbox."""
    html = re.sub(r"<!--plotly:start-->.*?<!--plotly:end-->", "", html, flags=re.S)

    def picture(match: re.Match) -> str:
        chart = match.group(1)
        if chart not in pngs:
            return ""
        data = base64.b64encode(pngs[chart]).decode("ascii")
        return (
            f'<img class="chart" id="{chart}" alt="{chart}" src="data:image/png;base64,{data}" style="max-width:100%">'
        )

    html = re.sub(r"<!--chart:([\w-]+)-->.*?<!--/chart-->", picture, html, flags=re.S)
    html = re.sub(r"<!--email:(.*?)-->", r"\1", html, flags=re.S)  # the note that says what this copy is
    return re.sub(r"<script\b.*?</script>", "", html, flags=re.S)


def email_path(html: Path) -> Path:
    """Where the e-mail copy of a main page goes: scorecard_<revisit>/exports/scorecard_<revisit>_email.html."""
    return html.with_suffix("") / "exports" / f"{html.stem}_email.html"


def _snapshot_one(context, html: Path, folder: Path) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    page = context.new_page()
    try:
        page.goto(html.resolve().as_uri())
        page.wait_for_selector("#journey-curve .main-svg", timeout=30_000)
        page.wait_for_timeout(300)  # let plotly finish its first layout pass
        written = []
        whole = folder / "page.png"
        page.screenshot(path=str(whole), full_page=True)
        written.append(str(whole))
        pngs = {}
        for chart in CHART_IDS:
            element = page.query_selector(f"#{chart}")
            if element is not None:
                path = folder / f"{chart}.png"
                pngs[chart] = element.screenshot(path=str(path))
                written.append(str(path))
        email = email_path(html)
        email.parent.mkdir(parents=True, exist_ok=True)
        email.write_text(email_page(html.read_text(encoding="utf-8"), pngs), encoding="utf-8")
        written.append(str(email))
        return written
    finally:
        page.close()
