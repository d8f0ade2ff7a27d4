"""The scorecard in a real headless browser (Debian's chromium driven by Playwright): it renders, offline."""

from __future__ import annotations

import shutil
from contextlib import closing

import pytest

from cjx.store import connect

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def page(sample_run):
    from playwright.sync_api import sync_playwright

    _, reports, _ = sample_run
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.goto((reports / "scorecard_2026-Q3.html").as_uri())
        page.wait_for_selector("#performance .main-svg", timeout=20_000)
        page.wait_for_selector("#ipa .main-svg", timeout=20_000)
        page.screenshot(path=str(reports / "scorecard_2026-Q3.png"), full_page=True)
        yield page, errors
        browser.close()


def test_renders_offline_without_errors(page):
    pg, errors = page
    assert errors == []
    # one bar group per measured metric (CSAT, CES), one bar per touchpoint
    assert pg.locator("#performance g.trace.bars").count() == 2
    assert pg.locator("#performance g.trace.bars").first.locator("path").count() == 11


def test_table_shows_the_mart_numbers(page, sample_run):
    pg, _ = page
    db, _, _ = sample_run
    with closing(connect(db, read_only=True)) as con:
        n, top2, low_base = con.execute(
            "SELECT n_responses, csat_top2_share, is_low_base FROM marts.touchpoint_scorecard "
            "WHERE revisit_id = '2026-Q3' AND touchpoint_id = 'parcel_delivery'").fetchone()
        nps, n_nps = con.execute("SELECT nps, n_nps FROM marts.revisit_headline WHERE revisit_id = '2026-Q3'").fetchone()
    row = pg.locator('table.touchpoints tr[data-touchpoint="parcel_delivery"]')
    assert row.locator('td[data-col="n_responses"]').inner_text() == str(n)
    assert row.locator('td[data-col="csat_top2_share"]').inner_text() == f"{100 * top2:.0f}%"
    assert ("low base" in row.inner_text()) == low_base and "critical" in row.inner_text()
    assert pg.locator('[data-metric="nps"]').inner_text() == f"{nps:.0f}"
    assert f"n = {n_nps}" in pg.locator("#headline").inner_text()
    assert "low base" in pg.locator('table.touchpoints tr[data-touchpoint="loyalty_club"]').inner_text()


def test_priority_table_and_ipa_matrix_follow_the_marts(page, sample_run):
    pg, _ = page
    db, _, _ = sample_run
    with closing(connect(db, read_only=True)) as con:
        ranked = con.execute(
            "SELECT touchpoint_id, quadrant FROM marts.touchpoint_priority WHERE revisit_id = '2026-Q3' "
            "ORDER BY priority_rank NULLS LAST, stage_position, touchpoint_position").fetchall()
    rows = pg.locator("table.priority tbody tr")
    assert [rows.nth(i).get_attribute("data-touchpoint") for i in range(rows.count())] == [t for t, _ in ranked]
    assert rows.first.locator('td[data-col="quadrant"]').inner_text() == ranked[0][1]
    # one marker per placed touchpoint in the importance-performance matrix
    placed = sum(1 for _, quadrant in ranked if quadrant)
    assert pg.locator("#ipa .scatterlayer .point").count() == placed
