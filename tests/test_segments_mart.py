"""Segments, given/expect: tiny core and raw rows in, core.respondent_segments and marts.segment_scorecard out,
every expected value computed here independently (pandas, statsmodels, the formulas written out)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from cjx.metrics.marts import build_marts
from tests.small_db import add_answer, add_response, small_db, survey

MIN_BASE = 8
JOURNEY = {
    "journey": {"id": "tiny", "name": "Tiny"},
    "stages": [{"id": "fly", "name": "Fly"}],
    "touchpoints": [
        {"id": "boarding", "name": "Online boarding", "stage": "fly", "owner": "Digital"},
        {"id": "seat", "name": "Seat comfort", "stage": "fly", "owner": "Cabin"},
        {"id": "crew", "name": "Crew", "stage": "fly", "owner": "Cabin"},
    ],
    "sources": [
        survey(
            [
                {"column": "nps", "metric": "nps"},
                {"column": "board", "metric": "csat", "scale": {"min": 1, "max": 5}, "touchpoint": "boarding"},
                {"column": "seat", "metric": "csat", "scale": {"min": 1, "max": 5}, "touchpoint": "seat"},
                {"column": "crew", "metric": "nps", "touchpoint": "crew"},
            ]
        ),
        {
            "id": "orders",
            "kind": "operational",
            "files": "none_orders.csv",
            "respondent_id": "email",
            "timestamp": "at",
            "event_type": "order",
            "event_id": "order_id",
        },
    ],
    "revisits": [
        {"id": "R1", "start": "2026-01-01", "end": "2026-01-31"},
        {"id": "R2", "start": "2026-02-01", "end": "2026-02-28"},
    ],
    "outcome": {"source": "s", "question": "nps"},
    "settings": {"min_base": MIN_BASE, "bootstrap_resamples": 50},
    "segments": [
        {"id": "class", "name": "Class", "column": "Class"},
        {"id": "buyer", "derived": "new_vs_repeat"},
    ],
}
# Class of respondent i in R1 (Business answers boarding better; 'First' is a low base); R2: Economy only.
CLASSES = ["Business"] * 40 + ["Economy"] * 50 + ["First"] * 4


def _given() -> pd.DataFrame:
    """One response per respondent in R1 (class, ratings), plus a second response of the first ten in R2."""
    rng = np.random.default_rng(7)
    rows = []
    for i, cls in enumerate(CLASSES):
        good = 0.8 if cls == "Business" else 0.4
        rows.append(
            {
                "response_id": f"r{i}",
                "respondent": f"p{i}",
                "at": f"2026-01-{1 + i % 28:02d} 12:00:00",
                "Class": cls,
                "board": int(rng.choice([4, 5])) if rng.random() < good else int(rng.choice([1, 2, 3])),
                "seat": int(rng.integers(1, 6)),
                "crew": int(rng.integers(0, 11)),
                "nps": int(rng.integers(0, 11)),
            }
        )
    for i in range(10):  # in R2 the Class cell is blank on row 0 (no value: respondent 0 is not in R2's table)
        rows.append(
            {
                "response_id": f"q{i}",
                "respondent": f"p{i}",
                "at": "2026-02-10 09:00:00",
                "Class": "" if i == 0 else "Economy",
                "board": 5,
                "seat": 3,
                "crew": 9,
                "nps": 9,
            }
        )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    con, given = _build(tmp_path_factory.mktemp("segments"), JOURNEY)
    yield con, given
    con.close()


def _build(tmp, journey: dict, more=None):  # type: ignore[no-untyped-def]
    """The given rows in core and raw, orders in core.events, `more(con)` if given, then the marts."""
    con = small_db(tmp, journey)
    given = _given()
    con.execute('CREATE TABLE raw.s (file_id VARCHAR, row_number BIGINT, "Class" VARCHAR)')
    metric = {"nps": "nps", "board": "csat", "seat": "csat", "crew": "nps"}
    touchpoint = {"nps": None, "board": "boarding", "seat": "seat", "crew": "crew"}
    for k, g in enumerate(given.itertuples()):
        add_response(con, g.response_id, g.respondent, g.at, row_number=k)
        con.execute("INSERT INTO raw.s VALUES ('f', ?, ?)", [k, g.Class])
        for column in metric:
            value = getattr(g, column)
            add_answer(con, g.response_id, column, metric[column], touchpoint[column], value, value)
    # orders: p0..p4 ordered twice before their R1 response (repeat), p5.. once (new), p90.. never
    for i in range(90):
        con.execute(
            "INSERT INTO core.events VALUES ('orders', ?, 'order', NULL, ?, TIMESTAMP '2025-12-01', 'o', ?)",
            [f"o{i}", f"p{i}", i],
        )
    for i in range(5):
        con.execute(
            "INSERT INTO core.events VALUES ('orders', ?, 'order', NULL, ?, TIMESTAMP '2025-12-15', 'o', ?)",
            [f"o2_{i}", f"p{i}", 100 + i],
        )
    if more is not None:
        more(con)
    build_marts(con)
    return con, given


def _mart(con, segment: str, revisit: str = "R1") -> pd.DataFrame:
    return con.execute(
        "SELECT * FROM marts.segment_scorecard WHERE segment_id = ? AND revisit_id = ?", [segment, revisit]
    ).df()


def test_respondent_segments_hold_the_value_as_of_the_latest_response(built):
    con, _ = built
    got = con.execute(
        "SELECT respondent_id, revisit_id, value FROM core.respondent_segments WHERE segment_id = 'class'"
    ).df()
    r1 = got[got.revisit_id == "R1"].set_index("respondent_id").value
    assert r1.to_dict() == {f"p{i}": c for i, c in enumerate(CLASSES)}
    r2 = got[got.revisit_id == "R2"].set_index("respondent_id").value
    assert r2.to_dict() == {f"p{i}": "Economy" for i in range(1, 10)}  # p0 left Class blank in R2: no value


def test_new_vs_repeat_counts_orders_up_to_the_response(built):
    con, _ = built
    got = (
        con.execute(
            "SELECT respondent_id, value FROM core.respondent_segments WHERE segment_id = 'buyer' AND revisit_id = 'R1'"
        )
        .df()
        .set_index("respondent_id")
        .value
    )
    expected = {f"p{i}": "repeat" if i < 5 else "new" for i in range(90)}  # p90..p93 never ordered: no value
    assert got.to_dict() == expected


def test_share_cells_match_pandas_and_statsmodels(built):
    con, given = built
    mart = _mart(con, "class").set_index(["touchpoint_id", "segment_value"])
    r1 = given[given.response_id.str.startswith("r")]
    for tp, column in (("boarding", "board"), ("seat", "seat")):
        for cls in ("Business", "Economy", "First"):
            row = mart.loc[(tp, cls)]
            mine, rest = r1[r1.Class == cls][column], r1[r1.Class != cls][column]
            k, n = int((mine >= 4).sum()), len(mine)
            assert row.n_headline == n and row.n_good == k
            assert row.headline_value == pytest.approx(k / n)
            low, high = proportion_confint(k, n, method="wilson")
            assert (row.headline_ci_low, row.headline_ci_high) == pytest.approx((low, high))
            assert row.n_rest == len(rest)
            assert row.rest_value == pytest.approx((rest >= 4).mean())
            if cls == "First":  # 4 answers < min_base: flagged, not tested
                assert row.is_low_base and row.status == "low base" and pd.isna(row.p_value)
                continue
            z, p = proportions_ztest([k, int((rest >= 4).sum())], [n, len(rest)])
            assert row.statistic == pytest.approx(z)
            assert row.p_value == pytest.approx(p)
            assert row.difference == pytest.approx(k / n - (rest >= 4).mean())


def test_nps_cell_uses_the_adjusted_wald_interval_and_test(built):
    con, given = built
    row = _mart(con, "class").set_index(["touchpoint_id", "segment_value"]).loc[("crew", "Business")]
    r1 = given[given.response_id.str.startswith("r")]
    mine, rest = r1[r1.Class == "Business"].crew, r1[r1.Class != "Business"].crew

    def adjusted(scores):  # Rocks (2016): 0.75 promoters, 1.5 passives, 0.75 detractors added
        n = len(scores) + 3
        pp, pd_ = ((scores >= 9).sum() + 0.75) / n, ((scores <= 6).sum() + 0.75) / n
        return 100 * (pp - pd_), 100 * math.sqrt((pp + pd_ - (pp - pd_) ** 2) / n)

    nps = 100 * ((mine >= 9).mean() - (mine <= 6).mean())
    assert row.headline_value == pytest.approx(nps)
    centre, se = adjusted(mine)
    assert (row.headline_ci_low, row.headline_ci_high) == pytest.approx(
        (centre - 1.959964 * se, centre + 1.959964 * se)
    )
    rest_centre, rest_se = adjusted(rest)
    z = (centre - rest_centre) / math.hypot(se, rest_se)
    assert row.statistic == pytest.approx(z)
    assert row.p_value == pytest.approx(2 * (1 - __import__("scipy").stats.norm.cdf(abs(z))))


def test_bh_runs_across_one_segment_table_per_revisit(built):
    con, _ = built
    mart = _mart(con, "class")
    tested = mart[mart.status == "tested"].sort_values(["touchpoint_id", "segment_value"])
    assert len(tested) == 6  # 3 touchpoints x Business, Economy; First is low base
    expected = multipletests(tested.p_value, method="fdr_bh")[1]
    assert tested.q_value.to_numpy() == pytest.approx(expected)
    assert (tested.is_significant == (tested.q_value < 0.05)).all()
    assert mart.loc[mart.status != "tested", "q_value"].isna().all()


def test_the_planted_boarding_gap_is_found_with_its_sign(built):
    con, _ = built
    row = _mart(con, "class").set_index(["touchpoint_id", "segment_value"]).loc[("boarding", "Business")]
    assert row.is_significant and row.direction == "better" and row.difference > 0


def test_one_value_alone_has_no_rest_and_is_not_tested(built):
    con, _ = built
    r2 = _mart(con, "class", "R2")
    assert set(r2.segment_value) == {"Economy"}
    assert (r2.n_rest == 0).all() and (r2.status != "tested").all() and r2.q_value.isna().all()


def test_importance_per_segment_value_is_the_lmg_of_its_respondents(built):
    """Two drivers: LMG_1 = (r1^2 + R^2 - r2^2) / 2 (Lindeman, Merenda & Gold 1980), written out with numpy."""
    con, given = built
    got = con.execute(
        "SELECT segment_value, touchpoint_id, importance, r2, n_respondents FROM marts.segment_importance "
        "WHERE segment_id = 'class' AND revisit_id = 'R1' AND method = 'lmg'"
    ).df()
    assert set(got.segment_value) == {"Business", "Economy"}  # First (4 respondents) cannot pass the guards
    r1 = given[given.response_id.str.startswith("r")]
    for cls in ("Business", "Economy"):
        d = r1[r1.Class == cls][["board", "seat", "nps"]].astype(float)
        c = d.corr().to_numpy()
        rxx, rxy = c[:2, :2], c[:2, 2]
        r2 = float(rxy @ np.linalg.solve(rxx, rxy))
        lmg = {"boarding": (rxy[0] ** 2 + r2 - rxy[1] ** 2) / 2, "seat": (rxy[1] ** 2 + r2 - rxy[0] ** 2) / 2}
        mine = got[got.segment_value == cls].set_index("touchpoint_id")
        assert mine.n_respondents.iloc[0] == len(d)
        assert mine.r2.iloc[0] == pytest.approx(r2)
        for tp, value in lmg.items():
            assert mine.loc[tp, "importance"] == pytest.approx(value)


def test_a_response_id_another_survey_also_uses_does_not_join_a_segment(tmp_path):
    """Segment importance finds a member's row by its response key: a second survey whose responses r0..r4 (of
    'new' buyers p5..p9) share their ids with the outcome survey's r0..r4 (of 'repeat' buyers p0..p4) adds no row
    to the 'new' buyers' model. By ids, those five repeat buyers' answers were counted as new buyers' too."""
    journey = {**JOURNEY, "sources": [*JOURNEY["sources"], survey([{"column": "x", "metric": "comment"}], id="t")]}

    def same_ids_in_another_survey(con) -> None:  # type: ignore[no-untyped-def]
        for i in range(5):
            add_response(con, f"r{i}", f"p{5 + i}", "2026-01-20 10:00:00", row_number=500 + i, source="t")

    con, given = _build(tmp_path, journey, same_ids_in_another_survey)
    got = con.execute(
        "SELECT touchpoint_id, importance, n_respondents FROM marts.segment_importance "
        "WHERE segment_id = 'buyer' AND segment_value = 'new' AND revisit_id = 'R1' AND method = 'lmg'"
    ).df()
    con.close()
    # new buyers: ordered once before their R1 response (p5..p89); p0..p4 ordered twice, p90.. never
    r1 = given[given.response_id.str.startswith("r")]
    d = r1[r1.respondent.str[1:].astype(int).between(5, 89)][["board", "seat", "nps"]].astype(float)
    c = d.corr().to_numpy()
    rxx, rxy = c[:2, :2], c[:2, 2]
    r2 = float(rxy @ np.linalg.solve(rxx, rxy))
    mine = got.set_index("touchpoint_id")
    assert (mine.n_respondents == len(d)).all()
    assert mine.loc["boarding", "importance"] == pytest.approx((rxy[0] ** 2 + r2 - rxy[1] ** 2) / 2)


