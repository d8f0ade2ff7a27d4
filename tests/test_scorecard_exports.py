"""Exports people can open: rounded, labelled in the page's language, a sheet per table with its caption; the raw
mart rows as Parquet; every text cell through one function (cjx.report.exports.export_cell)."""

from __future__ import annotations

import io
from contextlib import closing

import pandas as pd
import pytest
from openpyxl import load_workbook

from cjx.report import exports, load_scorecard_data
from cjx.report.labels import Lang
from cjx.store import connect

REVISIT = "2026-Q3"


@pytest.fixture(scope="module")
def written(sample_run, tmp_path_factory):
    db, _, _ = sample_run
    folder = tmp_path_factory.mktemp("exports_da")
    with closing(connect(db, read_only=True)) as con:
        data = load_scorecard_data(con, REVISIT, "da")
        paths = exports.write_exports(folder, con, data)
        marts = {
            name: con.execute(sql, {"revisit_id": REVISIT} if "$revisit_id" in sql else {}).df()
            for name, sql in exports.EXPORT_QUERIES.items()
        }
        priority = con.execute(
            "SELECT touchpoint_name, performance, n_headline FROM marts.touchpoint_priority WHERE revisit_id = ? "
            "ORDER BY priority_rank NULLS LAST, stage_position, touchpoint_position",
            [REVISIT],
        ).df()
    return folder, paths, marts, priority


def test_csv_is_rounded_labelled_in_danish_with_danish_separators(written):
    folder, _, _, priority = written
    da = Lang("da")
    raw = (folder / "priority.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())  # Excel reads the UTF-8 letters
    got = pd.read_csv(folder / "priority.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert list(got.columns)[:4] == [da.t("col_rank"), da.t("col_touchpoint"), da.t("col_stage"), da.t("col_owner")]
    assert da.t("x_performance") == "Resultat (%)" and da.t("x_performance") in got.columns
    assert got[da.t("col_touchpoint")].tolist() == priority.touchpoint_name.tolist()
    assert got[da.t("x_performance")].tolist() == [round(100 * v, 1) for v in priority.performance]
    assert got[da.t("col_n")].tolist() == priority.n_headline.tolist()
    assert set(got[da.t("x_significant")]) <= {"ja", "nej"}
    text = raw.decode("utf-8-sig")
    assert "0.4" not in text.splitlines()[1]  # no 16-digit floats, no English decimals
    assert not any(c.endswith("_id") or "_" in c for c in got.columns)  # no snake_case headers


def test_workbook_has_a_sheet_per_table_with_its_caption(written):
    folder, _, _, priority = written
    da = Lang("da")
    book = load_workbook(folder / f"scorecard_{REVISIT}.xlsx")
    assert book.sheetnames == [
        da.t(k) for k in ("x_priority", "x_details", "x_changes", "x_headline", "x_paths", "x_blind_spots", "x_files")
    ]
    sheet = book[da.t("x_priority")]
    assert sheet["A1"].value.startswith(da.t("priority_caption", previous="2026-Q2")) and sheet["A1"].font.bold
    header = [c.value for c in sheet[2]]
    assert header[1] == da.t("col_touchpoint")
    column = header.index(da.t("x_performance")) + 1
    values = [sheet.cell(row=r, column=column).value for r in range(3, 3 + len(priority))]
    assert values == [round(100 * v, 1) for v in priority.performance]  # numbers, not text, rounded
    assert sheet.freeze_panes == "A3"


def test_raw_mart_rows_stay_as_parquet_exactly(written):
    folder, _, marts, _ = written
    for name, mart in marts.items():
        got = pd.read_parquet(folder / "raw" / f"{name}.parquet")
        pd.testing.assert_frame_equal(got, mart, check_dtype=False)


def test_every_text_cell_passes_through_export_cell(sample_run, tmp_path, monkeypatch):
    db, _, _ = sample_run
    seen: list[object] = []

    def marking(value):
        seen.append(value)
        return f"§{value}"

    monkeypatch.setattr(exports, "export_cell", marking)
    with closing(connect(db, read_only=True)) as con:
        data = load_scorecard_data(con, REVISIT, "en")
        exports.write_exports(tmp_path, con, data)
    csv = pd.read_csv(tmp_path / "priority.csv", encoding="utf-8-sig")
    assert all(c.startswith("§") for c in csv.columns)
    assert all(v.startswith("§") for v in csv["§Touchpoint"])
    book = load_workbook(io.BytesIO((tmp_path / f"scorecard_{REVISIT}.xlsx").read_bytes()))
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert all(v is None or not isinstance(v, str) or v.startswith("§") for v in row), sheet.title
    raw = pd.read_parquet(tmp_path / "raw" / "priority.parquet")  # the mart rows exactly, for code
    assert "touchpoint_name" in raw.columns and not any(v.startswith("§") for v in raw.touchpoint_name)
    assert seen


def test_a_formula_in_data_is_neutralised_in_csv_and_workbook(tmp_path):
    frame = pd.DataFrame({"Touchpoint": ['=HYPERLINK("x")', "Web"], "n": [-3, 4]})
    text = exports.csv_text(frame, Lang("da"))
    assert "'=HYPERLINK" in text and ";-3" in text  # text neutralised, a negative number left a number
    book = load_workbook(io.BytesIO(exports.xlsx_bytes({"t": frame}, captions={"t": "=caption"})))
    cells = [c for row in book["t"].iter_rows(values_only=True) for c in row]
    assert '\'=HYPERLINK("x")' in cells and "'=caption" in cells and -3 in cells
