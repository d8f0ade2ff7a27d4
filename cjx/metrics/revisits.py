"""Revisits as records: frozen snapshots, comparisons with significance, importance change, trends."""

from __future__ import annotations

import datetime as dt
import itertools

import duckdb
import numpy as np
import pandas as pd

from cjx.metrics.change import (
    NotTestable,
    benjamini_hochberg,
    nps_adjusted,
    nps_counts_test,
    trend_test,
    two_proportion_test,
    welch_test,
)
from cjx.metrics.drivers import DriverFrames, importance_settings, model_drivers, response_weights
from cjx.metrics.importance import NotEstimable, bootstrap_difference
from cjx.store import query, run_sql
from cjx.workspace import revisits_with_data

FDR = 0.05
# None for np.where, as the 0-d object array numpy makes of it (numpy's stubs leave None out of ArrayLike)
_NONE = np.array(None, dtype=object)
# (metric, test, columns in the snapshot): count/base for proportions, mean/sd/base for means, NPS/SE/base.
METRICS = (
    ("csat_top2", "proportion", ("n_csat_top2", "n_csat")),
    ("csat_mean", "mean", ("csat_mean", "csat_sd", "n_csat")),
    ("ces_easy", "proportion", ("n_ces_easy", "n_ces")),
    ("ces_mean", "mean", ("ces_mean", "ces_sd", "n_ces")),
    ("nps", "nps", ("n_promoters", "n_detractors", "n_nps")),
)
CHANGE_COLUMNS = [
    "revisit_a",
    "revisit_b",
    "touchpoint_id",
    "touchpoint_name",
    "stage_name",
    "owner",
    "is_critical",
    "metric",
    "status",
    "note",
    "n_a",
    "n_b",
    "value_a",
    "value_b",
    "difference",
    "ci_low",
    "ci_high",
    "statistic",
    "p_value",
    "q_value",
    "is_significant",
    "direction",
    "effect_size",
]
MIGRATION_COLUMNS = [
    "revisit_a",
    "revisit_b",
    "touchpoint_id",
    "touchpoint_name_a",
    "owner_a",
    "quadrant_a",
    "priority_rank_a",
    "touchpoint_name_b",
    "owner_b",
    "quadrant_b",
    "priority_rank_b",
    "has_moved",
]
TREND_COLUMNS = [
    "touchpoint_id",
    "touchpoint_name",
    "metric",
    "n_revisits",
    "first_revisit",
    "last_revisit",
    "status",
    "slope",
    "slope_se",
    "statistic",
    "p_value",
    "q_value",
    "direction",
]
IMPORTANCE_CHANGE_COLUMNS = [
    "revisit_a",
    "revisit_b",
    "touchpoint_id",
    "importance_a",
    "importance_b",
    "difference",
    "ci_low",
    "ci_high",
    "excludes_zero",
    "n_a",
    "n_b",
]


def snapshot_revisit(con: duckdb.DuckDBPyConnection, revisit_id: str, *, force: bool = False) -> tuple[str, bool]:
    """Freeze the revisit's marts unless its current snapshot already rests on the same data; (snapshot id, taken)."""
    fingerprint = query(con, "revisits/data_fingerprint", {"revisit_id": revisit_id}).fingerprint[0]
    current = con.execute(
        "SELECT snapshot_id, data_fingerprint FROM core.revisit_snapshots WHERE revisit_id = ? AND is_current",
        [revisit_id],
    ).fetchall()
    if current and current[0][1] == fingerprint and not force:
        return current[0][0], False
    n_before = con.execute("SELECT count(*) FROM core.revisit_snapshots WHERE revisit_id = ?", [revisit_id]).fetchall()[
        0
    ][0]
    snapshot_id = f"{revisit_id}#{n_before + 1}"
    run_sql(
        con,
        "revisits/take_snapshot",
        {
            "snapshot_id": snapshot_id,
            "revisit_id": revisit_id,
            "fingerprint": fingerprint,
            "computed_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
        },
    )
    return snapshot_id, True


