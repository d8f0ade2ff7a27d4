"""Importance per segment value: the journey-level key-driver analysis on one value's respondents.

For each revisit and segment value, the rows of the revisit's driver frame (cjx.metrics.drivers.driver_frames)
whose response belongs to a respondent with that value go through cjx.metrics.drivers.revisit_importance, the
same function, guards and bootstrap as the journey's importance: a touchpoint enters only with min_driver_pairs
joint answers, the smallest pairwise n must exceed p + 10, an indefinite matrix is repaired only within the R²
tolerance, else complete cases; where nothing can be estimated the value simply has no importance rows (and its
touchpoints no priority rank). marts.segment_priority (SQL) then ranks the touchpoints within each value.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import duckdb
import numpy as np
import pandas as pd

from cjx.metrics.drivers import (
    IMPORTANCE_COLUMNS,
    DriverFrames,
    importance_settings,
    response_weights,
    revisit_importance,
)
from cjx.store import relation

log = logging.getLogger(__name__)
SEGMENT_IMPORTANCE_COLUMNS = ["segment_id", "segment_value", *IMPORTANCE_COLUMNS]


def segment_importance(
    con: duckdb.DuckDBPyConnection,
    progress: Callable[[str], None] | None = None,
    frames: DriverFrames | None = None,
) -> pd.DataFrame:
    """LMG and relative weights per revisit x segment value (where the base allows), with bootstrap intervals;
    ``frames``: the score step's shared driver frames (None: read here)."""
    say = progress or log.info
    min_pairs, n_resamples, seed = importance_settings(con)
    revisits = [r[0] for r in con.execute("SELECT revisit_id FROM core.revisits ORDER BY start_date").fetchall()]
    members = {r: _members(con, r) for r in revisits}
    members = {r: m for r, m in members.items() if m}
    by_revisit = (frames or DriverFrames()).of(con, list(members))  # one pass over the answers for every revisit
    parts = []
    for revisit, groups in members.items():
        frame = by_revisit[revisit]
        weights = response_weights(con, revisit)  # None unless the revisit is weighted
        for segment_id, value, keys in groups:
            # the members' rows by their integer key (-1: not an outcome-survey response with an outcome answer),
            # in the frame's order, as a mask over it would keep them
            at = frame.index.get_indexer(keys)
            seen = np.zeros(len(frame), dtype=bool)
            seen[at[at >= 0]] = True
            rows = frame.iloc[np.flatnonzero(seen)]
            if len(rows) <= min_pairs:  # cannot pass the guards: skip the bootstrap's setup
                continue
            result = revisit_importance(
                rows, revisit, min_pairs=min_pairs, n_resamples=n_resamples, seed=seed, weights=weights
            )
            if len(result):
                say(f"segment importance {revisit} {segment_id}={value}: {len(rows):,} respondents")
                parts.append(result.assign(segment_id=segment_id, segment_value=value))
    if not parts:
        return pd.DataFrame(columns=SEGMENT_IMPORTANCE_COLUMNS)
    return pd.concat(parts, ignore_index=True)[SEGMENT_IMPORTANCE_COLUMNS]


def _members(con: duckdb.DuckDBPyConnection, revisit_id: str) -> list[tuple[str, str, np.ndarray]]:
    """(segment, value, its responses' keys) of one revisit, by segment and value (segments/response_segments.sql)."""
    table = relation(con, "segments/response_segments", {"revisit_id": revisit_id}).to_arrow_table()
    groups = [
        (segment_id, value, table["response_keys"][i].values.to_numpy())
        for i, (segment_id, value) in enumerate(
            zip(table["segment_id"].to_pylist(), table["segment_value"].to_pylist(), strict=True)
        )
    ]
    return sorted(groups, key=lambda g: (g[0], g[1]))
