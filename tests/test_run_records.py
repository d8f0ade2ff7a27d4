"""Runs that readers never break, published as one step, and recorded however they end (killed included)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from cjx import pipeline
from cjx.store.publish import clean_published, published_database, published_dir, reader_database
from cjx.store.runs import start_run
from flows.cli import app
from tests.conftest import SAMPLE

HOLD = (
    "import duckdb, sys, time\n"
    "con = duckdb.connect(sys.argv[1], read_only=True)\n"
    "print('holding', flush=True)\n"
    "time.sleep(float(sys.argv[2]))\n"
)


def _small_journey(work: Path) -> Path:
    """The delivery pulse alone (touchpoint fixed), two quarterly exports."""
    journey = yaml.safe_load((SAMPLE / "journey.yml").read_text())
    journey["sources"] = [s for s in journey["sources"] if s["id"] == "delivery_pulse"]
    journey["sources"][0].pop("touchpoint_from_event")
    journey["sources"][0]["touchpoint"] = "parcel_delivery"
    journey["outcome"] = None
    journey["settings"]["bootstrap_resamples"] = 50
    (work / "surveys").mkdir(parents=True)
    for name in ("delivery_pulse_2026-Q2.csv", "delivery_pulse_2026-Q3.csv"):
        shutil.copy(SAMPLE / "surveys" / name, work / "surveys")
    path = work / "journey.yml"
    path.write_text(yaml.safe_dump(journey, sort_keys=False, allow_unicode=True))
    return path


def _runs(db: Path) -> list[tuple]:
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        return con.execute("SELECT run_id, status, error FROM ops.runs ORDER BY started_at").fetchall()


def _hold(db: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process (a notebook, say) holding the working database open read-only."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    return holder


@pytest.fixture
def ws(tmp_path):
    return pipeline.open_workspace(_small_journey(tmp_path), tmp_path / "cjx.duckdb", tmp_path / "reports")


def test_a_foreign_reader_makes_the_run_fail_with_one_line_naming_its_pid_recorded_in_ops_runs(ws, monkeypatch):
    runner = CliRunner()
    args = ["ingest", "--journey", str(ws.journey.path), "--db", str(ws.db)]
    assert runner.invoke(app, args).exit_code == 0
    monkeypatch.setenv("CJX_LOCK_WAIT", "1")
    holder = _hold(ws.db, 120)
    try:
        refused = runner.invoke(app, args)
    finally:
        holder.kill()
        holder.wait()
    assert refused.exit_code == 2
    (line,) = refused.output.strip().splitlines()
    assert line.startswith(f"error: {ws.db}: the working database is held open by pid {holder.pid}, python")
    assert "published copy" in line and "waited 1 s" in line
    # the failed run could not write ops.runs then; the next run puts it there
    assert runner.invoke(app, args).exit_code == 0
    runs = _runs(ws.db)
    assert [status for _, status, _ in runs] == ["completed", "failed", "completed"]
    assert f"pid {holder.pid}" in runs[1][2]
    status = runner.invoke(app, ["status", "--db", str(ws.db)])
    assert f"pid {holder.pid}" in status.output


def test_the_run_waits_up_to_cjx_lock_wait_for_the_holder_to_let_go(ws, monkeypatch):
    monkeypatch.setenv("CJX_LOCK_WAIT", "120")
    with closing(duckdb.connect(str(ws.db))):
        pass  # the file exists
    holder = _hold(ws.db, 3)
    try:
        result = CliRunner().invoke(app, ["ingest", "--journey", str(ws.journey.path), "--db", str(ws.db)])
    finally:
        holder.wait()
    assert result.exit_code == 0, result.output
    assert [s for _, s, _ in _runs(ws.db)] == ["completed"]


@pytest.fixture(scope="module")
def published_runs(tmp_path_factory):
    """A run; then, with the published copy deleted and leftovers of a killed publish lying around, a run with
    nothing new; then a run left `running` (killed) and one more run (once for the module's three readers)."""
    work = tmp_path_factory.mktemp("published_runs")
    ws = pipeline.open_workspace(_small_journey(work), work / "cjx.duckdb", work / "reports")
    first = pipeline.run(ws)
    copy_after_first = published_database(ws.db)
    with closing(duckdb.connect(str(copy_after_first), read_only=True)) as con:
        first_seen = con.execute("SELECT run_id, status FROM ops.runs").fetchall()
    link = published_dir(ws.db)
    versions = link.with_name(".published.d")
    first_folder = link.resolve()
    shutil.rmtree(first_folder)
    link.unlink()
    (versions / "20260101T000000-999").mkdir()  # a publish killed half-way
    (versions / "20260101T000000-999" / "cjx.duckdb").write_bytes(b"half a copy")
    (link.with_name(".published.999.link")).symlink_to("nowhere")
    second = pipeline.run(ws)
    with closing(duckdb.connect(str(ws.db))) as con:
        start_run(con, "killed-run", ws.version)  # as a run killed with SIGKILL leaves it
    third = pipeline.run(ws)
    return {"ws": ws, "first": first, "first_seen": first_seen, "second": second, "third": third, "versions": versions}


def test_the_published_copy_shows_its_own_run_completed(published_runs):
    first = published_runs["first"]
    assert published_runs["first_seen"] == [(first.run_id, "completed")]
    ws = published_runs["ws"]
    folder = published_dir(ws.db).resolve()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["database"] == "cjx.duckdb" and manifest["storage_version"].startswith("v2")
    # database and Parquet files sit in one folder, swapped in together
    assert {p.name for p in folder.iterdir()} == {"cjx.duckdb", "parquet", "manifest.json"}
    with closing(duckdb.connect(str(folder / "cjx.duckdb"), read_only=True)) as con:
        in_db = con.execute("SELECT count(*) FROM marts.touchpoint_scorecard").fetchall()[0][0]
    assert duckdb.sql(f"SELECT count(*) FROM '{folder / 'parquet' / 'touchpoint_scorecard.parquet'}'").fetchall() == [
        (in_db,)
    ]


def test_a_missing_published_copy_is_restored_when_nothing_is_new_and_leftovers_go(published_runs):
    second, ws = published_runs["second"], published_runs["ws"]
    assert second.nothing_new and second.published is not None
    assert reader_database(ws.db) == published_database(ws.db)
    # only the current version is left: the killed publish's folder and link are gone
    assert [p.name for p in published_runs["versions"].iterdir()] == [published_dir(ws.db).resolve().name]
    assert not list(ws.db.parent.glob(".published.*.link"))
    assert clean_published(ws.db) == []


def test_a_killed_run_is_marked_killed_by_the_next_run(published_runs):
    ws, third = published_runs["ws"], published_runs["third"]
    runs = {run_id: (status, error) for run_id, status, error in _runs(ws.db)}
    assert runs["killed-run"] == ("killed", f"killed: found unfinished by run {third.run_id}")
    with closing(duckdb.connect(str(published_database(ws.db)), read_only=True)) as con:
        published = dict(con.execute("SELECT run_id, status FROM ops.runs").fetchall())
    # a killed run may have loaded files without rebuilding the marts: the next run rebuilds them
    assert published["killed-run"] == "killed" and published[third.run_id] == "completed"


def test_an_interrupted_run_is_recorded_as_killed(ws):
    def interrupted(_ws):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        pipeline.run(ws, steps=pipeline.Steps(ingest=interrupted))
    ((_, status, error),) = _runs(ws.db)
    assert (status, error) == ("killed", "killed: interrupted (KeyboardInterrupt)")


def test_readers_never_open_a_working_database(ws):
    """No published copy yet: the read commands say so instead of opening the working file."""
    CliRunner().invoke(app, ["ingest", "--journey", str(ws.journey.path), "--db", str(ws.db)])
    assert ws.db.exists() and reader_database(ws.db) is None
    for command in (["summary"], ["revisit", "list"], ["schema"]):
        result = CliRunner().invoke(app, [*command, "--db", str(ws.db)])
        assert result.exit_code == 2 and "no published copy yet" in result.output, (command, result.output)
