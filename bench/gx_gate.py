"""What the great-expectations batch gate costs, five ways, against DuckDB's own load of the same file.

    .venv/bin/python bench/gx_gate.py                         # 100,000 and 1,000,000 staged responses
    .venv/bin/python bench/gx_gate.py --rows 200000 --repeat 3

Builds, in DuckDB temp tables, the two tables the staging step leaves for the gate (landed_rows, landed_cells)
for a survey of an nps and 12 csat questions (--ratings), 40 % of the csat cells blank, with 0.5 % bad
timestamps, 0.3 % unknown labels, 1 % NA codes and 1 % duplicates. Writes the matching CSV and times DuckDB's
read_csv of it (the raw load the gate is compared with). Then times, on the same staged tables:

  (a) the previous gate: the whole batch pulled into pandas (one column per checked column), GX per row;
  (b) GX's SQL path through SQLAlchemy + duckdb-engine (`pip install -e .[bench]`): as shipped (it fails on
      DuckDB 2.0; the cause is printed), then with two workarounds, on the file's own connection;
  (c) a column-pruned Arrow-backed batch: one DuckDB pivot of only the checked columns, fetched as Arrow into
      pandas with pyarrow dtypes, GX per row on it (the same suite as (a));
  (d) what cjx.ingest.gate does now: one SQL aggregate of per-check counts, GX on the check table
      (and, for comparison, one GX expectation per check on a one-row frame of shares);
  (e) a deterministic 10,000-row sample (by hash of row_number) validated by GX per row, plus (d)'s all-row
      SQL counts for what a sample cannot see (uniqueness, exact shares).

Each variant runs --repeat times after the GX import and context creation, which are reported separately
(one-off per process); the best time is reported.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
import warnings
from pathlib import Path

import duckdb
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cjx.journey.model import Source

warnings.filterwarnings("ignore")
logging.getLogger("great_expectations").setLevel(logging.ERROR)

N_RATINGS = 12
RATED = ("nps", "csat", "ces", "overall")
SAMPLE_ROWS = 10_000


def make_source(ratings: int) -> Source:
    return Source.model_validate(
        {
            "id": "survey",
            "kind": "survey",
            "format": "csv",
            "files": "*.csv",
            "respondent_id": "email",
            "response_id": "response_id",
            "timestamp": "submitted_at",
            "questions": [{"column": "nps", "metric": "nps"}]
            + [
                {
                    "column": f"q{i}",
                    "metric": "csat",
                    "scale": {"min": 1, "max": 5},
                    "touchpoint": f"t{i}",
                    "na_codes": [-99],
                }
                for i in range(ratings)
            ],
        }
    )


SOURCE = make_source(N_RATINGS)


# -- the staged tables and the raw file ------------------------------------------------------------------------


def stage(con: duckdb.DuckDBPyConnection, n: int) -> None:
    """landed_rows / landed_cells for n responses, shaped as the staging step leaves them."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE landed_rows AS
        WITH base AS (
            SELECT i AS row_number, hash(i, 'ts') % 1000 < 5 AS bad_ts, hash(i, 'dup') % 100 = 0 AS dup
            FROM range(1, {n} + 1) t(i)
        )
        SELECT row_number,
            'R' || lpad(CASE WHEN dup AND row_number > 1 THEN row_number - 1 ELSE row_number END::VARCHAR, 9, '0')
                AS record_id,
            left(md5('k' || (row_number % ({n} // 2 + 1))), 16) AS respondent_id,
            CASE WHEN NOT bad_ts THEN TIMESTAMP '2026-01-01' + to_seconds((hash(row_number) % 25920000)::BIGINT) END
                AS at_utc,
            false AS is_partial,
            CASE WHEN bad_ts THEN 'bad_timestamp' END AS reason,
            CASE WHEN bad_ts THEN format('export.csv row {{}}: column submitted_at: ''31/12/2026 10:00'' is not a '
                                          'timestamp (ISO-8601)', row_number) END AS message,
            CASE WHEN bad_ts THEN 'quarantined' WHEN dup AND row_number > 1 THEN 'duplicate' ELSE 'loaded' END
                AS status
        FROM base
    """)
    columns = ", ".join(["('nps', 'nps', NULL, 0, 10)"] + [f"('q{i}', 'csat', 't{i}', 1, 5)" for i in range(N_RATINGS)])
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE landed_cells AS
        WITH cells AS (
            SELECT i AS row_number, c.*, hash(i, c.column_name) % 1000 AS h, hash(i, c.column_name, 'blank') % 10 AS b
            FROM range(1, {n} + 1) t(i)
            CROSS JOIN (VALUES {columns}) c(column_name, metric, touchpoint_id, scale_min, scale_max)
        )
        SELECT row_number, column_name, metric, touchpoint_id, scale_min, scale_max, false AS is_reversed,
            CASE WHEN h < 3 THEN 'Meget tilfreds' WHEN h < 13 THEN '-99'
                 ELSE (scale_min + h % (scale_max - scale_min + 1))::VARCHAR END AS value,
            CASE WHEN h < 3 THEN NULL WHEN h < 13 THEN -99 ELSE scale_min + h % (scale_max - scale_min + 1) END::DOUBLE
                AS number,
            h >= 3 AND h < 13 AS is_na
        FROM cells
        WHERE metric = 'nps' OR b >= 4  -- 40 % of the csat cells blank (not staged)
    """)


def write_csv(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """The export the staged tables stand for (bench_ingest.py's shape), for the raw-load baseline."""
    pivot = ", ".join(
        f"max(value) FILTER (WHERE column_name = '{c}') AS {c}" for c in ["nps"] + [f"q{i}" for i in range(N_RATINGS)]
    )
    con.execute(f"""
        COPY (SELECT r.record_id AS response_id, r.respondent_id || '@example.dk' AS email,
                     strftime(coalesce(r.at_utc, TIMESTAMP '2026-01-01'), '%Y-%m-%dT%H:%M:%SZ') AS submitted_at, c.*
              FROM landed_rows r
              JOIN (SELECT row_number, {pivot} FROM landed_cells GROUP BY row_number) c USING (row_number)
              ORDER BY r.row_number) TO '{path}' (HEADER)
    """)


def raw_load_memory(path: Path) -> float:
    raw = duckdb.connect()
    start = time.perf_counter()
    raw.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, header = true, all_varchar = true)", [str(path)])
    seconds = time.perf_counter() - start
    raw.close()
    return seconds


def raw_load(path: Path, tmp: Path) -> float:
    raw = duckdb.connect(str(tmp / "raw.duckdb"))
    start = time.perf_counter()
    raw.execute(
        "CREATE OR REPLACE TABLE t AS SELECT * FROM read_csv(?, header = true, all_varchar = true)", [str(path)]
    )
    seconds = time.perf_counter() - start
    raw.close()
    return seconds


# -- (a), (c), (e): GX per row on a pandas batch (the previous gate's suite) ------------------------------------


def _checked_columns(source: Source) -> list[str]:
    return [q.column for q in source.questions if q.metric in RATED] + list(source.measures)


def previous_batch(con: duckdb.DuckDBPyConnection, source: Source) -> pd.DataFrame:
    """The previous gate's staged_batch: both tables pulled, one column per checked column built in pandas."""
    id_column = source.response_id if source.kind == "survey" else source.event_id
    rows = con.execute(
        "SELECT row_number, record_id, respondent_id, at_utc, status FROM landed_rows ORDER BY row_number"
    ).df()
    batch = pd.DataFrame(
        {
            id_column: rows["record_id"].astype("object").to_numpy(),
            source.respondent_id: rows["respondent_id"].astype("object").to_numpy(),
            source.timestamp: pd.to_datetime(rows["at_utc"]).to_numpy(),
            "_status": rows["status"].astype("object").to_numpy(),
        },
        index=rows["row_number"].to_numpy(),
    )
    cells = con.execute(
        "SELECT row_number, column_name, CASE WHEN NOT is_na THEN number END AS number, "
        "CASE WHEN NOT is_na THEN number IS NOT NULL END AS parsed FROM landed_cells "
        "WHERE metric IN ('nps', 'csat', 'ces', 'overall', 'measure')"
    ).df()
    for column in _checked_columns(source):
        mine = cells[cells["column_name"] == column].set_index("row_number")
        batch[column] = mine["number"].reindex(batch.index).astype("float64")
        batch[f"{column} (parsed)"] = mine["parsed"].reindex(batch.index).astype("object")
    return batch.reset_index(drop=True)


def pivot_sql(source: Source, where: str = "") -> str:
    """Only the checked columns, pivoted in DuckDB: one row per staged row."""
    id_column = source.response_id if source.kind == "survey" else source.event_id
    cols = []
    for c in _checked_columns(source):
        cols.append(f"max(CASE WHEN NOT is_na THEN number END) FILTER (WHERE column_name = '{c}') AS \"{c}\"")
        cols.append(
            f"bool_or(CASE WHEN NOT is_na THEN number IS NOT NULL END) FILTER (WHERE column_name = '{c}') "
            f'AS "{c} (parsed)"'
        )
    return f"""
        SELECT r.record_id AS "{id_column}", r.respondent_id AS "{source.respondent_id}",
               r.at_utc AS "{source.timestamp}", r.status AS _status, c.* EXCLUDE (row_number)
        FROM (SELECT * FROM landed_rows {where}) r
        LEFT JOIN (SELECT row_number, {", ".join(cols)} FROM landed_cells
                   WHERE metric IN ('nps', 'csat', 'ces', 'overall', 'measure')
                   {where.replace("WHERE", "AND")} GROUP BY row_number) c USING (row_number)
        ORDER BY r.row_number
    """


def arrow_batch(con: duckdb.DuckDBPyConnection, source: Source, where: str = "") -> pd.DataFrame:
    return con.execute(pivot_sql(source, where)).to_arrow_table().to_pandas(types_mapper=pd.ArrowDtype)


def sample_batch(con: duckdb.DuckDBPyConnection, source: Source, n: int) -> pd.DataFrame:
    step = max(1, n // SAMPLE_ROWS)
    return con.execute(pivot_sql(source, f"WHERE hash(row_number) % {step} = 0")).df()


def previous_suite(source: Source, max_failing_share: float, *, unique: bool = True):
    """The previous gate's build_suite: one GX expectation per rule and column, evaluated per row."""
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    mostly = max(0.0, min(1.0, 1.0 - max_failing_share))
    id_column = source.response_id if source.kind == "survey" else source.event_id
    expectations = [gxe.ExpectColumnToExist(column=c) for c in (id_column, source.respondent_id, source.timestamp)]
    expectations += [
        gxe.ExpectColumnValuesToNotBeNull(column=id_column, mostly=mostly),
        gxe.ExpectColumnValuesToNotBeNull(column=source.respondent_id, mostly=mostly),
        gxe.ExpectColumnValuesToNotBeNull(column=source.timestamp, mostly=mostly),
    ]
    if unique:
        expectations.append(
            gxe.ExpectColumnValuesToBeUnique(column=id_column, row_condition=Column("_status") == "loaded")
        )
    for q in source.questions:
        if q.metric in RATED:
            expectations.append(
                gxe.ExpectColumnValuesToBeBetween(
                    column=q.column, min_value=q.scale.min, max_value=q.scale.max, mostly=mostly
                )
            )
            expectations.append(
                gxe.ExpectColumnValuesToBeInSet(column=f"{q.column} (parsed)", value_set=[True], mostly=mostly)
            )
    return gx.ExpectationSuite(name=f"bench_{source.id}_{'u' if unique else 'n'}", expectations=expectations)


class PandasRunner:
    """One ephemeral context, the suite registered once: the marginal cost of validating a frame."""

    def __init__(self, ctx, suite) -> None:
        import great_expectations as gx

        name = suite.name
        bd = (
            ctx.data_sources.add_pandas(f"ds_{name}").add_dataframe_asset("a").add_batch_definition_whole_dataframe("b")
        )
        self.vd = ctx.validation_definitions.add(
            gx.ValidationDefinition(name=f"vd_{name}", data=bd, suite=ctx.suites.add(suite))
        )

    def run(self, frame: pd.DataFrame):
        result = self.vd.run(batch_parameters={"dataframe": frame})
        errors = [r for r in result.results if _raised(r)]
        if errors:
            raise RuntimeError(
                f"{len(errors)} of {len(result.results)} expectations errored, e.g. {_raised(errors[0])}"
            )
        return result


def _raised(r) -> str:
    info = r.exception_info or {}
    for v in [info, *info.values()]:
        if isinstance(v, dict) and v.get("raised_exception"):
            return str(v.get("exception_message", "")).splitlines()[0][:160]
    return ""


# -- (b): GX's SQL path ---------------------------------------------------------------------------------------


def sql_as_shipped(con: duckdb.DuckDBPyConnection, tmp: Path, ctx) -> str:
    """GX on a DuckDB file through duckdb-engine, configured as documented: what breaks."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    db = tmp / "sql.duckdb"
    con.execute(f"ATTACH '{db}' AS sqlbench")
    con.execute("CREATE OR REPLACE TABLE sqlbench.landed_rows AS SELECT * FROM landed_rows LIMIT 1000")
    con.execute("DETACH sqlbench")
    ds = ctx.data_sources.add_sql("shipped", connection_string=f"duckdb:///{db}")
    bd = ds.add_table_asset("rows", table_name="landed_rows").add_batch_definition_whole_table("b")
    suite = ctx.suites.add(
        gx.ExpectationSuite(
            name="shipped", expectations=[gxe.ExpectColumnValuesToNotBeNull(column="at_utc", mostly=0.5)]
        )
    )
    result = gx.ValidationDefinition(name="shipped", data=bd, suite=suite).run()
    errors = [_raised(r) for r in result.results if _raised(r)]
    return f"{len(errors)} of {len(result.results)} expectations errored: {errors[0]!r}" if errors else "works"


def _register_dialect() -> None:
    """duckdb-engine with column reflection through duckdb_columns(): SQLAlchemy 2.1's PostgreSQL reflection
    queries pg_catalog.pg_collation, which DuckDB does not have; the failed statement aborts the transaction."""
    import duckdb_engine
    import sqlalchemy as sa
    from sqlalchemy.dialects import registry

    types = {
        "VARCHAR": sa.String,
        "BIGINT": sa.BigInteger,
        "INTEGER": sa.Integer,
        "DOUBLE": sa.Float,
        "TIMESTAMP": sa.DateTime,
        "BOOLEAN": sa.Boolean,
    }

    class ReflectingDialect(duckdb_engine.Dialect):
        def get_columns(self, connection, table_name, schema=None, **kw):
            rows = connection.execute(
                sa.text(
                    "SELECT column_name, data_type, is_nullable FROM duckdb_columns() WHERE table_name = :t "
                    "ORDER BY column_index"
                ),
                {"t": table_name},
            ).fetchall()
            return [
                {"name": n, "type": types.get(t, sa.String)(), "nullable": bool(nullable), "default": None}
                for n, t, nullable in rows
            ]

    globals()["ReflectingDialect"] = ReflectingDialect
    registry.register("duckdb.cjxbench", __name__, "ReflectingDialect")


def sql_runners(con: duckdb.DuckDBPyConnection, ctx, source: Source, max_failing_share: float):
    """GX's SQL path on the file's own connection (temp tables, open transaction), with two workarounds:
    a borrowed connection SQLAlchemy may not begin/commit/roll back/close (its rollback on returning the
    connection discards DuckDB's pending result: GX's IndexError), and column reflection that DuckDB answers."""
    import duckdb_engine
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column
    from sqlalchemy.pool import StaticPool

    _register_dialect()

    class Borrowed(duckdb_engine.ConnectionWrapper):
        def begin(self) -> None:
            pass

        def commit(self) -> None:
            pass

        def rollback(self) -> None:
            pass

        def close(self) -> None:
            pass

    ds = ctx.data_sources.add_sql(
        "live",
        connection_string="duckdb+cjxbench:///:memory:",
        kwargs={"creator": lambda: Borrowed(con), "poolclass": StaticPool},
    )
    mostly = 1.0 - max_failing_share
    id_column = source.response_id
    row_suite = gx.ExpectationSuite(
        name="sql_rows",
        expectations=[
            gxe.ExpectColumnValuesToNotBeNull(column="record_id", mostly=mostly),
            gxe.ExpectColumnValuesToNotBeNull(column="respondent_id", mostly=mostly),
            gxe.ExpectColumnValuesToNotBeNull(column="at_utc", mostly=mostly),
            gxe.ExpectColumnValuesToBeUnique(column="record_id", row_condition=Column("status") == "loaded"),
        ],
    )
    cell_expectations = []
    for q in source.questions:
        if q.metric in RATED:
            answered = (Column("column_name") == q.column) & (Column("is_na") == False)  # noqa: E712
            cell_expectations += [
                gxe.ExpectColumnValuesToBeBetween(
                    column="number", min_value=q.scale.min, max_value=q.scale.max, mostly=mostly, row_condition=answered
                ),
                gxe.ExpectColumnValuesToNotBeNull(column="number", mostly=mostly, row_condition=answered),
            ]
    del id_column
    runners = []
    for table, suite in (
        ("landed_rows", row_suite),
        ("landed_cells", gx.ExpectationSuite(name="sql_cells", expectations=cell_expectations)),
    ):
        bd = ds.add_table_asset(table, table_name=table).add_batch_definition_whole_table("b")
        runners.append(gx.ValidationDefinition(name=f"sql_{table}", data=bd, suite=ctx.suites.add(suite)))
    return runners


def run_sql(runners) -> None:
    for vd in runners:
        result = vd.run()
        errors = [r for r in result.results if _raised(r)]
        if errors:
            raise RuntimeError(
                f"{len(errors)} of {len(result.results)} expectations errored, e.g. {_raised(errors[0])}"
            )


# -- (d'): one GX expectation per check, on a one-row frame -------------------------------------------------


def wide_runner(ctx, source: Source, max_failing_share: float):
    import great_expectations as gx
    import great_expectations.expectations as gxe

    from cjx.ingest.gate import checks

    expectations = [
        gxe.ExpectColumnMaxToBeBetween(
            column=c.label, min_value=0, max_value=max_failing_share if c.rule == "share" else 0
        )
        for c in checks(source)
    ]
    bd = ctx.data_sources.add_pandas("wide").add_dataframe_asset("a").add_batch_definition_whole_dataframe("b")
    vd = ctx.validation_definitions.add(
        gx.ValidationDefinition(
            name="wide", data=bd, suite=ctx.suites.add(gx.ExpectationSuite(name="wide", expectations=expectations))
        )
    )

    def run(con):
        from cjx.ingest.gate import check_table

        cs, table = check_table(source, con=con)
        frame = pd.DataFrame(
            {
                c.label: [share if c.rule == "share" else count]
                for c, share, count in zip(cs, table["failing_share"], table["unexpected_count"])
            }
        )
        return vd.run(batch_parameters={"dataframe": frame})

    return run


# -- driver -------------------------------------------------------------------------------------------------


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def bench(n: int, repeat: int, tmp: Path, share: float = 0.5) -> dict[str, object]:
    from cjx.ingest.gate import _RESULT_FORMAT, BatchGate, check_table, measure

    ctx = new_context()
    con = duckdb.connect(str(tmp / f"cjx_{n}.duckdb"))
    con.execute("SET TimeZone = 'UTC'")
    out: dict[str, object] = {}
    start = time.perf_counter()
    stage(con, n)
    out["cells"] = con.execute("SELECT count(*) FROM landed_cells").fetchone()[0]
    out["stage"] = time.perf_counter() - start
    csv = tmp / f"export_{n}.csv"
    write_csv(con, csv)
    out["csv_mb"] = csv.stat().st_size / 1e6
    out["raw"], _ = best(lambda: raw_load(csv, tmp), repeat)
    out["raw_memory"], _ = best(lambda: raw_load_memory(csv), repeat)
    con.execute("BEGIN TRANSACTION")  # the gate runs inside the file's transaction

    previous = PandasRunner(ctx, previous_suite(SOURCE, share))
    out["a_pull"], frame = best(lambda: previous_batch(con, SOURCE), repeat)
    out["a_gx"], _ = best(lambda: previous.run(frame), repeat)
    out["a"] = out["a_pull"] + out["a_gx"]
    del frame

    try:
        runners = sql_runners(con, ctx, SOURCE, share)
        out["b"], _ = best(lambda: run_sql(runners), repeat)
    except Exception as exc:  # the point is to report what breaks
        out["b"] = f"fails: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}"

    out["c_pull"], frame = best(lambda: arrow_batch(con, SOURCE), repeat)
    try:
        out["c_gx"], _ = best(lambda: previous.run(frame), repeat)
        out["c"] = out["c_pull"] + out["c_gx"]
    except Exception as exc:
        out["c"] = f"fails: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
    del frame
    out["c_numpy_pull"], frame = best(lambda: con.execute(pivot_sql(SOURCE)).df(), repeat)
    out["c_numpy_gx"], _ = best(lambda: previous.run(frame), repeat)
    del frame

    fast = max(repeat, 5)  # (d) is quick: more runs, for a steadier best
    gate = BatchGate()
    gate.validate(con, SOURCE, "export.csv", "warm", max_failing_share=share)  # registers the suite once
    out["d"], outcome = best(lambda: gate.validate(con, SOURCE, "export.csv", "f", max_failing_share=share), fast)
    assert outcome.success, outcome.message
    out["d_sql"], _ = best(lambda: measure(con, SOURCE), fast)
    _, table = check_table(SOURCE, con=con)
    definition = gate._definition(SOURCE, share)
    out["d_gx"], _ = best(
        lambda: definition.run(batch_parameters={"dataframe": table}, result_format=_RESULT_FORMAT), fast
    )
    docs_gate = BatchGate(tmp / f"docs_{n}")
    docs_gate.validate(con, SOURCE, "export.csv", "warm", max_failing_share=share)
    out["d_docs"], _ = best(lambda: docs_gate.validate(con, SOURCE, "export.csv", "f", max_failing_share=share), fast)
    wide = wide_runner(ctx, SOURCE, share)
    wide(con)
    out["d_wide"], _ = best(lambda: wide(con), fast)

    sampled = PandasRunner(ctx, previous_suite(SOURCE, share, unique=False))
    out["e_pull"], frame = best(lambda: sample_batch(con, SOURCE, n), repeat)
    out["e_rows"] = len(frame)
    out["e_gx"], _ = best(lambda: sampled.run(frame), repeat)
    out["e"] = out["e_pull"] + out["e_gx"] + out["d_sql"]
    con.execute("ROLLBACK")
    con.close()
    return out


def new_context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    return ctx


def main() -> None:
    global N_RATINGS, SOURCE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--ratings", type=int, default=N_RATINGS, help="csat questions besides the nps")
    args = parser.parse_args()
    N_RATINGS, SOURCE = args.ratings, make_source(args.ratings)

    start = time.perf_counter()
    import great_expectations  # noqa: F401

    import_seconds = time.perf_counter() - start
    start = time.perf_counter()
    ctx = new_context()
    context_seconds = time.perf_counter() - start
    print(
        f"one-off: import great_expectations {import_seconds:.2f} s (pandas, duckdb already imported); "
        f"ephemeral context {context_seconds * 1000:.0f} ms"
    )

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        try:
            import duckdb_engine  # noqa: F401

            con = duckdb.connect()
            stage(con, 1000)
            print(f"(b) GX SQL path as shipped (duckdb-engine, a DuckDB file): {sql_as_shipped(con, tmp, ctx)}")
            con.close()
        except ImportError:
            print("(b) GX SQL path: duckdb-engine not installed (pip install -e '.[bench]')")
        results = {n: bench(n, args.repeat, tmp) for n in args.rows}
        build = docs_build_seconds(tmp, args.rows[-1])

    def cell(v):
        return f"{v:.2f} s" if isinstance(v, float) else str(v)

    head = " | ".join(f"{n:,} rows" for n in args.rows)
    print(f"\n| variant | {head} |\n|---|" + "---:|" * len(args.rows))
    lines = [
        ("staged answer cells", lambda r: f"{r['cells']:,}"),
        ("CSV size", lambda r: f"{r['csv_mb']:.0f} MB"),
        ("raw load: DuckDB read_csv -> table in a database file", lambda r: cell(r["raw"])),
        ("raw load: the same into an in-memory database", lambda r: cell(r["raw_memory"])),
        ("(a) pandas full batch, GX per row (previous gate)", lambda r: cell(r["a"])),
        ("    pull into pandas / GX", lambda r: f"{r['a_pull']:.2f} / {r['a_gx']:.2f} s"),
        ("(b) GX SQL path (duckdb-engine, with workarounds)", lambda r: cell(r["b"])),
        ("(c) column-pruned Arrow-backed batch, GX per row", lambda r: cell(r["c"])),
        ("    pivot + Arrow fetch / GX", lambda r: f"{r['c_pull']:.2f} / {r.get('c_gx', float('nan')):.2f} s"),
        ("    same pivot, numpy dtypes: fetch / GX", lambda r: f"{r['c_numpy_pull']:.2f} / {r['c_numpy_gx']:.2f} s"),
        ("(d) SQL aggregate + GX on the check table (cjx now)", lambda r: cell(r["d"])),
        ("    SQL aggregate / GX on the check table", lambda r: f"{r['d_sql']:.3f} / {r['d_gx']:.3f} s"),
        (
            "    (d) / raw load (file; in-memory)",
            lambda r: f"{r['d'] / r['raw']:.2f}x; {r['d'] / r['raw_memory']:.2f}x",
        ),
        ("    same, file context (Data Docs results kept)", lambda r: cell(r["d_docs"])),
        ("    one GX expectation per check (one-row frame) instead", lambda r: cell(r["d_wide"])),
        ("(e) 10k-row sample GX per row + all-row SQL counts", lambda r: cell(r["e"])),
        (
            "    sample rows; pull / GX / SQL",
            lambda r: f"{r['e_rows']:,}; {r['e_pull']:.2f} / {r['e_gx']:.2f} / {r['d_sql']:.2f} s",
        ),
    ]
    for label, fn in lines:
        print(f"| {label} | " + " | ".join(fn(results[n]) for n in args.rows) + " |")
    print(f"\nbuild_docs after one validation: {build:.2f} s")


def docs_build_seconds(tmp: Path, n: int) -> float:
    """What rendering Data Docs costs once (the pipeline does it once per ingest run)."""
    from cjx.ingest.gate import BatchGate

    con = duckdb.connect()
    stage(con, min(n, 10_000))
    gate = BatchGate(tmp / "docs_build")
    gate.validate(con, SOURCE, "export.csv", "f", max_failing_share=0.5)
    start = time.perf_counter()
    gate.build_docs()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
