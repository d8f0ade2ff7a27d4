"""What privacy does to a file's rows as they land in raw.<source>, before staging reads them.

Called once per file right after the raw insert (cjx.ingest.load_file.land_file), in the file's transaction:

1. rows of people erased with `cjx forget` are dropped (cjx.privacy.erased);
2. misaligned rows (a field too many or too few, so the e-mail sits under another column's name): every cell,
   and every extra field, that looks like an e-mail address or a phone number is pseudonymised like a declared
   identifier (the same keyed hash, so `cjx forget` still finds it), the other cells are scrubbed;
3. comment columns are scrubbed of e-mail addresses, phone numbers and long digit runs (settings.scrub_comments,
   on by default; cjx.privacy.scrub), with the counts in ops.scrubbed_text and in the file's notes.

Staging, core, the quarantine (records and messages) and the batch gate all read raw, so none of them sees
what was replaced. Everything is SQL over the one file's raw rows; RE2 keeps it linear in the text's length.
"""

from __future__ import annotations

import duckdb

from cjx.ingest.landing import Landed
from cjx.ingest.staging import file_columns, identifier_columns, raw_names_for, raw_table
from cjx.journey.model import Journey, Source
from cjx.privacy.erased import drop_erased_rows
from cjx.privacy.scrub import TAGS, define_sql_scrub
from cjx.store import quote_ident

# a whole cell that is an e-mail address, or a phone number (8+ digits, + and separators)
_LOOKS_PERSONAL = (
    "(regexp_matches(trim({x}), '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$') "
    "OR regexp_matches(trim({x}), '^(?:\\+|00)?\\(?[0-9](?:[\\s\\-./()]{{0,2}}[0-9]){{7,}}$'))"
)


def after_raw_landing(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    file_id: str,
    landed: Landed,
    *,
    pseudonym_key: str,
    keep_raw_identifiers: bool,
    journey: Journey | None,
) -> Landed:
    """Erasures, misaligned rows and comment scrubbing for the file just appended to raw.<source>."""
    landed = drop_erased_rows(
        con, source, file_id, landed, pseudonym_key=pseudonym_key, keep_raw_identifiers=keep_raw_identifiers
    )
    define_sql_scrub(con)
    if not keep_raw_identifiers:
        protect_misaligned_rows(con, source, file_id, pseudonym_key)
    if journey is None or journey.settings.scrub_comments:
        counts = scrub_comments(con, source, file_id)
        landed.notes += [
            f"{column}: replaced {n['emails']} e-mail address(es), {n['phones']} phone number(s) and "
            f"{n['numbers']} long number(s) by tags (settings.scrub_comments)"
            for column, n in counts.items()
            if any(n.values())
        ]
    return landed


def protect_misaligned_rows(con: duckdb.DuckDBPyConnection, source: Source, file_id: str, key: str) -> None:
    """Pseudonymise cells of misaligned rows that look like an e-mail or phone, scrub the rest."""
    misaligned = con.execute(
        f"SELECT count(*) FROM {raw_table(source.id)} WHERE file_id = $file_id AND _n_fields IS NOT NULL",
        {"file_id": file_id},
    ).fetchall()[0][0]
    if not misaligned:  # the usual case: a scan of two columns instead of an UPDATE over every column of the file
        return
    secret = set(identifier_columns(source))
    columns = [c for c in file_columns(con, source.id) if c not in secret]

    def protect(x: str) -> str:
        return (
            f"CASE WHEN nullif(trim({x}), '') IS NULL THEN {x} "
            f"WHEN {_LOOKS_PERSONAL.format(x=x)} THEN left(sha256($key || lower(trim({x}))), 16) "
            f"WHEN cjx_scrub_candidate({x}) THEN cjx_scrub_text({x}) ELSE {x} END"
        )

    sets = [f"{quote_ident(c)} = {protect(quote_ident(c))}" for c in columns]
    sets.append(f"_extras = list_transform(_extras, lambda x: {protect('x')})")
    con.execute(
        f"UPDATE {raw_table(source.id)} SET {', '.join(sets)} WHERE file_id = $file_id AND _n_fields IS NOT NULL",
        {"file_id": file_id, "key": key},
    )


def scrub_comments(con: duckdb.DuckDBPyConnection, source: Source, file_id: str) -> dict[str, dict[str, int]]:
    """Scrub the file's comment columns in raw; per column the tags put in, also kept in ops.scrubbed_text."""
    present = set(file_columns(con, source.id))
    columns = [raw for q in source.questions if q.metric == "comment" for raw in raw_names_for(source, q.column)]
    counts: dict[str, dict[str, int]] = {}
    for column in dict.fromkeys(c for c in columns if c in present):
        col = quote_ident(column)
        tally = ", ".join(
            f"coalesce(sum((length(s) - length(replace(s, '{tag}', ''))) // {len(tag)} "
            f"- (length(o) - length(replace(o, '{tag}', ''))) // {len(tag)}), 0)::BIGINT"
            for tag in TAGS.values()
        )
        # count first (scrubbed minus original tags), then write only the cells that change
        found = con.execute(
            f"SELECT {tally} FROM (SELECT {col} AS o, cjx_scrub_text({col}) AS s FROM {raw_table(source.id)} "
            f"WHERE file_id = $file_id AND cjx_scrub_candidate({col}))",
            {"file_id": file_id},
        ).fetchall()[0]
        counts[column] = dict(zip(TAGS, map(int, found), strict=True))
        if any(found):
            con.execute(
                f"UPDATE {raw_table(source.id)} SET {col} = cjx_scrub_text({col}) "
                f"WHERE file_id = $file_id AND cjx_scrub_candidate({col})",
                {"file_id": file_id},
            )
        con.execute(
            "INSERT OR REPLACE INTO ops.scrubbed_text VALUES (?, ?, ?, ?, ?, ?)",
            [file_id, source.id, column, *counts[column].values()],
        )
    return counts
