"""SQL given/expect: tiny core rows in, marts out, checked against hand computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cjx.metrics.marts import build_marts
from tests.small_db import add_answer, add_response, small_db, survey

JOURNEY = {
    "journey": {"id": "tiny", "name": "Tiny"},
    "stages": [{"id": "buy", "name": "Buy"}, {"id": "support", "name": "Support"}],
    "touchpoints": [
        {
            "id": "checkout",
            "name": "Checkout",
            "stage": "buy",
            "owner": "Web",
            "target": {"metric": "csat", "value": 0.8},
        },
        {"id": "service", "name": "Service", "stage": "support", "owner": "CS", "critical": True},
        {"id": "returns", "name": "Returns", "stage": "support", "owner": "Logistics"},
    ],
    "sources": [
        survey(
            [
                {"column": "nps", "metric": "nps"},
                {"column": "sat", "metric": "csat", "scale": {"min": 1, "max": 5}, "touchpoint": "checkout"},
                {"column": "ces7", "metric": "ces", "scale": {"min": 1, "max": 7}, "touchpoint": "service"},
                {
                    "column": "effort5",
                    "metric": "ces",
                    "scale": {"min": 1, "max": 5},
                    "touchpoint": "returns",
                    "direction": "lower_is_better",
                },
            ]
        )
    ],
    "revisits": [
        {"id": "R1", "start": "2026-01-01", "end": "2026-01-31"},
        {"id": "R2", "start": "2026-02-01", "end": "2026-02-28"},
    ],
    "settings": {"min_base": 4},
}

# (response id, day in January 2026 or 'feb', {column: value}); None = N/A answer
GIVEN = [
    ("a", "2026-01-03", {"nps": 10, "sat": 5, "ces7": 7, "effort5": 1}),
    ("b", "2026-01-04", {"nps": 9, "sat": 4, "ces7": 5, "effort5": 2}),
    ("c", "2026-01-05", {"nps": 8, "sat": 3, "ces7": 4, "effort5": 5}),
    ("d", "2026-01-06", {"nps": 6, "sat": 2, "ces7": 2}),
    ("e", "2026-01-31 23:59:59", {"nps": 0, "sat": 5, "ces7": None}),
    ("f", "2026-02-01 00:00:00", {"nps": 10, "sat": 1}),
]


@pytest.fixture
def con(tmp_path):
    con = small_db(tmp_path, JOURNEY)
    scales = {"nps": (0, 10, False), "sat": (1, 5, False), "ces7": (1, 7, False), "effort5": (1, 5, True)}
    touchpoint = {"nps": None, "sat": "checkout", "ces7": "service", "effort5": "returns"}
    metric = {"nps": "nps", "sat": "csat", "ces7": "ces", "effort5": "ces"}
    for rid, at, answers in GIVEN:
        add_response(con, rid, f"p_{rid}", at)
        for column, value in answers.items():
            lo, hi, reversed_ = scales[column]
            score = None if value is None else (lo + hi - value if reversed_ else value)
            add_answer(con, rid, column, metric[column], touchpoint[column], value, score, is_na=value is None)
    build_marts(con)
    yield con
    con.close()


def _row(con, touchpoint, revisit="R1") -> dict:
    df = con.execute(
        "SELECT * FROM marts.touchpoint_scorecard WHERE touchpoint_id = ? AND revisit_id = ?", [touchpoint, revisit]
    ).df()
    assert len(df) == 1
    return df.iloc[0].to_dict()


def test_one_row_per_touchpoint_and_revisit_in_journey_order(con):
    rows = con.execute("SELECT revisit_id, touchpoint_id FROM marts.touchpoint_scorecard").fetchall()
    assert rows == [(r, t) for r in ("R1", "R2") for t in ("checkout", "service", "returns")]


def test_csat_mean_and_top2_box(con):
    r = _row(con, "checkout")
    # R1 answers 5, 4, 3, 2, 5 (e is on Jan 31 23:59:59, still R1): mean 19/5, top-2-box (4-5) 3/5
    assert r["n_csat"] == 5 and r["csat_mean"] == pytest.approx(3.8) and r["csat_top2_share"] == pytest.approx(0.6)
    assert r["headline_metric"] == "csat" and r["headline_value"] == pytest.approx(0.6) and r["target_value"] == 0.8
    r2 = _row(con, "checkout", "R2")
    assert r2["n_csat"] == 1 and r2["csat_top2_share"] == 0


def test_ces_share_easy_excludes_na(con):
    r = _row(con, "service")
    # 7, 5, 4, 2 (e is N/A): easy = above midpoint 4 -> 7 and 5 -> 2/4; mean 18/4
    assert r["n_ces"] == 4 and r["ces_easy_share"] == pytest.approx(0.5) and r["ces_mean"] == pytest.approx(4.5)
    assert r["n_responses"] == 4 and not r["is_low_base"]


def test_lower_is_better_effort_is_flipped(con):
    r = _row(con, "returns")
    # effort 1, 2, 5 on 1-5 (low = easy) -> scores 5, 4, 1: easy 2/3, mean 10/3; n = 3 < min_base 4
    assert r["ces_easy_share"] == pytest.approx(2 / 3) and r["ces_mean"] == pytest.approx(10 / 3)
    assert r["is_low_base"]


def test_touchpoint_without_feedback_is_kept_with_zero_base(con):
    r = _row(con, "service", "R2")
    assert r["n_responses"] == 0 and r["is_low_base"] and pd.isna(r["ces_mean"]) and pd.isna(r["headline_value"])


def test_revisit_headline_nps(con):
    head = con.execute(
        "SELECT revisit_id, n_nps, nps, promoter_share, detractor_share FROM marts.revisit_headline"
    ).fetchall()
    # R1: 10, 9, 8, 6, 0 -> promoters 2/5, detractors 2/5, NPS 0; R2: 10 -> NPS 100
    assert head[0][0] == "R1" and head[0][1] == 5
    assert head[0][2] == pytest.approx(0) and head[0][3] == pytest.approx(0.4) and head[0][4] == pytest.approx(0.4)
    assert head[1][:3] == ("R2", 1, pytest.approx(100))


def test_marts_are_rebuilt_not_appended(con):
    before = con.execute("SELECT * FROM marts.touchpoint_scorecard").fetchall()
    build_marts(con)
    assert con.execute("SELECT * FROM marts.touchpoint_scorecard").fetchall() == before


def test_intervals_match_scipy(con):
    from scipy import stats

    r = _row(con, "checkout")
    wilson = stats.binomtest(3, 5).proportion_ci(confidence_level=0.95, method="wilson")
    assert (r["csat_top2_ci_low"], r["csat_top2_ci_high"]) == (pytest.approx(wilson.low), pytest.approx(wilson.high))
    values = [5, 4, 3, 2, 5]
    t_low, t_high = stats.t.interval(0.95, len(values) - 1, loc=np.mean(values), scale=stats.sem(values))
    assert (r["csat_mean_ci_low"], r["csat_mean_ci_high"]) == (pytest.approx(t_low), pytest.approx(t_high))
    assert (r["headline_ci_low"], r["headline_ci_high"]) == (pytest.approx(wilson.low), pytest.approx(wilson.high))


def test_nps_standard_error_rocks_2016(con):
    # 1 detractor, 2 passives, 3 promoters: variance (4/6) - (2/6)^2 = 5/9 per respondent
    se = con.execute("SELECT core.nps_se(3 / 6, 1 / 6, 6)").fetchall()[0][0]
    assert se == pytest.approx(100 * np.sqrt(5 / 9 / 6))
    head = con.execute(
        "SELECT nps_se, nps_ci_low, nps_ci_high FROM marts.revisit_headline WHERE revisit_id = 'R1'"
    ).fetchall()[0]
    # R1: 2 promoters, 1 passive, 2 detractors of 5: variance 0.8, SE = 100 sqrt(0.8 / 5) = 40
    assert head[0] == pytest.approx(40)
    assert (head[1], head[2]) == pytest.approx(_adjusted_wald(promoters=2, passives=1, detractors=2))
    r2 = con.execute(
        "SELECT nps_se, nps_ci_low, nps_ci_high FROM marts.revisit_headline WHERE revisit_id = 'R2'"
    ).fetchall()[0]
    # one promoter: no spread in the data, but the adjusted-Wald interval never has zero width
    assert r2[0] == 0 and (r2[1], r2[2]) == pytest.approx(_adjusted_wald(promoters=1, passives=0, detractors=0))
    assert r2[1] < 0 < r2[2] < 100


def _adjusted_wald(promoters: int, passives: int, detractors: int) -> tuple[float, float]:
    """Rocks (2016): 0.75, 1.5 and 0.75 pseudo-observations on detractors, passives and promoters, then the
    Wald interval of the mean of -1/0/+1 scores, x 100, clipped to -100..100 (numpy by hand)."""
    values = np.array([-1.0, 0.0, 1.0])
    weights = np.array([detractors, passives, promoters]) + np.array([0.75, 1.5, 0.75])
    mean = np.average(values, weights=weights)
    se = np.sqrt(np.average((values - mean) ** 2, weights=weights) / weights.sum())
    return max(100 * (mean - 1.959963984540054 * se), -100), min(100 * (mean + 1.959963984540054 * se), 100)
