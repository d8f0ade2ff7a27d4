"""Data-team access: every mart documented, example queries answer, pseudonyms reproducible outside cjx."""

from __future__ import annotations

from contextlib import closing

import duckdb
import pytest

from cjx.metrics.glossary import schema_markdown
from cjx.privacy import pseudonymise
from cjx.store import SQL_DIR, connect, query
from tests.conftest import ROOT


def test_every_mart_and_column_is_documented(sample_run):
    db, _, _ = sample_run
    with closing(connect(db, read_only=True)) as con:
        undocumented_objects = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' AND comment IS NULL "
            "UNION ALL SELECT view_name FROM duckdb_views() WHERE schema_name = 'marts' AND NOT internal "
            "AND comment IS NULL"
        ).fetchall()
        undocumented_columns = con.execute(
            "SELECT table_name || '.' || column_name FROM duckdb_columns() "
            "WHERE schema_name = 'marts' AND comment IS NULL"
        ).fetchall()
    assert undocumented_objects == [] and undocumented_columns == []


def test_committed_schema_doc_is_current(sample_run):
    db, _, _ = sample_run
    with closing(connect(db, read_only=True)) as con:
        generated = schema_markdown(con) + "\n"
    assert (ROOT / "docs" / "schema.md").read_text() == generated, "regenerate with `make docs`"


def test_one_query_answers_which_touchpoints_of_a_stage_got_worse(sample_run):
    db, _, _ = sample_run
    with closing(connect(db, read_only=True)) as con:
        worse = query(con, "examples/touchpoints_worse_in_stage", {"stage": "Deliver"})
        none_worse = query(con, "examples/touchpoints_worse_in_stage", {"stage": "Discover"})
        for example in sorted((SQL_DIR / "examples").glob("*.sql")):
            params = {"stage": "Deliver"} if "$stage" in example.read_text() else {}
            assert not query(con, f"examples/{example.stem}", params).empty, example.name
    assert set(worse.touchpoint_name) == {"Parcel delivery"} and (worse.difference < 0).all()
    assert none_worse.empty


@pytest.mark.parametrize(
    "value", ["anna@example.dk", "  Anna@Example.DK ", "ÆBLE.ØSTERGÅRD@EXAMPLE.DK", "+45 12 34 56 78"]
)
def test_python_pseudonym_matches_the_ingest_sql(value):
    sql = duckdb.execute("SELECT left(sha256($key || lower(trim($v))), 16)", {"key": "k3y", "v": value}).fetchall()
    assert pseudonymise(value, "k3y") == sql[0][0]
