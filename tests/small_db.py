"""The small database of a given/expect test: a journey (a dict, as journey.yml holds it) written to a folder and
opened there as a workspace (migrated, journey synced), with rows put straight into core instead of ingested.

Shared by test_marts, test_mapping, test_segments_mart, test_importance_flags and test_statistics_edges, which
each build such a database around their own journey and rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import yaml

from cjx.workspace import open_workspace

# core.responses without response_key, which rows put in by hand take from a sequence (migration 090)
RESPONSE_COLUMNS = "(source_id, response_id, respondent_id, responded_at, file_id, row_number)"


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
    """One row of core.responses (file 'f'; its response_key from the sequence for rows put in by hand)."""
    con.execute(
        f"INSERT INTO core.responses {RESPONSE_COLUMNS} VALUES (?, ?, ?, ?::TIMESTAMP, 'f', ?)",
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
    """One row of core.answers (its response added before)."""
    one = pd.DataFrame(
        [[source, response_id, column, metric, touchpoint_id, value, score, is_na]],
        columns=["source_id", "response_id", "column_name", "metric", "touchpoint_id", "value", "score", "is_na"],
    ).astype({"value": "float64", "score": "float64", "touchpoint_id": "object"})
    put_answers(con, one)


def put_answers(con: duckdb.DuckDBPyConnection, answers: pd.DataFrame) -> None:
    """Rows shaped as core.answers into the tables it is a view of (migration 090): their columns into
    core.answer_columns, the answers into core.answer_values under their response's key. Each answer's response
    must be in core.responses already."""
    con.register("put_answers_df", answers)
    try:
        con.execute(
            "INSERT INTO core.answer_columns "
            "SELECT (SELECT coalesce(max(column_key), 0) FROM core.answer_columns) + row_number() OVER (), * FROM ("
            "SELECT DISTINCT source_id, column_name, metric, touchpoint_id FROM put_answers_df "
            "EXCEPT SELECT source_id, column_name, metric, touchpoint_id FROM core.answer_columns)"
        )
        orphans = con.execute(
            "SELECT count(*) FROM put_answers_df ANTI JOIN core.responses USING (source_id, response_id)"
        ).fetchall()[0][0]
        assert orphans == 0, f"{orphans} answer(s) without their response in core.responses"
        con.execute(
            "INSERT INTO core.answer_values "
            "SELECT r.response_key, k.column_key, a.value, a.score, a.is_na FROM put_answers_df a "
            "JOIN core.responses r USING (source_id, response_id) "
            "JOIN core.answer_columns k ON k.source_id = a.source_id AND k.column_name = a.column_name "
            "AND k.metric = a.metric AND k.touchpoint_id IS NOT DISTINCT FROM a.touchpoint_id"
        )
    finally:
        con.unregister("put_answers_df")
