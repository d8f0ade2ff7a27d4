"""Staging: persisted SQL over raw. Per source, views in schema `staging` turn raw rows into parsed cells,
timestamps and row checks, rendered from cjx/sql/staging/*.sql.j2 with the journey in force.

    staging."<source>__cells"       every non-blank declared cell, parsed (number, N/A)
    staging."<source>__timestamps"  per raw row: ids, recorded time in UTC, DST flags
    staging."<source>__row_checks"  per raw row: the reason it cannot be loaded (NULL when it can) and a message
    staging."<source>__row_fate"    per raw row: loaded, quarantined or duplicate over all of raw (latest wins)

DuckDB views hold no bound parameters, so a source's settings (time zone, formats, separators) are written
into the view as literals quoted by `sql_literal` and column names by `quote_ident`: the one place where
values from the journey file become SQL text (see ARCHITECTURE.md, "SQL").
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import duckdb
import jinja2

from cjx.ingest.codebook import codebook_labels
from cjx.ingest.locale import DEFAULT_FORMATS, EXCEL_SERIAL, UNIX_SECONDS, declared_timezone, number_params
from cjx.ingest.roles import fixed_time_sql, respondent_column, row_key_sql, timestamp_label
from cjx.journey.model import Journey, Source
from cjx.store import SQL_DIR, quote_ident, run_sql, zstd

# raw.<source> bookkeeping columns next to the file's own columns
RAW_META = ("file_id", "row_number", "_n_fields", "_extras", "_is_partial", "_non_response", "_long_field")
VIEWS = ("cells", "timestamps", "row_checks", "row_fate")


def sql_literal(value: object) -> str:
    """A Python value as a DuckDB literal: text quoted with '' doubled, lists as typed lists, None as NULL."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(sql_literal(v) for v in value) + "]::VARCHAR[]"
    text = str(value)
    if "\x00" in text:
        raise ValueError("a literal contains a NUL byte")
    return "'" + text.replace("'", "''") + "'"


@lru_cache(maxsize=1)
def _templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(SQL_DIR / "staging"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )
    env.filters["lit"] = sql_literal
    env.filters["ident"] = quote_ident
    return env


def raw_table(source_id: str) -> str:
    return f"raw.{quote_ident(source_id)}"


def view_name(source_id: str, purpose: str) -> str:
    return f"staging.{quote_ident(f'{source_id}__{purpose}')}"


def ensure_raw_table(con: duckdb.DuckDBPyConnection, source: Source, columns: list[str]) -> None:
    """raw.<source> exists and has every column in `columns` (all text; a new file may bring new ones).

    A column whose values are mostly distinct (ids, pseudonyms, times, free text: `archive_columns`) is stored with
    ZSTD: DuckDB's default, a dictionary with FSST, spends most of such a column's load compressing it (wide.csv's
    raw insert, 1 M rows: 1.9 -> 1.4 s, at 10 MiB more). The others (answers, channels, the bookkeeping) keep
    DuckDB's own choice, which serves few distinct values best. Core's id and text columns do the same (093)."""
    table = raw_table(source.id)
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {table} (file_id VARCHAR NOT NULL, row_number BIGINT NOT NULL, "
        "_n_fields INTEGER, _extras VARCHAR[], _is_partial BOOLEAN, _non_response VARCHAR, _long_field VARCHAR)"
    )
    have = set(raw_columns(con, source.id))
    new = [c for c in dict.fromkeys(columns) if c not in have]
    if not new:
        return
    distinct, compressed = set(archive_columns(source)), zstd(con)  # "" in a file of an older storage format
    for column in new:
        clause = compressed if column in distinct else ""
        con.execute(f"ALTER TABLE {table} ADD COLUMN {quote_ident(column)} VARCHAR{clause}")


def archive_columns(source: Source) -> list[str]:
    """Raw column names whose values are mostly distinct: the response or event id, the respondent (pseudonymised),
    the timestamp, private columns and comment questions, under any name the column map gives them."""
    roles = [
        source.response_id if source.kind == "survey" else source.event_id,
        respondent_column(source),
        source.timestamp,
        *source.private_columns,
        *(q.column for q in source.questions if q.metric == "comment"),
    ]
    return [raw for c in dict.fromkeys(r for r in roles if r) for raw in raw_names_for(source, c)]


def raw_columns(con: duckdb.DuckDBPyConnection, source_id: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'raw' AND table_name = ? ORDER BY column_index",
            [source_id],
        ).fetchall()
    ]


def file_columns(con: duckdb.DuckDBPyConnection, source_id: str) -> list[str]:
    """The export's own columns kept in raw.<source> (not the bookkeeping ones)."""
    return [c for c in raw_columns(con, source_id) if c not in RAW_META]


