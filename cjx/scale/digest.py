"""Order-independent fingerprints of the tables of a database: row count and a content hash per table.

Two databases hold the same data in a table when its row count and digest agree: the digest is the sum (mod 2^64)
of DuckDB's `hash()` of every row, so it ignores the order rows are stored in but not duplicates (a row twice
counts twice, unlike an XOR). Columns that record *when* the pipeline did something (`loaded_at`, `landed_at`, ...)
differ between any two runs and are left out; doubles are rounded to 9 decimals, since a multi-threaded aggregate
may add the same numbers in another order.
"""

from __future__ import annotations

import duckdb

from cjx.store import quote_ident

DEFAULT_SCHEMAS = ("core", "marts")
# wall-clock bookkeeping: the moment a step ran, not data
CLOCK_COLUMNS = frozenset(
    {
        "loaded_at",
        "landed_at",
        "ingested_at",
        "computed_at",
        "built_at",
        "created_at",
        "recorded_at",
        "updated_at",
        "quarantined_at",
        "snapshot_at",
        "taken_at",
        "at",
    }
)
_FLOATS = ("DOUBLE", "FLOAT", "REAL")


def table_digests(
    con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...] = DEFAULT_SCHEMAS
) -> dict[str, tuple[int, int]]:
    """{schema.table: (rows, digest)} for every base table in `schemas`."""
    tables = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name IN (SELECT unnest($schemas::VARCHAR[])) ORDER BY 1, 2",
        {"schemas": list(schemas)},
    ).fetchall()
    return {f"{schema}.{table}": _digest(con, schema, table) for schema, table in tables}


def _digest(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> tuple[int, int]:
    columns = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = ? AND table_name = ? ORDER BY column_index",
        [schema, table],
    ).fetchall()
    fields = [_field(name, kind) for name, kind in columns if name not in CLOCK_COLUMNS]
    row = f"struct_pack({', '.join(fields)})" if fields else "NULL"
    # identifiers from the catalogue, quoted (cjx.store.quote_ident); hash() is DuckDB's deterministic 64-bit hash
    rows, digest = con.execute(
        f"SELECT count(*), coalesce(sum(hash({row})::HUGEINT) % 18446744073709551616, 0)::UBIGINT "
        f"FROM {quote_ident(schema)}.{quote_ident(table)}"
    ).fetchall()[0]
    return int(rows), int(digest)


def _field(name: str, kind: str) -> str:
    col = quote_ident(name)
    value = f"round({col}, 9)" if kind in _FLOATS else col
    return f"{quote_ident('c_' + name)} := {value}"


def differences(left: dict[str, tuple[int, int]], right: dict[str, tuple[int, int]]) -> list[str]:
    """One line per table that is missing on one side or differs in rows or content."""
    lines = []
    for name in sorted(set(left) | set(right)):
        a, b = left.get(name), right.get(name)
        if a is None or b is None:
            lines.append(f"{name}: only in the {'second' if a is None else 'first'} database")
        elif a[0] != b[0]:
            lines.append(f"{name}: {a[0]} rows against {b[0]}")
        elif a[1] != b[1]:
            lines.append(f"{name}: same {a[0]} rows, different content")
    return lines
