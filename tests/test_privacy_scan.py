"""Issue 12's acceptance scan: one run of the real Prefect flow over hostile inputs (misaligned rows with
e-mails, comments with addresses, phone and card numbers, a private first name, formula-leading touchpoint,
stage and owner names, HTML in inbox file names), then every output is searched: the working database, the
published copy and its Parquet, the scorecards and their CSV/XLSX exports, the great-expectations Data Docs,
the rejected files' reason files and the Prefect database of the test harness. No raw identifier and no live
formula may be found anywhere, and no HTML from a file name may reach a page unescaped."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from tests.privacy_scan import csv_live_formulas, database_hits, folder_hits, sqlite_hits, xlsx_formulas
from tests.test_ingest import JOURNEY, QUALTRICS_HEADER

LEAKS = {
    "one": "leak.one@hostile.example",
    "two": "leak.two@hostile.example",
    "three": "leak.three@hostile.example",
    "four": "leak.four@hostile.example",
    "five": "leak.five@hostile.example",
}
PHONE, CARD, CPR, NAME = "+45 20 11 22 33", "4111111111111111", "010190-1234", "Mallorysecretname"
HTML_NAME = "rel_<img src=x onerror=alert(1)>.csv"
BAD_HTML_NAME = "rel_<img src=x onerror=alert(2)>_broken.csv"

ROWS = (
    f'R_1,2026-01-05 10:00:00,{LEAKS["one"]},{NAME},10,5,4,"Skriv til {LEAKS["one"]} eller {PHONE}, kort {CARD}",x\n'
    # one field too many, before the e-mail: the address shifts into the private first-name column
    f"R_2,2026-01-05 11:00:00,shifted,{LEAKS['two']},Bo,9,5,4,ok,x\n"
    # one field too few
    f"R_3,2026-01-05 12:00:00,{LEAKS['three']},Cai,9,5\n"
    # a bad timestamp: quarantined, its message must not quote the row
    f"R_4,not a date,{LEAKS['four']},Dan,8,4,4,CPR {CPR},\n"
    "R_5,2026-01-06 10:00:00,eva@example.dk,Eva,7,3,3,,\n"
)
HTML_FILE_ROWS = "R_6,2026-01-07 10:00:00,finn@example.dk,Finn,9,4,4,,\n"
BROKEN = f'ResponseId,RecordedDate\n"this quote never closes,{LEAKS["five"]}\n'
DELIVERIES = (
    f"id,email,at,delay_minutes\nD1,{LEAKS['one']},2026-01-04T10:00:00Z,30\nD2,eva@example.dk,2026-01-05T10:00:00Z,5\n"
)

NEEDLES = [*LEAKS.values(), "eva@example.dk", "finn@example.dk", PHONE, "20 11 22 33", CARD, CPR, NAME]


def _hostile_journey() -> dict:
    journey = copy.deepcopy(JOURNEY)
    journey["stages"][0]["name"] = "+cmd|' /C calc'!A0"
    journey["touchpoints"][0].update(name='=HYPERLINK("http://evil.example","click")', owner="@SUM(1+1)")
    journey["touchpoints"][1]["owner"] = "-2+3"
    return journey


@pytest.fixture(scope="module")
def hostile_run(prefect_harness, tmp_path_factory):
    """The pipeline flow (through the session's Prefect test server) over the hostile inbox."""
    from flows.pipeline import pipeline

    root = tmp_path_factory.mktemp("hostile")
    (root / "in").mkdir()
    (root / "journey.yml").write_text(yaml.safe_dump(_hostile_journey(), sort_keys=False))
    (root / "in" / "rel_1.csv").write_text(QUALTRICS_HEADER + ROWS)
    (root / "in" / HTML_NAME).write_text(QUALTRICS_HEADER + HTML_FILE_ROWS)
    (root / "in" / BAD_HTML_NAME).write_text(BROKEN)
    (root / "in" / "deliveries.csv").write_text(DELIVERIES)
    db, reports = root / "db" / "cjx.duckdb", root / "reports"
    result = pipeline(journey=str(root / "journey.yml"), db=str(db), reports=str(reports))

    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=10)  # the run's log lines are in Prefect's database before it is read
    return root, db, reports, result


def _prefect_database() -> Path:
    from prefect.settings import get_current_settings

    url = get_current_settings().server.database.connection_url.get_secret_value()
    path = Path(url.split("///", 1)[1])
    assert path.exists(), url
    return path


def test_the_hostile_inputs_reached_every_kind_of_output(hostile_run):
    """The scans below can fail: the run loaded, quarantined and rejected what it should, wrote every output."""
    root, db, reports, _ = hostile_run
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        reasons = {r[0] for r in con.execute("SELECT DISTINCT reason FROM ops.quarantine").fetchall()}
        loaded = con.execute("SELECT count(*) FROM core.responses").fetchall()[0][0]
        comments = [r[0] for r in con.execute("SELECT comment FROM core.comments").fetchall()]
    assert loaded >= 3 and {"bad_timestamp", "wrong_field_count"} <= reasons, (loaded, reasons)
    assert any("[e-mail]" in c for c in comments), comments  # the comment was there and was scrubbed
    assert list((root / "rejected").glob("*.reason.txt")), "the broken file was rejected with a reason file"
    assert len(folder_hits(root / "in", NEEDLES)) >= 2  # the scanner finds the needles where they are
    assert list(reports.rglob("*.html")) and list(reports.rglob("*.csv")) and list(reports.rglob("*.xlsx"))
    assert list((db.parent / "published").rglob("*.parquet"))
    assert list(root.rglob("data_docs/**/*.html")) or list(db.parent.rglob("data_docs/**/*.html"))


def test_no_raw_identifier_in_any_database_file_or_export(hostile_run):
    root, db, reports, _ = hostile_run
    assert database_hits(db, NEEDLES) == []
    assert folder_hits(db.parent / "published", NEEDLES) == []
    assert folder_hits(reports, NEEDLES) == []
    assert folder_hits(root / "rejected", [n for n in NEEDLES if n != LEAKS["five"]]) == []  # the file itself
    reason_files = list((root / "rejected").glob("*.reason.txt"))
    assert [p for p in reason_files if LEAKS["five"] in p.read_text()] == []
    docs = [p for p in root.rglob("*") if "data_docs" in p.parts and p.is_dir() and p.name == "data_docs"]
    for folder in docs:
        assert folder_hits(folder, NEEDLES) == []


def test_no_raw_identifier_in_prefects_database(hostile_run):
    assert sqlite_hits(_prefect_database(), NEEDLES) == []


def test_no_live_formula_in_any_export(hostile_run):
    _, _, reports, _ = hostile_run
    for path in reports.rglob("*.csv"):
        assert csv_live_formulas(path) == [], path
    for path in reports.rglob("*.xlsx"):
        assert xlsx_formulas(path) == [], path


def test_no_html_from_a_file_name_reaches_a_page_unescaped(hostile_run):
    root, _, _, _ = hostile_run
    pages = {p: p.read_text(encoding="utf-8", errors="replace") for p in root.rglob("*.html")}
    assert any("&lt;img src=x onerror" in text for text in pages.values()), "a page names the file, escaped"
    for page, text in pages.items():
        assert "<img src=x onerror" not in text, page
