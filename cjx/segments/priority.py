"""Importance per segment value: the journey-level key-driver analysis on one value's respondents.

For each revisit and segment value, the rows of the revisit's driver frame (cjx.metrics.drivers.driver_frame)
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
import pandas as pd

from cjx.metrics.drivers import (
    IMPORTANCE_COLUMNS,
    driver_frame,
    importance_settings,
    response_weights,
    revisit_importance,
)
from cjx.store import query

log = logging.getLogger(__name__)
SEGMENT_IMPORTANCE_COLUMNS = ["segment_id", "segment_value", *IMPORTANCE_COLUMNS]


def segment_importance(con: duckdb.DuckDBPyConnection, progress: Callable[[str], None] | None = None) -> pd.DataFrame:
    """LMG and relative weights per revisit x segment value (where the base allows), with bootstrap intervals."""
    say = progress or log.info
    min_pairs, n_resamples, seed = importance_settings(con)
    revisits = [r[0] for r in con.execute("SELECT revisit_id FROM core.revisits ORDER BY start_date").fetchall()]
    parts = []
    for revisit in revisits:
        members = query(con, "segments/response_segments", {"revisit_id": revisit})
        if members.empty:
            continue
        frame = driver_frame(con, revisit)
        weights = response_weights(con, revisit)  # None unless the revisit is weighted
        for (segment_id, value), group in members.groupby(["segment_id", "segment_value"], sort=True):
            rows = frame[frame.index.isin(group.response_id)]
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
