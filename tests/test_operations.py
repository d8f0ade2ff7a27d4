"""Operations: incremental runs, run history, a published copy readers can hold open, one writer at a time."""

from __future__ import annotations

import shutil
from contextlib import closing

import duckdb
import pytest
from typer.testing import CliRunner

from cjx.store.runs import RunLocked, run_lock
from flows.cli import app
from tests.conftest import SAMPLE

NEW_EXPORT = (
    "response_id,email,order_id,submitted_at,csat,comment\n"
    "DP-900001,new.customer1@example.dk,O-999001,2026-09-20T10:00:00Z,1,Pakken kom aldrig\n"
    "DP-900002,new.customer2@example.dk,O-999002,2026-09-21T11:00:00Z,2,\n"
    "DP-900003,new.customer3@example.dk,O-999003,2026-09-22T12:00:00Z,5,Perfekt\n"
)


@pytest.fixture(scope="module")
def second_run(sample_run, tmp_path_factory):
    """The sample run's database, then one new export dropped in and a second run while a reader holds the
    published copy open."""
    db, _, _ = sample_run
    work = tmp_path_factory.mktemp("ops")
    shutil.copytree(SAMPLE, work / "sample")
    shutil.copyfile(db, work / "cjx.duckdb")
    shutil.copytree(db.parent / "published", work / "published")  # as the first run left it here
    (work / "sample" / "surveys" / "delivery_pulse_2026-Q3-late.csv").write_text(NEW_EXPORT)
    # a data-team query left open on the published copy the second run is about to replace
    reader = duckdb.connect(str(work / "published" / "cjx.duckdb"), read_only=True)
    before = reader.execute("SELECT count(*) FROM core.responses").fetchall()[0][0]
    waiting = CliRunner().invoke(
        app, ["status", "--journey", str(work / "sample" / "journey.yml"), "--db", str(work / "cjx.duckdb")]
    )
    result = CliRunner().invoke(
        app,
        [
            "run",
            "--journey",
            str(work / "sample" / "journey.yml"),
            "--db",
            str(work / "cjx.duckdb"),
            "--reports",
            str(work / "reports"),
        ],
    )
    yield work, result, waiting, reader, before
    reader.close()  # closing twice is harmless


def test_second_run_ingests_only_the_new_export(second_run):
    work, result, waiting, _, _ = second_run
    assert result.exit_code == 0, result.output
    assert "1 file(s) waiting to be ingested" in waiting.output and "delivery_pulse_2026-Q3-late.csv" in waiting.output
    with closing(duckdb.connect(str(work / "cjx.duckdb"), read_only=True)) as con:
        run = con.execute(
            "SELECT status, n_files_new, rows_loaded FROM ops.runs ORDER BY started_at DESC LIMIT 1"
        ).fetchall()
        assert run == [("completed", 1, 3)]
        # only revisit 2026-Q3 got new data, so only it was snapshotted again
        snapshots = dict(con.execute("SELECT revisit_id, count(*) FROM core.revisit_snapshots GROUP BY ALL").fetchall())
        assert snapshots == {"2026-Q1": 1, "2026-Q2": 1, "2026-Q3": 2}
    assert (work / "reports" / "scorecard_2026-Q3.html").exists()


def test_a_reader_holding_the_published_copy_does_not_block_the_run(second_run, sample_run):
    work, result, _, reader, before = second_run
    assert result.exit_code == 0
    # the open reader still sees the copy it opened
    assert reader.execute("SELECT count(*) FROM core.responses").fetchall()[0][0] == before
    reader.close()  # duckdb caches one instance per path in a process: close it to open the new file
    with closing(duckdb.connect(str(work / "published" / "cjx.duckdb"), read_only=True)) as fresh:
        assert fresh.execute("SELECT count(*) FROM core.responses").fetchall()[0][0] == before + 3
    parquet = work / "published" / "parquet" / "touchpoint_scorecard.parquet"
    assert duckdb.sql(f"SELECT count(*) FROM '{parquet}'").fetchall()[0][0] == 33


def test_run_history_and_status(second_run):
    work, _, _, _, _ = second_run
    status = CliRunner().invoke(
        app, ["status", "--journey", str(work / "sample" / "journey.yml"), "--db", str(work / "cjx.duckdb")]
    )
    assert status.exit_code == 0
    assert "completed" in status.output and "0 file(s) waiting to be ingested." in status.output


def test_run_lock_lets_one_writer_in(tmp_path):
    db = tmp_path / "cjx.duckdb"
    with (
        run_lock(db),
        pytest.raises(RunLocked, match=r"another cjx run is writing this database \(pid \d+ since"),
        run_lock(db),
    ):
        pass
    with run_lock(db):  # released after the first run
        pass


