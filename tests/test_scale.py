"""Issue 17: per-file parsing on a Dask cluster through Prefect, one writer, the same database as a serial run.

Both sides start from a copy of the sample run's database (conftest's `sample_run`: the sample's 13 files, already
ingested once for the whole suite) and ingest the same 20 more files (18 generated exports, a copy of a sample
file, a broken file): serially through cjx.pipeline, and with `cjx ingest --workers 2`, the ingest flow on
Prefect's DaskTaskRunner with a LocalCluster of 2 worker processes. Both then build the marts, once each. Every
core and marts table must hold the same rows (count, an order-independent hash of the exact columns and tolerant
sums of the doubles: cjx.scale.digest, itself checked below), and every file the same accounting.

What keeps it short (about 40 CPU s; it took 73 s of wall before): the sample is not ingested again; the one
cluster is the one `--workers 2` starts; the files go to it as plain Dask tasks (flows.ingest.write_partitions:
no Prefect task run per file), so a worker imports cjx.scale.partition and not Prefect; and importance runs with
the fewest resamples the journey allows (settings.bootstrap_resamples: 50, on both sides: the marts are compared,
not the intervals' precision). The workers are real processes (processes=True, as `--workers` runs them): the
jobs and partitions are pickled across, and each worker resolves the pseudonym key itself.
"""

from __future__ import annotations

import os
import re
import shutil
from contextlib import closing
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from cjx import pipeline
from cjx.scale import digest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"

ACCOUNTING = (
    "SELECT regexp_replace(path, '.*/', '') AS name, status, rows_read, rows_loaded, rows_quarantined, "
    "rows_duplicate, reject_reason FROM ops.ingest_files ORDER BY name"
)

# every column of ops.validations but validated_at (when the writer inserted it: a clock, different in any two runs)
VALIDATIONS = (
    "SELECT i.path, v.suite_name, v.expectation, v.column_name, v.success, v.element_count, v.unexpected_count, "
    "v.unexpected_share, v.details::VARCHAR FROM ops.validations v JOIN ops.ingest_files i USING (file_id) "
    "ORDER BY ALL"
)


def _inbox(work: Path, name: str, generated: Path, db: Path) -> Path:
    """The sample's journey (importance on 50 resamples) and files, 20 more files, a copy of the sample run's
    database."""
    inbox = work / name
    shutil.copytree(SAMPLE, inbox, ignore=shutil.ignore_patterns("*.duckdb*", "reports", "*.partitions"))
    journey = yaml.safe_load((SAMPLE / "journey.yml").read_text(encoding="utf-8"))
    journey.setdefault("settings", {})["bootstrap_resamples"] = 50
    (inbox / "journey.yml").write_text(yaml.safe_dump(journey, allow_unicode=True, sort_keys=False), encoding="utf-8")
    for seed_dir in sorted(generated.iterdir()):
        for f in sorted(seed_dir.glob("surveys/*.csv")):
            shutil.copy(f, inbox / "surveys" / f"{f.stem}_{seed_dir.name}.csv")
    # the same content as a sample file under a new name: skipped; and a file that cannot be used: rejected
    shutil.copy(
        SAMPLE / "surveys" / "delivery_pulse_2026-Q1.csv", inbox / "surveys" / "delivery_pulse_2026-Q1_again.csv"
    )
    (inbox / "surveys" / "service_ces_2026-Q9_broken.csv").write_text("ticket,score\n1,2\n", encoding="utf-8")
    shutil.copy(db, inbox / "cjx.duckdb")
    return inbox


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """18 new survey exports: the sample generator's surveys under two other seeds (new people and answers)."""
    from cjx.sample.generate import generate_sample

    out = tmp_path_factory.mktemp("generated")
    for seed in (101, 202):
        generate_sample(out / f"s{seed}", seed=seed)
    files = sorted(out.glob("s*/surveys/*.csv"))
    for f in files[18:]:
        f.unlink()
    assert len(sorted(out.glob("s*/surveys/*.csv"))) == 18
    return out


def _state(db: Path) -> tuple[dict, list, list]:
    """The digests of core and marts, each file's accounting, and every gate check recorded (ops.validations but
    its clock, validated_at), by file name."""
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        validations = [(p.split("/")[-1], *rest) for p, *rest in con.execute(VALIDATIONS).fetchall()]
        return digest.table_digests(con), con.execute(ACCOUNTING).fetchall(), sorted(validations)


