"""Erase one person on request (`cjx forget --respondent <raw id or e-mail>`).

What goes: every raw row that carries the person (their pseudonym in any column, the raw value in any column,
or, one hop further, the respondent id of such a row), the responses, answers, comments, attributes, events,
measures and quarantined records of those rows and respondents, and the respondent. Each file's accounting
stops counting the erased rows (rows_read = loaded + quarantined + duplicate still holds; ops.erased_rows says
how many went). The erasure is recorded in ops.erasures with counts only, and the person's pseudonyms, hashed,
in ops.erased_respondents, which ingest honours: a re-ingest of a file, a new export with the same person,
or a rebuild from raw (`cjx reprocess`) never brings them back.

Then the database file is rewritten (DuckDB keeps deleted rows' bytes in free blocks of the file, so a copy
of it would still hold them: COPY FROM DATABASE into a fresh file, atomically replaced), the marts are
rebuilt, the scorecards and exports rewritten (old pages and PNG snapshots are removed first), and the
published copy and its Parquet replaced. Input files are never edited: the ones that still hold the raw
value are named so they can be deleted or fixed.

This module sits at the pipeline's layer (it runs score, report and publish through cjx.pipeline).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from cjx.ingest.staging import file_columns, raw_names_for, raw_table
from cjx.journey.load import LoadedJourney
from cjx.privacy import pseudonymise
from cjx.privacy.erased import erased_hash
from cjx.store import quote_ident

COUNTS = ("raw_rows", "responses", "answers", "comments", "events", "event_measures", "quarantined", "files")


@dataclass(frozen=True)
class Erasure:
    """What one `cjx forget` removed (counts only) and the input files that still hold the raw value."""

    erasure_id: str
    n_pseudonyms: int
    counts: dict[str, int]
    input_files: list[str] = field(default_factory=list)
    run_id: str | None = None

    @property
    def found(self) -> bool:
        return self.counts["raw_rows"] > 0 or self.counts["responses"] > 0 or self.counts["events"] > 0


def erase(con: duckdb.DuckDBPyConnection, lj: LoadedJourney, key: str, value: str, erasure_id: str) -> Erasure:
    """Remove the person `value` (a raw id or e-mail) from raw, core and the quarantine in one transaction."""
    keep_raw = lj.journey.settings.keep_raw_identifiers
    pseudonym = pseudonymise(value, key)
    needles = sorted({pseudonym, value.strip(" ").lower()})
    con.execute("BEGIN TRANSACTION")
    try:
        sources = [r[0] for r in con.execute("SELECT DISTINCT source_id FROM raw.files ORDER BY 1").fetchall()]
        declared = {s.id: s for s in lj.journey.sources}
        respondent_cols = {
            sid: [c for c in raw_names_for(declared[sid], declared[sid].respondent_id) if c in file_columns(con, sid)]
            for sid in sources
            if sid in declared
        }
        # 1. rows carrying the value or its pseudonym in any column; their respondents are the person too
        con.execute("CREATE OR REPLACE TEMP TABLE erase_rows (source_id VARCHAR, file_id VARCHAR, row_number BIGINT)")
        stored = set(needles)
        for sid in sources:
            if respondent_cols.get(sid):
                stored |= _respondents(con, sid, respondent_cols[sid], needles)
        stored_list = sorted(stored)
        # 2. every row of those respondents (also rows that did not carry the private column)
        for sid in sources:
            _mark_rows(con, sid, needles, respondent_cols.get(sid, []), stored_list)
        counts = _delete(con, stored_list, erasure_id)
        pseudonyms = {pseudonym} | {pseudonymise(r, key) if keep_raw else r for r in stored if r not in needles}
        for p in sorted(pseudonyms):
            con.execute("INSERT OR IGNORE INTO ops.erased_respondents VALUES (?, ?)", [erased_hash(p), erasure_id])
        con.execute(
            f"INSERT INTO ops.erasures (erasure_id, erased_at, n_pseudonyms, {', '.join(COUNTS)}) "
            f"VALUES (?, ?, ?, {', '.join('?' for _ in COUNTS)})",
            [erasure_id, _now(), len(pseudonyms), *(counts[c] for c in COUNTS)],
        )
        con.execute("DROP TABLE erase_rows")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return Erasure(erasure_id, len(pseudonyms), counts)


def _cell_match(columns: list[str], needles_param: str) -> str:
    """SQL: any of `columns` (trimmed, lower-cased) is one of the list parameter, or an extra field is."""
    parts = [f"list_contains(${needles_param}, lower(trim({quote_ident(c)})))" for c in columns]
    parts.append(f"list_has_any(${needles_param}, list_transform(_extras, lambda x: lower(trim(x))))")
    return "(" + " OR ".join(parts) + ")"


def _respondents(con: duckdb.DuckDBPyConnection, sid: str, respondent_cols: list[str], needles: list[str]) -> set[str]:
    """The respondent ids (as stored) of the raw rows of `sid` that carry one of `needles` in any column."""
    cols = file_columns(con, sid)
    who = "coalesce(" + ", ".join(f"nullif(trim({quote_ident(c)}), '')" for c in respondent_cols) + ")"
    rows = con.execute(
        f"SELECT DISTINCT {who} FROM {raw_table(sid)} WHERE {_cell_match(cols, 'needles')}", {"needles": needles}
    ).fetchall()
    return {r[0] for r in rows if r[0] is not None}


def _mark_rows(
    con: duckdb.DuckDBPyConnection, sid: str, needles: list[str], respondent_cols: list[str], stored: list[str]
) -> None:
    cols = file_columns(con, sid)
    conditions = [_cell_match(cols, "needles")]
    conditions += [f"list_contains($stored, trim({quote_ident(c)}))" for c in respondent_cols]
    con.execute(
        f"INSERT INTO erase_rows SELECT $sid, file_id, row_number FROM {raw_table(sid)} WHERE {' OR '.join(conditions)}",
        {"sid": sid, "needles": needles, "stored": stored},
    )


def _delete(con: duckdb.DuckDBPyConnection, stored: list[str], erasure_id: str) -> dict[str, int]:
    """Delete the marked raw rows, the respondents' core rows and quarantined records; fix the accounting."""
    p = {"stored": stored}
    # the fate each erased row had, per file: loaded (in core), quarantined, or a duplicate
    con.execute(
        "CREATE OR REPLACE TEMP TABLE erase_fate AS SELECT e.source_id, e.file_id, "
        "count(*) AS n, count(*) FILTER (l.file_id IS NOT NULL) AS loaded, "
        "count(*) FILTER (q.file_id IS NOT NULL) AS quarantined "
        "FROM erase_rows e "
        "LEFT JOIN (SELECT source_id, file_id, row_number FROM core.responses UNION ALL "
        "           SELECT source_id, file_id, row_number FROM core.events) l USING (source_id, file_id, row_number) "
        "LEFT JOIN ops.quarantine q ON q.file_id = e.file_id AND q.row_number = e.row_number "
        "GROUP BY ALL"
    )
    counts = dict.fromkeys(COUNTS, 0)
    counts["raw_rows"] = con.execute("SELECT count(*) FROM erase_rows").fetchall()[0][0]
    counts["files"] = con.execute("SELECT count(DISTINCT file_id) FROM erase_rows").fetchall()[0][0]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE erase_responses AS SELECT source_id, response_id, response_key FROM core.responses r "
        "WHERE list_contains($stored, r.respondent_id) OR EXISTS (SELECT 1 FROM erase_rows e WHERE "
        "e.source_id = r.source_id AND e.file_id = r.file_id AND e.row_number = r.row_number)",
        p,
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE erase_events AS SELECT source_id, event_id FROM core.events v "
        "WHERE list_contains($stored, v.respondent_id) OR EXISTS (SELECT 1 FROM erase_rows e WHERE "
        "e.source_id = v.source_id AND e.file_id = v.file_id AND e.row_number = v.row_number)",
        p,
    )
    by_key = "t.response_key = k.response_key"  # answers are keyed by their response's number (migration 090)
    by_response = "t.source_id = k.source_id AND t.response_id = k.response_id"
    by_event = "t.source_id = k.source_id AND t.event_id = k.event_id"
    for table, keys, match, name in (
        ("answer_values", "erase_responses", by_key, "answers"),
        ("response_measures", "erase_responses", by_response, None),
        ("comment_texts", "erase_responses", by_key, "comments"),  # by key too (migration 092)
        ("comment_sentiment", "erase_responses", by_response, None),  # derived from the comments (cjx.comments)
        ("comment_theme_hits", "erase_responses", by_response, None),
        ("attribute_values", "erase_responses", by_key, None),
        ("partial_responses", "erase_responses", by_response, None),
        ("responses", "erase_responses", by_response, "responses"),
        ("event_measures", "erase_events", by_event, "event_measures"),
        ("events", "erase_events", by_event, "events"),
    ):
        n = con.execute(f"DELETE FROM core.{table} t USING {keys} k WHERE {match}").fetchall()[0][0]
        if name:
            counts[name] = n
    con.execute("DELETE FROM core.respondents WHERE list_contains($stored, respondent_id)", p)
    # the person's customers-table attributes (cjx.segments), in this transaction too; core.respondent_segments is
    # rebuilt with the marts that forget rebuilds next
    con.execute("DELETE FROM core.customer_attributes WHERE list_contains($stored, respondent_id)", p)
    counts["quarantined"] = con.execute(
        "DELETE FROM ops.quarantine q USING erase_rows e WHERE q.file_id = e.file_id AND q.row_number = e.row_number"
    ).fetchall()[0][0]
    for sid in [r[0] for r in con.execute("SELECT DISTINCT source_id FROM erase_rows ORDER BY 1").fetchall()]:
        con.execute(
            f"DELETE FROM {raw_table(sid)} t USING erase_rows e "
            "WHERE e.source_id = $sid AND t.file_id = e.file_id AND t.row_number = e.row_number",
            {"sid": sid},
        )
    con.execute(
        "UPDATE ops.ingest_files f SET rows_read = f.rows_read - x.n, rows_loaded = f.rows_loaded - x.loaded, "
        "rows_quarantined = f.rows_quarantined - x.quarantined, "
        "rows_duplicate = f.rows_duplicate - (x.n - x.loaded - x.quarantined) "
        "FROM erase_fate x WHERE f.file_id = x.file_id"
    )
    con.execute("INSERT INTO ops.erased_rows SELECT file_id, source_id, n, ?, ? FROM erase_fate", [erasure_id, _now()])
    for t in ("erase_fate", "erase_responses", "erase_events"):
        con.execute(f"DROP TABLE {t}")
    return counts


