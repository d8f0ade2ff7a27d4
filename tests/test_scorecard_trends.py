"""Trends across revisits on the written sample pages: strips with the snapshot values, the same significance
marks as each revisit's own page, quadrant migrations, links between revisit pages, run id and generated-at."""

from __future__ import annotations

import re
from contextlib import closing

from cjx.store import connect

REVISITS = ["2026-Q1", "2026-Q2", "2026-Q3"]


def _pages(sample_run) -> dict[str, str]:
    _, reports, _ = sample_run
    return {r: (reports / f"scorecard_{r}.html").read_text(encoding="utf-8") for r in REVISITS}


def _row(page: str, table_id: str, touchpoint: str) -> str:
    table = page[page.index(f'id="{table_id}"') :]
    table = table[: table.index("</table>")]
    match = re.search(rf'<tr data-touchpoint="{touchpoint}"[^>]*>.*?</tr>', table, re.S)
    assert match, (table_id, touchpoint)
    return match.group(0)


def test_revisit_pages_link_to_each_other(sample_run):
    _, reports, _ = sample_run
    for i, (revisit, page) in enumerate(_pages(sample_run).items()):
        nav = re.search(r'<nav class="links" id="revisit-links">.*?</nav>', page, re.S).group(0)
        links = dict(re.findall(r'<a href="([^"]+)" data-revisit="([^"]+)"', nav))
        assert sorted(links.values()) == sorted(r for r in REVISITS if r != revisit)
        assert all((reports / href).exists() for href in links)
        assert f'<strong aria-current="page" data-revisit="{revisit}">' in nav
        if i > 0:
            assert f'data-revisit="{REVISITS[i - 1]}" rel="prev"' in nav
        if i < len(REVISITS) - 1:
            assert f'data-revisit="{REVISITS[i + 1]}" rel="next"' in nav
    owner = next((reports / "scorecard_2026-Q2" / "owners").glob("*.html")).read_text(encoding="utf-8")
    assert 'href="../../scorecard_2026-Q1.html" data-revisit="2026-Q1" rel="prev"' in owner


def test_footer_names_the_run_and_when_the_page_was_generated(sample_run):
    db, _, _ = sample_run
    with closing(connect(db, read_only=True)) as con:
        runs = [r for (r,) in con.execute("SELECT run_id FROM ops.runs").fetchall()]
    for page in _pages(sample_run).values():
        footer = re.search(r'<footer id="page-footer" data-run-id="([^"]*)" data-generated-at="([^"]*)"', page)
        assert footer and footer.group(1) in runs
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", footer.group(2))
        assert f"Run {footer.group(1)}, generated {footer.group(2)}." in page


def test_trend_strips_show_every_revisit_so_far_with_the_snapshot_values(sample_run):
    db, _, _ = sample_run
    pages = _pages(sample_run)
    with closing(connect(db, read_only=True)) as con:
        snap = con.execute(
            "SELECT revisit_id, touchpoint_id, performance FROM marts.revisit_snapshots ORDER BY revisit_start"
        ).fetchall()
        headline = dict(con.execute("SELECT revisit_id, nps FROM marts.revisit_headline").fetchall())
        moves = con.execute(
            "SELECT touchpoint_id, quadrant_a, quadrant_b, has_moved FROM marts.quadrant_migrations "
            "WHERE revisit_b = '2026-Q3'"
        ).fetchall()
    for i, revisit in enumerate(REVISITS):
        for tp in {t for _, t, _ in snap}:
            row = _row(pages[revisit], "trend-table", tp)
            points = re.findall(r'<circle [^>]*data-revisit="([^"]+)" data-value="([^"]*)"', row)
            expected = [(r, v) for r, t, v in snap if t == tp and r in REVISITS[: i + 1] and v is not None]
            assert [r for r, _ in points] == [r for r, _ in expected], (revisit, tp)
            assert [float(v) for _, v in points] == [float(v) for _, v in expected]
    nps = re.search(r'<div class="trend-strip" data-kpi="nps">.*?</svg>', pages["2026-Q3"], re.S).group(0)
    values = [float(v) for v in re.findall(r'data-value="([^"]+)"', nps)]
    assert values == [headline[r] for r in REVISITS]
    for tp, a, b, moved in moves:
        cell = re.search(r'<td class="text" data-col="migration">(.*?)</td>', _row(pages["2026-Q3"], "trend-table", tp))
        assert (cell.group(1) == f"{a} → {b}") if moved else (cell.group(1) == "unchanged"), tp
    assert any(moved for *_, moved in moves)


def test_a_strip_marks_the_changes_each_revisits_own_page_marks(sample_run):
    pages = _pages(sample_run)
    n_marked = 0
    for revisit in REVISITS[1:]:
        tps = re.findall(r'<tr data-touchpoint="([^"]+)" data-owner=', pages[revisit])
        for tp in tps:
            change = re.search(
                r'<td data-col="change"[^>]*data-direction="([^"]*)"', _row(pages[revisit], "priority-table", tp)
            ).group(1)
            strip = _row(pages["2026-Q3"], "trend-table", tp)
            point = re.search(rf'data-revisit="{revisit}" data-value="[^"]*" data-direction="([^"]*)"', strip)
            assert point is None or point.group(1) == change, (revisit, tp)
            n_marked += bool(change)
    assert n_marked > 0
