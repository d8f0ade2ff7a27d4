"""Build the marts: map answers to touchpoints, then the tables people read."""

from __future__ import annotations

import duckdb
from scipy import stats

from cjx.store import run_sql

# In dependency order: mapping first, marts that read other marts last.
MAPPING = ("mapping/response_touchpoints",)
MARTS = ("touchpoint_scorecard", "revisit_headline", "data_quality")


def t_quantile(p: float, df: float) -> float | None:
    """Student t quantile, for t intervals of means in SQL."""
    return float(stats.t.ppf(p, df)) if df is not None and df >= 1 else None


def register_functions(con: duckdb.DuckDBPyConnection) -> None:
    """Make the Python functions the mart SQL uses available on this connection."""
    if con.execute("SELECT 1 FROM duckdb_functions() WHERE function_name = 't_quantile'").fetchall():
        return
    con.create_function("t_quantile", t_quantile, ["DOUBLE", "DOUBLE"], "DOUBLE", null_handling="special")


def map_touchpoints(con: duckdb.DuckDBPyConnection) -> None:
    """Resolve the touchpoint of every answer from the journey in force (core.answer_touchpoints)."""
    for name in MAPPING:
        run_sql(con, name)


def build_marts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Map touchpoints, then rebuild every SQL mart from core and ops; return row counts by mart."""
    register_functions(con)
    map_touchpoints(con)
    counts = {}
    for mart in MARTS:
        run_sql(con, f"marts/{mart}")
        counts[mart] = con.execute(f"SELECT count(*) FROM marts.{mart}").fetchall()[0][0]
    return counts