def raw_names_for(source: Source, column: str) -> list[str]:
    """The raw (file) column names that hold the source's column `column`: column_map renames, then itself."""
    return [old for old, new in source.column_map.items() if new == column and old != column] + [column]


def identifier_columns(source: Source) -> list[str]:
    """Raw column names that hold identifiers to pseudonymise (respondent id and private columns, any file name)."""
    return [
        raw
        for c in dict.fromkeys([respondent_column(source), *source.private_columns])
        for raw in raw_names_for(source, c)
    ]


def prepare_source(
    con: duckdb.DuckDBPyConnection, journey: Journey | None, source: Source, views: tuple[str, ...] = VIEWS
) -> None:
    """Make raw.<source>, its codebook labels and its staging views current with the journey in force. `views`:
    which of them (cjx.scale: a worker needs only the timestamps one, the writer renders them once a run)."""
    ensure_raw_table(
        con,
        source,
        [c for col in [*source.columns(), respondent_column(source)] for c in raw_names_for(source, col)],
    )
    sync_codebook(con, journey, source)
    create_views(con, source, views)


def sync_codebook(con: duckdb.DuckDBPyConnection, journey: Journey | None, source: Source) -> None:
    frame = codebook_labels(source, journey)
    con.execute("DELETE FROM core.codebook_labels WHERE source_id = ?", [source.id])
    if len(frame):
        con.register("codebook_labels_df", frame)
        try:
            con.execute(
                "INSERT INTO core.codebook_labels SELECT ?, column_name, label, score, is_na FROM codebook_labels_df",
                [source.id],
            )
        finally:
            con.unregister("codebook_labels_df")


def create_views(con: duckdb.DuckDBPyConnection, source: Source, views: tuple[str, ...] = VIEWS) -> None:
    for purpose in views:
        con.execute(render(con, source, purpose))


def render(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    purpose: str,
    names: dict[str, str] | None = None,
    create: str = "CREATE OR REPLACE VIEW",
    cells: str = "all",
    file_filter: str | None = None,
) -> str:
    """The SQL of one staging view of `source`; `names` points view('x') elsewhere (temp relations).

    `cells` narrows the cells view to the columns one consumer reads: "rated" (answers and measures, parsed)
    or "text" (comments and mapping attributes), so a per-file pass unpivots only what it needs. `file_filter`
    (SQL over raw.<source>, e.g. one file's id as a literal) narrows the raw rows where a template reads them."""
    names = names or {}
    present = set(file_columns(con, source.id))

    def expr(column: str) -> str:
        found = [quote_ident(raw) for raw in raw_names_for(source, column) if raw in present]
        if not found:
            return "NULL::VARCHAR"
        return found[0] if len(found) == 1 else f"coalesce({', '.join(found)})"

    id_column = source.response_id if source.kind == "survey" else source.event_id
    every_cell = declared_cells(source)
    declared = declared_cells(source, cells)
    # cjx.ingest.roles: an id made from the row's cells when the export has none; a fixed date when it has no time.
    # Made from every declared cell whatever `cells` narrows to, so each view gives a row the same id.
    id_expr = expr(id_column) if id_column is not None else row_key_sql(source.columns() + every_cell, expr)
    fixed_time = fixed_time_sql(source)
    timestamp_expr = sql_literal(fixed_time) if fixed_time is not None else expr(source.timestamp or "")
    formats = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT format FROM raw.files WHERE source_id = ? ORDER BY 1", [source.id]
        ).fetchall()
    ]
    context = {
        "later_wins": source.duplicates == "latest",
        "view": lambda purpose_: names.get(purpose_, view_name(source.id, purpose_)),
        "raw_table": raw_table(source.id),
        "source_id": source.id,
        "cells": [{"name": c, "expr": expr(c)} for c in dict.fromkeys(declared)],
        "measures": list(source.measures),
        "attributes": [source.touchpoint_by.column] if source.touchpoint_by else [],
        "touchpoint_id": source.touchpoint,
        "id_expr": id_expr,
        "file_filter": file_filter,
        "respondent_expr": expr(respondent_column(source)),
        "timestamp_expr": timestamp_expr,
        "id_column": id_column or "response id (made from the row)",
        "respondent_column": source.respondent_id,
        "timestamp_column": timestamp_label(source),
        **zone_params(con, source),
        "branches": [_branch([], None, [])] if fixed_time is not None else timestamp_branches(source, formats),
        **number_params(source),
    }
    sql = _templates().get_template(f"{purpose}.sql.j2").render(**context)
    return sql.replace("CREATE OR REPLACE VIEW", create, 1)


