"""Key-driver analysis per revisit: importance of each touchpoint for the outcome, and of operational measures."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from cjx.metrics.importance import bootstrap_importance, driver_correlations, measure_effect
from cjx.store import query

# Every pair of drivers needs this many joint answers for its correlation to enter the model.
MIN_DRIVER_PAIRS = 10
MIN_EFFECT_PAIRS = 10

IMPORTANCE_COLUMNS = [
    "revisit_id",
    "touchpoint_id",
    "method",
    "importance",
    "share",
    "ci_low",
    "ci_high",
    "rank",
    "rank_ci_low",
    "rank_ci_high",
    "n",
    "pearson_r",
    "spearman_rho",
    "r2",
    "n_respondents",
    "n_resamples",
]
EFFECT_COLUMNS = [
    "revisit_id",
    "measure",
    "target",
    "target_touchpoint_id",
    "slope",
    "slope_ci_low",
    "slope_ci_high",
    "pearson_r",
    "spearman_rho",
    "p_value",
    "n",
]


def driver_frame(con: duckdb.DuckDBPyConnection, revisit_id: str) -> pd.DataFrame:
    """One row per outcome-survey response in the revisit: `outcome` and one column per rated touchpoint."""
    long = query(con, "analytics/outcome_drivers", {"revisit_id": revisit_id})
    wide = long.pivot_table(index="response_id", columns="touchpoint_id", values="score", aggfunc="mean")
    outcome = long.drop_duplicates("response_id").set_index("response_id")["outcome"]
    return wide.reindex(outcome.index).assign(outcome=outcome).sort_index()


def model_drivers(frame: pd.DataFrame, min_base: int) -> list[str]:
    """Touchpoints that can enter the model: at least `min_base` answers together with the outcome, and
    enough joint answers with every other driver; the driver with the fewest answers goes first."""
    answered = frame.notna().astype(int)
    with_outcome = answered.drop(columns="outcome").mul(answered["outcome"], axis=0).sum()
    drivers = sorted(with_outcome[with_outcome >= min_base].index)
    while len(drivers) > 1:
        joint = answered[drivers].T @ answered[drivers]
        thin = [d for d in drivers if (joint[d] < MIN_DRIVER_PAIRS).any()]
        if not thin:
            break
        drivers.remove(min(thin, key=lambda d: (with_outcome[d], d)))
    return drivers


def revisit_importance(
    frame: pd.DataFrame, revisit_id: str, *, min_base: int, n_resamples: int, seed: int
) -> pd.DataFrame:
    """LMG and relative weights with bootstrap intervals, plus simple correlations, for one revisit.

    Touchpoints under the minimum base get no importance (they appear as low base elsewhere) rather
    than a number resting on a handful of answers.
    """
    drivers = model_drivers(frame, min_base)
    if len(drivers) < 2:
        return pd.DataFrame(columns=IMPORTANCE_COLUMNS)
    correlations = driver_correlations(frame, "outcome", drivers).set_index("driver")
    parts = []
    for method in ("lmg", "rwa"):
        result = bootstrap_importance(frame, "outcome", drivers, method=method, n_resamples=n_resamples, seed=seed)
        result = result.rename(columns={"driver": "touchpoint_id"}).assign(
            revisit_id=revisit_id,
            method=method,
            r2=result.attrs["r2"],
            n_respondents=len(frame),
            n_resamples=n_resamples,
        )
        result["pearson_r"] = correlations.loc[result.touchpoint_id, "pearson_r"].to_numpy()
        result["spearman_rho"] = correlations.loc[result.touchpoint_id, "spearman_rho"].to_numpy()
        parts.append(result[IMPORTANCE_COLUMNS])
    return pd.concat(parts, ignore_index=True)


def revisit_measure_effects(con: duckdb.DuckDBPyConnection, revisit_id: str) -> pd.DataFrame:
    """Slope of each touchpoint rating and of the outcome on each operational measure, for one revisit."""
    pairs = query(con, "analytics/measure_pairs", {"revisit_id": revisit_id})
    rows = []
    for (measure, target, touchpoint), group in pairs.groupby(
        ["measure", "target", pairs["target_touchpoint_id"].fillna("")], sort=True
    ):
        if len(group) < MIN_EFFECT_PAIRS or np.ptp(group["x"]) == 0:
            continue
        effect = measure_effect(group["x"], group["y"])
        rows.append(
            {
                "revisit_id": revisit_id,
                "measure": measure,
                "target": target,
                "target_touchpoint_id": touchpoint or None,
                **effect,
            }
        )
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS + ["intercept", "slope_se", "spearman_p"])[EFFECT_COLUMNS]


def compute_drivers(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Importance and measure effects for every revisit, with the journey's bootstrap settings."""
    min_base, n_resamples, seed = con.execute(
        "SELECT min_base, bootstrap_resamples, bootstrap_seed FROM core.journey"
    ).fetchall()[0]
    revisits = [r[0] for r in con.execute("SELECT revisit_id FROM core.revisits ORDER BY start_date").fetchall()]
    importance = [
        revisit_importance(driver_frame(con, r), r, min_base=min_base, n_resamples=n_resamples, seed=seed)
        for r in revisits
    ]
    effects = [revisit_measure_effects(con, r) for r in revisits]
    return (
        pd.concat(importance, ignore_index=True) if importance else pd.DataFrame(columns=IMPORTANCE_COLUMNS),
        pd.concat(effects, ignore_index=True) if effects else pd.DataFrame(columns=EFFECT_COLUMNS),
    )