def compact(db_path: Path) -> None:
    """Rewrite the database into a fresh file and put it in place atomically: deleted rows leave no bytes behind.

    DuckDB marks deleted rows and reuses their blocks later, but the bytes stay in the file until then (a
    CHECKPOINT or VACUUM does not clear them), so the working file and any copy of it would still hold an
    erased comment. COPY FROM DATABASE copies tables, views, sequences (with their values), macros and
    comments. The caller holds the run lock, so no other process has the file open for writing.
    """
    db_path = Path(db_path)
    tmp = db_path.with_name(f".{db_path.name}.{os.getpid()}.compact")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    with closing(duckdb.connect(str(db_path))) as con:
        con.execute("CHECKPOINT")
        name = con.execute("SELECT current_database()").fetchall()[0][0]
        # ATTACH takes no bound parameter for its path: our own path, quoted as a string literal
        con.execute(f"ATTACH '{str(tmp).replace(chr(39), chr(39) * 2)}' AS cjx_compact")
        con.execute(f"COPY FROM DATABASE {quote_ident(name)} TO cjx_compact")
        con.execute("DETACH cjx_compact")
    os.replace(tmp, db_path)
    db_path.with_name(db_path.name + ".wal").unlink(missing_ok=True)


def files_holding(lj: LoadedJourney, value: str) -> list[str]:
    """Input files (inbox, archive, rejected) whose bytes still hold `value` (any case; UTF-8 or UTF-16)."""
    from cjx.ingest.run import archive_dir, rejected_dir, source_files

    wanted = value.strip(" ").lower()
    if not wanted:
        return []
    patterns = [wanted.encode("utf-8"), wanted.encode("utf-16-le")]
    candidates: set[Path] = set()
    for s in lj.journey.sources:
        candidates |= set(source_files(lj, s))
    for folder in (archive_dir(lj), rejected_dir(lj)):
        if folder is not None and folder.is_dir():
            candidates |= {p for p in folder.rglob("*") if p.is_file()}
    found = []
    for path in sorted(candidates):
        try:
            data = path.read_bytes().lower()
        except OSError:
            continue
        if any(p in data for p in patterns):
            found.append(str(path))
    return found


