"""XLSX workbooks (first sheet) via openpyxl: cells as Python values, dates as datetimes or serial numbers.

A workbook is a ZIP of XML parts, so it is looked at before openpyxl opens it: the parts' uncompressed sizes
(from the ZIP directory, which zipfile then holds every read to), their count and compression ratios. Past
settings.limits.max_xlsx_uncompressed_bytes, or when a part is compressed like no spreadsheet is (a zip bomb),
the file is rejected in milliseconds. While reading, header width, row width and the rows x columns the
landing table would hold are capped too, since a few bytes of XML (`<c r="XFD1048576"/>`) can ask for millions
of cells. Anything openpyxl, zipfile or the XML parser raises rejects the file with a one-line reason.
"""

from __future__ import annotations

import contextlib
import zipfile
from pathlib import Path

from cjx.ingest.errors import FileRejected
from cjx.ingest.limits import check_file_name, current_limits, safe_name
from cjx.journey.model import Limits

MAX_MEMBERS = 10_000  # parts in one workbook; real ones have tens (a few hundred with many sheets or images)
MAX_RATIO = 500  # uncompressed / compressed size of one part; spreadsheet XML stays far below
RATIO_FLOOR = 1 << 20  # parts smaller than this (uncompressed) may compress as well as they like
EXCEL_MAX_ROWS = 1_048_576  # rows in an Excel sheet: a sheet that claims more is not one


def check_xlsx_archive(path: Path, limits: Limits | None = None) -> None:
    """Reject a workbook whose ZIP would inflate past the caps, from its directory alone (nothing is inflated)."""
    limits = limits or current_limits()
    name = safe_name(path.name)
    cap = limits.max_xlsx_uncompressed_bytes
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise FileRejected(
            f"{name}: not a readable XLSX workbook (not a ZIP archive: {_one_line(exc)}); the file may "
            "be truncated or another format renamed to .xlsx. Export it again."
        ) from None
    if len(members) > MAX_MEMBERS:
        raise FileRejected(
            f"{name}: the workbook archive holds {len(members):,} parts, more than {MAX_MEMBERS:,}; "
            "it is not a spreadsheet export. Export it again."
        )
    total = sum(m.file_size for m in members)
    if total > cap:
        biggest = max(members, key=lambda m: m.file_size)
        raise FileRejected(
            f"{name}: the workbook unpacks to {total:,} bytes, more than the cap of {cap:,} "
            f"(settings.limits.max_xlsx_uncompressed_bytes; {safe_name(biggest.filename)} alone is "
            f"{biggest.file_size:,} bytes from {biggest.compress_size:,} compressed). Split the export, save it as "
            "CSV, or raise the limit in the journey's settings."
        )
    for m in members:
        if m.file_size > RATIO_FLOOR and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise FileRejected(
                f"{name}: part {safe_name(m.filename)} of the workbook unpacks {m.file_size // max(m.compress_size, 1):,}"
                f" times its compressed size ({m.compress_size:,} to {m.file_size:,} bytes), more than {MAX_RATIO}x: "
                "a zip bomb, not a spreadsheet. Export the file again."
            )


