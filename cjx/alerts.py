"""What a run should alert about (the journey's `alerts:`): critical touchpoints that got significantly worse since
the previous revisit, and sources silent for too long. Sending is Prefect's (flows/alerts.py); this says what."""

from __future__ import annotations

import datetime as dt
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from cjx.journey import LoadedJourney
from cjx.store import connect


@dataclass(frozen=True)
class Alert:
    title: str
    text: str


def critical_drops(db: Path) -> list[str]:
    """Critical touchpoints significantly worse (5% FDR) in the latest comparison of consecutive revisits."""
    with closing(connect(db)) as con:
        rows = con.execute(
            "SELECT touchpoint_name, owner, metric, value_a, value_b, revisit_a, revisit_b, q_value "
            "FROM marts.revisit_changes WHERE revisit_b = (SELECT revisit_b FROM marts.revisit_changes "
            "  JOIN core.revisits ON revisit_id = revisit_b ORDER BY start_date DESC LIMIT 1) "
            "AND is_critical AND is_significant AND direction = 'worse' ORDER BY q_value, touchpoint_name"
        ).fetchall()
    return [
        f"{name} ({owner}, critical): {metric} {_fmt(metric, a)} in {ra} -> {_fmt(metric, b)} in {rb} "
        f"(significantly worse, q = {q:.3g})"
        for name, owner, metric, a, b, ra, rb, q in rows
    ]


def _fmt(metric: str, value: float) -> str:
    return f"{value:.0f}" if metric == "nps" else f"{100 * value:.0f}%" if value <= 1 else f"{value:.2f}"


def silent_sources(db: Path, lj: LoadedJourney, days: int, now: dt.datetime | None = None) -> list[str]:
    """Declared sources without a file that loaded new rows in the last `days` days (or ever)."""
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with closing(connect(db)) as con:
        last = dict(
            con.execute(
                "SELECT source_id, max(ingested_at) FROM ops.ingest_files "
                "WHERE status = 'loaded' AND rows_loaded > 0 GROUP BY source_id"
            ).fetchall()
        )
    out = []
    for source in lj.journey.sources:
        seen = last.get(source.id)
        if seen is None:
            out.append(f"source {source.id!r} has never had a file with rows")
        elif now - seen > dt.timedelta(days=days):
            out.append(f"source {source.id!r} has had no new rows for {(now - seen).days} days (since {seen:%Y-%m-%d})")
    return out


def alerts_for_run(db: Path, lj: LoadedJourney, *, scored: bool, now: dt.datetime | None = None) -> list[Alert]:
    """The alerts the journey asks for after a run (`scored`: it rebuilt the marts, so drops are new)."""
    config = lj.journey.alerts
    if config is None:
        return []
    name = lj.journey.journey.name
    out = []
    if config.critical_drop and scored and (drops := critical_drops(db)):
        out.append(Alert(f"cjx: {name}: critical touchpoint(s) got worse", "\n".join(drops)))
    if config.silent_days is not None and (silent := silent_sources(db, lj, config.silent_days, now)):
        out.append(Alert(f"cjx: {name}: source(s) silent for {config.silent_days}+ days", "\n".join(silent)))
    return out
