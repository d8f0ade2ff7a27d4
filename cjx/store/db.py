"""Open the database, apply migrations once, and run SQL files from sql/."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

SQL_DIR = Path(__file__).resolve().parents[1] / "sql"
MIGRATIONS = SQL_DIR / "migrations"

# Memory. The process (Python, pandas, great-expectations once imported, and DuckDB's buffer pool) should stay
# within $CJX_MEMORY_BUDGET MiB. DuckDB's pool gets what the budget leaves beyond the process's resident size
# (`fit_memory`, before each file), at least MIN_POOL_MIB; big exports spill to <db>.tmp beyond it.
# $CJX_DUCKDB_MEMORY (e.g. "192MB") pins the pool instead. The budget is ingest's (it streams files of any size);
# every other step (scoring's joins and window functions over all of core) gets DuckDB's own default pool, 80 % of
# RAM: `connect` resets what an earlier ingest in the same process fitted, since one process shares the instance.
DEFAULT_BUDGET_MIB = 512
MIN_POOL_MIB = 128


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the database file, with UTC as the session time zone and DuckDB's default buffer
    pool (or $CJX_DUCKDB_MEMORY); ingest narrows the pool per file with `fit_memory`."""
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    con.execute("SET TimeZone = 'UTC'")
    default_memory(con)
    return con


def default_memory(con: duckdb.DuckDBPyConnection) -> None:
    """The buffer pool for work other than ingest: $CJX_DUCKDB_MEMORY when pinned, else DuckDB's default. The
    setting is the instance's, shared by every connection of the process to the file: a scoring step after an
    ingest in the same process would otherwise run in the pool ingest fitted to its budget (and run out of memory
    on 10 M answers)."""
    pinned = os.environ.get("CJX_DUCKDB_MEMORY")
    if pinned:
        con.execute("SET memory_limit = ?", [pinned])
    else:
        con.execute("RESET memory_limit")


def fit_memory(con: duckdb.DuckDBPyConnection, *, reserve_mib: int = 0) -> int:
    """Set DuckDB's buffer pool to what the memory budget leaves beside the process as it is now, less
    `reserve_mib` (memory about to be taken outside DuckDB); return the pool in MiB. Lowering the pool makes
    DuckDB evict (spill) buffers and give the memory back, so it can be called to make room."""
    pinned = os.environ.get("CJX_DUCKDB_MEMORY")
    if pinned:
        con.execute("SET memory_limit = ?", [pinned])
        return -1
    budget = int(os.environ.get("CJX_MEMORY_BUDGET", DEFAULT_BUDGET_MIB))
    rows = con.execute("SELECT coalesce(sum(memory_usage_bytes), 0) // 1048576 FROM duckdb_memory()").fetchall()
    outside = max(0, _resident_mib() - int(rows[0][0]))
    pool = max(MIN_POOL_MIB, budget - outside - reserve_mib)
    con.execute("SET memory_limit = ?", [f"{pool}MB"])
    return pool


def _resident_mib() -> int:
    """The process's resident set now (Linux /proc; elsewhere its peak so far, which errs on the safe side)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1048576
    except (OSError, ValueError, IndexError):
        import resource
        import sys

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak // (1048576 if sys.platform == "darwin" else 1024)


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the migrations in sql/migrations not yet recorded in ops.schema_migrations; return their names."""
    con.execute("CREATE SCHEMA IF NOT EXISTS ops")
    con.execute(
        "CREATE TABLE IF NOT EXISTS ops.schema_migrations "
        "(migration VARCHAR PRIMARY KEY, applied_at TIMESTAMP DEFAULT (now() AT TIME ZONE 'UTC'))"
    )
    done = {row[0] for row in con.execute("SELECT migration FROM ops.schema_migrations").fetchall()}
    applied = []
    compressed = zstd(con)  # "" in a file of an older storage format: columns keep DuckDB's default compression
    for path in sorted(MIGRATIONS.glob("*.sql")):
        if path.stem in done:
            continue
        sql = path.read_text()
        if not compressed:
            sql = re.sub(r"\s+USING\s+COMPRESSION\s+zstd\b", "", sql, flags=re.IGNORECASE)
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO ops.schema_migrations (migration) VALUES (?)", [path.stem])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(path.stem)
    return applied


ZSTD = " USING COMPRESSION zstd"


def zstd(con: duckdb.DuckDBPyConnection) -> str:
    """`ZSTD` (a column clause) when the database file can store ZSTD-compressed text, else "": a file first written
    in a storage format before DuckDB 1.2's (an older DuckDB, or `STORAGE_VERSION 'v1.0.0'`) cannot, and keeps its
    format when DuckDB 2 opens it (ARCHITECTURE.md, "Storage")."""
    rows = con.execute(
        "SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    found = re.match(r"v(\d+)\.(\d+)", (rows[0][0] or "") if rows else "")
    return ZSTD if found and (int(found[1]), int(found[2])) >= (1, 2) else ""


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
    statement, bound = _select(name, params)
    return con.execute(statement, bound).df()


def relation(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None
) -> duckdb.DuckDBPyRelation:
    """The single SELECT in sql/<name>.sql with named parameters as a relation: its rows stream out as Arrow
    (``.to_arrow_table()``, ``.to_arrow_reader()``), where a DB-API result copies every row once more first."""
    statement, bound = _select(name, params)
    out = con.sql(statement.query, params=bound)
    assert out is not None  # a SELECT always gives a relation
    return out


def _select(name: str, params: dict[str, Any] | None) -> tuple[duckdb.Statement, dict[str, Any]]:
    """The one statement of sql/<name>.sql and the named parameters it uses (KeyError naming any missing)."""
    (statement,) = duckdb.extract_statements((SQL_DIR / f"{name}.sql").read_text())
    params = params or {}
    missing = statement.named_parameters - params.keys()
    if missing:
        raise KeyError(f"sql/{name}.sql needs parameters {sorted(missing)}")
    return statement, {k: params[k] for k in statement.named_parameters}


def quote_ident(name: str) -> str:
    """Quote a column or table name from config or a file header for use in DuckDB SQL."""
    if "\x00" in name:
        raise ValueError(f"identifier {name!r} contains a NUL byte")
    return '"' + name.replace('"', '""') + '"'
