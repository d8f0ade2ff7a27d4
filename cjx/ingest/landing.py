"""The landing contract every format adapter fulfils.

Temp table (or view) `landing`: row_number (1-based data row in file order) + every column as VARCHAR, named as in the
file (trimmed). Temp table `malformed`: rows whose field count differs from the header's (text files only).
`Landed` says what the adapter learned about the rows: which column marks partial responses, which rows
are not responses at all (e.g. a CSAT survey only offered), and whether dates may be Excel serials.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from cjx.ingest.headers import resolve_names
from cjx.store import quote_ident


@dataclass
class Landed:
    rows: int
    columns: list[str]
    notes: list[str] = field(default_factory=list)
    partial: tuple[str, list[str]] | None = None  # (column, values meaning "partial response")
    non_response: tuple[str, list[str]] | None = None  # (column, values meaning "not a response")
    excel_dates: bool = False  # numbers in date columns are Excel serial days (XLSX only)
    time_zone: str | None = None  # the IANA zone the export names for the timestamp column (Qualtrics ImportId)
    format: str = "csv"


def finish_landing(con: duckdb.DuckDBPyConnection, path: Path, notes: list[str] | None = None) -> Landed:
    """Make sure `malformed` exists and count what landed."""
    con.execute(
        "CREATE TEMP TABLE IF NOT EXISTS malformed "
        "(row_number BIGINT, n_fields INTEGER, expected INTEGER, extras VARCHAR[])"
    )
    columns = [r[0] for r in con.execute("SELECT name FROM pragma_table_info('landing')").fetchall()][1:]
    rows = con.execute("SELECT count(*) FROM landing").fetchall()[0][0]
    return Landed(rows=rows, columns=columns, notes=notes or [])


def drop_landing(con: duckdb.DuckDBPyConnection) -> None:
    """Drop what an adapter left: `landing` (a table or a view over `landing_records` or `landing_base`),
    `malformed`."""
    kinds = dict(
        con.execute(
            "SELECT table_name, 'TABLE' FROM duckdb_tables() WHERE temporary UNION ALL "
            "SELECT view_name, 'VIEW' FROM duckdb_views() WHERE temporary"
        ).fetchall()
    )
    for name in ("landing", "landing_base", "landing_records", "malformed"):  # landing_base: cjx.ingest.adapters
        if name in kinds:
            con.execute(f"DROP {kinds[name]} {name}")


def land_frame(
    con: duckdb.DuckDBPyConnection, path: Path, header: Sequence[object], rows: list[list[object]]
) -> Landed:
    """Land rows read by Python (XLSX, JSON): cells become text exactly as `cell_text` renders them."""
    names = [str(h).strip() if h is not None else "" for h in header]
    names = [n or f"column_{i + 1}" for i, n in enumerate(names)]
    names, notes = resolve_names(path, names)  # duplicates and near-matches of the journey's names
    width = len(names)
    data = {f"c{i}": [cell_text(r[i]) if i < len(r) else None for r in rows] for i in range(width)}
    frame = pd.DataFrame(data, dtype="object")
    frame.insert(0, "row_number", range(1, len(rows) + 1))
    con.register("landing_frame", frame)
    try:
        select = ", ".join(f"c{i}::VARCHAR AS {quote_ident(n)}" for i, n in enumerate(names))
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE landing AS SELECT row_number::BIGINT AS row_number, {select} "
            "FROM landing_frame ORDER BY row_number"
        )
    finally:
        con.unregister("landing_frame")
    con.execute("DROP TABLE IF EXISTS malformed")
    # Rows longer than the header (XLSX cells beyond the last named column) are quarantined like text rows.
    long_rows = [
        (k + 1, len([c for c in r if c is not None]), width, [cell_text(c) for c in r[width:] if c is not None])
        for k, r in enumerate(rows)
        if any(c is not None for c in r[width:])
    ]
    con.execute("CREATE TEMP TABLE malformed (row_number BIGINT, n_fields INTEGER, expected INTEGER, extras VARCHAR[])")
    if long_rows:
        con.executemany("INSERT INTO malformed VALUES (?, ?, ?, ?)", long_rows)
    return finish_landing(con, path, notes=notes)


def cell_text(value: object) -> str | None:
    """A Python cell as the text a CSV export would hold: integers without '.0', dates in ISO-8601."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") and hasattr(value, "date") else value.isoformat()
    return str(value)
