"""Raking weights per revisit (issue 15, item 5): core.respondent_weights and core.weighting_revisits.

With a journey ``weighting:`` declaration (core.weighting_margins), every revisit's respondents (anyone with a
response in it) are raked to the margins on their segment values (core.respondent_segments) by weightipy's RIM
(iterative proportional fitting, Deming & Stephan 1940), weights normalised to mean 1. A revisit is refused, with a
one-line reason in core.weighting_revisits and the log, and stays unweighted, when:

- a respondent has no value of a weighted segment, or one the margins leave out (the rule: the margins must cover
  every respondent; declare the value, or leave the segment out of the weighting);
- a value of the margins has no respondent (no weight can bring it to its share);
- the raking does not reach every margin within the declared tolerance in max_iterations passes.

The library's own convergence check is not trusted alone: the weighted shares are recomputed here and compared with
the targets. The effective base is Kish's (1965) n_eff = (sum w)^2 / sum w^2.
"""

from __future__ import annotations

import contextlib
import io
import logging
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
import weightipy as wp

log = logging.getLogger(__name__)
WEIGHT_COLUMNS = ["revisit_id", "respondent_id", "weight"]
OUTCOME_COLUMNS = ["revisit_id", "status", "reason", "n_respondents", "n_eff", "iterations", "max_margin_error"]


class WeightingRefused(ValueError):
    """The margins cannot be met on this revisit's respondents; the message says why, in one line."""


@dataclass(frozen=True)
class Raked:
    weights: np.ndarray
    iterations: int
    max_margin_error: float


