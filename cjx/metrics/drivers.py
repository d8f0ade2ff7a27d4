"""Key-driver analysis per revisit: importance of each touchpoint for the outcome, and of operational measures."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from cjx.metrics.change import benjamini_hochberg
from cjx.metrics.importance import (
    NotEstimable,
    bootstrap_importances,
    driver_correlations,
    measure_bands,
    measure_effect,
    usable_drivers,
)
from cjx.store import relation

log = logging.getLogger(__name__)
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
    "share_ci_low",
    "share_ci_high",
    "corr_repaired",
    "n_failed_resamples",
    "method_detail",
    "sampling_se",
    "n_used",
    "model_note",
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
    "slope_se",
    "q_value",
]
BAND_COLUMNS = [
    "revisit_id",
    "measure",
    "target",
    "target_touchpoint_id",
    "band",
    "x_low",
    "x_high",
    "n",
    "mean",
    "ci_low",
    "ci_high",
    "difference",
]


def _streamed(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, object]) -> pd.DataFrame:
    """The SELECT in sql/<name>.sql, streamed out as Arrow batches without insertion order: a revisit of millions
    of answers is then not held whole inside DuckDB's memory limit first (it ran out at 10 M answers)."""
    (keep_order,) = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0]
    con.execute("SET preserve_insertion_order = false")
    try:
        return relation(con, name, params).to_arrow_reader(1_000_000).read_all().to_pandas()
    finally:
        con.execute(f"SET preserve_insertion_order = {'true' if keep_order else 'false'}")


def driver_frames(con: duckdb.DuckDBPyConnection, revisits: list[str]) -> dict[str, pd.DataFrame]:
    """Per revisit asked for, one row per outcome-survey response: `outcome` and one column per rated touchpoint.
    Rows are in response id order and indexed by the response's key (core.responses.response_key: what weights and
    segment memberships are looked up by, as integers).

    With a behavioural outcome (core.journey.outcome_behaviour), one row per rated survey response whose window is
    complete, `outcome` 1/0 (analytics/behaviour_drivers.sql).

    Every revisit comes from one pass over the answers (analytics/outcome_drivers.sql), not one query per revisit.
    A numpy pivot (codes and bincount) rather than pandas' pivot_table: the same frame (mean of a response's
    ratings of a touchpoint, the outcome of a response; rows by response id, columns by touchpoint id).
    """
    behaviour = con.execute("SELECT outcome_behaviour FROM core.journey").fetchall()[0][0]
    # A behavioural outcome is 0/1: its LMG is the decomposition of the linear probability model's R².
    sql = "analytics/behaviour_drivers" if behaviour else "analytics/outcome_drivers"
    long = _streamed(con, sql, {"revisits": list(revisits)})
    # Codes once for the whole frame (the responses ranked in response id order by the SQL, so a revisit's subset
    # keeps response and touchpoint id order), then each revisit is a boolean mask over numpy arrays: no pandas
    # split of millions of string rows.
    revisit_codes = long["revisit_position"].to_numpy(dtype=np.int64)
    response_codes = long["response_rank"].to_numpy(dtype=np.int64)
    response_keys = np.full(int(response_codes.max(initial=-1)) + 1, -1, dtype=np.int64)
    response_keys[response_codes] = long["response_key"].to_numpy(dtype=np.int64)
    touchpoint_codes, touchpoint_ids = pd.factorize(long["touchpoint_id"], sort=True)  # -1: the outcome rows
    outcome = long["outcome"].to_numpy(dtype="float64", na_value=np.nan)
    score = long["score"].to_numpy(dtype="float64", na_value=np.nan)
    is_rating = (touchpoint_codes >= 0) & ~np.isnan(score)
    frames = {}
    for position, r in enumerate(revisits):
        mask = revisit_codes == position
        has_outcome = mask & ~np.isnan(outcome)
        # the responses with an outcome, in rank order, by flags rather than a sort of every row
        answered = response_codes[has_outcome]
        responses = _present(answered, len(response_keys))
        # each rating's row among the responses with an outcome (-1: none), looked up rather than searched
        row_of = np.full(len(response_keys), -1, dtype=np.int64)
        row_of[responses] = np.arange(len(responses))
        outcomes = np.empty(len(responses))
        outcomes[row_of[answered]] = outcome[has_outcome]  # a response's rows (one per mapping) share its outcome
        rated = np.flatnonzero(mask & is_rating)
        rows = row_of[response_codes[rated]]
        rated, rows = rated[rows >= 0], rows[rows >= 0]
        columns = _present(touchpoint_codes[rated], len(touchpoint_ids))
        column_of = np.zeros(len(touchpoint_ids), dtype=np.int64)
        column_of[columns] = np.arange(len(columns))
        flat = rows * len(columns) + column_of[touchpoint_codes[rated]]
        size = len(responses) * len(columns)
        sums = np.bincount(flat, weights=score[rated], minlength=size)
        counts = np.bincount(flat, minlength=size)
        with np.errstate(invalid="ignore", divide="ignore"):
            wide = np.where(counts > 0, sums / counts, np.nan).reshape(len(responses), len(columns))
        frame = pd.DataFrame(
            wide,
            index=pd.Index(response_keys[responses], name="response_key"),
            columns=pd.Index(np.asarray(touchpoint_ids, dtype=object)[columns], name="touchpoint_id"),
        )
        frames[r] = frame.assign(outcome=outcomes)
    return frames


