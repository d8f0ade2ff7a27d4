"""Ingest honours erasures: rows of a person erased with `cjx forget` are dropped as soon as they land in raw.

ops.erased_respondents holds sha256('cjx-erased:' || pseudonym) of every erased person. A newly landed
file's rows whose identifier columns (respondent id, private columns) carry one of those pseudonyms, or, for
a misaligned row, any cell or extra field that does, are deleted from raw.<source> before staging, so
they reach neither core, the quarantine nor the accounting (rows_read counts the rows kept; the dropped ones
are in ops.erased_rows with erased_by = 'ingest'). A rebuild from raw cannot bring them back either: their
raw rows are gone. Costs nothing while nobody has been erased.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import duckdb

from cjx.ingest.landing import Landed
from cjx.ingest.staging import file_columns, identifier_columns, raw_table
from cjx.journey.model import Source
from cjx.store import quote_ident

ERASED_PREFIX = "cjx-erased:"


def erased_hash(pseudonym: str) -> str:
    """What ops.erased_respondents keeps of a pseudonym: sha256('cjx-erased:' || pseudonym), hex."""
    return hashlib.sha256((ERASED_PREFIX + pseudonym).encode()).hexdigest()


def drop_erased_rows(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    file_id: str,
    landed: Landed,
    *,
    pseudonym_key: str,
    keep_raw_identifiers: bool,
) -> Landed:
    """Delete the file's raw rows that belong to an erased person; `landed` with its row count and notes updated."""
    if not con.execute("SELECT count(*) FROM ops.erased_respondents").fetchall()[0][0]:
        return landed
    present = file_columns(con, source.id)
    ids = [c for c in identifier_columns(source) if c in present]

    def erased(cell: str, pseudonymise: bool) -> str:
        pseudonym = f"left(sha256($key || lower(trim({cell}))), 16)" if pseudonymise else f"trim({cell})"
        return f"sha256($prefix || {pseudonym}) IN (SELECT pseudonym_hash FROM ops.erased_respondents)"

    conditions = [erased(quote_ident(c), keep_raw_identifiers) for c in ids]
    # a misaligned row: the identifier may sit in any column, pseudonymised (e-mail-looking cells) or not
    shifted = [erased(quote_ident(c), p) for c in present for p in (False, True)]
    shifted += [
        f"list_has_any(list_transform(_extras, lambda x: sha256($prefix || {e})), $hashes)"
        for e in ("trim(x)", "left(sha256($key || lower(trim(x))), 16)")
    ]
    conditions.append(f"(_n_fields IS NOT NULL AND ({' OR '.join(shifted)}))")
    hashes = [r[0] for r in con.execute("SELECT pseudonym_hash FROM ops.erased_respondents").fetchall()]
    n = con.execute(
        f"DELETE FROM {raw_table(source.id)} WHERE file_id = $file_id AND ({' OR '.join(conditions)})",
        {"file_id": file_id, "key": pseudonym_key, "prefix": ERASED_PREFIX, "hashes": hashes},
    ).fetchall()[0][0]
    if n:
        con.execute(
            "INSERT INTO ops.erased_rows VALUES (?, ?, ?, 'ingest', ?)",
            [file_id, source.id, n, dt.datetime.now(dt.UTC).replace(tzinfo=None)],
        )
        landed.rows -= n
        landed.notes.append(f"{n} row(s) of respondents erased with cjx forget were not kept")
    return landed