def zone_params(con: duckdb.DuckDBPyConnection, source: Source) -> dict[str, object]:
    """The zone local times are read in, as SQL: the source's declared `timezone`; else per file the zone its export
    names (raw.files.time_zone, e.g. a Qualtrics ImportId timeZone); else the journey's (which a source without one
    carries as `timezone`, cjx.journey.model), UTC by default. zone_is_utc keeps the plain path."""
    declared = declared_timezone(source)
    if declared is not None:
        return {"zone": sql_literal(declared), "zone_is_utc": declared == "UTC"}
    fallback = source.timezone
    zoned = con.execute(
        "SELECT count(*) FROM raw.files WHERE source_id = ? AND coalesce(time_zone, ?) <> ?",
        [source.id, fallback, fallback],
    ).fetchall()[0][0]
    if not zoned:
        return {"zone": sql_literal(fallback), "zone_is_utc": fallback == "UTC"}
    # a view's body takes no parameters: the fallback goes in as a literal (cjx.ingest.staging.sql_literal)
    return {"zone": f"coalesce(file_zone, {sql_literal(fallback)})", "zone_is_utc": False}


def declared_cells(source: Source, kind: str = "all") -> list[str]:
    """The source's declared cell columns: "all", "rated" (parsed: rated questions, measures), "comment" or
    "attribute" (the touchpoint_by column). Consumers still filter on the metric the cells view gives."""
    comments = [q.column for q in source.questions if q.metric == "comment"]
    attributes = [source.touchpoint_by.column] if source.touchpoint_by else []
    if kind == "rated":
        columns = [q.column for q in source.questions if q.metric != "comment"] + list(source.measures)
    elif kind == "comment":
        columns = comments
    elif kind == "attribute":
        columns = attributes
    else:
        columns = [q.column for q in source.questions] + list(source.measures) + attributes
    return list(dict.fromkeys(columns))


def timestamp_branches(source: Source, formats_present: list[str]) -> list[dict]:
    """One parsing convention per group of file formats: the declared timestamp_format for all, else per format."""
    if source.timestamp_format is not None:
        declared = source.timestamp_format
        return [_branch([declared] if isinstance(declared, str) else list(declared), None, [])]
    special = [f for f in formats_present if f in DEFAULT_FORMATS]
    branches = [_branch(DEFAULT_FORMATS[f], [f], []) for f in special]
    return branches + [_branch([], None, special)]


def _branch(formats: list[str], formats_in: list[str] | None, formats_not_in: list[str]) -> dict:
    strptime = [f for f in formats if f not in (EXCEL_SERIAL, UNIX_SECONDS)]
    serial, unix = EXCEL_SERIAL in formats, UNIX_SECONDS in formats
    unix_part = [UNIX_SECONDS] if unix else []
    expected = " or ".join(strptime + unix_part) or "ISO-8601"
    # Excel serial days only mean something in a workbook; in a CSV "45361" is not a date.
    in_workbook = " or ".join(strptime + ([EXCEL_SERIAL] if serial else []) + unix_part) or "ISO-8601"
    return {
        "formats": strptime or None,
        "serial": serial,
        "unix": unix,
        "expected": expected,
        "expected_workbook": in_workbook,
        "formats_in": formats_in,
        "formats_not_in": formats_not_in,
    }


def stage_file(con: duckdb.DuckDBPyConnection, source: Source, file_id: str) -> None:
    """Temp relations for one landed file: landed_cells, landed_comments and landed_attributes (its cells) and
    landed_rows (the fate of its rows against what core holds), plus temp view staged_raw (its raw records) for
    the quarantine. In two parts: what reads only the file's own rows (`stage_file_cells`: a worker can do it
    elsewhere, cjx.scale) and what depends on core (`stage_file_fate`)."""
    stage_file_cells(con, source, file_id)
    stage_file_fate(con, source, file_id)


def stage_file_cells(con: duckdb.DuckDBPyConnection, source: Source, file_id: str) -> None:
    """The file-local part of stage_file: temp relations landed_cells, landed_comments, landed_attributes and temp
    view staged_row_checks (the row checks of the file's rows), from raw; of core it reads only the journey tables (questions, codebook
    labels), never the loaded rows."""
    _stage_cells(con, source, file_id)
    con.execute(
        render(
            con,
            source,
            "row_checks",
            {"row_checks": "staged_row_checks", "cells": "landed_cells"},
            create="CREATE OR REPLACE TEMP VIEW",
        )
    )


