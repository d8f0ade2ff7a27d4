"""Ingest on tiny inline files: accounting, quarantine reasons, pseudonymisation, idempotency, time zones."""

from __future__ import annotations

import json

import pytest
import yaml

from cjx.ingest import ingest_source
from cjx.journey import load_journey
from cjx.workspace import open_workspace

KEY = "unit-test-key"

JOURNEY = {
    "journey": {"id": "tiny", "name": "Tiny shop"},
    "stages": [{"id": "buy", "name": "Buy"}, {"id": "deliver", "name": "Deliver"}],
    "touchpoints": [
        {"id": "checkout", "name": "Checkout", "stage": "buy", "owner": "Web"},
        {"id": "delivery", "name": "Delivery", "stage": "deliver", "owner": "Logistics", "critical": True},
    ],
    "sources": [
        {
            "id": "rel",
            "kind": "survey",
            "format": "qualtrics_csv",
            "files": "in/rel_*.csv",
            "respondent_id": "RecipientEmail",
            "response_id": "ResponseId",
            "timestamp": "RecordedDate",
            "timestamp_format": "%Y-%m-%d %H:%M:%S",
            "timezone": "Europe/Copenhagen",
            "private_columns": ["RecipientFirstName"],
            "questions": [
                {"column": "Q1", "metric": "nps"},
                {
                    "column": "Q3_1",
                    "metric": "csat",
                    "scale": {"min": 1, "max": 5},
                    "touchpoint": "checkout",
                    "na_codes": [-99],
                },
                {
                    "column": "Q3_2",
                    "metric": "csat",
                    "scale": {"min": 1, "max": 5},
                    "touchpoint": "delivery",
                    "na_codes": [-99],
                },
                {"column": "Q4", "metric": "comment"},
            ],
        },
        {
            "id": "deliveries",
            "kind": "operational",
            "files": "in/deliveries.csv",
            "event_type": "delivery",
            "touchpoint": "delivery",
            "event_id": "id",
            "respondent_id": "email",
            "timestamp": "at",
            "measures": ["delay_minutes"],
        },
    ],
    "outcome": {"source": "rel", "question": "Q1"},
    "revisits": [{"id": "R1", "start": "2026-01-01", "end": "2026-06-30"}],
}

QUALTRICS_HEADER = (
    "ResponseId,RecordedDate,RecipientEmail,RecipientFirstName,Q1,Q3_1,Q3_2,Q4,Extra\n"
    'Response ID,Recorded Date,Email,First name,How likely,"Rate - Checkout","Rate -\nDelivery",Why?,Extra\n'
    + ",".join(
        f'"{{""ImportId"":""{c}""}}"'
        for c in [
            "_recordId",
            "recordedDate",
            "recipientEmail",
            "recipientFirstName",
            "QID1",
            "QID3_1",
            "QID3_2",
            "QID4",
            "extra",
        ]
    )
    + "\n"
)
QUALTRICS_ROWS = (
    'R_1,2026-01-05 10:00:00,Anna@Example.dk,Anna,10,5,4,"Fint, tak",x\n'  # loaded (winter: UTC+1)
    "R_2,2026-07-06 10:00:00,bo@example.dk,Bo,6,,2,,\n"  # loaded (summer: UTC+2), Q3_1 blank
    "R_3,2026-01-07 10:00:00,cai@example.dk,Cai,9,-99,7,,\n"  # out_of_range (7 on 1-5)
    "R_4,bad date,dan@example.dk,Dan,8,4,4,,\n"  # bad_timestamp
    ",2026-01-08 10:00:00,eva@example.dk,Eva,8,4,4,,\n"  # missing_id
    "R_6,2026-01-09 10:00:00,finn@example.dk,Finn,ten,4,4,,\n"  # unknown_label
    'R_1,2026-01-05 10:00:00,Anna@Example.dk,Anna,10,5,4,"Fint, tak",x\n'  # duplicate within the file
)


