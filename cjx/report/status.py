"""`cjx status`: the last runs and the files waiting to be ingested."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from cjx.ingest import source_files
from cjx.ingest.fingerprint import file_id, sha256_file
from cjx.journey import LoadedJourney
from cjx.report.revisit_text import table_text


def waiting_files(con: duckdb.DuckDBPyConnection | None, lj: LoadedJourney) -> list[tuple[str, str]]:
    """(source id, path) of files matching a source whose content has not been loaded yet."""
    loaded = (
        set()
        if con is None
        else {r[0] for r in con.execute("SELECT file_id FROM ops.ingest_files WHERE status = 'loaded'").fetchall()}
    )
    return [
        (source.id, str(path))
        for source in lj.journey.sources
        for path in source_files(lj, source)
        if file_id(sha256_file(path)) not in loaded
    ]


def status_text(runs: pd.DataFrame, waiting: list[tuple[str, str]]) -> str:
    """Recent runs (newest first) and what the next run would ingest."""
    parts = []
    if runs.empty:
        parts.append("No runs recorded yet.")
    else:
        rows = [
            (
                "Started (UTC)",
                "Status",
                "Duration",
                "New files",
                "Rejected",
                "Rows loaded",
                "Quarantined",
                "Rebuilt from raw",
                "Error",
            )
        ]
        for r in runs.itertuples():
            duration = "" if pd.isna(r.finished_at) else f"{(r.finished_at - r.started_at).total_seconds():.0f} s"
            rows.append(
                (
                    f"{r.started_at:%Y-%m-%d %H:%M}",
                    r.status,
                    duration,
                    _int(r.n_files_new),
                    _int(r.n_files_rejected),
                    _int(r.rows_loaded),
                    _int(r.rows_quarantined),
                    _sources(getattr(r, "reprocessed", None)),
                    r.error or "",
                )
            )
        parts.append(table_text(rows))
    parts.append(f"{len(waiting)} file(s) waiting to be ingested" + (":" if waiting else "."))
    parts += [f"  {source}: {path}" for source, path in waiting]
    return "\n".join(parts)


def _sources(value: object) -> str:
    """The sources a run rebuilt from raw (ops.runs.reprocessed), comma-separated."""
    if not isinstance(value, (list, tuple, np.ndarray)):  # NULL arrives as None, NaN or pd.NA
        return ""
    return ", ".join(str(v) for v in value)


def _int(value: float | None) -> str:
    return "" if value is None or pd.isna(value) else str(int(value))
