"""The key roles of a source's rows (response id, respondent, time) when the export has no column for one of them,
or one column plays two.

- No `response_id`: the id is made from the row's declared cells, hashed, plus its place among identical rows
  of the same file ("r-<16 hex>-<n>"). Two answers in the same second are two responses; the same response in
  a later, overlapping export gets the same id (it is the same content in the same order), so it counts as a
  duplicate there.
- The respondent column is the timestamp column (Google Forms without sign-in: the time is all there is): the
  respondent is pseudonymised from a copy (`_cjx_respondent`, made at landing), so the time itself stays readable.
- No `timestamp`: every row is dated the source's `date` (or its revisit's first day), local midnight.
"""

from __future__ import annotations

from collections.abc import Callable

from cjx.journey.model import Source

RESPONDENT_COPY = "_cjx_respondent"


def respondent_column(source: Source) -> str:
    """The raw column the respondent identifier is read (and pseudonymised) from."""
    if source.timestamp is not None and source.respondent_id == source.timestamp:
        return RESPONDENT_COPY
    return source.respondent_id


def row_key_sql(columns: list[str], expr: Callable[[str], str]) -> str:
    """SQL for a response id made from the row's cells in `columns` (raw.<source> r joined to raw.files)."""
    cells = ", ".join(f"coalesce(CAST({expr(c)} AS VARCHAR), chr(30))" for c in dict.fromkeys(columns))
    digest = f"md5(concat_ws(chr(31), {cells}))"
    return (
        f"'r-' || left({digest}, 16) || '-' || "
        f"CAST(row_number() OVER (PARTITION BY r.file_id, {digest} ORDER BY r.row_number) AS VARCHAR)"
    )


def fixed_time_sql(source: Source) -> str | None:
    """The timestamp text of a source without a timestamp column (ISO date), else None."""
    if source.timestamp is not None or source.date is None:
        return None
    return source.date.isoformat()


def timestamp_label(source: Source) -> str:
    """How messages name the time of a row."""
    return source.timestamp or f"date {source.date}"