def xlsx_rows(path: Path, limit: int | None = None) -> list[list[object]]:
    """Rows of the first worksheet; trailing all-empty rows (Excel's formatted-but-empty area) dropped.

    Every row is cut to its last non-empty cell; cells beyond the header's width are kept only when they hold
    a value, so a row with a stray far-right cell costs its values, not the columns in between (the landing
    sees the same fields either way). Raises FileRejected for any workbook it cannot read within the caps.
    """
    from openpyxl import load_workbook

    check_file_name(path)
    limits = current_limits()
    check_xlsx_archive(path, limits)
    name = safe_name(path.name)
    try:
        fh = path.open("rb")  # a file object: openpyxl then neither judges nor shows the file's name
    except OSError as exc:
        raise FileRejected(f"{name}: cannot be opened ({type(exc).__name__}: {_one_line(exc)}).") from None
    book = None
    try:
        try:
            book = load_workbook(fh, read_only=True, data_only=True)
            if not book.worksheets:
                raise FileRejected(f"{name}: the workbook has no worksheet. Export it again.")
            sheet = book.worksheets[0]
            # The <dimension> a sheet declares may be wrong either way: too small drops rows in read-only
            # mode, too large (A1:XFD1048576) pads every row. Rows are read as they are instead.
            sheet.reset_dimensions()
            rows = _read_rows(sheet.iter_rows(values_only=True), name, limits, limit)
        except FileRejected:
            raise
        except (MemoryError, RecursionError) as exc:
            raise FileRejected(
                f"{name}: the workbook is too large or too deeply nested to read "
                f"({type(exc).__name__}). Save it as CSV and export again."
            ) from None
        except Exception as exc:  # openpyxl, zipfile and XML errors have no common base: any is a damaged file
            raise FileRejected(
                f"{name}: not a readable XLSX workbook ({type(exc).__name__}: {_one_line(exc)}); the "
                "file may be damaged, truncated or another format renamed to .xlsx. Export it "
                "again."
            ) from None
    finally:
        if book is not None:
            with contextlib.suppress(Exception):  # closing a damaged workbook may fail again; the reason is given
                book.close()
        fh.close()
    while rows and all(c is None or (isinstance(c, str) and not c.strip()) for c in rows[-1]):
        rows.pop()
    return rows


def _read_rows(source, name: str, limits: Limits, limit: int | None) -> list[list[object]]:
    """Rows from openpyxl's iterator, cut and capped (see xlsx_rows)."""
    rows: list[list[object]] = []
    width = None  # the header's width, from the first row
    cells_cap = max(1_000_000, limits.max_xlsx_uncompressed_bytes // 8)
    cells = 0
    for row in source:
        if len(row) > limits.max_fields_per_row:
            raise FileRejected(
                f"{name}: row {len(rows) + 1} of the first worksheet reaches column {len(row):,}, more than the "
                f"cap of {limits.max_fields_per_row:,} fields (settings.limits.max_fields_per_row). Delete the "
                "stray cells far right, or export only the data columns."
            )
        end = len(row)
        while end and row[end - 1] is None:
            end -= 1
        if width is None:
            width = end
            if width > limits.max_columns:
                raise FileRejected(
                    f"{name}: the header row has {width:,} columns, more than the cap of {limits.max_columns:,} "
                    "(settings.limits.max_columns). Export only the columns you need, or raise the limit."
                )
            kept = list(row[:end])
        elif end <= width:
            kept = list(row[:end])
        else:
            kept = list(row[:width]) + [c for c in row[width:end] if c is not None]
        rows.append(kept)
        # What the landing will hold: every row as wide as the header, plus its values beyond it.
        cells += max(width, 1) + max(0, len(kept) - width)
        if cells > cells_cap:
            raise FileRejected(
                f"{name}: the first worksheet spans more than {cells_cap:,} cells (rows x header columns, by row "
                f"{len(rows):,}); the cap follows settings.limits.max_xlsx_uncompressed_bytes. Split the export or "
                "save it as CSV."
            )
        if len(rows) > EXCEL_MAX_ROWS:
            raise FileRejected(
                f"{name}: the first worksheet claims more than {EXCEL_MAX_ROWS:,} rows, more than "
                "Excel holds: the file is damaged. Export it again."
            )
        if limit is not None and len(rows) >= limit:
            break
    return rows


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return safe_name(text.splitlines()[0] if text else type(exc).__name__)


def xlsx_head(path: Path, n: int) -> list[list[str]]:
    """The first `n` rows as text, for format detection."""
    try:
        rows = xlsx_rows(path, limit=n)
    except FileRejected:
        return []
    return [["" if c is None else str(c) for c in row] for row in rows]
