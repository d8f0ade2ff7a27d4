"""Weighting (issue 15, item 5), given/expect: raking reproduces a published example, and a weighted journey's
headlines, effective bases and intervals equal a hand computation (numpy, statsmodels DescrStatsW), while an
unweighted journey keeps its plain counts."""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from cjx.metrics.marts import build_marts
from cjx.metrics.revisits import update_revisits
from cjx.segments.weights import WeightingRefused, kish_n_eff, rake
from tests.small_db import RESPONSE_COLUMNS, add_answer, small_db, survey

MIN_BASE = 8
MARGINS = {"region": {"North": 0.5, "South": 0.5}, "tier": {"Gold": 0.3, "Silver": 0.7}}
JOURNEY = {
    "journey": {"id": "weighted", "name": "Weighted"},
    "stages": [{"id": "buy", "name": "Buy"}],
    "touchpoints": [
        {"id": "delivery", "name": "Parcel delivery", "stage": "buy", "owner": "Logistics"},
        {"id": "web", "name": "Web shop", "stage": "buy", "owner": "Digital"},
        {"id": "support", "name": "Support", "stage": "buy", "owner": "Service"},
    ],
    "sources": [
        survey(
            [
                {"column": "nps", "metric": "nps"},
                {"column": "deliv", "metric": "csat", "scale": {"min": 1, "max": 5}, "touchpoint": "delivery"},
                {"column": "web", "metric": "ces", "scale": {"min": 1, "max": 7}, "touchpoint": "web"},
                {"column": "sup", "metric": "nps", "touchpoint": "support"},
            ]
        )
    ],
    "revisits": [
        {"id": "R1", "start": "2026-01-01", "end": "2026-01-31"},
        {"id": "R2", "start": "2026-02-01", "end": "2026-02-28"},
    ],
    "outcome": {"source": "s", "question": "nps"},
    "settings": {"min_base": MIN_BASE, "bootstrap_resamples": 50},
    "segments": [{"id": "region", "column": "Region"}, {"id": "tier", "column": "Tier"}],
    "weighting": {"margins": MARGINS},
}
N_R1 = 120


def _given() -> pd.DataFrame:
    """R1: 120 respondents, North over-represented (90 of 120) and Gold over-represented; the South rates delivery
    worse, so weighting moves the headline. R2: 12 respondents, none of them Gold (its weighting is refused)."""
    rng = np.random.default_rng(15)
    rows = []
    for i in range(N_R1):
        region = "North" if i < 90 else "South"
        tier = "Gold" if rng.random() < (0.5 if region == "North" else 0.3) else "Silver"
        good = 0.8 if region == "North" else 0.35
        rows.append(
            {
                "response_id": f"r{i}",
                "respondent": f"p{i}",
                "at": f"2026-01-{1 + i % 28:02d} 12:00:00",
                "Region": region,
                "Tier": tier,
                "deliv": int(rng.choice([4, 5])) if rng.random() < good else int(rng.choice([1, 2, 3])),
                "web": int(rng.integers(1, 8)),
                "sup": int(rng.integers(0, 11)) if i % 3 else None,
                "nps": int(min(10, max(0, rng.normal(8 if region == "North" else 6, 2)))),
            }
        )
    for i in range(12):
        rows.append(
            {
                "response_id": f"q{i}",
                "respondent": f"x{i}",
                "at": "2026-02-10 09:00:00",
                "Region": "North" if i % 2 else "South",
                "Tier": "Silver",
                "deliv": 4 if i % 3 else 2,
                "web": 5,
                "sup": 9,
                "nps": 9,
            }
        )
    return pd.DataFrame(rows)


METRIC = {"nps": "nps", "deliv": "csat", "web": "ces", "sup": "nps"}
TOUCHPOINT = {"nps": None, "deliv": "delivery", "web": "web", "sup": "support"}


