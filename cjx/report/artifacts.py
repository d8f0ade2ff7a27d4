"""What a pipeline run shows in the Prefect UI: the headline and top priorities as markdown, the priority table."""

from __future__ import annotations

import pandas as pd

from cjx.report.data import ScorecardData
from cjx.report.labels import Lang
from cjx.report.pages import change_view, kpi_view

TOP = 5


def headline_markdown(data: ScorecardData, scorecard_path: str | None = None) -> str:
    """Markdown: journey headline with intervals, bases and changes, then the top-5 priorities with owners."""
    lang = Lang("en")  # the Prefect UI is the analysts' tool: English, whatever the scorecard language
    lines = [f"# {data.journey_name}: revisit {data.revisit_id} ({data.revisit_start} to {data.revisit_end})", ""]
    lines += ["| Measure | Value | 95% CI | n | Change |", "|---|---|---|---|---|"]
    for kpi in (kpi_view(k, lang, data.n_tests) for k in data.kpis):
        change = (
            "–" if not kpi["change_text"] else f"{kpi['change_text']} {kpi.get('mark', '')} ({kpi['significance']})"
        )
        lines.append(f"| {kpi['label']} | {kpi['text']} | {kpi['ci']} | {kpi['n']} | {change.strip()} |")
    lines += [
        "",
        f"## Top {TOP} priorities",
        "",
        "| # | Touchpoint | Owner | Quadrant | Performance | n | Change |",
        "|---|---|---|---|---|---|---|",
    ]
    for _, r in data.priority[data.priority.priority_rank.notna()].head(TOP).iterrows():
        tp_change = change_view(r, lang, data.n_tests)
        lines.append(
            f"| {int(r.priority_rank)} | {_cell(r.touchpoint_name)}{' (critical)' if r.is_critical else ''} | "
            f"{_cell(r.owner)} | {r.quadrant} | {lang.pct(r.performance)} | {int(r.n_headline)} | "
            f"{tp_change['text']} {tp_change['mark']} |"
        )
    lines += ["", lang.t("significance_rule", n=lang.count(data.n_tests))]
    if scorecard_path:
        lines += ["", f"Scorecard: `{scorecard_path}`"]
    return "\n".join(lines)


def priority_rows(data: ScorecardData) -> list[dict]:
    """The priority table for a Prefect table artifact: plain values (no NaN), shares as percentages."""
    rows = []
    for _, r in data.priority.iterrows():
        rows.append(
            {
                "rank": _int(r.priority_rank),
                "touchpoint": r.touchpoint_name,
                "stage": r.stage_name,
                "owner": r.owner,
                "critical": bool(r.is_critical),
                "quadrant": r.quadrant if isinstance(r.quadrant, str) else "low base",
                "performance_pct": _round(r.performance, 100),
                "performance_ci": f"{_round(r.performance_ci_low, 100)}–{_round(r.performance_ci_high, 100)}",
                "n": _int(r.n_headline),
                "importance_pct": _round(r.importance, 100),
                "reach_pct": _round(r.reach, 100),
                "gap_to_target_pts": _round(r.gap_to_target, 100),
                "change": change_view(r, Lang("en"), data.n_tests)["text"],
                # the page's q-value (one Benjamini-Hochberg family with the headline changes), as on the scorecard
                "change_q": _round(r.change_q_value, 1, 4),
                "change_significant": bool(r.change_is_significant) if not pd.isna(r.change_is_significant) else False,
            }
        )
    return rows


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|")


def _round(value: float | None, scale: float = 1.0, digits: int = 1) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value) * scale, digits)


def _int(value: float | None) -> int | None:
    return None if value is None or pd.isna(value) else int(value)
