"""`cjx status`: the last runs and the files waiting to be ingested, read from the published copy and the run
journal beside the working database (cjx.store.runs), never from the working database itself."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from cjx.ingest import source_files
from cjx.ingest.fingerprint import sha256_file
from cjx.journey import LoadedJourney
from cjx.report.revisit_text import table_text
from cjx.store.runs import journal_runs


def recent_runs(con: duckdb.DuckDBPyConnection | None, db_path: Path, last: int) -> pd.DataFrame:
    """The `last` runs, newest first: ops.runs of the published copy (`con`), overlaid with the run journal
    (runs since that copy, the one running now, runs that could not open the database)."""
    published = (
        pd.DataFrame()
        if con is None
        else con.execute("SELECT * FROM ops.runs ORDER BY started_at DESC LIMIT ?", [last]).df()
    )
    journal = pd.DataFrame(journal_runs(db_path))
    if journal.empty:
        return published
    if not published.empty:
        published = published[~published.run_id.isin(journal.run_id)]
    runs = pd.concat([frame for frame in (published, journal) if not frame.empty], ignore_index=True)
    for col in ("started_at", "finished_at"):
        runs[col] = pd.to_datetime(runs[col])
    return runs.sort_values("started_at", ascending=False).head(last).reset_index(drop=True)


def waiting_files(con: duckdb.DuckDBPyConnection | None, lj: LoadedJourney | None) -> list[tuple[str, str]]:
    """(source id, path) of files matching a source whose content has not been loaded yet (none without a
    journey)."""
    if lj is None:
        return []
    loaded = (
        set()
        if con is None
        else {
            tuple(r)
            for r in con.execute("SELECT source_id, sha256 FROM ops.ingest_files WHERE status = 'loaded'").fetchall()
        }
    )
    return [
        (source.id, str(path))
        for source in lj.journey.sources
        for path in source_files(lj, source)
        if (source.id, sha256_file(path)) not in loaded  # seen per source, as ingest skips it
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
                "Error or warnings",
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
                    _text(r.error) or "; ".join(_list(getattr(r, "warnings", None))),
                )
            )
        parts.append(table_text(rows))
    parts.append(f"{len(waiting)} file(s) waiting to be ingested" + (":" if waiting else "."))
    parts += [f"  {source}: {path}" for source, path in waiting]
    return "\n".join(parts)


def _list(value: object) -> list[str]:
    """A VARCHAR[] cell (ops.runs.reprocessed, warnings) as a list; NULL arrives as None, NaN or pd.NA."""
    if not isinstance(value, (list, tuple, np.ndarray)):
        return []
    return [str(v) for v in value]


def _sources(value: object) -> str:
    """The sources a run rebuilt from raw (ops.runs.reprocessed), comma-separated."""
    return ", ".join(_list(value))


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _int(value: float | None) -> str:
    return "" if value is None or pd.isna(value) else str(int(value))
