"""Open the database for a journey: migrated, with the journey file in force synced into core."""

from __future__ import annotations

from pathlib import Path

import duckdb

from cjx.journey import LoadedJourney, load_journey
from cjx.journey.sync import sync_journey
from cjx.store import connect, migrate


def open_workspace(journey_path: str | Path, db_path: str | Path) -> tuple[LoadedJourney, duckdb.DuckDBPyConnection]:
    """Load and validate the journey, open the database, apply migrations and sync the journey tables."""
    lj = load_journey(journey_path)
    con = connect(db_path)
    migrate(con)
    sync_journey(con, lj)
    return lj, con


def revisits_with_data(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Revisit ids that have at least one response, oldest first."""
    return [r[0] for r in con.execute(
        "SELECT revisit_id FROM marts.touchpoint_scorecard GROUP BY revisit_id, revisit_start "
        "HAVING sum(n_responses) > 0 ORDER BY revisit_start"
    ).fetchall()]
