"""Shared fixtures: a session-scoped Prefect test server and one pipeline run on a copy of data/sample.

The suite runs on two xdist workers (pyproject.toml's addopts; `-n 0` runs it in one process). Session fixtures
run once per worker, so the tests that share an expensive fixture (sample_run, a module's pipeline run) run on
one worker (tests/xdist_groups.py). No test may change the repository's data/sample (an ingest moves rejected
files next to the journey file): the tests that run or ingest the sample use `sample_dir`, a copy, and the run
fails when data/sample changed (pytest_sessionfinish below).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from tests.xdist_groups import (  # noqa: F401  (hooks: one worker per shared fixture, slow tests first)
    pytest_collection_modifyitems,
    pytest_configure,
    pytest_xdist_make_scheduler,
)

# The same examples on every run: CI must be deterministic (a failing example is still shrunk and printed).
settings.register_profile("cjx", derandomize=True, deadline=None)
settings.load_profile("cjx")

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("CJX_PSEUDONYM_KEY", "test-key-not-secret")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"  # read it; to run or ingest the sample, use the `sample_dir` fixture (a copy)


def _tree_digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` (ignored ones too), by relative path, with a digest of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() or p.is_symlink()
    }


_SAMPLE_BEFORE = pytest.StashKey[dict[str, str]]()


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):  # the controller (or the only process): once per run
        session.config.stash[_SAMPLE_BEFORE] = _tree_digest(SAMPLE)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when any test changed the repository's data/sample (added, removed or changed a file)."""
    before = session.config.stash.get(_SAMPLE_BEFORE, None)
    if before is None:
        return
    after = _tree_digest(SAMPLE)
    changed = sorted(
        [f"removed {n}" for n in before.keys() - after.keys()]
        + [f"added {n}" for n in after.keys() - before.keys()]
        + [f"changed {n}" for n in before.keys() & after.keys() if before[n] != after[n]]
    )
    if changed:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = f"the tests changed the repository's data/sample: {', '.join(changed)} (use the sample_dir fixture)"
        if reporter is not None:
            reporter.write("\n")
            reporter.write_line(f"ERROR: {message}", red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session", autouse=True)
def png_snapshots_off():
    """Chromium's PNG snapshots of the scorecards are taken in the sample run only (sample_run below); every other
    pipeline run in the suite writes its pages without them, as on a machine without chromium. They cost about
    15 s a run on two cores (a browser start and a screenshot per chart) and no other test reads them: the PNGs
    and the e-mail copy built from them are tested on the sample run (test_report_sample, test_scorecard_browser).
    Runs in a child process (`cjx serve`) still take them."""
    import cjx.report.snapshot

    real = cjx.report.snapshot.find_chromium
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cjx.report.snapshot, "find_chromium", lambda: None)
        yield real


@pytest.fixture(scope="session", autouse=True)
def prefect_logs_to_the_session_stream():
    """Prefect sets its console log handler up on the stream that is sys.stderr when prefect is first imported. A
    first import inside CliRunner.invoke would leave it on CliRunner's stream, closed when invoke returns, and
    every later in-process flow run would fail to log; so each worker imports prefect before its first test."""
    import prefect  # noqa: F401


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server for the whole session (starting one costs several seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):  # a busy shared machine can take over a minute
        yield


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory) -> Path:
    """A copy of data/sample (the journey file and its exports) for the tests that run or ingest the sample: an
    ingest moves rejected files next to the journey file, and the repository's copy must stay as committed."""
    folder = tmp_path_factory.mktemp("sample_copy") / "sample"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("rejected"))
    return folder


@pytest.fixture(scope="session")
def sample_run(prefect_harness, png_snapshots_off, sample_dir, tmp_path_factory):
    """The pipeline flow run once on the sample (a copy: sample_dir) into a fresh database, PNG snapshots included
    (when chromium is installed); yields (db path, reports dir, result)."""
    import cjx.report.snapshot
    from flows.pipeline import pipeline

    work = tmp_path_factory.mktemp("sample_run")
    db, reports = work / "cjx.duckdb", work / "reports"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cjx.report.snapshot, "find_chromium", png_snapshots_off)
        result = pipeline(journey=str(sample_dir / "journey.yml"), db=str(db), reports=str(reports))
    return db, reports, result
