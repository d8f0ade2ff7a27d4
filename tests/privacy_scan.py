"""Scanners for the privacy tests: look for needles (raw identifiers, erased text) and live formulas in every
kind of output cjx writes. Independent of cjx: DuckDB, pyarrow, zipfile and plain bytes."""

from __future__ import annotations

import re
import sqlite3
import zipfile
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def database_hits(path: Path, needles: list[str]) -> list[str]:
    """`schema.table.column` of every table cell (cast to text, any case) that contains a needle, and
    'file bytes' when the file itself does (deleted rows linger in free blocks)."""
    hits = []
    lowered = [n.lower() for n in needles]
    con = duckdb.connect(str(path), read_only=True)
    try:
        columns = con.execute(
            "SELECT c.schema_name, c.table_name, c.column_name FROM duckdb_columns() c JOIN duckdb_tables() t "
            "ON t.database_name = c.database_name AND t.schema_name = c.schema_name AND t.table_name = c.table_name "
            "WHERE c.database_name = current_database()"
        ).fetchall()
        for schema, table, column in columns:
            found = con.execute(
                f'SELECT count(*) FROM "{schema}"."{table}" '
                f'WHERE len(list_filter($needles, lambda n: contains(lower("{column}"::VARCHAR), n))) > 0',
                {"needles": lowered},
            ).fetchall()[0][0]
            if found:
                hits.append(f"{schema}.{table}.{column}")
    finally:
        con.close()
    hits += bytes_hits(path, needles, "file bytes")
    return hits


def bytes_hits(path: Path, needles: list[str], label: str | None = None) -> list[str]:
    """The file (label) when its bytes hold a needle in UTF-8 or UTF-16, any case."""
    data = path.read_bytes().lower()
    for n in needles:
        low = n.lower()
        if low.encode() in data or low.encode("utf-16-le") in data:
            return [f"{label or path}: {n}"]
    return []


def parquet_hits(path: Path, needles: list[str]) -> list[str]:
    table = pq.read_table(path)
    text = " ".join(str(v) for col in table.columns for v in col.to_pylist()).lower()
    return [f"{path.name}: {n}" for n in needles if n.lower() in text] + bytes_hits(path, needles)


def xlsx_texts(path: Path) -> list[str]:
    """Every XML part of a workbook, as text (cells, shared strings, formulas)."""
    with zipfile.ZipFile(path) as z:
        return [z.read(name).decode("utf-8", "replace") for name in z.namelist() if name.endswith(".xml")]


def xlsx_formulas(path: Path) -> list[str]:
    """Formula elements in the workbook's sheets (openpyxl writes <f> for a formula)."""
    return [m for text in xlsx_texts(path) for m in re.findall(r"<f[ >][^<]*", text)]


def csv_live_formulas(path: Path) -> list[str]:
    """CSV cells a spreadsheet would run: a field starting with = + - @ tab or CR (quotes stripped)."""
    import csv

    out = []
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    for row in rows:
        for cell in row:
            if cell.startswith(FORMULA_START):
                try:
                    float(cell)  # a negative number is a number, not a formula
                except ValueError:
                    out.append(cell)
    return out


def sqlite_hits(path: Path, needles: list[str]) -> list[str]:
    """Every text cell of every table of a SQLite database (Prefect's) that contains a needle."""
    hits = []
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in con.execute(f'SELECT * FROM "{table}"'):
                text = " ".join(str(v) for v in row if v is not None).lower()
                hits += [f"{table}: {n}" for n in needles if n.lower() in text]
    finally:
        con.close()
    return hits


def folder_hits(folder: Path, needles: list[str]) -> list[str]:
    """Every file under `folder` (HTML, CSV, JSON, reason files, workbooks unzipped, Parquet) holding a needle."""
    hits = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix == ".xlsx":
            text = " ".join(xlsx_texts(path)).lower()
            hits += [f"{path}: {n}" for n in needles if n.lower() in text]
        elif path.suffix == ".parquet":
            hits += parquet_hits(path, needles)
        elif path.suffix == ".duckdb":
            hits += database_hits(path, needles)
        elif path.suffix not in (".wal", ".png"):
            hits += bytes_hits(path, needles)
    return hits
