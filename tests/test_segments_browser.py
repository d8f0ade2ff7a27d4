"""The segment selector in a real headless browser (Debian's chromium driven by Playwright): picking a segment value
redraws the curve, the matrix and the priority table from that value's marts, picking "all respondents" restores the
journey's, the "where it differs" table lists the significant gaps largest first, and an owner page does the same
for the owner's touchpoints only."""

from __future__ import annotations

import json
import shutil
from contextlib import closing

import pytest

from cjx.store import connect

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"]
REVISIT = "2026-Q3"


def _rows(sample_run, sql: str, params=None) -> list[tuple]:
    db, _, _ = sample_run
    with closing(connect(db, read_only=True)) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def context():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
        browser.close()


def _open(context, path):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(path.as_uri())
    return page, errors


def _table(page) -> dict[str, tuple[str, str]]:
    """touchpoint id -> (rank cell, performance data-value) of the priority table as shown."""
    return {
        tr.get_attribute("data-touchpoint"): (
            tr.locator('[data-col="priority_rank"]').inner_text().strip(),
            tr.locator('[data-col="performance"]').get_attribute("data-value"),
        )
        for tr in page.locator("#priority-table tbody tr").all()
    }


def _ipa_y(page) -> list[float]:
    return sorted(
        round(y, 6)
        for y in page.evaluate(
            "() => document.getElementById('ipa')._fullData.filter(t => t.visible !== false).flatMap(t => Array.from(t.y || []))"
        )
    )


def test_switching_segments_redraws_curve_matrix_and_table(sample_run, context):
    _, reports, _ = sample_run
    page, errors = _open(context, reports / f"scorecard_{REVISIT}.html")
    page.wait_for_selector("#ipa .main-svg", timeout=20_000)
    journey_table, journey_ipa = _table(page), _ipa_y(page)
    for segment, value in (("region", "Jylland"), ("tier", "Gold"), ("buyer", "new")):
        page.select_option("#segment-select", json.dumps([segment, value], ensure_ascii=False))
        assert page.get_attribute("body", "data-segment") == json.dumps([segment, value], ensure_ascii=False)
        assert f"= {value}" in page.inner_text("#segment-shown")
        mart = _rows(
            sample_run,
            "SELECT touchpoint_id, priority_rank, performance, importance FROM marts.segment_priority "
            "WHERE revisit_id = ? AND segment_id = ? AND segment_value = ?",
            [REVISIT, segment, value],
        )
        shown = _table(page)
        assert set(shown) == {m[0] for m in mart}
        for tp, rank, performance, _importance in mart:
            assert shown[tp][0] == (str(rank) if rank is not None else "–"), (segment, value, tp)
            assert float(shown[tp][1]) == pytest.approx(performance), (segment, value, tp)
        # the matrix: one point per touchpoint with importance and performance, at the value's performance
        placed = sorted(round(p * 100, 6) for _, _, p, i in mart if p is not None and i is not None)
        assert _ipa_y(page) == pytest.approx(placed)
        # the curve: its markers sit at the value's headline performance
        curve = page.evaluate("() => document.getElementById('journey-curve').data.length")
        assert curve >= 2
    page.select_option("#segment-select", "")
    assert _table(page) == journey_table and _ipa_y(page) == journey_ipa
    assert errors == []


def test_where_it_differs_lists_the_significant_gaps_largest_first(sample_run, context):
    _, reports, _ = sample_run
    page, errors = _open(context, reports / f"scorecard_{REVISIT}.html")
    rows = page.locator("#segment-differs tbody tr").all()
    significant = _rows(
        sample_run,
        "SELECT segment_id, segment_value, touchpoint_id, direction FROM marts.segment_scorecard "
        "WHERE revisit_id = ? AND is_significant",
        [REVISIT],
    )
    shown = [
        (
            r.get_attribute("data-segment"),
            r.get_attribute("data-value"),
            r.get_attribute("data-touchpoint"),
            r.get_attribute("data-direction"),
        )
        for r in rows
    ]
    assert sorted(shown) == sorted(significant) and ("region", "Jylland", "parcel_delivery", "worse") in shown
    sizes = [float(r.locator('[data-col="gap"]').get_attribute("data-sort")) for r in rows]
    assert sizes == sorted(sizes, reverse=True)
    assert errors == []


def test_an_owner_page_switches_its_own_touchpoints(sample_run, context):
    _, reports, _ = sample_run
    page, errors = _open(context, reports / f"scorecard_{REVISIT}" / "owners" / "logistics.html")
    mine = {r[0] for r in _rows(sample_run, "SELECT touchpoint_id FROM core.touchpoints WHERE owner = 'Logistics'")}
    page.select_option("#segment-select", json.dumps(["region", "Jylland"], ensure_ascii=False))
    shown = _table(page)
    assert set(shown) == mine
    mart = dict(
        _rows(
            sample_run,
            "SELECT touchpoint_id, performance FROM marts.segment_priority WHERE revisit_id = ? AND segment_id = 'region' "
            "AND segment_value = 'Jylland' AND owner = 'Logistics'",
            [REVISIT],
        )
    )
    for tp, (_rank, performance) in shown.items():
        assert float(performance) == pytest.approx(mart[tp])
    gaps = {r.get_attribute("data-touchpoint") for r in page.locator("#segment-differs tbody tr").all()}
    assert gaps <= mine and "parcel_delivery" in gaps
    assert errors == []
