"""Identify a file by its content and the source it is for, not its name."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_file(path: Path, chunk_size: int = 1 << 20) -> str:
    """Hex sha256 of the file's bytes, read in chunks so big exports need little memory."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def file_id(sha256: str, source_id: str) -> str:
    """The short, stable key a file gets in ops.ingest_files, raw, quarantine and core lineage.

    It derives from the source and the content, so the same bytes dropped for two sources are two files (each
    ingested), while the same bytes again for one source are the same file (skipped as seen before). Equal to
    SQL `left(sha256(source_id || chr(0) || sha256), 16)` (migration 030). Files loaded before migration 030 keep
    their content-only id; the seen-before check matches on (source_id, sha256), so they are still found.
    """
    return hashlib.sha256(f"{source_id}\0{sha256}".encode()).hexdigest()[:16]
