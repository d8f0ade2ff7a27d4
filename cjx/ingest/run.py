"""Ingest every file of every source declared in a journey; rejected files go to the rejected folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from cjx.ingest.load_file import DEFAULT_GATE, DefaultGate, FileResult, Gate, ingest_file, record_rejected_move
from cjx.ingest.reprocess import record_version, reprocess_sources, stale_sources
from cjx.journey.load import LoadedJourney
from cjx.journey.model import Source


def source_files(lj: LoadedJourney, source: Source) -> list[Path]:
    """Files matching the source's pattern (relative to the journey file), in name order."""
    kept_apart = [folder for folder in (rejected_dir(lj), archive_dir(lj)) if folder is not None]
    return sorted(
        p
        for p in lj.base_dir.glob(source.files)
        if p.is_file()
        and not any(folder in p.resolve().parents for folder in kept_apart)
        and not p.name.endswith(".reason.txt")
    )


def archive_dir(lj: LoadedJourney) -> Path | None:
    """settings.archive_dir, relative to the journey file; None when files stay in place."""
    folder = lj.journey.settings.archive_dir
    return (lj.base_dir / folder).resolve() if folder else None


def rejected_dir(lj: LoadedJourney) -> Path:
    """settings.rejected_dir, relative to the journey file (default <journey dir>/rejected)."""
    return (lj.base_dir / lj.journey.settings.rejected_dir).resolve()


def ingest_source(
    con: duckdb.DuckDBPyConnection,
    lj: LoadedJourney,
    source_id: str,
    pseudonym_key: str,
    *,
    gate: Gate | DefaultGate | None = DEFAULT_GATE,
    move_rejected: bool = True,
) -> list[FileResult]:
    """Ingest the files of one source; files seen before (same content) are skipped.

    A rejected file is moved to the rejected folder with `<name>.reason.txt` beside it, so the next run
    does not trip over it again; put it back (fixed, or with the journey fixed) to have it tried again.
    """
    source = lj.journey.source(source_id)
    keep_raw = lj.journey.settings.keep_raw_identifiers
    results = []
    for path in source_files(lj, source):
        result = ingest_file(
            con, path, source, pseudonym_key=pseudonym_key, keep_raw_identifiers=keep_raw, journey=lj.journey, gate=gate
        )
        if result.status == "rejected" and move_rejected:
            moved = move_to_rejected(path, rejected_dir(lj), result.reject_reason or "rejected", result.file_id)
            record_rejected_move(con, result.file_id, moved)
            result = FileResult(**{**result.as_dict(), "rejected_to": str(moved), "notes": tuple(result.notes)})
        elif result.status in ("loaded", "skipped") and (archive := archive_dir(lj)) is not None:
            move_to_archive(path, archive / source.id, result.file_id)
        results.append(result)
    if any(r.status == "loaded" for r in results):
        record_version(con, lj.journey, source)
    return results


def ingest_journey(
    con: duckdb.DuckDBPyConnection,
    lj: LoadedJourney,
    pseudonym_key: str,
    *,
    gate: Gate | DefaultGate | None = DEFAULT_GATE,
    move_rejected: bool = True,
) -> list[FileResult]:
    """Ingest the new files of every declared source, in declaration order; return every file's result.

    A source whose parsing config changed since its rows were staged is first rebuilt from raw (its files
    come back with status "reprocessed"); ReprocessRefused stops the ingest with a one-line reason.
    """
    results: list[FileResult] = []
    stale = stale_sources(con, lj)
    if stale:
        results += reprocess_sources(con, lj, pseudonym_key, stale, gate=gate, reason="journey file changed")
    for source in lj.journey.sources:
        results += ingest_source(con, lj, source.id, pseudonym_key, gate=gate, move_rejected=move_rejected)
    return results


def move_to_rejected(path: Path, folder: Path, reason: str, file_id: str) -> Path:
    """Move `path` into `folder` (a name already there gets the file id appended) and write the reason beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if target.exists():
        target = folder / f"{path.stem}.{file_id}{path.suffix}"
    shutil.move(str(path), target)
    target.with_name(target.name + ".reason.txt").write_text(
        f"{reason}\n\nfile id {file_id}; moved here from {path}.\n"
        "Fix the file (or the journey file) and put it back where it came from to have it ingested again.\n",
        encoding="utf-8",
    )
    return target


def move_to_archive(path: Path, folder: Path, file_id: str) -> Path:
    """Move a processed file into the archive (a name already there gets the file id appended)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if target.exists():
        target = folder / f"{path.stem}.{file_id}{path.suffix}"
    shutil.move(str(path), target)
    return target
