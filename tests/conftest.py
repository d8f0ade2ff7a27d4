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


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server for the whole session (starting one costs several seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):  # a busy shared machine can take over a minute
        yield


@pytest.fixture(scope="session")
def sample_run(prefect_harness, tmp_path_factory):
    """The pipeline flow run once on data/sample into a fresh database; yields (db path, reports dir, result)."""
    from flows.pipeline import pipeline

    work = tmp_path_factory.mktemp("sample_run")
    db, reports = work / "cjx.duckdb", work / "reports"
    result = pipeline(journey=str(SAMPLE / "journey.yml"), db=str(db), reports=str(reports))
    return db, reports, result