def forget(ws, value: str) -> Erasure:
    """Erase the person `value` from the workspace's database, then rewrite the database file, the marts, the
    scorecards and exports, and the published copy with its Parquet; under the run lock, recorded in ops.runs
    (run id forget-<uuid>). `ws` is a cjx.pipeline.Workspace."""
    from cjx import pipeline
    from cjx.workspace import open_database

    value = value.strip()
    if not value:
        raise ValueError("--respondent is empty; give the customer's id or e-mail address as the export has it")
    erasure_id = f"erasure-{uuid.uuid4()}"
    run_id = f"forget-{uuid.uuid4()}"
    with pipeline.recorded_run(ws, run_id) as record:
        with closing(open_database(ws.journey, ws.db)) as con:
            erasure = erase(con, ws.journey, ws.pseudonym_key, value, erasure_id)
        assert record.release is not None
        with record.release():  # the run lets go of the file while compact replaces it
            compact(ws.db)
        pipeline.score(ws)
        # rebuilding the marts writes and drops intermediate rows (segments, comment themes): their blocks may
        # still hold the erased pseudonym, so the file is rewritten once more after the rebuild
        with record.release():
            compact(ws.db)
        _remove_scorecards(ws.reports)
        pipeline.report(ws)
        record.after_finish = lambda: pipeline.publish(ws, run_id)  # once finished: the copy shows it finished
    return Erasure(erasure.erasure_id, erasure.n_pseudonyms, erasure.counts, files_holding(ws.journey, value), run_id)


