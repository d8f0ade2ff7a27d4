"""Publish a read-only copy of the database and Parquet exports of the marts for the data team, as one step.

DuckDB allows one writer per file and a reader blocks a writer, so nothing but the pipeline opens the working
database: readers (the CLI's read commands, notebooks, the data team) open the published copy.

Layout, for the working database data/cjx.duckdb:

    data/published                  -> .published.d/20261201T060012-1234   (a symbolic link: what readers open)
    data/.published.d/20261201T060012-1234/cjx.duckdb                      (the database, checkpointed copy)
                                          /parquet/<mart>.parquet          (every mart)
                                          /manifest.json                   (run, DuckDB version, storage version)

Each publish writes a new version folder, complete, then swaps the link to it with one rename (os.replace of a
symlink is atomic), so a reader sees the old database and Parquet files or the new ones, never a mix, and a query
left open keeps reading the files it opened. Every other version folder (the one replaced, and anything a killed
or failed publish left) is removed by the next publish and at the start of every run (`clean_published`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import duckdb

from cjx.store.db import connect, quote_ident

MANIFEST = "manifest.json"


def published_dir(db_path: Path) -> Path:
    """Where readers find the copy: $CJX_PUBLISHED, else published/ beside the database."""
    return Path(os.environ.get("CJX_PUBLISHED") or db_path.parent / "published")


def published_database(db_path: Path) -> Path:
    """The published copy of the database `db_path`: <published dir>/<db file name>."""
    return published_dir(db_path) / db_path.name


def _versions(link: Path) -> Path:
    return link.with_name(f".{link.name}.d")


def is_published(db_path: Path) -> bool:
    """A complete published copy is in place (its database and manifest are there)."""
    out = published_dir(db_path)
    return (out / db_path.name).is_file() and (out / MANIFEST).is_file()


def publish(db_path: Path, run_id: str | None = None) -> dict[str, object]:
    """Checkpoint the database; write the copy, every mart as Parquet and a manifest into a new version folder;
    swap the published link to it; remove the other versions. The database must not change meanwhile (the
    caller holds the run lock)."""
    link = published_dir(db_path)
    stamp = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%f}-{os.getpid()}"
    new = _versions(link) / stamp
    (new / "parquet").mkdir(parents=True)
    try:
        with connect(db_path) as con:
            con.execute("CHECKPOINT")
            marts = [
                r[0]
                for r in con.execute(
                    "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' "
                    "UNION SELECT view_name FROM duckdb_views() WHERE schema_name = 'marts' AND NOT internal ORDER BY 1"
                ).fetchall()
            ]
            for mart in marts:
                # COPY ... TO takes no bound parameter for its target; the path is ours, quoted as a string literal.
                target = str(new / "parquet" / f"{mart}.parquet").replace("'", "''")
                # COPY ... TO takes no bound parameter: the path goes in as a literal with its quotes doubled
                path = str(target).replace("'", "''")
                con.execute(f"COPY (SELECT * FROM marts.{quote_ident(mart)}) TO '{path}' (FORMAT parquet)")
            storage = _storage_version(con)
        shutil.copyfile(db_path, new / db_path.name)
        manifest = {
            "run_id": run_id,
            "published_at": f"{dt.datetime.now(dt.UTC):%Y-%m-%dT%H:%M:%SZ}",
            "database": db_path.name,
            "duckdb_version": duckdb.__version__,
            "storage_version": storage,
            "marts": marts,
        }
        (new / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        _swap(link, new)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    clean_published(db_path)
    return {
        "database": str(link / db_path.name),
        "parquet": [str(link / "parquet" / f"{m}.parquet") for m in marts],
        "storage_version": storage,
    }


def _storage_version(con: duckdb.DuckDBPyConnection) -> str | None:
    """The storage format of the working database (DuckDB 2.0 writes v2.0.0+, unreadable by DuckDB 1.x)."""
    rows = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = current_database()").fetchall()
    return rows[0][0].get("storage_version") if rows and rows[0][0] else None


def _swap(link: Path, new: Path) -> None:
    """Point `link` at `new` with one rename. A published/ folder from before versioned publishing is moved
    into the versions folder first (removed by clean_published)."""
    if link.is_dir() and not link.is_symlink():
        os.replace(link, _versions(link) / f"unversioned-{new.name}")
    tmp = link.with_name(f".{link.name}.{os.getpid()}.link")
    tmp.unlink(missing_ok=True)
    os.symlink(Path(_versions(link).name) / new.name, tmp)
    os.replace(tmp, link)


def clean_published(db_path: Path) -> list[Path]:
    """Remove what no reader can reach any more: version folders the link does not point at, and links a
    killed publish left half made. Returns what was removed."""
    link = published_dir(db_path)
    versions = _versions(link)
    current = link.resolve() if link.is_symlink() else None
    removed = []
    if versions.is_dir():
        for folder in versions.iterdir():
            if folder.resolve() != current:
                shutil.rmtree(folder, ignore_errors=True) if folder.is_dir() else folder.unlink(missing_ok=True)
                removed.append(folder)
    for stale in link.parent.glob(f".{link.name}.*.link"):
        stale.unlink(missing_ok=True)
        removed.append(stale)
    return removed


def reader_database(db_path: Path) -> Path | None:
    """The file a reader (a CLI read command, a notebook) opens for the working database `db_path`: its published
    copy; or `db_path` itself when it is not a working database at all (no run lock beside it: a copy someone
    made). None when there is nothing to read yet. The working database itself is never returned: a reader
    holding it open would block the next run."""
    copy = published_database(db_path)
    if copy.is_file():
        return copy
    worked_on = db_path.with_name(db_path.name + ".run-lock").exists()
    return db_path if db_path.is_file() and not worked_on else None
