"""The ingestion fixture corpus: every awkward export gives its expected outcome, loses no row, and can be re-run.

Fixtures are copied to a temporary folder first: rejection moves files, and the corpus must stay intact.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from cjx.ingest import ingest_source
from cjx.ingest.load_file import ingest_file
from cjx.journey import load_journey
from cjx.workspace import open_workspace

CORPUS = Path(__file__).parent / "fixtures" / "ingest"
EXPECTED = yaml.safe_load((CORPUS / "expected.yml").read_text(encoding="utf-8"))
KEY = "corpus-key"


def test_manifest_covers_every_fixture_file():
    files = {p.name for p in CORPUS.iterdir() if p.name not in ("journey.yml", "expected.yml", "make_fixtures.py")}
    assert files == set(EXPECTED) and len(files) >= 30


@pytest.fixture(scope="module")
def corpus_journey(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus_journey")
    shutil.copy(CORPUS / "journey.yml", root / "journey.yml")
    return root


def _ingest_one(tmp_path: Path, journey_dir: Path, name: str):
    shutil.copy(CORPUS / name, tmp_path / name)
    lj, con = open_workspace(journey_dir / "journey.yml", tmp_path / "db.duckdb")
    result = ingest_file(
        con, tmp_path / name, lj.journey.source(EXPECTED[name]["source"]), pseudonym_key=KEY, journey=lj.journey
    )
    return result, con


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_outcome(tmp_path, corpus_journey, name):
    want = EXPECTED[name]
    result, con = _ingest_one(tmp_path, corpus_journey, name)
    try:
        stored = con.execute(
            "SELECT status, rows_read, rows_loaded, rows_quarantined, rows_duplicate FROM ops.ingest_files"
        ).fetchone()
        assert stored[1] == stored[2] + stored[3] + stored[4]  # the counts invariant, as stored
        if "rejected" in want:
            assert result.status == "rejected", result
            assert result.reject_reason.startswith(f"{name}: ") and want["rejected"] in result.reject_reason
            assert stored[:2] == ("rejected", 0)
            assert con.execute("SELECT count(*) FROM core.responses").fetchone()[0] == 0
            assert con.execute("SELECT count(*) FROM core.events").fetchone()[0] == 0
            return
        assert result.status == "loaded", result.reject_reason
        quarantined = want.get("quarantined", {})
        assert (result.rows_read, result.rows_loaded, result.rows_duplicate) == (
            want["read"],
            want["loaded"],
            want.get("duplicate", 0),
        )
        assert result.quarantined_by_reason == quarantined
        assert result.rows_quarantined == sum(quarantined.values())
        if "format" in want:
            assert result.format == want["format"]
        by_reason = dict(con.execute("SELECT reason, count(*) FROM ops.quarantine GROUP BY ALL").fetchall())
        assert by_reason == quarantined
        core = "core.responses" if con.execute("SELECT count(*) FROM core.events").fetchone()[0] == 0 else "core.events"
        assert con.execute(f"SELECT count(*) FROM {core}").fetchone()[0] == want["loaded"]
        assert con.execute("SELECT count(*) FROM core.partial_responses").fetchone()[0] == want.get("partial", 0)
        raw_rows = con.execute(f'SELECT count(*) FROM raw."{want["source"]}"').fetchone()[0]
        assert raw_rows == want["read"]  # raw keeps every landed row, whatever its fate
    finally:
        con.close()


def _values(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_labels_locale_and_zones_become_the_right_values(tmp_path, corpus_journey):
    _, con = _ingest_one(tmp_path, corpus_journey, "qualtrics_choicetext.csv")
    # "Enig" 6 and "Helt enig" 7 (agree_7), "Tilfreds" 4, "5 – Meget tilfreds" 5, "10 - Extremely likely" 10,
    # "Ved ikke" N/A, never a number.
    assert _values(
        con,
        "SELECT r.row_number, a.column_name, a.value, a.is_na FROM core.answers a "
        "JOIN core.responses r USING (source_id, response_id) ORDER BY ALL",
    ) == [
        (1, "Q1", 9.0, False),
        (1, "Q2_CES", 6.0, False),
        (1, "Q3_CSAT", 4.0, False),
        (2, "Q1", 10.0, False),
        (2, "Q2_CES", 7.0, False),
        (2, "Q3_CSAT", 5.0, False),
        (3, "Q1", 2.0, False),
        (3, "Q2_CES", 2.0, False),
        (3, "Q3_CSAT", None, True),
    ]
    con.close()


def test_nordic_numbers_dates_and_encoding(tmp_path, corpus_journey):
    _, con = _ingest_one(tmp_path, corpus_journey, "nordic_orders_cp1252.csv")
    assert _values(
        con,
        "SELECT e.event_id, e.occurred_at::VARCHAR, m.value FROM core.events e "
        "JOIN core.event_measures m USING (source_id, event_id) ORDER BY 1",
    ) == [
        ("ORD-1001", "2024-03-03 23:00:00", 1234.5),  # 04-03-2024 in Copenhagen (CET) is 23:00 UTC the day before
        ("ORD-1002", "2024-03-10 23:00:00", 89.95),
    ]
    raw = _values(con, 'SELECT "Kommentar" FROM raw.nordic_orders ORDER BY row_number')
    assert raw[2] == ("Æble, ø og å",) and raw[1] == ("Leveret til forkert adresse; ringede to gange",)
    con.close()


def test_swedish_nbsp_thousands_and_prefixed_labels(tmp_path, corpus_journey):
    _, con = _ingest_one(tmp_path, corpus_journey, "swedish_survey_nbsp.csv")
    # "Mycket nöjd" 5, "Varken nöjd eller missnöjd" 3, "2 – Missnöjd" 2, "Vet ej" N/A (ids are pseudonymised)
    assert _values(
        con,
        "SELECT r.row_number, a.value, a.is_na FROM core.answers a "
        "JOIN core.responses r USING (source_id, response_id) ORDER BY 1",
    ) == [(1, 5.0, False), (2, 3.0, False), (3, 2.0, False), (4, None, True)]
    assert _values(con, 'SELECT "Belopp" FROM raw.swedish ORDER BY row_number')[0] == ("1\u00a0234,50",)
    con.close()


def test_tool_timestamps_are_utc(tmp_path, corpus_journey):
    _, con = _ingest_one(tmp_path, corpus_journey, "google_forms_download.csv")
    got = _values(con, "SELECT responded_at::VARCHAR FROM core.responses ORDER BY 1")
    assert got == [("2024-03-04 08:15:02",), ("2024-03-31 01:30:00",), ("2024-04-02 21:00:00",)]
    con.close()
    (tmp_path / "d").mkdir()
    _, con = _ingest_one(tmp_path / "d", corpus_journey, "delighted_survey_responses.json")
    assert _values(con, "SELECT responded_at::VARCHAR FROM core.responses ORDER BY 1") == [
        ("2024-03-04 09:17:40",),
        ("2024-03-04 10:02:13",),
    ]
    con.close()
    (tmp_path / "m").mkdir()
    _, con = _ingest_one(tmp_path / "m", corpus_journey, "msforms_results.xlsx")
    # 2024-03-04 09:17:40 Copenhagen; serial 45355.5 = 2024-03-04 12:00 Copenhagen
    assert _values(con, "SELECT response_id, responded_at::VARCHAR FROM core.responses ORDER BY 1") == [
        ("1", "2024-03-04 08:17:40"),
        ("2", "2024-03-04 09:01:30"),
        ("3", "2024-03-04 11:00:00"),
    ]
    con.close()


def test_overlapping_exports_keep_the_latest_version_in_any_order(tmp_path, corpus_journey):
    snapshots = []
    for order in (
        ["qualtrics_overlap_a.csv", "qualtrics_overlap_b.csv"],
        ["qualtrics_overlap_b.csv", "qualtrics_overlap_a.csv"],
    ):
        work = tmp_path / order[0]
        work.mkdir()
        lj, con = open_workspace(corpus_journey / "journey.yml", work / "db.duckdb")
        results = []
        for name in order:
            shutil.copy(CORPUS / name, work / name)
            results.append(
                ingest_file(con, work / name, lj.journey.source("qualtrics"), pseudonym_key=KEY, journey=lj.journey)
            )
        snapshots.append(
            (
                _values(con, "SELECT response_id, responded_at::VARCHAR FROM core.responses ORDER BY 1"),
                _values(con, "SELECT response_id, column_name, value FROM core.answers ORDER BY ALL"),
                _values(con, "SELECT response_id FROM core.partial_responses"),
            )
        )
        files = _values(con, "SELECT rows_read, rows_loaded, rows_duplicate FROM ops.ingest_files ORDER BY path")
        assert [tuple(f) for f in files] == [(2, 1, 1), (2, 2, 0)]  # a: its R_G superseded by b's later version
        con.close()
    assert snapshots[0] == snapshots[1]
    responses, answers, partial = snapshots[0]
    assert ("R_Gmmmmmmmmmmmmmm", "2024-03-05 08:30:00") in responses  # the finished, later version
    assert ("R_Gmmmmmmmmmmmmmm", "Q1", 8.0) in answers and partial == []


def test_duplicate_rows_in_one_file_keep_the_latest(tmp_path, corpus_journey):
    _, con = _ingest_one(tmp_path, corpus_journey, "qualtrics_duplicate_rows.csv")
    assert _values(con, "SELECT response_id, row_number, responded_at::VARCHAR FROM core.responses ORDER BY 1") == [
        ("R_Jppppppppppppppp", 1, "2024-03-06 11:00:00"),
        ("R_Kqqqqqqqqqqqqqqq", 3, "2024-03-04 08:00:00"),
    ]
    con.close()


def test_whole_corpus_twice_changes_nothing_and_rejects_are_moved(tmp_path):
    work = tmp_path / "journey"
    shutil.copytree(CORPUS, work)
    lj = load_journey(work / "journey.yml")
    # every fixture belongs to exactly one source by its file pattern
    assert all(sum(Path(n).match(s.files) for s in lj.journey.sources) == 1 for n in EXPECTED)
    lj, con = open_workspace(work / "journey.yml", tmp_path / "db.duckdb")

    def run():
        return [r for s in lj.journey.sources for r in ingest_source(con, lj, s.id, KEY)]

    def snapshot():
        tables = _values(
            con,
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name IN "
            # ops.skipped_files records the second run itself (each file skipped, with the file it repeats)
            "('raw', 'core', 'ops') AND table_name NOT IN ('schema_migrations', 'skipped_files') ORDER BY ALL",
        )
        out = {}
        for schema, table in tables:
            df = con.execute(f'SELECT * FROM {schema}."{table}"').df()
            df = df.drop(columns=["ingested_at", "validated_at"], errors="ignore")
            out[f"{schema}.{table}"] = sorted(map(repr, df.itertuples(index=False)))
        return out

    first = run()
    rejected = sorted(Path(r.path).name for r in first if r.status == "rejected")
    assert rejected == sorted(n for n, w in EXPECTED.items() if "rejected" in w)
    for name in rejected:
        assert not (work / name).exists()
        assert (work / "rejected" / name).exists()
        assert (work / "rejected" / f"{name}.reason.txt").read_text().startswith(f"{name}: ")
    assert all(r.rows_read == r.rows_loaded + r.rows_quarantined + r.rows_duplicate for r in first)
    before = snapshot()
    second = run()
    assert {r.status for r in second} == {"skipped"}
    assert snapshot() == before
    skipped = _values(con, "SELECT count(*), count(*) FILTER (WHERE path = duplicate_of) FROM ops.skipped_files")
    assert skipped == [(len(second), len(second))]
    # the gate ran on every file and its results are kept
    validated = _values(con, "SELECT count(DISTINCT file_id) FROM ops.validations")[0][0]
    assert validated == sum(1 for r in first if r.status == "loaded") + 1  # + the file the gate itself rejected


def test_rows_that_are_not_responses_say_only_that(tmp_path, corpus_journey):
    _, con = _ingest_one(tmp_path, corpus_journey, "zendesk_satisfaction_ratings.json")
    try:
        messages = [m for (m,) in con.execute("SELECT message FROM ops.quarantine ORDER BY row_number").fetchall()]
    finally:
        con.close()
    assert len(messages) == 2
    assert all("not a response" in m and "label" not in m and ";" not in m for m in messages), messages
