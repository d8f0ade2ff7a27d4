"""Nothing raw past the gate: misaligned rows, reject reasons and free text, checked in every table ingest writes."""

from __future__ import annotations

import json
import re

import duckdb
import pytest
import yaml

from cjx.ingest import ingest_source
from cjx.privacy import pseudonymise
from cjx.privacy.scrub import scrub_text
from cjx.report.verbatims import scrub
from cjx.workspace import open_workspace
from tests.privacy_scan import database_hits
from tests.test_ingest import JOURNEY, QUALTRICS_HEADER, QUALTRICS_ROWS

KEY = "unit-test-key"

# a row with one field too few: the e-mail moves under RecordedDate, the first name under RecipientEmail, ...
SHIFTED_LEFT = "R_20,sara@example.dk,Sara,9,4,4,+45 20 30 40 50,x\n"
# one field too many: the comment splits and a phone number lands in Extra and beyond
SHIFTED_RIGHT = 'R_21,2026-01-12 10:00:00,tom@example.dk,Tom,7,4,4,"ring",0045 11 22 33 44,tom.private@example.com\n'
PEOPLE = ["sara@example.dk", "+45 20 30 40 50", "20 30 40 50", "0045 11 22 33 44", "tom.private@example.com"]


@pytest.fixture
def workspace(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "journey.yml").write_text(yaml.safe_dump(JOURNEY, sort_keys=False))
    lj, con = open_workspace(tmp_path / "journey.yml", tmp_path / "db.duckdb")
    yield tmp_path, lj, con
    con.close()


def _text_cells(con: duckdb.DuckDBPyConnection, schema_table: str) -> str:
    return " ".join(str(r) for r in con.execute(f"SELECT * FROM {schema_table}").fetchall())


def test_misaligned_rows_keep_no_e_mail_or_phone_in_raw_quarantine_or_messages(workspace):
    root, lj, con = workspace
    (root / "in" / "rel_1.csv").write_text(QUALTRICS_HEADER + QUALTRICS_ROWS + SHIFTED_LEFT + SHIFTED_RIGHT)
    (result,) = ingest_source(con, lj, "rel", KEY)
    assert result.rows_quarantined == 6  # the 4 of the base rows and the two misaligned ones
    rows = con.execute(
        "SELECT row_number, reason, message, record FROM ops.quarantine WHERE reason = 'wrong_field_count' "
        "ORDER BY row_number"
    ).fetchall()
    assert [r[0] for r in rows] == [8, 9]
    for text in (_text_cells(con, "raw.rel"), _text_cells(con, "ops.quarantine")):
        for person in PEOPLE:
            assert person not in text
    # the cells that looked like an e-mail or a phone are pseudonymised the way identifiers are: forget finds them
    left, right = (json.loads(r[3]) for r in rows)
    assert left["RecordedDate"] == pseudonymise("sara@example.dk", KEY)
    assert left["Q3_2"] == pseudonymise("+45 20 30 40 50", KEY)
    assert right["_extra_fields"] == [pseudonymise("tom.private@example.com", KEY)]
    assert right["Extra"] == pseudonymise("0045 11 22 33 44", KEY)
    assert right["ResponseId"] == "R_21" and right["Q1"] == "7"  # the rest is kept as it came
    # the message names row, column and problem; the timestamp it quotes is the pseudonym, not the address
    assert rows[0][2].startswith("rel_1.csv row 8: has 8 field(s), the header has 9")
    assert not re.search(r"@|\d{2} \d{2} \d{2}", rows[0][2] + rows[1][2])


