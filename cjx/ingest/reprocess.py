"""Rebuild a source's core rows and quarantine from raw under the journey in force (`cjx reprocess`).

Every source records the parsing config its rows were staged with (ops.source_versions). When the journey
file changes that config (a codebook label added, an N/A code, a column map, a time zone), the next ingest
rebuilds the source from raw.<source> through staging.<source>__row_fate before loading new files: rows that
now parse leave the quarantine, rows that now fail enter it, and every file's accounting is recomputed, so
rows_read = rows_loaded + rows_quarantined + rows_duplicate still holds. A changed scale is refused: answers
keep the scale they were given on.
"""

from __future__ import annotations

import hashlib
import json

import duckdb

from cjx.ingest.codebook import codebook_labels
from cjx.ingest.load_file import DEFAULT_GATE, DefaultGate, FileResult, Gate, load_core
from cjx.ingest.locale import declared_timezone
from cjx.ingest.staging import now, prepare_source, stage_source
from cjx.journey.load import LoadedJourney
from cjx.journey.model import Journey, Source

# answer_values, comment_texts and attribute_values carry no source: theirs is their response's (migrations 090,
# 092), so they go before the responses
_BY_RESPONSE_KEY = "response_key IN (SELECT response_key FROM core.responses WHERE source_id = ?)"
_OF_SOURCE = {
    "answer_values": _BY_RESPONSE_KEY,
    "comment_texts": _BY_RESPONSE_KEY,
    "attribute_values": _BY_RESPONSE_KEY,
}
CORE_TABLES = {
    "survey": (
        "answer_values",
        "response_measures",
        "comment_texts",
        "attribute_values",
        "partial_responses",
        "responses",
    ),
    "operational": ("event_measures", "events"),
}


class ReprocessRefused(RuntimeError):
    """A source cannot be rebuilt under the journey in force; str() is one line saying why and what to do."""


def parsing_config(journey: Journey, source: Source) -> dict:
    """What decides how a source's raw rows become core rows (not which files, not the mapping rules)."""
    config = source.model_dump(mode="json", exclude={"files", "format", "touchpoint_by", "touchpoint_from_event"})
    config["attributes"] = [source.touchpoint_by.column] if source.touchpoint_by else []
    if declared_timezone(source) is not None:  # a declared zone overrides an export's own (a Qualtrics ImportId)
        config["timezone_declared"] = True
    labels = codebook_labels(source, journey)
    config["codebook_labels"] = labels.astype(object).where(labels.notna(), None).values.tolist()
    return config


def fingerprint(config: dict) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()[:16]


def record_version(con: duckdb.DuckDBPyConnection, journey: Journey, source: Source) -> None:
    config = parsing_config(journey, source)
    con.execute(
        "INSERT OR REPLACE INTO ops.source_versions VALUES (?, ?, ?, ?)",
        [source.id, fingerprint(config), json.dumps(config, default=str), now()],
    )


def stale_sources(con: duckdb.DuckDBPyConnection, lj: LoadedJourney) -> list[str]:
    """Sources with rows in raw whose parsing config differs from the one they were staged with."""
    recorded = dict(con.execute("SELECT source_id, fingerprint FROM ops.source_versions").fetchall())
    with_raw = {r[0] for r in con.execute("SELECT DISTINCT source_id FROM raw.files").fetchall()}
    return [
        s.id
        for s in lj.journey.sources
        if s.id in with_raw and recorded.get(s.id) != fingerprint(parsing_config(lj.journey, s))
    ]


def reprocess_sources(
    con: duckdb.DuckDBPyConnection,
    lj: LoadedJourney,
    pseudonym_key: str,
    sources: list[str] | None = None,
    *,
    gate: Gate | DefaultGate | None = DEFAULT_GATE,
    reason: str = "on request",
) -> list[FileResult]:
    """Rebuild `sources` (default: all with raw data) from raw, one transaction each; return every file's result.

    `pseudonym_key` is unused (raw already holds pseudonyms) and kept for a uniform call shape.
    """
    declared = [s.id for s in lj.journey.sources]
    unknown = [s for s in sources or [] if s not in declared]
    if unknown:
        raise ReprocessRefused(f"unknown source(s) {unknown}; the journey declares {declared}")
    if gate == DEFAULT_GATE:
        from cjx.ingest.gate import default_gate

        gate = default_gate()
    with_raw = {r[0] for r in con.execute("SELECT DISTINCT source_id FROM raw.files").fetchall()}
    results: list[FileResult] = []
    for source in lj.journey.sources:
        if (sources is None or source.id in sources) and source.id in with_raw:
            results += reprocess_source(con, lj, source, gate=gate, reason=reason)
    return results


