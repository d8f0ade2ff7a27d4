"""The raw layer: every landed row of a file, as text, in raw.<source>; how the file landed in raw.files.

raw.<source> is the durable, lossless record that staging reads and `cjx reprocess` replays: the file's own
columns (named as in the file; identifiers pseudonymised unless settings.keep_raw_identifiers), plus
row_number, the field count and extra fields of a row whose field count was wrong, and what the format
adapter knew (partial response, not a response).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from cjx.ingest.landing import Landed, drop_landing
from cjx.ingest.limits import current_limits
from cjx.ingest.staging import ensure_raw_table, identifier_columns, now, raw_table
from cjx.journey.model import Source
from cjx.store import quote_ident


def keep_raw(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    source: Source,
    file_id: str,
    landed: Landed,
    *,
    pseudonym_key: str,
    keep_raw_identifiers: bool,
) -> int:
    """Append temp tables `landing` and `malformed` to raw.<source>, record the file in raw.files; return its file_seq."""
    ensure_raw_table(con, source, landed.columns)
    secret = set() if keep_raw_identifiers else set(identifier_columns(source))
    selected = [
        f"{_pseudonymised(c) if c in secret else 'l.' + quote_ident(c)} AS {quote_ident(c)}" for c in landed.columns
    ]
    params: dict[str, object] = {"file_id": file_id, "cap": current_limits().max_field_chars, "names": landed.columns}
    if secret & set(landed.columns):
        params["key"] = pseudonym_key
    partial = "NULL"
    if landed.partial:
        partial = f"list_contains($partial_values, trim(l.{quote_ident(landed.partial[0])}))"
        params["partial_values"] = landed.partial[1]
    non_response = "NULL"
    if landed.non_response:
        col = f"trim(l.{quote_ident(landed.non_response[0])})"
        non_response = f"CASE WHEN list_contains($non_response_values, {col}) THEN {col} END"
        params["non_response_values"] = landed.non_response[1]
    # the first column longer than the cap, named from the bound list of the file's column names
    # strlen (bytes, read from the string header) bounds length (characters), so only a row with a field of
    # more than $cap bytes pays for counting characters
    long_field = (
        "CASE WHEN "
        + " OR ".join(f"strlen(l.{quote_ident(c)}) > $cap" for c in landed.columns)
        + " THEN CASE "
        + " ".join(
            f"WHEN length(l.{quote_ident(c)}) > $cap THEN $names[{i + 1}] || ' (' || "
            f"format('{{:,}}', length(l.{quote_ident(c)})) || ' characters)'"
            for i, c in enumerate(landed.columns)
        )
        + " END END"
        if landed.columns
        else "NULL"
    )
    con.execute(
        f"INSERT INTO {raw_table(source.id)} BY NAME SELECT $file_id AS file_id, l.row_number, "
        f"m.n_fields AS _n_fields, m.extras AS _extras, {partial} AS _is_partial, {non_response} AS _non_response, "
        f"{long_field} AS _long_field, "
        + ", ".join(selected)
        + " FROM landing l LEFT JOIN malformed m USING (row_number)",
        params,
    )
    header_fields = con.execute("SELECT max(expected) FROM malformed").fetchall()[0][0] or len(landed.columns)
    seq = con.execute("SELECT nextval('raw.file_seq')").fetchall()[0][0]
    con.execute(
        "INSERT OR REPLACE INTO raw.files (file_id, source_id, file_seq, file_name, format, header_fields, excel_dates, "
        "non_response_column, columns, landed_at, time_zone) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            file_id,
            source.id,
            seq,
            path.name,
            landed.format,
            header_fields,
            landed.excel_dates,
            landed.non_response[0] if landed.non_response else None,
            landed.columns,
            now(),
            landed.time_zone,
        ],
    )
    drop_landing(con)
    return seq


def _pseudonymised(column: str) -> str:
    """A keyed sha256 of the trimmed, lower-cased value (64 bits, hex); blanks stay as they are."""
    col = f"l.{quote_ident(column)}"
    return f"CASE WHEN nullif(trim({col}), '') IS NOT NULL THEN left(sha256($key || lower(trim({col}))), 16) ELSE {col} END"
