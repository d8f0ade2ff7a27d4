"""One file can never break a run: each poison input is rejected with a one-line reason, in bounded time and
memory, moved aside, and the other file of the run loads.

Every journey run goes through `cjx.ingest.ingest_journey` in a child process with a watchdog, so that a
regression (the 4 GB, 25-minute files of issue 10) fails its test in seconds instead of taking the test
run, or the machine, down with it. The children fork from a forkserver that has imported great-expectations
and cjx once, so each costs about a second. A child reports the results and how far
its peak RSS rose above what it held before ingesting.
"""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import signal
import time
import zipfile
from pathlib import Path

import pytest
import yaml

from cjx.ingest.errors import FileRejected
from cjx.ingest.limits import current_limits, safe_name, use_limits
from cjx.journey.model import Limits

KEY = "poison-test-key"
MAX_GROWTH_KB = 1024 * 1024  # peak RSS growth while ingesting: under 1 GB
WATCHDOG_KB = 2 * 1024 * 1024  # the child exits (and the test fails) as soon as its RSS grows by 2 GB
CHILD_TIMEOUT = 120  # seconds before a child is killed (and the test fails)

JOURNEY = {
    "journey": {"id": "poison", "name": "Poison files"},
    "stages": [{"id": "buy", "name": "Buy"}],
    "touchpoints": [{"id": "checkout", "name": "Checkout", "stage": "buy", "owner": "Web"}],
    "sources": [
        {
            "id": "pulse",
            "kind": "survey",
            "files": "in/pulse*",
            "touchpoint": "checkout",
            "respondent_id": "email",
            "response_id": "id",
            "timestamp": "at",
            "questions": [{"column": "score", "metric": "nps"}],
        }
    ],
    "revisits": [{"id": "R1", "start": "2026-01-01", "end": "2026-12-31"}],
}
GOOD_NAME = "pulse_good.csv"
GOOD = (
    "id,email,at,score\n"
    "P1,anna@example.dk,2026-01-05T10:00:00Z,9\n"
    "P2,bo@example.dk,2026-01-06T10:00:00Z,7\n"
    "P3,cai@example.dk,2026-01-07T10:00:00Z,3\n"
)


