"""Change tests and intervals at the extremes (issue 18): each test shows the defect of the plain formula, then
pins the fix against an independent computation (exact multinomial coverage, scipy, statsmodels, numpy)."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from cjx.metrics.change import (
    NPS_PSEUDO,
    NotTestable,
    nps_adjusted,
    nps_counts_test,
    nps_interval,
    nps_test,
    trend_test,
    welch_test,
)
from cjx.metrics.marts import build_marts
from cjx.store import migrate
from tests.small_db import add_answer, add_response, small_db, survey

Z = stats.norm.ppf(0.975)


def wald(promoters: int, detractors: int, n: int) -> tuple[float, float]:
    pp, pd_ = promoters / n, detractors / n
    se = 100 * math.sqrt((pp + pd_ - (pp - pd_) ** 2) / n)
    return 100 * (pp - pd_) - Z * se, 100 * (pp - pd_) + Z * se


def coverage(interval, n: int, p_promoter: float, p_detractor: float) -> float:  # type: ignore[no-untyped-def]
    """Exact coverage: the multinomial probability of every (promoters, detractors) whose interval holds the truth."""
    truth = 100 * (p_promoter - p_detractor)
    total = 0.0
    for pr in range(n + 1):
        for de in range(n - pr + 1):
            lo, hi = interval(pr, de, n)
            if lo <= truth <= hi:
                total += stats.multinomial.pmf(
                    [pr, n - pr - de, de], n, [p_promoter, 1 - p_promoter - p_detractor, p_detractor]
                )
    return total


@pytest.mark.parametrize("n", [30, 40, 50])
def test_nps_interval_is_adjusted_wald_and_covers_near_ninety_five_percent(n):
    # NPS 85 (88% promoters, 3% detractors): plain Wald undercovers (the defect) …
    assert coverage(wald, n, 0.88, 0.03) < 0.91
    # … the adjusted Wald of Rocks (2016) does not.
    assert coverage(nps_interval, n, 0.88, 0.03) > 0.93


def test_adjusted_wald_is_a_wald_interval_on_the_data_with_pseudo_observations():
    promoters, passives, detractors = 27, 2, 1
    values = np.array([-1.0, 0.0, 1.0])
    weights = np.array([detractors, passives, promoters]) + np.array(NPS_PSEUDO)
    mean = np.average(values, weights=weights)
    var = np.average((values - mean) ** 2, weights=weights) / weights.sum()
    centre, se = nps_adjusted(promoters, detractors, promoters + passives + detractors)
    assert centre == pytest.approx(100 * mean) and se == pytest.approx(100 * math.sqrt(var))
    lo, hi = nps_interval(promoters, detractors, 30)
    assert (lo, hi) == pytest.approx(
        (100 * mean - Z * 100 * math.sqrt(var), min(100 * mean + Z * 100 * math.sqrt(var), 100))
    )


def test_sql_macros_give_the_same_interval(tmp_path):
    con = duckdb.connect(str(tmp_path / "m.duckdb"))
    migrate(con)
    for pr, de, n in [(27, 1, 30), (30, 0, 30), (0, 30, 30), (5, 5, 12), (0, 0, 1)]:
        got = con.execute(
            "SELECT core.nps_adj_ci_low(?, ?, ?), core.nps_adj_ci_high(?, ?, ?)", [pr, de, n] * 2
        ).fetchall()
        assert got[0] == pytest.approx(nps_interval(pr, de, n), abs=1e-9)
    con.close()


def test_a_swing_from_plus_to_minus_hundred_is_significant_not_z_zero():
    # The defect: both unadjusted SEs are zero, and the old test returned z = 0 ("not significant").
    old = nps_test(100.0, 0.0, -100.0, 0.0)
    assert math.isnan(old["statistic"]) and math.isnan(old["p_value"])
    fixed = nps_counts_test(30, 0, 30, 0, 30, 30)
    assert fixed["difference"] == -200 and fixed["p_value"] < 1e-12 and fixed["ci_high"] < -150
    # Given the bases, nps_test recovers the counts and agrees.
    assert nps_test(100.0, 0.0, -100.0, 0.0, 30, 30)["statistic"] == pytest.approx(fixed["statistic"])
    # Independent: z from the two augmented samples' own means and variances (numpy).
    z_parts = []
    for pr, de, n in ((30, 0, 30), (0, 30, 30)):
        w = np.array([de, n - pr - de, pr]) + np.array(NPS_PSEUDO)
        m = np.average([-1.0, 0.0, 1.0], weights=w)
        z_parts.append((m, np.average((np.array([-1.0, 0.0, 1.0]) - m) ** 2, weights=w) / w.sum()))
    z = (z_parts[1][0] - z_parts[0][0]) / math.sqrt(z_parts[0][1] + z_parts[1][1])
    assert fixed["statistic"] == pytest.approx(z)


def test_welch_without_spread_is_not_testable_instead_of_nan():
    a, b = np.full(20, 5.0), np.full(25, 4.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        # the defect: an infinite t (p = 0 with a zero-width interval), or NaN when the means are equal
        assert not math.isfinite(stats.ttest_ind(b, a, equal_var=False).statistic)
        assert math.isnan(stats.ttest_ind(a, a.copy(), equal_var=False).pvalue)
    with pytest.raises(NotTestable, match="zero standard error"):
        welch_test(a.mean(), a.std(ddof=1), a.size, b.mean(), b.std(ddof=1), b.size)
    with pytest.raises(NotTestable, match="two answers"):
        welch_test(4.0, 0.0, 1, 4.5, 1.0, 30)
    rng = np.random.default_rng(0)
    x, y = rng.normal(4, 1, 40), rng.normal(4.5, 2, 30)
    got = welch_test(x.mean(), x.std(ddof=1), 40, y.mean(), y.std(ddof=1), 30)
    ref = stats.ttest_ind(y, x, equal_var=False)
    assert got["statistic"] == pytest.approx(ref.statistic) and got["p_value"] == pytest.approx(ref.pvalue)


def test_trend_with_a_zero_standard_error_is_not_testable_and_otherwise_is_statsmodels_wls():
    with np.errstate(divide="ignore", invalid="ignore"):
        w = 1 / np.array([0.05, 0.0, 0.04]) ** 2
        assert not np.isfinite(w).all()  # the defect: an infinite weight, NaN slope
    with pytest.raises(NotTestable, match="no standard error"):
        trend_test([0.7, 1.0, 0.8], [0.05, 0.0, 0.04])
    with pytest.raises(NotTestable, match="three revisits"):
        trend_test([0.7, 0.8], [0.05, 0.04])
    values, ses = [0.62, 0.66, 0.71, 0.69], [0.03, 0.025, 0.04, 0.02]
    got = trend_test(values, ses)
    fit = sm.WLS(values, sm.add_constant(np.arange(4.0)), weights=1 / np.square(ses)).fit(cov_type="fixed scale")
    assert got["slope"] == pytest.approx(fit.params[1]) and got["slope_se"] == pytest.approx(fit.bse[1])
    assert got["p_value"] == pytest.approx(fit.pvalues[1])


JOURNEY = {
    "journey": {"id": "base", "name": "Base"},
    "stages": [{"id": "buy", "name": "Buy"}],
    "touchpoints": [
        {"id": "checkout", "name": "Checkout", "stage": "buy", "owner": "Web", "target": {"metric": "nps", "value": 30}}
    ],
    "sources": [
        survey(
            [
                {"column": "sat", "metric": "csat", "scale": {"min": 1, "max": 5}, "touchpoint": "checkout"},
                {"column": "rec", "metric": "nps", "touchpoint": "checkout"},
            ]
        )
    ],
    "revisits": [{"id": "R1", "start": "2026-01-01", "end": "2026-01-31"}],
    "settings": {"min_base": 4},
}


def test_low_base_is_judged_on_the_headline_base(tmp_path):
    con = small_db(tmp_path, JOURNEY)
    # Six respondents rate checkout's CSAT; only two answer its NPS, the headline (the target's metric).
    for i in range(6):
        add_response(con, f"r{i}", f"p{i}", "2026-01-05")
        add_answer(con, f"r{i}", "sat", "csat", "checkout", 4, 4)
        if i < 2:
            add_answer(con, f"r{i}", "rec", "nps", "checkout", 10, 10)
    build_marts(con)
    row = con.execute(
        "SELECT n_responses, n_headline, headline_metric, is_low_base, nps_ci_low, nps_ci_high "
        "FROM marts.touchpoint_scorecard"
    ).fetchall()[0]
    con.close()
    # The defect: 6 responses >= min_base 4 would call it a finding; the NPS rests on 2 answers.
    assert row[:4] == (6, 2, "nps", True)
    # Two promoters: NPS 100, and an adjusted-Wald interval that is not [100, 100].
    assert row[4:] == pytest.approx(nps_interval(2, 0, 2)) and row[4] < 50


# --- item 3: measure effects -------------------------------------------------------------------------------


def _delays(seed: int = 3, n: int = 150) -> tuple[np.ndarray, np.ndarray]:
    """Delay minutes and a 1-5 rating whose spread grows with the delay (bounded ratings do this)."""
    rng = np.random.default_rng(seed)
    delay = rng.gamma(1.5, 25.0, size=n)
    rating = np.clip(np.round(4.6 - 0.01 * delay + rng.normal(scale=0.2 + 0.02 * delay)), 1, 5)
    return delay, rating


def test_measure_effect_uses_hc3_as_statsmodels_does():
    from cjx.metrics.importance import measure_effect

    delay, rating = _delays()
    classical = measure_effect(delay, rating, se="classical")
    hc3 = measure_effect(delay, rating)
    fit = sm.OLS(rating, sm.add_constant(delay)).fit(cov_type="HC3", use_t=True)
    # The defect: the classical SE is much smaller than the robust one on such data.
    assert hc3["slope_se"] / classical["slope_se"] > 1.3
    assert hc3["slope_se"] == pytest.approx(fit.bse[1]) and hc3["p_value"] == pytest.approx(fit.pvalues[1])
    lo, hi = fit.conf_int()[1]
    assert (hc3["slope_ci_low"], hc3["slope_ci_high"]) == pytest.approx((lo, hi))


def test_measure_bands_are_quartile_means_by_hand():
    import pandas as pd

    from cjx.metrics.importance import measure_bands

    delay, rating = _delays(seed=4, n=200)
    got = measure_bands(delay, rating)
    by_hand = pd.Series(rating).groupby(pd.qcut(delay, 4, labels=False)).agg(["mean", "count", "std"])
    assert list(got.n) == list(by_hand["count"])
    np.testing.assert_allclose(got["mean"], by_hand["mean"])
    half = stats.t.ppf(0.975, by_hand["count"] - 1) * by_hand["std"] / np.sqrt(by_hand["count"])
    np.testing.assert_allclose(got.ci_high - got["mean"], half)
    np.testing.assert_allclose(got.difference, by_hand["mean"] - by_hand["mean"].iloc[0])


def test_measure_effects_of_a_run_are_bh_adjusted_together():
    from statsmodels.stats.multitest import multipletests

    from cjx.metrics.change import benjamini_hochberg

    p = np.array([0.001, 0.04, 0.03, 0.2, 0.011, np.nan, 0.5, 0.049, 0.9, 0.002, 0.3, 0.02])
    q = benjamini_hochberg(p)
    ref = multipletests(p[~np.isnan(p)], method="fdr_bh")[1]
    np.testing.assert_allclose(q[~np.isnan(p)], ref)
    assert np.isnan(q[5])


# --- item 5: a behavioural outcome -------------------------------------------------------------------------

BEHAVIOUR_JOURNEY = {
    "journey": {"id": "buy", "name": "Buy again"},
    "stages": [{"id": "buy", "name": "Buy"}],
    "touchpoints": [
        {"id": "web", "name": "Web", "stage": "buy", "owner": "Web"},
        {"id": "parcel", "name": "Parcel", "stage": "buy", "owner": "Logistics"},
    ],
    "sources": [
        survey(
            [
                {"column": "qw", "metric": "csat", "scale": {"min": 1, "max": 5}, "touchpoint": "web"},
                {"column": "qp", "metric": "csat", "scale": {"min": 1, "max": 5}, "touchpoint": "parcel"},
            ]
        ),
        {
            "id": "orders",
            "kind": "operational",
            "files": "orders_*.csv",
            "event_type": "order",
            "event_id": "order_id",
            "respondent_id": "email",
            "timestamp": "at",
        },
    ],
    "outcome": {"behaviour": "repurchase", "within_days": 90},
    "revisits": [{"id": "R1", "start": "2026-01-01", "end": "2026-01-31"}],
    "settings": {"min_base": 30, "bootstrap_resamples": 50},
}


def test_repurchase_within_ninety_days_is_an_outcome_with_its_headline_and_lpm_importance(tmp_path):
    import pandas as pd
    from statsmodels.stats.proportion import proportion_confint

    from cjx.metrics.drivers import driver_frame
    from cjx.metrics.importance import bootstrap_importances

    con = small_db(tmp_path, BEHAVIOUR_JOURNEY)
    rng = np.random.default_rng(5)
    n = 240
    qw, qp = rng.integers(1, 6, n), rng.integers(1, 6, n)
    bought = rng.random(n) < 0.05 + 0.12 * (qw - 1) + 0.05 * (qp - 1)
    late = ~bought & (rng.random(n) < 0.3)  # bought again, but after the window
    for i in range(n):
        add_response(con, f"r{i}", f"p{i}", "2026-01-10", row_number=i)
        for col, tp, v in (("qw", "web", qw[i]), ("qp", "parcel", qp[i])):
            add_answer(con, f"r{i}", col, "csat", tp, int(v), int(v))
        if bought[i]:
            con.execute(
                "INSERT INTO core.events VALUES ('orders', ?, 'order', NULL, ?, '2026-03-01', 'f', ?)",
                [f"o{i}", f"p{i}", i],
            )
        if late[i]:
            con.execute(
                "INSERT INTO core.events VALUES ('orders', ?, 'order', NULL, ?, '2026-05-01', 'f', ?)",
                [f"l{i}", f"p{i}", i],
            )
    build_marts(con)
    head = con.execute("SELECT * FROM marts.outcome_behaviour").df().iloc[0]
    lo, hi = proportion_confint(int(bought.sum()), n, method="wilson")
    assert (head.behaviour, head.within_days, head.n_respondents, head.n_censored) == ("repurchase", 90, n, 0)
    assert head.n_outcome == bought.sum() and head.share == pytest.approx(bought.mean())
    assert (head.ci_low, head.ci_high) == pytest.approx((lo, hi))
    frame = driver_frame(con, "R1")
    assert frame.outcome.sum() == bought.sum() and len(frame) == n
    importance = con.execute("SELECT * FROM marts.touchpoint_importance WHERE method = 'lmg'").df()
    con.close()
    # LMG on the linear probability model: the weights add up to the R² statsmodels gets for OLS of the 0/1 outcome.
    lpm = sm.OLS(bought.astype(float), sm.add_constant(np.column_stack([qw, qp]).astype(float))).fit()
    assert importance.importance.sum() == pytest.approx(lpm.rsquared, abs=1e-10)
    assert importance.set_index("touchpoint_id").importance.idxmax() == "web"
    by_hand = bootstrap_importances(
        pd.DataFrame({"web": qw, "parcel": qp, "outcome": bought.astype(float)}),
        "outcome",
        ["parcel", "web"],
        n_resamples=10,
    )
    assert by_hand["rwa"].importance.sum() == pytest.approx(lpm.rsquared, abs=1e-10)


def test_two_surveys_responses_with_the_same_id_are_two_rows_of_a_behavioural_model(tmp_path):
    """With a behavioural outcome every rated survey response is a row: a second survey whose response ids repeat the
    first's keeps its own rows (ranked by response id, then source), not merged into the first's responses."""
    from cjx.metrics.drivers import driver_frame

    web = {"column": "qw", "metric": "csat", "scale": {"min": 1, "max": 5}, "touchpoint": "web"}
    journey = {**BEHAVIOUR_JOURNEY, "sources": [*BEHAVIOUR_JOURNEY["sources"], survey([web], id="t")]}
    con = small_db(tmp_path, journey)
    for i in range(40):
        add_response(con, f"r{i}", f"p{i}", "2026-01-10", row_number=i)
        add_answer(con, f"r{i}", "qw", "csat", "web", 5, 5)
        add_response(con, f"r{i}", f"x{i}", "2026-01-11", row_number=100 + i, source="t")
        add_answer(con, f"r{i}", "qw", "csat", "web", 1, 1, source="t")
    con.execute("INSERT INTO core.events VALUES ('orders', 'o', 'order', NULL, 'p0', '2026-06-01', 'f', 1)")
    build_marts(con)
    frame = driver_frame(con, "R1")
    keys = con.execute("SELECT response_key FROM core.responses ORDER BY response_id, source_id").fetchall()
    con.close()
    assert len(frame) == 80
    assert list(frame.index) == [k for (k,) in keys]  # response id order, then source
    assert sorted(frame.web.value_counts().items()) == [(1.0, 40), (5.0, 40)]


def test_churn_is_the_complement_and_an_outcome_needs_one_kind():
    from cjx.journey.model import Outcome

    assert Outcome(behaviour="churn", within_days=30).event_types == ["order"]
    with pytest.raises(ValueError, match="either source and question"):
        Outcome(source="s", question="q", behaviour="churn", within_days=30)
    with pytest.raises(ValueError, match="needs both behaviour"):
        Outcome(within_days=30)


# --- item 7: a change of source mix is said, not hidden ------------------------------------------------------


def test_a_comparison_notes_when_a_touchpoints_sources_differ():
    from cjx.metrics.revisits import compare_revisits
    from tests.test_revisits import _synthetic_snapshot

    snap = _synthetic_snapshot(np.random.default_rng(3), 3, np.full(3, 0.7), np.full(3, 0.7))
    sources = {("A", "t0"): ["web"], ("B", "t0"): ["app", "web"], ("A", "t1"): ["web"], ("B", "t1"): ["web"]}
    out = compare_revisits(snap, "A", "B", 30, sources)
    notes = out.groupby("touchpoint_id").note.first()
    assert notes["t0"] == "sources differ: web in A, app, web in B"
    assert notes["t1"] is None or pd_isna(notes["t1"])


def pd_isna(value) -> bool:  # type: ignore[no-untyped-def]
    import pandas as pd

    return bool(pd.isna(value))
