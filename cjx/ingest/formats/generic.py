"""Generic exports: CSV/TSV, XLSX (header in row 1), Parquet and JSON records, renamed by the source's column_map."""

from __future__ import annotations

from pathlib import Path

import duckdb

from cjx.ingest.detect import load_json
from cjx.ingest.errors import FileRejected
from cjx.ingest.formats.delimited import land_delimited
from cjx.ingest.formats.excel import xlsx_rows
from cjx.ingest.landing import Landed, finish_landing, land_frame
from cjx.journey.model import Source


def land_csv(con: duckdb.DuckDBPyConnection, path: Path, source: Source) -> Landed:
    return land_delimited(con, path, source.locale)


def land_xlsx(con: duckdb.DuckDBPyConnection, path: Path, source: Source, header_rows: int = 1) -> Landed:
    rows = xlsx_rows(path)
    if len(rows) < header_rows:
        raise FileRejected(f"{path.name}: the first worksheet has no header row. Put column names in row 1.")
    landed = land_frame(con, path, rows[0], rows[header_rows:])
    landed.excel_dates = True
    return landed


def land_parquet(con: duckdb.DuckDBPyConnection, path: Path, source: Source) -> Landed:
    try:
        # Text like a CSV export: timestamps as ISO-8601, numbers as written by DuckDB.
        con.execute("CREATE OR REPLACE TEMP TABLE landing AS SELECT row_number() OVER () AS row_number, "
                    "COLUMNS(*)::VARCHAR FROM read_parquet($p)", {"p": str(path)})
    except duckdb.Error as exc:
        raise FileRejected(f"{path.name}: not a readable Parquet file ({str(exc).splitlines()[0]}); "
                           "it may be truncated. Export it again.") from None
    con.execute("DROP TABLE IF EXISTS malformed")
    return finish_landing(con, path)


def flatten(record: dict, prefix: str = "") -> dict[str, object]:
    """Nested objects become dotted columns (person_properties.order_id); lists stay JSON text."""
    import json

    out: dict[str, object] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        elif isinstance(value, list):
            out[name] = json.dumps(value, ensure_ascii=False)
        else:
            out[name] = value
    return out


def land_records(con: duckdb.DuckDBPyConnection, path: Path, records: list) -> Landed:
    """JSON records (objects) into landing: columns in order of first appearance."""
    bad = next((i for i, r in enumerate(records) if not isinstance(r, dict)), None)
    if bad is not None:
        raise FileRejected(f"{path.name}: record {bad + 1} is not a JSON object; expected a list of objects.")
    flat = [flatten(r) for r in records]
    header = list(dict.fromkeys(k for r in flat for k in r))
    return land_frame(con, path, header, [[r.get(k) for k in header] for r in flat])


def land_json(con: duckdb.DuckDBPyConnection, path: Path, source: Source) -> Landed:
    data = load_json(path)
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise FileRejected(f"{path.name}: expected a JSON list of records, or an object holding one list; "
                               f"found keys {sorted(data)[:10]}.")
        data = lists[0]
    if not isinstance(data, list):
        raise FileRejected(f"{path.name}: expected a JSON list of records.")
    return land_records(con, path, data)