def test_dask_ingest_equals_serial(sample_run, generated, tmp_path, monkeypatch):
    from flows.cli import app

    sample_db = sample_run[0]
    serial = _inbox(tmp_path, "serial", generated, sample_db)
    parallel = _inbox(tmp_path, "parallel", generated, sample_db)
    partitions = tmp_path / "partitions"
    monkeypatch.setenv("CJX_PARTITIONS", str(partitions))

    ws = pipeline.open_workspace(serial / "journey.yml", serial / "cjx.duckdb", serial / "reports")
    pipeline.run_ingest(ws)
    pipeline.score(ws)

    out = CliRunner().invoke(
        app,
        ["ingest", "--journey", str(parallel / "journey.yml"), "--db", str(parallel / "cjx.duckdb"), "--workers", "2"],
    )
    assert out.exit_code == 0, out.output
    pipeline.score(pipeline.open_workspace(parallel / "journey.yml", parallel / "cjx.duckdb", parallel / "reports"))

    # the parsing ran in the 2 workers' processes, not this one: each new file once (18 exports and the broken one);
    # the sample's 13 files and the copy of one are known by their content and never sent to a worker
    workers = re.findall(r"parsed in process (\d+) on \S+ \(a worker\)", out.output)
    assert len(workers) == 19
    assert len(set(workers)) == 2 and str(os.getpid()) not in workers
    with closing(duckdb.connect(str(parallel / "cjx.duckdb"), read_only=True)) as con:
        run = con.execute(  # the run record: 19 new files (one of them rejected), 14 skipped (13 + the copy)
            "SELECT n_files_new, n_files_skipped, n_files_rejected, status FROM ops.runs ORDER BY started_at DESC LIMIT 1"
        ).fetchall()
    assert run == [(19, 14, 1, "completed")]
    serial_digests, serial_files, serial_checks = _state(serial / "cjx.duckdb")
    parallel_digests, parallel_files, parallel_checks = _state(parallel / "cjx.duckdb")
    sample_digests, _, sample_checks = _state(sample_db)
    assert {t for t in serial_digests if t.startswith("core.")} >= {
        "core.responses",
        "core.answer_values",
        "core.comment_texts",
    }
    assert sum(t.startswith("marts.") for t in serial_digests) >= 10
    assert any(d.doubles for t, d in serial_digests.items() if t.startswith("marts."))  # the tolerant part is used
    # the new files changed the data (so equal digests below are not two untouched copies)
    assert serial_digests["core.responses"].rows > sample_digests["core.responses"].rows
    assert serial_digests["core.answer_values"].exact != sample_digests["core.answer_values"].exact
    assert digest.differences(serial_digests, parallel_digests) == []
    assert serial_files == parallel_files
    # the gate's checks: great-expectations ran in the workers, uniqueness in the writer; the same rows as serial
    assert len(serial_checks) > len(sample_checks) and serial_checks == parallel_checks
    for _, status, read, loaded, quarantined, duplicate, _ in parallel_files:
        assert read == loaded + quarantined + duplicate, status
    # both rejected the broken file the same way and moved it aside; no partition is left behind
    assert (parallel / "rejected" / "service_ces_2026-Q9_broken.csv").exists()
    assert not any(partitions.rglob("*.parquet"))


@pytest.mark.parametrize("command", ["ingest", "run"])
@pytest.mark.parametrize("value", ["0", "two", "-1", "65", "1.5"])
def test_workers_option_rejects_a_bad_value_in_one_line(command, value, sample_dir, tmp_path):
    from flows.cli import app

    out = CliRunner().invoke(
        app,
        [
            command,
            "--journey",
            str(sample_dir / "journey.yml"),
            "--db",
            str(tmp_path / "x.duckdb"),
            f"--workers={value}",
        ],
    )
    assert out.exit_code == 2
    lines = out.output.strip().splitlines()
    assert lines == [f"error: --workers: found {value!r}, expected a whole number of worker processes from 1 to 64"]
    assert not (tmp_path / "x.duckdb").exists()


def _digests(variants: dict[str, pd.DataFrame]) -> dict[str, digest.TableDigest]:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA core")
    for name, df in variants.items():
        con.register("df", df)
        con.execute(f"CREATE TABLE core.{name} AS SELECT * FROM df")
        con.unregister("df")
    return {k.split(".")[1]: v for k, v in digest.table_digests(con, ("core",)).items()}


