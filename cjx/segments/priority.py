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
from cjx.store import query

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
    members = {r: query(con, "segments/response_segments", {"revisit_id": r}) for r in revisits}
    members = {r: m for r, m in members.items() if not m.empty}
    by_revisit = (frames or DriverFrames()).of(con, list(members))  # one pass over the answers for every revisit
    parts = []
    for revisit, revisit_members in members.items():
        frame = by_revisit[revisit]
        weights = response_weights(con, revisit)  # None unless the revisit is weighted
        # each member's row in the frame, found once per revisit by its integer key (-1: not an outcome-survey
        # response with an outcome answer), rather than an isin over the frame's index per segment value
        at = frame.index.get_indexer(revisit_members["response_key"])
        for (segment_id, value), positions in pd.Series(at, index=revisit_members.index).groupby(
            [revisit_members["segment_id"], revisit_members["segment_value"]], sort=True
        ):
            kept = positions.to_numpy()
            rows = frame.iloc[np.unique(kept[kept >= 0])]  # the frame's order, as a mask over it would keep
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
