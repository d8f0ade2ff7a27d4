"""The short text summary the CLI prints at the end of a run."""

from __future__ import annotations

import duckdb

from cjx.report.revisit_text import table_text
from cjx.workspace import revisits_with_data

_METRIC_LABEL = {"csat": "CSAT top-2", "ces": "CES easy", "nps": "NPS"}


def latest_revisit(con: duckdb.DuckDBPyConnection) -> str | None:
    revisits = revisits_with_data(con)
    return revisits[-1] if revisits else None


def summary_text(con: duckdb.DuckDBPyConnection, revisit_id: str | None = None) -> str:
    """A plain-text table of one revisit (default: the latest with data) and the file accounting."""
    revisit_id = revisit_id or latest_revisit(con)
    if revisit_id is None:
        return "No responses fall in any declared revisit yet."
    rows = con.execute(
        "SELECT stage_name, touchpoint_name, owner, n_headline, headline_metric, headline_value, priority_rank, quadrant, "
        "is_critical, is_low_base FROM marts.touchpoint_priority WHERE revisit_id = ? "
        "ORDER BY stage_position, touchpoint_position",
        [revisit_id],
    ).fetchall()
    heads = con.execute("SELECT nps, n_nps FROM marts.revisit_headline WHERE revisit_id = ?", [revisit_id]).fetchall()
    head = heads[0] if heads else None
    table = [("Stage", "Touchpoint", "Owner", "n", "Headline", "Priority", "Flags")]
    for stage, name, owner, n, metric, value, rank, quadrant, critical, low_base in rows:
        shown = "–" if value is None else (f"{value:.0f}" if metric == "nps" else f"{100 * value:.0f}%")
        priority = f"{rank} {quadrant}" if rank is not None else ""
        flags = ", ".join(f for f, on in (("critical", critical), ("low base", low_base)) if on)
        table.append(
            (stage, name, owner, str(n or 0), f"{_METRIC_LABEL.get(metric, '')} {shown}".strip(), priority, flags)
        )
    nps = "–" if head is None or head[0] is None else f"{head[0]:.0f} (n={head[1]})"
    read, loaded, quarantined, duplicate = con.execute(
        "SELECT sum(rows_read), sum(rows_loaded), sum(rows_quarantined), sum(rows_duplicate) FROM marts.data_quality"
    ).fetchall()[0]
    return "\n".join(
        [
            f"Touchpoint scorecard, revisit {revisit_id}: journey NPS {nps}",
            table_text(table),
            f"Rows read {read}: loaded {loaded}, quarantined {quarantined}, duplicate {duplicate}.",
        ]
    )
