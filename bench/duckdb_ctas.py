"""DuckDB's own CSV load, the ceiling for `make bench`: CREATE TABLE t AS SELECT * FROM read_csv(PATH) into DB.

    .venv/bin/python bench/duckdb_ctas.py PATH DB

DB must not exist yet (every measured run gets a fresh database file). Prints the row count loaded.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path, db = args
    if Path(db).exists():
        print(f"error: {db} exists; the benchmark loads into a fresh database file", file=sys.stderr)
        return 2
    con = duckdb.connect(db)
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [path])
    rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    con.close()
    print(f"duckdb ctas: {rows} rows into {db}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