@contextlib.contextmanager
def hang_guard(seconds: int = CHILD_TIMEOUT):
    """Fail the test if the block is still running after `seconds`: a guard against a hang (the 25-minute
    header of issue 10), not a speed check. Speed is measured by `make bench`, never asserted."""

    def expired(signum, frame):
        raise AssertionError(f"still running after {seconds} s: the cap did not stop the work")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _rss_kb() -> int:
    import os

    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def _ingest_child(root: str, out: str) -> None:
    """In the child: ingest the journey at `root`, write what happened to `out` (JSON)."""
    import os
    import resource
    import threading

    from cjx.ingest import ingest_journey
    from cjx.workspace import open_workspace

    lj, con = open_workspace(os.path.join(root, "journey.yml"), os.path.join(root, "db.duckdb"))
    start_rss = _rss_kb()

    def watchdog() -> None:
        while True:
            if _rss_kb() - start_rss > WATCHDOG_KB:
                os._exit(3)
            time.sleep(0.02)

    threading.Thread(target=watchdog, daemon=True).start()
    baseline = max(start_rss, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    results = ingest_journey(con, lj, KEY)
    growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - baseline
    con.close()
    Path(out).write_text(json.dumps({"results": [r.as_dict() for r in results], "growth_kb": growth}))


_FORKSERVER = None


def _context():
    global _FORKSERVER
    if _FORKSERVER is None:
        _FORKSERVER = multiprocessing.get_context("forkserver")
        _FORKSERVER.set_forkserver_preload(
            [
                "great_expectations",
                "duckdb",
                "pandas",
                "openpyxl",
                "cjx.ingest",
                "cjx.ingest.gate",
                "cjx.workspace",
                __name__,
            ]
        )
    return _FORKSERVER


def make_journey(root: Path, files: dict[str, bytes | str], limits: dict | None = None) -> Path:
    """A journey at `root` whose one source reads in/pulse*: the good file plus `files`."""
    journey = dict(JOURNEY)
    if limits:
        journey["settings"] = {"limits": limits}
    root.mkdir(exist_ok=True)
    (root / "journey.yml").write_text(yaml.safe_dump(journey, sort_keys=False))
    (root / "in").mkdir()
    for name, content in {GOOD_NAME: GOOD, **files}.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (root / "in" / name).write_bytes(data)
    return root


def run_journey(root: Path) -> dict:
    """ingest_journey on the journey at `root`, in a child process with a watchdog on time and memory."""
    out = root / "result.json"
    child = _context().Process(target=_ingest_child, args=(str(root), str(out)))
    child.start()
    child.join(CHILD_TIMEOUT)
    if child.is_alive():
        child.kill()
        child.join()
        pytest.fail(f"ingest did not finish within {CHILD_TIMEOUT} s")
    if child.exitcode == 3:
        pytest.fail(f"ingest grew RSS past {WATCHDOG_KB // 1024} MB (the watchdog stopped it)")
    assert child.exitcode == 0, f"ingest failed in the child (exit code {child.exitcode}); see its stderr above"
    return json.loads(out.read_text())


def assert_rejected(root: Path, run: dict, poison: str, *words: str) -> dict:
    """The poison file rejected with a one-line reason naming it and the problem, moved aside; the good file
    loaded; ingest within the memory guard (the child's timeout guards against a hang). Returns the poison file's result."""
    results = {Path(r["path"]).name: r for r in run["results"]}
    assert set(results) == {GOOD_NAME, poison}
    bad, good = results[poison], results[GOOD_NAME]
    reason = bad["reject_reason"]
    assert bad["status"] == "rejected", bad
    assert len(reason.splitlines()) == 1 and reason.isprintable(), repr(reason)
    assert reason.startswith(safe_name(poison) + ": "), reason
    assert any(w.lower() in reason.lower() for w in words), f"none of {words} in {reason!r}"
    assert bad["rows_read"] == 0
    assert bad["rejected_to"] and Path(bad["rejected_to"]).exists() and not (root / "in" / poison).exists()
    assert Path(bad["rejected_to"]).parent == root / "rejected"
    reason_file = Path(bad["rejected_to"] + ".reason.txt").read_text(encoding="utf-8")
    assert reason_file.startswith(reason + "\n")
    assert (good["status"], good["rows_loaded"]) == ("loaded", 3), good
    assert run["growth_kb"] < MAX_GROWTH_KB, f"peak RSS grew {run['growth_kb'] / 1024:.0f} MB"
    return bad


# --- building poison ----------------------------------------------------------------------------------------

_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_END = "</sheetData></worksheet>"


def write_xlsx(path: Path, sheet_chunks, *, level: int = 6) -> None:
    """A minimal, valid workbook whose one sheet's XML is `sheet_chunks` (str pieces), written streaming."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, text in _XLSX_PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_SHEET_START.encode())
            for chunk in sheet_chunks:
                sheet.write(chunk.encode() if isinstance(chunk, str) else chunk)
            sheet.write(_SHEET_END.encode())


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_rows(rows: list[list[str]]) -> str:
    """Sheet XML rows with inline-string cells, A1-style references."""
    from openpyxl.utils import get_column_letter

    return "".join(
        f'<row r="{i}">' + "".join(inline(f"{get_column_letter(j)}{i}", v) for j, v in enumerate(row, 1)) + "</row>"
        for i, row in enumerate(rows, 1)
    )


# --- the poison inputs of issue 10, each through a journey run -----------------------------------------------


def test_deeply_nested_json_is_rejected_fast(tmp_path):
    depth = 100_000
    root = make_journey(tmp_path, {"pulse_nested.json": "[" * depth + "]" * depth})
    run = run_journey(root)
    bad = assert_rejected(root, run, "pulse_nested.json", "max_json_depth")
    assert f"nested {depth} levels deep" in bad["reject_reason"]


def test_xlsx_zip_bomb_is_rejected_before_it_is_unpacked(tmp_path):
    # One row of ~21 million cells: about 315 MB of valid sheet XML, 1.7 MB zipped. openpyxl would build
    # every cell of the row before the first one could be looked at.
    path = tmp_path / "bomb.xlsx"
    cells = "<c><v>0</v></c>" * 70_000
    write_xlsx(path, ['<row r="1">', *([cells] * 300), "</row>"], level=1)
    assert path.stat().st_size < 4 * 1024 * 1024
    root = make_journey(tmp_path / "j", {"pulse_bomb.xlsx": path.read_bytes()})
    run = run_journey(root)
    bad = assert_rejected(root, run, "pulse_bomb.xlsx", "max_xlsx_uncompressed_bytes")
    assert "xl/worksheets/sheet1.xml" in bad["reject_reason"]


def test_huge_header_is_rejected_fast(tmp_path):
    # 2,000,000 columns (about 16 MB of header line), then one short row: the CSV path's header caps.
    header = ",".join(f"c{i}" for i in range(2_000_000))
    root = make_journey(tmp_path, {"pulse_wide.csv": header + "\nx,y\n"})
    run = run_journey(root)
    assert_rejected(root, run, "pulse_wide.csv", "max_columns", "max_line_bytes", "columns", "header")


@pytest.mark.parametrize(
    "name", ["pulse\x07\x1b[31m.csv", "pulse\nsecond line.csv"], ids=["bell-and-terminal-escape", "newline"]
)
def test_control_character_in_file_name_is_rejected_and_reports_survive(tmp_path, name):
    root = make_journey(tmp_path, {name: GOOD.replace("P", "Q")})
    run = run_journey(root)
    bad = assert_rejected(root, run, name, "control character")
    assert "\x1b" not in bad["reject_reason"] and "\x07" not in bad["reject_reason"]
    # The name is in the ops tables as it is; the data-quality mart and its Excel export still work.
    from cjx.report.exports import csv_text, xlsx_bytes
    from cjx.store import connect, run_sql

    con = connect(root / "db.duckdb")
    try:
        run_sql(con, "marts/data_quality")
        frame = con.execute("SELECT * FROM marts.data_quality ORDER BY file_name").df()
    finally:
        con.close()
    assert name in frame["file_name"].tolist()
    assert name in csv_text(frame)
    book = xlsx_bytes({"data_quality": frame})
    from openpyxl import load_workbook

    cells = [c for row in load_workbook(io.BytesIO(book)).active.iter_rows(values_only=True) for c in row]
    assert safe_name(name) in cells or name in cells  # a newline is legal in a cell; a bell or ESC is escaped


def test_utf16_without_bom_is_read_in_either_byte_order(tmp_path):
    le = GOOD.replace("P", "L").replace("anna", "åse")
    be = GOOD.replace("P", "B")
    root = make_journey(
        tmp_path, {"pulse_utf16le.csv": le.encode("utf-16-le"), "pulse_utf16be.csv": be.encode("utf-16-be")}
    )
    run = run_journey(root)
    results = {Path(r["path"]).name: r for r in run["results"]}
    assert {n: (r["status"], r["rows_loaded"]) for n, r in results.items()} == {
        GOOD_NAME: ("loaded", 3),
        "pulse_utf16le.csv": ("loaded", 3),
        "pulse_utf16be.csv": ("loaded", 3),
    }
    assert any(
        "UTF-16 without a byte-order mark; read as utf-16-le" in n for n in results["pulse_utf16le.csv"]["notes"]
    )


def test_binary_file_with_nul_bytes_is_rejected(tmp_path):
    # Looks like ASCII with NULs sprinkled in: valid UTF-8, but no text file (nor UTF-16) has this pattern.
    data = b"id,email,at,score\n" + bytes(range(0, 32)) * 64 + b"\x00\x00\x00\x00PK\x03\x04" * 100
    root = make_journey(tmp_path, {"pulse_binary.csv": data})
    run = run_journey(root)
    bad = assert_rejected(root, run, "pulse_binary.csv", "binary file")
    assert "NUL" in bad["reject_reason"]


def test_one_line_csv_of_50_mb_is_rejected_fast(tmp_path):
    # A header, then 50 MB without a line break: the CSV path's line-length cap.
    line = b"P1,anna@example.dk,2026-01-05T10:00:00Z," + b"9" * (50 * 1024 * 1024)
    root = make_journey(tmp_path, {"pulse_oneline.csv": b"id,email,at,score\n" + line})
    run = run_journey(root)
    assert_rejected(root, run, "pulse_oneline.csv", "max_line_bytes", "line")


# --- the caps one by one, in process --------------------------------------------------------------------------


def test_limits_default_outside_any_block_and_nest():
    assert current_limits() == Limits()
    with use_limits(Limits(max_json_depth=5)) as outer:
        assert current_limits() is outer and outer.max_json_depth == 5
        with use_limits(Limits(max_columns=7)):
            assert (current_limits().max_columns, current_limits().max_json_depth) == (7, 64)
        assert current_limits().max_json_depth == 5
        with use_limits(None):
            assert current_limits() == Limits()
    assert current_limits() == Limits()


def test_json_depth_counts_brackets_outside_strings_only():
    from cjx.ingest.detect import json_depth

    assert json_depth(b'[{"a": "[[[[{{", "b": "\\"[[", "c": "\\\\"}, {"d": [1]}]') == 3
    assert json_depth(b"") == json_depth(b"42") == 0
    with hang_guard():
        assert json_depth(b"[" * 1_000_000) == 1_000_000


def test_json_depth_cap_follows_the_limits_in_force(tmp_path):
    from cjx.ingest.detect import load_json

    path = tmp_path / "deep.json"
    path.write_text(json.dumps([{"a": {"b": {"c": {"d": 1}}}}]))
    assert load_json(path)[0]["a"]["b"]["c"] == {"d": 1}
    with (
        use_limits(Limits(max_json_depth=4)),
        pytest.raises(FileRejected, match="nested 5 levels deep, more than the cap of 4"),
    ):
        load_json(path)


def test_json_records_wider_than_the_caps_are_rejected(tmp_path):
    import duckdb

    from cjx.ingest.formats.generic import land_records

    con = duckdb.connect()
    wide = tmp_path / "wide.json"
    with use_limits(Limits(max_fields_per_row=10, max_columns=15)):
        with pytest.raises(FileRejected, match="record 2 has 11 fields, more than the cap of 10"):
            land_records(con, wide, [{"a": 1}, {f"k{i}": i for i in range(11)}])
        with pytest.raises(FileRejected, match="more than 15 distinct fields"):
            land_records(con, wide, [{f"k{i}_{j}": 1 for i in range(5)} for j in range(4)])
        landed = land_records(con, wide, [{"a": 1, "b": {"c": 2}}])
    assert landed.columns == ["a", "b.c"]


def test_xlsx_part_compressed_like_no_spreadsheet_is_a_zip_bomb(tmp_path):
    from cjx.ingest.formats.excel import xlsx_rows

    path = tmp_path / "ratio.xlsx"  # 16 MB of one repeated cell, under the size cap, ~1000:1 compressed
    write_xlsx(path, ['<row r="1">', *(["<c><v>0</v></c>" * 70_000] * 16), "</row>"], level=9)
    with hang_guard(), pytest.raises(FileRejected, match=r"times its compressed size .* a zip bomb"):
        xlsx_rows(path)


def test_xlsx_cells_far_apart_cannot_inflate_the_landing(tmp_path):
    from cjx.ingest.formats.excel import xlsx_rows

    # A few bytes of XML each, asking for: a header past max_columns; a row past max_fields_per_row; rows x
    # header columns past the cell budget; more rows than Excel has.
    cases = {
        "header.xlsx": (sheet_rows([["id"]]).replace('r="A1"', 'r="FAN1"'), "the header row has 4,096 columns"),
        "row.xlsx": (
            sheet_rows([["id", "at"]]) + '<row r="2"><c r="ZZZ2"><v>1</v></c></row>',
            "row 2 of the first worksheet reaches column 18,278",
        ),
        "cells.xlsx": (
            sheet_rows([["id"]]).replace('r="A1"', 'r="DCY1"')
            + "".join(f'<row r="{i}"><c r="A{i}"><v>1</v></c></row>' for i in range(2, 20_000)),
            "spans more than 33,554,432 cells",
        ),
        "rows.xlsx": (
            sheet_rows([["id"]]) + '<row r="90000000"><c r="A90000000"><v>1</v></c></row>',
            "claims more than 1,048,576 rows",
        ),
    }
    with use_limits(Limits(max_columns=4095)):
        for name, (xml, message) in cases.items():
            write_xlsx(tmp_path / name, [xml])
            with hang_guard(), pytest.raises(FileRejected, match=message):
                xlsx_rows(tmp_path / name)


def test_xlsx_rows_ignore_a_wrong_dimension_and_stray_far_cells(tmp_path):
    from cjx.ingest.formats.excel import xlsx_rows

    path = tmp_path / "dims.xlsx"
    rows = sheet_rows([["id", "score"], ["a", "1"], ["b", "2"], ["c", "3"]])
    rows = rows.replace('</row><row r="3">', inline("AZ2", "far") + '</row><row r="3">')
    # The declared dimension says one row of two columns: read-only openpyxl would stop after row 1.
    write_xlsx(path, [rows])
    with zipfile.ZipFile(path) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"<sheetData>", b'<dimension ref="A1:B1"/><sheetData>'
    )
    path.write_bytes(_zip(parts))
    assert xlsx_rows(path) == [["id", "score"], ["a", "1", "far"], ["b", "2"], ["c", "3"]]


def test_xlsx_that_is_not_a_workbook_is_rejected_in_one_line(tmp_path):
    from cjx.ingest.formats.excel import xlsx_rows

    cases = {
        "text.xlsx": b"id,score\n1,2\n",
        "no_workbook.xlsx": _zip({"hello.txt": b"hi"}),
        "bad_xml.xlsx": _zip(
            {
                **{n: t.encode() for n, t in _XLSX_PARTS.items()},
                "xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row>",
            }
        ),
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(FileRejected) as err:
            xlsx_rows(tmp_path / name)
        assert (
            str(err.value).startswith(f"{name}: not a readable XLSX workbook") and len(str(err.value).splitlines()) == 1
        )


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_utf16_detection_from_nul_pattern(tmp_path):
    from cjx.ingest.detect import detect_encoding

    cases = {
        "le.csv": ("id,navn\n1,Åse\n2,一二三\n".encode("utf-16-le"), "utf-16-le"),
        "be.csv": ("id,navn\n1,Åse\n".encode("utf-16-be"), "utf-16-be"),
        "bom.csv": ("id\n1\n".encode("utf-16"), "utf-16"),
        "plain.csv": (b"id\n1\n", "utf-8"),
    }
    for name, (data, codec) in cases.items():
        (tmp_path / name).write_bytes(data)
        assert detect_encoding(tmp_path / name)[0] == codec, name
    # Declared utf-16 without a BOM: the byte order from the pattern.
    assert detect_encoding(tmp_path / "be.csv", "utf-16")[0] == "utf-16-be"
    (tmp_path / "nul.csv").write_bytes(b"id,score\n1,\x002\n")
    with pytest.raises(FileRejected, match=r"nul\.csv: a binary file, not text: .* byte offset 11"):
        detect_encoding(tmp_path / "nul.csv")


def test_excel_export_writes_control_characters_as_escapes():
    import pandas as pd
    from openpyxl import load_workbook

    from cjx.report.exports import xlsx_bytes

    frame = pd.DataFrame({"file_name": ["pulse\x07\x1b[31m.csv", "ok.csv", None], "n": [1, 2, 3]})
    book = load_workbook(io.BytesIO(xlsx_bytes({"data_quality": frame})))
    assert [r[0] for r in book.active.iter_rows(values_only=True)] == [
        "file_name",
        "pulse\\x07\\x1b[31m.csv",
        "ok.csv",
        None,
    ]


def test_one_over_long_field_quarantines_its_row_not_the_file(tmp_path):
    from cjx.ingest import ingest_journey
    from cjx.journey import load_journey
    from cjx.workspace import open_workspace

    long_comment = "x" * 500
    root = make_journey(tmp_path / "j", {}, limits={"max_field_chars": 100})
    good_rows = GOOD.splitlines()
    lines = [good_rows[0] + ",note"] + [row + ",fine" for row in good_rows[1:]]
    lines.append(f"P4,dan@example.dk,2026-01-08T10:00:00Z,8,{long_comment}")
    (root / "in" / GOOD_NAME).write_text("\n".join(lines) + "\n")
    _, con = open_workspace(root / "journey.yml", root / "db.duckdb")
    try:
        (result,) = ingest_journey(con, load_journey(root / "journey.yml"), KEY, gate=None)
        assert (result.status, result.rows_read, result.rows_loaded, result.rows_quarantined) == ("loaded", 4, 3, 1)
        (reason, message, record) = con.execute("SELECT reason, message, record FROM ops.quarantine").fetchall()[0]
        assert reason == "field_too_long"
        assert message == (
            f"{GOOD_NAME} row 4: column note (500 characters) is longer than settings.limits.max_field_chars"
        )
        assert json.loads(record)["note"] == long_comment  # kept whole in raw and the quarantine: nothing lost
    finally:
        con.close()