def _build(tmp, journey: dict, given: pd.DataFrame):
    con = small_db(tmp, journey)
    con.execute('CREATE TABLE raw.s (file_id VARCHAR, row_number BIGINT, "Region" VARCHAR, "Tier" VARCHAR)')
    for k, g in enumerate(given.itertuples()):
        con.execute(
            f"INSERT INTO core.responses {RESPONSE_COLUMNS} VALUES ('s', ?, ?, ?::TIMESTAMP, 'f', ?)",
            [g.response_id, g.respondent, g.at, k],
        )
        con.execute("INSERT INTO raw.s VALUES ('f', ?, ?, ?)", [k, g.Region, g.Tier])
        for column in METRIC:
            value = getattr(g, column)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            add_answer(con, g.response_id, column, METRIC[column], TOUCHPOINT[column], value, value)
    build_marts(con)
    update_revisits(con)
    return con


@pytest.fixture(scope="module")
def weighted(tmp_path_factory):
    given = _given()
    con = _build(tmp_path_factory.mktemp("weighted"), JOURNEY, given)
    yield con, given
    con.close()


@pytest.fixture(scope="module")
def unweighted(tmp_path_factory):
    journey = copy.deepcopy(JOURNEY)
    del journey["weighting"]
    given = _given()
    con = _build(tmp_path_factory.mktemp("unweighted"), journey, given)
    yield con, given
    con.close()


def _hand_weights(given: pd.DataFrame) -> pd.Series:
    """Raking written out (Deming & Stephan 1940): scale each region, then each tier, to its share, until still."""
    r1 = given[given.response_id.str.startswith("r")].set_index("respondent")
    w = pd.Series(1.0, index=r1.index)
    for _ in range(500):
        for segment, shares in MARGINS.items():
            col = r1[segment.capitalize()]
            for value, share in shares.items():
                w[col == value] *= share * w.sum() / w[col == value].sum()
    return w / w.mean()


# (a) a published raking example --------------------------------------------------------------------------------------


def test_raking_reproduces_klemens_two_by_two_example():
    """Klemens, "Modeling with Data" blog, 19 Nov 2012, "Iterative proportional fitting": a survey table
    [[7, 9], [12, 7]] raked to census margins rows (5, 15) and columns (10, 10). A raked 2 x 2 table keeps the
    survey's cross-product ratio (7 x 7) / (9 x 12) (Mosteller 1968; Bishop, Fienberg & Holland 1975, ch. 3), so the
    fit is the root of a quadratic in x11, solved here in closed form: an independent check of the library's RIM."""
    cells = {("r1", "c1"): 7, ("r1", "c2"): 9, ("r2", "c1"): 12, ("r2", "c2"): 7}
    frame = pd.DataFrame([{"row": r, "col": c} for (r, c), k in cells.items() for _ in range(k)])
    margins = {"row": {"r1": 5 / 20, "r2": 15 / 20}, "col": {"c1": 10 / 20, "c2": 10 / 20}}
    raked = rake(frame, margins, tolerance=1e-9)
    fitted = (
        pd.Series(raked.weights * 20 / raked.weights.sum()).groupby([frame.row, frame.col]).sum()
    )  # the table on the census total (20)
    odds = (7 * 7) / (9 * 12)
    # x11 (15 - 10 + x11) = odds (5 - x11)(10 - x11): a x11^2 + b x11 + c = 0
    a, b, c = 1 - odds, 5 + odds * 15, -odds * 50
    x11 = (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)
    expected = {("r1", "c1"): x11, ("r1", "c2"): 5 - x11, ("r2", "c1"): 10 - x11, ("r2", "c2"): 5 + x11}
    for cell, value in expected.items():
        assert fitted[cell] == pytest.approx(value, abs=1e-6)
    assert fitted[("r1", "c1")] * fitted[("r2", "c2")] / (fitted[("r1", "c2")] * fitted[("r2", "c1")]) == (
        pytest.approx(odds)
    )


def test_raking_matches_the_algorithm_written_out(weighted):
    con, given = weighted
    got = con.execute("SELECT respondent_id, weight FROM core.respondent_weights WHERE revisit_id = 'R1'").df()
    got = got.set_index("respondent_id").weight
    expected = _hand_weights(given)
    assert len(got) == N_R1
    np.testing.assert_allclose(got.loc[expected.index].to_numpy(), expected.to_numpy(), rtol=1e-6)
    outcome = con.execute("SELECT * FROM core.weighting_revisits WHERE revisit_id = 'R1'").df().iloc[0]
    assert outcome.status == "weighted" and outcome.max_margin_error < 1e-6
    assert outcome.n_eff == pytest.approx(expected.sum() ** 2 / (expected**2).sum())


