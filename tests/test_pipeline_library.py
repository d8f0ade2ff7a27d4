"""The pipeline as a library: cjx.pipeline runs it end to end without Prefect; `cjx ingest` is the ingest step alone."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cjx import pipeline
from cjx.cli import app
from cjx.store import connect
from cjx.store.runs import run_lock
from tests.conftest import ROOT, SAMPLE

LATE_EXPORT = "delivery_pulse_2026-Q3.csv"  # held back, then dropped in and ingested with `cjx ingest`


def _sample_q3(work: Path) -> Path:
    """data/sample with only the 2026-Q3 exports (one revisit with data: a quicker run), fewer bootstrap resamples,
    and LATE_EXPORT held back in work/."""
    shutil.copytree(SAMPLE, work / "sample", ignore=shutil.ignore_patterns("*2026-Q1*", "*2026-Q2*"))
    shutil.move(work / "sample" / "surveys" / LATE_EXPORT, work / LATE_EXPORT)
    path = work / "sample" / "journey.yml"
    journey = yaml.safe_load(path.read_text())
    journey["settings"]["bootstrap_resamples"] = 50
    path.write_text(yaml.safe_dump(journey, sort_keys=False, allow_unicode=True))
    return path


def _accounting(output: str) -> dict[str, list[str]]:
    """The per-file table of `cjx ingest`: file name -> [source, status, read, loaded, quarantined, duplicate]."""
    lines = output.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("File "))
    assert lines[header].split()[:8] == [
        "File",
        "Source",
        "Status",
        "Rows",
        "read",
        "Loaded",
        "Quarantined",
        "Duplicate",
    ]
    rows = {}
    for line in lines[header + 2 :]:
        if not line.strip() or line.startswith(("ingest: ", "reprocess: ")):
            break
        name, *cells = line.split()
        rows[name] = cells[:6]
    return rows


def _assert_rows_add_up(rows: dict[str, list[str]]) -> None:
    for name, (_, _, read, loaded, quarantined, duplicate) in rows.items():
        assert int(read) == int(loaded) + int(quarantined) + int(duplicate), name


@pytest.fixture(scope="module")
def library_runs(tmp_path_factory):
    """On the Q3 sample, no Prefect anywhere: run, run again, `cjx ingest` of a late export, run, run again."""
    work = tmp_path_factory.mktemp("library")
    journey = _sample_q3(work)
    db = work / "cjx.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("cjx.report.snapshot.find_chromium", lambda: None)  # PNGs are the report tests' business
        ws = pipeline.open_workspace(journey, db, work / "reports")
        first = pipeline.run(ws)
        second = pipeline.run(ws)
        shutil.move(work / LATE_EXPORT, work / "sample" / "surveys" / LATE_EXPORT)
        ingested = CliRunner().invoke(app, ["ingest", "--journey", str(journey), "--db", str(db)])
        third = pipeline.run(ws)
        fourth = pipeline.run(ws)
    with closing(connect(db, read_only=True)) as con:
        runs = con.execute(
            "SELECT run_id, status, n_files_new, rows_loaded, error FROM ops.runs ORDER BY started_at"
        ).fetchall()
        files = {
            Path(p).name: (read, loaded, quarantined, duplicate)
            for p, read, loaded, quarantined, duplicate in con.execute(
                "SELECT path, rows_read, rows_loaded, rows_quarantined, rows_duplicate "
                "FROM ops.ingest_files WHERE status = 'loaded'"
            ).fetchall()
        }
    return {
        "work": work,
        "ws": ws,
        "runs": runs,
        "files": files,
        "ingested": ingested,
        "results": [first, second, third, fourth],
    }


def test_the_library_runs_the_whole_pipeline_and_records_it(library_runs):
    first = library_runs["results"][0]
    ws = library_runs["ws"]
    assert not first.nothing_new and first.files and all(f.status == "loaded" for f in first.files)
    assert first.scored.marts["touchpoint_scorecard"] == 33
    assert first.scorecards == [str(ws.reports / "scorecard_2026-Q3.html")]
    assert Path(first.scorecards[0]).exists()
    assert any((ws.reports / "scorecard_2026-Q3" / "owners").glob("*.html"))
    assert Path(first.published["database"]).exists()
    with closing(connect(ws.db, read_only=True)) as con:
        q3 = con.execute(
            "SELECT sum(n_responses) FROM marts.touchpoint_scorecard WHERE revisit_id = '2026-Q3'"
        ).fetchone()[0]
        assert q3 > 0
    run_id, status, n_new, _, error = library_runs["runs"][0]
    # the delivery pulse's only Q3 export is held back: the run says so
    assert (run_id, status, n_new, error) == (first.run_id, "completed with warnings", len(first.files), None)
    assert first.warnings == [
        "source 'delivery_pulse' got no rows for the latest revisit 2026-Q3 (2026-07-01..2026-09-30)"
    ]
    assert first.as_dict().keys() == {
        "files",
        "marts",
        "scorecards",
        "published",
        "nothing_new",
        "status",
        "warnings",
        "alerts",
    }


def test_a_second_run_with_nothing_new_keeps_the_marts(library_runs):
    first, second = library_runs["results"][:2]
    assert second.nothing_new and second.scored is None and second.published is None
    assert second.scorecards == first.scorecards
    assert all(f.status == "skipped" for f in second.files)
    assert library_runs["runs"][1][1] == "nothing new"


def test_cjx_ingest_accounts_for_every_row_of_every_file(library_runs):
    result = library_runs["ingested"]
    assert result.exit_code == 0, result.output
    rows = _accounting(result.output)
    assert rows[LATE_EXPORT][:2] == ["delivery_pulse", "loaded"]
    assert {cells[1] for name, cells in rows.items() if name != LATE_EXPORT} == {"skipped"}
    _assert_rows_add_up(rows)
    assert tuple(map(int, rows[LATE_EXPORT][2:])) == library_runs["files"][LATE_EXPORT]
    assert "ingest: 1 new file(s)" in result.output
    run_id, status, n_new, rows_loaded, _ = library_runs["runs"][2]
    assert run_id.startswith("ingest-") and (status, n_new) == ("completed", 1)
    assert rows_loaded == int(rows[LATE_EXPORT][3])


def test_a_run_after_cjx_ingest_rebuilds_the_marts_then_has_nothing_new(library_runs):
    third, fourth = library_runs["results"][2:]
    # the ingest alone loaded the late export: the marts do not have it yet although this run finds no new file
    assert all(f.status == "skipped" for f in third.files) and not third.nothing_new
    assert third.scored.revisits["snapshots_taken"] == 1
    assert fourth.nothing_new
    assert [r[1] for r in library_runs["runs"]] == [
        "completed with warnings",
        "nothing new",
        "completed",
        "completed",
        "nothing new",
    ]


def _small_journey(work: Path) -> Path:
    """One survey source (the delivery pulse, touchpoint fixed): two exports, the same content again, a broken file."""
    journey = yaml.safe_load((SAMPLE / "journey.yml").read_text())
    journey["sources"] = [s for s in journey["sources"] if s["id"] == "delivery_pulse"]
    journey["sources"][0].pop("touchpoint_from_event")
    journey["sources"][0]["touchpoint"] = "parcel_delivery"
    journey["outcome"] = None
    (work / "surveys").mkdir(parents=True)
    for name in ("delivery_pulse_2026-Q2.csv", "delivery_pulse_2026-Q3.csv"):
        shutil.copy(SAMPLE / "surveys" / name, work / "surveys")
    shutil.copy(SAMPLE / "surveys" / "delivery_pulse_2026-Q2.csv", work / "surveys" / "delivery_pulse_again.csv")
    (work / "surveys" / "delivery_pulse_broken.csv").write_text("foo,bar\n1,2\n")
    path = work / "journey.yml"
    path.write_text(yaml.safe_dump(journey, sort_keys=False, allow_unicode=True))
    return path


def test_cjx_ingest_runs_without_importing_prefect(tmp_path):
    """The console entry point (flows.cli) running `cjx ingest` in a fresh interpreter: Prefect is never imported."""
    journey = _small_journey(tmp_path)
    script = (
        "import json, sys\n"
        "from flows.cli import app\n"
        "sys.argv = ['cjx', 'ingest', '--journey', sys.argv[1], '--db', sys.argv[2]]\n"
        "try:\n    app()\nexcept SystemExit as exc:\n    code = exc.code\n"
        "print(json.dumps({'exit': code, 'prefect': sorted(m for m in sys.modules if m.split('.')[0] == 'prefect')}))\n"
    )
    env = {**os.environ, "CJX_PSEUDONYM_KEY": "k"}
    done = subprocess.run(
        [sys.executable, "-c", script, str(journey), str(tmp_path / "cjx.duckdb")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    *lines, last = done.stdout.strip().splitlines() or [""]
    assert last.startswith("{"), done.stdout + done.stderr
    output, verdict = "\n".join(lines), json.loads(last)
    assert verdict == {"exit": 0, "prefect": []}, done.stdout + done.stderr
    rows = _accounting(output)
    assert {name: cells[1] for name, cells in rows.items()} == {
        "delivery_pulse_2026-Q2.csv": "loaded",
        "delivery_pulse_2026-Q3.csv": "loaded",
        "delivery_pulse_again.csv": "skipped",
        "delivery_pulse_broken.csv": "rejected",
    }
    _assert_rows_add_up(rows)
    assert int(rows["delivery_pulse_2026-Q3.csv"][4]) > 0  # quarantined rows
    broken = next(line for line in output.splitlines() if line.startswith("delivery_pulse_broken.csv"))
    assert len(broken.split()) > 8  # the reject reason, in its own column
    assert "ingest: 3 new file(s), 1 unchanged file(s) skipped" in output
    assert f"ingest: delivery_pulse_broken.csv rejected, moved to {tmp_path / 'rejected'}" in output


def test_importing_the_cli_does_not_import_prefect():
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, cjx.cli, cjx.pipeline, flows.cli; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('prefect', 'flows')))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip() == "['flows', 'flows.cli']", done.stdout + done.stderr


def test_cjx_ingest_is_refused_while_another_run_holds_the_database(tmp_path):
    journey = _small_journey(tmp_path)
    db = tmp_path / "cjx.duckdb"
    with run_lock(db):
        result = CliRunner().invoke(app, ["ingest", "--journey", str(journey), "--db", str(db)])
    assert result.exit_code == 2
    assert "another cjx run is writing this database" in result.output
    assert not db.exists()


def test_cjx_ingest_with_a_bad_journey_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "journey.yml").write_text("journey: {id: x}\n")
    result = CliRunner().invoke(app, ["ingest", "--journey", str(tmp_path / "journey.yml")])
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and len(result.output.strip().splitlines()) == 1


def test_cjx_reprocess_rebuilds_a_source_from_raw_and_records_the_run(tmp_path):
    journey = _small_journey(tmp_path)
    db = tmp_path / "cjx.duckdb"
    args = ["--journey", str(journey), "--db", str(db)]
    assert CliRunner().invoke(app, ["ingest", *args]).exit_code == 0
    result = CliRunner().invoke(app, ["reprocess", *args, "--source", "delivery_pulse"])
    assert result.exit_code == 0, result.output
    rows = _accounting(result.output)
    assert set(rows) == {"delivery_pulse_2026-Q2.csv", "delivery_pulse_2026-Q3.csv"}
    assert {cells[1] for cells in rows.values()} == {"reprocessed"}
    _assert_rows_add_up(rows)
    with closing(connect(db, read_only=True)) as con:
        ingested = dict(
            con.execute("SELECT path, rows_loaded FROM ops.ingest_files WHERE status = 'loaded'").fetchall()
        )
        runs = con.execute(
            "SELECT run_id, status, n_files_new, reprocessed FROM ops.runs ORDER BY started_at"
        ).fetchall()
    assert {Path(p).name: n for p, n in ingested.items()} == {name: int(c[3]) for name, c in rows.items()}
    assert [(r[0].split("-")[0], *r[1:]) for r in runs] == [
        ("ingest", "completed", 3, None),
        ("reprocess", "completed", 0, ["delivery_pulse"]),
    ]
    status = CliRunner().invoke(app, ["status", *args])
    assert status.exit_code == 0 and "Rebuilt from raw" in status.output
    assert [line for line in status.output.splitlines() if "delivery_pulse" in line and "completed" in line]
    unknown = CliRunner().invoke(app, ["reprocess", *args, "--source", "nope"])
    assert unknown.exit_code == 2 and "unknown source 'nope'" in unknown.output


def test_a_failing_step_is_recorded_as_failed_with_its_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CJX_PSEUDONYM_KEY", "k")
    ws = pipeline.open_workspace(_small_journey(tmp_path), tmp_path / "cjx.duckdb", tmp_path / "reports")

    def broken_score(ws):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        pipeline.run(ws, run_id="r1", steps=pipeline.Steps(score=broken_score))
    with closing(connect(ws.db, read_only=True)) as con:
        assert con.execute("SELECT status, error, n_files_new FROM ops.runs").fetchall() == [
            ("failed", "RuntimeError: disk full", 3)
        ]


def test_no_cjx_module_imports_flows():
    offenders = []
    for path in sorted((ROOT / "cjx").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else []
            )
            offenders += [
                f"{path.relative_to(ROOT)}:{node.lineno}: {n}" for n in names if n == "flows" or n.startswith("flows.")
            ]
    assert offenders == []


def test_the_workspace_keeps_the_pseudonym_key_out_of_its_repr(tmp_path, monkeypatch):
    monkeypatch.setenv("CJX_PSEUDONYM_KEY", "s3cret-key")
    ws = pipeline.open_workspace(SAMPLE / "journey.yml", tmp_path / "cjx.duckdb")
    assert ws.pseudonym_key == "s3cret-key" and "s3cret-key" not in repr(ws)
    assert not (tmp_path / "cjx.duckdb").exists()  # opening a workspace touches no file