def test_digest_is_order_independent_and_sensitive():
    """cjx.scale.digest against pandas: the same rows in another order agree; a changed cell, a missing or a
    repeated row does not; the row count is pandas' len; clock columns are left out."""
    frame = pd.DataFrame(
        {"id": [1, 2, 3, 4], "label": ["a", "b", None, "d"], "x": [0.1, 0.2, 0.3, 1 / 3], "loaded_at": pd.NaT}
    )
    variants = {
        "same": frame,
        "shuffled": frame.sample(frac=1, random_state=1).assign(loaded_at=pd.Timestamp("2026-01-01")),
        "changed": frame.assign(label=["a", "b", None, "e"]),
        "missing": frame.iloc[:3],
        "repeated": pd.concat([frame, frame.iloc[[0, 0]]]),  # two copies of a row: an XOR would not see them
    }
    got = _digests(variants)
    assert {name: d.rows for name, d in got.items()} == {name: len(df) for name, df in variants.items()}
    assert digest.differences({"t": got["same"]}, {"t": got["shuffled"]}) == []
    assert digest.differences({"t": got["same"]}, {"t": got["changed"]}) == ["t: same 4 rows, different content"]
    assert digest.differences({"t": got["same"]}, {"t": got["missing"]}) == ["t: 4 rows against 3"]
    assert digest.differences({"t": got["same"]}, {"t": got["repeated"]}) == ["t: 4 rows against 6"]
    assert digest.differences({"t": got["same"]}, {"t": got["same"], "u": got["same"]}) == [
        "u: only in the second database"
    ]


def test_digest_tolerates_a_parallel_sum_and_catches_a_one_row_difference():
    """Doubles: the last-bit noise of adding the same numbers in another order passes, even across a 9-decimal
    rounding boundary (the old digest failed there); a one-row difference in a double, two rows' values swapped,
    two values replaced by others of the same sum, or NULL for a number, do not. The noisy values are made by
    numpy's float sums in two orders, independently of DuckDB."""
    rng = np.random.default_rng(17)
    parts = rng.uniform(0, 1, size=(500, 40))
    forward = parts.sum(axis=1)  # the same 40 numbers added in two orders: equal up to the last bits
    backward = np.array([sum(row[::-1].tolist()) for row in parts])
    assert (forward != backward).any()
    # a value on a 9-decimal boundary, one ulp either side: round(x, 9) gives 0.123456789 and 0.123456790
    edge = np.array([0.1234567895])
    low, high = np.nextafter(edge, 0), np.nextafter(edge, 1)
    assert round(float(low[0]), 9) != round(float(high[0]), 9)
    base = pd.DataFrame({"id": range(501), "mean": np.concatenate([forward, low])})
    variants = {
        "base": base,
        "noise": base.assign(mean=np.concatenate([backward, high])).iloc[::-1],
        "one_row": base.assign(mean=base["mean"].where(base["id"] != 7, base["mean"] + 1e-6)),
        "swapped": base.assign(mean=base["mean"].to_numpy()[[1, 0, *range(2, 501)]]),
        "same_sum": base.assign(
            mean=base["mean"] + np.where(base["id"] == 3, 0.25, np.where(base["id"] == 4, -0.25, 0))
        ),
        "null": base.assign(mean=base["mean"].where(base["id"] != 9)),
    }
    got = _digests(variants)
    assert got["base"].exact == got["noise"].exact
    assert digest.differences({"t": got["base"]}, {"t": got["noise"]}) == []
    for name in ("one_row", "swapped", "same_sum"):
        assert digest.differences({"t": got["base"]}, {"t": got[name]}) == [
            "t: same 501 rows, column mean differs (beyond a relative 1e-09)"
        ], name
    assert digest.differences({"t": got["base"]}, {"t": got["null"]}) == ["t: same 501 rows, different content"]
    # the sums themselves, against numpy: Σ|x|·w lies between Σ|x| and 2·Σ|x| (every weight is in [1, 2))
    total = float(np.abs(base["mean"]).sum())
    (sums,) = got["base"].doubles
    assert total <= sums.scale <= 2 * total
    assert sum(b[0] for b in sums.buckets.values()) == pytest.approx(sums.scale, rel=1e-12)  # every value >= 0


