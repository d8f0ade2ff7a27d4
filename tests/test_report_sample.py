"""The written report on data/sample: numbers in the HTML and the exports equal the marts; owner pages, verbatim
attribution and Prefect artifacts."""

from __future__ import annotations

import json
import math
import re
import shutil
from contextlib import closing
from html.parser import HTMLParser

import pandas as pd
import pytest

from cjx.store import connect

REVISIT = "2026-Q3"


def _mart(db, sql: str, params=None) -> pd.DataFrame:
    with closing(connect(db, read_only=True)) as con:
        return con.execute(sql, params or []).df()


class Cells(HTMLParser):
    """Collects, per table row with data-touchpoint, the text and data-value of each cell with data-col."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.in_table, self.row, self.col, self.rows, self.kpis = table_id, False, None, None, {}, {}
        self.kpi = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("id") == self.table_id:
            self.in_table = True
        elif self.in_table and tag == "tr" and "data-touchpoint" in a:
            self.row = self.rows.setdefault(a["data-touchpoint"], {})
        elif self.row is not None and tag == "td" and "data-col" in a:
            self.col = a["data-col"]
            self.row[self.col] = {"value": a.get("data-value"), "text": ""}
        if tag == "section" and self.kpi is not None:
            self.kpi = None  # the headline section is over
        if "data-kpi" in a:
            self.kpi = self.kpis.setdefault(a["data-kpi"], {"text": ""})
        elif self.kpi is not None and "data-metric" in a:
            self.kpi["value"] = a["data-value"]
        if self.kpi is not None and "data-n" in a:
            self.kpi["n"] = a["data-n"]

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_table = False
        elif tag == "td":
            self.col = None
        elif tag == "tr":
            self.row = None

    def handle_data(self, data):
        if self.row is not None and self.col is not None:
            self.row[self.col]["text"] += data
        if self.kpi is not None:
            self.kpi["text"] += data


def _parse(html: str, table_id: str = "priority-table") -> Cells:
    parser = Cells(table_id)
    parser.feed(html)
    return parser


def _number(text: str) -> float:
    """The first number in a cell as shown ('46%', '−29 pts', '1,075')."""
    match = re.search(r"[−+-]?[\d,]+(?:\.\d+)?", text.replace("\u2212", "-"))
    return float(match.group(0).replace(",", ""))


@pytest.fixture(scope="module")
def q3(sample_run):
    db, reports, _ = sample_run
    html = (reports / f"scorecard_{REVISIT}.html").read_text()
    priority = _mart(db, "SELECT * FROM marts.touchpoint_priority WHERE revisit_id = ?", [REVISIT])
    return db, reports, html, priority.set_index("touchpoint_id")


def test_priority_table_numbers_equal_the_marts(q3):
    db, _, html, priority = q3
    rows = _parse(html).rows
    assert set(rows) == set(priority.index)
    changes = _mart(
        db,
        "SELECT touchpoint_id, metric, difference, direction FROM marts.revisit_changes "
        "WHERE revisit_b = ? AND status = 'tested'",
        [REVISIT],
    ).set_index(["touchpoint_id", "metric"])
    for tp, cells in rows.items():
        mart = priority.loc[tp]
        for col in ("performance", "importance", "reach", "gap_to_target"):
            shown = cells[col]["value"]
            if pd.isna(mart[col]):
                assert shown == "" and cells[col]["text"].strip().startswith("–"), (tp, col)
                continue
            assert float(shown) == pytest.approx(mart[col], rel=1e-12), (tp, col)  # the raw value, unrounded
            digits = 1 if col == "importance" else 0
            assert _number(cells[col]["text"]) == pytest.approx(round(100 * mart[col], digits)), (tp, col)
        assert int(cells["n_headline"]["value"]) == mart.n_headline
        assert _number(cells["n_headline"]["text"]) == mart.n_headline
        rank = cells["priority_rank"]["text"].strip()
        assert rank == ("–" if pd.isna(mart.priority_rank) else str(int(mart.priority_rank)))
        metric = {"csat": "csat_top2", "ces": "ces_easy", "nps": "nps"}[mart.headline_metric]
        if (tp, metric) in changes.index:
            change = changes.loc[(tp, metric)]
            shown = cells["change"]["text"]
            assert _number(shown) == pytest.approx(round(100 * change.difference)), tp
            assert ("▼" in shown) == (change.direction == "worse") and ("▲" in shown) == (change.direction == "better")
    assert "▼" in rows["parcel_delivery"]["change"]["text"]  # the planted worsening is marked


def test_headline_numbers_equal_the_marts(q3):
    db, _, html, _ = q3
    head = _mart(db, "SELECT * FROM marts.revisit_headline WHERE revisit_id = ?", [REVISIT]).iloc[0]
    kpis = _parse(html).kpis
    assert float(kpis["nps"]["value"]) == pytest.approx(head.nps)
    assert int(kpis["nps"]["n"]) == head.n_nps
    assert (
        f"{head.nps:.0f}" in kpis["nps"]["text"]
        and f"{head.nps_ci_low:.0f} to {head.nps_ci_high:.0f}" in kpis["nps"]["text"]
    )
    assert float(kpis["overall"]["value"]) == pytest.approx(head.overall_top2_share)
    assert f"{100 * head.overall_top2_share:.0f}%" in kpis["overall"]["text"]
    previous = _mart(db, "SELECT nps FROM marts.revisit_headline WHERE revisit_id = '2026-Q2'").nps[0]
    assert f"{head.nps - previous:+.0f}".replace("-", "−") + " since 2026-Q2 ▼" in kpis["nps"]["text"]
    ces = _mart(
        db,
        "SELECT sum(n_ces_easy) / sum(n_ces) AS share, sum(n_ces) AS n FROM marts.touchpoint_scorecard "
        "WHERE revisit_id = ?",
        [REVISIT],
    ).iloc[0]
    assert float(kpis["ces"]["value"]) == pytest.approx(ces.share) and int(kpis["ces"]["n"]) == ces.n


def test_owner_pages_are_written_and_linked(q3):
    _, reports, html, priority = q3
    folder = reports / f"scorecard_{REVISIT}" / "owners"
    owners = sorted(priority.owner.unique())
    assert len(list(folder.glob("*.html"))) == len(owners)
    for owner in owners:
        slug = re.sub(r"[^a-z0-9]+", "-", owner.lower()).strip("-")
        assert f'href="scorecard_{REVISIT}/owners/{slug}.html"' in html
        page = (folder / f"{slug}.html").read_text()
        assert set(_parse(page).rows) == set(priority[priority.owner == owner].index), owner
        assert "plotly" not in page.lower()[:2000]  # owner pages are light: no 4 MB of plotly.js


def test_raw_exports_equal_the_mart_rows_and_readable_ones_sit_beside_them(q3):
    db, reports, _, _ = q3
    folder = reports / f"scorecard_{REVISIT}" / "exports"
    from cjx.report.exports import EXPORT_QUERIES

    with closing(connect(db, read_only=True)) as con:
        marts = {
            name: con.execute(sql, {"revisit_id": REVISIT} if "$revisit_id" in sql else {}).df()
            for name, sql in EXPORT_QUERIES.items()
        }
    for name, mart in marts.items():
        got = pd.read_parquet(folder / "raw" / f"{name}.parquet")
        assert list(got.columns) == list(mart.columns) and len(got) == len(mart), name
        pd.testing.assert_frame_equal(got, mart, check_dtype=False)
    workbook = pd.read_excel(folder / f"scorecard_{REVISIT}.xlsx", sheet_name=None, header=1)
    assert len(workbook) == 7 and all((folder / f"{n}.csv").exists() for n in ("priority", "touchpoints", "files"))
    assert marts["priority"].touchpoint_id[0] == "parcel_delivery"


def test_png_snapshots_of_the_charts(q3):
    _, reports, _, _ = q3
    if not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed: the report skips PNG snapshots")
    png = reports / f"scorecard_{REVISIT}" / "exports" / "png"
    for name in ("page", "journey-curve", "ipa", "paths"):
        data = (png / f"{name}.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000, name


def test_verbatims_follow_the_attribution_rule(sample_run):
    db, _, _ = sample_run
    from cjx.report.verbatims import load_verbatims

    with closing(connect(db, read_only=True)) as con:
        verbatims = load_verbatims(con, REVISIT)
        ratings = con.execute(
            "SELECT a.source_id, a.response_id, t.touchpoint_id, a.score FROM core.answers a "
            "JOIN core.answer_touchpoints t USING (source_id, response_id, column_name) "
            "WHERE a.source_id = 'relationship' AND a.metric = 'csat' AND NOT a.is_na"
        ).df()
    pulse = verbatims[verbatims.source_id == "delivery_pulse"]
    assert len(pulse) > 100 and (pulse.touchpoint_id == "parcel_delivery").all()
    assert (pulse.attributed_by == "response").all()
    general = verbatims[verbatims.source_id == "relationship"]
    assert len(general) > 100 and (general.attributed_by == "lowest rating").all()
    lowest = ratings.groupby("response_id").score.min()
    for r in general.head(200).itertuples():
        mine = ratings[(ratings.response_id == r.response_id) & (ratings.touchpoint_id == r.touchpoint_id)].score
        assert mine.iloc[0] == lowest[r.response_id]
        assert r.rating == pytest.approx((mine.iloc[0] - 1) / 4)  # rescaled 1-5 -> 0..1
    assert not verbatims.comment.str.contains(r"@\w+\.", regex=True).any()


def _is_uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def test_the_run_publishes_headline_and_priority_artifacts(sample_run):
    import httpx
    from prefect.settings import PREFECT_API_URL

    # this database's own flow runs: other tests run flows on the same test server (the privacy scan, ...)
    with closing(connect(sample_run[0], read_only=True)) as con:
        flow_runs = [r[0] for r in con.execute("SELECT run_id FROM ops.runs").fetchall() if _is_uuid(r[0])]
    assert flow_runs

    def latest(key):
        # the REST endpoint directly: this Prefect client sends nulls the server's filter schema rejects
        response = httpx.post(
            f"{PREFECT_API_URL.value()}/artifacts/filter",
            json={
                "artifacts": {"key": {"any_": [key]}, "flow_run_id": {"any_": flow_runs}},
                "sort": "CREATED_DESC",
                "limit": 1,
                "offset": 0,
            },
        )
        response.raise_for_status()
        return response.json()[0]

    markdown = latest("scorecard-headline")["data"]
    assert "Net Promoter Score" in markdown and "Parcel delivery" in markdown
    top5 = re.findall(r"^\| (\d) \| ([^|]+?)(?: \(critical\))? \|", markdown, flags=re.M)
    db, _, _ = sample_run
    ranked = _mart(
        db,
        "SELECT priority_rank, touchpoint_name FROM marts.touchpoint_priority WHERE revisit_id = ? "
        "AND priority_rank <= 5 ORDER BY priority_rank",
        [REVISIT],
    )
    assert [(int(r), n) for r, n in top5] == list(ranked.itertuples(index=False, name=None))
    table = latest("scorecard-priorities")["data"]
    rows = table if isinstance(table, list) else json.loads(table)
    assert rows[0]["touchpoint"] == "Parcel delivery" and rows[0]["owner"] == "Logistics" and rows[0]["rank"] == 1
    assert math.isclose(
        rows[0]["performance_pct"],
        round(
            100
            * _mart(
                db,
                "SELECT performance FROM marts.touchpoint_priority WHERE revisit_id = ? AND priority_rank = 1",
                [REVISIT],
            ).performance[0],
            1,
        ),
    )
