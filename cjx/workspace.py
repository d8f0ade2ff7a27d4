"""Open the database for a journey: migrated, with the journey file in force synced into core."""

from __future__ import annotations

from pathlib import Path

import duckdb

from cjx.journey import LoadedJourney, load_journey
from cjx.journey.sync import sync_journey
from cjx.segments.sync import sync_segments
from cjx.store import connect, migrate


def open_database(lj: LoadedJourney, db_path: str | Path) -> duckdb.DuckDBPyConnection:
    """Open the database, apply migrations and sync the journey tables from the loaded journey."""
    con = connect(db_path)
    try:
        migrate(con)
        sync_journey(con, lj)
        sync_segments(con, lj.journey)
    except BaseException:
        con.close()
        raise
    return con


def open_workspace(journey_path: str | Path, db_path: str | Path) -> tuple[LoadedJourney, duckdb.DuckDBPyConnection]:
    """Load and validate the journey, open the database, apply migrations and sync the journey tables.

    (The pipeline's workspace, with reports folder and pseudonym key, is cjx.pipeline.open_workspace.)
    """
    lj = load_journey(journey_path)
    return lj, open_database(lj, db_path)


def revisits_with_data(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Revisit ids that have at least one response, oldest first."""
    return [
        r[0]
        for r in con.execute(
            "SELECT revisit_id FROM marts.touchpoint_scorecard GROUP BY revisit_id, revisit_start "
            "HAVING sum(n_responses) > 0 ORDER BY revisit_start"
        ).fetchall()
    ]
