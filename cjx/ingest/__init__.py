"""Ingestion: fingerprint, land (format adapters), check, and load files into DuckDB."""

from cjx.ingest.load_file import FileResult, ingest_file
from cjx.ingest.reprocess import ReprocessRefused, reprocess_sources
from cjx.ingest.run import ingest_journey, ingest_source, source_files

__all__ = [
    "FileResult",
    "ReprocessRefused",
    "ingest_file",
    "ingest_journey",
    "ingest_source",
    "reprocess_sources",
    "source_files",
]
