"""Build the segment tables in dependency order: respondent segments, the segment scorecard, importance, priority.

build_segment_tables runs first (respondent segments and weights: the journey's marts read the weights);
build_segment_marts is called by cjx.metrics.marts.build_marts after the journey's marts (it reads marts.touchpoint_scorecard and
touchpoint_reach), in the same transaction. Without declared segments the tables are built empty.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from cjx.metrics.drivers import DriverFrames
from cjx.segments.priority import segment_importance
from cjx.segments.respondents import build_respondent_segments
from cjx.segments.scorecard import segment_tests
from cjx.segments.weights import build_weights
from cjx.store import query, run_sql

SEGMENT_MARTS = ("segment_scorecard", "segment_importance", "segment_priority")


def build_segment_tables(con: duckdb.DuckDBPyConnection) -> int:
    """Rebuild core.respondent_segments and, from them, the raking weights (before any mart: the journey's marts
    read the weights); the number of weighted revisits."""
    build_respondent_segments(con)
    return build_weights(con)


def build_segment_marts(
    con: duckdb.DuckDBPyConnection,
    progress: Callable[[str], None] | None = None,
    frames: DriverFrames | None = None,
) -> dict[str, int]:
    """Rebuild the segment marts from core.respondent_segments (build_segment_tables, first); rows per mart.
    ``frames``: the score step's shared driver frames (None: read here)."""
    (min_base,) = con.execute("SELECT min_base FROM core.journey").fetchall()[0]
    cells = query(con, "segments/segment_cells")
    tests = segment_tests(cells, int(min_base))
    con.register("segment_tests_df", tests)
    try:
        run_sql(con, "marts/segment_scorecard")
    finally:
        con.unregister("segment_tests_df")
    importance = segment_importance(con, progress, frames)
    con.register("segment_importance_df", importance)
    try:
        run_sql(con, "marts/segment_importance")
    finally:
        con.unregister("segment_importance_df")
    run_sql(con, "marts/segment_priority")
    return {m: int(con.execute(f"SELECT count(*) FROM marts.{m}").fetchall()[0][0]) for m in SEGMENT_MARTS}
