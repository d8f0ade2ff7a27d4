"""The scorecard in a real headless browser (Debian's chromium driven by Playwright): it renders, offline, sorts,
and links to owner pages that show only the owner's touchpoints."""

from __future__ import annotations

import shutil
from contextlib import closing

import pytest

from cjx.store import connect

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REVISIT = "2026-Q3"


def _mart(sample_run, sql: str, params=None) -> list[tuple]:
    db, _, _ = sample_run
    with closing(connect(db, read_only=True)) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def browser_context():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        # offline: any attempt to fetch plotly.js or fonts from a CDN fails and shows up as a console error
        yield browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
        browser.close()


def _open(context, path):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("requestfailed", lambda req: errors.append(f"request failed: {req.url}"))
    page.goto(path.as_uri())
    return page, errors


@pytest.fixture(scope="module")
def page(sample_run, browser_context):
    _, reports, _ = sample_run
    pg, errors = _open(browser_context, reports / f"scorecard_{REVISIT}.html")
    for chart in ("journey-curve", "ipa", "paths"):
        pg.wait_for_selector(f"#{chart} .main-svg", timeout=20_000)
    return pg, errors


def test_renders_offline_without_errors_and_every_chart_draws(page, sample_run):
    pg, errors = page
    assert errors == []
    n_touchpoints = _mart(sample_run, "SELECT count(*) FROM marts.touchpoint_priority WHERE revisit_id = ?", [REVISIT])[
        0
    ][0]
    n_placed = _mart(
        sample_run,
        "SELECT count(*) FROM marts.touchpoint_priority WHERE revisit_id = ? "
        "AND importance IS NOT NULL AND performance IS NOT NULL",
        [REVISIT],
    )[0][0]
    n_links = _mart(sample_run, "SELECT count(*) FROM marts.journey_paths WHERE revisit_id = ?", [REVISIT])[0][0]
    # journey curve: one marker per touchpoint on the second trace (the first is the connecting line)
    assert pg.locator("#journey-curve .scatterlayer .trace").nth(1).locator(".point").count() == n_touchpoints
    assert pg.locator("#ipa .scatterlayer .point").count() == n_placed
    assert pg.locator("#paths .sankey-link").count() == n_links > 0
    for chart in ("journey-curve", "ipa", "paths"):
        box = pg.locator(f"#{chart} .main-svg").first.bounding_box()
        assert box["width"] > 600 and box["height"] > 250, chart


def test_weak_critical_touchpoint_and_owner_are_first_on_screen(page, sample_run):
    pg, _ = page
    ((name, owner),) = _mart(
        sample_run,
        "SELECT touchpoint_name, owner FROM marts.touchpoint_priority WHERE revisit_id = ? AND priority_rank = 1",
        [REVISIT],
    )
    callout = pg.locator("#act-first")
    assert callout.locator('[data-col="touchpoint_name"]').inner_text() == name == "Parcel delivery"
    assert owner in callout.locator('[data-col="owner"]').inner_text()
    box = callout.bounding_box()
    assert box["y"] + box["height"] < 900  # above the fold of a laptop screen


def test_priority_table_follows_the_marts_and_sorts_on_click(page, sample_run):
    pg, _ = page
    ranked = _mart(
        sample_run,
        "SELECT touchpoint_id, performance FROM marts.touchpoint_priority WHERE revisit_id = ? "
        "ORDER BY priority_rank NULLS LAST, stage_position, touchpoint_position",
        [REVISIT],
    )
    rows = pg.locator("#priority-table tbody tr")

    def order():
        return [rows.nth(i).get_attribute("data-touchpoint") for i in range(rows.count())]

    assert order() == [t for t, _ in ranked]
    header = pg.locator("#priority-table thead th", has_text="Performance")
    header.click()
    by_performance = [t for t, _ in sorted(ranked, key=lambda r: r[1])]
    assert order() == by_performance and header.get_attribute("aria-sort") == "ascending"
    header.click()
    assert order() == by_performance[::-1]
    pg.locator("#priority-table thead th").first.click()  # back to rank order: unranked (low base) rows last
    assert order() == [t for t, _ in ranked]


