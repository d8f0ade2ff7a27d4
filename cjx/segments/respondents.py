"""core.respondent_segments: every respondent's segment values per revisit (sql/segments/respondent_segments.sql).

Survey-column values are read from raw.<source> (lossless, every column as given, named as in the file) joined to
the loaded responses by file and row, so declaring a new segment on a column the files always had needs no
re-ingest.
"""

from __future__ import annotations

import duckdb

from cjx.ingest.staging import sql_literal
from cjx.store import quote_ident, run_sql


def _raw_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """Columns of every raw survey table: {source id: columns}."""
    rows = con.execute(
        "SELECT c.table_name, c.column_name FROM duckdb_columns() c JOIN core.sources s ON s.source_id = c.table_name "
        "WHERE c.schema_name = 'raw' AND s.kind = 'survey'"
    ).fetchall()
    out: dict[str, set[str]] = {}
    for table, column in rows:
        out.setdefault(table, set()).add(column)
    return out


def column_values_sql(con: duckdb.DuckDBPyConnection) -> str:
    """A SELECT of (segment_id, respondent_id, responded_at, value) over every survey source holding a segment's
    column. Its shape depends on which raw tables have which columns, so it is built here; source, table and column
    names go in as quoted identifiers, ids as literals (a UNION's text takes no bound parameter per branch)."""
    raw = _raw_columns(con)
    parts = []
    for segment_id, column, only in con.execute(
        "SELECT segment_id, column_name, source_id FROM core.segments WHERE kind = 'column' ORDER BY position"
    ).fetchall():
        for source_id in sorted(raw):
            if (only is not None and source_id != only) or column not in raw[source_id]:
                continue
            parts.append(
                f"SELECT {sql_literal(segment_id)} AS segment_id, r.respondent_id, r.responded_at, "
                f"nullif(trim(x.{quote_ident(column)}), '') AS value "
                f"FROM raw.{quote_ident(source_id)} x JOIN core.responses r "
                f"ON r.source_id = {sql_literal(source_id)} AND r.file_id = x.file_id AND r.row_number = x.row_number"
            )
    empty = "SELECT NULL::VARCHAR AS segment_id, NULL::VARCHAR AS respondent_id, NULL::TIMESTAMP AS responded_at, NULL::VARCHAR AS value WHERE false"
    return " UNION ALL ".join(parts) or empty


def build_respondent_segments(con: duckdb.DuckDBPyConnection) -> int:
    """Rebuild core.respondent_segments; return its row count."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE segment_column_values AS {column_values_sql(con)}")
    # A person erased since the customers table was loaded leaves it at once (cjx forget rebuilds the marts).
    con.execute(
        "DELETE FROM core.customer_attributes WHERE sha256('cjx-erased:' || respondent_id) IN "
        "(SELECT pseudonym_hash FROM ops.erased_respondents)"
    )
    run_sql(con, "segments/respondent_segments")
    con.execute("DROP TABLE segment_column_values")
    return int(con.execute("SELECT count(*) FROM core.respondent_segments").fetchall()[0][0])