def _write_inputs(tmp_path):
    """The journey and its two files in tmp_path (what the workspace fixture opens)."""
    (tmp_path / "in").mkdir()
    (tmp_path / "journey.yml").write_text(yaml.safe_dump(JOURNEY, sort_keys=False))
    (tmp_path / "in" / "rel_1.csv").write_text(QUALTRICS_HEADER + QUALTRICS_ROWS)
    (tmp_path / "in" / "deliveries.csv").write_text(
        "id,email,at,delay_minutes\nD1,anna@example.dk,2026-01-04T10:00:00Z,30\nD2,bo@example.dk,2026-01-05T10:00:00+01:00,abc\n"
    )


@pytest.fixture
def workspace(tmp_path):
    _write_inputs(tmp_path)
    lj, con = open_workspace(tmp_path / "journey.yml", tmp_path / "db.duckdb")
    yield tmp_path, lj, con
    con.close()


def _ingest_all(lj, con):
    return [r for s in lj.journey.sources for r in ingest_source(con, lj, s.id, KEY)]


def test_every_row_is_loaded_quarantined_or_duplicate(workspace):
    _, lj, con = workspace
    rel, dels = _ingest_all(lj, con)
    assert (rel.status, rel.rows_read, rel.rows_loaded, rel.rows_quarantined, rel.rows_duplicate) == (
        "loaded",
        7,
        2,
        4,
        1,
    )
    assert (dels.rows_read, dels.rows_loaded, dels.rows_quarantined, dels.rows_duplicate) == (2, 1, 1, 0)
    stored = con.execute(
        "SELECT rows_read, rows_loaded + rows_quarantined + rows_duplicate FROM ops.ingest_files"
    ).fetchall()
    assert all(read == accounted for read, accounted in stored)


def test_quarantine_keeps_row_reason_and_record(workspace):
    _, lj, con = workspace
    _ingest_all(lj, con)
    rows = con.execute(
        "SELECT source_id, row_number, reason, message, record FROM ops.quarantine ORDER BY ALL"
    ).fetchall()
    assert [(s, n, r) for s, n, r, _, _ in rows] == [
        ("deliveries", 2, "not_a_number"),
        ("rel", 3, "out_of_range"),
        ("rel", 4, "bad_timestamp"),
        ("rel", 5, "missing_id"),
        ("rel", 6, "unknown_label"),
    ]
    messages = {n: m for s, n, _, m, _ in rows if s == "rel"}
    assert messages[3] == "rel_1.csv row 3: column Q3_2: 7 is outside the scale 1-5"
    assert messages[4] == "rel_1.csv row 4: column RecordedDate: 'bad date' is not a timestamp (%Y-%m-%d %H:%M:%S)"
    assert messages[6] == (
        "rel_1.csv row 6: column Q1: 'ten' is neither a number on the scale 0-10 nor a known "
        "answer label; add it to the question's codebook or na_codes"
    )
    record = json.loads(rows[1][4])
    assert record["ResponseId"] == "R_3" and record["Q3_2"] == "7" and record["Extra"] == ""  # empty, not missing


def test_answers_scores_na_and_comments(workspace):
    _, lj, con = workspace
    _ingest_all(lj, con)
    answers = con.execute(
        "SELECT response_id, column_name, touchpoint_id, value, is_na FROM core.answers ORDER BY ALL"
    ).fetchall()
    assert answers == [
        ("R_1", "Q1", None, 10.0, False),
        ("R_1", "Q3_1", "checkout", 5.0, False),
        ("R_1", "Q3_2", "delivery", 4.0, False),
        ("R_2", "Q1", None, 6.0, False),
        ("R_2", "Q3_2", "delivery", 2.0, False),
    ]
    assert con.execute("SELECT response_id, comment FROM core.comments").fetchall() == [("R_1", "Fint, tak")]
    assert con.execute("SELECT event_id, measure, value FROM core.event_measures").fetchall() == [
        ("D1", "delay_minutes", 30.0)
    ]