def test_a_reject_reason_never_quotes_a_raw_line_or_value(workspace, monkeypatch):
    import cjx.ingest.load_file as load_file

    root, lj, con = workspace
    (root / "in" / "rel_1.csv").write_text(QUALTRICS_HEADER + QUALTRICS_ROWS)
    line = "R_1,2026-01-05 10:00:00,Anna@Example.dk,Anna,10,5,4,ring 12 34 56 78,x"

    def failing_land(con, path, source):  # what DuckDB says about a line it cannot parse
        raise duckdb.InvalidInputException(
            f"CSV Error on Line: 4\nOriginal Line: {line}\nCould not convert string 'Anna@Example.dk' to INT32"
        )

    monkeypatch.setattr(load_file, "land", failing_land)
    (result,) = ingest_source(con, lj, "rel", KEY)
    assert result.status == "rejected" and result.reject_reason.startswith("rel_1.csv: cannot be read")
    assert "Line: 4" in result.reject_reason
    stored = con.execute("SELECT reject_reason FROM ops.ingest_files").fetchall()[0][0]
    reason_file = (root / "rejected" / "rel_1.csv.reason.txt").read_text()
    for text in (result.reject_reason, stored, reason_file):
        assert "anna" not in text.lower() and "12 34 56 78" not in text


def test_a_rejection_raised_with_a_value_in_it_is_redacted_too(workspace, monkeypatch):
    import cjx.ingest.load_file as load_file
    from cjx.ingest.errors import FileRejected

    root, lj, con = workspace
    (root / "in" / "rel_1.csv").write_text(QUALTRICS_HEADER + QUALTRICS_ROWS)

    def rejecting_land(con, path, source):
        raise FileRejected(f"{path.name}: row 3 has the e-mail bo@example.dk in column Q1, expected a number")

    monkeypatch.setattr(load_file, "land", rejecting_land)
    (result,) = ingest_source(con, lj, "rel", KEY)
    assert result.reject_reason == "rel_1.csv: row 3 has the e-mail [e-mail] in column Q1, expected a number"


def test_an_unexpected_error_is_logged_with_its_traceback_but_not_its_values(workspace, monkeypatch, caplog):
    import logging

    import cjx.ingest.load_file as load_file

    root, lj, con = workspace
    (root / "in" / "rel_1.csv").write_text(QUALTRICS_HEADER + QUALTRICS_ROWS)

    cai, bo = "cai" + "@example.dk", "bo" + "@example.dk"  # not in the source lines the traceback shows
    raw_line = "Original" + " Line: R_2," + bo

    def failing_land(con, path, source):
        try:
            raise KeyError(cai)
        except KeyError as inner:
            raise ValueError(f"Could not convert string '{bo}' to INT32\n{raw_line}") from inner

    monkeypatch.setattr(load_file, "land", failing_land)
    with caplog.at_level(logging.ERROR, logger="cjx.ingest"):
        (result,) = ingest_source(con, lj, "rel", KEY)
    assert result.status == "rejected" and "ValueError" in result.reject_reason
    logged = caplog.text  # as a log handler formats it, exc_info included
    assert "Traceback" in logged and "failing_land" in logged and "KeyError" in logged  # the traceback is there
    assert "example.dk" not in logged and "Line: R_2" not in logged and "example.dk" not in result.reject_reason


COMMENT = (
    "Ring til mig på +45 12 34 56 78 eller 070-123 45 67, skriv til jens.hansen+cx@firma.dk. "
    "Kort 4111 1111 1111 1111, konto 1234-5678901234, CPR 010190-1234. Leveret 2026-01-05, ordre 4711, 3 timer."
)


def test_comments_are_scrubbed_in_raw_and_core_with_counts(workspace):
    root, lj, con = workspace
    row = f'R_30,2026-01-12 10:00:00,ulla@example.dk,Ulla,8,4,4,"{COMMENT}",\n'
    (root / "in" / "rel_1.csv").write_text(QUALTRICS_HEADER + row)
    (result,) = ingest_source(con, lj, "rel", KEY)
    expected = (
        "Ring til mig på [phone] eller [phone], skriv til [e-mail]. "
        "Kort [number], konto [number], CPR [number]. Leveret 2026-01-05, ordre 4711, 3 timer."
    )
    assert con.execute("SELECT comment FROM core.comments").fetchall() == [(expected,)]
    assert con.execute('SELECT "Q4" FROM raw.rel').fetchall() == [(expected,)]
    assert con.execute("SELECT column_name, emails, phones, numbers FROM ops.scrubbed_text").fetchall() == [
        ("Q4", 1, 2, 3)
    ]
    assert any("1 e-mail address(es), 2 phone number(s) and 3 long number(s)" in n for n in result.notes)
    assert scrub_text(COMMENT) == scrub(COMMENT) == expected  # the scorecard's scrub is the same rule


