"""`make bench`: ingest speed and memory of cjx against DuckDB's own CSV load and a pandas + GX pipeline.

    .venv/bin/python bench/ingest_bench.py                      # full size, 3 repeats (~20 min on 2 cores)
    .venv/bin/python bench/ingest_bench.py --out /tmp/cjxbench  # keep the generated files (reused next time)
    .venv/bin/python bench/ingest_bench.py --scale 0.02 --repeats 1 --json /tmp/ingest.json   # smoke run
    .venv/bin/python bench/ingest_bench.py --cjx-cmd '{cjx} ingest --journey {journey} --db {db}'

Generates two seeded survey exports (and a 1-row copy of each, same header, first data row), then runs three
pipelines on the 1-row file and the full file, each as its own whole process, `--repeats` times, same files:

- DuckDB CTAS (bench/duckdb_ctas.py): CREATE TABLE t AS SELECT * FROM read_csv(path), the ceiling;
- pandas + GX (bench/pandas_gx_pipeline.py): read_csv, a GX suite, quarantine, dedupe, melt, aggregates, store;
- cjx: `--cjx-cmd`, a template ({python} {cjx} {bench} {journey} {db} {data}); `auto` uses `cjx ingest` when
  `cjx ingest --help` works, else the stand-in below (cjx.ingest.ingest_journey in one process).

Wall time is the whole process; peak RSS is ru_maxrss from os.wait4 on it. Marginal time = median(full) -
median(1-row), so interpreter start and imports cancel. Prints a table and writes it as JSON
(bench/results/ingest.json unless --json). bench/README.md has the rules.

While measuring, this process imports only the standard library: Linux's ru_maxrss of a child includes the
high-water RSS of the parent it was forked from (before exec), so a parent holding pandas would inflate
every reading. The files are generated in a child process; duckdb is imported only after the runs, to count rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
GENERATOR_VERSION = 1
SEED = 20260101
FULL_ROWS = {"wide": 1_000_000, "rated50": 200_000}
FILE_NAMES = {"wide": "wide.csv", "rated50": "rated50.csv"}
PIPELINES = ("duckdb", "pandas", "cjx")
LABELS = {"duckdb": "DuckDB CTAS", "pandas": "pandas + GX", "cjx": "cjx"}
SOURCE_ID = "bench"
PSEUDONYM_KEY = "bench"

# The targets (issue 10). RSS "flat in file size": cjx's peak on the full file at most this much above its peak on
# the 1-row file (which is the interpreter, the imports and an empty database).
CJX_VS_DUCKDB_MAX, CJX_VS_DUCKDB_AIM = 3.0, 2.0
PANDAS_VS_CJX_MIN = 3.0
RSS_MAX_MIB = 600.0
RSS_FLAT_MIB = 300.0

TOUCHPOINT_MAP = {"web": "web_shop", "app": "mobile_app", "store": "store", "phone": "phone_support"}
COMMENT_FRAGMENTS = [
    "Hurtig levering",
    "Fin service",
    "Alt var godt",
    "Pakken kom for sent",
    "Kunne ikke finde størrelsen",
    "Venlig medarbejder",
    "Lang ventetid i telefonen",
    "Appen crashede to gange",
    "Nem betaling",
    'Sagde "tak" til sidst',
    "Æblerne var friske",
    "Søgefunktionen er dårlig",
    "Kassen var lukket",
    "Returnering tog 3 uger",
    "Great service",
    "Checkout was slow",
    "Ok",
    "Meget tilfreds",
    "Ikke tilfreds",
    'Produktet var "som beskrevet"',
    "Leveret til naboen",
    "Gode priser",
    "Ødelagt emballage",
    "Tak for hjælpen",
    "Kan anbefales",
    "Svært at finde kontaktinfo",
    "Medarbejderen i butikken vidste ikke noget",
    "Super",
]


# ---------------------------------------------------------------------------------------------- generating files


def generate(out: Path, scale: float, seed: int) -> dict:
    """Write the bench files and journeys into `out`; return the manifest (file facts and expected counts)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    manifest = {"generator_version": GENERATOR_VERSION, "scale": scale, "seed": seed, "datasets": {}}
    for name, writer in (("wide", _write_wide), ("rated50", _write_rated50)):
        rows = max(20, int(FULL_ROWS[name] * scale))
        full_dir, one_dir = out / name / "full", out / name / "one"
        for folder in (full_dir, one_dir):
            folder.mkdir(parents=True, exist_ok=True)
        full = full_dir / FILE_NAMES[name]
        truth, first_clean_line = writer(full, rows, rng)
        one = one_dir / FILE_NAMES[name]
        with full.open(encoding="utf-8", newline="") as f:
            header = f.readline()
        one.write_text(header + first_clean_line, encoding="utf-8", newline="")
        journey = _journey_yaml(name)
        for folder in (full_dir, one_dir):
            (folder / "journey.yml").write_text(journey, encoding="utf-8")
        manifest["datasets"][name] = {
            "file": str(full),
            "one_row_file": str(one),
            "journey": str(full_dir / "journey.yml"),
            "one_row_journey": str(one_dir / "journey.yml"),
            "bytes": full.stat().st_size,
            "sha256": _sha256(full),
            "columns": header.strip().count(",") + 1,
            **truth,
        }
    bad_dir = out / "gate_reject"
    bad_dir.mkdir(parents=True, exist_ok=True)
    truth, _ = _write_wide(bad_dir / FILE_NAMES["wide"], 2000, np.random.default_rng(seed + 1), bad_csat_share=0.7)
    (bad_dir / "journey.yml").write_text(_journey_yaml("wide"), encoding="utf-8")
    manifest["gate_reject"] = {
        "file": str(bad_dir / FILE_NAMES["wide"]),
        "journey": str(bad_dir / "journey.yml"),
        "rows": truth["rows"],
        "bad_csat_share": 0.7,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def _sha256(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _quality_rows(rng, n: int, base_seconds, year_end: int):
    """Disjoint row sets for the data-quality cases, all among the first n - n_dup (original) rows.

    0.1 % re-submissions (a later version of an earlier response id: that earlier row loses), 0.05 % out-of-range
    ratings, 0.01 % blank e-mails and 0.01 % blank timestamps (quarantined).
    """
    import numpy as np

    n_dup = max(1, n // 1000)
    base = n - n_dup
    pool = rng.permutation(base)
    early = pool[base_seconds[pool] < year_end - 4 * 86400]  # room for a later timestamp inside 2026
    dup_source = early[:n_dup]
    rest = pool[~np.isin(pool, dup_source)]
    n_oor, n_blank = max(1, n // 2000), max(1, n // 10000)
    return dup_source, rest[:n_oor], rest[n_oor : n_oor + n_blank], rest[n_oor + n_blank : n_oor + 2 * n_blank]


def _timestamps(seconds):
    import numpy as np

    stamps = np.datetime64("2026-01-01T00:00:00") + seconds.astype("timedelta64[s]")
    return np.datetime_as_string(stamps, unit="s", timezone="UTC").astype(object)  # 2026-03-04T05:06:07Z


def _emails(rng, n: int):
    import numpy as np

    customers = rng.integers(0, max(1, n // 2), n)
    emails = np.array([f"kunde{k}@eksempel.dk" for k in customers], dtype=object)
    shout = rng.random(n) < 0.02  # the same customer typed differently: pseudonymised the same
    emails[shout] = [f" Kunde{k}@Eksempel.DK" for k in customers[shout]]
    return emails


def _ratings(rng, n: int, lo: int, hi: int, weights, blank: float):
    import numpy as np

    p = np.asarray(weights, dtype=float)
    values = rng.choice(np.arange(lo, hi + 1), size=n, p=p / p.sum()).astype(str).astype(object)
    values[rng.random(n) < blank] = ""
    return values


def _write_wide(path: Path, n: int, rng, bad_csat_share: float = 0.0) -> tuple[dict, str]:
    """1 M responses: id, e-mail, ISO time with Z over 2026, channel, nps, csat, ces, comment (30 % blank)."""
    import numpy as np
    import pandas as pd

    year_end = 365 * 86400
    n_dup = max(1, n // 1000)
    base = n - n_dup
    seconds = rng.integers(0, year_end, n)
    ids = np.array([f"R{i:07d}" for i in range(n)], dtype=object)
    emails = _emails(rng, n)
    channel = rng.choice(np.array(list(TOUCHPOINT_MAP), dtype=object), size=n, p=[0.45, 0.3, 0.15, 0.1])
    nps = _ratings(rng, n, 0, 10, [2, 1, 1, 2, 2, 5, 6, 12, 20, 24, 25], blank=0.03)
    csat = _ratings(rng, n, 1, 5, [5, 8, 17, 40, 30], blank=0.05)
    ces = _ratings(rng, n, 1, 7, [3, 4, 8, 15, 25, 25, 20], blank=0.08)
    frags = np.array(COMMENT_FRAGMENTS, dtype=object)
    a, b = frags[rng.integers(0, len(frags), n)], frags[rng.integers(0, len(frags), n)]
    parts = rng.random(n)
    comment = np.where(parts < 0.75, a, a + ", " + b)  # a comma inside a field: CSV quoting
    comment[rng.random(n) < 0.30] = ""

    dup_source, oor, blank_email, blank_ts = _quality_rows(rng, n, seconds, year_end)
    dups = np.arange(base, n)
    ids[dups] = ids[dup_source]
    emails[dups] = emails[dup_source]
    channel[dups] = channel[dup_source]
    seconds[dups] = seconds[dup_source] + rng.integers(3600, 72 * 3600, n_dup)
    which = rng.integers(0, 3, len(oor))  # one out-of-scale answer per such row
    for k, (column, bad) in enumerate(((nps, ["11", "12"]), (csat, ["6", "0"]), (ces, ["8", "0"]))):
        pick = oor[which == k]
        column[pick] = rng.choice(np.array(bad, dtype=object), size=len(pick))
    oor_rows = oor
    emails[blank_email] = ""
    stamps = _timestamps(seconds)
    stamps[blank_ts] = ""
    if bad_csat_share:
        csat[rng.random(n) < bad_csat_share] = "9"

    quarantined = np.zeros(n, dtype=bool)
    quarantined[np.concatenate([oor_rows, blank_email, blank_ts])] = True
    loaded = ~quarantined
    loaded[dup_source] = False  # the later version (row in `dups`) wins
    order = rng.permutation(n)
    normal = np.ones(n, dtype=bool)
    normal[np.concatenate([dup_source, dups, oor_rows, blank_email, blank_ts])] = False
    first = int(np.flatnonzero(normal[order])[0])
    order[[0, first]] = order[[first, 0]]  # the first data row (the 1-row file) is an ordinary response

    frame = pd.DataFrame(
        {
            "response_id": ids,
            "email": emails,
            "submitted_at": stamps,
            "channel": channel,
            "nps": nps,
            "csat": csat,
            "ces": ces,
            "comment": comment,
        }
    ).iloc[order]
    frame.to_csv(path, index=False, lineterminator="\n")
    first_line = frame.iloc[:1].to_csv(index=False, header=False, lineterminator="\n")
    rated_cells = sum(int(((col != "") & loaded).sum()) for col in (nps, csat, ces))
    truth = {
        "rows": n,
        "expected_loaded": int(loaded.sum()),
        "expected_quarantined": int(quarantined.sum()),
        "expected_duplicate": int(n_dup),
        "expected_answers": rated_cells,
        "expected_comments": int(((comment != "") & loaded).sum()),
    }
    return truth, first_line


def _write_rated50(path: Path, n: int, rng) -> tuple[dict, str]:
    """200 k responses x 50 rated columns q1..q50 (csat 1-5, 40 % blank) plus id, e-mail, timestamp."""
    import numpy as np

    year_end = 365 * 86400
    n_dup = max(1, n // 1000)
    base = n - n_dup
    seconds = rng.integers(0, year_end, n)
    ids = np.array([f"S{i:07d}" for i in range(n)], dtype=object)
    emails = _emails(rng, n)
    p = np.array([5, 8, 17, 40, 30], dtype=float)
    values = rng.choice(np.array(list("12345")), size=(n, 50), p=p / p.sum())
    blank = rng.random((n, 50)) < 0.40
    dup_source, oor, blank_email, blank_ts = _quality_rows(rng, n, seconds, year_end)
    dups = np.arange(base, n)
    ids[dups] = ids[dup_source]
    emails[dups] = emails[dup_source]
    seconds[dups] = seconds[dup_source] + rng.integers(3600, 72 * 3600, n_dup)
    oor_col = rng.integers(0, 50, len(oor))
    values[oor, oor_col] = rng.choice(np.array(["6", "0"]), size=len(oor))
    blank[oor, oor_col] = False
    emails[blank_email] = ""
    stamps = _timestamps(seconds)
    stamps[blank_ts] = ""

    quarantined = np.zeros(n, dtype=bool)
    quarantined[np.concatenate([oor, blank_email, blank_ts])] = True
    loaded = ~quarantined
    loaded[dup_source] = False
    order = rng.permutation(n)
    normal = np.ones(n, dtype=bool)
    normal[np.concatenate([dup_source, dups, oor, blank_email, blank_ts])] = False
    first = int(np.flatnonzero(normal[order])[0])
    order[[0, first]] = order[[first, 0]]

    cells = np.where(blank, "", values)
    header = ",".join(["response_id", "email", "submitted_at"] + [f"q{i}" for i in range(1, 51)]) + "\n"
    first_line = ""
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(header)
        for start in range(0, n, 20_000):
            chunk = order[start : start + 20_000]
            lines = [
                f"{ids[i]},{emails[i]},{stamps[i]}," + ",".join(row) + "\n"
                for i, row in zip(chunk, cells[chunk].tolist())
            ]
            first_line = first_line or lines[0]
            f.writelines(lines)
    truth = {
        "rows": n,
        "expected_loaded": int(loaded.sum()),
        "expected_quarantined": int(quarantined.sum()),
        "expected_duplicate": int(n_dup),
        "expected_answers": int((~blank[loaded]).sum()),
        "expected_comments": 0,
    }
    return truth, first_line


def _journey_yaml(name: str) -> str:
    """The cjx journey file for a bench dataset (files pattern relative to the journey file)."""
    revisits = """revisits:
  - {id: 2026-Q1, start: 2026-01-01, end: 2026-03-31}
  - {id: 2026-Q2, start: 2026-04-01, end: 2026-06-30}
  - {id: 2026-Q3, start: 2026-07-01, end: 2026-09-30}
  - {id: 2026-Q4, start: 2026-10-01, end: 2026-12-31}
"""
    source = f"""  - id: {SOURCE_ID}
    kind: survey
    format: csv
    files: {FILE_NAMES[name]}
    respondent_id: email
    response_id: response_id
    timestamp: submitted_at
"""
    if name == "wide":
        values = ", ".join(f"{k}: {v}" for k, v in TOUCHPOINT_MAP.items())
        return f"""# make bench: the 1 M-response wide export (generated by bench/ingest_bench.py).
journey: {{id: bench-wide, name: Bench wide export}}
stages:
  - {{id: buy, name: Buy}}
  - {{id: support, name: Support}}
touchpoints:
  - {{id: web_shop, name: Web shop, stage: buy, owner: E-commerce}}
  - {{id: mobile_app, name: Mobile app, stage: buy, owner: E-commerce}}
  - {{id: store, name: Store, stage: buy, owner: Retail}}
  - {{id: phone_support, name: Phone support, stage: support, owner: Customer Service}}
sources:
{source}    touchpoint_by: {{column: channel, values: {{{values}}}}}
    questions:
      - {{column: nps, metric: nps, scale: {{min: 0, max: 10}}}}
      - {{column: csat, metric: csat, scale: {{min: 1, max: 5}}}}
      - {{column: ces, metric: ces, scale: {{min: 1, max: 7}}}}
      - {{column: comment, metric: comment}}
{revisits}"""
    stages = [f"s{k}" for k in range(1, 6)]
    touchpoints = "\n".join(
        f"  - {{id: t{i:02d}, name: Touchpoint {i}, stage: {stages[(i - 1) // 10]}, owner: Team {(i - 1) // 10 + 1}}}"
        for i in range(1, 51)
    )
    questions = "\n".join(
        f"      - {{column: q{i}, metric: csat, scale: {{min: 1, max: 5}}, touchpoint: t{i:02d}}}" for i in range(1, 51)
    )
    return f"""# make bench: the 200 k x 50-rated-column export (generated by bench/ingest_bench.py).
journey: {{id: bench-rated50, name: Bench 50 rated columns}}
stages:
{chr(10).join(f"  - {{id: {s}, name: Stage {s[1:]}}}" for s in stages)}
touchpoints:
{touchpoints}
sources:
{source}    questions:
{questions}
{revisits}"""


# ---------------------------------------------------------------------------------------------- cjx stand-in


class _TimedGate:
    """Wraps cjx's batch gate and adds up the time spent in it (GX import and context included on first use)."""

    def __init__(self, inner) -> None:
        self.inner, self.seconds = inner, 0.0

    def validate(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return self.inner.validate(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - start


def cjx_stand_in(argv: list[str]) -> int:
    """Until `cjx ingest` exists: load the journey, migrate, sync, ingest_journey; print per-file accounting."""
    parser = argparse.ArgumentParser(prog="ingest_bench.py cjx-stand-in")
    parser.add_argument("--journey", required=True, type=Path)
    parser.add_argument("--db", required=True, type=Path)
    args = parser.parse_args(argv)
    from cjx.ingest.gate import default_gate
    from cjx.ingest.run import ingest_journey
    from cjx.journey import load_journey
    from cjx.journey.sync import sync_journey
    from cjx.store import connect, migrate

    lj = load_journey(args.journey)
    con = connect(args.db)
    migrate(con)
    sync_journey(con, lj)
    gate = _TimedGate(default_gate())
    key = os.environ.get("CJX_PSEUDONYM_KEY", PSEUDONYM_KEY)
    results = ingest_journey(con, lj, key, gate=gate, move_rejected=False)
    con.close()
    for r in results:
        print(
            f"{r.source_id} {Path(r.path).name}: {r.status}; read {r.rows_read}, loaded {r.rows_loaded}, "
            f"quarantined {r.rows_quarantined}, duplicate {r.rows_duplicate}"
            + (f"; {r.reject_reason}" if r.reject_reason else "")
        )
    print(f"gate: {gate.seconds:.4f} s")
    return 0


# ---------------------------------------------------------------------------------------------- measuring


def measure(cmd: list[str], log: Path, env: dict) -> dict:
    """Run `cmd` as its own process; wall seconds, peak RSS (MiB, ru_maxrss of the reaped child) and exit code."""
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "seconds": wall,
        "peak_rss_mib": usage.ru_maxrss / 1024,
        "exit_code": proc.returncode,
        "user_s": usage.ru_utime,
        "sys_s": usage.ru_stime,
        "log": str(log),
    }


def cjx_template(spec: str, env: dict) -> tuple[str, str]:
    """Resolve --cjx-cmd: (template, what it is)."""
    real = "{cjx} ingest --journey {journey} --db {db}"
    stand_in = "{python} {bench}/ingest_bench.py cjx-stand-in --journey {journey} --db {db}"
    if spec == "stand-in":
        return stand_in, "stand-in (cjx.ingest.ingest_journey in one process)"
    if spec == "cli":
        return real, "cjx ingest (CLI)"
    if spec != "auto":
        return spec, "custom --cjx-cmd"
    cjx = Path(sys.executable).with_name("cjx")
    try:
        probe = subprocess.run([str(cjx), "ingest", "--help"], capture_output=True, env=env, timeout=120, cwd=ROOT)
        if probe.returncode == 0:
            return real, "cjx ingest (CLI)"
    except (OSError, subprocess.TimeoutExpired):
        pass
    return stand_in, "stand-in (cjx.ingest.ingest_journey in one process; `cjx ingest` not found)"


def put_back(csv: Path) -> bool:
    """cjx moves a rejected file into rejected/ beside its journey: move it back (True if it had to)."""
    moved = csv.parent / "rejected" / csv.name
    if csv.exists() or not moved.exists():
        return False
    shutil.move(str(moved), csv)
    for reason in moved.parent.glob(csv.name + "*.reason.txt"):
        reason.unlink()
    return True


def fresh_db(dbs: Path, tag: str) -> Path:
    """A database path in a folder of its own: cjx keeps GX's project and Data Docs beside the database."""
    folder = dbs / tag
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder / "bench.duckdb"


def command(pipeline: str, csv: str, journey: str, db: Path, template: str) -> list[str]:
    python = sys.executable
    if pipeline == "duckdb":
        return [python, str(BENCH / "duckdb_ctas.py"), csv, str(db)]
    if pipeline == "pandas":
        return [python, str(BENCH / "pandas_gx_pipeline.py"), csv, str(db), "--key", PSEUDONYM_KEY]
    fields = {
        "python": python,
        "cjx": str(Path(python).with_name("cjx")),
        "bench": str(BENCH),
        "journey": journey,
        "db": str(db),
        "data": csv,
    }
    return shlex.split(template.format(**{k: shlex.quote(v) for k, v in fields.items()}))


GATE_LINE = re.compile(r"(?im)^.*\bgate\b[^\n]*?(\d+(?:\.\d+)?)\s*s\b")


def gate_seconds(log: Path, gate_report: str | None, db: Path) -> float | None:
    """The GX gate's time in a cjx run: from --gate-report (JSON) when given and present, else a 'gate ... N s' line."""
    if gate_report:
        path = Path(gate_report.format(db=db, run=db.stem))
        if path.exists():
            try:
                data = json.loads(path.read_text())
                items = data if isinstance(data, list) else [data]
                found = [
                    float(d[k]) for d in items if isinstance(d, dict) for k in ("gate_seconds", "seconds") if k in d
                ][: len(items)]
                if found:
                    return sum(found)
            except (ValueError, KeyError, TypeError):
                pass
    match = GATE_LINE.findall(log.read_text(errors="replace"))
    return float(match[-1]) if match else None


def machine() -> dict:
    info = {"cpu_count": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        info["cpu_model"] = next(
            (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), None
        )
        mem = Path("/proc/meminfo").read_text()
        info["ram_gib"] = round(int(re.search(r"MemTotal:\s+(\d+)", mem)[1]) / 1024**2, 1)
    except OSError:
        pass
    for package in ("duckdb", "pandas", "numpy", "great_expectations"):
        try:
            info[package] = metadata.version(package.replace("_", "-"))
        except metadata.PackageNotFoundError:
            info[package] = None
    return info


def harness_rss_mib() -> float | None:
    try:
        return int(re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text())[1]) / 1024
    except (OSError, TypeError):
        return None


# ---------------------------------------------------------------------------------------------- counting


def loaded_counts(pipeline: str, db: Path) -> dict:
    """What a run left in its database: rows (DuckDB), responses/answers/comments/quarantined/duplicate (others)."""
    import duckdb

    if not db.exists():
        return {}
    con = duckdb.connect(str(db), read_only=True)
    try:
        one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        if pipeline == "duckdb":
            return {"rows": one("SELECT count(*) FROM t")}
        if pipeline == "pandas":
            status = one("SELECT status FROM ingest_files")
            if status != "loaded":
                return {"status": status}
            return {
                "status": status,
                "rows": one("SELECT count(*) FROM raw"),
                "responses": one("SELECT count(*) FROM responses"),
                "answers": one("SELECT count(*) FROM answers"),
                "comments": one("SELECT count(*) FROM comments"),
                "quarantined": one("SELECT count(*) FROM quarantine"),
                "duplicate": one("SELECT rows_duplicate FROM ingest_files"),
            }
        files = con.execute(
            "SELECT status, rows_read, rows_quarantined, rows_duplicate FROM ops.ingest_files"
        ).fetchall()
        status = ",".join(sorted({f[0] for f in files})) or "none"
        return {
            "status": status,
            "rows": sum(f[1] or 0 for f in files),
            "responses": one("SELECT count(*) FROM core.responses"),
            "answers": one("SELECT count(*) FROM core.answers"),
            "comments": one("SELECT count(*) FROM core.comments"),
            "quarantined": sum(f[2] or 0 for f in files),
            "duplicate": sum(f[3] or 0 for f in files),
        }
    except duckdb.Error as exc:
        return {"error": str(exc).splitlines()[0]}
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------- summary


def _stats(runs: list[dict]) -> dict:
    ok = [r for r in runs if r["exit_code"] == 0]
    if not ok:
        return {"runs": len(runs), "failed": len(runs)}
    secs = [r["seconds"] for r in ok]
    return {
        "runs": len(runs),
        "failed": len(runs) - len(ok),
        "median_s": statistics.median(secs),
        "median_cpu_s": statistics.median(r["user_s"] + r["sys_s"] for r in ok),
        "min_s": min(secs),
        "max_s": max(secs),
        "peak_rss_mib": max(r["peak_rss_mib"] for r in ok),
        "median_rss_mib": statistics.median(r["peak_rss_mib"] for r in ok),
    }


def summarise(name: str, facts: dict, runs: dict, gates: dict) -> dict:
    rows = facts["rows"]
    out = {"pipelines": {}, "targets": []}
    for p in PIPELINES:
        one, full = _stats(runs[p]["one"]), _stats(runs[p]["full"])
        entry = {"one_row": one, "full": full}
        if "median_s" in one and "median_s" in full:
            marginal = full["median_s"] - one["median_s"]
            entry["marginal_s"] = marginal
            entry["rows_per_s"] = rows / marginal if marginal > 0 else None
            entry["marginal_cpu_s"] = full["median_cpu_s"] - one["median_cpu_s"]
        out["pipelines"][p] = entry
    marg = {p: out["pipelines"][p].get("marginal_s") for p in PIPELINES}
    ratio = lambda a, b: a / b if a is not None and b is not None and a > 0 and b > 0 else None  # noqa: E731
    out["ratios"] = {
        "cjx_vs_duckdb": ratio(marg["cjx"], marg["duckdb"]),
        "pandas_vs_cjx": ratio(marg["pandas"], marg["cjx"]),
    }
    cjx = out["pipelines"]["cjx"]
    r = out["ratios"]["cjx_vs_duckdb"]
    out["targets"].append(
        {
            "target": f"cjx marginal <= {CJX_VS_DUCKDB_MAX:g}x DuckDB CTAS (aim {CJX_VS_DUCKDB_AIM:g}x)",
            "value": r,
            "unit": "x",
            "met": None if r is None else r <= CJX_VS_DUCKDB_MAX,
            "aim_met": None if r is None else r <= CJX_VS_DUCKDB_AIM,
        }
    )
    r = out["ratios"]["pandas_vs_cjx"]
    out["targets"].append(
        {
            "target": f"cjx >= {PANDAS_VS_CJX_MIN:g}x faster than pandas + GX (marginal)",
            "value": r,
            "unit": "x",
            "met": None if r is None else r >= PANDAS_VS_CJX_MIN,
        }
    )
    peak = cjx["full"].get("peak_rss_mib")
    out["targets"].append(
        {
            "target": f"cjx peak RSS <= {RSS_MAX_MIB:g} MiB (full file)",
            "value": peak,
            "unit": "MiB",
            "met": None if peak is None else peak <= RSS_MAX_MIB,
        }
    )
    base = cjx["one_row"].get("peak_rss_mib")
    growth = None if peak is None or base is None else peak - base
    out["targets"].append(
        {
            "target": f"cjx RSS flat: peak(full) - peak(1-row) <= {RSS_FLAT_MIB:g} MiB",
            "value": growth,
            "unit": "MiB",
            "met": None if growth is None else growth <= RSS_FLAT_MIB,
        }
    )
    g_one, g_full = gates.get("one") or [], gates.get("full") or []
    gate = None
    if g_one and g_full and None not in g_one + g_full:
        gate = {"one_row_s": statistics.median(g_one), "full_s": statistics.median(g_full)}
        gate["marginal_s"] = gate["full_s"] - gate["one_row_s"]
    out["gate"] = gate
    raw = marg["duckdb"]
    value = None if gate is None or raw is None else gate["marginal_s"]
    out["targets"].append(
        {
            "target": "GX gate (marginal) <= raw load (DuckDB CTAS marginal)",
            "value": value,
            "limit": raw,
            "unit": "s",
            "met": None if value is None else value <= raw,
            "note": None if gate else "cjx printed no gate timing: for the lead (--gate-report)",
        }
    )
    return out


def _fmt(value, spec: str = ".2f", none: str = "-") -> str:
    return none if value is None else format(value, spec)


def _verdict(t: dict) -> str:
    if t["met"] is None:
        return "n/a"
    text = "met" if t["met"] else "MISSED"
    if "aim_met" in t and t["met"]:
        text += ", aim met" if t["aim_met"] else ", aim missed"
    return text


def render(result: dict) -> str:
    lines = []
    m = result["machine"]
    lines.append(
        f"machine: {m.get('cpu_model')} ({m['cpu_count']} cores, {m.get('ram_gib')} GiB), {m['platform']}; "
        f"python {m['python']}, duckdb {m['duckdb']}, pandas {m['pandas']}, GX {m['great_expectations']}"
    )
    lines.append(
        f"date: {result['date']}; command: {result['command']}; repeats: {result['repeats']}; "
        f"load average (1 min) {result['load_average_start'][0]:.1f} at the start, "
        f"{result['load_average_end'][0]:.1f} at the end"
    )
    lines.append(f"cjx command: {result['cjx_command']['template']} [{result['cjx_command']['kind']}]")
    code = result.get("cjx_code") or {}
    if code:
        what = {
            "head": "cjx/ and flows/ as committed at HEAD",
            "tree": "a copy of the working tree at the start",
            "live": "the live working tree",
        }[code["code"]]
        dirty = code.get("dirty") and code["code"] != "head"
        lines.append(
            f"cjx code: {what} (HEAD {code.get('head', '?')[:10]}"
            + (f", {code['dirty_files']} file(s) in cjx/ or flows/ uncommitted)" if dirty else ")")
        )
    for name, d in result["datasets"].items():
        f = d["file"]
        lines.append("")
        lines.append(
            f"== {FILE_NAMES[name]}: {f['rows']:,} responses x {f['columns']} columns, "
            f"{f['bytes'] / 1e6:.1f} MB (1-row file: same header, first data row)"
        )
        head = (
            f"{'pipeline':<13}{'1-row s':>9}{'full s (min-max)':>24}{'marginal s':>12}{'rows/s':>12}"
            f"{'RSS 1-row':>11}{'RSS full':>10}{'CPU marg. s':>13}"
        )
        lines.append(head)
        for p in PIPELINES:
            e = d["pipelines"][p]
            one, full = e["one_row"], e["full"]
            spread = (
                f"{_fmt(full.get('median_s'))} ({_fmt(full.get('min_s'))}-{_fmt(full.get('max_s'))})"
                if "median_s" in full
                else f"failed {full.get('failed')}/{full.get('runs')}"
            )
            lines.append(
                f"{LABELS[p]:<13}{_fmt(one.get('median_s')):>9}{spread:>24}{_fmt(e.get('marginal_s')):>12}"
                f"{_fmt(e.get('rows_per_s'), ',.0f'):>12}{_fmt(one.get('peak_rss_mib'), '.0f'):>7} MiB"
                f"{_fmt(full.get('peak_rss_mib'), '.0f'):>6} MiB{_fmt(e.get('marginal_cpu_s'), '.1f'):>13}"
            )
        g = d["gate"]
        if g:
            lines.append(
                f"{'cjx GX gate':<13}{_fmt(g['one_row_s']):>9}{_fmt(g['full_s']):>24}{_fmt(g['marginal_s']):>12}"
                "   (inside the cjx runs; 1-row includes GX import and context)"
            )
        r = d["ratios"]
        lines.append(
            f"ratios (marginal): cjx / DuckDB {_fmt(r['cjx_vs_duckdb'], '.1f')}x; "
            f"pandas + GX / cjx {_fmt(r['pandas_vs_cjx'], '.1f')}x"
        )
        cpu = {p: d["pipelines"][p].get("marginal_cpu_s") for p in PIPELINES}
        if all(v is not None and v > 0 for v in cpu.values()):
            lines.append(
                f"ratios (marginal CPU s, user + sys; steadier on a busy machine, but DuckDB uses every core): "
                f"cjx / DuckDB {cpu['cjx'] / cpu['duckdb']:.1f}x; pandas + GX / cjx "
                f"{cpu['pandas'] / cpu['cjx']:.1f}x"
            )
        for t in d["targets"]:
            value = _fmt(t["value"], ".1f" if t["unit"] != "s" else ".2f")
            limit = f" (raw load {_fmt(t.get('limit'))} s)" if t.get("limit") is not None else ""
            lines.append(
                f"  [{_verdict(t):^22}] {t['target']}: {value} {t['unit']}{limit}"
                + (f"  -- {t['note']}" if t.get("note") else "")
            )
        c = d["counts"]
        lines.append("  same work, last good full run of each (expected = from the generator):")
        keys = ("rows", "responses", "answers", "comments", "quarantined", "duplicate")
        lines.append(f"    {'':<13}" + "".join(f"{k:>13}" for k in keys))
        for who in ("expected", "duckdb", "pandas", "cjx"):
            row = c.get(who) or {}
            label = "expected" if who == "expected" else LABELS[who]
            lines.append(
                f"    {label:<13}"
                + "".join(f"{_fmt(row.get(k), ',d'):>13}" for k in keys)
                + (f"   status {row['status']}" if row.get("status") not in (None, "loaded") else "")
                + (f"   error {row['error']}" if row.get("error") else "")
            )
        lines.append(f"    agree: {'yes' if d['counts_agree'] else 'NO'}")
        if d.get("cjx_output"):
            lines.append("  cjx's own output (that run):")
            lines += [f"    | {line}" for line in d["cjx_output"]]
    g = result["gate_reject"]
    lines.append("")
    lines.append(
        f"gate can reject a batch ({g['rows']:,} rows, {g['bad_csat_share']:.0%} csat out of scale): "
        f"cjx {g['cjx']} , pandas + GX {g['pandas']} -> {'met' if g['met'] else 'MISSED'}"
    )
    lines.append(
        f"harness RSS while spawning: {_fmt(result['harness_rss_mib'], '.0f')} MiB (a floor under every RSS "
        "reading: Linux counts the parent's pages of the fork)"
    )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["generate"]:
        out, scale, seed = Path(argv[1]), float(argv[2]), int(argv[3])
        generate(out, scale, seed)
        return 0
    if argv[:1] == ["cjx-stand-in"]:
        return cjx_stand_in(argv[1:])
    if argv[:1] == ["--render"]:  # re-print a finished run's table (and refresh its `table`) with this renderer
        path = Path(argv[1])
        result = json.loads(path.read_text())
        result["table"] = render(result)
        print(result["table"])
        path.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
        return 0
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="work folder to keep (files are reused when scale and seed match); default a temporary folder",
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0, help="file sizes relative to 1 M and 200 k responses")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--datasets", default="wide,rated50")
    parser.add_argument(
        "--cjx-cmd",
        default="auto",
        help="auto | cli | stand-in | a template with {python} {cjx} {bench} {journey} {db} {data}",
    )
    parser.add_argument(
        "--gate-report",
        help="JSON file a cjx run writes with gate_seconds (may use {db}, {run}); read after each cjx run when present",
    )
    parser.add_argument("--json", type=Path, default=BENCH / "results" / "ingest.json")
    parser.add_argument(
        "--cjx-code",
        choices=("head", "tree", "live"),
        default="head",
        help="which cjx code the cjx runs import: head = cjx/ and flows/ as committed at HEAD "
        "(git archive, default), tree = a copy of the working tree taken at the start, "
        "live = the working tree as it changes",
    )
    args = parser.parse_args(argv)
    datasets = [d for d in args.datasets.split(",") if d]

    tmp = None
    if args.out is None:
        tmp = tempfile.TemporaryDirectory(prefix="cjx-bench-")
        work = Path(tmp.name)
    else:
        work = args.out.resolve()
        work.mkdir(parents=True, exist_ok=True)
    code = snapshot(work / "cjx-code", args.cjx_code)
    env = {
        **os.environ,
        "CJX_PSEUDONYM_KEY": PSEUDONYM_KEY,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PYTHONPATH": os.pathsep.join(filter(None, [code["path"], os.environ.get("PYTHONPATH")])),
    }
    code.update(_git_state())
    print(
        f"cjx code: {code['code']} ({code['path']}; HEAD {code.get('head', '?')[:10]}"
        f"{', the tree has uncommitted changes in cjx/ or flows/' if code.get('dirty') else ''})",
        flush=True,
    )
    try:
        manifest = _ensure_files(work, args.scale, args.seed, env)
        template, kind = cjx_template(args.cjx_cmd, env)
        print(f"cjx command: {template} [{kind}]", flush=True)
        result = run_all(work, manifest, datasets, args, template, kind, env)
        result["cjx_code"] = code
    finally:
        if tmp is not None:
            tmp.cleanup()
    text = render(result)
    print("\n" + text)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    result["table"] = text
    args.json.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nwrote {args.json}")
    return 0


def snapshot(folder: Path, which: str) -> dict:
    """The cjx code to measure: cjx/ and flows/ as committed at HEAD, or copied from the tree now, or the live tree.

    A copy means other work in the tree cannot change (or break) the code halfway through the runs. The editable
    install's finder comes after PYTHONPATH, so the copy is what every cjx process imports."""
    if which == "live":
        return {"path": str(ROOT), "code": "live"}
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    if which == "head":
        archive = subprocess.run(
            ["git", "--no-optional-locks", "-C", str(ROOT), "archive", "HEAD", "cjx", "flows"],
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    else:
        for package in ("cjx", "flows"):
            if (ROOT / package).is_dir():
                shutil.copytree(ROOT / package, folder / package, ignore=shutil.ignore_patterns("__pycache__"))
    return {"path": str(folder), "code": which}


def _git_state() -> dict:
    """HEAD and whether cjx/ or flows/ differ from it (read-only git, no index lock)."""
    try:
        git = ["git", "--no-optional-locks", "-C", str(ROOT)]
        head = subprocess.run(git + ["rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        diff = subprocess.run(
            git + ["status", "--porcelain", "--", "cjx", "flows"], capture_output=True, text=True, check=True
        ).stdout
        return {"head": head, "dirty": bool(diff.strip()), "dirty_files": len(diff.splitlines())}
    except (OSError, subprocess.CalledProcessError):
        return {}


def _ensure_files(work: Path, scale: float, seed: int, env: dict) -> dict:
    path = work / "manifest.json"
    if path.exists():
        manifest = json.loads(path.read_text())
        if (manifest.get("generator_version"), manifest.get("scale"), manifest.get("seed")) == (
            GENERATOR_VERSION,
            scale,
            seed,
        ) and all(Path(d["file"]).exists() for d in manifest["datasets"].values()):
            print(f"reusing the files in {work}", flush=True)
            return manifest
    print(f"generating the files in {work} ...", flush=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, __file__, "generate", str(work), repr(scale), str(seed)], check=True, env=env)
    print(f"  done in {time.perf_counter() - start:.1f} s", flush=True)
    return json.loads(path.read_text())


def run_all(work: Path, manifest: dict, datasets: list[str], args, template: str, kind: str, env: dict) -> dict:
    dbs, logs = work / "db", work / "logs"
    for folder in (dbs, logs):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    for name in datasets:  # warm the page cache: every pipeline reads a file that is already in memory
        for key in ("file", "one_row_file"):
            with open(manifest["datasets"][name][key], "rb") as f:
                while f.read(1 << 24):
                    pass
    # one discarded run of each pipeline first: the first start of an interpreter pays for cold .pyc and disk reads
    warm = manifest["datasets"][datasets[0]]
    for p in PIPELINES:
        measure(
            command(p, warm["one_row_file"], warm["one_row_journey"], fresh_db(dbs, f"warmup-{p}"), template),
            logs / f"warmup-{p}.log",
            env,
        )
        shutil.rmtree(dbs / f"warmup-{p}")
    runs = {n: {p: {"one": [], "full": []} for p in PIPELINES} for n in datasets}
    gates = {n: {"one": [], "full": []} for n in datasets}
    last_db: dict[tuple[str, str], Path] = {}
    total = args.repeats * len(datasets) * 2 * len(PIPELINES)
    done = 0
    harness_rss = harness_rss_mib()
    load_start = os.getloadavg()
    for repeat in range(args.repeats):
        for name in datasets:
            facts = manifest["datasets"][name]
            for size in ("one", "full"):
                csv = facts["file"] if size == "full" else facts["one_row_file"]
                journey = facts["journey"] if size == "full" else facts["one_row_journey"]
                for p in PIPELINES:
                    tag = f"{name}-{size}-{p}-{repeat}"
                    db = fresh_db(dbs, tag)
                    r = measure(command(p, csv, journey, db, template), logs / f"{tag}.log", env)
                    if put_back(Path(csv)):
                        r["exit_code"] = r["exit_code"] or "file rejected"
                    done += 1
                    if p == "cjx" and r["exit_code"] == 0:
                        gates[name][size].append(gate_seconds(logs / f"{tag}.log", args.gate_report, db))
                    runs[name][p][size].append(r)
                    print(
                        f"[{done:>3}/{total}] {tag:<28} {r['seconds']:8.2f} s {r['peak_rss_mib']:7.0f} MiB"
                        + (
                            ""
                            if r["exit_code"] == 0
                            else f"  exit {r['exit_code']}: see {r['log']}\n" + _tail(logs / f"{tag}.log")
                        ),
                        flush=True,
                    )
                    if size == "full" and r["exit_code"] == 0:  # keep the last good full run's database
                        if (name, p) in last_db:
                            shutil.rmtree(last_db[(name, p)].parent)
                        last_db[(name, p)] = db
                    else:
                        shutil.rmtree(db.parent)
    harness_rss = max(harness_rss or 0, harness_rss_mib() or 0)

    # the gate can reject a batch: a file with 70 % of the csat answers out of scale, through cjx and pandas + GX
    bad = manifest["gate_reject"]
    reject = {"rows": bad["rows"], "bad_csat_share": bad["bad_csat_share"]}
    for p in ("cjx", "pandas"):
        db = fresh_db(dbs, f"gate-reject-{p}")
        r = measure(command(p, bad["file"], bad["journey"], db, template), logs / f"gate-reject-{p}.log", env)
        put_back(Path(bad["file"]))
        reject[p] = loaded_counts(p, db).get("status", "error") if r["exit_code"] == 0 else f"exit {r['exit_code']}"
    reject["met"] = reject["cjx"] == "rejected" and reject["pandas"] == "rejected"

    result = {
        "machine": machine(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": shlex.join(["python", "bench/ingest_bench.py", *sys.argv[1:]]),
        "repeats": args.repeats,
        "scale": args.scale,
        "cjx_command": {"template": template, "kind": kind},
        "harness_rss_mib": harness_rss,
        "load_average_start": load_start,
        "load_average_end": os.getloadavg(),
        "rss_unit": "MiB (ru_maxrss KiB / 1024)",
        "rules": {
            "marginal": "median(full) - median(1-row), wall time of the whole process",
            "rows_per_s": "rows in the full file / marginal s",
            "rss_flat": f"cjx peak(full) - peak(1-row) <= {RSS_FLAT_MIB:g} MiB",
            "gate": "cjx gate time (full) - gate time (1-row), against DuckDB CTAS marginal",
        },
        "datasets": {},
        "gate_reject": reject,
    }
    for name in datasets:
        facts = manifest["datasets"][name]
        d = summarise(name, facts, runs[name], gates[name])
        d["file"] = {k: facts[k] for k in ("rows", "columns", "bytes", "sha256")}
        d["runs"] = runs[name]
        d["gate_seconds_raw"] = gates[name]
        last_log = (
            logs / f"{Path(last_db[(name, 'cjx')]).parent.name}.log"
            if (name, "cjx") in last_db
            else logs / f"{name}-full-cjx-{args.repeats - 1}.log"
        )
        d["cjx_output"] = last_log.read_text(errors="replace").splitlines()[:12] if last_log.exists() else []
        counts = {
            "expected": {
                "rows": facts["rows"],
                "responses": facts["expected_loaded"],
                "answers": facts["expected_answers"],
                "comments": facts["expected_comments"],
                "quarantined": facts["expected_quarantined"],
                "duplicate": facts["expected_duplicate"],
            }
        }
        for p in PIPELINES:
            counts[p] = loaded_counts(p, last_db[(name, p)]) if (name, p) in last_db else {}
        d["counts"] = counts
        keys = ("rows", "responses", "answers", "comments", "quarantined", "duplicate")
        d["counts_agree"] = counts["duckdb"].get("rows") == facts["rows"] and all(
            counts[p].get(k) == counts["expected"][k] for p in ("pandas", "cjx") for k in keys
        )
        result["datasets"][name] = d
    return result


def _tail(log: Path, lines: int = 15) -> str:
    text = log.read_text(errors="replace").splitlines()[-lines:]
    return "\n".join("      " + line for line in text)


if __name__ == "__main__":
    sys.exit(main())
