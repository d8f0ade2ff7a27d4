"""`make bench`: the parallel ingest (Prefect's DaskTaskRunner, one writer) against the serial one, same 40 files.

    .venv/bin/python bench/scale_bench.py                          # 40 files x 20,000 responses, 2 workers
    .venv/bin/python bench/scale_bench.py --files 8 --rows 2000    # smoke run
    .venv/bin/python bench/scale_bench.py --out /tmp/cjx-scale     # keep the generated files (reused next time)

Generates `--files` seeded wide survey exports (bench/ingest_bench.py's generator: id, e-mail, time, channel,
NPS, CSAT, CES, comment; each file its own response ids, so nothing is a duplicate across files), then runs the
ingest flow twice on fresh copies, each in a process of its own under one temporary Prefect server: serially
(the default) and with `--workers` Dask worker processes parsing the files (flows.ingest.ingest_on_dask).
Reported per mode: the flow's wall seconds, the whole process tree's CPU seconds (os.wait4: the Dask workers
are its children), rows per second; the speed-up is serial wall / parallel wall, measured in the same run on
the same files, with the load average beside it (the machine is shared). Both databases must end with the same
row counts and content hashes in every core table (cjx.scale.digest), or the run says so and fails.
Writes bench/results/scale.json unless --json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SEED = 20261201


def generate(out: Path, files: int, rows: int) -> Path:
    """`files` wide exports in out/inbox/ and the journey beside them; reused when already there."""
    import numpy as np
    import pandas as pd

    sys.path.insert(0, str(BENCH))
    import ingest_bench  # the generator of bench/ingest_bench.py (its own module: nothing imported at top level)

    stamp = out / "generated.json"
    wanted = {"files": files, "rows": rows, "seed": SEED, "generator": ingest_bench.GENERATOR_VERSION}
    if stamp.exists() and json.loads(stamp.read_text()) == wanted:
        return out / "journey.yml"
    shutil.rmtree(out, ignore_errors=True)
    inbox = out / "inbox"
    inbox.mkdir(parents=True)
    for k in range(files):
        path = inbox / f"wide_{k:03d}.csv"
        ingest_bench._write_wide(path, rows, np.random.default_rng(SEED + k))
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame["response_id"] = f"F{k:03d}-" + frame["response_id"]  # each export its own responses
        frame.to_csv(path, index=False, lineterminator="\n")
    journey = ingest_bench._journey_yaml("wide").replace("files: wide.csv", "files: inbox/wide_*.csv")
    (out / "journey.yml").write_text(journey, encoding="utf-8")
    stamp.write_text(json.dumps(wanted), encoding="utf-8")
    return out / "journey.yml"


def run_mode(mode: str, journey: Path, db: Path, workers: int, report: Path) -> None:
    """In a child process: one ingest flow run (serial or on Dask) against the Prefect server in PREFECT_API_URL."""
    from flows.ingest import ingest, ingest_on_dask

    started = time.perf_counter()
    if mode == "serial":
        files = ingest(journey=str(journey), db=str(db))
    else:
        files = ingest_on_dask(str(journey), str(db), workers=workers)
    seconds = time.perf_counter() - started
    report.write_text(json.dumps({"seconds": seconds, "files": files}, default=str), encoding="utf-8")


def measure(mode: str, journey: Path, db: Path, workers: int, work: Path, env: dict) -> dict:
    report = work / f"{mode}.json"
    cmd = [sys.executable, __file__, "child", mode, str(journey), str(db), str(workers), str(report)]
    load_before = os.getloadavg()[0]
    with (work / f"{mode}.log").open("w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"scale_bench: the {mode} run failed; see {work / f'{mode}.log'}")
    facts = json.loads(report.read_text())
    statuses: dict[str, int] = {}
    for f in facts["files"]:
        statuses[f["status"]] = statuses.get(f["status"], 0) + 1
    return {
        "flow_seconds": facts["seconds"],
        "cpu_seconds": usage.ru_utime + usage.ru_stime,  # the whole tree: the Dask workers are reaped by the child
        "rows_read": sum(f["rows_read"] for f in facts["files"]),
        "files": statuses,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg()[0],
    }


def core_digests(db: Path) -> dict:
    """Every core table's digest, and the gate's checks and the files' accounting (ops.validations and
    ops.ingest_files but their clocks and paths): a parallel run must leave all of them as the serial one does."""
    import duckdb

    from cjx.scale.digest import table_digest, table_digests

    with duckdb.connect(str(db), read_only=True) as con:
        con.execute(
            "CREATE TEMP TABLE accounting AS SELECT file_id, source_id, sha256, status, reject_reason, rows_read, "
            "rows_loaded, rows_quarantined, rows_duplicate, format FROM ops.ingest_files"
        )
        return {
            **table_digests(con, ("core",)),
            "ops.validations": table_digest(con, "ops", "validations"),
            "ops.ingest_files": table_digest(con, "temp", "accounting"),
        }


def profile(files: int, rows: int, out: Path) -> int:
    """Where the CPU goes per file in the parallel path, in this process, no Dask: the writer
    (cjx.scale.writer.ingest_partitioned) with each file's partition made by cjx.scale.partition.parse_file in line,
    process CPU seconds around each parse (the worker's part) and the rest (the writer's part). The first parse
    includes importing great-expectations, the first writer step opening and migrating the database."""
    import statistics

    from cjx import pipeline
    from cjx.scale import partition, writer

    os.environ.setdefault("CJX_PSEUDONYM_KEY", "bench")
    journey = generate(out / "data", files, rows)
    work = out / "profile"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(out / "data", work)
    ws = pipeline.open_workspace(work / "journey.yml", work / "cjx.duckdb", work / "reports")
    parse_cpu: list[float] = []

    def timed(jobs):
        for job in jobs:
            started = time.process_time()
            part = partition.parse_file(job)
            parse_cpu.append(time.process_time() - started)
            yield part

    started = time.process_time()
    results = writer.ingest_partitioned(ws, timed)
    total = time.process_time() - started
    writer_cpu = total - sum(parse_cpu)
    facts = {
        "files": files,
        "rows_per_file": rows,
        "loaded": sum(r.status == "loaded" for r in results),
        "total_cpu_s": total,
        "worker_cpu_s_per_file_median": statistics.median(parse_cpu),
        "worker_cpu_s_first_file": parse_cpu[0],
        "writer_cpu_s_per_file": writer_cpu / files,
        "load_average": os.getloadavg()[0],
    }
    print(json.dumps(facts, indent=2), journey)
    return 0


def limits(answers: int, out: Path, json_path: Path) -> int:
    """The limits of one DuckDB file (docs/scale.md): ingest `answers` rated answers (a 50-question export,
    bench/ingest_bench.py's rated50 generator, 40 % blank: 30 answers a response) and build every mart, in this
    process; CPU seconds of each step (time.process_time), answers per CPU second, the database's size."""
    import numpy as np

    sys.path.insert(0, str(BENCH))
    import ingest_bench

    from cjx import pipeline
    from cjx.scale.digest import table_digests
    from cjx.store import connect

    os.environ.setdefault("CJX_PSEUDONYM_KEY", "bench")
    rows = answers // 30
    data = out / "limits"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    truth, _ = ingest_bench._write_rated50(data / "rated50.csv", rows, np.random.default_rng(SEED))
    (data / "journey.yml").write_text(ingest_bench._journey_yaml("rated50"), encoding="utf-8")
    ws = pipeline.open_workspace(data / "journey.yml", data / "cjx.duckdb", data / "reports")
    load = os.getloadavg()[0]
    cpu, wall = time.process_time(), time.perf_counter()
    pipeline.ingest(ws)
    ingest_cpu, ingest_wall = time.process_time() - cpu, time.perf_counter() - wall
    # scoring in a fresh process: in this one DuckDB's pool is still the size the ingest fitted it to (fit_memory),
    # which at 10 M answers is too small for the marts (Out of Memory, measured: docs/scale.md)
    code = (
        "import sys; from cjx import pipeline; "
        "pipeline.score(pipeline.open_workspace(sys.argv[1], sys.argv[2], sys.argv[3]))"
    )
    wall = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, str(data / "journey.yml"), str(ws.db), str(data / "reports")])
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit("scale_bench limits: scoring failed")
    score_cpu, score_wall = usage.ru_utime + usage.ru_stime, time.perf_counter() - wall
    with connect(ws.db) as con:
        loaded = table_digests(con, ("core",))["core.answer_values"].rows
    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "responses": rows,
        "csv_bytes": (data / "rated50.csv").stat().st_size,
        "answers": loaded,
        "expected_answers": truth["expected_answers"],
        "ingest_cpu_s": ingest_cpu,
        "ingest_wall_s": ingest_wall,
        "score_cpu_s": score_cpu,
        "score_wall_s": score_wall,
        "ingest_answers_per_cpu_s": loaded / ingest_cpu,
        "score_answers_per_cpu_s": loaded / score_cpu,
        "db_bytes": ws.db.stat().st_size,
        "load_average_before": load,
        "load_average_after": os.getloadavg()[0],
    }
    print(json.dumps(result, indent=2))
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    shutil.rmtree(data, ignore_errors=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["limits"]:  # scale_bench.py limits [answers] [folder]: docs/scale.md's table
        answers = int(argv[1]) if len(argv) > 1 else 10_000_000
        folder = Path(argv[2]) if len(argv) > 2 else Path(tempfile.mkdtemp(prefix="cjx-limits-"))
        return limits(answers, folder, BENCH / "results" / f"scale_limits_{answers // 1_000_000}M.json")
    if argv[:1] == ["profile"]:  # scale_bench.py profile [files] [rows] [folder]: docs/scale.md's profile
        files = int(argv[1]) if len(argv) > 1 else 6
        rows = int(argv[2]) if len(argv) > 2 else 20_000
        return profile(files, rows, Path(argv[3]) if len(argv) > 3 else Path(tempfile.mkdtemp(prefix="cjx-profile-")))
    if argv[:1] == ["child"]:
        mode, journey, db, workers, report = argv[1:6]
        run_mode(mode, Path(journey), Path(db), int(workers), Path(report))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__)
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--rows", type=int, default=20_000, help="responses per file")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None, help="where the generated files stay (default: a temp dir)")
    parser.add_argument("--json", type=Path, default=BENCH / "results" / "scale.json")
    args = parser.parse_args(argv)

    from cjx.scale.digest import differences
    from flows.server import local_server

    temp = Path(tempfile.mkdtemp(prefix="cjx-scale-"))
    data = args.out or temp / "data"
    journey = generate(data, args.files, args.rows)
    size = sum(p.stat().st_size for p in (data / "inbox").glob("*.csv"))
    env = {**os.environ, "CJX_PSEUDONYM_KEY": "bench", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    results, digests = {}, {}
    with local_server(scheduler=False, home=temp / "prefect") as server:
        env["PREFECT_API_URL"] = server.api_url
        for mode in ("serial", "dask"):
            work = temp / mode
            work.mkdir()
            shutil.copytree(data, work / "data")  # files may be moved (archive, rejected): each run its own copy
            db = work / "cjx.duckdb"
            results[mode] = measure(mode, work / "data" / "journey.yml", db, args.workers, work, env)
            digests[mode] = core_digests(db)
    different = differences(digests["serial"], digests["dask"])
    serial, dask = results["serial"], results["dask"]
    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "files": args.files,
        "rows_per_file": args.rows,
        "bytes": size,
        "workers": args.workers,
        "serial": serial,
        "dask": dask,
        "speed_up_wall": serial["flow_seconds"] / dask["flow_seconds"],
        "cpu_ratio": dask["cpu_seconds"] / serial["cpu_seconds"],
        "identical_core": not different,
        "differences": different,
    }
    print(f"{args.files} files x {args.rows:,} responses ({size / 1e6:.0f} MB), {args.workers} Dask workers")
    print(f"{'mode':8} {'flow s':>8} {'cpu s':>8} {'rows/s':>10}  load before/after")
    for mode, r in results.items():
        print(
            f"{mode:8} {r['flow_seconds']:8.1f} {r['cpu_seconds']:8.1f} {r['rows_read'] / r['flow_seconds']:10,.0f}"
            f"  {r['load_average_before']:.1f}/{r['load_average_after']:.1f}"
        )
    print(
        f"speed-up (serial / dask, wall): {result['speed_up_wall']:.2f}x; CPU dask / serial: {result['cpu_ratio']:.2f}"
    )
    print(
        "core tables, ops.validations and accounting identical"
        if not different
        else "DIFFERENT: " + "; ".join(different)
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    shutil.rmtree(temp / "serial", ignore_errors=True)
    shutil.rmtree(temp / "dask", ignore_errors=True)
    return 0 if not different else 1


if __name__ == "__main__":
    sys.exit(main())