def test_scrubbing_can_be_turned_off(tmp_path):
    (tmp_path / "in").mkdir()
    journey = {**JOURNEY, "settings": {"scrub_comments": False}}
    (tmp_path / "journey.yml").write_text(yaml.safe_dump(journey, sort_keys=False))
    (tmp_path / "in" / "rel_1.csv").write_text(
        QUALTRICS_HEADER + f'R_30,2026-01-12 10:00:00,ulla@example.dk,Ulla,8,4,4,"{COMMENT}",\n'
    )
    lj, con = open_workspace(tmp_path / "journey.yml", tmp_path / "db.duckdb")
    ingest_source(con, lj, "rel", KEY)
    assert con.execute("SELECT comment FROM core.comments").fetchall() == [(COMMENT,)]
    con.close()


def _five_megabytes() -> tuple[str, int, int]:
    """A 5 MB comment: a 160 kB word without a space (what took the old scrub 49 s), then blocks with one e-mail
    address and one phone number each; with the numbers of each planted."""
    block = "Pakken kom aldrig, skriv til kunde{i}@example.dk eller ring +45 {a:02d} {b:02d} 56 78 i dag. "
    parts = ["x" * 160_000, " "]
    size, i = 160_001, 0
    while size < 5_000_000:
        parts.append(block.format(i=i, a=10 + i % 90, b=10 + (i // 90) % 90))
        size += len(parts[-1])
        i += 1
    return "".join(parts), i, i


def test_a_five_megabyte_comment_is_scrubbed_whole_at_ingest_and_in_the_report(workspace):
    root, lj, con = workspace
    comment, n_emails, n_phones = _five_megabytes()
    assert len(comment) >= 5_000_000
    journey = {**JOURNEY, "settings": {"limits": {"max_field_chars": 6_000_000}}}
    (root / "journey.yml").write_text(yaml.safe_dump(journey, sort_keys=False))
    from cjx.journey import load_journey

    lj = load_journey(root / "journey.yml")
    (root / "in" / "rel_1.csv").write_text(
        QUALTRICS_HEADER + f'R_40,2026-01-12 10:00:00,v@example.dk,V,8,4,4,"{comment}",\n'
    )
    (result,) = ingest_source(con, lj, "rel", KEY)
    assert result.rows_loaded == 1
    stored = con.execute("SELECT comment FROM core.comments").fetchall()[0][0]
    assert stored.count("[e-mail]") == n_emails and stored.count("[phone]") == n_phones
    assert "@" not in stored and not re.search(r"\d{2} \d{2} 56 78", stored)
    assert stored.startswith("x" * 160_000)
    assert con.execute("SELECT emails, phones FROM ops.scrubbed_text").fetchall() == [(n_emails, n_phones)]
    assert scrub(comment).strip() == stored  # the scorecard's scrub, in Python, on the same 5 MB


def test_nothing_of_the_planted_people_reaches_any_table(workspace):
    root, lj, con = workspace
    row = f'R_30,2026-01-12 10:00:00,ulla@example.dk,Ulla,8,4,4,"{COMMENT}",\n'
    (root / "in" / "rel_1.csv").write_text(QUALTRICS_HEADER + QUALTRICS_ROWS + SHIFTED_LEFT + SHIFTED_RIGHT + row)
    ingest_source(con, lj, "rel", KEY)
    con.execute("CHECKPOINT")
    needles = PEOPLE + ["ulla@example.dk", "jens.hansen", "4111 1111", "010190-1234", "12 34 56 78", "anna@"]
    con.close()
    assert database_hits(root / "db.duckdb", needles) == []