def _present(codes: np.ndarray, n_codes: int) -> np.ndarray:
    """The distinct codes (0 .. n_codes - 1) among ``codes``, ascending: np.unique by flags, in one pass."""
    seen = np.zeros(n_codes, dtype=bool)
    seen[codes] = True
    return np.flatnonzero(seen)


class DriverFrames:
    """The driver frames of one score step (``driver_frames``), read once and shared: the journey's importance, the
    segments' and the comparison of the last two revisits rest on the same frames, so the answers are read and
    pivoted once, not three times (12 of the 66 s of the score step at 10 M answers). Valid while core stays as it
    was, as it does within one score step; the frames are read, never changed."""

    def __init__(self) -> None:
        self._frames: dict[str, pd.DataFrame] = {}

    def of(self, con: duckdb.DuckDBPyConnection, revisits: list[str]) -> dict[str, pd.DataFrame]:
        """The frames of these revisits; those not read yet are read in one pass."""
        missing = [r for r in revisits if r not in self._frames]
        if missing:
            self._frames.update(driver_frames(con, missing))
        return {r: self._frames[r] for r in revisits}


def driver_frame(con: duckdb.DuckDBPyConnection, revisit_id: str) -> pd.DataFrame:
    """``driver_frames`` for one revisit."""
    return driver_frames(con, [revisit_id])[revisit_id]


def model_drivers(frame: pd.DataFrame, min_pairs: int) -> list[str]:
    """Touchpoints that can enter the model: at least `min_pairs` answers together with the outcome and with
    every other driver (``importance.usable_drivers``; the driver with the fewest answers leaves first)."""
    drivers = sorted(c for c in frame.columns if c != "outcome")
    if not drivers:
        return []
    return usable_drivers(frame, "outcome", drivers, min_pairs)[0]


