"""Export cells that are safe to open in a spreadsheet (OWASP CSV injection).

A touchpoint name, an owner or an inbox file name is data, but Excel, LibreOffice and Google Sheets run a
cell that starts with `=`, `+`, `-` or `@` as a formula (`=HYPERLINK(...)`, `=cmd|' /C calc'!A0`), and a
leading tab or carriage return hides such a start from a naive check. OWASP's rule: prefix such a cell with
a single quote, so it is shown as text and never evaluated. Numbers are not touched (a negative number is a
number, not text); only text cells are. openpyxl would also turn a text cell starting with `=` into a
formula: after `neutralise_frame` no text cell starts with `=`, so the workbook holds no formula from data.

One more way into a CSV cell: Python's csv writer quotes a field holding a line feed but not one holding a
bare carriage return (with the "\n" line ending), and a spreadsheet starts a new row at that CR, so the text
after it starts a cell of its own. `csv_quoting` quotes every field of such a table.
"""

from __future__ import annotations

import csv

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, prefixed with ' (OWASP); anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every text cell (and column name) neutralised; the frame itself when nothing needs it."""
    out = frame
    for column in frame.columns:
        series = frame[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            cleaned = [neutralise(v) for v in series]
            if any(c is not v for c, v in zip(cleaned, series)):
                if out is frame:
                    out = frame.copy()
                out[column] = pd.Series(cleaned, index=frame.index, dtype=series.dtype)
    names = [neutralise(c) for c in out.columns]
    if names != list(out.columns):
        out = out.set_axis(names, axis=1) if out is not frame else frame.set_axis(names, axis=1)
    return out


def csv_quoting(frame: pd.DataFrame) -> int:
    """The csv quoting for `frame`: minimal, or every field when a text cell holds a carriage return."""
    for column in frame.columns:
        series = frame[column]
        if (series.dtype == object or pd.api.types.is_string_dtype(series.dtype)) and any(
            isinstance(v, str) and "\r" in v for v in series
        ):
            return csv.QUOTE_ALL
    return csv.QUOTE_MINIMAL