def test_degenerate_revisit_is_refused_with_a_reason(weighted):
    con, _ = weighted
    outcome = con.execute("SELECT * FROM core.weighting_revisits WHERE revisit_id = 'R2'").df().iloc[0]
    assert outcome.status == "refused" and "no respondent has ['Gold']" in outcome.reason
    assert con.execute("SELECT count(*) FROM core.respondent_weights WHERE revisit_id = 'R2'").fetchall()[0][0] == 0
    r2 = con.execute("SELECT * FROM marts.touchpoint_scorecard WHERE revisit_id = 'R2'").df()
    assert not r2.is_weighted.any() and (r2.n_eff_headline == r2.n_headline).all()
    from cjx.segments.weights import weighting_warnings

    (line,) = weighting_warnings(con)  # the run ends "completed with warnings" with this line (cjx.pipeline)
    assert line.startswith("weighting refused for revisit R2: tier: no respondent has ['Gold']") and "\n" not in line


@pytest.mark.parametrize(
    ("frame", "margins", "reason"),
    [
        (pd.DataFrame({"g": ["a", "a", None]}), {"g": {"a": 0.5, "b": 0.5}}, "1 respondent(s) have no value"),
        (pd.DataFrame({"g": ["a", "b", "c"]}), {"g": {"a": 0.5, "b": 0.5}}, "a value the margins leave out (['c'])"),
        (
            # every a is an x and every b a y: region shares 0.5/0.5 and tier shares 0.9/0.1 cannot both hold
            pd.DataFrame({"g": ["a", "a", "b", "b"], "t": ["x", "x", "y", "y"]}),
            {"g": {"a": 0.5, "b": 0.5}, "t": {"x": 0.9, "y": 0.1}},
            "did not converge",
        ),
    ],
)
def test_rake_refuses_degenerate_input(frame, margins, reason):
    with pytest.raises(WeightingRefused, match=reason.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        rake(frame, margins)


# (b) weighted headlines, effective bases and intervals -------------------------------------------------------------


def _answers(given: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    r1 = given[given.response_id.str.startswith("r")].dropna(subset=[column])
    w = _hand_weights(given).loc[r1.respondent].to_numpy()
    return r1[column].to_numpy(dtype=float), w


def _wilson(share: float, n: float) -> tuple[float, float]:
    z = stats.norm.ppf(0.975)
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_weighted_top_box_share_n_eff_and_wilson_interval(weighted):
    con, given = weighted
    row = con.execute("SELECT * FROM marts.touchpoint_scorecard WHERE revisit_id = 'R1' AND touchpoint_id = 'delivery'")
    row = row.df().iloc[0]
    x, w = _answers(given, "deliv")
    share = float(np.sum(w * (x >= 4)) / np.sum(w))
    n_eff = w.sum() ** 2 / (w**2).sum()
    assert row.is_weighted and row.n_csat == len(x)  # n stays the count of answers
    assert row.n_eff_headline == pytest.approx(n_eff) and n_eff < len(x)
    assert row.headline_value == pytest.approx(share) and row.csat_top2_share == pytest.approx(share)
    assert share != pytest.approx(float(np.mean(x >= 4)), abs=0.01)  # the weighting moved it (South rates lower)
    low, high = proportion_confint(share * n_eff, n_eff, method="wilson")
    assert (row.headline_ci_low, row.headline_ci_high) == pytest.approx((low, high))
    assert (low, high) == pytest.approx(_wilson(share, n_eff))
    d = DescrStatsW(x, weights=w * len(x) / w.sum(), ddof=1)  # frequency-scaled so ddof=1 is the n - 1 sd
    assert row.csat_mean == pytest.approx(d.mean)


def test_weighted_mean_interval_uses_t_on_the_effective_base(weighted):
    con, given = weighted
    row = con.execute("SELECT * FROM marts.touchpoint_scorecard WHERE revisit_id = 'R1' AND touchpoint_id = 'web'")
    row = row.df().iloc[0]
    x, w = _answers(given, "web")
    mean = np.average(x, weights=w)
    v1, v2 = w.sum(), (w**2).sum()
    sd = math.sqrt(np.sum(w * (x - mean) ** 2) / (v1 - v2 / v1))
    n_eff = v1 * v1 / v2
    half = stats.t.ppf(0.975, n_eff - 1) * sd / math.sqrt(n_eff)
    assert row.ces_mean == pytest.approx(mean) and row.ces_sd == pytest.approx(sd)
    assert (row.ces_mean_ci_low, row.ces_mean_ci_high) == pytest.approx((mean - half, mean + half))
    assert row.ces_easy_share == pytest.approx(np.sum(w * (x > 4)) / v1)


def test_weighted_nps_and_its_adjusted_wald_interval(weighted):
    con, given = weighted
    row = con.execute("SELECT * FROM marts.revisit_headline WHERE revisit_id = 'R1'").df().iloc[0]
    x, w = _answers(given, "nps")
    p, d = np.sum(w * (x >= 9)) / w.sum(), np.sum(w * (x <= 6)) / w.sum()
    n_eff = w.sum() ** 2 / (w**2).sum()
    assert row.is_weighted and row.n_nps == len(x) and row.n_eff_nps == pytest.approx(n_eff)
    assert row.nps == pytest.approx(100 * (p - d))
    # Rocks (2016) adjusted Wald on the effective base: 0.75 / 1.5 / 0.75 pseudo-observations
    n3 = n_eff + 3
    pa, da = (p * n_eff + 0.75) / n3, (d * n_eff + 0.75) / n3
    se = 100 * math.sqrt(((pa + da) - (pa - da) ** 2) / n3)
    z = stats.norm.ppf(0.975)
    assert row.nps_ci_low == pytest.approx(max(100 * (pa - da) - z * se, -100))
    assert row.nps_ci_high == pytest.approx(min(100 * (pa - da) + z * se, 100))


def test_weighted_segment_cell_and_its_test_against_the_rest(weighted):
    con, given = weighted
    row = (
        con.execute(
            "SELECT * FROM marts.segment_scorecard WHERE revisit_id = 'R1' AND segment_id = 'region' "
            "AND segment_value = 'South' AND touchpoint_id = 'delivery'"
        )
        .df()
        .iloc[0]
    )
    x, w = _answers(given, "deliv")
    r1 = given[given.response_id.str.startswith("r")]
    south = (r1.Region == "South").to_numpy()
    ws, wr = w[south], w[~south]
    ps, pr = np.sum(ws * (x[south] >= 4)) / ws.sum(), np.sum(wr * (x[~south] >= 4)) / wr.sum()
    ns, nr = ws.sum() ** 2 / (ws**2).sum(), wr.sum() ** 2 / (wr**2).sum()
    assert row.is_weighted and row.n_headline == south.sum()
    assert row.n_eff_headline == pytest.approx(ns) and row.n_eff_rest == pytest.approx(nr)
    assert row.headline_value == pytest.approx(ps) and row.rest_value == pytest.approx(pr)
    pooled = (ps * ns + pr * nr) / (ns + nr)
    z = (ps - pr) / math.sqrt(pooled * (1 - pooled) * (1 / ns + 1 / nr))
    assert row.statistic == pytest.approx(z) and row.p_value == pytest.approx(2 * stats.norm.sf(abs(z)))
    assert (row.headline_ci_low, row.headline_ci_high) == pytest.approx(_wilson(ps, ns))


# (d) an unweighted journey keeps its counts ----------------------------------------------------------------------------


def test_unweighted_journey_has_no_weights_and_plain_counts(unweighted):
    con, given = unweighted
    assert con.execute("SELECT count(*) FROM core.respondent_weights").fetchall()[0][0] == 0
    assert con.execute("SELECT count(*) FROM core.weighting_revisits").fetchall()[0][0] == 0
    row = con.execute("SELECT * FROM marts.touchpoint_scorecard WHERE revisit_id = 'R1' AND touchpoint_id = 'delivery'")
    row = row.df().iloc[0]
    x, _ = _answers(given, "deliv")
    k, n = int((x >= 4).sum()), len(x)
    assert not row.is_weighted and row.n_eff_headline == n and row.n_csat_top2 == k
    assert row.headline_value == k / n  # exactly the count ratio, not a weighted sum
    assert (row.headline_ci_low, row.headline_ci_high) == pytest.approx(proportion_confint(k, n, method="wilson"))
    seg = con.execute("SELECT * FROM marts.segment_scorecard WHERE revisit_id = 'R1'").df()
    assert not seg.is_weighted.any() and (seg.n_eff_headline == seg.n_headline).all()


def test_weights_of_one_change_nothing(tmp_path):
    """Margins equal to the sample's own shares give every respondent weight 1: the weighted path then reproduces
    the unweighted scorecard (the same formulas fed equal weights)."""
    given = _given()
    r1 = given[given.response_id.str.startswith("r")]
    journey = copy.deepcopy(JOURNEY)
    journey["revisits"] = journey["revisits"][:1]
    journey["weighting"] = {"margins": {"region": {"North": 0.75, "South": 0.25}}}
    plain = copy.deepcopy(journey)
    del plain["weighting"]
    (tmp_path / "ones").mkdir()
    (tmp_path / "plain").mkdir()
    con = _build(tmp_path / "ones", journey, r1)
    con_plain = _build(tmp_path / "plain", plain, r1)
    cols = ["csat_top2_share", "csat_top2_ci_low", "ces_mean", "ces_mean_ci_high", "nps", "nps_ci_low", "n_eff_nps"]
    a = con.execute(f"SELECT {', '.join(cols)} FROM marts.touchpoint_scorecard ORDER BY touchpoint_id").df()
    b = con_plain.execute(f"SELECT {', '.join(cols)} FROM marts.touchpoint_scorecard ORDER BY touchpoint_id").df()
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9)
    assert con.execute("SELECT bool_and(is_weighted) FROM marts.touchpoint_scorecard").fetchall()[0][0]
    con.close()
    con_plain.close()


def test_kish_n_eff():
    assert kish_n_eff(np.ones(7)) == 7
    assert kish_n_eff(np.array([1.0, 3.0])) == pytest.approx(16 / 10)


# (e) bad declarations: one line naming the file, the key, what was found and what was expected ----------------------


@pytest.mark.parametrize(
    ("weighting", "key", "message"),
    [
        ({"margins": {"country": {"DK": 0.5, "SE": 0.5}}}, "weighting.margins.country", "unknown segment 'country'"),
        ({"margins": {"region": {"North": 0.3, "South": 0.6}}}, "weighting.margins.region", "shares sum to 0.9"),
        ({"margins": {"region": {"North": 1.0}}}, "weighting.margins.region", "found 1 value"),
        ({"margins": {"region": {"North": 0.0, "South": 1.0}}}, "weighting.margins.region.North", "share 0.0"),
        ({"margins": {"region": {"North": "half", "South": 0.5}}}, "weighting.margins.region.North", "number"),
        ({"margins": {}}, "weighting.margins", ""),
        ({"margins": MARGINS, "trim": 5}, "weighting.trim", ""),
    ],
)
def test_bad_weighting_declarations_get_one_line(tmp_path, weighting, key, message):
    from cjx.journey import JourneyError, load_journey

    journey = copy.deepcopy(JOURNEY)
    journey["weighting"] = weighting
    path = tmp_path / "journey.yml"
    path.write_text(yaml.safe_dump(journey, sort_keys=False))
    with pytest.raises(JourneyError) as caught:
        load_journey(path)
    text = str(caught.value)
    assert "\n" not in text and text.startswith(f"{path}: {key}")
    assert message in text


def test_a_declared_weighting_loads(tmp_path):
    from cjx.journey import load_journey

    path = tmp_path / "journey.yml"
    path.write_text(yaml.safe_dump(JOURNEY, sort_keys=False))
    w = load_journey(path).journey.weighting
    assert w is not None and w.margins == MARGINS and w.tolerance == 0.001


# the scorecard page shows the effective base beside n when weighted ---------------------------------------------------


def test_scorecard_page_shows_effective_base_when_weighted(weighted, unweighted):
    from cjx.report.data import load_scorecard_data
    from cjx.report.labels import Lang
    from cjx.report.pages import render_scorecard

    con, _ = weighted
    data = load_scorecard_data(con, "R1")
    assert data.weighted_segments == ["region", "tier"]
    html = render_scorecard(data)
    assert 'id="weighted-note"' in html and "Kish" in html
    n_eff = con.execute("SELECT n_eff_nps FROM marts.revisit_headline WHERE revisit_id = 'R1'").fetchall()[0][0]
    assert f"effective n = {round(n_eff)}" in html
    assert 'data-col="n_eff_headline"' in html
    from cjx.report.segments import differs_rows, load_segment_data

    segments = load_segment_data(con, "R1")
    rows = differs_rows(segments, Lang("en"))
    south = next(r for r in rows if r["segment_value"] == "South" and r["touchpoint_id"] == "delivery")
    cell = con.execute(
        "SELECT n_eff_headline, n_eff_rest FROM marts.segment_scorecard WHERE revisit_id = 'R1' "
        "AND segment_value = 'South' AND touchpoint_id = 'delivery'"
    ).fetchall()[0]
    assert (south["n_eff"], south["n_eff_rest"]) == (str(round(cell[0])), str(round(cell[1])))
    from cjx.report.exports import readable_tables

    table = readable_tables(data)["priority"].frame.set_index("Touchpoint")
    scorecard = con.execute(
        "SELECT touchpoint_name, n_eff_headline FROM marts.touchpoint_scorecard WHERE revisit_id = 'R1'"
    ).fetchall()
    for name, n_eff_headline in scorecard:
        assert table.loc[name, "effective n"] == round(n_eff_headline)
    assert "effective n" not in readable_tables(load_scorecard_data(unweighted[0], "R1"))["priority"].frame
    plain = render_scorecard(load_scorecard_data(unweighted[0], "R1"))
    assert "weighted-note" not in plain and "effective n" not in plain


def test_revisit_comparison_tests_a_weighted_revisit_on_its_effective_base(weighted):
    con, given = weighted
    row = con.execute(
        "SELECT * FROM marts.revisit_changes WHERE touchpoint_id = 'delivery' AND metric = 'csat_top2'"
    ).df()
    assert len(row) == 1
    row = row.iloc[0]
    x, w = _answers(given, "deliv")
    share, n_eff = np.sum(w * (x >= 4)) / w.sum(), w.sum() ** 2 / (w**2).sum()
    r2 = given[given.response_id.str.startswith("q")].deliv
    k2, n2 = int((r2 >= 4).sum()), len(r2)  # R2's weighting was refused: its counts
    pooled = (share * n_eff + k2) / (n_eff + n2)
    z = (k2 / n2 - share) / math.sqrt(pooled * (1 - pooled) * (1 / n_eff + 1 / n2))
    assert row.status == "tested" and row.value_a == pytest.approx(share)
    assert row.statistic == pytest.approx(z) and row.p_value == pytest.approx(2 * stats.norm.sf(abs(z)))


# (c) weighted importance ------------------------------------------------------------------------------------------------


def _weighted_r(a: np.ndarray, b: np.ndarray, w: np.ndarray) -> float:
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b, w = a[keep], b[keep], w[keep]
    cov = np.cov(a, b, aweights=w)  # numpy's weighted covariance; r does not depend on its normalisation
    return float(cov[0, 1] / math.sqrt(cov[0, 0] * cov[1, 1]))


def _hand_lmg(rows: pd.DataFrame, w: np.ndarray, drivers: list[str]) -> tuple[np.ndarray, float]:
    """LMG (Shapley value of R^2 over orderings) from the weighted pairwise correlation matrix, written out."""
    import itertools

    columns = {"delivery": "deliv", "support": "sup", "web": "web"}
    data = {tp: rows[columns[tp]].to_numpy(dtype=float) for tp in drivers} | {"outcome": rows.nps.to_numpy(float)}
    names = [*drivers, "outcome"]
    r = np.array([[1.0 if a == b else _weighted_r(data[a], data[b], w) for b in names] for a in names])

    def r2(subset):
        idx = list(subset)
        return float(r[-1, idx] @ np.linalg.solve(r[np.ix_(idx, idx)], r[idx, -1])) if idx else 0.0

    p = len(drivers)
    lmg = np.zeros(p)
    for order in itertools.permutations(range(p)):
        for k, j in enumerate(order):
            lmg[j] += (r2(order[: k + 1]) - r2(order[:k])) / math.factorial(p)
    return lmg, r2(range(p))


def test_weighted_importance_matches_a_hand_weighted_correlation_lmg(weighted):
    con, given = weighted
    got = con.execute(
        "SELECT touchpoint_id, importance, pearson_r, r2 FROM marts.touchpoint_importance "
        "WHERE revisit_id = 'R1' AND method = 'lmg' ORDER BY touchpoint_id"
    ).df()
    r1 = given[given.response_id.str.startswith("r")]
    w = _hand_weights(given).loc[r1.respondent].to_numpy()
    drivers = list(got.touchpoint_id)
    assert len(drivers) >= 2 and set(drivers) <= {"delivery", "support", "web"}
    lmg, r2 = _hand_lmg(r1, w, drivers)
    np.testing.assert_allclose(got.importance.to_numpy(), lmg, rtol=1e-7, atol=1e-10)
    assert got.r2.iloc[0] == pytest.approx(r2)
    y = r1.nps.to_numpy(dtype=float)
    for tp, pearson in zip(got.touchpoint_id, got.pearson_r, strict=True):
        column = {"delivery": "deliv", "support": "sup", "web": "web"}[tp]
        assert pearson == pytest.approx(_weighted_r(r1[column].to_numpy(dtype=float), y, w))
    # and the weights matter: the unweighted correlation of delivery with the outcome is another number
    assert got.set_index("touchpoint_id").pearson_r["delivery"] != pytest.approx(
        float(r1.deliv.astype(float).corr(r1.nps.astype(float))), abs=1e-3
    )


def test_weighted_segment_importance_uses_the_weights_of_its_respondents(weighted):
    con, given = weighted
    got = con.execute(
        "SELECT touchpoint_id, importance FROM marts.segment_importance WHERE revisit_id = 'R1' "
        "AND segment_id = 'region' AND segment_value = 'North' AND method = 'lmg' ORDER BY touchpoint_id"
    ).df()
    r1 = given[given.response_id.str.startswith("r")]
    north = r1[r1.Region == "North"]
    w = _hand_weights(given).loc[north.respondent].to_numpy()  # the revisit's weights, not re-raked per value
    lmg, _ = _hand_lmg(north, w, list(got.touchpoint_id))
    assert len(got) >= 2
    np.testing.assert_allclose(got.importance.to_numpy(), lmg, rtol=1e-7, atol=1e-10)


def test_trend_weighs_a_weighted_revisit_by_its_effective_base():
    """Three revisits of one touchpoint; the middle one weighted (n = 100 answers, n_eff = 25): its share's SE is
    sqrt(p (1 - p) / 25), so it counts less in the WLS slope; low base is judged on n_eff."""
    from cjx.metrics.revisits import revisit_trends

    shares = [0.50, 0.70, 0.60]
    snap = pd.DataFrame(
        {
            "revisit_id": ["A", "B", "C"],
            "revisit_start": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]),
            "touchpoint_id": "t",
            "touchpoint_name": "T",
            "headline_metric": "csat",
            "headline_value": shares,
            "n_headline": [100, 100, 100],
            "n_promoters": [0, 0, 0],
            "n_detractors": [0, 0, 0],
            "n_eff_csat": [100.0, 25.0, 100.0],
            "promoter_share": [None, None, None],
            "detractor_share": [None, None, None],
            "is_weighted": [False, True, False],
        }
    )
    got = revisit_trends(snap, min_base=20).iloc[0]
    n = np.array([100, 25, 100])
    w = n / (np.array(shares) * (1 - np.array(shares)))  # 1 / SE^2
    x = np.arange(3.0)
    xb = np.sum(w * x) / w.sum()
    slope = np.sum(w * (x - xb) * shares) / np.sum(w * (x - xb) ** 2)
    assert got.status == "tested" and got.slope == pytest.approx(slope)
    assert got.slope_se == pytest.approx(1 / math.sqrt(np.sum(w * (x - xb) ** 2)))
    low = revisit_trends(snap, min_base=30).iloc[0]  # n = 100 everywhere, but the weighted revisit's n_eff is 25
    assert low.status.startswith("not tested")