def test_table_shows_the_mart_numbers(page, sample_run):
    pg, _ = page
    ((n, top2, low_base),) = _mart(
        sample_run,
        "SELECT n_responses, csat_top2_share, is_low_base FROM "
        "marts.touchpoint_scorecard WHERE revisit_id = ? AND "
        "touchpoint_id = 'parcel_delivery'",
        [REVISIT],
    )
    ((nps, n_nps),) = _mart(sample_run, "SELECT nps, n_nps FROM marts.revisit_headline WHERE revisit_id = ?", [REVISIT])
    row = pg.locator('table.touchpoints tr[data-touchpoint="parcel_delivery"]')
    assert row.locator('td[data-col="n_responses"]').inner_text() == f"{n:,}"  # one number format everywhere
    assert row.locator('td[data-col="csat_top2_share"]').inner_text() == f"{100 * top2:.0f}%"
    assert ("low base" in row.inner_text()) == low_base and "critical" in row.inner_text()
    assert pg.locator('[data-metric="nps"]').inner_text() == f"{nps:.0f}"
    assert f"n = {n_nps}" in pg.locator('#headline [data-kpi="nps"]').inner_text()
    assert "low base" in pg.locator('table.touchpoints tr[data-touchpoint="loyalty_club"]').inner_text()


def test_owner_page_shows_only_the_owners_touchpoints(sample_run, browser_context):
    _, reports, _ = sample_run
    main, _ = _open(browser_context, reports / f"scorecard_{REVISIT}.html")
    with main.expect_navigation():
        main.locator('#owner-links a[data-owner="Logistics"]').click()  # the link works from disk
    mine = _mart(
        sample_run,
        "SELECT touchpoint_id FROM marts.touchpoint_priority WHERE revisit_id = ? "
        "AND owner = 'Logistics' ORDER BY priority_rank NULLS LAST",
        [REVISIT],
    )
    rows = main.locator("#priority-table tbody tr")
    assert [rows.nth(i).get_attribute("data-touchpoint") for i in range(rows.count())] == [t for (t,) in mine]
    assert {rows.nth(i).get_attribute("data-owner") for i in range(rows.count())} == {"Logistics"}
    assert main.locator("#act-first").get_attribute("data-touchpoint") == "parcel_delivery"
    assert main.locator("svg.bullet").count() == len(mine)
    assert "Customer service" not in main.locator("#priority-table").inner_text()


# -- phone and inbox: 390 px and 1280 px, page weight, the single-file e-mail copy -----------------------------

MAX_PAGE_BYTES = 1_500_000
PHONE = {"width": 390, "height": 844}

_OUTSIDE = """() => Array.from(document.querySelectorAll('body *'))
    .filter(e => !e.closest('.table-wrap') && !e.closest('.chart'))
    .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > window.innerWidth + 1; })
    .map(e => e.tagName + '.' + e.className)"""
_OVERLAPS = """(selector) => {
    const boxes = Array.from(document.querySelectorAll(selector)).map(e => e.getBoundingClientRect())
        .filter(r => r.width > 0);
    const hits = [];
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) hits.push([i, j]);
    }
    return [boxes.length, hits];
}"""


@pytest.fixture(scope="module")
def phone(sample_run, browser_context):
    """The main page at 390 px: the same browser, one more page load."""
    _, reports, _ = sample_run
    pg = browser_context.new_page()
    pg.set_viewport_size(PHONE)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.on("requestfailed", lambda req: errors.append(f"request failed: {req.url}"))
    pg.goto((reports / f"scorecard_{REVISIT}.html").as_uri())
    for chart in ("journey-curve", "ipa", "paths"):
        pg.wait_for_selector(f"#{chart} .main-svg", timeout=20_000)
    return pg, errors


def test_phone_width_has_no_horizontal_scroll_and_every_chart_is_re_laid(phone):
    pg, errors = phone
    assert errors == []
    assert pg.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert pg.evaluate(_OUTSIDE) == []
    for chart in ("journey-curve", "ipa", "paths"):
        assert pg.locator(f"#{chart}").get_attribute("data-layout") == "narrow", chart
        box = pg.locator(f"#{chart} .main-svg").first.bounding_box()
        assert box["x"] > 0 and box["x"] + box["width"] <= PHONE["width"] and box["height"] > 250, chart
    n, hits = pg.evaluate(_OVERLAPS, "#journey-curve .ytick text")
    assert n >= 10 and hits == []  # one name per line, none on top of another


