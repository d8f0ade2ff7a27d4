"""`cjx validate`: parse, check and gate one file in a throwaway in-memory database; nothing is written."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb

from cjx.ingest.load_file import FileResult, ingest_file
from cjx.journey.load import LoadedJourney
from cjx.journey.model import Source
from cjx.journey.sync import sync_journey
from cjx.store import migrate


def pick_source(lj: LoadedJourney, path: Path, source_id: str | None) -> Source:
    """The named source, else the one whose file pattern matches `path`; ValueError says what to pass."""
    sources = lj.journey.sources
    if source_id is not None:
        match = [s for s in sources if s.id == source_id]
        if not match:
            raise ValueError(f"unknown source {source_id!r}; the journey declares {[s.id for s in sources]}")
        return match[0]
    resolved = path.resolve()
    match = [
        s
        for s in sources
        if resolved in {p.resolve() for p in lj.base_dir.glob(s.files)} or path.match(Path(s.files).name)
    ]
    if len(match) != 1:
        raise ValueError(
            f"{path.name}: matches {'no' if not match else len(match)} source file pattern(s); "
            f"pass --source (one of {[s.id for s in sources]})"
        )
    return match[0]


def dry_run(
    lj: LoadedJourney, path: Path, source: Source, db_path: Path | None = None
) -> tuple[FileResult, list[tuple[int, str, str]]]:
    """Ingest `path` into an in-memory copy of the database at `db_path` (or of an empty schema when there is
    none yet), so duplicates and files ingested before are reported as a run would report them; return the
    result and the quarantined rows. The database itself is opened read-only and never written."""
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        key, note = "dry-run", None
        if db_path is not None and db_path.exists():
            try:
                con.execute("ATTACH $p AS saved (READ_ONLY)", {"p": str(db_path)})
                con.execute("COPY FROM DATABASE saved TO memory")
                con.execute("DETACH saved")
                key = _run_key(lj, db_path)
            except duckdb.Error as exc:  # e.g. a run holds the database: check against an empty one, and say so
                first = (str(exc).strip().splitlines() or [""])[0][:200]
                note = f"{db_path.name} could not be read ({first}); checked against an empty database"
                con.close()
                con = duckdb.connect()
                con.execute("SET TimeZone = 'UTC'")
        migrate(con)
        sync_journey(con, lj)
        result = ingest_file(
            con,
            path,
            source,
            pseudonym_key=key,
            journey=lj.journey,
            keep_raw_identifiers=lj.journey.settings.keep_raw_identifiers,
        )
        rows = con.execute(
            "SELECT row_number, reason, message FROM ops.quarantine WHERE file_id = ? ORDER BY row_number",
            [result.file_id],
        ).fetchall()
    finally:
        con.close()
    if note:
        result = dataclasses.replace(result, notes=(note, *result.notes))
    return result, rows


def _run_key(lj: LoadedJourney, db_path: Path) -> str:
    """The key the pipeline pseudonymises with (so a respondent id used as response id matches), never created
    here; a placeholder when it cannot be had (respondents then differ, response ids from other columns not)."""
    import os

    if key := os.environ.get("CJX_PSEUDONYM_KEY"):
        return key
    try:
        from cjx.privacy.key import key_from_file

        return key_from_file(db_path, create=False)
    except Exception:  # no key file (or a Secret block only): the dry run still runs
        return "dry-run"


def report(result: FileResult, quarantined: list[tuple[int, str, str]], limit: int = 20) -> str:
    """Human-readable summary of a dry run."""
    lines = [f"{Path(result.path).name}: source {result.source_id}, format {result.format or '?'}"]
    lines += [f"  note: {n}" for n in result.notes]
    if result.status == "skipped":
        lines.append("  already ingested (the same content was loaded before): a run would skip it")
        return "\n".join(lines)
    if result.status == "rejected":
        lines.append(f"  REJECTED: {result.reject_reason}")
        lines.append("  nothing would be loaded; the file would be moved to the rejected folder")
        return "\n".join(lines)
    lines.append(
        f"  rows read {result.rows_read}: would load {result.rows_loaded}, quarantine "
        f"{result.rows_quarantined}, skip {result.rows_duplicate} duplicate(s)"
    )
    for reason, n in sorted(result.quarantined_by_reason.items()):
        lines.append(f"  quarantined {reason}: {n}")
    for _, _, message in quarantined[:limit]:
        lines.append(f"    {message}")
    if len(quarantined) > limit:
        lines.append(f"    ... and {len(quarantined) - limit} more")
    return "\n".join(lines)
