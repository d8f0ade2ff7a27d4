"""Re-exports: how many responses of a newly staged file repeat ones already loaded, and how many of those
differ in their answers (a corrected export), for the file's notes. Read before core is loaded (issue 11).

Which version wins is staging's rule (`duplicates` on the source): the latest recorded; on the same recorded
time the file that arrived later, unless `duplicates: first_seen`.
"""

from __future__ import annotations

import duckdb

from cjx.journey.model import Source

_SQL = """
WITH repeats AS (
    SELECT l.row_number, l.record_id FROM landed_rows l
    SEMI JOIN (SELECT response_id FROM core.responses WHERE source_id = $source_id) r ON r.response_id = l.record_id
    WHERE l.reason IS NULL
), new_answers AS (
    SELECT p.record_id, coalesce(string_agg(c.column_name || '=' || coalesce(CAST(c.number AS VARCHAR), 'na'), ';'
                                            ORDER BY c.column_name), '') AS answers
    FROM repeats p LEFT JOIN landed_cells c ON c.row_number = p.row_number AND c.metric <> 'measure'
    GROUP BY p.record_id, p.row_number
), old_answers AS (
    SELECT response_id AS record_id, string_agg(column_name || '=' || coalesce(CAST(value AS VARCHAR), 'na'), ';'
                                                ORDER BY column_name) AS answers
    FROM core.answers WHERE source_id = $source_id AND response_id IN (SELECT record_id FROM repeats)
    GROUP BY 1
)
SELECT count(*), count(*) FILTER (WHERE n.answers <> coalesce(o.answers, '')) FROM new_answers n
LEFT JOIN old_answers o USING (record_id)
"""


def repeated_note(con: duckdb.DuckDBPyConnection, source: Source, file_name: str) -> str | None:
    """'<file>: 3 responses repeat ones loaded before, 1 of them with different answers; ...' or None."""
    if source.kind != "survey":
        return None
    repeated, differ = con.execute(_SQL, {"source_id": source.id}).fetchall()[0]
    if not repeated:
        return None
    rule = (
        "the later recorded wins, on the same recorded time the file that arrived first (duplicates: first_seen)"
        if source.duplicates == "first_seen"
        else "the later recorded wins, on the same recorded time this file (it arrived later)"
    )
    return f"{file_name}: {repeated} response(s) repeat ones loaded before, {differ} of them with different answers; {rule}"