def snapshots(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Current snapshot rows of every computed revisit (marts.revisit_snapshots)."""
    return con.execute(
        "SELECT * FROM marts.revisit_snapshots ORDER BY revisit_start, stage_position, touchpoint_position"
    ).df()


def computed_revisits(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Revisit ids with a current snapshot, oldest first."""
    return [
        r[0]
        for r in con.execute(
            "SELECT revisit_id FROM core.revisit_snapshots WHERE is_current ORDER BY start_date"
        ).fetchall()
    ]


def compare_revisits(
    snap: pd.DataFrame,
    revisit_a: str,
    revisit_b: str,
    min_base: int,
    sources: dict[tuple[str, str], list[str]] | None = None,
) -> pd.DataFrame:
    """Per touchpoint and metric, the change from revisit a to b with its test, interval and BH q-value.

    Touchpoints are matched by id, so a renamed question or a new survey tool mapped to the same touchpoint
    compares like with like. Cells under `min_base` are flagged "low base" instead of tested; touchpoints in
    only one revisit are "not comparable" with the reason. ``sources`` ({(revisit, touchpoint): source ids})
    adds a note when the sources feeding a touchpoint differ between the two revisits (a change of survey tool
    or of mix can move a score by itself).
    """
    sources = sources or {}
    a = snap[snap.revisit_id == revisit_a].set_index("touchpoint_id")
    b = snap[snap.revisit_id == revisit_b].set_index("touchpoint_id")
    rows = []
    for tp in list(b.index) + [t for t in a.index if t not in b.index]:
        if tp not in a.index or tp not in b.index:
            side = b.loc[tp] if tp in b.index else a.loc[tp]
            note = f"not in {revisit_a}'s journey" if tp not in a.index else f"not in {revisit_b}'s journey"
            rows.append(_row(revisit_a, revisit_b, tp, side, None, "not comparable", note))
            continue
        ra, rb = a.loc[tp], b.loc[tp]
        notes = [
            f"{what} changed from {ra[col]!r} to {rb[col]!r}"
            for what, col in (("name", "touchpoint_name"), ("owner", "owner"), ("stage", "stage_id"))
            if ra[col] != rb[col]
        ]
        src_a, src_b = sources.get((revisit_a, tp)), sources.get((revisit_b, tp))
        if src_a is not None and src_b is not None and list(src_a) != list(src_b):
            notes.append(f"sources differ: {', '.join(src_a)} in {revisit_a}, {', '.join(src_b)} in {revisit_b}")
        for metric, test, cols in METRICS:
            n_a, n_b = int(ra[cols[-1]] or 0), int(rb[cols[-1]] or 0)
            if n_a == 0 and n_b == 0:
                continue
            row = _row(revisit_a, revisit_b, tp, rb, metric, "tested", "; ".join(notes) or None, n_a, n_b)
            if n_a == 0 or n_b == 0:
                row.update(status="not comparable", note=f"not measured in {revisit_a if n_a == 0 else revisit_b}")
            elif min(_base(ra, cols[-1]), _base(rb, cols[-1])) < min_base:
                row.update(status="low base", value_a=_value(ra, metric), value_b=_value(rb, metric))
            else:
                try:
                    row.update(_test(test, ra, rb, cols))
                except NotTestable as why:
                    row.update(
                        status="not testable", note=str(why), value_a=_value(ra, metric), value_b=_value(rb, metric)
                    )
            rows.append(row)
    out = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    tested = out.status == "tested"
    out.loc[tested, "q_value"] = benjamini_hochberg(out.loc[tested, "p_value"].astype(float).to_numpy())
    out["is_significant"] = tested & (out.q_value < FDR)
    out["direction"] = np.where(out.is_significant, np.where(out.difference > 0, "better", "worse"), _NONE)
    return out


def _row(
    a: str,
    b: str,
    tp: str,
    side: pd.Series,
    metric: str | None,
    status: str,
    note: str | None,
    n_a: int | None = None,
    n_b: int | None = None,
) -> dict:
    return {
        "revisit_a": a,
        "revisit_b": b,
        "touchpoint_id": tp,
        "touchpoint_name": side.touchpoint_name,
        "stage_name": side.stage_name,
        "owner": side.owner,
        "is_critical": bool(side.is_critical),
        "metric": metric,
        "status": status,
        "note": note,
        "n_a": n_a,
        "n_b": n_b,
    }


def _value(row: pd.Series, metric: str) -> float:
    return {
        "csat_top2": row.csat_top2_share,
        "csat_mean": row.csat_mean,
        "ces_easy": row.ces_easy_share,
        "ces_mean": row.ces_mean,
        "nps": row.nps,
    }[metric]


# A weighted revisit (journey weighting:) is tested on its weighted estimates and Kish effective bases: a share as
# (share x n_eff, n_eff), a mean with n_eff, NPS from its weighted promoter and detractor shares x n_eff.
_SHARE = {"n_csat_top2": "csat_top2_share", "n_ces_easy": "ces_easy_share"}
_N_EFF = {"n_csat": "n_eff_csat", "n_ces": "n_eff_ces", "n_nps": "n_eff_nps"}


def _effective(row: pd.Series, test: str, cols: tuple[str, ...]) -> list[float]:
    """The test's inputs from one snapshot row: as frozen, or for a weighted revisit the effective ones."""
    values = [row[c] for c in cols]
    weighted = row.get("is_weighted")
    if weighted is None or pd.isna(weighted) or not bool(weighted):
        return values
    n_eff = float(row[_N_EFF[cols[-1]]])
    if test == "proportion":
        return [float(row[_SHARE[cols[0]]]) * n_eff, n_eff]
    if test == "mean":
        return [*values[:2], n_eff]
    return [float(row.promoter_share) * n_eff, float(row.detractor_share) * n_eff, n_eff]


def _base(row: pd.Series, n: str) -> float:
    """The base low base is judged on: the count, or a weighted revisit's Kish effective base."""
    weighted = row.get("is_weighted")
    if weighted is None or pd.isna(weighted) or not bool(weighted):
        return float(row[n] or 0)
    return float(row[_N_EFF[n]])


def _test(test: str, ra: pd.Series, rb: pd.Series, cols: tuple[str, ...]) -> dict:
    a, b = _effective(ra, test, cols), _effective(rb, test, cols)
    if test == "proportion":
        return two_proportion_test(a[0], a[1], b[0], b[1])
    if test == "mean":
        return welch_test(a[0], a[1], a[2], b[0], b[1], b[2])
    return nps_counts_test(a[0], a[1], a[2], b[0], b[1], b[2])


def quadrant_migrations(snap: pd.DataFrame, revisit_a: str, revisit_b: str) -> pd.DataFrame:
    """Which touchpoints moved between importance-performance quadrants from revisit a to b."""
    cols = ["touchpoint_id", "touchpoint_name", "owner", "quadrant", "priority_rank"]
    merged = snap.loc[snap.revisit_id == revisit_a, cols].merge(
        snap.loc[snap.revisit_id == revisit_b, cols], on="touchpoint_id", how="outer", suffixes=("_a", "_b")
    )
    merged.insert(0, "revisit_b", revisit_b)
    merged.insert(0, "revisit_a", revisit_a)
    merged["has_moved"] = (
        merged.quadrant_a.notna() & merged.quadrant_b.notna() & (merged.quadrant_a != merged.quadrant_b)
    )
    return merged[MIGRATION_COLUMNS]


def revisit_trends(snap: pd.DataFrame, min_base: int) -> pd.DataFrame:
    """Trend of each touchpoint's headline over all computed revisits (three or more), WLS slope with BH control."""
    order = list(dict.fromkeys(snap.sort_values("revisit_start").revisit_id))
    rows = []
    for tp, group in snap.groupby("touchpoint_id", sort=False):
        group = group.set_index("revisit_id").reindex(order)
        metric = group.headline_metric.dropna().iloc[-1] if group.headline_metric.notna().any() else None
        row = {
            "touchpoint_id": tp,
            "touchpoint_name": group.touchpoint_name.dropna().iloc[-1],
            "metric": metric,
            "n_revisits": len(order),
            "first_revisit": order[0],
            "last_revisit": order[-1],
        }
        n = group.n_headline.fillna(0)
        promoters, detractors = group.n_promoters, group.n_detractors
        weighted = group.is_weighted.fillna(False).astype(bool) if "is_weighted" in group else None
        if weighted is not None and weighted.any() and f"n_eff_{metric}" in group:
            # a weighted revisit's SE on its Kish effective base and weighted shares (cjx.segments.weights)
            n = n.astype(float).where(~weighted, group[f"n_eff_{metric}"].astype(float))
            promoters = promoters.astype(float).where(~weighted, group.promoter_share * n)
            detractors = detractors.astype(float).where(~weighted, group.detractor_share * n)
        if len(order) < 3 or metric is None or (n < min_base).any() or (group.headline_metric != metric).any():
            rows.append({**row, "status": "not tested: needs three revisits with a base on the same metric"})
            continue
        values = group.headline_value.to_numpy(dtype=float)
        if metric == "nps":  # adjusted-Wald SE (Rocks 2016): finite even for a revisit of only promoters
            se = np.array([nps_adjusted(p, d, k)[1] for p, d, k in zip(promoters, detractors, n, strict=True)])
        else:  # binomial SE of the share; floor at half an answer so a 0% or 100% share keeps a finite weight
            p = np.clip(values, 0.5 / n, 1 - 0.5 / n)
            se = np.sqrt(p * (1 - p) / n.to_numpy(dtype=float))
        try:
            rows.append({**row, "status": "tested", **trend_test(list(values), list(se))})
        except NotTestable as why:
            rows.append({**row, "status": f"not testable: {why}"})
    out = pd.DataFrame(rows).reindex(columns=TREND_COLUMNS)
    tested = out.status == "tested"
    out.loc[tested, "q_value"] = benjamini_hochberg(out.loc[tested, "p_value"].to_numpy(dtype=float))
    out["direction"] = np.where(
        tested & (out.q_value < FDR),
        np.where(out.slope > 0, "improving", "worsening"),
        np.where(tested, "no significant trend", _NONE),
    )
    return out


def _frame_weights(con: duckdb.DuckDBPyConnection, revisit_id: str, frame: pd.DataFrame) -> np.ndarray | None:
    """The raking weights of a driver frame's rows (by response key), None when the revisit is not weighted."""
    weights = response_weights(con, revisit_id)
    return None if weights is None else weights.reindex(frame.index).fillna(0.0).to_numpy(dtype=np.float64)


def importance_change(
    con: duckdb.DuckDBPyConnection, revisit_a: str, revisit_b: str, frames: DriverFrames | None = None
) -> pd.DataFrame:
    """Change in LMG importance per touchpoint from a to b, with a bootstrap percentile interval.

    Computed from the respondent-level data under the journey in force. The interval is per touchpoint
    and not adjusted for multiplicity: with many touchpoints, read an interval that excludes zero as a
    lead to check, not as proof. Importance moves slowly and its intervals are wide; most changes are
    not distinguishable from noise with a few hundred respondents per revisit. ``frames``: the score step's
    shared driver frames (None: read here).
    """
    min_pairs, n_resamples, seed = importance_settings(con)
    both = (frames or DriverFrames()).of(con, [revisit_a, revisit_b])  # one pass for both
    frame_a, frame_b = both[revisit_a], both[revisit_b]
    drivers = sorted(set(model_drivers(frame_a, min_pairs)) & set(model_drivers(frame_b, min_pairs)))
    if len(drivers) < 2:
        return pd.DataFrame(columns=IMPORTANCE_CHANGE_COLUMNS)
    try:
        out = bootstrap_difference(
            frame_a,
            frame_b,
            "outcome",
            drivers,
            n_resamples=n_resamples,
            seed=seed,
            min_pairs=min_pairs,
            weights_a=_frame_weights(con, revisit_a, frame_a),
            weights_b=_frame_weights(con, revisit_b, frame_b),
        )
    except NotEstimable:
        return pd.DataFrame(columns=IMPORTANCE_CHANGE_COLUMNS)
    out = out.rename(columns={"driver": "touchpoint_id"}).assign(revisit_a=revisit_a, revisit_b=revisit_b)
    return out[IMPORTANCE_CHANGE_COLUMNS]


def update_revisits(con: duckdb.DuckDBPyConnection, frames: DriverFrames | None = None) -> dict[str, int]:
    """Snapshot every revisit with data, then rebuild the comparison marts (consecutive pairs, trends,
    importance change of the latest against the previous revisit; ``frames``: the driver frames the marts read)."""
    taken = sum(snapshot_revisit(con, r)[1] for r in revisits_with_data(con))
    min_base = con.execute("SELECT min_base FROM core.journey").fetchall()[0][0]
    snap = snapshots(con)
    order = computed_revisits(con)
    pairs = list(itertools.pairwise(order))
    sources = {
        (row.revisit_id, row.touchpoint_id): list(row.sources)
        for row in query(con, "analytics/touchpoint_sources").itertuples()
    }
    tables = {
        "changes_df": pd.concat(
            [compare_revisits(snap, a, b, min_base, sources) for a, b in pairs]
            or [pd.DataFrame(columns=CHANGE_COLUMNS)],
            ignore_index=True,
        ),
        "migrations_df": pd.concat(
            [quadrant_migrations(snap, a, b) for a, b in pairs] or [pd.DataFrame(columns=MIGRATION_COLUMNS)],
            ignore_index=True,
        ),
        "trends_df": revisit_trends(snap, min_base) if order else pd.DataFrame(columns=TREND_COLUMNS),
        "importance_changes_df": importance_change(con, *pairs[-1], frames)
        if pairs
        else pd.DataFrame(columns=IMPORTANCE_CHANGE_COLUMNS),
    }
    for name, table in tables.items():
        con.register(name, table)
    run_sql(con, "marts/revisit_changes")
    for name in tables:
        con.unregister(name)
    return {"snapshots_taken": taken, **{name.removesuffix("_df"): len(t) for name, t in tables.items()}}