def revisit_importance(
    frame: pd.DataFrame,
    revisit_id: str,
    *,
    min_pairs: int,
    n_resamples: int,
    seed: int,
    progress: Callable[[str], None] | None = None,
    weights: pd.Series | None = None,
) -> pd.DataFrame:
    """LMG and relative weights with bootstrap intervals (the same resamples), plus simple correlations.

    ``weights`` (the responses' raking weights by response key, ``response_weights``; None: unweighted): the
    weighted correlation matrix and a bootstrap of respondents with their weights (cjx.metrics.importance).

    Touchpoints without `min_pairs` joint answers get no importance (they appear as low base elsewhere)
    rather than a number resting on a handful of answers; the model's flags (corr_repaired,
    n_failed_resamples, method_detail) and why drivers were left out (model_note) go on every row.
    """
    drivers = model_drivers(frame, min_pairs)
    if len(drivers) < 2:
        return pd.DataFrame(columns=IMPORTANCE_COLUMNS)
    w = None if weights is None else weights.reindex(frame.index).fillna(0.0).to_numpy(dtype=np.float64)
    try:
        results = bootstrap_importances(
            frame,
            "outcome",
            drivers,
            n_resamples=n_resamples,
            seed=seed,
            min_pairs=min_pairs,
            progress=progress,
            label=f"importance {revisit_id}",
            weights=w,
        )
    except NotEstimable as why:
        log.warning("importance %s: not estimated: %s", revisit_id, why)
        return pd.DataFrame(columns=IMPORTANCE_COLUMNS)
    used = list(results["lmg"].driver)
    correlations = driver_correlations(frame, "outcome", used, weights=w).set_index("driver")
    parts = []
    for method, result in results.items():
        attrs = result.attrs
        notes = [attrs["note"]] if attrs["note"] else []
        notes += [f"{d} left out: {why}" for d, why in attrs["excluded"].items()]
        result = result.rename(columns={"driver": "touchpoint_id"}).assign(
            revisit_id=revisit_id,
            method=method,
            r2=attrs["r2"],
            n_respondents=len(frame),
            n_resamples=n_resamples,
            corr_repaired=attrs["corr_repaired"],
            n_failed_resamples=attrs["n_failed"],
            method_detail=attrs["method_detail"],
            n_used=attrs["n_used"],
            model_note="; ".join(notes) or None,
        )
        result["pearson_r"] = correlations.loc[result.touchpoint_id, "pearson_r"].to_numpy()
        result["spearman_rho"] = correlations.loc[result.touchpoint_id, "spearman_rho"].to_numpy()
        parts.append(result[IMPORTANCE_COLUMNS])
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class MeasurePairs:
    """The (x, y) pairs of one measure and one target (a touchpoint's rating, or the outcome) in one revisit."""

    measure: str
    target: str
    target_touchpoint_id: str | None
    x: np.ndarray
    y: np.ndarray


def measure_pairs(con: duckdb.DuckDBPyConnection, revisits: list[str]) -> dict[str, list[MeasurePairs]]:
    """The (measure, score) pairs of each revisit asked for, by measure and target in order (analytics/measure_pairs.sql:
    every revisit in one pass, each group's pairs as two lists)."""
    groups = relation(con, "analytics/measure_pairs", {"revisits": list(revisits)}).to_arrow_table()
    out: dict[str, list[MeasurePairs]] = {r: [] for r in revisits}
    for i, (revisit, measure, target, touchpoint) in enumerate(
        zip(*(groups[c].to_pylist() for c in ("revisit_id", "measure", "target", "target_touchpoint_id")), strict=True)
    ):
        x, y = (groups[c][i].values.to_numpy(zero_copy_only=False).astype(np.float64) for c in ("x", "y"))
        out[revisit].append(MeasurePairs(measure, target, touchpoint, x, y))
    for pairs in out.values():
        pairs.sort(key=lambda p: (p.measure, p.target, p.target_touchpoint_id or ""))
    return out


