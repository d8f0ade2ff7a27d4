"""Form tools: Google Forms CSV, Typeform CSV, Microsoft Forms XLSX.

Google Forms writes `Timestamp` like "2020/10/30 3:08:44 PM GMT+1" (the offset is parsed in SQL).
Typeform marks unfinished responses with `Response Type` = partial; they are kept, flagged.
Microsoft Forms writes Start time / Completion time as Excel dates (or serial numbers).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from cjx.ingest.detect import is_workbook
from cjx.ingest.formats.delimited import land_delimited
from cjx.ingest.formats.generic import land_xlsx
from cjx.ingest.landing import Landed
from cjx.journey.model import Source


def land_google_forms(con: duckdb.DuckDBPyConnection, path: Path, source: Source) -> Landed:
    """CSV or TSV downloaded from the responses sheet, or the sheet as XLSX (told apart by content)."""
    landed = land_xlsx(con, path, source) if is_workbook(path) else land_delimited(con, path, source.locale)
    landed.format = "google_forms"
    return landed


def land_typeform(con: duckdb.DuckDBPyConnection, path: Path, source: Source) -> Landed:
    landed = land_delimited(con, path, source.locale)
    if "Response Type" in landed.columns:
        landed.partial = ("Response Type", ["partial"])
    landed.format = "typeform"
    return landed


def land_ms_forms(con: duckdb.DuckDBPyConnection, path: Path, source: Source) -> Landed:
    if is_workbook(path):
        landed = land_xlsx(con, path, source)
    else:
        landed = land_delimited(con, path, source.locale)
    landed.format = "ms_forms"
    return landed
