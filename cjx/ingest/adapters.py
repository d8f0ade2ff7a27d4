"""Read one export into the temp table `landing`: pick the format adapter, check the columns (column_map included)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from cjx.ingest.detect import detect_format
from cjx.ingest.errors import FileRejected
from cjx.ingest.explain import with_detected
from cjx.ingest.formats import ADAPTERS
from cjx.ingest.headers import expect_columns
from cjx.ingest.landing import Landed
from cjx.ingest.roles import RESPONDENT_COPY, respondent_column
from cjx.ingest.staging import raw_names_for
from cjx.journey.model import Source
from cjx.store import quote_ident

__all__ = ["ADAPTERS", "FileRejected", "Landed", "land", "resolve_format"]


def resolve_format(path: Path, source: Source) -> str:
    """The declared format, or the one detected from the file when the source says auto."""
    if source.format != "auto":
        return source.format
    return detect_format(path, source.locale.encoding, source.locale.delimiter, source.locale.quote)


def land(con: duckdb.DuckDBPyConnection, path: Path, source: Source) -> Landed:
    """Read `path` with the source's adapter into temp table `landing`; raise FileRejected if it cannot be used."""
    fmt: str | None = None
    try:
        fmt = resolve_format(path, source)
        landed = _land_as(con, path, source, fmt)
    except FileRejected as exc:  # every file-level rejection says what was detected (cjx.ingest.explain)
        raise FileRejected(with_detected(str(exc), path, source, fmt)) from None
    return landed


def _land_as(con: duckdb.DuckDBPyConnection, path: Path, source: Source, fmt: str) -> Landed:
    expected = [raw for c in source.columns() for raw in raw_names_for(source, c)]
    try:
        with expect_columns(expected):
            landed = ADAPTERS[fmt](con, path, source)
    except duckdb.Error as exc:
        first_line = str(exc).strip().splitlines()[0]
        raise FileRejected(f"{path.name}: cannot be read as {fmt} ({first_line})") from None
    except (UnicodeDecodeError, OSError) as exc:
        raise FileRejected(f"{path.name}: cannot be read as {fmt} ({type(exc).__name__}: {exc})") from None
    landed.format = fmt
    if source.column_map:
        _check_renames(path, source, landed)
    missing = [c for c in source.columns() if not any(raw in landed.columns for raw in raw_names_for(source, c))]
    if missing:
        raise FileRejected(
            f"{path.name}: missing required column(s) {missing}; the file has {landed.columns}. "
            f"Fix the export or the column names of source {source.id!r} in the journey file."
        )
    if respondent_column(source) == RESPONDENT_COPY:
        _copy_respondent(con, source, landed)
    return landed


def _copy_respondent(con: duckdb.DuckDBPyConnection, source: Source, landed: Landed) -> None:
    """The respondent column is also the timestamp: land a copy for the respondent (pseudonymised in raw), so the
    time itself stays readable (cjx.ingest.roles). `landing` becomes a view over the adapter's `landing_base`."""
    column = next(raw for raw in raw_names_for(source, source.respondent_id) if raw in landed.columns)
    kind = con.execute(
        "SELECT 'VIEW' FROM duckdb_views() WHERE temporary AND view_name = 'landing' "
        "UNION ALL SELECT 'TABLE' FROM duckdb_tables() WHERE temporary AND table_name = 'landing'"
    ).fetchall()[0][0]
    con.execute(f"ALTER {kind} landing RENAME TO landing_base")
    con.execute(
        f"CREATE TEMP VIEW landing AS SELECT *, {quote_ident(column)} AS {quote_ident(RESPONDENT_COPY)} "
        "FROM landing_base"
    )
    landed.columns.append(RESPONDENT_COPY)


def _check_renames(path: Path, source: Source, landed: Landed) -> None:
    """column_map (file name -> configured name) is applied by staging; a file holding both names is ambiguous."""
    for old, new in source.column_map.items():
        if old != new and old in landed.columns and new in landed.columns:
            raise FileRejected(
                f"{path.name}: column_map renames {old!r} to {new!r}, but the file already has a "
                f"column {new!r}. Fix column_map of source {source.id!r}."
            )
