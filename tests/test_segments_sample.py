"""Segments on the sample (one pipeline run, the session's sample_run): the planted gap is recovered with its sign,
the planted null segment is not flagged, the customers table adds up, and every segment value with a base has its
own priority ranking."""

from __future__ import annotations

import json

import duckdb
import pytest

from tests.conftest import SAMPLE

TRUTH = json.loads((SAMPLE / "planted_truth.json").read_text())["segments"]


@pytest.fixture(scope="module")
def con(sample_run):
    db, _reports, _result = sample_run
    connection = duckdb.connect(str(db), read_only=True)
    yield connection
    connection.close()


def test_the_planted_segment_gap_is_significant_with_the_right_sign_in_every_revisit(con):
    gap = TRUTH["gap"]
    rows = con.execute(
        "SELECT revisit_id, is_significant, direction, difference, q_value FROM marts.segment_scorecard "
        "WHERE segment_id = ? AND segment_value = ? AND touchpoint_id = ? ORDER BY revisit_id",
        [gap["segment"], gap["value"], gap["touchpoint"]],
    ).fetchall()
    assert [r[0] for r in rows] == ["2026-Q1", "2026-Q2", "2026-Q3"]
    for revisit, significant, direction, difference, q in rows:
        assert significant and direction == gap["direction"] and difference < 0, (revisit, difference, q)


def test_the_planted_null_segment_is_not_flagged(con):
    tested, flagged = con.execute(
        "SELECT count(*) FILTER (status = 'tested'), count(*) FILTER (is_significant) FROM marts.segment_scorecard "
        "WHERE segment_id = ?",
        [TRUTH["null_segment"]],
    ).fetchall()[0]
    assert tested >= 20 and flagged == 0


def test_the_customers_table_adds_up(con):
    read, loaded, left_out, duplicate = con.execute(
        "SELECT rows_read, rows_loaded, rows_quarantined, rows_duplicate FROM ops.customer_files "
        "WHERE status = 'loaded'"
    ).fetchall()[0]
    assert read == TRUTH["customers_rows"] == loaded + left_out + duplicate
    assert left_out == TRUTH["customers_missing_id"]
    # every customer who answered has a tier: upper-cased e-mails joined too
    missing = con.execute(
        "SELECT count(*) FROM (SELECT DISTINCT respondent_id, revisit_id FROM core.respondent_segments) r "
        "ANTI JOIN core.respondent_segments t ON t.segment_id = 'tier' AND t.respondent_id = r.respondent_id "
        "AND t.revisit_id = r.revisit_id"
    ).fetchall()[0][0]
    assert missing == 0


def test_every_region_has_its_own_priority_ranking_in_the_latest_revisit(con):
    firsts = con.execute(
        "SELECT segment_value, count(*) FILTER (priority_rank = 1), count(*) FILTER (priority_rank IS NOT NULL) "
        "FROM marts.segment_priority WHERE revisit_id = '2026-Q3' AND segment_id = 'region' GROUP BY ALL ORDER BY 1"
    ).fetchall()
    assert [f[0] for f in firsts] == TRUTH["regions"]
    assert all(one == 1 and ranked >= 5 for _, one, ranked in firsts)
