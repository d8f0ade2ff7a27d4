"""Build the marts: map answers to touchpoints, SQL marts, key-driver analysis, then priority."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
from duckdb.func import FunctionNullHandling
from scipy import stats

from cjx.comments.score import build_comment_marts
from cjx.metrics.drivers import DriverFrames, compute_drivers
from cjx.segments.build import build_segment_marts, build_segment_tables
from cjx.store import run_sql

# In dependency order: mapping first, marts that read other marts last.
MAPPING = ("mapping/response_touchpoints",)
SQL_MARTS = (
    "touchpoint_scorecard",
    "revisit_headline",
    "outcome_behaviour",
    "touchpoint_reach",
    "journey_paths",
    "unmapped_responses",
    "blind_spots",
    "data_quality",
)
# re-estimated in place on the weighted revisits when the journey declares weighting: (cjx.segments.weights)
WEIGHTED_MARTS = {"touchpoint_scorecard": "weighted_scorecard", "revisit_headline": "weighted_headline"}
# written by sql/marts/touchpoint_importance.sql
DRIVER_MARTS = ("touchpoint_importance", "measure_effects", "measure_bands")
PRIORITY_MARTS = ("touchpoint_priority",)
# written by cjx.comments.score.build_comment_marts (sql/marts/comment_themes.sql, theme_changes.sql)
COMMENT_MARTS = ("comment_themes", "theme_changes")


def t_quantile(p: float, df: float | None) -> float | None:
    """Student t quantile, for t intervals of means in SQL."""
    return float(stats.t.ppf(p, df)) if df is not None and df >= 1 else None


def register_functions(con: duckdb.DuckDBPyConnection) -> None:
    """Make the Python functions the mart SQL uses available on this connection."""
    if con.execute("SELECT 1 FROM duckdb_functions() WHERE function_name = 't_quantile'").fetchall():
        return
    con.create_function(
        "t_quantile", t_quantile, ["DOUBLE", "DOUBLE"], "DOUBLE", null_handling=FunctionNullHandling.SPECIAL
    )


def map_touchpoints(con: duckdb.DuckDBPyConnection) -> None:
    """Resolve the touchpoint of every answer from the journey in force (core.answer_touchpoints)."""
    for name in MAPPING:
        run_sql(con, name)


def build_marts(
    con: duckdb.DuckDBPyConnection,
    progress: Callable[[str], None] | None = None,
    frames: DriverFrames | None = None,
) -> dict[str, int]:
    """Map touchpoints, rebuild the marts from core and ops, run the key-driver analysis; return row counts.
    ``progress`` hears the key-driver analysis per revisit and per batch of resamples (default: the log);
    ``frames`` keeps the driver frames read here for the rest of the score step (cjx.metrics.revisits)."""
    frames = frames or DriverFrames()
    register_functions(con)
    map_touchpoints(con)
    weighted = build_segment_tables(con)  # respondent segments and raking weights (cjx.segments.weights)
    for mart in SQL_MARTS:
        run_sql(con, f"marts/{mart}")
        if weighted and mart in WEIGHTED_MARTS:
            run_sql(con, f"marts/{WEIGHTED_MARTS[mart]}")
    importance, effects, bands = compute_drivers(con, progress, frames)
    con.register("importance_df", importance)
    con.register("effects_df", effects)
    con.register("bands_df", bands)
    run_sql(con, "marts/touchpoint_importance")
    for name in ("importance_df", "effects_df", "bands_df"):
        con.unregister(name)
    for mart in PRIORITY_MARTS:
        run_sql(con, f"marts/{mart}")
    build_comment_marts(con)
    # reads the scorecard and reach: after them (cjx.segments.build)
    segments = build_segment_marts(con, progress, frames)
    return {
        mart: con.execute(f"SELECT count(*) FROM marts.{mart}").fetchall()[0][0]
        for mart in SQL_MARTS + DRIVER_MARTS + PRIORITY_MARTS + COMMENT_MARTS
    } | segments
