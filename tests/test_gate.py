"""The batch gate on staged temp tables built directly (landed_rows, landed_cells), without a file or a pipeline."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from cjx.ingest.gate import BatchGate, checks, default_gate
from cjx.journey.model import Source
from cjx.store import connect

SOURCE = Source.model_validate(
    {
        "id": "pulse",
        "kind": "survey",
        "files": "*.csv",
        "respondent_id": "email",
        "response_id": "response_id",
        "timestamp": "submitted_at",
        "questions": [
            {"column": "nps", "metric": "nps"},
            {"column": "csat", "metric": "csat", "scale": {"min": 1, "max": 5}, "na_codes": [-99]},
            {"column": "why", "metric": "comment"},
        ],
    }
)
OPERATIONAL = Source.model_validate(
    {
        "id": "orders",
        "kind": "operational",
        "files": "*.csv",
        "respondent_id": "email",
        "event_id": "order_id",
        "event_type": "order",
        "timestamp": "ordered_at",
        "measures": ["order_value"],
    }
)
T0 = dt.datetime(2026, 3, 1, 12)


def stage(
    con, n: int = 100, *, bad_timestamps: int = 0, repeated_ids: int = 0, unknown_labels: int = 0, measure: bool = False
) -> None:
    """n staged rows shaped like the staging step's temp tables; the first rows carry the problems asked for."""
    rows, cells = [], []
    for i in range(1, n + 1):
        at = None if i <= bad_timestamps else T0 + dt.timedelta(minutes=i)
        record_id = f"R{1 if i <= repeated_ids else i}"
        reason = "bad_timestamp" if at is None else None
        message = f"f.csv row {i}: column submitted_at: '{i}/13/2026' is not a timestamp (ISO-8601)" if reason else None
        status = "quarantined" if reason else "loaded"
        rows.append((i, record_id, f"c{i % 7}", at, False, reason, message, status))
        if measure:
            cells.append((i, "order_value", "measure", None, None, None, False, "12.5", 12.5, False))
            continue
        cells.append((i, "nps", "nps", None, 0, 10, False, str(i % 11), float(i % 11), False))
        if i <= unknown_labels:
            cells.append((i, "csat", "csat", "t", 1, 5, False, "Meget tilfreds", None, False))
        elif i % 3 == 0:
            cells.append((i, "csat", "csat", "t", 1, 5, False, "-99", -99.0, True))  # NA code: not checked
        else:
            cells.append((i, "csat", "csat", "t", 1, 5, False, str(1 + i % 5), float(1 + i % 5), False))
        if i % 2 == 0:
            cells.append((i, "why", "comment", "t", None, None, False, "fine", None, False))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE landed_rows (row_number BIGINT, record_id VARCHAR, "
        "respondent_id VARCHAR, at_utc TIMESTAMP, is_partial BOOLEAN, reason VARCHAR, message VARCHAR, "
        "status VARCHAR)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE landed_cells (row_number BIGINT, column_name VARCHAR, metric VARCHAR, "
        "touchpoint_id VARCHAR, scale_min INTEGER, scale_max INTEGER, is_reversed BOOLEAN, value VARCHAR, "
        "number DOUBLE, is_na BOOLEAN)"
    )
    if rows:
        con.executemany("INSERT INTO landed_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        con.executemany("INSERT INTO landed_cells VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", cells)


@pytest.fixture
def con():
    c = connect(":memory:")
    yield c
    c.close()


@pytest.fixture(scope="module")
def gate():
    return BatchGate()


def _by_check(outcome):
    return {(r["expectation"], r["column_name"]): r for r in outcome.rows}


def test_clean_batch_passes_with_one_row_per_check(con, gate):
    stage(con, 100)
    outcome = gate.validate(con, SOURCE, "f.csv", "fid", max_failing_share=0.5)
    assert outcome.success and outcome.message == ""
    rows = _by_check(outcome)
    assert len(outcome.rows) == len(checks(SOURCE)) == 8
    assert all(r["success"] and r["unexpected_count"] == 0 for r in outcome.rows)
    assert all(r["suite_name"] == "cjx_pulse" for r in outcome.rows)
    assert rows[("expect_column_values_to_not_be_null", "submitted_at")]["element_count"] == 100
    assert rows[("expect_column_values_to_be_unique", "response_id")]["element_count"] == 100
    # NA codes are not scores: only the 67 answered csat cells are checked, comments not at all
    assert rows[("expect_column_values_to_be_in_set", "csat (parsed)")]["element_count"] == 67
    assert rows[("expect_column_values_to_be_between", "csat")]["element_count"] == 67
    assert rows[("expect_column_values_to_be_between", "csat")]["details"]["max_value"] == 5
    assert not any(c == "why" or c.startswith("why ") for _, c in rows)


def test_mostly_unparseable_timestamps_fail_the_batch_naming_check_and_counts(con, gate):
    stage(con, 100, bad_timestamps=80)
    outcome = gate.validate(con, SOURCE, "f.csv", "fid", max_failing_share=0.5)
    assert not outcome.success
    assert "\n" not in outcome.message
    assert outcome.message.startswith(
        "f.csv: failed the batch gate (suite cjx_pulse): "
        "rule 'timestamps parse' failed on column 'submitted_at': 80 of 100 rows (80%) have no time that parses"
    )
    assert "(GX expect_column_values_to_not_be_null(submitted_at): 80 of 100 rows fail)" in outcome.message
    assert "More than 50% of the rows fail" in outcome.message
    row = _by_check(outcome)[("expect_column_values_to_not_be_null", "submitted_at")]
    assert (row["success"], row["element_count"], row["unexpected_count"], row["unexpected_share"]) == (
        False,
        100,
        80,
        0.8,
    )
    assert row["details"]["unexpected_rows"] == [1, 2, 3, 4, 5]
    assert "is not a timestamp" in row["details"]["partial_unexpected_list"][0]
    # the other checks still report, and pass
    assert sum(not r["success"] for r in outcome.rows) == 1


def test_just_under_the_threshold_passes_and_at_it_too(con, gate):
    stage(con, 100, bad_timestamps=49)
    outcome = gate.validate(con, SOURCE, "f.csv", "fid", max_failing_share=0.5)
    assert outcome.success, outcome.message
    assert _by_check(outcome)[("expect_column_values_to_not_be_null", "submitted_at")]["unexpected_count"] == 49
    stage(con, 100, bad_timestamps=50)
    assert gate.validate(con, SOURCE, "f.csv", "fid", max_failing_share=0.5).success
    stage(con, 100, bad_timestamps=51)
    assert not gate.validate(con, SOURCE, "f.csv", "fid", max_failing_share=0.5).success


def test_the_threshold_comes_from_the_caller(con, gate):
    stage(con, 100, bad_timestamps=20)
    assert gate.validate(con, SOURCE, "f.csv", "fid", max_failing_share=0.5).success
    outcome = gate.validate(con, SOURCE, "f.csv", "fid", max_failing_share=0.1)
    assert not outcome.success and "More than 10% of the rows" in outcome.message


def test_repeated_loaded_ids_fail_the_batch_even_for_one_row(con, gate):
    stage(con, 100, repeated_ids=2)  # R1 loaded twice
    outcome = gate.validate(con, SOURCE, "f.csv", "fid", max_failing_share=0.5)
    assert not outcome.success
    assert "expect_column_values_to_be_unique(response_id): 2 of 100 rows fail" in outcome.message
    assert "unique in every row" in outcome.message and "More than" not in outcome.message
    row = _by_check(outcome)[("expect_column_values_to_be_unique", "response_id")]
    assert row["details"]["partial_unexpected_list"] == ["R1"] and row["details"]["unexpected_rows"] == [1]


def test_repeated_ids_outside_the_loaded_rows_are_the_dedups_business(con, gate):
    stage(con, 100, repeated_ids=2)
    con.execute("UPDATE landed_rows SET status = 'duplicate' WHERE row_number = 2")
    assert gate.validate(con, SOURCE, "f.csv", "fid", max_failing_share=0.5).success


def test_a_missing_codebook_fails_the_question_parsed_check(con, gate):
    stage(con, 100, unknown_labels=90)
    outcome = gate.validate(con, SOURCE, "f.csv", "fid", max_failing_share=0.5)
    assert not outcome.success
    assert "expect_column_values_to_be_in_set(csat (parsed)): 90 of 97 rows fail" in outcome.message
    row = _by_check(outcome)[("expect_column_values_to_be_in_set", "csat (parsed)")]
    assert row["details"]["partial_unexpected_list"][:2] == ["Meget tilfreds", "Meget tilfreds"]


def test_out_of_scale_answers_fail_the_between_check(con, gate):
    stage(con, 100)
    con.execute("UPDATE landed_cells SET number = number * 10 WHERE column_name = 'csat' AND NOT is_na")
    outcome = gate.validate(con, SOURCE, "f.csv", "fid", max_failing_share=0.5)
    assert not outcome.success
    assert "expect_column_values_to_be_between(csat): 67 of 67 rows fail" in outcome.message


def test_operational_source_checks_its_measures(con, gate):
    stage(con, 40, measure=True)
    outcome = gate.validate(con, OPERATIONAL, "o.csv", "fid", max_failing_share=0.5)
    assert outcome.success, outcome.message
    assert ("expect_column_values_to_be_in_set", "order_value (parsed)") in _by_check(outcome)
    con.execute("UPDATE landed_cells SET number = NULL")
    outcome = gate.validate(con, OPERATIONAL, "o.csv", "fid", max_failing_share=0.5)
    assert not outcome.success and "order_value (parsed)): 40 of 40 rows fail" in outcome.message


def test_empty_batch_passes(con, gate):
    stage(con, 0)
    outcome = gate.validate(con, SOURCE, "f.csv", "fid", max_failing_share=0.5)
    assert outcome.success
    assert all(r["element_count"] == 0 and r["unexpected_share"] is None for r in outcome.rows)


def test_runs_inside_the_files_transaction_and_leaves_it_usable(con, gate):
    con.execute("BEGIN TRANSACTION")
    stage(con, 50, bad_timestamps=40)
    assert not gate.validate(con, SOURCE, "f.csv", "fid", max_failing_share=0.5).success
    assert con.execute("SELECT count(*) FROM landed_rows").fetchone()[0] == 50
    con.execute("ROLLBACK")


def test_the_suite_is_a_real_gx_suite_and_data_docs_build(tmp_path, con):
    import great_expectations as gx

    docs_gate = BatchGate(tmp_path)
    stage(con, 30, bad_timestamps=25)
    outcome = docs_gate.validate(con, SOURCE, "f.csv", "fid", max_failing_share=0.5)
    assert not outcome.success and f"details in GX Data Docs under {tmp_path}" in outcome.message
    suite = docs_gate.context.suites.get("cjx_pulse")
    assert isinstance(suite, gx.ExpectationSuite) and len(suite.expectations) == 2
    index = docs_gate.build_docs()
    assert index is not None and index.exists()
    assert BatchGate().build_docs() is None
    # no page calls GX's S3 bucket with the data context's id; the logo is the site's own copy
    site = index.parent
    pages = [*site.rglob("*.html"), *site.rglob("*.css")]
    assert len(pages) > 2 and not [p for p in pages if "amazonaws" in p.read_text() or "dataContextId" in p.read_text()]
    validation = next(p for p in site.rglob("*.html") if "validations" in p.parts)
    logos = re.findall(r'src="([^"]*logo-long\.png)"', validation.read_text())
    assert logos and all((validation.parent / src).resolve().is_file() for src in logos)


def test_default_gate_is_one_per_process():
    assert default_gate() is default_gate()
