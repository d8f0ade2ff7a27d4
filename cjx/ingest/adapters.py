"""Format adapters: read one export into the temp table `landing` (row_number + every column as text)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from cjx.journey.model import Source


class FileRejected(Exception):
    """The whole file cannot be loaded; the message says why and what to do."""


def land(con: duckdb.DuckDBPyConnection, path: Path, source: Source) -> int:
    """Read `path` with the source's adapter into temp table `landing`; return the number of data rows."""
    reader = ADAPTERS[source.format]
    try:
        reader(con, path)
    except duckdb.Error as exc:
        first_line = str(exc).strip().splitlines()[0]
        raise FileRejected(f"{path.name}: cannot be read as {source.format} ({first_line})") from None
    columns = [r[0] for r in con.execute("SELECT name FROM pragma_table_info('landing')").fetchall()]
    missing = [c for c in source.columns() if c not in columns]
    if missing:
        raise FileRejected(
            f"{path.name}: missing required column(s) {missing}; the file has {columns[1:]}. "
            f"Fix the export or the column names of source {source.id!r} in the journey file."
        )
    return con.execute("SELECT count(*) FROM landing").fetchone()[0]


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    # row_number() OVER () follows file order: DuckDB preserves insertion order by default.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE landing AS "
        "SELECT row_number() OVER () AS row_number, * "
        "FROM read_csv($path, header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"')",
        {"path": str(path)},
    )


def _read_qualtrics_csv(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Qualtrics CSV: row 1 column ids, row 2 question text, row 3 {"ImportId": ...}, then responses."""
    _read_csv(con, path)
    import_row = con.execute("SELECT to_json(l) FROM landing l WHERE row_number = 2").fetchone()
    if import_row is None or '{\\"ImportId\\"' not in import_row[0]:
        raise FileRejected(
            f"{path.name}: expected a Qualtrics export with three header rows "
            '(column ids, question text, {"ImportId": ...}); the third row has no ImportId. '
            "Export again with 'Use numeric values' or declare format: csv for this source."
        )
    # Question text may span lines, so the two extra header rows are dropped as rows, not lines.
    con.execute("DELETE FROM landing WHERE row_number <= 2")
    con.execute("UPDATE landing SET row_number = row_number - 2")


ADAPTERS = {"csv": _read_csv, "qualtrics_csv": _read_qualtrics_csv}
