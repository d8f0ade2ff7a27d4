"""cjx forget: one person erased from raw, core, the quarantine, marts, scorecards, exports, the published copy
and Parquet; recorded with counts only; never brought back by a re-ingest, a new export or a rebuild from raw."""

from __future__ import annotations

import os
import shutil
from contextlib import closing

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from cjx.cli import app
from cjx.pipeline import open_workspace, run
from cjx.privacy import pseudonymise
from tests.privacy_scan import database_hits, folder_hits
from tests.test_ingest import JOURNEY, QUALTRICS_HEADER, QUALTRICS_ROWS

ANNA_ROWS = (
    'R_8,2026-01-10 10:00:00,ANNA@example.dk,Anna,3,1,1,"Pakken ZQXUNIQUE kom aldrig",\n'  # loaded, with a comment
    "R_9,not a date,anna@example.dk,Anna,5,1,1,,\n"  # quarantined: bad_timestamp
    "R_10,2026-01-11 10:00:00,anna@example.dk,Anna,3,1,1,x,y,z,w\n"  # quarantined: wrong_field_count
)
OTHERS = 'R_11,2026-01-12 10:00:00,gry@example.dk,Gry,9,5,5,"Alt gik fint",\n'
DELIVERIES = (
    "id,email,at,delay_minutes\n"
    "D1,anna@example.dk,2026-01-04T10:00:00Z,30\n"
    "D2,bo@example.dk,2026-01-05T10:00:00+01:00,abc\n"
    "D3,gry@example.dk,2026-01-06T10:00:00Z,5\n"
)


def _data_lines(text: str, header_lines: int) -> list[str]:
    """Data records of a fixture, one per line (only the Qualtrics header has a quoted line break)."""
    return text.splitlines()[header_lines:]


@pytest.fixture(scope="module")
def erased(tmp_path_factory):
    """A pipeline run over files where Anna answers, is quarantined twice, is a duplicate and has an event; then
    `cjx forget --respondent Anna@Example.dk`. Yields the paths, the key and Anna's pseudonym."""
    assert "CJX_PUBLISHED" not in os.environ
    tmp_path = tmp_path_factory.mktemp("forget")
    (tmp_path / "in").mkdir()
    journey = tmp_path / "journey.yml"
    journey.write_text(yaml.safe_dump(JOURNEY, sort_keys=False))
    rel = QUALTRICS_HEADER + QUALTRICS_ROWS + ANNA_ROWS + OTHERS
    (tmp_path / "in" / "rel_1.csv").write_text(rel)
    (tmp_path / "in" / "deliveries.csv").write_text(DELIVERIES)
    db, reports = tmp_path / "db" / "cjx.duckdb", tmp_path / "reports"
    ws = open_workspace(journey, db, reports)
    run(ws)
    key = os.environ["CJX_PSEUDONYM_KEY"]
    anna = pseudonymise("anna@example.dk", key)
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        before = {
            "respondents": con.execute("SELECT count(*) FROM core.respondents").fetchall()[0][0],
            "anna_responses": con.execute(
                "SELECT count(*) FROM core.responses WHERE respondent_id = ?", [anna]
            ).fetchall()[0][0],
            "responses": con.execute("SELECT count(*) FROM core.responses").fetchall()[0][0],
        }
    assert before["anna_responses"] == 2  # R_1 and R_8: the test below can fail
    # before: she is everywhere the test below looks
    assert database_hits(db, [anna, "ZQXUNIQUE"]) and database_hits(db.parent / "published" / "cjx.duckdb", [anna])
    result = CliRunner().invoke(
        app,
        ["forget", "--journey", str(journey), "--db", str(db), "--reports", str(reports)]
        + ["--respondent", " Anna@Example.dk "],
    )
    assert result.exit_code == 0, result.output
    return {
        "root": tmp_path,
        "journey": journey,
        "db": db,
        "reports": reports,
        "anna": anna,
        "rel": rel,
        "before": before,
        "output": result.output,
    }


def test_nothing_of_the_person_remains_in_any_table_file_or_export(erased):
    needles = [erased["anna"], "anna@example.dk", "ZQXUNIQUE"]
    db, reports = erased["db"], erased["reports"]
    assert database_hits(db, needles) == []
    published = db.parent / "published"
    assert (published / "cjx.duckdb").exists() and list((published / "parquet").glob("*.parquet"))
    assert folder_hits(published, needles) == []
    assert list(reports.rglob("*.csv")) and list(reports.rglob("*.xlsx")) and list(reports.rglob("*.html"))
    assert folder_hits(reports, needles) == []


