"""The small database of a given/expect test: a journey (a dict, as journey.yml holds it) written to a folder and
opened there as a workspace (migrated, journey synced), with rows put straight into core instead of ingested.

Shared by test_marts, test_mapping, test_segments_mart, test_importance_flags and test_statistics_edges, which
each build such a database around their own journey and rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import yaml

from cjx.workspace import open_workspace


def survey(questions: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    """Survey source 's' that matches no file (its rows go straight into core): respondents by e-mail, responses
    by `id`, timestamps in `at`; `more` adds or replaces keys."""
    source = {
        "id": "s",
        "kind": "survey",
        "files": "none_*.csv",
        "respondent_id": "email",
        "response_id": "id",
        "timestamp": "at",
        "questions": questions,
    }
    return {**source, **more}


def small_db(folder: Path, journey: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    """folder/journey.yml from `journey`, and a connection to folder/db.duckdb opened as its workspace."""
    (folder / "journey.yml").write_text(yaml.safe_dump(journey, sort_keys=False))
    _lj, con = open_workspace(folder / "journey.yml", folder / "db.duckdb")
    return con


def add_response(
    con: duckdb.DuckDBPyConnection,
    response_id: str,
    respondent_id: str,
    at: str,
    row_number: int = 1,
    source: str = "s",
) -> None:
    """One row of core.responses (file 'f')."""
    con.execute(
        "INSERT INTO core.responses VALUES (?, ?, ?, ?::TIMESTAMP, 'f', ?)",
        [source, response_id, respondent_id, at, row_number],
    )


def add_answer(
    con: duckdb.DuckDBPyConnection,
    response_id: str,
    column: str,
    metric: str,
    touchpoint_id: str | None,
    value: float | None,
    score: float | None,
    is_na: bool = False,
    source: str = "s",
) -> None:
    """One row of core.answers."""
    con.execute(
        "INSERT INTO core.answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [source, response_id, column, metric, touchpoint_id, value, score, is_na],
    )
