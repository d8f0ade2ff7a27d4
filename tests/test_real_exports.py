"""Real exports from the tools people use load right, first time (issue 11, acceptance).

Every file in tests/fixtures/real/ is ingested alone into a fresh workspace with the journey a new user would
write (tests/fixtures/real/journey.yml). Rows loaded, quarantined and duplicate, and for each file's questions
the count and mean of the scores and the first and last UTC time, must equal what an independent pandas
reading of the file gives (tests/fixtures/real/pandas_reading.py, which wrote expected.yml; it never runs cjx).
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from cjx.ingest.load_file import ingest_file
from cjx.workspace import open_workspace

REAL = Path(__file__).parent / "fixtures" / "real"
EXPECTED = yaml.safe_load((REAL / "expected.yml").read_text(encoding="utf-8"))
NOT_EXPORTS = {"journey.yml", "expected.yml", "pandas_reading.py", "README.md"}
EXPORTS = sorted(p.name for p in REAL.iterdir() if p.name not in NOT_EXPORTS and p.is_file())


def test_every_real_file_has_an_expected_reading():
    assert set(EXPORTS) == set(EXPECTED) and len(EXPORTS) >= 9


def test_expected_values_are_the_pandas_reading():
    spec = importlib.util.spec_from_file_location("pandas_reading", REAL / "pandas_reading.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.reading() == EXPECTED


@pytest.mark.parametrize("name", EXPORTS)
def test_real_export_loads_as_pandas_reads_it(tmp_path, name):
    want = EXPECTED[name]
    shutil.copy(REAL / "journey.yml", tmp_path / "journey.yml")
    shutil.copy(REAL / name, tmp_path / name)
    lj, con = open_workspace(tmp_path / "journey.yml", tmp_path / "db.duckdb")
    try:
        source = lj.journey.source(want["source"])
        result = ingest_file(con, tmp_path / name, source, pseudonym_key="real-key", journey=lj.journey)
        assert result.status == "loaded", result.reject_reason
        assert result.format == want["format"]
        quarantined = want.get("quarantined", {})
        assert (result.rows_read, result.rows_loaded, result.rows_duplicate) == (
            want["read"],
            want["loaded"],
            want.get("duplicate", 0),
        )
        assert result.quarantined_by_reason == quarantined
        assert con.execute("SELECT count(*) FROM core.responses").fetchall()[0][0] == want["loaded"]
        for column, stats in want.get("questions", {}).items():
            count, mean = con.execute(
                "SELECT count(value), avg(value) FROM core.answers WHERE source_id = ? AND column_name = ?",
                [source.id, column],
            ).fetchall()[0]
            assert count == stats["count"], column
            assert mean == pytest.approx(stats["mean"], abs=1e-6), column
        if "first_utc" in want:
            first, last = con.execute("SELECT min(responded_at), max(responded_at) FROM core.responses").fetchall()[0]
            assert (pd.Timestamp(first), pd.Timestamp(last)) == (
                pd.Timestamp(want["first_utc"]),
                pd.Timestamp(want["last_utc"]),
            )
    finally:
        con.close()
