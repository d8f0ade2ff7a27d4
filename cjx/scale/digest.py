"""Order-independent fingerprints of the tables of a database, to show a parallel run left the same data as a
serial one: per table its row count, a hash of the exact part of its rows, and tolerant sums of its doubles.

Exact part: every column but the doubles (text, integers, decimals, dates, booleans, lists, ...), and of each
double only whether it is NULL, finite, NaN or infinite. Its digest is the sum (mod 2^64) of DuckDB's `hash()` of
every row, so it ignores the order rows are stored in but not duplicates (a row twice counts twice, unlike an XOR).

Doubles are not hashed: a multi-threaded aggregate may add the same numbers in another order and differ in the
last bits, and rounding before hashing does not help (two values a hair apart can round to different sides of any
boundary: 0.12345678949999 and 0.1234567895 at 9 decimals). Instead the rows are dealt into up to 4,096 buckets by
the hash of their exact part, and each double column gets three order-independent sums per bucket over its finite
values, each value weighted by a number in [1, 2) drawn from that hash and the column's name: Σ w·x, Σ w·x² and
the scale Σ w·|x| (compensated sums, DuckDB's fsum). Two tables agree when every bucket's sums agree within a
relative 1e-9 of the bucket's scale: far above the rounding noise of doubles computed in another order, far below
a real change in one row of a table of up to a few thousand rows (alone or nearly so in its bucket; in a bigger
table a change must exceed a billionth of its bucket's total). The weights make two rows' values swapped move the
sums, and Σ w·x² catches two values replaced by others of the same total. Columns that record *when* the pipeline did something
(`loaded_at`, `landed_at`, ...) differ between any two runs and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

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
        "validated_at",
        "at",
    }
)
_FLOATS = ("DOUBLE", "FLOAT", "REAL")
RELATIVE = 1e-9  # how far two sums of the same doubles may differ, relative to the column's scale Σ w·|x|
ABSOLUTE_PER_ROW = 1e-12  # and absolutely, per row: values that should be 0 and are 1e-17 after cancellation
_WEIGHTS = 1_000_003  # weights 1 + (hash % _WEIGHTS) / _WEIGHTS: a prime, so hashes spread over [1, 2)
BUCKETS = 4096  # a row's bucket: the hash of its exact part mod BUCKETS


@dataclass(frozen=True)
class DoubleSums:
    """One double column's order-independent sums over its finite values, per bucket of rows (w: a per-row weight
    in [1, 2)): {bucket: (Σ w·x, Σ w·x², Σ w·|x|)}."""

    column: str
    buckets: dict[int, tuple[float, float, float]]

    @property
    def scale(self) -> float:
        return sum(b[2] for b in self.buckets.values())


@dataclass(frozen=True)
class TableDigest:
    rows: int
    exact: int  # Σ hash(exact part of the row) mod 2^64
    doubles: tuple[DoubleSums, ...] = ()


def table_digests(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...] = DEFAULT_SCHEMAS) -> dict[str, TableDigest]:
    """{schema.table: TableDigest} for every base table in `schemas`."""
    tables = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name IN (SELECT unnest($schemas::VARCHAR[])) ORDER BY 1, 2",
        {"schemas": list(schemas)},
    ).fetchall()
    return {f"{schema}.{table}": table_digest(con, schema, table) for schema, table in tables}


def table_digest(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> TableDigest:
    """The digest of one table (ops.validations, say: its clock column validated_at left out like every clock)."""
    columns = [
        (name, kind)
        for name, kind in con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = ? AND table_name = ? ORDER BY column_index",
            [schema, table],
        ).fetchall()
        if name not in CLOCK_COLUMNS
    ]
    doubles = [name for name, kind in columns if kind in _FLOATS]
    exact = [_exact_field(name, kind) for name, kind in columns]
    row = f"struct_pack({', '.join(exact)})" if exact else "NULL"
    values = "".join(f", {quote_ident(name)} AS d{i}" for i, name in enumerate(doubles))
    rows = f"SELECT hash({row}) AS h{values} FROM {quote_ident(schema)}.{quote_ident(table)}"
    # identifiers from the catalogue, quoted (cjx.store.quote_ident); column names as literals in hash() are
    # quoted the same way, doubled quotes and all; hash() is DuckDB's deterministic 64-bit hash
    count, exact = con.execute(
        f"WITH r AS ({rows}) SELECT count(*), coalesce(sum(h::HUGEINT) % 18446744073709551616, 0)::UBIGINT FROM r"
    ).fetchall()[0]
    sums: list[dict[int, tuple[float, float, float]]] = [{} for _ in doubles]
    if doubles and count:
        found = con.execute(
            f"WITH r AS ({rows}) SELECT h % {BUCKETS} AS b{''.join(_sums(i, n) for i, n in enumerate(doubles))} "
            "FROM r GROUP BY b"
        ).fetchall()
        for bucket, *values_ in found:
            for i in range(len(doubles)):
                sums[i][int(bucket)] = tuple(float(v) for v in values_[3 * i : 3 * i + 3])  # type: ignore[assignment]
    return TableDigest(int(count), int(exact), tuple(DoubleSums(n, s) for n, s in zip(doubles, sums)))


def _exact_field(name: str, kind: str) -> str:
    col = quote_ident(name)
    if kind in _FLOATS:  # only the class of a double is exact: NULL, finite, NaN, inf, -inf
        col = f"CASE WHEN {col} IS NULL THEN 'null' WHEN isfinite({col}) THEN 'finite' ELSE {col}::VARCHAR END"
    return f"{quote_ident('c_' + name)} := {col}"


def _sums(i: int, name: str) -> str:
    literal = "'" + name.replace("'", "''") + "'"  # a catalogue name as a text literal: quotes doubled
    weight = f"(1 + (hash(h, {literal}) % {_WEIGHTS})::DOUBLE / {_WEIGHTS})"
    finite = f"CASE WHEN isfinite(d{i}) THEN d{i} END"
    return (
        f", coalesce(fsum({finite} * {weight}), 0), coalesce(fsum({finite} * {finite} * {weight}), 0)"
        f", coalesce(fsum(abs({finite}) * {weight}), 0)"
    )


def differences(left: dict[str, TableDigest], right: dict[str, TableDigest]) -> list[str]:
    """One line per table that is missing on one side or differs in rows, exact content or a double column."""
    lines = []
    for name in sorted(set(left) | set(right)):
        a, b = left.get(name), right.get(name)
        if a is None or b is None:
            lines.append(f"{name}: only in the {'second' if a is None else 'first'} database")
        elif a.rows != b.rows:
            lines.append(f"{name}: {a.rows} rows against {b.rows}")
        elif a.exact != b.exact or [d.column for d in a.doubles] != [d.column for d in b.doubles]:
            lines.append(f"{name}: same {a.rows} rows, different content")
        else:
            lines += [
                f"{name}: same {a.rows} rows, column {x.column} differs (beyond a relative {RELATIVE:g})"
                for x, y in zip(a.doubles, b.doubles)
                if not _close(x, y, a.rows)
            ]
    return lines


def _close(x: DoubleSums, y: DoubleSums, rows: int) -> bool:
    floor = ABSOLUTE_PER_ROW * rows / max(len(x.buckets), 1)

    def near(a: float, b: float, scale: float) -> bool:  # equal first: inf == inf (a sum of squares of 1e200s)
        return a == b or abs(a - b) <= RELATIVE * scale + floor

    for bucket in x.buckets.keys() | y.buckets.keys():
        (aw, a2, a1), (bw, b2, b1) = x.buckets.get(bucket, (0.0, 0.0, 0.0)), y.buckets.get(bucket, (0.0, 0.0, 0.0))
        scale = max(a1, b1)
        if not (near(aw, bw, scale) and near(a2, b2, max(a2, b2)) and near(a1, b1, scale)):
            return False
    return True