def test_na_code_is_stored_as_na_not_a_number(tmp_path, workspace):
    root, lj, con = workspace
    (root / "in" / "rel_2.csv").write_text(QUALTRICS_HEADER + "R_9,2026-02-01 12:00:00,x@example.dk,X,7,-99,3,,\n")
    _ingest_all(lj, con)
    assert con.execute(
        "SELECT value, score, is_na FROM core.answers WHERE response_id = 'R_9' AND column_name = 'Q3_1'"
    ).fetchone() == (None, None, True)


def test_timestamps_are_converted_to_utc_across_daylight_saving(workspace):
    _, lj, con = workspace
    _ingest_all(lj, con)
    got = {r: str(t) for r, t in con.execute("SELECT response_id, responded_at FROM core.responses").fetchall()}
    assert got == {"R_1": "2026-01-05 09:00:00", "R_2": "2026-07-06 08:00:00"}
    assert (
        str(con.execute("SELECT occurred_at FROM core.events WHERE event_id = 'D1'").fetchone()[0])
        == "2026-01-04 10:00:00"
    )


def test_identifiers_are_pseudonymised_everywhere(workspace):
    _, lj, con = workspace
    _ingest_all(lj, con)
    text_columns = con.execute(
        "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
        "WHERE data_type IN ('VARCHAR', 'JSON') AND schema_name IN ('raw', 'core', 'ops')"
    ).fetchall()
    for schema, table, column in text_columns:
        leaked = con.execute(
            f'SELECT count(*) FROM {schema}."{table}" WHERE lower("{column}"::VARCHAR) LIKE \'%example.dk%\' '
            f"OR regexp_matches(\"{column}\"::VARCHAR, '\\bAnna\\b')"
        ).fetchone()[0]
        assert leaked == 0, f"{schema}.{table}.{column} holds a raw identifier"
    # The same customer gets the same pseudonym in surveys and operational data, whatever the case.
    assert (
        con.execute(
            "SELECT count(*) FROM core.responses r JOIN core.events e USING (respondent_id) WHERE r.response_id = 'R_1'"
        ).fetchone()[0]
        == 1
    )


def test_reingesting_unchanged_or_renamed_files_is_a_noop(workspace):
    root, lj, con = workspace
    _ingest_all(lj, con)
    before = con.execute("SELECT (SELECT count(*) FROM core.answers), (SELECT count(*) FROM raw.rel)").fetchone()
    (root / "in" / "rel_1.csv").rename(root / "in" / "rel_copy.csv")
    results = _ingest_all(lj, con)
    assert [r.status for r in results] == ["skipped", "skipped"]
    after = con.execute("SELECT (SELECT count(*) FROM core.answers), (SELECT count(*) FROM raw.rel)").fetchone()
    assert before == after == (5, 7)


def test_overlapping_export_counts_duplicates(workspace):
    root, lj, con = workspace
    _ingest_all(lj, con)
    before = con.execute("SELECT sum(rows_duplicate) FROM ops.ingest_files").fetchall()[0][0]
    (root / "in" / "rel_2.csv").write_text(
        QUALTRICS_HEADER
        + "R_2,2026-07-06 10:00:00,bo@example.dk,Bo,6,,2,,\nR_7,2026-02-01 12:00:00,g@example.dk,G,9,4,5,,\n"
    )
    new = [r for r in _ingest_all(lj, con) if r.status == "loaded"]
    # R_2 repeats with the same recorded time: the later export's version wins (issue 11), the earlier row
    # becomes the duplicate of the file it came from
    assert [(r.rows_read, r.rows_loaded, r.rows_duplicate) for r in new] == [(2, 2, 0)]
    assert any("1 response(s) repeat ones loaded before" in n for n in new[0].notes)
    assert con.execute("SELECT sum(rows_duplicate) FROM ops.ingest_files").fetchall() == [(before + 1,)]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("deliveries.csv", "id,at,delay_minutes\nD1,2026-01-04T10:00:00Z,3\n", "missing required column(s) ['email']"),
        (
            "rel_1.csv",
            QUALTRICS_HEADER.split("\n", 1)[0] + "\nR_1,2026-01-05 10:00:00,a@example.dk,A,10,5,4,,\n"
            "R_2,2026-01-05 10:00:00,b@example.dk,B,10,5,4,,\n",
            "the third row has no ImportId",
        ),
    ],
)
def test_bad_file_is_rejected_whole_and_the_run_goes_on(workspace, name, content, expected):
    root, lj, con = workspace
    (root / "in" / name).write_text(content)
    results = {r.path.rsplit("/", 1)[1]: r for r in _ingest_all(lj, con)}
    bad = results.pop(name)
    assert bad.status == "rejected" and bad.reject_reason.startswith(f"{name}: ") and expected in bad.reject_reason
    assert bad.rows_read == 0
    assert [r.status for r in results.values()] == ["loaded"]
    assert (
        con.execute("SELECT status FROM ops.ingest_files WHERE file_id = ?", [bad.file_id]).fetchone()[0] == "rejected"
    )
    source_table = "core.events" if name == "deliveries.csv" else "core.responses"
    assert con.execute(f"SELECT count(*) FROM {source_table}").fetchone()[0] == 0


