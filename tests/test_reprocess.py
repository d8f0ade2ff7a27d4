"""Replayable layers: raw is the record, staging is views over it, core is rebuilt from it after a journey fix."""

from __future__ import annotations

import copy

import pytest
import yaml

from cjx.ingest import ReprocessRefused, ingest_journey, reprocess_sources
from cjx.ingest.staging import view_name
from cjx.journey import load_journey
from cjx.journey.sync import sync_journey
from cjx.workspace import open_workspace

KEY = "unit-test-key"

JOURNEY = {
    "journey": {"id": "shop", "name": "Shop"},
    "stages": [{"id": "deliver", "name": "Deliver"}],
    "touchpoints": [{"id": "delivery", "name": "Delivery", "stage": "deliver", "owner": "Logistics"}],
    "sources": [
        {
            "id": "pulse",
            "kind": "survey",
            "format": "csv",
            "files": "in/pulse_*.csv",
            "respondent_id": "email",
            "response_id": "id",
            "timestamp": "at",
            "touchpoint": "delivery",
            "questions": [
                {"column": "csat", "metric": "csat", "scale": {"min": 1, "max": 5}},
                {"column": "why", "metric": "comment"},
            ],
        }
    ],
    "revisits": [{"id": "R1", "start": "2026-01-01", "end": "2026-12-31"}],
}
FILE_1 = (
    "id,email,at,csat,why\n"
    "P1,a@x.dk,2026-02-01T10:00:00Z,5,fine\n"
    "P2,b@x.dk,2026-02-02T10:00:00Z,Superb,great\n"  # unknown label until the codebook knows it
    "P3,c@x.dk,2026-02-03T10:00:00Z,4,\n"
)
FILE_2 = (
    "id,email,at,csat,why\n"
    "P3,c@x.dk,2026-02-04T10:00:00Z,2,changed my mind\n"  # a later version of P3: supersedes file 1's
    "P4,d@x.dk,2026-02-05T10:00:00Z,Superb,\n"
)


def write_journey(folder, journey) -> None:
    (folder / "journey.yml").write_text(yaml.safe_dump(journey, sort_keys=False))


@pytest.fixture
def shop(tmp_path):
    (tmp_path / "in").mkdir()
    write_journey(tmp_path, JOURNEY)
    (tmp_path / "in" / "pulse_1.csv").write_text(FILE_1)
    (tmp_path / "in" / "pulse_2.csv").write_text(FILE_2)
    lj, con = open_workspace(tmp_path / "journey.yml", tmp_path / "db.duckdb")
    yield tmp_path, lj, con
    con.close()


def fixed_journey(folder):
    fixed = copy.deepcopy(JOURNEY)
    fixed["sources"][0]["questions"][0]["codebook"] = {"Superb": 5, "Poor": 1}
    write_journey(folder, fixed)
    return load_journey(folder / "journey.yml")


def accounting(con):
    return con.execute(
        "SELECT path, rows_read, rows_loaded, rows_quarantined, rows_duplicate FROM ops.ingest_files ORDER BY path"
    ).fetchall()


def core_state(con):
    return {
        t: con.execute(f"SELECT * FROM core.{t} ORDER BY ALL").fetchall()
        for t in ("responses", "answers", "comments", "respondents")
    } | {
        "quarantine": con.execute(
            "SELECT file_id, row_number, reason, message FROM ops.quarantine ORDER BY ALL"
        ).fetchall()
    }


