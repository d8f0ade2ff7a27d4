"""SQL given/expect for the importance-performance quadrants and the priority score."""

from __future__ import annotations

import pandas as pd
import pytest

from cjx.store import connect, migrate, run_sql

# touchpoint: (performance share, LMG share, reach, target, low base)
GIVEN = {
    "a": (0.40, 0.40, 1.0, None, False),  # important, weak      -> Concentrate here
    "b": (0.80, 0.40, 0.5, 0.85, False),  # important, strong    -> Keep up the good work
    "c": (0.40, 0.10, 0.2, 0.30, False),  # less important, weak -> Low priority
    "d": (0.80, 0.10, None, None, False),  # less important, strong -> Possible overkill
    "e": (0.10, 0.90, 1.0, None, True),  # low base: placed but not ranked, not in the crosshairs
}


@pytest.fixture
def con(tmp_path):
    con = connect(tmp_path / "db.duckdb")
    migrate(con)
    con.execute("INSERT INTO core.journey (journey_id, name, journey_version, min_base) VALUES ('j', 'J', 'v', 30)")
    rows = [
        {
            "revisit_id": "R1",
            "stage_name": "S",
            "stage_position": 1,
            "touchpoint_id": tp,
            "touchpoint_name": tp.upper(),
            "touchpoint_position": i,
            "owner": "O",
            "is_critical": False,
            "is_low_base": low,
            "n_headline": 100,
            "n_eff_headline": 100.0,  # unweighted: the effective base is n (marts.touchpoint_scorecard)
            "is_weighted": False,
            "headline_metric": "csat",
            "headline_value": perf,
            "headline_ci_low": perf - 0.1,
            "headline_ci_high": perf + 0.1,
            "target_value": target,
        }
        for i, (tp, (perf, _, _, target, low)) in enumerate(GIVEN.items())
    ]
    con.register("scorecard_df", pd.DataFrame(rows))
    con.execute("CREATE TABLE marts.touchpoint_scorecard AS SELECT * FROM scorecard_df")
    con.register(
        "importance_df",
        pd.DataFrame(
            [
                {
                    "revisit_id": "R1",
                    "touchpoint_id": tp,
                    "method": "lmg",
                    "share": imp,
                    "ci_low": imp / 2,
                    "ci_high": imp * 2,
                    "share_ci_low": imp / 3,
                    "share_ci_high": imp * 3,
                    "r2": 1.0,
                    "rank": 0,
                    "corr_repaired": False,
                    "n_failed_resamples": 0,
                    "n_resamples": 500,
                    "method_detail": "exact",
                    "sampling_se": float("nan"),
                    "n_used": 100,
                }
                for tp, (_, imp, _, _, _) in GIVEN.items()
            ]
        ),
    )
    con.execute("CREATE TABLE marts.touchpoint_importance AS SELECT * FROM importance_df")
    con.register(
        "reach_df",
        pd.DataFrame(
            [
                {"revisit_id": "R1", "touchpoint_id": tp, "reach": reach, "reach_basis": "events"}
                for tp, (_, _, reach, _, _) in GIVEN.items()
            ]
        ).astype({"reach": "float64"}),
    )
    con.execute("CREATE TABLE marts.touchpoint_reach AS SELECT * FROM reach_df")
    yield con
    con.close()


def _priority(con, crosshair="mean") -> pd.DataFrame:
    con.execute("UPDATE core.journey SET ipa_crosshair = ?", [crosshair])
    run_sql(con, "marts/touchpoint_priority")
    return con.execute("SELECT * FROM marts.touchpoint_priority").df().set_index("touchpoint_id")


def test_quadrants_at_the_mean_crosshairs(con):
    p = _priority(con)
    # crosshairs: mean over a-d (e is low base): importance 0.25, performance 0.6
    assert p.loc["a"].importance_crosshair == pytest.approx(0.25)
    assert p.loc["a"].performance_crosshair == pytest.approx(0.6)
    assert p.quadrant.to_dict() == {
        "a": "Concentrate here",
        "b": "Keep up the good work",
        "c": "Low priority",
        "d": "Possible overkill",
        "e": "Concentrate here",
    }


def test_priority_score_is_importance_times_shortfall_times_reach(con):
    p = _priority(con)
    expected = {"a": 0.40 * 0.60 * 1.0, "b": 0.40 * 0.20 * 0.5, "c": 0.10 * 0.60 * 0.2, "d": 0.10 * 0.20 * 1.0}
    for tp, score in expected.items():
        assert p.loc[tp].priority_score == pytest.approx(score)
    ranks = p.priority_rank.dropna().astype(int).to_dict()
    assert ranks == {"a": 1, "b": 2, "d": 3, "c": 4} and pd.isna(p.loc["e"].priority_rank)
    assert p.loc["b"].gap_to_target == pytest.approx(-0.05) and pd.isna(p.loc["a"].gap_to_target)


def test_target_and_midpoint_crosshairs(con):
    by_target = _priority(con, "target")
    # b misses its target 0.85 -> weak; c beats its target 0.30 -> strong; a and d fall back to the mean 0.6
    assert by_target.quadrant[["a", "b", "c", "d"]].tolist() == [
        "Concentrate here",
        "Concentrate here",
        "Possible overkill",
        "Possible overkill",
    ]
    by_midpoint = _priority(con, "midpoint")
    assert by_midpoint.loc["a"].performance_crosshair == 0.5
    by_median = _priority(con, "median")
    assert by_median.loc["a"].importance_crosshair == pytest.approx(0.25)