def test_rejected_file_is_tried_again_once_the_journey_is_fixed(workspace):
    root, lj, con = workspace
    (root / "in" / "deliveries.csv").write_text("id,mail,at,delay_minutes\nD1,a@example.dk,2026-01-04T10:00:00Z,3\n")
    assert _ingest_all(lj, con)[1].status == "rejected"
    # The rejected file was moved aside with its reason; the analyst fixes the journey and puts it back.
    assert not (root / "in" / "deliveries.csv").exists()
    reason = (root / "rejected" / "deliveries.csv.reason.txt").read_text()
    assert reason.startswith("deliveries.csv: missing required column(s) ['email']")
    (root / "rejected" / "deliveries.csv").rename(root / "in" / "deliveries.csv")
    fixed = {**JOURNEY, "sources": [JOURNEY["sources"][0], {**JOURNEY["sources"][1], "respondent_id": "mail"}]}
    (root / "journey.yml").write_text(yaml.safe_dump(fixed, sort_keys=False))
    retried = ingest_source(con, load_journey(root / "journey.yml"), "deliveries", KEY)
    assert [(r.status, r.rows_loaded) for r in retried] == [("loaded", 1)]
    assert con.execute("SELECT count(*) FROM ops.ingest_files WHERE source_id = 'deliveries'").fetchone()[0] == 1


def test_unknown_codebook_name_is_a_one_line_journey_error(tmp_path):
    from cjx.journey import JourneyError

    bad = {
        **JOURNEY,
        "sources": [
            {**JOURNEY["sources"][0], "questions": [{"column": "Q1", "metric": "nps", "codebook": "likely_10"}]},
            JOURNEY["sources"][1],
        ],
    }
    (tmp_path / "journey.yml").write_text(yaml.safe_dump(bad, sort_keys=False))
    with pytest.raises(JourneyError) as err:
        load_journey(tmp_path / "journey.yml")
    assert str(err.value).endswith(
        "sources[0].questions[0].codebook: unknown codebook 'likely_10'; expected one of "
        "['agree_5', 'agree_7', 'good_bad', 'likely_11', 'satisfaction_5', 'yes_no']"
    )


def test_inline_codebook_and_cli_validate_dry_run(workspace):
    from typer.testing import CliRunner

    from cjx.cli import app

    root, _, con = workspace
    path = root / "in" / "rel_1.csv"
    result = CliRunner().invoke(app, ["validate", str(path), "--journey", str(root / "journey.yml")])
    assert result.exit_code == 0, result.output
    assert "rows read 7: would load 2, quarantine 4, skip 1 duplicate(s)" in result.output
    assert "quarantined unknown_label: 1" in result.output and "rel_1.csv row 6: column Q1" in result.output
    # nothing was written: the workspace database is untouched and the file is where it was
    assert con.execute("SELECT count(*) FROM ops.ingest_files").fetchone()[0] == 0 and path.exists()
    bad = root / "in" / "deliveries.csv"
    bad.write_text("id,at\nD1,2026-01-01T00:00:00Z\n")
    result = CliRunner().invoke(app, ["validate", str(bad), "--journey", str(root / "journey.yml")])
    assert result.exit_code == 1 and "REJECTED: deliveries.csv: missing required column(s)" in result.output
    assert bad.exists()