def test_a_journey_fix_moves_the_row_from_quarantine_to_core(shop):
    folder, lj, con = shop
    ingest_journey(con, lj, KEY, gate=None)
    assert con.execute("SELECT reason FROM ops.quarantine ORDER BY row_number").fetchall() == [("unknown_label",)] * 2
    assert [r[1:] for r in accounting(con)] == [(3, 1, 1, 1), (2, 1, 1, 0)]  # file 1's P3 superseded by file 2's

    lj = fixed_journey(folder)
    sync_journey(con, lj)
    results = reprocess_sources(con, lj, KEY, ["pulse"], gate=None)

    assert {r.status for r in results} == {"reprocessed"}
    assert con.execute("SELECT count(*) FROM ops.quarantine").fetchall() == [(0,)]
    responses = con.execute("SELECT response_id, file_id FROM core.responses ORDER BY 1").fetchall()
    assert [r[0] for r in responses] == ["P1", "P2", "P3", "P4"]  # nothing duplicated
    assert con.execute("SELECT score FROM core.answers WHERE response_id = 'P2'").fetchall() == [(5.0,)]
    assert con.execute("SELECT score FROM core.answers WHERE response_id = 'P3'").fetchall() == [(2.0,)]
    for _path, read, loaded, quarantined, duplicate in accounting(con):
        assert read == loaded + quarantined + duplicate
    assert [r[1:] for r in accounting(con)] == [(3, 2, 0, 1), (2, 2, 0, 0)]
    change = con.execute(
        "SELECT reason, left_quarantine, entered_quarantine, rows_read FROM ops.reprocessings"
    ).fetchall()
    assert change == [("on request", 2, 0, 5)]


def test_the_next_ingest_rebuilds_a_source_whose_journey_changed(shop):
    folder, lj, con = shop
    ingest_journey(con, lj, KEY, gate=None)
    lj = fixed_journey(folder)
    sync_journey(con, lj)
    results = ingest_journey(con, lj, KEY, gate=None)
    assert sorted(r.status for r in results) == ["reprocessed", "reprocessed", "skipped", "skipped"]
    assert con.execute("SELECT count(*) FROM ops.quarantine").fetchall() == [(0,)]
    assert con.execute("SELECT reason FROM ops.reprocessings").fetchall() == [("journey file changed",)]
    # ... and once rebuilt, the next run has nothing to replay
    assert {r.status for r in ingest_journey(con, lj, KEY, gate=None)} == {"skipped"}


def test_a_rebuild_under_the_same_journey_changes_nothing(shop):
    _, lj, con = shop
    ingest_journey(con, lj, KEY, gate=None)
    before, files_before = core_state(con), accounting(con)
    reprocess_sources(con, lj, KEY, gate=None)
    assert core_state(con) == before
    assert accounting(con) == files_before


def test_rows_that_now_fail_enter_the_quarantine(shop):
    folder, lj, con = shop
    ingest_journey(con, lj, KEY, gate=None)
    stricter = copy.deepcopy(JOURNEY)
    stricter["sources"][0]["questions"][0]["na_codes"] = [5]  # "5" now means N/A: not a failure, an N/A answer
    stricter["sources"][0]["timestamp_format"] = "%d.%m.%Y %H:%M"  # every ISO time now fails to parse
    write_journey(folder, stricter)
    lj = load_journey(folder / "journey.yml")
    sync_journey(con, lj)
    reprocess_sources(con, lj, KEY, gate=None)
    assert con.execute("SELECT count(*) FROM core.responses").fetchall() == [(0,)]
    assert con.execute("SELECT count(*), min(reason) FROM ops.quarantine").fetchall() == [(5, "bad_timestamp")]
    for _path, read, loaded, quarantined, duplicate in accounting(con):
        assert read == loaded + quarantined + duplicate == quarantined


def test_a_changed_scale_is_refused_not_reread(shop):
    folder, lj, con = shop
    ingest_journey(con, lj, KEY, gate=None)
    before = core_state(con)
    rescaled = copy.deepcopy(JOURNEY)
    rescaled["sources"][0]["questions"][0]["scale"] = {"min": 1, "max": 10}
    write_journey(folder, rescaled)
    lj = load_journey(folder / "journey.yml")
    sync_journey(con, lj)
    with pytest.raises(ReprocessRefused, match=r"source pulse, question csat: the scale changed from 1-5 to 1-10"):
        ingest_journey(con, lj, KEY, gate=None)
    assert core_state(con) == before


