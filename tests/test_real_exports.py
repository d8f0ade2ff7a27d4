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
        if "utc_by_id" in want:  # the export named its zone (Qualtrics ImportId timeZone): every time, and a note
            # (response ids are pseudonymised here: the export's ResponseId is the respondent too)
            got = [r[0] for r in con.execute("SELECT responded_at::VARCHAR FROM core.responses ORDER BY 1").fetchall()]
            assert got == sorted(want["utc_by_id"].values())
            assert any(f"times read in {want['time_zone']}, the export's ImportId timeZone" in n for n in result.notes)
    finally:
        con.close()


def _denver_with(tmp_path, declared: str | None, third_row: tuple[str, str] | None = None):
    """qualtrics_denver_export.csv ingested with the source's `timezone` set to `declared` (None: not written),
    the ImportId row optionally rewritten."""
    journey = yaml.safe_load((REAL / "journey.yml").read_text(encoding="utf-8"))
    source = next(s for s in journey["sources"] if s["id"] == "qt_denver")
    if declared is not None:
        source["timezone"] = declared
    journey["sources"] = [source]
    journey.pop("outcome", None)
    (tmp_path / "journey.yml").write_text(yaml.safe_dump(journey), encoding="utf-8")
    text = (REAL / "qualtrics_denver_export.csv").read_text(encoding="utf-8")
    if third_row is not None:
        text = text.replace(*third_row)
    (tmp_path / "export.csv").write_text(text, encoding="utf-8")
    lj, con = open_workspace(tmp_path / "journey.yml", tmp_path / "db.duckdb")
    result = ingest_file(
        con, tmp_path / "export.csv", lj.journey.source("qt_denver"), pseudonym_key="k", journey=lj.journey
    )
    return result, con


def _local(zone: str) -> list[str]:
    """The export's RecordedDate read in `zone` by pandas, as sorted UTC text."""
    frame = pd.read_csv(REAL / "qualtrics_denver_export.csv", dtype=str, skiprows=[1, 2])
    stamps = pd.to_datetime(frame["RecordedDate"]).dt.tz_localize(zone).dt.tz_convert("UTC").dt.tz_localize(None)
    return sorted(str(t) for t in stamps)


def test_a_declared_timezone_wins_over_the_export_zone_and_the_note_says_so(tmp_path):
    result, con = _denver_with(tmp_path, "Europe/Copenhagen")
    got = [r[0] for r in con.execute("SELECT responded_at::VARCHAR FROM core.responses ORDER BY 1").fetchall()]
    con.close()
    assert got == _local("Europe/Copenhagen") != _local("America/Denver")
    assert any(
        "the export says its times are in America/Denver (ImportId timeZone); read in Europe/Copenhagen" in n
        for n in result.notes
    ), result.notes


def test_an_export_made_in_utc_z_is_read_as_utc(tmp_path):
    result, con = _denver_with(tmp_path, None, ('""timeZone"":""America/Denver""', '""timeZone"":""Z""'))
    got = [r[0] for r in con.execute("SELECT responded_at::VARCHAR FROM core.responses ORDER BY 1").fetchall()]
    con.close()
    assert got == _local("UTC")
    assert any("times read in UTC, the export's ImportId timeZone" in n for n in result.notes)


def test_an_import_id_zone_that_is_no_time_zone_rejects_the_file_with_a_reason(tmp_path):
    result, con = _denver_with(tmp_path, None, ('""timeZone"":""America/Denver""', '""timeZone"":""Mountain Time""'))
    con.close()
    assert result.status == "rejected"
    assert "column RecordedDate: the ImportId row (line 3) gives timeZone 'Mountain Time'" in result.reject_reason
    assert "declare timezone: on the source" in result.reject_reason


def test_survey_measures_move_their_touchpoints_and_the_outcome_as_statsmodels_hc3_says(tmp_path):
    """Item 9: delay minutes carried in an airline survey (declared `measures`) relate to the same responses'
    touchpoint ratings and to the outcome (a binary: satisfied or not). Slope and HC3 standard error of every
    effect equal statsmodels OLS with cov_type='HC3' on the pairs read by pandas."""
    import statsmodels.api as sm

    from cjx.metrics.marts import build_marts

    name = "airline_satisfaction_survey.csv"
    shutil.copy(REAL / "journey.yml", tmp_path / "journey.yml")
    shutil.copy(REAL / name, tmp_path / name)
    lj, con = open_workspace(tmp_path / "journey.yml", tmp_path / "db.duckdb")
    try:
        result = ingest_file(con, tmp_path / name, lj.journey.source("airline"), pseudonym_key="k", journey=lj.journey)
        assert result.status == "loaded", result.reject_reason
        build_marts(con)
        got = {
            (m, t, tp): (slope, se, n)
            for m, t, tp, slope, se, n in con.execute(
                "SELECT measure, target, coalesce(target_touchpoint_id, ''), slope, slope_se, n FROM marts.measure_effects"
            ).fetchall()
        }
        stored = con.execute("SELECT count(*) FROM core.answers WHERE metric = 'measure'").fetchall()[0][0]
    finally:
        con.close()
    assert stored == 0  # measures are not answers (core.response_measures)
    frame = pd.read_csv(REAL / name)
    targets = {
        ("csat", "baggage"): frame["Baggage handling"].where(frame["Baggage handling"] > 0),
        ("csat", "checkin"): frame["Checkin service"].where(frame["Checkin service"] > 0),
        ("outcome", ""): frame["satisfaction"].map({"satisfied": 1.0, "neutral or dissatisfied": 0.0}),
    }
    want = {}
    for measure in ("Departure Delay in Minutes", "Arrival Delay in Minutes"):
        for (target, touchpoint), y in targets.items():
            pairs = pd.DataFrame({"x": frame[measure], "y": y}).dropna()
            fit = sm.OLS(pairs["y"], sm.add_constant(pairs["x"])).fit(cov_type="HC3")
            want[(measure, target, touchpoint)] = (fit.params["x"], fit.bse["x"], len(pairs))
    assert got.keys() == want.keys()
    for key, (slope, se, n) in want.items():
        assert got[key][2] == n, key
        assert got[key][0] == pytest.approx(slope, rel=1e-9), key
        assert got[key][1] == pytest.approx(se, rel=1e-9), key
    # the planted effect of arrival delay on baggage handling is found
    assert want[("Arrival Delay in Minutes", "csat", "baggage")][0] < 0