def _in_a_worker(jobs):
    """cjx.scale.partition.parse_file in another process (spawned, as Dask's workers are), the jobs and partitions
    pickled across: the gate's file-local checks run there, not in the writer."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from cjx.scale.partition import parse_file

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield from pool.map(parse_file, jobs)


def test_a_gate_failure_found_in_a_worker_rejects_the_file_as_a_serial_run_does(tmp_path):
    """A delivery-pulse export whose timestamps mostly do not parse (day/month/year text, where the source reads
    ISO-8601) fails great-expectations in the worker; the writer rejects it with the serial run's reason, rolls it
    back, records the same ops.validations rows and moves it aside, while a good file beside it loads the same."""
    from cjx.scale import writer

    good = pd.read_csv(SAMPLE / "surveys" / "delivery_pulse_2026-Q1.csv", dtype=str, keep_default_na=False)
    bad = pd.read_csv(SAMPLE / "surveys" / "delivery_pulse_2026-Q2.csv", dtype=str, keep_default_na=False)
    stamps = pd.to_datetime(bad["submitted_at"], utc=True)
    garbled = stamps.dt.strftime("%d/%m/%Y %H:%M")
    keep = len(bad) // 4  # a quarter still parses: 75 % fail, above the journey's max_failing_share
    bad["submitted_at"] = bad["submitted_at"].where(bad.index < keep, garbled)
    n_bad = int((bad.index >= keep).sum())
    share = yaml.safe_load((SAMPLE / "journey.yml").read_text(encoding="utf-8")).get("settings", {})
    assert n_bad / len(bad) > share.get("max_failing_share", 0.5)

    workspaces = {}
    for name in ("serial", "parallel"):
        inbox = tmp_path / name
        (inbox / "surveys").mkdir(parents=True)
        shutil.copy(SAMPLE / "journey.yml", inbox / "journey.yml")
        good.to_csv(inbox / "surveys" / "delivery_pulse_2026-Q1.csv", index=False, lineterminator="\n")
        bad.to_csv(inbox / "surveys" / "delivery_pulse_2026-Q2.csv", index=False, lineterminator="\n")
        workspaces[name] = pipeline.open_workspace(inbox / "journey.yml", inbox / "cjx.duckdb", inbox / "reports")
    serial = {r.path.split("/")[-1]: r for r in pipeline.ingest(workspaces["serial"])}
    parallel = {r.path.split("/")[-1]: r for r in writer.ingest_partitioned(workspaces["parallel"], _in_a_worker)}

    def same(result, ws):  # the reason names the Data Docs folder, which is each database's own
        return (result.status, (result.reject_reason or "").replace(str(ws.docs_dir), "<docs>"), result.rows_loaded)

    for name in ("delivery_pulse_2026-Q1.csv", "delivery_pulse_2026-Q2.csv"):
        assert same(serial[name], workspaces["serial"]) == same(parallel[name], workspaces["parallel"]), name
    rejected = parallel["delivery_pulse_2026-Q2.csv"]
    assert rejected.status == "rejected"
    assert "parsed in process" in " ".join(rejected.notes) and str(os.getpid()) not in " ".join(rejected.notes)
    assert f"expect_column_values_to_not_be_null(submitted_at): {n_bad} of {len(bad)} rows fail" in (
        rejected.reject_reason or ""
    )
    assert parallel["delivery_pulse_2026-Q1.csv"].rows_loaded == len(good)

    tables = {}
    for name, ws in workspaces.items():
        with closing(duckdb.connect(str(ws.db), read_only=True)) as con:
            rows = [(p.split("/")[-1], *rest) for p, *rest in con.execute(VALIDATIONS).fetchall()]
            responses = con.execute("SELECT count(*) FROM core.responses").fetchall()[0][0]
            files = con.execute("SELECT status, rejected_to IS NOT NULL FROM ops.ingest_files ORDER BY path").fetchall()
        tables[name] = (rows, responses, files)
        assert (ws.db.parent / "rejected" / "delivery_pulse_2026-Q2.csv").exists()
        assert not (ws.db.parent / "surveys" / "delivery_pulse_2026-Q2.csv").exists()
    assert tables["serial"] == tables["parallel"]
    rows, responses, files = tables["parallel"]
    assert responses == len(good) and files == [("loaded", False), ("rejected", True)]
    at_utc = [r for r in rows if r[0] == "delivery_pulse_2026-Q2.csv" and r[3] == "submitted_at"]
    assert [(r[4], r[5], r[6]) for r in at_utc] == [(False, len(bad), n_bad)]
    # the worker's great-expectations results are in the writer's Data Docs store, one per gated file
    stored = list((workspaces["parallel"].docs_dir / "gx" / "uncommitted" / "validations").rglob("*.json"))
    assert len(stored) == 2
