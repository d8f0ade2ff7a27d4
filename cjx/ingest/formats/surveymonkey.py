"""SurveyMonkey "expanded" exports (CSV or XLSX): row 1 question, row 2 Response / Open-Ended Response / option.

A question with several options spans several columns; only the first carries the question text, so the
question is carried forward and the option appended: "Which channels did you use? - Email".
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from cjx.ingest.detect import is_workbook
from cjx.ingest.errors import FileRejected
from cjx.ingest.formats.delimited import land_delimited
from cjx.ingest.formats.excel import xlsx_rows
from cjx.ingest.landing import Landed, land_frame
from cjx.journey.model import Source

_PLAIN = {"", "Response", "Open-Ended Response"}


def surveymonkey_names(header: Sequence[Sequence[object]]) -> list[str]:
    questions = [str(c or "").strip() for c in header[0]]
    details = [str(c or "").strip() for c in header[1]] if len(header) > 1 else []
    names, current = [], ""
    for i, q in enumerate(questions):
        detail = details[i] if i < len(details) else ""
        if q:
            current = q
        if (q and detail in _PLAIN) or detail in _PLAIN:
            names.append(q)
        else:
            names.append(f"{current} - {detail}" if current else detail)
    # A trailing blank question with a blank detail stays blank: the delimited reader drops it if empty.
    return names


def land_surveymonkey(con: duckdb.DuckDBPyConnection, path: Path, source: Source) -> Landed:
    if is_workbook(path):
        rows = xlsx_rows(path)
        if len(rows) < 2:
            raise FileRejected(
                f"{path.name}: expected SurveyMonkey's two header rows (question, then Response / option labels)."
            )
        landed = land_frame(con, path, surveymonkey_names(rows[:2]), rows[2:])
        landed.excel_dates = True
    else:
        landed = land_delimited(con, path, source.locale, header_rows=2, names=surveymonkey_names)
    landed.format = "surveymonkey"
    return landed