def _remove_scorecards(reports: Path) -> None:
    """Remove the scorecard pages, owner pages, exports and PNGs cjx wrote, so none survives from before."""
    if not reports.is_dir():
        return
    for path in reports.glob("scorecard_*"):
        if path.is_dir():
            shutil.rmtree(path)
        elif path.suffix == ".html":
            path.unlink()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def erasure_lines(erasure: Erasure) -> list[str]:
    """What `cjx forget` prints: the counts, where it is recorded, and the input files still holding the value."""
    c = erasure.counts
    if not erasure.found:
        lines = ["forget: nobody with that id or e-mail in the database (nothing removed); the request is recorded"]
    else:
        lines = [
            f"forget: removed {c['raw_rows']} raw row(s) from {c['files']} file(s): {c['responses']} response(s), "
            f"{c['answers']} answer(s), {c['comments']} comment(s), {c['events']} event(s), "
            f"{c['event_measures']} measure(s), {c['quarantined']} quarantined record(s)"
        ]
    lines.append(
        f"forget: recorded as {erasure.erasure_id} in ops.erasures (counts only); future ingests drop this person"
    )
    lines.append("forget: database rewritten, marts, scorecards, exports and the published copy rebuilt")
    for path in erasure.input_files:
        lines.append(f"forget: {path} still holds the person (cjx never edits input files): delete or fix it")
    return lines
