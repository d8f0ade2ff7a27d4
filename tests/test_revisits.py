"""Revisit comparison: test statistics against hand computation and scipy, FDR under no change, snapshots."""

from __future__ import annotations

import shutil
from contextlib import closing

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats
from typer.testing import CliRunner

from cjx.cli import app
from cjx.ingest import ingest_source
from cjx.metrics.change import benjamini_hochberg, nps_test, trend_test, two_proportion_test, welch_test
from cjx.metrics.marts import build_marts
from cjx.metrics.revisits import compare_revisits, snapshot_revisit, update_revisits
from cjx.store import connect, query
from cjx.workspace import open_workspace
from tests.conftest import SAMPLE


def test_two_proportion_z_equals_chi_square_and_newcombe_interval():
    # Newcombe (1998), Table II example: 56/70 vs 48/80, method 10 interval 0.0524 to 0.3339
    got = two_proportion_test(48, 80, 56, 70)
    assert got["difference"] == pytest.approx(0.2)
    assert (got["ci_low"], got["ci_high"]) == (pytest.approx(0.0524, abs=5e-5), pytest.approx(0.3339, abs=5e-5))
    chi2 = stats.chi2_contingency([[48, 32], [56, 14]], correction=False)
    assert got["statistic"] ** 2 == pytest.approx(chi2.statistic) and got["p_value"] == pytest.approx(chi2.pvalue)
    assert got["effect_size"] == pytest.approx(2 * np.arcsin(np.sqrt(0.8)) - 2 * np.arcsin(np.sqrt(0.6)))


def test_welch_matches_scipy_on_raw_data():
    rng = np.random.default_rng(1)
    x, y = rng.normal(3.8, 0.9, 120), rng.normal(3.5, 1.3, 90)
    got = welch_test(x.mean(), x.std(ddof=1), len(x), y.mean(), y.std(ddof=1), len(y))
    ref = stats.ttest_ind(y, x, equal_var=False)
    ci = ref.confidence_interval(0.95)
    assert got["statistic"] == pytest.approx(ref.statistic) and got["p_value"] == pytest.approx(ref.pvalue)
    assert (got["ci_low"], got["ci_high"]) == (pytest.approx(ci.low), pytest.approx(ci.high))


def test_nps_change_uses_rocks_standard_errors():
    # revisit a: 3 promoters, 2 passives, 1 detractor of 6 -> NPS 33.3, SE 100 sqrt(5/9/6)
    se_a = 100 * np.sqrt(5 / 9 / 6)
    got = nps_test(100 * 2 / 6, se_a, 10.0, 20.0)
    assert got["difference"] == pytest.approx(10 - 100 / 3)
    z = (10 - 100 / 3) / np.sqrt(se_a**2 + 400)
    assert got["statistic"] == pytest.approx(z) and got["p_value"] == pytest.approx(2 * stats.norm.sf(abs(z)))
    assert got["ci_high"] - got["difference"] == pytest.approx(1.959963984540054 * np.sqrt(se_a**2 + 400))


def test_benjamini_hochberg_by_hand():
    # sorted 0.01, 0.03, 0.04, 0.5 -> 0.04, 0.06, 0.0533, 0.5 -> step-up minimum: 0.04, 0.0533, 0.0533, 0.5
    q = benjamini_hochberg([0.01, 0.04, 0.03, 0.5, np.nan])
    assert q[:4] == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.5]) and np.isnan(q[4])


def test_trend_with_equal_errors_is_the_ols_slope():
    y, se = [0.70, 0.66, 0.61, 0.58], [0.02] * 4
    got = trend_test(y, se)
    assert got["slope"] == pytest.approx(np.polyfit(range(4), y, 1)[0])
    assert got["slope_se"] == pytest.approx(0.02 / np.sqrt(5))  # sum of (x - mean)^2 over 0..3 is 5