def test_staging_views_are_queryable_by_the_data_team(shop):
    _, lj, con = shop
    ingest_journey(con, lj, KEY, gate=None)
    cells = con.execute(
        f"SELECT column_name, value, number FROM {view_name('pulse', 'cells')} "
        "WHERE column_name = 'csat' ORDER BY file_seq, row_number"
    ).fetchall()
    assert [c[1] for c in cells] == ["5", "Superb", "4", "2", "Superb"]
    fate = con.execute(
        f"SELECT record_id, status FROM {view_name('pulse', 'row_fate')} ORDER BY file_seq, row_number"
    ).fetchall()
    assert fate == [
        ("P1", "loaded"),
        ("P2", "quarantined"),
        ("P3", "duplicate"),
        ("P3", "loaded"),
        ("P4", "quarantined"),
    ]
    # the raw layer keeps the pseudonym, never the e-mail
    raw = con.execute('SELECT email FROM raw."pulse"').fetchall()
    assert all("@" not in r[0] for r in raw) and len(raw) == 5


def compact_answers(con):
    """core.answer_values beside what core.answers shows: orphans (no response), rows, and each answer's key
    against its response's file and row (file_seq * 2^32 + row_number, migration 090)."""
    orphans = con.execute(
        "SELECT count(*) FROM core.answer_values ANTI JOIN core.responses USING (response_key)"
    ).fetchall()[0][0]
    stored = con.execute("SELECT count(*) FROM core.answer_values").fetchall()[0][0]
    shown = con.execute("SELECT count(*) FROM core.answers").fetchall()[0][0]
    keys = con.execute(
        "SELECT DISTINCT r.response_id, a.response_key = f.file_seq * 4294967296 + r.row_number "
        "FROM core.answer_values a JOIN core.responses r USING (response_key) JOIN raw.files f USING (file_id) "
        "ORDER BY 1"
    ).fetchall()
    return orphans, stored, shown, keys


def test_a_superseded_responses_comment_and_attribute_leave_with_it(tmp_path):
    """Comments and mapping attributes are stored by response key (migration 092): when a later export replaces a
    response, the old version's comment and channel go with it, and none is left without its response."""
    journey = copy.deepcopy(JOURNEY)
    journey["touchpoints"].append({"id": "web", "name": "Web", "stage": "deliver", "owner": "E-commerce"})
    source = journey["sources"][0]
    del source["touchpoint"]
    source["touchpoint_by"] = {"column": "channel", "values": {"app": "delivery", "web": "web"}}
    (tmp_path / "in").mkdir()
    write_journey(tmp_path, journey)
    (tmp_path / "in" / "pulse_1.csv").write_text(
        "id,email,at,channel,csat,why\nP1,a@x.dk,2026-02-01T10:00:00Z,app,5,fine\nP3,c@x.dk,2026-02-03T10:00:00Z,app,4,slow\n"
    )
    (tmp_path / "in" / "pulse_2.csv").write_text(
        "id,email,at,channel,csat,why\nP3,c@x.dk,2026-02-04T10:00:00Z,web,2,changed my mind\n"
    )
    lj, con = open_workspace(tmp_path / "journey.yml", tmp_path / "db.duckdb")
    try:
        ingest_journey(con, lj, KEY, gate=None)
        comments = con.execute("SELECT response_id, comment FROM core.comments ORDER BY 1").fetchall()
        channels = con.execute("SELECT response_id, value FROM core.response_attributes ORDER BY 1").fetchall()
        orphans = con.execute(
            "SELECT (SELECT count(*) FROM core.comment_texts ANTI JOIN core.responses USING (response_key)), "
            "(SELECT count(*) FROM core.attribute_values ANTI JOIN core.responses USING (response_key))"
        ).fetchall()
    finally:
        con.close()
    assert comments == [("P1", "fine"), ("P3", "changed my mind")]
    assert channels == [("P1", "app"), ("P3", "web")]
    assert orphans == [(0, 0)]


def test_answers_are_stored_by_response_key_and_leave_with_their_response(shop):
    folder, lj, con = shop
    ingest_journey(con, lj, KEY, gate=None)
    # file 2's P3 superseded file 1's: its old answer went with its response; P2 and P4 (an unknown label) wait in
    # the quarantine
    assert compact_answers(con) == (0, 2, 2, [("P1", True), ("P3", True)])
    lj = fixed_journey(folder)
    sync_journey(con, lj)
    reprocess_sources(con, lj, KEY, ["pulse"], gate=None)
    assert compact_answers(con) == (0, 4, 4, [("P1", True), ("P2", True), ("P3", True), ("P4", True)])
