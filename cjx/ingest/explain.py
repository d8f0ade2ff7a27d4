"""Messages a user can act on: what a rejection detected, and which batch-gate rule failed with two examples.

- `with_detected`: a file-level rejection gets what was detected (format, encoding, delimiter, quoting) and,
  where a byte offset is the only position, the line it falls on.
- `gate_failure`: one failed check of the batch gate in words: the rule, the column, how many rows, two
  example values with their row numbers, and what was expected. Examples come only from columns that hold no
  identifier and no free text (rated answers, measures, the timestamp when it is not the respondent column);
  for ids and respondents only row numbers are shown (privacy, issue 12).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from cjx.ingest.limits import safe_name
from cjx.journey.model import Source

N_SHOWN = 2


def line_of_offset(path: Path, offset: int) -> int:
    """The 1-based line on which byte `offset` of the file falls."""
    with path.open("rb") as fh:
        return fh.read(offset).count(b"\n") + 1


def detected(path: Path, source: Source, fmt: str | None) -> str:
    """What was detected of `path`, as a clause: 'format google_forms, encoding utf-8, delimiter tab, quoting "'."""
    from cjx.ingest.detect import detect_layout, is_json, is_workbook, magic

    parts = [f"format {fmt}" if fmt else "format not recognised"]
    try:
        if is_workbook(path):
            parts.append("an XLSX workbook")
        elif magic(path) == b"PAR1":
            parts.append("a Parquet file")
        elif is_json(path):
            parts.append("JSON")
        else:
            loc = source.locale
            parts.append(detect_layout(path, loc.encoding, loc.delimiter, loc.quote).describe())
    except Exception:  # the detection itself is what failed: the message already says why
        pass
    return ", ".join(parts)


def with_detected(message: str, path: Path, source: Source, fmt: str | None) -> str:
    """`message` with a last sentence saying what was detected (once)."""
    if "Detected: " in message:
        return message
    return f"{message.rstrip()} Detected: {detected(path, source, fmt)}."


def _quoted(value: Any) -> str:
    text = "empty" if value is None or str(value).strip() == "" else repr(safe_name(str(value))[:40])
    return text


def gate_failure(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    file_id: str,
    metric: str,
    unexpected: int,
    total: int,
    example_rows: list,
    examples: list,
    secret_columns: set[str],
) -> str:
    """One failed gate check in words (see the module docstring)."""
    from cjx.ingest.staging import view_name

    kind, _, column = metric.partition(":")
    rows = [int(r) for r in example_rows[:N_SHOWN]]
    share = f"{unexpected} of {total} rows ({unexpected / total:.0%})" if total else f"{unexpected} rows"
    at_rows = ", ".join(str(r) for r in rows)

    def shown(values: list) -> str:
        return ", ".join(f"{_quoted(v)} (row {r})" for v, r in zip(values, rows))

    if metric == "rows:at_utc":
        label = source.timestamp or f"date {source.date}"
        # no staging views (a gate run on hand-made tables): row numbers only. Looked up, not tried: an error
        # would abort the file's transaction.
        has_view = con.execute(
            "SELECT count(*) FROM duckdb_views() WHERE schema_name = 'staging' AND view_name = ?",
            [f"{source.id}__timestamps"],
        ).fetchall()[0][0]
        found = (
            con.execute(
                f"SELECT row_number, ts_raw, expected FROM {view_name(source.id, 'timestamps')} "
                "WHERE file_id = $file_id AND list_contains($rows, row_number) ORDER BY row_number",
                {"file_id": file_id, "rows": rows},
            ).fetchall()
            if has_view
            else []
        )
        expected = found[0][2] if found else "ISO-8601"
        if source.timestamp in secret_columns or not found:
            sample = f"rows {at_rows}"
        else:
            by_row = {r: v for r, v, _ in found}
            sample = shown([by_row.get(r) for r in rows])
        return (
            f"rule 'timestamps parse' failed on column {label!r}: {share} have no time that parses, e.g. {sample}; "
            f"expected {expected} (declare timestamp_format for this source)"
        )
    if metric == "rows:record_id":
        name = source.response_id or "response id"
        return f"rule 'every row has an id' failed on column {name!r}: {share} are empty (rows {at_rows}); expected a unique id"
    if metric == "rows:respondent_id":
        return (
            f"rule 'every row has a respondent' failed on column {source.respondent_id!r}: {share} are empty "
            f"(rows {at_rows}); expected the customer identifier"
        )
    if metric == "rows:unique":
        return f"rule 'loaded ids are unique' failed: {unexpected} rows repeat an id; expected one row per id"
    question = next((q for q in source.questions if q.column == column), None)
    scale = f"{question.scale.min}-{question.scale.max}" if question is not None and question.scale else ""
    sample = f"rows {at_rows}" if column in secret_columns else shown(examples[:N_SHOWN])
    if kind == "parsed" and question is None:  # a measure
        return (
            f"rule 'measures are numbers' failed on column {column!r}: {share} are not numbers, e.g. {sample}; "
            f"expected a number (decimal separator {source.locale.decimal!r})"
        )
    if kind == "parsed":
        return (
            f"rule 'answers are scores' failed on column {column!r}: {share} are neither numbers nor known labels, "
            f"e.g. {sample}; expected a number on the scale {scale}, a label of the question's codebook or an "
            "na_code"
        )
    return (
        f"rule 'answers are on the scale' failed on column {column!r}: {share} are outside it, e.g. {sample}; "
        f"expected {scale}"
    )
