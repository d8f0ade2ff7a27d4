"""Ingest every file of every source declared in a journey."""

from __future__ import annotations

from pathlib import Path

import duckdb

from cjx.ingest.load_file import FileResult, ingest_file
from cjx.journey.load import LoadedJourney
from cjx.journey.model import Source


def source_files(lj: LoadedJourney, source: Source) -> list[Path]:
    """Files matching the source's pattern (relative to the journey file), in name order."""
    return sorted(p for p in lj.base_dir.glob(source.files) if p.is_file())


def ingest_source(con: duckdb.DuckDBPyConnection, lj: LoadedJourney, source_id: str, pseudonym_key: str) -> list[FileResult]:
    """Ingest the files of one source; files seen before (same content) are skipped."""
    source = lj.journey.source(source_id)
    keep_raw = lj.journey.settings.keep_raw_identifiers
    return [ingest_file(con, path, source, pseudonym_key=pseudonym_key, keep_raw_identifiers=keep_raw)
            for path in source_files(lj, source)]
