"""Build the marts: the tables people read."""

from __future__ import annotations

import duckdb

from cjx.store import run_sql

# In dependency order.
MARTS = ("touchpoint_scorecard", "revisit_headline", "data_quality")


def build_marts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rebuild every mart from core and ops; return row counts by mart."""
    counts = {}
    for mart in MARTS:
        run_sql(con, f"marts/{mart}")
        counts[mart] = con.execute(f"SELECT count(*) FROM marts.{mart}").fetchone()[0]
    return counts