def reprocess_source(
    con: duckdb.DuckDBPyConnection, lj: LoadedJourney, source: Source, *, gate: Gate | None, reason: str
) -> list[FileResult]:
    con.execute("BEGIN TRANSACTION")
    try:
        _refuse_scale_change(con, lj.journey, source)
        prepare_source(con, lj.journey, source)
        stage_source(con, source)
        if gate is not None:
            outcome = gate.validate(
                con,
                source,
                f"source {source.id}",
                "reprocess",
                max_failing_share=lj.journey.settings.max_failing_share,
            )
            if not outcome.success:
                raise ReprocessRefused(
                    f"source {source.id}: not rebuilt under the changed journey file, the rows "
                    f"would fail the batch gate: {outcome.message}"
                )
        before = {
            r[0]
            for r in con.execute(
                "SELECT file_id || ':' || row_number FROM ops.quarantine WHERE source_id = ?", [source.id]
            ).fetchall()
        }
        for table in CORE_TABLES[source.kind]:
            con.execute(f"DELETE FROM core.{table} WHERE {_OF_SOURCE.get(table, 'source_id = ?')}", [source.id])
        con.execute("DELETE FROM ops.quarantine WHERE source_id = ?", [source.id])
        load_core(con, source)
        results = _recount_files(con, source)
        after = {
            r[0]
            for r in con.execute(
                "SELECT file_id || ':' || row_number FROM ops.quarantine WHERE source_id = ?", [source.id]
            ).fetchall()
        }
        totals = [
            sum(getattr(r, f) for r in results)
            for f in ("rows_read", "rows_loaded", "rows_quarantined", "rows_duplicate")
        ]
        con.execute(
            "INSERT INTO ops.reprocessings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [source.id, now(), lj.version, reason, *totals, len(before - after), len(after - before)],
        )
        record_version(con, lj.journey, source)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return results


def _recount_files(con: duckdb.DuckDBPyConnection, source: Source) -> list[FileResult]:
    """Every file's accounting from the rebuilt fate, written to ops.ingest_files."""
    rows = con.execute(
        "SELECT f.file_id, i.path, i.format, count(*) AS n, count(*) FILTER (l.status = 'loaded'), "
        "count(*) FILTER (l.status = 'quarantined'), count(*) FILTER (l.status = 'duplicate') "
        "FROM raw.files f JOIN landed_rows l USING (file_id) JOIN ops.ingest_files i USING (file_id) "
        "WHERE f.source_id = ? GROUP BY ALL ORDER BY min(f.file_seq)",
        [source.id],
    ).fetchall()
    reasons: dict[str, dict[str, int]] = {}
    for fid, reason, n in con.execute(
        "SELECT file_id, reason, count(*) FROM landed_rows WHERE reason IS NOT NULL GROUP BY ALL ORDER BY ALL"
    ).fetchall():
        reasons.setdefault(fid, {})[reason] = n
    results = []
    for fid, path, fmt, n, loaded, quarantined, duplicate in rows:
        con.execute(
            "UPDATE ops.ingest_files SET rows_read = ?, rows_loaded = ?, rows_quarantined = ?, "
            "rows_duplicate = ? WHERE file_id = ?",
            [n, loaded, quarantined, duplicate, fid],
        )
        results.append(
            FileResult(
                fid,
                source.id,
                path,
                "reprocessed",
                rows_read=n,
                rows_loaded=loaded,
                rows_quarantined=quarantined,
                rows_duplicate=duplicate,
                format=fmt,
                quarantined_by_reason=reasons.get(fid, {}),
            )
        )
    return results


def _refuse_scale_change(con: duckdb.DuckDBPyConnection, journey: Journey, source: Source) -> None:
    """Answers keep the scale they were given on: a question whose scale changed since it was staged is refused."""
    found = con.execute("SELECT config FROM ops.source_versions WHERE source_id = ?", [source.id]).fetchall()
    if not found:
        return
    old = {q["column"]: q.get("scale") for q in json.loads(found[0][0]).get("questions", [])}
    for q in source.questions:
        before = old.get(q.column)
        if q.scale is None or before is None or (before["min"], before["max"]) == (q.scale.min, q.scale.max):
            continue
        answered = con.execute(
            "SELECT count(*) FROM core.answers WHERE source_id = ? AND column_name = ?", [source.id, q.column]
        ).fetchall()[0][0]
        if not answered:
            continue
        raise ReprocessRefused(
            f"source {source.id}, question {q.column}: the scale changed from {before['min']}-{before['max']} to "
            f"{q.scale.min}-{q.scale.max} since its answers were loaded, and answers keep the scale they were given "
            f"on; restore scale {before['min']}-{before['max']}, or declare the new scale for a new column or source"
        )
