"""Identify a file by its content, not its name."""

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


def file_id(sha256: str) -> str:
    """The short, stable key a file gets in ops.ingest_files and raw tables."""
    return sha256[:16]
