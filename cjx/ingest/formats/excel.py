"""XLSX workbooks (first sheet) via openpyxl: cells as Python values, dates as datetimes or serial numbers."""

from __future__ import annotations

import zipfile
from pathlib import Path

from cjx.ingest.errors import FileRejected


def xlsx_rows(path: Path, limit: int | None = None) -> list[list[object]]:
    """Rows of the first worksheet; trailing all-empty rows (Excel's formatted-but-empty area) dropped."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileRejected(f"{path.name}: not a readable XLSX workbook ({type(exc).__name__}: {exc}); the file may "
                           "be truncated or another format renamed to .xlsx. Export it again.") from None
    try:
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if limit is not None and len(rows) >= limit:
                break
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
        raise FileRejected(f"{path.name}: the workbook is damaged ({type(exc).__name__}); export it again.") from None
    finally:
        book.close()
    while rows and all(c is None or (isinstance(c, str) and not c.strip()) for c in rows[-1]):
        rows.pop()
    for row in rows:  # trailing empty cells beyond the data
        while row and row[-1] is None:
            row.pop()
    return rows


def xlsx_head(path: Path, n: int) -> list[list[str]]:
    """The first `n` rows as text, for format detection."""
    try:
        rows = xlsx_rows(path, limit=n)
    except FileRejected:
        return []
    return [["" if c is None else str(c) for c in row] for row in rows]
