"""Issue 17: per-file parsing on a Dask cluster through Prefect, one writer, the same database as a serial run.

The sample is ingested once (cjx.pipeline.run_ingest, serial); each side starts from a copy of that database and ingests the same 20 more files (18 generated exports, one copy of a sample file, one broken file):
serially through cjx.pipeline, and through the ingest flow on Prefect's DaskTaskRunner against a LocalCluster
of 2 worker processes. Both then build the marts. Every core and marts table must hold the same rows (count and
an order-independent content hash, cjx.scale.digest, itself checked against pandas below), and every file the
same accounting.
"""

from __future__ import annotations

import os
import shutil
from contextlib import closing
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from cjx import pipeline
from cjx.scale import digest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"

ACCOUNTING = (
    "SELECT regexp_replace(path, '.*/', '') AS name, status, rows_read, rows_loaded, rows_quarantined, "
    "rows_duplicate, reject_reason FROM ops.ingest_files ORDER BY name"
)


def _inbox(work: Path, name: str, generated: Path, db: Path) -> Path:
    """The sample's journey and files, 20 more files, and a copy of the sample run's database."""
    inbox = work / name
    shutil.copytree(SAMPLE, inbox, ignore=shutil.ignore_patterns("*.duckdb*", "reports", "*.partitions"))
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
def sample_db(tmp_path_factory) -> Path:
    """The sample's 13 files ingested serially into a fresh database (no scoring or reports: cheaper than
    the session's whole pipeline run, which this test does not need)."""
    work = tmp_path_factory.mktemp("scale_sample")
    pipeline.run_ingest(pipeline.open_workspace(SAMPLE / "journey.yml", work / "cjx.duckdb", work / "reports"))
    return work / "cjx.duckdb"


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


def _state(db: Path) -> tuple[dict, list]:
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        return digest.table_digests(con), con.execute(ACCOUNTING).fetchall()


def test_dask_ingest_equals_serial(prefect_harness, sample_db, generated, tmp_path, monkeypatch):
    from distributed import Client, LocalCluster

    from cjx.scale.partition import parsed_here
    from flows.ingest import ingest_on_dask

    serial = _inbox(tmp_path, "serial", generated, sample_db)
    parallel = _inbox(tmp_path, "parallel", generated, sample_db)
    partitions = tmp_path / "partitions"
    monkeypatch.setenv("CJX_PARTITIONS", str(partitions))

    ws = pipeline.open_workspace(serial / "journey.yml", serial / "cjx.duckdb", serial / "reports")
    pipeline.run_ingest(ws)
    pipeline.score(ws)

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, memory_limit="768MiB", dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        files = ingest_on_dask(
            str(parallel / "journey.yml"), str(parallel / "cjx.duckdb"), address=cluster.scheduler_address
        )
        parsed = client.run(parsed_here)
    pipeline.score(pipeline.open_workspace(parallel / "journey.yml", parallel / "cjx.duckdb", parallel / "reports"))

    # the parsing ran in the workers' processes, not here: each new file once (18 exports and the broken one);
    # the sample's 13 files and the copy of one are known by their content and never sent to a worker
    assert all(pid != os.getpid() for pid, _ in parsed.values())
    assert sum(n for _, n in parsed.values()) == 19
    by_status = pd.Series([f["status"] for f in files]).value_counts().to_dict()
    assert by_status == {"loaded": 18, "skipped": 14, "rejected": 1}

    serial_digests, serial_files = _state(serial / "cjx.duckdb")
    parallel_digests, parallel_files = _state(parallel / "cjx.duckdb")
    sample_digests, _ = _state(sample_db)
    assert {t for t in serial_digests if t.startswith("core.")} >= {"core.responses", "core.answers", "core.comments"}
    assert any(t.startswith("marts.") for t in serial_digests)
    # the new files changed the data (so equal digests below are not two untouched copies)
    assert serial_digests["core.responses"][0] > sample_digests["core.responses"][0]
    assert serial_digests["core.answers"][1] != sample_digests["core.answers"][1]
    assert digest.differences(serial_digests, parallel_digests) == []
    assert serial_files == parallel_files
    for _, status, read, loaded, quarantined, duplicate, _ in parallel_files:
        assert read == loaded + quarantined + duplicate, status
    # both rejected the broken file the same way and moved it aside; no partition is left behind
    assert (parallel / "rejected" / "service_ces_2026-Q9_broken.csv").exists()
    assert not any(partitions.rglob("*.parquet"))


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
    con = duckdb.connect()
    con.execute("CREATE SCHEMA core")
    for name, df in variants.items():
        con.register("df", df)
        con.execute(f"CREATE TABLE core.{name} AS SELECT * FROM df")
        con.unregister("df")
    got = digest.table_digests(con, ("core",))
    assert {name: rows for name, (rows, _) in ((k.split(".")[1], v) for k, v in got.items())} == {
        name: len(df) for name, df in variants.items()
    }
    assert got["core.same"] == got["core.shuffled"]
    for other in ("changed", "missing", "repeated"):
        assert got["core.same"][1] != got[f"core.{other}"][1]
    assert digest.differences({"t": (4, 1)}, {"t": (4, 2), "u": (1, 1)}) == [
        "t: same 4 rows, different content",
        "u: only in the second database",
    ]