def _synthetic_snapshot(rng, n_touchpoints: int, p_a: np.ndarray, p_b: np.ndarray, n: int = 300) -> pd.DataFrame:
    rows = []
    for revisit, p in (("A", p_a), ("B", p_b)):
        for i in range(n_touchpoints):
            k = rng.binomial(n, p[i])
            scores = rng.normal(3.5 + p[i], 1.0, n)
            rows.append(
                {
                    "revisit_id": revisit,
                    "revisit_start": revisit,
                    "touchpoint_id": f"t{i}",
                    "touchpoint_name": f"T{i}",
                    "stage_name": "S",
                    "stage_id": "s",
                    "owner": "O",
                    "is_critical": False,
                    "n_csat_top2": k,
                    "n_csat": n,
                    "csat_top2_share": k / n,
                    "csat_mean": scores.mean(),
                    "csat_sd": scores.std(ddof=1),
                    "n_ces": 0,
                    "n_nps": 0,
                }
            )
    return pd.DataFrame(rows)


def test_false_discoveries_stay_controlled_when_nothing_changed():
    rng = np.random.default_rng(20261124)
    datasets, flagged_any, flagged = 200, 0, 0
    for _ in range(datasets):
        p = rng.uniform(0.4, 0.8, 20)
        changes = compare_revisits(_synthetic_snapshot(rng, 20, p, p), "A", "B", 30)
        flagged_any += changes.is_significant.any()
        flagged += changes.is_significant.sum()
    # no change at all: BH at 5% keeps the chance of any false discovery near 5% (it equals FWER here)
    assert flagged_any / datasets <= 0.08
    assert flagged / (datasets * 40) <= 0.01


