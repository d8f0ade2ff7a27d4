"""Shared fixtures: a session-scoped Prefect test server and one pipeline run on data/sample."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# The same examples on every run: CI must be deterministic (a failing example is still shrunk and printed).
settings.register_profile("cjx", derandomize=True, deadline=None)
settings.load_profile("cjx")

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("CJX_PSEUDONYM_KEY", "test-key-not-secret")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


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


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server for the whole session (starting one costs several seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):  # a busy shared machine can take over a minute
        yield


@pytest.fixture(scope="session")
def sample_run(prefect_harness, png_snapshots_off, tmp_path_factory):
    """The pipeline flow run once on data/sample into a fresh database, PNG snapshots included (when chromium is
    installed); yields (db path, reports dir, result)."""
    import cjx.report.snapshot
    from flows.pipeline import pipeline

    work = tmp_path_factory.mktemp("sample_run")
    db, reports = work / "cjx.duckdb", work / "reports"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cjx.report.snapshot, "find_chromium", png_snapshots_off)
        result = pipeline(journey=str(SAMPLE / "journey.yml"), db=str(db), reports=str(reports))
    return db, reports, result
