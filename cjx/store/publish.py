"""Publish a read-only copy of the database and Parquet exports of the marts for the data team.

DuckDB allows one writer per file and a reader blocks a writer, so the data team never opens the
working database: they read a copy replaced atomically (os.replace) at the end of each run. A query
left open on the old copy keeps reading the old file; the next run is not blocked by it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from cjx.store.db import connect, quote_ident


def published_dir(db_path: Path) -> Path:
    """Where the copy goes: $CJX_PUBLISHED, else published/ beside the database."""
    return Path(os.environ.get("CJX_PUBLISHED") or db_path.parent / "published")


def publish(db_path: Path, out_dir: Path | None = None) -> dict[str, object]:
    """Checkpoint the database, copy it to <out>/cjx.duckdb atomically, and export every mart to Parquet."""
    out = out_dir or published_dir(db_path)
    (out / "parquet").mkdir(parents=True, exist_ok=True)
    con = connect(db_path)
    try:
        con.execute("CHECKPOINT")
        marts = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' "
                "UNION SELECT view_name FROM duckdb_views() WHERE schema_name = 'marts' AND NOT internal ORDER BY 1"
            ).fetchall()
        ]
        for mart in marts:
            _export_parquet(con, mart, out / "parquet" / f"{mart}.parquet")
    finally:
        con.close()
    target = out / db_path.name
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.copyfile(db_path, tmp)
    os.replace(tmp, target)
    return {"database": str(target), "parquet": [str(out / "parquet" / f"{m}.parquet") for m in marts]}


def _export_parquet(con: duckdb.DuckDBPyConnection, mart: str, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    con.execute(f"COPY (SELECT * FROM marts.{quote_ident(mart)}) TO '{_sql_path(tmp)}' (FORMAT parquet)")
    os.replace(tmp, path)


def _sql_path(path: Path) -> str:
    # COPY ... TO takes no bound parameter for its target; the path is ours, quoted as a string literal.
    return str(path).replace("'", "''")