def stage_file_fate(con: duckdb.DuckDBPyConnection, source: Source, file_id: str) -> None:
    """The part of stage_file that depends on core: temp table landed_rows (each row's fate against what core holds,
    from staged_row_checks) and temp view staged_raw (the file's raw records, for the quarantine)."""
    run_sql(
        con,
        "staging/file_fate",
        {"file_id": file_id, "source_id": source.id, "later_wins": source.duplicates == "latest"},
    )
    _staged_raw(con, source, file_id)


def stage_source(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """The same temp tables for every file of the source at once, with the fate of staging.<source>__row_fate."""
    _stage_cells(con, source, None)
    names = {"row_checks": "staged_row_checks", "cells": "landed_cells", "row_fate": "staged_row_fate"}
    con.execute(render(con, source, "row_checks", names, create="CREATE OR REPLACE TEMP VIEW"))
    con.execute(render(con, source, "row_fate", names, create="CREATE OR REPLACE TEMP VIEW"))
    con.execute("CREATE OR REPLACE TEMP TABLE landed_rows AS SELECT * FROM staged_row_fate")
    _staged_raw(con, source)


def _stage_cells(con: duckdb.DuckDBPyConnection, source: Source, file_id: str | None) -> None:
    """Temp view landed_cells (rated answers and measures: parsed, checked, gated; over temp tables
    landed_cell_values and landed_cell_columns) and temp views landed_comments and landed_attributes (text as
    given), from raw, for one file or for all.

    landed_cells is the cells template rendered for the rated columns only, so the rated pass does not
    unpivot comments; the text views (cjx/sql/staging/text_cells.sql.j2) read raw lean, without the number
    parsing, and are never materialised: the core load reads each once."""
    # A view holds no parameters: the file id goes in as a quoted literal (cjx.ingest.staging.sql_literal).
    one_file = f"file_id = {sql_literal(file_id)}" if file_id is not None else None
    subset = "rated" if declared_cells(source, "rated") else "all"
    con.execute(render(con, source, "cells", {"cells": "landed_cells__src"}, "CREATE OR REPLACE TEMP VIEW", subset))
    # Materialised lean: file_seq names the file (raw.files) and cell_column the declared column, in numbers; the
    # record id is kept for measures only (the row's id is in landed_rows), the cell's text only where it is not a
    # whole number on the column's scale (what a message or the gate quotes). The 6 M cells of a 200 k x 50 export
    # take 215 MiB so, not 497 (every column spelled out), in a pool of ~300 MiB; view landed_cells joins the
    # column's name, metric, touchpoint and scale back from the few rows of landed_cell_columns.
    con.execute(
        render(con, source, "cell_columns", {"cell_columns": "landed_cell_columns"}, "CREATE OR REPLACE TEMP TABLE")
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE landed_cell_values AS SELECT file_seq, row_number, "
        "CASE WHEN metric = 'measure' THEN record_id END AS record_id, cell_column, "
        # the text of a cell that is not a whole number on its scale (the row checks and the gate name it)
        "CASE WHEN number IS NULL OR number NOT BETWEEN scale_min AND scale_max OR number <> floor(number) "
        "THEN value END AS value, number, is_na "
        f"FROM landed_cells__src WHERE {one_file or 'true'} AND metric NOT IN ('comment', 'attribute')"
    )
    con.execute(
        "CREATE OR REPLACE TEMP VIEW landed_cells AS SELECT v.file_seq, v.row_number, v.record_id, "
        "c.column_name, c.metric, c.touchpoint_id, c.scale_min, c.scale_max, c.is_reversed, v.value, v.number, v.is_na "
        "FROM landed_cell_values v JOIN landed_cell_columns c USING (cell_column)"
    )
    for name, kind in (("landed_comments", "comment"), ("landed_attributes", "attribute")):
        if not declared_cells(source, kind):
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * EXCLUDE (file_id) FROM landed_cells__src WHERE false"
            )
            continue
        names = {"text_cells": f"{name}__src"}
        con.execute(render(con, source, "text_cells", names, "CREATE OR REPLACE TEMP VIEW", kind, one_file))
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * EXCLUDE (file_id) FROM {name}__src WHERE metric = '{kind}'"
        )


def _staged_raw(con: duckdb.DuckDBPyConnection, source: Source, file_id: str | None = None) -> None:
    """Temp view staged_raw: each raw row (of one file) as the record kept with a quarantined row."""
    fields = ", ".join(f"{quote_ident(c)} := {quote_ident(c)}" for c in file_columns(con, source.id))
    where = f" WHERE file_id = {sql_literal(file_id)}" if file_id else ""
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW staged_raw AS SELECT file_id, row_number, _extras AS extras, "
        f"struct_pack({fields}) AS record FROM {raw_table(source.id)}{where}"
    )


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