def test_phone_tables_scroll_inside_their_box_with_a_visible_cue(phone):
    pg, _ = phone
    wrap = pg.locator("#priority-table").locator("xpath=..")
    assert "table-wrap" in wrap.get_attribute("class") and "overflowing" in wrap.get_attribute("class")
    assert pg.evaluate("(t) => t.scrollWidth > t.clientWidth", wrap.element_handle())
    hint = wrap.locator("xpath=following-sibling::p[1]")
    assert "scroll-hint" in hint.get_attribute("class") and hint.is_visible() and "scroll" in hint.inner_text()
    # the Act-first callout is still on the first screen of a phone
    box = pg.locator("#act-first").bounding_box()
    assert box["y"] < PHONE["height"] and box["x"] + box["width"] <= PHONE["width"]


def test_laptop_width_uses_the_wide_layout_without_overlapping_labels(page):
    pg, errors = page
    assert errors == []
    assert pg.evaluate("document.documentElement.scrollWidth") <= 1280
    for chart in ("journey-curve", "ipa", "paths"):
        assert pg.locator(f"#{chart}").get_attribute("data-layout") == "wide", chart
    n, hits = pg.evaluate(_OVERLAPS, "#journey-curve .xtick text")
    assert n >= 10 and hits == []


def test_owner_page_fits_a_phone(sample_run, browser_context):
    _, reports, _ = sample_run
    pg, errors = _open_at(browser_context, next((reports / f"scorecard_{REVISIT}" / "owners").glob("*.html")), PHONE)
    assert errors == []
    assert pg.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert pg.evaluate(_OUTSIDE) == []
    pg.close()


def _open_at(context, path, viewport):
    page = context.new_page()
    page.set_viewport_size(viewport)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(path.as_uri())
    return page, errors


def test_page_weight_with_one_shared_plotly_bundle(sample_run):
    import plotly

    _, reports, _ = sample_run
    pages = sorted(reports.glob("scorecard_*.html"))
    assert len(pages) == 3
    bundle = reports / "assets" / f"plotly-{plotly.__version__}.min.js"
    assert bundle.stat().st_size > 3_000_000  # the whole of plotly.js, once, beside the pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert page.stat().st_size <= MAX_PAGE_BYTES, page.name
        assert f'<script src="assets/plotly-{plotly.__version__}.min.js"></script>' in text
    for owner_page in (reports / f"scorecard_{REVISIT}" / "owners").glob("*.html"):
        assert owner_page.stat().st_size <= MAX_PAGE_BYTES


def test_single_file_copy_for_e_mail_has_the_charts_as_pictures_and_no_script(sample_run, browser_context):
    import base64
    import re

    _, reports, _ = sample_run
    email = reports / f"scorecard_{REVISIT}" / "exports" / f"scorecard_{REVISIT}_email.html"
    text = email.read_text(encoding="utf-8")
    assert email.stat().st_size <= MAX_PAGE_BYTES
    assert "<script" not in text and "assets/plotly" not in text
    pictures = re.findall(r'<img class="chart" id="([\w-]+)"[^>]*src="data:image/png;base64,([^"]+)"', text)
    assert [p for p, _ in pictures] == ["journey-curve", "ipa", "paths"]
    assert all(base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n" for _, data in pictures)
    # opened as a lone file (no bundle, no other file), it still shows everything without an error
    pg, errors = _open_at(browser_context, email, PHONE)
    assert errors == []
    assert pg.locator("img.chart").count() == 3
    assert pg.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    pg.close()


def test_docs_hold_the_first_screen_at_both_widths():
    """make docs regenerates them (cjx.report.screenshots); the PNG header says each is a first screen."""
    import struct
    from pathlib import Path

    from cjx.report.screenshots import SCREENS

    docs = Path(__file__).resolve().parents[1] / "docs"
    for width, height in SCREENS.items():
        head = (docs / f"scorecard_{width}.png").read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", head[16:24]) == (width, height)
