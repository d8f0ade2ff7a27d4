"""Qualtrics exports: current CSV/TSV (three header rows) and the legacy CSV (two header rows, trailing comma).

Current: row 1 column ids, row 2 question text, row 3 {"ImportId": ...}. TSV exports are UTF-16 with a BOM;
detection handles the encoding and the tab. Legacy: row 1 V1..Vn for metadata and Q ids for questions,
row 2 the metadata names (ResponseID, StartDate, ...). `Finished` = 0 marks a partial response.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from cjx.ingest.detect import detect_layout, header_records, is_import_id
from cjx.ingest.errors import FileRejected
from cjx.ingest.formats.delimited import land_delimited
from cjx.ingest.landing import Landed
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
    if PARTIAL[0] in landed.columns:
        landed.partial = PARTIAL
    landed.format = "qualtrics_csv"
    return landed
