"""Export shapes seen in real files (issue 11): detection by content, TSV without quoting, duplicate and
near-matching column names, sources without ids or dates. Small files built like the real ones in
tests/fixtures/real/, each ingested alone into a fresh workspace; expected values are written out by hand.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import yaml

from cjx.ingest.load_file import ingest_file
from cjx.journey import load_journey
from cjx.workspace import open_workspace

REAL = Path(__file__).parent / "fixtures" / "real"
KEY = "shapes-key"


def _journey(source: dict) -> dict:
    return {
        "journey": {"id": "shapes", "name": "Export shapes"},
        "stages": [{"id": "s", "name": "Survey"}],
        "touchpoints": [{"id": "tp", "name": "Touchpoint", "stage": "s", "owner": "Team"}],
        "sources": [{"id": "src", "kind": "survey", "files": "*", "touchpoint": "tp", **source}],
        "revisits": [{"id": "R1", "start": "2010-01-01", "end": "2030-12-31"}],
    }


def _ingest(tmp_path: Path, source: dict, files: dict[str, bytes | str | Path]):
    """Ingest `files` in order for one source; returns (results, con)."""
    (tmp_path / "journey.yml").write_text(yaml.safe_dump(_journey(source)), encoding="utf-8")
    lj, con = open_workspace(tmp_path / "journey.yml", tmp_path / "db.duckdb")
    results = []
    for name, content in files.items():
        target = tmp_path / name
        if isinstance(content, Path):
            shutil.copy(content, target)
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        results.append(ingest_file(con, target, lj.journey.source("src"), pseudonym_key=KEY, journey=lj.journey))
    return results, con


GF_SOURCE = {
    "respondent_id": "Timestamp",
    "timestamp": "Timestamp",
    "questions": [
        {"column": "How likely are you to recommend R to a colleague, friend, or family member?", "metric": "nps"}
    ],
}


# --- item 1: detection by content, not only by name -------------------------------------------------------


def test_a_workbook_named_csv_is_read_as_a_workbook(tmp_path):
    (result,), con = _ingest(tmp_path, GF_SOURCE, {"responses.csv": REAL / "gf_rcommunity2019_en.xlsx"})
    assert result.status == "loaded", result.reject_reason
    assert result.format == "google_forms" and result.rows_loaded == 1838
    con.close()


def test_a_workbook_named_csv_declared_csv_is_still_read_as_a_workbook(tmp_path):
    source = {**GF_SOURCE, "format": "csv", "timestamp_format": "%m/%d/%Y %H:%M:%S"}
    (result,), con = _ingest(tmp_path, source, {"responses.csv": REAL / "gf_rcommunity2019_en.xlsx"})
    assert result.status == "loaded", result.reject_reason
    assert any("a workbook (XLSX) by its content" in n for n in result.notes)
    con.close()


def test_google_forms_in_other_languages_and_msforms_csv_are_recognised(tmp_path):
    from cjx.ingest.detect import detect_format

    cases = {
        "sv.csv": "Tidstämpel,Hur nöjd är du?\n2024-03-04 09:15:02,5\n",
        "es.csv": "Marca temporal,Puntuación\n04/03/2024 9:15:02,5\n",
        "da.csv": "Tidsstempel,Hvor tilfreds?\n04.03.2024 09.15.02,5\n",
        "msforms.csv": "Id,Start time,Completion time,Email,Name,Score\n1,3/4/2024 9:15,3/4/2024 9:17,anonymous,,4\n",
        "sm_old.csv": "RespondentID,Q1\n,Response\n123,Yes\n",
        "qt2016.csv": "ResponseID,Q1\nResponseID,How?\n{'ImportId': 'responseId'},{'ImportId': 'QID1'}\nR_1,3\n",
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    got = {name: detect_format(tmp_path / name) for name in cases}
    assert got == {
        "sv.csv": "google_forms",
        "es.csv": "google_forms",
        "da.csv": "google_forms",
        "msforms.csv": "ms_forms",
        "sm_old.csv": "surveymonkey",
        "qt2016.csv": "qualtrics_csv",
    }


# --- item 2: tab-separated exports without quoting --------------------------------------------------------


def test_tsv_with_an_answer_starting_with_a_quote_keeps_the_quote_as_text(tmp_path):
    text = 'id\temail\tat\tscore\tcomment\nA\ta@x.dk\t2024-03-04 10:00:00\t9\t"Eight" is my answer\nB\tb@x.dk\t2024-03-04 11:00:00\t7\tshe said "fine\n'
    source = {
        "respondent_id": "email",
        "response_id": "id",
        "timestamp": "at",
        "questions": [{"column": "score", "metric": "nps"}, {"column": "comment", "metric": "comment"}],
    }
    (result,), con = _ingest(tmp_path, source, {"export.tsv": text})
    assert result.status == "loaded", result.reject_reason
    assert result.rows_loaded == 2
    assert any("without quoting" in n for n in result.notes)
    comments = con.execute('SELECT "comment" FROM raw.src ORDER BY row_number').fetchall()
    assert comments == [('"Eight" is my answer',), ('she said "fine',)]
    con.close()


def test_quoted_tsv_stays_quoted(tmp_path):
    # a tool that quotes (Qualtrics): a quoted field holding a tab and a doubled quote
    text = 'id\temail\tat\tscore\tcomment\nA\ta@x.dk\t2024-03-04 10:00:00\t9\t"tab\there ""and"" quote"\n'
    source = {
        "respondent_id": "email",
        "response_id": "id",
        "timestamp": "at",
        "questions": [{"column": "score", "metric": "nps"}, {"column": "comment", "metric": "comment"}],
    }
    (result,), con = _ingest(tmp_path, source, {"export.tsv": text})
    assert result.status == "loaded", result.reject_reason
    assert con.execute('SELECT "comment" FROM raw.src').fetchall() == [('tab\there "and" quote',)]
    con.close()


def test_declared_quote_none_reads_a_csv_quote_as_text(tmp_path):
    text = 'id,email,at,score\nA,a@x.dk,2024-03-04 10:00:00,9\n"B,b@x.dk,2024-03-04 11:00:00,7\n'
    source = {
        "respondent_id": "email",
        "response_id": "id",
        "timestamp": "at",
        "locale": {"quote": "none"},
        "questions": [{"column": "score", "metric": "nps"}],
    }
    (result,), con = _ingest(tmp_path, source, {"export.csv": text})
    assert result.status == "loaded", result.reject_reason
    assert con.execute('SELECT "id" FROM raw.src ORDER BY row_number').fetchall() == [("A",), ('"B',)]
    con.close()


# --- item 3: duplicate column names, header matching -----------------------------------------------------


def test_unused_duplicate_columns_are_kept_renamed_with_a_note(tmp_path):
    source = {
        "respondent_id": "ResponseID",
        "response_id": "ResponseID",
        "timestamp": "EndDate",
        "questions": [{"column": "Q2", "metric": "ces", "scale": {"min": 1, "max": 7}}],
    }
    (result,), con = _ingest(tmp_path, source, {"qt.csv": REAL / "qt_long_exhaustive_insights2016.csv"})
    assert result.status == "loaded", result.reject_reason
    assert any("duplicate column name(s) the journey does not read" in n for n in result.notes)
    raw = {r[0] for r in con.execute("SELECT name FROM pragma_table_info('raw.src')").fetchall()}
    assert {"Q44#2_red_pandas_4", "Q44#2_red_pandas_4__282", "Q44#2_red_pandas_4__285"} <= raw
    con.close()


def test_a_duplicate_column_the_journey_reads_rejects_the_file(tmp_path):
    source = {
        "respondent_id": "ResponseID",
        "response_id": "ResponseID",
        "timestamp": "EndDate",
        "questions": [{"column": "Q44#2_red_pandas_4", "metric": "ces", "scale": {"min": 1, "max": 7}}],
    }
    (result,), con = _ingest(tmp_path, source, {"qt.csv": REAL / "qt_long_exhaustive_insights2016.csv"})
    assert result.status == "rejected"
    assert "duplicate column names: 'Q44#2_red_pandas_4' at columns [281, 282, 283, 284, 285]" in result.reject_reason
    con.close()


def test_header_names_match_trimmed_nbsp_and_case_insensitive_with_a_note(tmp_path):
    text = "ID,E-mail,Tidspunkt,Hvor\u00a0tilfreds er du?\n1,a@x.dk,2024-03-04 10:00:00,4\n"
    source = {
        "respondent_id": "e-mail",  # case
        "response_id": "ID ",  # a trailing space in the journey
        "timestamp": "Tidspunkt",
        "questions": [{"column": "Hvor tilfreds er du?", "metric": "csat", "scale": {"min": 1, "max": 5}}],
    }
    (result,), con = _ingest(tmp_path, source, {"export.csv": text})
    assert result.status == "loaded", result.reject_reason
    notes = " | ".join(result.notes)
    assert "header 'ID' (column 1) read as the journey's 'ID ' (trimmed)" in notes
    assert "header 'E-mail' (column 2) read as the journey's 'e-mail' (case-insensitive)" in notes
    assert "(no-break spaces as spaces)" in notes
    assert con.execute("SELECT response_id FROM core.responses").fetchall() == [("1",)]
    assert con.execute("SELECT value FROM core.answers").fetchall() == [(4.0,)]
    con.close()


def test_two_headers_matching_one_journey_name_reject_the_file(tmp_path):
    text = "id,Score,score \n1,4,5\n"
    source = {
        "respondent_id": "id",
        "response_id": "id",
        "date": "2024-03-04",
        "questions": [{"column": "SCORE", "metric": "csat", "scale": {"min": 1, "max": 5}}],
    }
    (result,), con = _ingest(tmp_path, source, {"export.csv": text})
    assert result.status == "rejected"
    assert "matches 2 header names when case-insensitive" in result.reject_reason
    con.close()


# --- item 5: responses without ids or dates ---------------------------------------------------------------


def test_no_response_id_same_second_answers_stay_apart_and_a_reexport_is_duplicate(tmp_path):
    first = "Timestamp,Score\n3/4/2024 9:15:02,9\n3/4/2024 9:15:02,7\n3/4/2024 9:15:02,7\n"
    second = first + "3/5/2024 10:00:00,8\n"
    source = {**GF_SOURCE, "questions": [{"column": "Score", "metric": "nps"}]}
    (a, b), con = _ingest(tmp_path, source, {"a.csv": first, "b.csv": second})
    assert (a.status, a.rows_loaded, a.rows_duplicate) == ("loaded", 3, 0)  # same second, three responses
    # the re-export finds the same three ids (same time: the later file's version wins) and adds one
    assert (b.status, b.rows_loaded, b.rows_duplicate) == ("loaded", 4, 0)
    assert any("3 response(s) repeat ones loaded before, 0 of them with different answers" in n for n in b.notes)
    assert con.execute("SELECT count(*), sum(value) FROM core.answers").fetchall() == [(4, 31.0)]
    # respondent and timestamp share the column: the time stays readable, the respondent is pseudonymised
    got = con.execute("SELECT DISTINCT responded_at::VARCHAR FROM core.responses ORDER BY 1").fetchall()
    assert got == [("2024-03-04 09:15:02",), ("2024-03-05 10:00:00",)]
    assert con.execute("SELECT count(*) FROM core.responses WHERE respondent_id LIKE '%9:15%'").fetchall() == [(0,)]
    assert con.execute('SELECT DISTINCT "Timestamp" FROM raw.src ORDER BY 1').fetchall()[0] == ("3/4/2024 9:15:02",)
    con.close()


def test_no_timestamp_the_source_names_its_revisit(tmp_path):
    text = "RespondentID,Score\n11,4\n12,5\n"
    source = {
        "respondent_id": "RespondentID",
        "response_id": "RespondentID",
        "revisit": "R1",
        "questions": [{"column": "Score", "metric": "csat", "scale": {"min": 1, "max": 5}}],
    }
    (result,), con = _ingest(tmp_path, source, {"export.csv": text})
    assert result.status == "loaded", result.reject_reason
    assert con.execute("SELECT DISTINCT responded_at::VARCHAR FROM core.responses").fetchall() == [
        ("2010-01-01 00:00:00",)
    ]
    con.close()


def test_a_source_without_timestamp_date_or_revisit_is_a_journey_error(tmp_path):
    import pytest

    from cjx.journey import load_journey
    from cjx.journey.load import JourneyError

    journey = _journey({"respondent_id": "id", "questions": [{"column": "q", "metric": "nps"}]})
    (tmp_path / "journey.yml").write_text(yaml.safe_dump(journey), encoding="utf-8")
    with pytest.raises(JourneyError, match="needs either date"):
        load_journey(tmp_path / "journey.yml")


# --- item 4: answer labels --------------------------------------------------------------------------------

LABELS_CSV = (
    "id,email,at,sat,agree,shape\n"
    "1,a@x.dk,2024-03-04 10:00:00,Hverken/eller,Verken eller,(4) Critical.\n"
    "2,b@x.dk,2024-03-04 10:01:00,Ganska nöjd,Helt enig,Very Sensitive 5\n"
    "3,c@x.dk,2024-03-04 10:02:00,Ganska missnöjd,Varken eller,Complete Trust - 2\n"
    "4,d@x.dk,2024-03-04 10:03:00,Nøytral,Delvis uenig,Meget god\n"
    "5,e@x.dk,2024-03-04 10:04:00,Vet ikke,Ikke relevant,Ej aktuellt\n"
    "6,f@x.dk,2024-03-04 10:05:00,Svært fornøyd,Not applicable,Ingen åsikt\n"
    "7,g@x.dk,2024-03-04 10:06:00,3.5,Enig,Ved ikke\n"
)


def _label_source(shape_codebook: object) -> dict:
    return {
        "respondent_id": "email",
        "response_id": "id",
        "timestamp": "at",
        "questions": [
            {"column": "sat", "metric": "csat", "scale": {"min": 1, "max": 5}},
            {"column": "agree", "metric": "ces", "scale": {"min": 1, "max": 7}},
            {"column": "shape", "metric": "csat", "scale": {"min": 1, "max": 5}, "codebook": shape_codebook},
        ],
    }


def test_nordic_scale_labels_na_wordings_and_label_shapes(tmp_path):
    (result,), con = _ingest(tmp_path, _label_source({"Meget god": 5}), {"labels.csv": LABELS_CSV})
    assert result.status == "loaded", result.reject_reason
    # 3.5 on the 1-5 satisfaction scale is not a point of it: row 7 is quarantined
    assert result.rows_loaded == 6 and result.quarantined_by_reason == {"out_of_range": 1}
    message = con.execute("SELECT message FROM ops.quarantine").fetchall()[0][0]
    assert "is not a whole point of the scale 1-5" in message
    got = con.execute(
        "SELECT r.row_number, a.column_name, a.value, a.is_na FROM core.answers a "
        "JOIN core.responses r USING (source_id, response_id) ORDER BY 1, 2"
    ).fetchall()
    assert got == [
        (1, "agree", 4.0, False),  # Verken eller, middle of 1-7
        (1, "sat", 3.0, False),  # Hverken/eller
        (1, "shape", 4.0, False),  # (4) Critical.
        (2, "agree", 7.0, False),  # Helt enig
        (2, "sat", 4.0, False),  # Ganska nöjd
        (2, "shape", 5.0, False),  # Very Sensitive 5
        (3, "agree", 4.0, False),  # Varken eller
        (3, "sat", 2.0, False),  # Ganska missnöjd
        (3, "shape", 2.0, False),  # Complete Trust - 2
        (4, "agree", 3.0, False),  # Delvis uenig (Norwegian)
        (4, "sat", 3.0, False),  # Nøytral
        (4, "shape", 5.0, False),  # the question's own codebook
        (5, "agree", None, True),  # Ikke relevant
        (5, "sat", None, True),  # Vet ikke
        (5, "shape", None, True),  # Ej aktuellt
        (6, "agree", None, True),  # Not applicable
        (6, "sat", 5.0, False),  # Svært fornøyd
        (6, "shape", None, True),  # Ingen åsikt
    ]
    con.close()


def test_a_question_codebook_extends_the_builtin_labels_unless_replace(tmp_path):
    text = "id,email,at,shape\n1,a@x.dk,2024-03-04 10:00:00,Meget god\n2,b@x.dk,2024-03-04 10:01:00,Tilfreds\n"
    source = _label_source(None)
    source["questions"] = [
        {"column": "shape", "metric": "csat", "scale": {"min": 1, "max": 5}, "codebook": {"Meget god": 5}}
    ]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (extended,), con = _ingest(tmp_path / "a", source, {"x.csv": text})
    assert (extended.rows_loaded, extended.quarantined_by_reason) == (2, {})  # "Tilfreds" is built-in: 4
    con.close()
    source["questions"][0]["codebook"] = {"labels": {"Meget god": 5}, "replace": True}
    (replaced,), con = _ingest(tmp_path / "b", source, {"x.csv": text})
    assert (replaced.rows_loaded, replaced.quarantined_by_reason) == (1, {"unknown_label": 1})
    con.close()


def test_readme_lists_every_builtin_label():
    from cjx.ingest.codebook import NA_LABELS
    from cjx.journey.codebooks import BUILTIN_CODEBOOKS

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Built-in answer labels") :]
    missing = [
        (name, label)
        for name, book in BUILTIN_CODEBOOKS.items()
        for label in book
        if f"{label} = {book[label]:g}" not in section
    ]
    missing += [("N/A", label) for label in NA_LABELS if label not in section]
    assert not missing


# --- item 11: messages a user can act on ------------------------------------------------------------------


def test_a_wrong_date_format_names_the_rule_two_examples_and_what_was_expected(tmp_path):
    text = "id,email,at,score\n" + "".join(f"{i},p{i}@x.dk,{i:02d}/03/2024 10:00,{i % 11}\n" for i in range(1, 6))
    source = {
        "respondent_id": "email",
        "response_id": "id",
        "timestamp": "at",
        "timestamp_format": "%Y-%m-%d %H:%M",
        "questions": [{"column": "score", "metric": "nps"}],
    }
    (result,), con = _ingest(tmp_path, source, {"export.csv": text})
    assert result.status == "rejected"
    reason = result.reject_reason
    assert "rule 'timestamps parse' failed on column 'at': 5 of 5 rows (100%)" in reason
    assert "e.g. '01/03/2024 10:00' (row 1), '02/03/2024 10:00' (row 2); expected %Y-%m-%d %H:%M" in reason
    assert "@x.dk" not in reason  # no identifier in the message
    con.close()


def test_mostly_unknown_labels_show_two_answers_but_never_an_identifier(tmp_path):
    text = "id,email,at,score\n" + "".join(f"{i},p{i}@x.dk,2024-03-0{i} 10:00:00,Super {i}x\n" for i in range(1, 5))
    source = {
        "respondent_id": "email",
        "response_id": "id",
        "timestamp": "at",
        "questions": [{"column": "score", "metric": "csat", "scale": {"min": 1, "max": 5}}],
    }
    (result,), con = _ingest(tmp_path, source, {"export.csv": text})
    assert result.status == "rejected"
    assert "rule 'answers are scores' failed on column 'score': 4 of 4 rows (100%)" in result.reject_reason
    assert "e.g. 'Super 1x' (row 1), 'Super 2x' (row 2); expected a number on the scale 1-5" in result.reject_reason
    assert "@x.dk" not in result.reject_reason
    con.close()


def test_file_rejections_say_what_was_detected_and_the_line(tmp_path):
    source = {
        "respondent_id": "email",
        "response_id": "id",
        "timestamp": "at",
        "questions": [{"column": "score", "metric": "nps"}],
    }
    text = 'id,email,at,score\n1,a@x.dk,2024-03-04 10:00:00,9\n2,b@x.dk,2024-03-04 10:00:00,"7\n'
    bad = b"id,email,at,score\n1,a@x.dk,2024-03-04 10:00:00,9\n2,\x81\x8d\x8f@x.dk,2024-03-04 10:00:00,7\n"
    (quote, encoding), con = _ingest(tmp_path, source, {"quote.csv": text, "bytes.csv": bad})
    assert quote.status == encoding.status == "rejected"
    assert "the last quote is on line 3" in quote.reject_reason
    assert quote.reject_reason.endswith('Detected: format csv, encoding utf-8, delimiter comma, quoting ".'), (
        quote.reject_reason
    )
    assert "byte 0x81 on line 3 (byte offset" in encoding.reject_reason
    assert "Detected: format not recognised" in encoding.reject_reason
    con.close()


def test_validate_reads_the_database_and_reports_duplicates_and_files_seen_before(tmp_path):
    from cjx.ingest.dryrun import dry_run, report
    from cjx.journey import load_journey

    source = {
        "respondent_id": "email",
        "response_id": "id",
        "timestamp": "at",
        "questions": [{"column": "score", "metric": "nps"}],
    }
    first = "id,email,at,score\n1,a@x.dk,2024-03-04 10:00:00,9\n2,b@x.dk,2024-03-04 11:00:00,7\n"
    (loaded,), con = _ingest(tmp_path, source, {"a.csv": first})
    con.close()
    assert loaded.rows_loaded == 2
    lj = load_journey(tmp_path / "journey.yml")
    src = lj.journey.source("src")
    again, _ = dry_run(lj, tmp_path / "a.csv", src, tmp_path / "db.duckdb")
    assert again.status == "skipped" and "already ingested" in report(again, [])
    (tmp_path / "b.csv").write_text(first + "3,c@x.dk,2024-03-05 10:00:00,10\n", encoding="utf-8")
    overlap, _ = dry_run(lj, tmp_path / "b.csv", src, tmp_path / "db.duckdb")
    # two responses repeat a.csv's (same times: this later file's versions would win), one is new
    assert (overlap.status, overlap.rows_loaded, overlap.rows_duplicate) == ("loaded", 3, 0)
    assert any("2 response(s) repeat ones loaded before, 0 of them with different answers" in n for n in overlap.notes)
    fresh, _ = dry_run(lj, tmp_path / "b.csv", src, tmp_path / "none.duckdb")  # no database: nothing seen yet
    assert (fresh.rows_loaded, fresh.rows_duplicate) == (3, 0)
    # nothing was written: the database still holds the two responses of a.csv only
    from cjx.store import connect

    with connect(tmp_path / "db.duckdb", read_only=True) as check:
        assert check.execute("SELECT count(*) FROM core.responses").fetchall() == [(2,)]


# --- item 10: JSON exports as the APIs return them --------------------------------------------------------


def test_delighted_api_json_with_expanded_person_loads(tmp_path):
    import json

    responses = [
        {
            "id": "5435",
            "person": {"id": "1", "email": "anna@example.dk", "name": "Anna", "created_at": 1709543000},
            "survey_type": "nps",
            "score": 9,
            "comment": "Fine",
            "permalink": "https://delighted.com/r/5435",
            "created_at": 1709543860,
            "updated_at": 1709543860,
            "person_properties": {"Delivery": "Home", "order_id": "O-1"},
            "notes": [],
            "tags": ["vip"],
            "additional_answers": [],
        },
        {
            "id": "5436",
            "person": {"id": "2", "email": "bo@example.dk", "name": "Bo", "created_at": 1709543000},
            "survey_type": "nps",
            "score": 4,
            "comment": None,
            "created_at": 1709546533,
            "updated_at": 1709546533,
            "person_properties": {},
            "notes": [],
            "tags": [],
            "additional_answers": [],
        },
    ]
    source = {
        "respondent_id": "person.email",
        "response_id": "id",
        "timestamp": "created_at",
        "questions": [{"column": "score", "metric": "nps"}, {"column": "comment", "metric": "comment"}],
    }
    (result,), con = _ingest(tmp_path, source, {"survey_responses.json": json.dumps(responses)})
    assert (result.status, result.format, result.rows_loaded) == ("loaded", "delighted", 2), result.reject_reason
    assert con.execute("SELECT response_id, responded_at::VARCHAR FROM core.responses ORDER BY 1").fetchall() == [
        ("5435", "2024-03-04 09:17:40"),
        ("5436", "2024-03-04 10:02:13"),
    ]
    assert con.execute('SELECT "person_properties.order_id" FROM raw.src ORDER BY row_number').fetchall() == [
        ("O-1",),
        (None,),
    ]
    con.close()


# --- item 8: re-exports ------------------------------------------------------------------------------------


def _reexport(tmp_path: Path, duplicates: str | None):
    source = {
        "respondent_id": "email",
        "response_id": "id",
        "timestamp": "at",
        "questions": [{"column": "score", "metric": "nps"}],
        **({"duplicates": duplicates} if duplicates else {}),
    }
    first = "id,email,at,score\nA,a@x.dk,2024-03-04 10:00:00,9\nB,b@x.dk,2024-03-04 11:00:00,7\n"
    corrected = "id,email,at,score\nA,a@x.dk,2024-03-04 10:00:00,6\nB,b@x.dk,2024-03-04 11:00:00,7\n"
    return _ingest(tmp_path, source, {"first.csv": first, "corrected.csv": corrected, "again.csv": first})


def test_a_corrected_reexport_with_the_same_time_wins_and_the_run_says_how_many_differ(tmp_path):
    (_, corrected, again), con = _reexport(tmp_path, None)
    assert (corrected.rows_loaded, corrected.rows_duplicate) == (2, 0)
    assert any(
        "2 response(s) repeat ones loaded before, 1 of them with different answers" in n for n in corrected.notes
    )
    assert con.execute("SELECT response_id, value FROM core.answers ORDER BY 1").fetchall() == [("A", 6.0), ("B", 7.0)]
    # the same bytes as first.csv: skipped, recorded with the file it duplicates
    assert again.status == "skipped" and "the same content as first.csv" in again.notes[0]
    skipped = con.execute("SELECT source_id, duplicate_of FROM ops.skipped_files").fetchall()
    assert skipped == [("src", str(tmp_path / "first.csv"))]
    stored = con.execute("SELECT path, rows_loaded, rows_duplicate FROM ops.ingest_files ORDER BY path").fetchall()
    assert [(Path(p).name, n, d) for p, n, d in stored] == [("corrected.csv", 2, 0), ("first.csv", 0, 2)]
    con.close()


def test_duplicates_first_seen_keeps_the_first_file(tmp_path):
    (_, corrected, _), con = _reexport(tmp_path, "first_seen")
    assert (corrected.rows_loaded, corrected.rows_duplicate) == (0, 2)
    assert con.execute("SELECT response_id, value FROM core.answers ORDER BY 1").fetchall() == [("A", 9.0), ("B", 7.0)]
    con.close()


def test_the_same_bytes_load_for_each_source_and_are_skipped_again_for_one(tmp_path):
    """The content-hash skip is per source: one export dropped for two sources loads in both; the same bytes
    again for one of them are skipped and recorded in ops.skipped_files with the file they repeat."""
    source = {
        "respondent_id": "email",
        "response_id": "id",
        "timestamp": "at",
        "questions": [{"column": "score", "metric": "nps"}],
    }
    journey = _journey(source)
    journey["touchpoints"].append({"id": "tp2", "name": "Second", "stage": "s", "owner": "Team"})
    journey["sources"].append({**journey["sources"][0], "id": "src2", "touchpoint": "tp2"})
    (tmp_path / "journey.yml").write_text(yaml.safe_dump(journey), encoding="utf-8")
    lj, con = open_workspace(tmp_path / "journey.yml", tmp_path / "db.duckdb")
    content = "id,email,at,score\nA,a@x.dk,2024-03-04 10:00:00,9\nB,b@x.dk,2024-03-04 11:00:00,7\n"
    results = {}
    for name, source_id in (("one.csv", "src"), ("two.csv", "src2"), ("again.csv", "src"), ("again2.csv", "src2")):
        (tmp_path / name).write_text(content, encoding="utf-8")
        results[name] = ingest_file(
            con, tmp_path / name, lj.journey.source(source_id), pseudonym_key=KEY, journey=lj.journey
        )
    assert [(r.status, r.rows_loaded) for r in results.values()] == [
        ("loaded", 2),
        ("loaded", 2),
        ("skipped", 0),
        ("skipped", 0),
    ]
    assert results["one.csv"].file_id != results["two.csv"].file_id
    assert con.execute("SELECT source_id, count(*) FROM core.responses GROUP BY 1 ORDER BY 1").fetchall() == [
        ("src", 2),
        ("src2", 2),
    ]
    skipped = con.execute("SELECT path, source_id, duplicate_of FROM ops.skipped_files ORDER BY 1").fetchall()
    assert [(Path(p).name, s, Path(d).name) for p, s, d in skipped] == [
        ("again.csv", "src", "one.csv"),
        ("again2.csv", "src2", "two.csv"),
    ]
    con.close()


def test_a_file_recorded_under_a_content_only_id_is_still_seen(tmp_path):
    """Before migration 030 a file's id was its content hash alone: such a file, loaded, is still skipped when its
    bytes come again for the same source, and loads for another."""
    source = {
        "respondent_id": "email",
        "response_id": "id",
        "timestamp": "at",
        "questions": [{"column": "score", "metric": "nps"}],
    }
    content = "id,email,at,score\nA,a@x.dk,2024-03-04 10:00:00,9\n"
    (first,), con = _ingest(tmp_path, source, {"old.csv": content})
    legacy = hashlib.sha256(content.encode()).hexdigest()[:16]  # the id before migration 030: content alone
    assert legacy != first.file_id
    for table in ("ops.ingest_files", "raw.files", "raw.src", "core.responses"):
        con.execute(f"UPDATE {table} SET file_id = ? WHERE file_id = ?", [legacy, first.file_id])
    (tmp_path / "new.csv").write_text(content, encoding="utf-8")
    again = ingest_file(
        con, tmp_path / "new.csv", load_journey(tmp_path / "journey.yml").journey.source("src"), pseudonym_key=KEY
    )
    assert again.status == "skipped" and "the same content as old.csv" in again.notes[0]
    con.close()
