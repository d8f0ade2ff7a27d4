"""Plain-text tables for `cjx revisit list` and `cjx revisit compare`."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

_SHARES = {"csat_top2", "ces_easy"}


def table_text(rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns with a rule under the header row."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def revisit_list_text(revisits: pd.DataFrame) -> str:
    """One line per declared revisit: period, whether and when it was computed, base, journey version."""
    rows = [("Revisit", "Period", "Computed at (UTC)", "Responses", "Journey version")]
    for r in revisits.itertuples():
        rows.append(
            (
                r.revisit_id,
                f"{r.start_date:%Y-%m-%d}..{r.end_date:%Y-%m-%d}",
                "not computed" if pd.isna(r.computed_at) else f"{r.computed_at:%Y-%m-%d %H:%M}",
                "" if pd.isna(r.n_responses) else str(int(r.n_responses)),
                "" if pd.isna(r.journey_version) else r.journey_version[:12],
            )
        )
    return table_text(rows)


def _fmt(metric: str, value: float, signed: bool = False) -> str:
    if pd.isna(value):
        return "–"
    if metric in _SHARES:
        return f"{100 * value:+.1f} pts" if signed else f"{100 * value:.1f}%"
    return f"{value:+.2f}" if signed else f"{value:.2f}"


def comparison_text(changes: pd.DataFrame) -> str:
    """The change table: significant changes marked ▲/▼ (q < 0.05, Benjamini-Hochberg), low bases flagged."""
    a, b = changes.revisit_a.iloc[0], changes.revisit_b.iloc[0]
    rows = [("Touchpoint", "Owner", "Metric", a, b, "Change (95% CI)", "q", "")]
    for r in changes.itertuples():
        if r.status == "tested":
            change = (
                f"{_fmt(r.metric, r.difference, True)} ({_fmt(r.metric, r.ci_low, True)} to "
                f"{_fmt(r.metric, r.ci_high, True)})"
            )
            mark = {"better": "▲ better", "worse": "▼ worse"}.get(r.direction, "")
            q = f"{r.q_value:.3f}"
        else:
            change, q, mark = r.status, "", r.note or ""
        rows.append(
            (
                r.touchpoint_name,
                r.owner,
                r.metric or "",
                _fmt(r.metric, r.value_a),
                _fmt(r.metric, r.value_b),
                change,
                q,
                mark,
            )
        )
    return (
        f"Revisit {a} -> {b}\n"
        + table_text(rows)
        + ("\n▲/▼: significant at a 5% false discovery rate (Benjamini-Hochberg across the rows tested).")
    )