def revisit_measure_effects(
    con: duckdb.DuckDBPyConnection, revisit_id: str, pairs: list[MeasurePairs] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Slope (HC3 standard error) of each touchpoint rating and of the outcome on each operational measure, for
    one revisit, and the binned view beside it (mean score per quartile band of the measure); `pairs` from
    ``measure_pairs`` when given."""
    pairs = measure_pairs(con, [revisit_id])[revisit_id] if pairs is None else pairs
    rows, bands = [], []
    for group in pairs:
        if len(group.x) < MIN_EFFECT_PAIRS or np.ptp(group.x) == 0:
            continue
        key = {
            "revisit_id": revisit_id,
            "measure": group.measure,
            "target": group.target,
            "target_touchpoint_id": group.target_touchpoint_id or None,
        }
        rows.append({**key, **measure_effect(group.x, group.y)})
        bands.append(measure_bands(group.x, group.y).assign(**key))
    effects = pd.DataFrame(rows).reindex(columns=EFFECT_COLUMNS)
    banded = pd.concat(bands, ignore_index=True) if bands else pd.DataFrame()
    return effects, banded.reindex(columns=BAND_COLUMNS)


def response_weights(con: duckdb.DuckDBPyConnection, revisit_id: str) -> pd.Series | None:
    """The raking weight of each response of a weighted revisit (its respondent's, core.respondent_weights) by
    response key (as driver frames are indexed); None when the revisit is not weighted (no weighting: declared, or
    refused)."""
    rows = con.execute(
        "SELECT rv.response_key, w.weight FROM core.response_revisits rv JOIN core.respondent_weights w "
        "ON w.respondent_id = rv.respondent_id AND w.revisit_id = rv.revisit_id WHERE rv.revisit_id = ?",
        [revisit_id],
    ).fetchall()
    if not rows:
        return None
    keys, weights = zip(*rows, strict=True)
    return pd.Series(weights, index=pd.Index(keys, name="response_key"), dtype="float64").groupby(level=0).first()


def importance_settings(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int]:
    """(min_driver_pairs, bootstrap_resamples, bootstrap_seed) of the journey in force."""
    min_pairs, n_resamples, seed = con.execute(
        "SELECT coalesce(min_driver_pairs, min_base), bootstrap_resamples, bootstrap_seed FROM core.journey"
    ).fetchall()[0]
    return int(min_pairs), int(n_resamples), int(seed)


def compute_drivers(
    con: duckdb.DuckDBPyConnection,
    progress: Callable[[str], None] | None = None,
    frames: DriverFrames | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Importance, measure effects and their bands for every revisit, with the journey's bootstrap settings.

    The measure effects' p-values are adjusted together (Benjamini-Hochberg over every effect of the run: q_value).
    ``progress`` (default: this module's log at INFO) hears one line per revisit and per batch of resamples;
    ``frames``: the score step's shared driver frames (None: read here).
    """
    say = progress or log.info
    min_pairs, n_resamples, seed = importance_settings(con)
    revisits = [r[0] for r in con.execute("SELECT revisit_id FROM core.revisits ORDER BY start_date").fetchall()]
    importance = []
    by_revisit = (frames or DriverFrames()).of(con, revisits)
    for i, r in enumerate(revisits, 1):
        frame = by_revisit[r]
        say(f"importance {r} (revisit {i}/{len(revisits)}): {len(frame):,} respondents")
        weights = response_weights(con, r)
        importance.append(
            revisit_importance(
                frame, r, min_pairs=min_pairs, n_resamples=n_resamples, seed=seed, progress=say, weights=weights
            )
        )
    pairs = measure_pairs(con, revisits)
    measured = [revisit_measure_effects(con, r, pairs[r]) for r in revisits]
    effects = pd.concat([m[0] for m in measured], ignore_index=True) if measured else pd.DataFrame()
    effects = effects.reindex(columns=EFFECT_COLUMNS)
    effects["q_value"] = benjamini_hochberg(effects["p_value"].to_numpy(dtype=float)) if len(effects) else []
    bands = pd.concat([m[1] for m in measured], ignore_index=True) if measured else pd.DataFrame()
    return (
        pd.concat(importance, ignore_index=True) if importance else pd.DataFrame(columns=IMPORTANCE_COLUMNS),
        effects,
        bands.reindex(columns=BAND_COLUMNS),
    )