def test_the_others_stay_and_every_file_still_adds_up(erased):
    with closing(duckdb.connect(str(erased["db"]), read_only=True)) as con:
        assert con.execute("SELECT count(*) FROM core.responses").fetchall()[0][0] == erased["before"]["responses"] - 2
        assert con.execute("SELECT count(*) FROM core.respondents").fetchall()[0][0] == (
            erased["before"]["respondents"] - 1
        )
        assert con.execute("SELECT count(*) FROM core.comments WHERE comment = 'Alt gik fint'").fetchall()[0][0] == 1
        # the erased responses' answers left with them: none is kept under a response that is gone (core.answers,
        # a view joining answers with their responses, would hide such rows)
        orphans = "SELECT count(*) FROM core.answer_values ANTI JOIN core.responses USING (response_key)"
        assert con.execute(orphans).fetchall()[0][0] == 0
        assert (
            con.execute("SELECT count(*) FROM core.answer_values").fetchall()[0][0]
            == (con.execute("SELECT count(*) FROM core.answers").fetchall()[0][0])
        )
        files = con.execute(
            "SELECT regexp_extract(path, '[^/]+$'), rows_read, rows_loaded, rows_quarantined, rows_duplicate, "
            "coalesce((SELECT sum(rows) FROM ops.erased_rows e WHERE e.file_id = f.file_id), 0) "
            "FROM ops.ingest_files f ORDER BY 1"
        ).fetchall()
    lines = {"rel_1.csv": _data_lines(erased["rel"], 4), "deliveries.csv": _data_lines(DELIVERIES, 1)}
    for name, read, loaded, quarantined, duplicate, erased_rows in files:
        anna_lines = [line for line in lines[name] if "anna@example.dk" in line.lower()]
        assert read == loaded + quarantined + duplicate
        assert (read + erased_rows, erased_rows) == (len(lines[name]), len(anna_lines))


def test_the_erasure_is_recorded_with_counts_and_no_identity(erased):
    with closing(duckdb.connect(str(erased["db"]), read_only=True)) as con:
        rows = con.execute(
            "SELECT raw_rows, responses, events, quarantined, comments, files, n_pseudonyms FROM ops.erasures"
        ).fetchall()
        hashes = [r[0] for r in con.execute("SELECT pseudonym_hash FROM ops.erased_respondents").fetchall()]
    anna_lines = [line for line in erased["rel"].splitlines() + DELIVERIES.splitlines() if "anna@" in line.lower()]
    # 6 rows: R_1 twice (loaded, duplicate), R_8 (loaded, commented), R_9 and R_10 (quarantined), event D1
    assert rows == [(len(anna_lines), 2, 1, 2, 2, 2, 1)]
    assert len(hashes) == 1 and erased["anna"] not in hashes[0]
    assert "removed 6 raw row(s) from 2 file(s)" in erased["output"]
    # the inbox files still hold her: cjx says so, and never edits them
    assert str(erased["root"] / "in" / "rel_1.csv") in erased["output"]


def test_a_reingest_a_new_export_and_a_rebuild_do_not_bring_the_person_back(erased, tmp_path):
    shutil.copytree(erased["root"], tmp_path / "copy")
    root = tmp_path / "copy"
    db, journey, reports = root / "db" / "cjx.duckdb", root / "journey.yml", root / "reports"
    # a new export with Anna again, and the old file with one byte changed (new content, so not skipped)
    (root / "in" / "rel_2.csv").write_text(
        QUALTRICS_HEADER + "R_20,2026-02-01 10:00:00,anna@EXAMPLE.dk,Anna,2,1,1,ZQXUNIQUE igen,\n" + OTHERS
    )
    (root / "in" / "rel_1.csv").write_text(erased["rel"] + "\n")
    result = run(open_workspace(journey, db, reports))
    by_name = {os.path.basename(f.path): f for f in result.files}
    assert by_name["rel_2.csv"].status == "loaded" and by_name["rel_2.csv"].rows_read == 1
    assert any("erased with cjx forget" in n for n in by_name["rel_2.csv"].notes)
    assert CliRunner().invoke(app, ["reprocess", "--journey", str(journey), "--db", str(db)]).exit_code == 0
    assert database_hits(db, [erased["anna"], "ZQXUNIQUE"]) == []
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        assert con.execute("SELECT count(*) FROM core.responses WHERE response_id = 'R_11'").fetchall()[0][0] == 1


def test_forget_of_someone_unknown_is_recorded_and_honoured_later(tmp_path):
    journey = tmp_path / "journey.yml"
    (tmp_path / "in").mkdir()
    journey.write_text(yaml.safe_dump(JOURNEY, sort_keys=False))
    (tmp_path / "in" / "deliveries.csv").write_text(DELIVERIES)
    db = tmp_path / "cjx.duckdb"
    args = ["--journey", str(journey), "--db", str(db), "--reports", str(tmp_path / "reports")]
    result = CliRunner().invoke(app, ["forget", *args, "--respondent", "anna@example.dk"])
    assert result.exit_code == 0 and "nobody with that id or e-mail" in result.output
    assert CliRunner().invoke(app, ["ingest", "--journey", str(journey), "--db", str(db)]).exit_code == 0
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        assert con.execute("SELECT event_id FROM core.events ORDER BY 1").fetchall() == [("D3",)]
        assert con.execute("SELECT row_number FROM ops.quarantine").fetchall() == [(2,)]  # Bo's 'abc'