def test_a_row_far_wider_than_the_header_is_quarantined_not_the_file(workspace):
    root, lj, con = workspace
    wide = "D9," + ",".join(["x"] * 30)
    (root / "in" / "deliveries.csv").write_text(
        f"id,email,at,delay_minutes\nD1,a@example.dk,2026-01-04T10:00:00Z,3\n{wide}\nD2,b@example.dk,2026-01-05T10:00:00Z,4\n"
    )
    results = {r.source_id: r for r in _ingest_all(lj, con)}
    dels = results["deliveries"]
    assert (dels.status, dels.rows_read, dels.rows_loaded, dels.rows_quarantined) == ("loaded", 3, 2, 1)
    assert con.execute("SELECT row_number, reason FROM ops.quarantine WHERE source_id = 'deliveries'").fetchall() == [
        (2, "wrong_field_count")
    ]


def test_raw_stores_ids_pseudonyms_times_and_verbatims_with_zstd_and_the_rest_as_duckdb_chooses(workspace):
    _, lj, con = workspace
    _ingest_all(lj, con)
    con.execute("CHECKPOINT")
    stored = {
        (table, column): compression.upper()
        for table in ("rel", "deliveries")
        for column, compression in con.execute(
            f"SELECT DISTINCT column_name, compression FROM pragma_storage_info('raw.{table}') "
            "WHERE segment_type = 'VARCHAR'"
        ).fetchall()
    }
    zstd = {key for key, compression in stored.items() if compression == "ZSTD"}
    assert zstd == {
        ("rel", "ResponseId"),
        ("rel", "RecordedDate"),
        ("rel", "RecipientEmail"),
        ("rel", "RecipientFirstName"),
        ("rel", "Q4"),
        ("deliveries", "id"),
        ("deliveries", "email"),
        ("deliveries", "at"),
    }
    assert {
        ("rel", "Q1"),
        ("rel", "Extra"),
        ("rel", "file_id"),
        ("deliveries", "delay_minutes"),
    } <= stored.keys() - zstd


def test_a_database_file_in_an_older_storage_format_migrates_and_ingests_without_zstd(tmp_path):
    """DuckDB cannot store ZSTD text in a file first written in a format before 1.2's, and keeps a file's format:
    migration 093 and raw's columns fall back to DuckDB's default compression there, and ingest works the same."""
    import duckdb

    _write_inputs(tmp_path)
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{tmp_path / 'db.duckdb'}' AS old (STORAGE_VERSION 'v1.1.0')")
    lj, con = open_workspace(tmp_path / "journey.yml", tmp_path / "db.duckdb")
    try:
        version = con.execute(
            "SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchall()
        rel, dels = _ingest_all(lj, con)
        con.execute("CHECKPOINT")
        compressions = {
            c
            for table in ("raw.rel", "raw.deliveries", "core.responses", "core.comment_texts")
            for (c,) in con.execute(f"SELECT DISTINCT compression FROM pragma_storage_info('{table}')").fetchall()
        }
        migrated = con.execute("SELECT count(*) FROM ops.schema_migrations WHERE migration = '093_zstd_distinct_text'")
        assert migrated.fetchall() == [(1,)]
    finally:
        con.close()
    assert version == [("v1.0.0+",)]
    assert (rel.rows_read, rel.rows_loaded, rel.rows_quarantined, rel.rows_duplicate) == (7, 2, 4, 1)
    assert (dels.rows_read, dels.rows_loaded, dels.rows_quarantined) == (2, 1, 1)
    assert "ZSTD" not in {c.upper() for c in compressions}
