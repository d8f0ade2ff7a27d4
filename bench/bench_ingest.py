"""Ingest throughput: cjx.ingest_file on a survey CSV against DuckDB's own CSV load, in one run.

    .venv/bin/python bench/bench_ingest.py                 # 200,000 responses x 12 ratings
    .venv/bin/python bench/bench_ingest.py --rows 1000000

Prints wall times and the ratio cjx / raw DuckDB (read_csv into a table). cjx does more per row on purpose:
pseudonymisation, raw copy, cell checks, quarantine, long answers, the great-expectations gate; the ratio
says what that costs.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from cjx.ingest import ingest_file
from cjx.journey import LoadedJourney
from cjx.journey.model import Journey
from cjx.journey.sync import sync_journey
from cjx.store import connect, migrate

N_RATINGS = 12


def journey() -> Journey:
    return Journey.model_validate({
        "journey": {"id": "bench", "name": "Bench"},
        "stages": [{"id": "s", "name": "S"}],
        "touchpoints": [{"id": f"t{i}", "name": f"T{i}", "stage": "s", "owner": "O"} for i in range(N_RATINGS)],
        "sources": [{
            "id": "survey", "kind": "survey", "format": "csv", "files": "*.csv", "respondent_id": "email",
            "response_id": "response_id", "timestamp": "submitted_at",
            "questions": [{"column": "nps", "metric": "nps"}] + [
                {"column": f"q{i}", "metric": "csat", "scale": {"min": 1, "max": 5}, "touchpoint": f"t{i}",
                 "na_codes": [-99]} for i in range(N_RATINGS)],
        }],
        "revisits": [{"id": "R1", "start": "2026-01-01", "end": "2026-12-31"}],
    })


def write_csv(path: Path, rows: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "response_id": [f"R{i:09d}" for i in range(rows)],
        "email": [f"customer{i % (rows // 2 + 1)}@example.dk" for i in range(rows)],
        "submitted_at": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 300 * 86400, rows), unit="s"),
        "nps": rng.integers(0, 11, rows),
    })
    for i in range(N_RATINGS):
        values = rng.integers(1, 6, rows).astype(object)
        values[rng.random(rows) < 0.4] = ""  # not met: blank
        frame[f"q{i}"] = values
    frame["submitted_at"] = frame["submitted_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    frame.to_csv(path, index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        csv = tmp / "export.csv"
        write_csv(csv, args.rows)
        j = journey()

        raw = duckdb.connect(str(tmp / "raw.duckdb"))
        start = time.perf_counter()
        raw.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, header = true, all_varchar = true)", [str(csv)])
        raw_seconds = time.perf_counter() - start
        raw.close()

        con = connect(tmp / "cjx.duckdb")
        migrate(con)
        sync_journey(con, LoadedJourney(j, tmp / "journey.yml", "bench"))
        start = time.perf_counter()
        result = ingest_file(con, csv, j.sources[0], pseudonym_key="bench", journey=j)
        cjx_seconds = time.perf_counter() - start
        answers = con.execute("SELECT count(*) FROM core.answers").fetchall()[0][0]
        con.close()

    print(f"rows: {args.rows:,} responses x {N_RATINGS + 1} rated columns ({answers:,} answers loaded); "
          f"status {result.status}, loaded {result.rows_loaded:,}")
    print(f"raw DuckDB read_csv -> table: {raw_seconds:6.2f} s ({args.rows / raw_seconds:,.0f} rows/s)")
    print(f"cjx ingest_file:               {cjx_seconds:6.2f} s ({args.rows / cjx_seconds:,.0f} rows/s)")
    print(f"ratio cjx / raw DuckDB: {cjx_seconds / raw_seconds:.1f}x")


if __name__ == "__main__":
    main()
