"""Measure great-expectations on a staged batch: pandas (what cjx uses) vs SQL through duckdb-engine.

Run: .venv/bin/python bench/gx_gate.py [rows]. The SQL path needs `pip install duckdb-engine` (optional extra
`bench`); without it, or when it fails, the reason is printed. Numbers are rows/s on this machine.
"""

from __future__ import annotations

import sys
import tempfile
import time
import warnings
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")


def suite():
    import great_expectations as gx
    import great_expectations.expectations as gxe

    return gx.ExpectationSuite(name="bench", expectations=[
        gxe.ExpectColumnValuesToNotBeNull(column="response_id", mostly=0.5),
        gxe.ExpectColumnValuesToNotBeNull(column="responded_at", mostly=0.5),
        gxe.ExpectColumnValuesToBeUnique(column="response_id"),
        gxe.ExpectColumnValuesToBeBetween(column="csat", min_value=1, max_value=5, mostly=0.5),
    ])


def frame(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame({"response_id": [f"R{i}" for i in range(n)],
                         "responded_at": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 10**7, n), "s"),
                         "csat": rng.integers(1, 6, n).astype(float)})


def pandas_rate(df: pd.DataFrame) -> float:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    bd = ctx.data_sources.add_pandas("p").add_dataframe_asset("a").add_batch_definition_whole_dataframe("b")
    vd = gx.ValidationDefinition(name="v", data=bd, suite=ctx.suites.add(suite()))
    t = time.perf_counter()
    result = vd.run(batch_parameters={"dataframe": df})
    assert result.success
    return len(df) / (time.perf_counter() - t)


def sql_rate(df: pd.DataFrame) -> float | str:
    try:
        import duckdb_engine  # noqa: F401
    except ImportError:
        return "duckdb-engine not installed"
    import great_expectations as gx

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "b.duckdb"
        con = duckdb.connect(str(db))
        con.register("df", df)
        con.execute("CREATE TABLE staged AS SELECT * FROM df")
        con.close()
        ctx = gx.get_context(mode="ephemeral")
        try:
            ds = ctx.data_sources.add_sql("d", connection_string=f"duckdb:///{db}")
            bd = ds.add_table_asset("staged", table_name="staged").add_batch_definition_whole_table("b")
            vd = gx.ValidationDefinition(name="v", data=bd, suite=ctx.suites.add(suite()))
            t = time.perf_counter()
            result = vd.run()
            elapsed = time.perf_counter() - t
        except Exception as exc:  # noqa: BLE001 - the point is to report what breaks
            return f"fails: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
        failed = []  # exception_info is keyed by metric when a metric (not the expectation) raised
        for r in result.results:
            info = r.exception_info or {}
            nested = [v for v in info.values() if isinstance(v, dict) and v.get("raised_exception")]
            if info.get("raised_exception") or nested:
                failed.append((nested[0] if nested else info).get("exception_message", ""))
        if failed:
            return (f"unusable: {len(failed)} of {len(result.results)} expectations errored, e.g. "
                    f"{failed[0].splitlines()[0][:160]!r} ({elapsed:.2f} s to fail)")
        return len(df) / elapsed


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    df = frame(n)
    print(f"rows: {n}")
    print(f"pandas batch: {pandas_rate(df):,.0f} rows/s")
    rate = sql_rate(df)
    print(f"SQL (duckdb-engine): {rate:,.0f} rows/s" if isinstance(rate, float) else f"SQL (duckdb-engine): {rate}")
