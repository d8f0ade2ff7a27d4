"""`make bench`: the score step on 10 million answers against one plain aggregate over core.answers (issue 18).

    .venv/bin/python bench/score_bench.py                   # 10 M answers (~3 min to build on 2 shared cores)
    .venv/bin/python bench/score_bench.py --answers 1e6     # a smaller database, same measurements
    .venv/bin/python bench/score_bench.py --keep /tmp/x     # keep the built database (and reuse it next time)
    .venv/bin/python bench/score_bench.py --profile         # and the CPU time of every SQL file of the step

The database is the sample journey (data/sample) ingested once, then every survey response replicated under new
response ids with its answers and mapping attributes (same respondents, times, events and journey): the mapping,
the marts, the key-driver analysis and the revisit records all see the sample's shape at production size. Then,
in one process and run, on a fresh copy of that database each time:

- the baseline, one plain aggregate over core.answers:
  ``SELECT touchpoint_id, count(*), avg(score) FROM core.answers GROUP BY ALL``; core.answers is a view (the ids
  spelled out) since migration 090, so the same aggregate over the stored table (core.answer_values with its
  column dictionary) is timed too, and the faster of the two is the baseline: the stricter ratio;
- the score step (``cjx.pipeline.score``: touchpoint mapping, every mart, importance with its bootstrap,
  measure effects, revisit snapshots and comparisons).

Both are timed in CPU seconds of this process (DuckDB runs in it, on all its threads) and in wall seconds; the
target is the score step within 3× the aggregate (CPU). The result goes to bench/results/score.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
from replicate import replicate_responses  # noqa: E402

from cjx.pipeline import ingest, open_workspace, score  # noqa: E402
from cjx.store import connect  # noqa: E402

SCORE_VS_AGGREGATE_MAX = 3.0
AGGREGATES = {
    "core.answers": "SELECT touchpoint_id, count(*), avg(score) FROM core.answers GROUP BY ALL",
    "core.answer_values": "SELECT k.touchpoint_id, count(*), avg(a.score) FROM core.answer_values a "
    "JOIN core.answer_columns k USING (column_key) GROUP BY ALL",
}
JOURNEY = ROOT / "data" / "sample" / "journey.yml"


def clock(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall and CPU seconds (this process, all threads) of one call, and its result."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def build_database(db: Path, answers: float) -> dict[str, int]:
    """Ingest the sample into `db`, then replicate its survey responses until there are about `answers` answers."""
    with tempfile.TemporaryDirectory(prefix="cjx-score-bench-reports-") as reports:
        ingest(open_workspace(JOURNEY, db, Path(reports)))
    with closing(connect(db)) as con:
        base = con.execute("SELECT count(*) FROM core.answers").fetchall()[0][0]
        copies = max(1, math.ceil(answers / base))
        replicate_responses(con, copies, attributes=True)
        con.execute("CHECKPOINT")
        counts = {
            name: con.execute(f"SELECT count(*) FROM core.{name}").fetchall()[0][0]
            for name in ("answers", "responses", "respondents", "events")
        }
    return {**counts, "copies": copies}


@contextmanager
def sql_profile() -> Iterator[dict[str, list[float]]]:
    """CPU and wall seconds per SQL file of the score step (run_sql / query / the streamed driver frame)."""
    import cjx.metrics.drivers as drivers
    import cjx.metrics.marts as marts
    import cjx.metrics.revisits as revisits
    import cjx.store as store
    import cjx.store.db as db

    spent: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])

    def timed(fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(con: duckdb.DuckDBPyConnection, name: str, *args: Any, **kwargs: Any) -> Any:
            wall, cpu, out = clock(lambda: fn(con, name, *args, **kwargs))
            row = spent[name]
            row[0], row[1], row[2] = row[0] + cpu, row[1] + wall, row[2] + 1
            return out

        return wrapper

    patched = [(m, attr) for m in (store, db, marts, revisits, drivers) for attr in ("run_sql", "query", "_streamed")]
    saved = [(m, a, getattr(m, a)) for m, a in patched if hasattr(m, a)]
    for m, a, fn in saved:
        setattr(m, a, timed(fn))
    try:
        yield spent
    finally:
        for m, a, fn in saved:
            setattr(m, a, fn)


def measure(master: Path, work: Path, profile: bool) -> dict[str, Any]:
    """Aggregate and score step, each on a fresh copy of the master database; CPU and wall seconds."""
    shutil.copy(master, work)

    def aggregate(sql: str) -> Callable[[], None]:
        def run() -> None:
            with closing(connect(work)) as con:
                con.execute(sql).fetchall()

        return run

    for sql in AGGREGATES.values():
        aggregate(sql)()  # warm the page cache
    # Start-up costs outside the timing, as in the ingest benchmark: the modules the step imports on first use.
    import scipy.stats  # noqa: F401

    import cjx.metrics.marts
    import cjx.metrics.revisits  # noqa: F401

    aggregates = {}
    for name, sql in AGGREGATES.items():
        wall, cpu, _ = clock(aggregate(sql))
        aggregates[name] = {"cpu_s": cpu, "wall_s": wall, "sql": sql}
    baseline = min(aggregates, key=lambda name: aggregates[name]["cpu_s"])
    agg_cpu, agg_wall = aggregates[baseline]["cpu_s"], aggregates[baseline]["wall_s"]
    ws = open_workspace(JOURNEY, work, work.parent / "reports")
    with sql_profile() if profile else _nothing() as spent:
        score_wall, score_cpu, scored = clock(lambda: score(ws))
    out: dict[str, Any] = {
        "aggregate": {**aggregates[baseline], "over": baseline},
        "aggregates": aggregates,
        "score": {"cpu_s": score_cpu, "wall_s": score_wall, "marts": scored.as_dict()},
        "ratio_cpu": score_cpu / agg_cpu,
        "ratio_wall": score_wall / agg_wall,
    }
    if spent:
        out["sql_profile"] = {
            name: {"cpu_s": cpu, "wall_s": wall, "calls": calls}
            for name, (cpu, wall, calls) in sorted(spent.items(), key=lambda kv: -kv[1][0])
        }
    return out


@contextmanager
def _nothing() -> Iterator[dict[str, list[float]]]:
    yield {}


def commit() -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=float, default=10e6, help="answers in the database (default 10 M)")
    parser.add_argument("--keep", type=Path, help="folder to keep the built database in, reused when present")
    parser.add_argument("--profile", action="store_true", help="also CPU seconds per SQL file of the score step")
    parser.add_argument("--build-only", action="store_true", help="build (and --keep) the database, measure nothing")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "score.json")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cjx-score-bench-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        master = folder / f"master-{int(args.answers)}.duckdb"
        info_file = master.with_suffix(".json")
        if master.exists() and info_file.exists():
            info = json.loads(info_file.read_text())
        else:
            master.unlink(missing_ok=True)
            build_wall, build_cpu, info = clock(lambda: build_database(master, args.answers))
            info.update(build_wall_s=build_wall, build_cpu_s=build_cpu)
            info_file.write_text(json.dumps(info))
        if args.build_only:
            print(f"built {master}: {info}")
            return
        load_before = os.getloadavg()
        result = measure(master, Path(tmp) / "work.duckdb", args.profile)
        load_after = os.getloadavg()

    met = result["ratio_cpu"] <= SCORE_VS_AGGREGATE_MAX
    print(
        f"score step on {info['answers']:,} answers ({info['responses']:,} responses, {info['respondents']:,} "
        f"respondents, {info['events']:,} events; the sample × {info['copies']})"
    )
    print(f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after, on {os.cpu_count()} cores")
    sc = result["score"]
    for name, agg in result["aggregates"].items():
        print(f"  one aggregate over {name:<18} cpu {agg['cpu_s']:7.2f} s   wall {agg['wall_s']:7.2f} s")
    print(f"  baseline: the aggregate over {result['aggregate']['over']} (the faster)")
    print(f"  score step                        cpu {sc['cpu_s']:7.2f} s   wall {sc['wall_s']:7.2f} s")
    print(
        f"  score / aggregate: {result['ratio_cpu']:.1f}× in CPU time, {result['ratio_wall']:.1f}× in wall time "
        f"(target ≤ {SCORE_VS_AGGREGATE_MAX:.0f}× CPU: {'met' if met else 'MISSED'})"
    )
    for name, row in result.get("sql_profile", {}).items():
        print(f"    {name:<36} cpu {row['cpu_s']:7.2f} s   wall {row['wall_s']:7.2f} s   × {row['calls']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "benchmark": "score step vs one aggregate over core.answers",
                "database": info,
                **result,
                "target": f"score cpu <= {SCORE_VS_AGGREGATE_MAX} x aggregate cpu",
                "target_met": met,
                "load_average": [load_before[0], load_after[0]],
                "cores": os.cpu_count(),
                "python": platform.python_version(),
                "duckdb": duckdb.__version__,
                "commit": commit(),
                "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            },
            indent=2,
        )
        + "\n"
    )
    print(f"  written to {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")


if __name__ == "__main__":
    main()
