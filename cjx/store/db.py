"""Open the database, apply migrations once, and run SQL files from sql/."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

SQL_DIR = Path(__file__).resolve().parents[1] / "sql"
DEFAULT_MEMORY_LIMIT = "192MB"  # $CJX_DUCKDB_MEMORY overrides
MIGRATIONS = SQL_DIR / "migrations"


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the database file, with UTC as the session time zone."""
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    con.execute("SET TimeZone = 'UTC'")
    # DuckDB's buffer pool, not the whole process: big exports stream and spill to <db>.tmp beyond it.
    con.execute("SET memory_limit = ?", [os.environ.get("CJX_DUCKDB_MEMORY", DEFAULT_MEMORY_LIMIT)])
    return con


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the migrations in sql/migrations not yet recorded in ops.schema_migrations; return their names."""
    con.execute("CREATE SCHEMA IF NOT EXISTS ops")
    con.execute(
        "CREATE TABLE IF NOT EXISTS ops.schema_migrations "
        "(migration VARCHAR PRIMARY KEY, applied_at TIMESTAMP DEFAULT (now() AT TIME ZONE 'UTC'))"
    )
    done = {row[0] for row in con.execute("SELECT migration FROM ops.schema_migrations").fetchall()}
    applied = []
    for path in sorted(MIGRATIONS.glob("*.sql")):
        if path.stem in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(path.read_text())
            con.execute("INSERT INTO ops.schema_migrations (migration) VALUES (?)", [path.stem])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(path.stem)
    return applied


def run_sql(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> None:
    """Run every statement of sql/<name>.sql, binding the named parameters ($name) each one uses."""
    params = params or {}
    for statement in duckdb.extract_statements((SQL_DIR / f"{name}.sql").read_text()):
        missing = statement.named_parameters - params.keys()
        if missing:
            raise KeyError(f"sql/{name}.sql needs parameters {sorted(missing)}")
        con.execute(statement, {k: params[k] for k in statement.named_parameters})


def query(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run the single SELECT in sql/<name>.sql with named parameters and return the result as a frame."""
    (statement,) = duckdb.extract_statements((SQL_DIR / f"{name}.sql").read_text())
    params = params or {}
    missing = statement.named_parameters - params.keys()
    if missing:
        raise KeyError(f"sql/{name}.sql needs parameters {sorted(missing)}")
    return con.execute(statement, {k: params[k] for k in statement.named_parameters}).df()


def quote_ident(name: str) -> str:
    """Quote a column or table name from config or a file header for use in DuckDB SQL."""
    if "\x00" in name:
        raise ValueError(f"identifier {name!r} contains a NUL byte")
    return '"' + name.replace('"', '""') + '"'
