"""Write the journey's segment declarations into core.segments (in declared order)."""

from __future__ import annotations

import duckdb
import pandas as pd

from cjx.journey.model import Journey

SEGMENT_COLUMNS = [
    "segment_id",
    "name",
    "kind",
    "column_name",
    "source_id",
    "customer_column",
    "derived",
    "event_types",
    "position",
]


def segments_frame(j: Journey) -> pd.DataFrame:
    """One row per declared segment: its kind and where its value comes from."""
    rows = [
        {
            "segment_id": s.id,
            "name": s.name or s.id,
            "kind": "column" if s.column else "customer" if s.customer else "derived",
            "column_name": s.column,
            "source_id": s.source,
            "customer_column": s.customer,
            "derived": s.derived,
            "event_types": list(s.event_types) if s.derived else None,
            "position": i + 1,
        }
        for i, s in enumerate(j.segments)
    ]
    return pd.DataFrame(rows, columns=SEGMENT_COLUMNS).astype(
        {c: "object" for c in SEGMENT_COLUMNS if c != "position"} | {"position": "int64"}
    )


def margins_frame(j: Journey) -> pd.DataFrame:
    """One row per weighted segment x value with its population share (empty without weighting:)."""
    rows = [
        {"segment_id": segment, "value": value, "share": float(share)}
        for segment, shares in (j.weighting.margins.items() if j.weighting else [])
        for value, share in shares.items()
    ]
    return pd.DataFrame(rows, columns=["segment_id", "value", "share"]).astype(
        {"segment_id": "object", "value": "object", "share": "float64"}
    )


def sync_segments(con: duckdb.DuckDBPyConnection, j: Journey) -> None:
    """Replace core.segments and core.weighting_margins with the journey's declarations."""
    frame = segments_frame(j)
    margins = margins_frame(j)
    con.register("segments_df", frame)
    con.register("margins_df", margins)
    try:
        con.execute("DELETE FROM core.segments")
        con.execute("INSERT INTO core.segments BY NAME SELECT * FROM segments_df")
        con.execute("DELETE FROM core.weighting_margins")
        con.execute("INSERT INTO core.weighting_margins BY NAME SELECT * FROM margins_df")
    finally:
        con.unregister("segments_df")
        con.unregister("margins_df")
