"""The scorecard tables of one revisit as they are in the marts, for CSV and Excel.

Exports carry the marts' own column names and unrounded values: they are for people who recompute or join, so
they must equal the mart rows exactly (the HTML is where numbers are rounded and labelled). One limit is Excel's:
it keeps timestamps to the millisecond, so data_quality.ingested_at is exact in the CSV only. Another: a cell cannot
hold control characters (a file name with a bell or an escape in it, a comment with a stray form feed), so the
workbook writes each as its escape, \x07; the CSV keeps them as they are.
"""

from __future__ import annotations

import io

import duckdb
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from cjx.privacy.cells import csv_quoting, neutralise_frame

# file stem -> (SQL over the marts with one revisit parameter, or none for tables not split by revisit)
EXPORT_QUERIES: dict[str, str] = {
    "priority": "SELECT * FROM marts.touchpoint_priority WHERE revisit_id = $revisit_id "
    "ORDER BY priority_rank NULLS LAST, stage_position, touchpoint_position",
    "scorecard": "SELECT * FROM marts.touchpoint_scorecard WHERE revisit_id = $revisit_id "
    "ORDER BY stage_position, touchpoint_position",
    "changes": "SELECT * FROM marts.revisit_changes WHERE revisit_b = $revisit_id ORDER BY touchpoint_id, metric",
    "headline": "SELECT * FROM marts.revisit_headline WHERE revisit_id = $revisit_id",
    "paths": "SELECT * FROM marts.journey_paths WHERE revisit_id = $revisit_id "
    "ORDER BY n_transitions DESC, from_touchpoint_id, to_touchpoint_id",
    "blind_spots": "SELECT * FROM marts.blind_spots WHERE revisit_id = $revisit_id ORDER BY touchpoint_id",
    "data_quality": "SELECT * FROM marts.data_quality ORDER BY source_id, file_name",
}


def export_tables(con: duckdb.DuckDBPyConnection, revisit_id: str) -> dict[str, pd.DataFrame]:
    """Each exported table of the revisit as a frame, in EXPORT_QUERIES order."""
    tables = {}
    for name, sql in EXPORT_QUERIES.items():
        params = {"revisit_id": revisit_id} if "$revisit_id" in sql else {}
        tables[name] = con.execute(sql, params).df()
    return tables


def csv_text(frame: pd.DataFrame) -> str:
    """CSV with a header row, '.' decimals, full-precision timestamps and empty cells for missing values."""
    safe = neutralise_frame(frame)  # OWASP: no cell runs as a formula (cjx.privacy.cells)
    return safe.to_csv(index=False, lineterminator="\n", quoting=csv_quoting(safe))


def xlsx_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """One workbook, one sheet per table (openpyxl), header row frozen and columns sized to their names."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in tables.items():
            sheet = name[:31]  # Excel's limit on sheet names
            _excel_safe(neutralise_frame(frame)).to_excel(writer, sheet_name=sheet, index=False)  # no formula from data
            ws = writer.sheets[sheet]
            ws.freeze_panes = "A2"
            for i, column in enumerate(frame.columns, start=1):
                ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(10, len(column) + 2)
    return buffer.getvalue()


def _excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel has no time zones, no nullable integers and no control characters in cells: make all three plain,
    keeping every value (a control character as its escape text, \x07)."""
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.tz_localize(None)
        elif pd.api.types.is_extension_array_dtype(out[column].dtype) and out[column].dtype.kind in "iub":
            out[column] = out[column].astype(object).where(out[column].notna(), None)
        elif out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            cleaned = [excel_text(v) for v in out[column]]
            if any(c is not v for c, v in zip(cleaned, out[column])):
                out[column] = pd.Series(cleaned, index=out.index, dtype=out[column].dtype)
    return out


def excel_text(value: object) -> object:
    """A string with the characters an Excel cell cannot hold written as escapes (\x07); anything else as is."""
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    return value
