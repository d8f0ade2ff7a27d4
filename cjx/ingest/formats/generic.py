"""Generic exports: CSV/TSV, XLSX (header in row 1), Parquet and JSON records, renamed by the source's column_map."""

from __future__ import annotations

from pathlib import Path

import duckdb

from cjx.ingest.detect import is_workbook, load_json
from cjx.ingest.errors import FileRejected
from cjx.ingest.formats.delimited import land_delimited
from cjx.ingest.formats.excel import xlsx_rows
from cjx.ingest.landing import Landed, finish_landing, land_frame
from cjx.ingest.limits import check_file_name, current_limits, safe_name
from cjx.journey.model import Source


def land_csv(con: duckdb.DuckDBPyConnection, path: Path, source: Source) -> Landed:
    if is_workbook(path):  # an XLSX saved under a .csv name: read what it is, and say so
        landed = land_xlsx(con, path, source)
        landed.notes.append(f"{safe_name(path.name)}: a workbook (XLSX) by its content, read as one")
        return landed
    return land_delimited(con, path, source.locale)


def land_xlsx(con: duckdb.DuckDBPyConnection, path: Path, source: Source, header_rows: int = 1) -> Landed:
    rows = xlsx_rows(path)
    if len(rows) < header_rows:
        raise FileRejected(f"{safe_name(path.name)}: the first worksheet has no header row. Put column names in row 1.")
    landed = land_frame(con, path, rows[0], rows[header_rows:])
    landed.excel_dates = True
    return landed


def land_parquet(con: duckdb.DuckDBPyConnection, path: Path, source: Source) -> Landed:
    check_file_name(path)
    max_columns = current_limits().max_columns
    try:
        # From the footer alone: a file far wider than any export is rejected before a row is read.
        width = len(con.execute("DESCRIBE SELECT * FROM read_parquet($p)", {"p": str(path)}).fetchall())
    except duckdb.Error as exc:
        raise FileRejected(
            f"{safe_name(path.name)}: not a readable Parquet file ({_first_line(exc)}); "
            "it may be truncated. Export it again."
        ) from None
    if width > max_columns:
        raise FileRejected(
            f"{safe_name(path.name)}: {width:,} columns, more than the cap of {max_columns:,} "
            "(settings.limits.max_columns). Export only the columns you need, or raise the limit."
        )
    try:
        # Text like a CSV export: timestamps as ISO-8601, numbers as written by DuckDB.
        con.execute(
            "CREATE OR REPLACE TEMP TABLE landing AS SELECT row_number() OVER () AS row_number, "
            "COLUMNS(*)::VARCHAR FROM read_parquet($p)",
            {"p": str(path)},
        )
    except duckdb.Error as exc:
        raise FileRejected(
            f"{safe_name(path.name)}: not a readable Parquet file ({_first_line(exc)}); "
            "it may be truncated. Export it again."
        ) from None
    con.execute("DROP TABLE IF EXISTS malformed")
    return finish_landing(con, path)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return safe_name(text.splitlines()[0] if text else type(exc).__name__)


def flatten(record: dict, prefix: str = "") -> dict[str, object]:
    """Nested objects become dotted columns (person_properties.order_id); lists stay JSON text.

    Iterative, so no nesting exhausts the stack (load_json caps the depth before this sees a record).
    """
    import json

    out: dict[str, object] = {}
    stack = [(iter(record.items()), prefix)]
    while stack:
        items, pre = stack[-1]
        for key, value in items:
            name = f"{pre}{key}"
            if isinstance(value, dict):
                stack.append((iter(value.items()), name + "."))
                break
            out[name] = json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value
        else:
            stack.pop()
    return out


def land_records(con: duckdb.DuckDBPyConnection, path: Path, records: list) -> Landed:
    """JSON records (objects) into landing: columns in order of first appearance.

    A record with more fields than settings.limits.max_fields_per_row, or records bringing more columns
    between them than max_columns, reject the file: the landing would be that wide for every row.
    """
    limits = current_limits()
    name = safe_name(path.name)
    bad = next((i for i, r in enumerate(records) if not isinstance(r, dict)), None)
    if bad is not None:
        raise FileRejected(f"{name}: record {bad + 1} is not a JSON object; expected a list of objects.")
    try:
        flat = [flatten(r) for r in records]
    except RecursionError:  # a list nested past the stack inside a record (json.dumps recurses)
        raise FileRejected(f"{name}: a record is nested too deeply to store. Export the file again.") from None
    wide = next((i for i, r in enumerate(flat) if len(r) > limits.max_fields_per_row), None)
    if wide is not None:
        raise FileRejected(
            f"{name}: record {wide + 1} has {len(flat[wide]):,} fields, more than the cap of "
            f"{limits.max_fields_per_row:,} (settings.limits.max_fields_per_row). Export the file again."
        )
    header: dict[str, None] = {}
    for r in flat:
        header.update(dict.fromkeys(r))
        if len(header) > limits.max_columns:
            raise FileRejected(
                f"{name}: the records bring more than {limits.max_columns:,} distinct fields between them (the cap, "
                "settings.limits.max_columns). Export only the fields you need, or raise the limit."
            )
    columns = list(header)
    return land_frame(con, path, columns, [[r.get(k) for k in columns] for r in flat])


def land_json(con: duckdb.DuckDBPyConnection, path: Path, source: Source) -> Landed:
    data = load_json(path)
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise FileRejected(
                f"{safe_name(path.name)}: expected a JSON list of records, or an object holding one list; "
                f"found keys {sorted(data)[:10]}."
            )
        data = lists[0]
    if not isinstance(data, list):
        raise FileRejected(f"{safe_name(path.name)}: expected a JSON list of records.")
    return land_records(con, path, data)
