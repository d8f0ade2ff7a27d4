"""Trend strips across revisits: one small inline SVG per touchpoint and per journey headline, with 95% intervals
and the changes the later revisit's page marks significant (its one Benjamini-Hochberg family), and the
quadrant migrations into this revisit. Inline SVG, not plotly: dozens of strips cost a few kilobytes and draw in
any browser or mail client."""

from __future__ import annotations

import math

import pandas as pd
from markupsafe import Markup, escape

from cjx.report.labels import Lang

WIDTH, HEIGHT, PAD = 150, 44, 8
COLOURS = {"better": "#1e7b34", "worse": "#c0392b"}


def _num(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def strip_svg(points: list[dict], low: float, high: float, label: str) -> Markup:
    """A strip of points [{revisit_id, value, ci_low, ci_high, direction, text}], zoomed to the points' intervals
    (padded, within the scale low..high) so a change of a few points is visible."""
    n = len(points)
    seen = [v for p in points for v in (p["ci_low"], p["value"], p["ci_high"]) if v is not None]
    if seen:
        pad = 0.05 * (high - low)
        low, high = max(low, min(seen) - pad), min(high, max(seen) + pad)
        if high - low < 1e-9:
            low, high = low - pad, high + pad

    def x(i: int) -> float:
        return PAD + (WIDTH - 2 * PAD) * (i / (n - 1) if n > 1 else 0.5)

    def y(v: float) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * (v - low) / (high - low)

    parts = [
        f'<svg class="trend" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label)}">'
    ]
    line = [(x(i), y(p["value"])) for i, p in enumerate(points) if p["value"] is not None]
    if len(line) > 1:
        parts.append(
            '<polyline fill="none" stroke="#9aa5b1" stroke-width="1.5" points="'
            + " ".join(f"{a:.1f},{b:.1f}" for a, b in line)
            + '"></polyline>'
        )
    for i, p in enumerate(points):
        if p["value"] is None:
            continue
        cx, cy = x(i), y(p["value"])
        if p["ci_low"] is not None and p["ci_high"] is not None:
            parts.append(
                f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{y(p["ci_low"]):.1f}" y2="{y(p["ci_high"]):.1f}" '
                'stroke="#555" stroke-width="1"></line>'
            )
        colour = COLOURS.get(p["direction"] or "", "#4a6274")
        radius = 4.5 if p["direction"] else 3
        parts.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius}" fill="{colour}" data-revisit="{escape(p["revisit_id"])}" '
            f'data-value="{p["value"]}" data-direction="{p["direction"] or ""}"><title>{escape(p["text"])}</title>'
            "</circle>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def touchpoint_trend_rows(trends: pd.DataFrame, priority: pd.DataFrame, migrations: pd.DataFrame, lang: Lang) -> list:
    """One row per touchpoint in journey order: its strip, its value per revisit, and its quadrant move."""
    if trends.empty:
        return []
    moved = {r.touchpoint_id: r for r in migrations.itertuples()} if not migrations.empty else {}
    rows = []
    for r in priority.sort_values(["stage_position", "touchpoint_position"]).itertuples():
        mine = trends[trends.touchpoint_id == r.touchpoint_id]
        points = []
        for t in mine.itertuples():
            value = _num(t.performance)
            direction = t.direction if isinstance(getattr(t, "direction", None), str) else None
            mark = {"better": " ▲", "worse": " ▼"}.get(direction or "", "")
            points.append(
                {
                    "revisit_id": t.revisit_id,
                    "value": value,
                    "ci_low": _num(t.performance_ci_low),
                    "ci_high": _num(t.performance_ci_high),
                    "direction": direction,
                    "text": f"{t.revisit_id}: {lang.pct(value)}{mark} (n = {lang.count(t.n_headline)})",
                }
            )
        move = moved.get(r.touchpoint_id)
        migration = ""
        if (
            move is not None
            and isinstance(move.quadrant_a, str)
            and isinstance(move.quadrant_b, str)
            and move.has_moved
        ):
            migration = f"{lang.quadrant(move.quadrant_a)} → {lang.quadrant(move.quadrant_b)}"
        rows.append(
            {
                "touchpoint_id": r.touchpoint_id,
                "touchpoint_name": r.touchpoint_name,
                "owner": r.owner,
                "svg": strip_svg(points, 0.0, 1.0, f"{r.touchpoint_name}: {lang.t('trend')}"),
                "points": points,
                "migration": migration,
            }
        )
    return rows


def journey_trend_rows(journey_trend: list[dict], lang: Lang) -> list[dict]:
    """One strip per journey headline (NPS on −100..100, shares on 0..1), with the value per revisit."""
    out = []
    for key in ("nps", "overall", "ces"):
        points = []
        for entry in journey_trend:
            kpi = next((k for k in entry["kpis"] if k["key"] == key), None)
            if kpi is None:
                continue
            share = kpi["kind"] == "share"
            change = kpi.get("change") or {}
            direction = change.get("direction") if change.get("is_significant") else None
            mark = {"better": " ▲", "worse": " ▼"}.get(direction or "", "")
            text = lang.pct(kpi["value"]) if share else lang.num(kpi["value"], 0)
            points.append(
                {
                    "revisit_id": entry["revisit_id"],
                    "value": _num(kpi["value"]),
                    "ci_low": _num(kpi["ci_low"]),
                    "ci_high": _num(kpi["ci_high"]),
                    "direction": direction,
                    "text": f"{entry['revisit_id']}: {text}{mark} (n = {lang.count(kpi['n'])})",
                }
            )
        if points:
            low, high = (0.0, 1.0) if key != "nps" else (-100.0, 100.0)
            label = lang.t(f"kpi_{key}")
            out.append({"key": key, "label": label, "svg": strip_svg(points, low, high, label), "points": points})
    return out