def test_a_second_run_started_meanwhile_exits_with_a_clear_message(prefect_harness, sample_dir, tmp_path):
    db = tmp_path / "cjx.duckdb"
    with run_lock(db):
        result = CliRunner().invoke(
            app,
            [
                "run",
                "--journey",
                str(sample_dir / "journey.yml"),
                "--db",
                str(db),
                "--reports",
                str(tmp_path / "reports"),
            ],
        )
    assert result.exit_code == 2
    assert "another cjx run is writing this database" in result.output
    assert not db.exists()  # it stopped before touching anything


def test_inbox_files_are_archived_once_processed(tmp_path):
    import yaml

    from cjx.ingest import ingest_source
    from cjx.workspace import open_workspace

    journey = yaml.safe_load((SAMPLE / "journey.yml").read_text())
    journey["sources"] = [s for s in journey["sources"] if s["id"] == "delivery_pulse"]
    journey["sources"][0]["files"] = "inbox/delivery_pulse/*.csv"
    journey["sources"][0].pop("touchpoint_from_event")
    journey["sources"][0]["touchpoint"] = "parcel_delivery"
    journey["outcome"] = None
    journey["settings"]["archive_dir"] = "archive"
    (tmp_path / "journey.yml").write_text(yaml.safe_dump(journey, sort_keys=False))
    inbox = tmp_path / "inbox" / "delivery_pulse"
    inbox.mkdir(parents=True)
    shutil.copy(SAMPLE / "surveys" / "delivery_pulse_2026-Q1.csv", inbox)
    (inbox / "again.csv").write_bytes((SAMPLE / "surveys" / "delivery_pulse_2026-Q1.csv").read_bytes())
    lj, con = open_workspace(tmp_path / "journey.yml", tmp_path / "cjx.duckdb")
    with closing(con):
        results = ingest_source(con, lj, "delivery_pulse", "k", gate=None)
    assert [r.status for r in results] == ["loaded", "skipped"]  # same content twice: loaded once
    assert list(inbox.iterdir()) == []
    assert sorted(p.name for p in (tmp_path / "archive" / "delivery_pulse").iterdir()) == [
        "again.csv",
        "delivery_pulse_2026-Q1.csv",
    ]


def test_nothing_new_only_after_a_run_that_ended_well(tmp_path):
    from cjx.store import connect, migrate
    from cjx.store.runs import finish_run, is_nothing_new, start_run

    skipped = [{"status": "skipped", "rows_read": 0, "rows_loaded": 0, "rows_quarantined": 0, "rows_duplicate": 0}]
    with closing(connect(tmp_path / "cjx.duckdb")) as con:
        migrate(con)
        assert not is_nothing_new(con, skipped, "v1", "now")  # no run before: build everything
        start_run(con, "r1", "v1")
        finish_run(con, "r1", "completed", skipped)
        assert is_nothing_new(con, skipped, "v1", "now")
        assert not is_nothing_new(con, skipped, "v2", "now")  # the journey changed
        assert not is_nothing_new(con, [{**skipped[0], "status": "loaded"}], "v1", "now")
        start_run(con, "r2", "v1")  # killed mid-way: never finished
        assert not is_nothing_new(con, skipped, "v1", "now")


def test_an_ingest_alone_since_the_last_pipeline_run_means_the_marts_are_rebuilt(tmp_path):
    from cjx.store import connect, migrate
    from cjx.store.runs import finish_run, is_nothing_new, new_run_id, start_run

    skipped = [{"status": "skipped", "rows_read": 0, "rows_loaded": 0, "rows_quarantined": 0, "rows_duplicate": 0}]
    loaded = [{**skipped[0], "status": "loaded", "rows_read": 3, "rows_loaded": 3}]
    with closing(connect(tmp_path / "cjx.duckdb")) as con:
        migrate(con)
        start_run(con, "r1", "v1")
        finish_run(con, "r1", "completed", skipped)
        ingest_nothing = new_run_id("ingest")
        start_run(con, ingest_nothing, "v1")
        finish_run(con, ingest_nothing, "completed", skipped)
        assert is_nothing_new(con, skipped, "v1", "now")  # an ingest that found nothing new changes nothing
        ingest_new = new_run_id("ingest")
        start_run(con, ingest_new, "v1")
        finish_run(con, ingest_new, "completed", loaded)
        assert not is_nothing_new(con, skipped, "v1", "now")  # its files are not in the marts yet
        start_run(con, "r2", "v1")
        finish_run(con, "r2", "completed", skipped)
        assert is_nothing_new(con, skipped, "v1", "now")
        reprocessed = new_run_id("reprocess")
        start_run(con, reprocessed, "v1")
        finish_run(con, reprocessed, "completed", skipped)
        assert not is_nothing_new(con, skipped, "v1", "now")  # rebuilt from raw: the marts are stale
