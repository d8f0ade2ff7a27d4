"""Form tools: Google Forms CSV, Typeform CSV, Microsoft Forms XLSX.

Google Forms writes `Timestamp` like "2020/10/30 3:08:44 PM GMT+1" (the offset is parsed in SQL).
Typeform marks unfinished responses with `Response Type` = partial; they are kept, flagged. Its Responses API
JSON (`items[].answers[]`) lands one column per field `ref`.
Microsoft Forms writes Start time / Completion time as Excel dates (or serial numbers).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from cjx.ingest.detect import is_json, is_workbook, load_json
from cjx.ingest.errors import FileRejected
from cjx.ingest.formats.delimited import land_delimited
from cjx.ingest.formats.generic import land_records, land_xlsx
from cjx.ingest.landing import Landed
from cjx.ingest.limits import safe_name
from cjx.journey.model import Source


def land_google_forms(con: duckdb.DuckDBPyConnection, path: Path, source: Source) -> Landed:
    """CSV or TSV downloaded from the responses sheet, or the sheet as XLSX (told apart by content)."""
    landed = land_xlsx(con, path, source) if is_workbook(path) else land_delimited(con, path, source.locale)
    landed.format = "google_forms"
    return landed


def land_typeform(con: duckdb.DuckDBPyConnection, path: Path, source: Source) -> Landed:
    """The CSV export, or the Responses API JSON (told apart by content)."""
    if is_json(path):
        landed = land_records(con, path, typeform_records(load_json(path), safe_name(path.name)))
        landed.format = "typeform"
        return landed
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


def typeform_records(data: object, name: str) -> list[dict]:
    """Typeform's Responses API JSON (`{"items": [...]}` or a list of items) as flat records: the response's own
    fields (response_id, token, landed_at, submitted_at, metadata.*, hidden.*, calculated.*), each variable by
    its key, and each answer under its field's `ref` (else its id). An answer's value is its typed part: a
    number, text, e-mail, date, boolean ("true"/"false"), a choice's label, choices' labels joined by "; ".
    """
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise FileRejected(f"{name}: expected Typeform's Responses API JSON: an object with an items list.")
    records = []
    for k, item in enumerate(items):
        if not isinstance(item, dict):
            raise FileRejected(f"{name}: item {k + 1} is not a JSON object; expected Typeform response items.")
        record = {key: value for key, value in item.items() if key not in ("answers", "variables")}
        for var in item.get("variables") or []:
            if isinstance(var, dict) and "key" in var:
                record[f"variables.{var['key']}"] = var.get(var.get("type", ""), None)
        for answer in item.get("answers") or []:
            if not isinstance(answer, dict):
                continue
            field = answer.get("field") or {}
            column = field.get("ref") or field.get("id")
            if column:
                record[str(column)] = _typeform_value(answer)
        records.append(record)
    return records


def _typeform_value(answer: dict) -> object:
    kind = answer.get("type")
    value = answer.get(kind) if isinstance(kind, str) else None
    if kind == "choice" and isinstance(value, dict):
        return value.get("label") or value.get("other")
    if kind == "choices" and isinstance(value, dict):
        labels = list(value.get("labels") or []) + ([value["other"]] if value.get("other") else [])
        return "; ".join(str(v) for v in labels)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value