def kish_n_eff(weights: np.ndarray) -> float:
    """Kish's (1965) effective sample size (sum w)^2 / sum w^2: n for equal weights, less the more they vary."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w**2).sum()) if len(w) else 0.0


def margin_errors(frame: pd.DataFrame, weights: np.ndarray, margins: dict[str, dict[str, float]]) -> float:
    """The largest absolute difference between a weighted share and its target."""
    total = weights.sum()
    worst = 0.0
    for segment, shares in margins.items():
        for value, share in shares.items():
            got = weights[(frame[segment] == value).to_numpy()].sum() / total
            worst = max(worst, abs(got - share))
    return worst


def rake(
    frame: pd.DataFrame, margins: dict[str, dict[str, float]], *, tolerance: float = 0.001, max_iterations: int = 1000
) -> Raked:
    """Rake the rows of ``frame`` (one column per weighted segment, one row per respondent) to ``margins``.

    Raises WeightingRefused on a value outside the margins, a margin value nobody has, or no convergence."""
    if frame.empty:
        raise WeightingRefused("no respondents to weight")
    for segment, shares in margins.items():
        values = frame[segment]
        missing = int(values.isna().sum())
        if missing:
            raise WeightingRefused(
                f"{segment}: {missing} respondent(s) have no value; expected a value for every respondent "
                f"(one of {sorted(shares)})"
            )
        outside = sorted(set(values) - set(shares))
        if outside:
            n = int(values.isin(outside).sum())
            raise WeightingRefused(
                f"{segment}: {n} respondent(s) have a value the margins leave out ({outside[:3]}); "
                f"expected one of {sorted(shares)}"
            )
        empty = sorted(set(shares) - set(values))
        if empty:
            raise WeightingRefused(
                f"{segment}: no respondent has {empty[:3]}; expected respondents in every value of the margins "
                "(nobody can be weighted up to that share)"
            )
    scheme = wp.scheme_from_dict(
        {seg: {v: 100.0 * s for v, s in shares.items()} for seg, shares in margins.items()},
        rim_params={"max_iterations": max_iterations},
    )
    data = frame[list(margins)].astype(str).reset_index(drop=True)
    with contextlib.redirect_stdout(io.StringIO()):  # weightipy prints its convergence notes
        raw = wp.weight(data, scheme)
    weights = raw.to_numpy(dtype=float)
    if not np.all(np.isfinite(weights)) or (weights <= 0).any():
        raise WeightingRefused("the raking gave weights that are not positive; expected positive weights")
    weights = weights / weights.mean()
    error = margin_errors(data, weights, margins)
    iterations = int(next(iter(scheme.groups.values()))["iterations"] or 0)
    if error > tolerance:
        raise WeightingRefused(
            f"the raking did not converge: a weighted share is {error:.4f} from its target after {iterations} "
            f"passes; expected within {tolerance} (margins that contradict each other on these respondents)"
        )
    return Raked(weights=weights, iterations=iterations, max_margin_error=error)


def declared_margins(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, float]]:
    """core.weighting_margins as {segment: {value: share}}; empty: the journey is not weighted."""
    margins: dict[str, dict[str, float]] = {}
    for segment, value, share in con.execute(
        "SELECT segment_id, value, share FROM core.weighting_margins ORDER BY segment_id, value"
    ).fetchall():
        margins.setdefault(segment, {})[value] = float(share)
    return margins


def build_weights(con: duckdb.DuckDBPyConnection, tolerance: float = 0.001, max_iterations: int = 1000) -> int:
    """Rebuild core.respondent_weights and core.weighting_revisits from the margins; weighted revisits."""
    con.execute("DELETE FROM core.respondent_weights")
    con.execute("DELETE FROM core.weighting_revisits")
    margins = declared_margins(con)
    if not margins:
        return 0
    settings = con.execute("SELECT weighting_tolerance, weighting_max_iterations FROM core.journey").fetchall()
    if settings and settings[0][0] is not None:
        tolerance, max_iterations = float(settings[0][0]), int(settings[0][1])
    people = con.execute(
        "SELECT v.revisit_id, r.respondent_id, g.segment_id, g.value "
        "FROM (SELECT DISTINCT respondent_id, responded_at FROM core.responses) r "
        "JOIN core.revisits v ON r.responded_at >= v.start_at AND r.responded_at < v.end_at "
        "LEFT JOIN core.respondent_segments g ON g.respondent_id = r.respondent_id AND g.revisit_id = v.revisit_id "
        "AND g.segment_id IN (SELECT segment_id FROM core.weighting_margins) "
        "ORDER BY v.start_date, r.respondent_id"
    ).df()
    outcomes, parts = [], []
    weighted = 0
    for revisit, rows in people.groupby("revisit_id", sort=False):
        wide = rows.pivot_table(
            index="respondent_id", columns="segment_id", values="value", aggfunc="first", dropna=False
        ).reindex(columns=list(margins))
        wide = wide.reindex(sorted(set(rows.respondent_id)))
        try:
            raked = rake(wide, margins, tolerance=tolerance, max_iterations=max_iterations)
        except WeightingRefused as why:
            log.warning("weighting refused for %s: %s", revisit, why)
            outcomes.append([revisit, "refused", str(why), len(wide), None, None, None])
            continue
        weighted += 1
        n_eff = kish_n_eff(raked.weights)
        outcomes.append([revisit, "weighted", None, len(wide), n_eff, raked.iterations, raked.max_margin_error])
        parts.append(pd.DataFrame({"revisit_id": revisit, "respondent_id": wide.index, "weight": raked.weights}))
    weights = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=WEIGHT_COLUMNS)
    done = pd.DataFrame(outcomes, columns=OUTCOME_COLUMNS)
    con.register("weights_df", weights.astype({"weight": "float64"}))
    con.register("weighting_df", done)
    try:
        con.execute("INSERT INTO core.respondent_weights SELECT revisit_id, respondent_id, weight FROM weights_df")
        con.execute(
            "INSERT INTO core.weighting_revisits SELECT revisit_id, status, reason, n_respondents::BIGINT, "
            "n_eff::DOUBLE, iterations::INTEGER, max_margin_error::DOUBLE FROM weighting_df"
        )
    finally:
        con.unregister("weights_df")
        con.unregister("weighting_df")
    return weighted


def weighting_warnings(con: duckdb.DuckDBPyConnection) -> list[str]:
    """One line per revisit whose weighting was refused (a run with any ends "completed with warnings")."""
    refused = con.execute(
        "SELECT w.revisit_id, w.reason FROM core.weighting_revisits w JOIN core.revisits v USING (revisit_id) "
        "WHERE w.status = 'refused' ORDER BY v.start_date"
    ).fetchall()
    return [f"weighting refused for revisit {r}: {why}; its scorecard is unweighted" for r, why in refused]
