"""CLI polish: help shows defaults and every environment variable, read commands work outside the repository,
`cjx revisit list` counts responses."""

from __future__ import annotations

import re
import shutil
from contextlib import closing

import duckdb
import pandas as pd
from typer.testing import CliRunner

from cjx import settings
from flows.cli import app
from tests.conftest import ROOT


def test_help_lists_every_environment_variable_the_code_reads():
    read = set()
    for path in [*(ROOT / "cjx").rglob("*.py"), *(ROOT / "flows").rglob("*.py")]:
        read |= set(re.findall(r"environ(?:\.get\(|\[|\.setdefault\()\"(CJX_[A-Z_]+)\"", path.read_text()))
    assert {"CJX_DB", "CJX_LOCK_WAIT", "CJX_PREFECT_HOME"} <= read  # the scan finds them
    shown = CliRunner().invoke(app, ["--help"]).output
    assert [name for name in sorted(read) if f"  {name} " not in shown] == []


def test_help_shows_defaults_and_env_vars_in_brackets():
    shown = " ".join(CliRunner().invoke(app, ["run", "--help"]).output.split())  # the line breaks do not matter
    assert f"[default: {settings.DEFAULT_DB}]" in shown and "[env var: CJX_DB]" in shown
    assert f"[default: {settings.DEFAULT_REPORTS}/]" in shown and "[env var: CJX_REPORTS]" in shown
    shown = " ".join(CliRunner().invoke(app, ["status", "--help"]).output.split())
    assert "[default: 10]" in shown


def test_status_and_revisit_list_work_outside_the_repository(sample_run, tmp_path, monkeypatch):
    """From another folder, with only the published copy there (no journey file, no working database)."""
    from cjx.store.publish import published_dir

    db, _, _ = sample_run
    shutil.copytree(published_dir(db).resolve(), tmp_path / "published")
    monkeypatch.chdir(tmp_path)
    status = CliRunner().invoke(app, ["status", "--db", "cjx.duckdb"])
    assert status.exit_code == 0, status.output
    assert "completed" in status.output and "0 file(s) waiting to be ingested." in status.output
    listed = CliRunner().invoke(app, ["revisit", "list", "--db", "cjx.duckdb"])
    assert listed.exit_code == 0, listed.output
    # responses per revisit, counted here with pandas from the responses themselves
    with closing(duckdb.connect(str(tmp_path / "published" / "cjx.duckdb"), read_only=True)) as con:
        responses = con.execute("SELECT responded_at FROM core.responses").df()
        revisits = con.execute("SELECT revisit_id, start_date, end_date FROM core.revisits").df()
    day = pd.to_datetime(responses.responded_at).dt.normalize()
    for r in revisits.itertuples():
        n = int(((day >= pd.Timestamp(r.start_date)) & (day <= pd.Timestamp(r.end_date))).sum())
        (line,) = [line for line in listed.output.splitlines() if line.startswith(r.revisit_id)]
        assert re.search(rf"\s{n}\s", f" {line} "), (line, n)
