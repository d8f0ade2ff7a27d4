"""Read one export into the temp table `landing`: pick the format adapter, rename by column_map, check columns."""

from __future__ import annotations

from pathlib import Path

import duckdb

from cjx.ingest.detect import detect_format
from cjx.ingest.errors import FileRejected
from cjx.ingest.formats import ADAPTERS
from cjx.ingest.landing import Landed
from cjx.journey.model import Source
from cjx.store import quote_ident

__all__ = ["ADAPTERS", "FileRejected", "Landed", "land", "resolve_format"]


def resolve_format(path: Path, source: Source) -> str:
    """The declared format, or the one detected from the file when the source says auto."""
    if source.format != "auto":
        return source.format
    return detect_format(path, source.locale.encoding, source.locale.delimiter)


def land(con: duckdb.DuckDBPyConnection, path: Path, source: Source) -> Landed:
    """Read `path` with the source's adapter into temp table `landing`; raise FileRejected if it cannot be used."""
    fmt = resolve_format(path, source)
    try:
        landed = ADAPTERS[fmt](con, path, source)
    except duckdb.Error as exc:
        first_line = str(exc).strip().splitlines()[0]
        raise FileRejected(f"{path.name}: cannot be read as {fmt} ({first_line})") from None
    except (UnicodeDecodeError, OSError) as exc:
        raise FileRejected(f"{path.name}: cannot be read as {fmt} ({type(exc).__name__}: {exc})") from None
    landed.format = fmt
    if source.column_map:
        _rename(con, path, source, landed)
    missing = [c for c in source.columns() if c not in landed.columns]
    if missing:
        raise FileRejected(
            f"{path.name}: missing required column(s) {missing}; the file has {landed.columns}. "
            f"Fix the export or the column names of source {source.id!r} in the journey file."
        )
    return landed


def _rename(con: duckdb.DuckDBPyConnection, path: Path, source: Source, landed: Landed) -> None:
    """Apply the source's column_map (file name -> configured name); a clash with an existing column rejects."""
    for old, new in source.column_map.items():
        if old not in landed.columns or old == new:
            continue
        if new in landed.columns:
            raise FileRejected(f"{path.name}: column_map renames {old!r} to {new!r}, but the file already has a "
                               f"column {new!r}. Fix column_map of source {source.id!r}.")
        con.execute(f"ALTER TABLE landing RENAME COLUMN {quote_ident(old)} TO {quote_ident(new)}")
        landed.columns[landed.columns.index(old)] = new
        if landed.partial and landed.partial[0] == old:
            landed.partial = (new, landed.partial[1])
        if landed.non_response and landed.non_response[0] == old:
            landed.non_response = (new, landed.non_response[1])
