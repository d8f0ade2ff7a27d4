"""Qualtrics exports: current CSV/TSV (three header rows) and the legacy CSV (two header rows, trailing comma).

Current: row 1 column ids, row 2 question text, row 3 {"ImportId": ...}. TSV exports are UTF-16 with a BOM;
detection handles the encoding and the tab. Legacy: row 1 V1..Vn for metadata and Q ids for questions,
row 2 the metadata names (ResponseID, StartDate, ...). `Finished` = 0 marks a partial response.

Current exports name the time zone of each date column in its ImportId cell
(`{"ImportId":"startDate","timeZone":"America/Denver"}`; 2016: `{'ImportId': 'startDate', 'timeZone': ...}`).
The zone of the source's timestamp column is kept in raw.files.time_zone; staging reads the times in it unless
the source declares its own `timezone` (cjx.ingest.locale.declared_timezone).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import duckdb

from cjx.ingest.detect import detect_layout, header_records, is_import_id
from cjx.ingest.errors import FileRejected
from cjx.ingest.formats.delimited import land_delimited
from cjx.ingest.landing import Landed
from cjx.ingest.limits import safe_name
from cjx.ingest.locale import declared_timezone, export_zone
from cjx.journey.model import Source

PARTIAL = ("Finished", ["0", "False", "false", "FALSE"])


def _legacy_names(header: list[list[str]]) -> list[str]:
    ids, labels = header[0], header[1] if len(header) > 1 else []
    return [labels[i] if re.fullmatch(r"V\d+", c.strip()) and i < len(labels) else c for i, c in enumerate(ids)]


def land_qualtrics(con: duckdb.DuckDBPyConnection, path: Path, source: Source) -> Landed:
    layout = detect_layout(path, source.locale.encoding, source.locale.delimiter, source.locale.quote)
    head = header_records(path, layout, 3)
    legacy = bool(head) and [c.strip() for c in head[0][:2]] == ["V1", "V2"]
    if legacy:
        landed = land_delimited(con, path, source.locale, header_rows=2, names=_legacy_names)
    else:
        if len(head) < 3 or not head[2] or not is_import_id(head[2][0]):
            raise FileRejected(
                f"{path.name}: expected a Qualtrics export with three header rows "
                '(column ids, question text, {"ImportId": ...}); the third row has no ImportId. '
                "Export again with 'Use numeric values' or declare format: csv for this source."
            )
        landed = land_delimited(con, path, source.locale, header_rows=3)
        landed.time_zone, note = _timestamp_zone(path, head, source)
        landed.notes += [note] if note else []
    if PARTIAL[0] in landed.columns:
        landed.partial = PARTIAL
    landed.format = "qualtrics_csv"
    return landed


def import_id(cell: object) -> dict | None:
    """One ImportId cell as a dict: JSON in current exports, a Python-style dict with single quotes in 2016."""
    text = str(cell or "").strip()
    if len(text) > 2000:  # an ImportId is a few dozen characters; anything longer is not one
        return None
    try:
        value = json.loads(text)
    except ValueError:
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None
    return value if isinstance(value, dict) else None


def _timestamp_zone(path: Path, head: list[list[str]], source: Source) -> tuple[str | None, str | None]:
    """The IANA zone the export gives its timestamp column (ImportId timeZone), and a note saying which zone the
    times are read in. An ImportId zone that is not a time zone rejects the file: read as UTC it would be off by
    hours, silently."""
    if source.timestamp is None:
        return None, None
    wanted = {
        _plain(c) for c in [*(o for o, n in source.column_map.items() if n == source.timestamp), source.timestamp]
    }
    index = next((i for i, c in enumerate(head[0]) if _plain(c) in wanted), None)
    if index is None or index >= len(head[2]):
        return None, None
    given = (import_id(head[2][index]) or {}).get("timeZone")
    if given is None:
        return None, None
    zone = export_zone(str(given))
    column, file = safe_name(head[0][index].strip()), safe_name(path.name)
    if zone is None:
        raise FileRejected(
            f"{file}: column {column}: the ImportId row (line 3) gives timeZone {safe_name(str(given)[:60])!r}, "
            "which is not an IANA time zone; declare timezone: on the source (e.g. America/Denver)"
        )
    declared = declared_timezone(source)
    if declared is None:
        return zone, f"{file}: column {column}: times read in {zone}, the export's ImportId timeZone"
    if declared != zone:
        return zone, (
            f"{file}: column {column}: the export says its times are in {zone} (ImportId timeZone); "
            f"read in {declared}, the source's declared timezone"
        )
    return zone, f"{file}: column {column}: times read in {zone} (declared, as the export's ImportId says)"


def _plain(name: object) -> str:
    return " ".join(str(name).replace("\u00a0", " ").split()).casefold()