def test_a_real_change_is_found_among_unchanged_touchpoints():
    rng = np.random.default_rng(7)
    p_a = np.full(10, 0.7)
    p_b = p_a.copy()
    p_b[3] = 0.5
    changes = compare_revisits(_synthetic_snapshot(rng, 10, p_a, p_b), "A", "B", 30)
    found = changes[changes.is_significant]
    assert set(found.touchpoint_id) == {"t3"} and set(found.direction) == {"worse"}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A copy of the sample, ingested and scored without Prefect, to change its journey file safely."""
    root = tmp_path_factory.mktemp("revisits")
    shutil.copytree(SAMPLE, root / "sample")
    lj, con = open_workspace(root / "sample" / "journey.yml", root / "cjx.duckdb")
    for source in lj.journey.sources:
        ingest_source(con, lj, source.id, "test-key")
    build_marts(con)
    update_revisits(con)
    con.close()
    return root


def _current(con, revisit_id: str) -> pd.DataFrame:
    return con.execute(
        "SELECT * EXCLUDE (snapshot_id, computed_at) FROM marts.revisit_snapshots "
        "WHERE revisit_id = ? ORDER BY touchpoint_id",
        [revisit_id],
    ).df()


def test_recomputing_from_unchanged_data_gives_identical_numbers(workspace):
    with closing(connect(workspace / "cjx.duckdb")) as con:
        before = _current(con, "2026-Q2")
        snapshot_id, taken = snapshot_revisit(con, "2026-Q2")
        assert not taken  # same data: the snapshot stands
        build_marts(con)
        new_id, taken = snapshot_revisit(con, "2026-Q2", force=True)
        assert taken and new_id != snapshot_id
        pd.testing.assert_frame_equal(_current(con, "2026-Q2"), before)


def test_changing_the_journey_does_not_change_a_computed_snapshot(workspace):
    journey_path = workspace / "sample" / "journey.yml"
    journey = yaml.safe_load(journey_path.read_text())
    journey["touchpoints"][5]["name"] = "Home delivery"
    journey["touchpoints"][5]["owner"] = "Carrier management"
    journey["settings"]["min_base"] = 200
    journey_path.write_text(yaml.safe_dump(journey, sort_keys=False))
    with closing(connect(workspace / "cjx.duckdb")) as con:
        before = _current(con, "2026-Q3")
    _lj, con = open_workspace(journey_path, workspace / "cjx.duckdb")
    with closing(con):
        build_marts(con)
        assert update_revisits(con)["snapshots_taken"] == 0
        pd.testing.assert_frame_equal(_current(con, "2026-Q3"), before)
        # the live marts follow the new journey (min_base 200 makes returns a low base), the snapshot does not
        assert con.execute(
            "SELECT is_low_base FROM marts.touchpoint_scorecard "
            "WHERE revisit_id = '2026-Q3' AND touchpoint_id = 'returns_refunds'"
        ).fetchall() == [(True,)]
        assert not before.set_index("touchpoint_id").loc["returns_refunds", "is_low_base"]
        assert con.execute(
            "SELECT touchpoint_name FROM marts.touchpoint_scorecard WHERE revisit_id = '2026-Q3' "
            "AND touchpoint_id = 'parcel_delivery'"
        ).fetchall() == [("Home delivery",)]
        assert before.set_index("touchpoint_id").loc["parcel_delivery", "touchpoint_name"] == "Parcel delivery"


def test_sample_planted_worsening_is_significant_and_the_rest_mostly_not(sample_run):
    db, _, _ = sample_run
    with closing(connect(db, read_only=True)) as con:
        changes = con.execute("SELECT * FROM marts.revisit_changes WHERE status = 'tested'").df()
        trends = con.execute("SELECT * FROM marts.revisit_trends").df().set_index("touchpoint_id")
    latest = changes[(changes.revisit_a == "2026-Q2") & (changes.revisit_b == "2026-Q3")]
    delivery = latest[latest.touchpoint_id == "parcel_delivery"]
    assert delivery.is_significant.all() and set(delivery.direction) == {"worse"}
    unchanged = changes[changes.touchpoint_id != "parcel_delivery"]
    assert unchanged.is_significant.mean() <= 0.05
    assert trends.loc["parcel_delivery", "direction"] == "worsening"
    assert trends.loc["loyalty_club", "status"].startswith("not tested")


def test_cli_lists_and_compares_revisits(sample_run):
    db, _, _ = sample_run
    runner = CliRunner()
    listed = runner.invoke(app, ["revisit", "list", "--db", str(db)])
    assert listed.exit_code == 0 and listed.output.count("2026-") >= 6
    compared = runner.invoke(app, ["revisit", "compare", "2026-Q2", "2026-Q3", "--db", str(db)])
    assert compared.exit_code == 0, compared.output
    delivery_lines = [line for line in compared.output.splitlines() if line.startswith("Parcel delivery")]
    assert len(delivery_lines) == 2 and all("▼ worse" in line for line in delivery_lines)
    assert "low base" in compared.output
    unknown = runner.invoke(app, ["revisit", "compare", "2026-Q2", "2031-Q1", "--db", str(db)])
    assert unknown.exit_code == 2 and "has not been computed" in unknown.output


# --- issue 11, item 7: revisits are dated in the journey's time zone ------------------------------------------

DATED_ROWS = [  # (id, the time as exported, score)
    ("a", "31.03.2026", 1),  # a local day: 31 March
    ("b", "01.04.2026", 2),  # 1 April, local: Q2 wherever the journey is
    ("c", "2026-04-01 00:30:00", 3),  # just after local midnight
    ("d", "2026-03-31T22:30:00Z", 4),  # an explicit UTC time: 1 April 00:30 in Copenhagen (summer time)
    ("e", "30.06.2026", 5),
    ("f", "2026-06-30 23:59:00", 4),
    ("g", "2026-07-01T00:10:00+02:00", 3),  # 30 June 22:10 UTC: already Q3 in Copenhagen
]


def _dated_workspace(tmp_path, timezone: str | None):
    journey = {
        "journey": {"id": "dates", "name": "Dates", **({"timezone": timezone} if timezone else {})},
        "stages": [{"id": "s", "name": "Stage"}],
        "touchpoints": [{"id": "tp", "name": "Touchpoint", "stage": "s", "owner": "Team"}],
        "sources": [
            {
                "id": "src",
                "kind": "survey",
                "files": "dates.csv",
                "touchpoint": "tp",
                "respondent_id": "id",
                "response_id": "id",
                "timestamp": "at",
                "timestamp_format": ["%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"],
                "questions": [{"column": "score", "metric": "csat", "scale": {"min": 1, "max": 5}}],
            }
        ],
        "revisits": [
            {"id": "Q1", "start": "2026-01-01", "end": "2026-03-31"},
            {"id": "Q2", "start": "2026-04-01", "end": "2026-06-30"},
            {"id": "Q3", "start": "2026-07-01", "end": "2026-09-30"},
        ],
    }
    (tmp_path / "journey.yml").write_text(yaml.safe_dump(journey), encoding="utf-8")
    rows = "".join(f"{i},{at},{score}\n" for i, at, score in DATED_ROWS)
    (tmp_path / "dates.csv").write_text("id,at,score\n" + rows, encoding="utf-8")
    lj, con = open_workspace(tmp_path / "journey.yml", tmp_path / "cjx.duckdb")
    (result,) = ingest_source(con, lj, "src", "test-key")
    assert result.rows_loaded == len(DATED_ROWS), result
    build_marts(con)
    return con


def _expected_revisits(zone: str) -> dict[str, tuple[int, float]]:
    """By hand with pandas: each time to UTC (local ones in `zone`), then to the journey's local day, then to the
    quarter whose days hold it; (responses, mean score) per revisit."""
    frame = pd.DataFrame(DATED_ROWS, columns=["id", "at", "score"])
    explicit = frame["at"].str.contains(r"Z$|[+-]\d\d:\d\d$")
    utc = pd.Series(index=frame.index, dtype="datetime64[ns, UTC]")
    utc[explicit] = pd.to_datetime(frame["at"][explicit], utc=True, format="ISO8601")
    written = frame["at"][~explicit]
    dotted = written.str.contains(".", regex=False)
    local = pd.concat(
        [pd.to_datetime(written[dotted], format="%d.%m.%Y"), pd.to_datetime(written[~dotted], format="ISO8601")]
    )
    utc[~explicit] = local.dt.tz_localize(zone).dt.tz_convert("UTC")
    day = utc.dt.tz_convert(zone).dt.date
    frame["revisit"] = ["Q" + str((d.month - 1) // 3 + 1) for d in day]
    return {r: (len(g), float(g.score.mean())) for r, g in frame.groupby("revisit")}


@pytest.mark.parametrize("timezone", ["Europe/Copenhagen", None])
def test_revisits_are_dated_in_the_journey_time_zone(tmp_path, timezone):
    con = _dated_workspace(tmp_path, timezone)
    zone = timezone or "UTC"
    want = _expected_revisits(zone)
    got = {
        r: (n, mean)
        for r, n, mean in con.execute(
            "SELECT revisit_id, n_responses, csat_mean FROM marts.touchpoint_scorecard WHERE n_responses > 0"
        ).fetchall()
    }
    assert got.keys() == want.keys()
    for revisit_id, (n, mean) in want.items():
        assert got[revisit_id][0] == n and got[revisit_id][1] == pytest.approx(mean), revisit_id
    if timezone:  # 1 April (date only) and 00:30 on 1 April are Q2; Q2 ends at local midnight after 30 June
        assert want["Q2"][0] == 5 and want["Q3"][0] == 1
    else:  # UTC as before: the explicit 22:30Z on 31 March stays in Q1, the +02:00 time on 1 July is 30 June
        assert want["Q1"][0] == 2 and "Q3" not in want
    bounds = con.execute("SELECT revisit_id, start_at, end_at FROM core.revisits ORDER BY 1").fetchall()
    listed = dict(query(con, "revisits/revisit_list")[["revisit_id", "n_responses"]].itertuples(index=False))
    con.close()
    for revisit_id, start_at, end_at in bounds:  # local midnights, by pandas
        start = pd.Timestamp(f"2026-{(int(revisit_id[1]) - 1) * 3 + 1:02d}-01").tz_localize(zone)
        assert pd.Timestamp(start_at) == start.tz_convert("UTC").tz_localize(None)
        assert pd.Timestamp(end_at) == (start + pd.DateOffset(months=3)).tz_convert("UTC").tz_localize(None)
    assert listed == {r: want.get(r, (0, 0))[0] for r in ("Q1", "Q2", "Q3")}  # what `cjx revisit list` counts