def test_priority_rank_per_segment_value_follows_importance_shortfall_and_reach(built):
    con, _ = built
    got = con.execute(
        "SELECT p.segment_value, p.touchpoint_id, p.priority_rank, p.is_low_base, i.share, s.headline_value, r.reach "
        "FROM marts.segment_priority p "
        "JOIN marts.segment_scorecard s USING (revisit_id, segment_id, segment_value, touchpoint_id) "
        "LEFT JOIN marts.segment_importance i ON i.method = 'lmg' AND i.revisit_id = p.revisit_id "
        "     AND i.segment_id = p.segment_id AND i.segment_value = p.segment_value AND i.touchpoint_id = p.touchpoint_id "
        "LEFT JOIN marts.touchpoint_reach r ON r.revisit_id = p.revisit_id AND r.touchpoint_id = p.touchpoint_id "
        "WHERE p.segment_id = 'class' AND p.revisit_id = 'R1'"
    ).df()
    for cls, g in got.groupby("segment_value"):
        score = g.share * (1 - g.headline_value) * g.reach.fillna(1)
        expected = score.where(~g.is_low_base).rank(ascending=False, method="min")
        assert g.priority_rank.fillna(-1).tolist() == expected.fillna(-1).tolist(), cls
    assert got.loc[got.segment_value == "First", "priority_rank"].isna().all()
