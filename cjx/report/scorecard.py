"""The touchpoint scorecard of one revisit: data from the marts, a figure, and one self-contained HTML page."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import jinja2
import pandas as pd
import plotly.graph_objects as go

_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("cjx.report", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
LOW_BASE_COLOUR, CSAT_COLOUR, CES_COLOUR = "#c7c7c7", "#1f6f8b", "#e2a03f"


@dataclass(frozen=True)
class ScorecardData:
    """Everything a scorecard page shows, read from the marts."""

    journey_name: str
    revisit_id: str
    revisit_start: str
    revisit_end: str
    min_base: int
    headline: dict
    touchpoints: pd.DataFrame
    priority: pd.DataFrame
    effects: pd.DataFrame
    data_quality: pd.DataFrame


def load_scorecard_data(con: duckdb.DuckDBPyConnection, revisit_id: str) -> ScorecardData:
    """Read one revisit's rows from the marts the scorecard shows."""
    journey_name, min_base = con.execute("SELECT name, min_base FROM core.journey").fetchall()[0]
    touchpoints = con.execute(
        "SELECT * FROM marts.touchpoint_scorecard WHERE revisit_id = ? ORDER BY stage_position, touchpoint_position",
        [revisit_id],
    ).df()
    if touchpoints.empty:
        raise KeyError(f"no revisit {revisit_id!r} in marts.touchpoint_scorecard")
    headline = con.execute("SELECT * FROM marts.revisit_headline WHERE revisit_id = ?", [revisit_id]).df()
    priority = con.execute(
        "SELECT * FROM marts.touchpoint_priority WHERE revisit_id = ? "
        "ORDER BY priority_rank NULLS LAST, stage_position, touchpoint_position", [revisit_id]).df()
    effects = con.execute(
        "SELECT * FROM marts.measure_effects WHERE revisit_id = ? ORDER BY measure, target", [revisit_id]).df()
    quality = con.execute("SELECT * FROM marts.data_quality").df()
    first = touchpoints.iloc[0]
    return ScorecardData(
        journey_name=journey_name, revisit_id=revisit_id, revisit_start=str(first.revisit_start.date()),
        revisit_end=str(first.revisit_end.date()), min_base=int(min_base),
        headline=headline.iloc[0].to_dict(), touchpoints=touchpoints, priority=priority, effects=effects,
        data_quality=quality,
    )


def performance_figure(touchpoints: pd.DataFrame, min_base: int = 30) -> go.Figure:
    """Top-2-box CSAT and share-easy CES per touchpoint in journey order; low-base bars in grey."""
    labels = [f"{r.stage_name} · {r.touchpoint_name}" for r in touchpoints.itertuples()]
    fig = go.Figure()
    for metric, share, n, colour, name in (
        ("csat", "csat_top2_share", "n_csat", CSAT_COLOUR, "CSAT top-2-box"),
        ("ces", "ces_easy_share", "n_ces", CES_COLOUR, "CES share easy"),
    ):
        low = touchpoints[n].between(1, min_base - 1)
        fig.add_bar(
            name=name, x=labels, y=(touchpoints[share] * 100).round(1),
            marker_color=[LOW_BASE_COLOUR if is_low else colour for is_low in low],
            customdata=touchpoints[n], hovertemplate="%{x}<br>%{y:.1f}% (n=%{customdata})<extra>" + name + "</extra>",
        )
    fig.update_layout(
        barmode="group", yaxis={"title": "% of answers", "range": [0, 100]}, xaxis={"tickangle": -30},
        legend={"orientation": "h", "y": 1.1}, margin={"t": 40, "b": 140}, height=480, template="plotly_white",
    )
    return fig


QUADRANT_COLOURS = {"Concentrate here": "#c0392b", "Keep up the good work": "#1f6f8b",
                    "Low priority": "#999999", "Possible overkill": "#e2a03f"}


def ipa_figure(priority: pd.DataFrame) -> go.Figure:
    """Importance-performance matrix: touchpoints by importance (x) and performance (y), crosshairs as dashed lines."""
    placed = priority.dropna(subset=["importance", "performance"])
    fig = go.Figure()
    for quadrant, colour in QUADRANT_COLOURS.items():
        rows = placed[placed.quadrant == quadrant]
        fig.add_scatter(
            x=rows.importance * 100, y=rows.performance * 100, mode="markers+text", name=quadrant,
            text=rows.touchpoint_name, textposition="top center", marker={"size": 12, "color": colour},
            customdata=rows[["owner", "n_headline"]],
            hovertemplate="%{text}<br>owner %{customdata[0]}<br>importance %{x:.1f}%<br>"
                          "performance %{y:.1f}% (n=%{customdata[1]})<extra>" + quadrant + "</extra>",
        )
    if not placed.empty:
        fig.add_vline(x=placed.importance_crosshair.iloc[0] * 100, line_dash="dash", line_color="#888")
        fig.add_hline(y=placed.performance_crosshair.mean() * 100, line_dash="dash", line_color="#888")
    fig.update_layout(
        xaxis={"title": "importance: share of the outcome explained (%)"}, yaxis={"title": "performance (%)"},
        legend={"orientation": "h", "y": 1.12}, height=520, margin={"t": 60}, template="plotly_white",
    )
    return fig


def render_scorecard(data: ScorecardData) -> str:
    """One self-contained HTML page (plotly.js inlined, so it opens offline)."""
    touchpoints = data.touchpoints
    figure_html = performance_figure(touchpoints, data.min_base).to_html(
        full_html=False, include_plotlyjs=True, div_id="performance", config={"displaylogo": False}
    )
    ipa_html = ipa_figure(data.priority).to_html(
        full_html=False, include_plotlyjs=False, div_id="ipa", config={"displaylogo": False}
    )
    stages = [_records(group) for _, group in touchpoints.groupby("stage_position", sort=True)]
    return _TEMPLATES.get_template("scorecard.html.j2").render(
        data=data, stages=[(rows[0]["stage_name"], rows) for rows in stages], figure_html=figure_html,
        ipa_html=ipa_html, priority=_records(data.priority), effects=_records(data.effects),
        pct=_pct, num=_num, quality=_records(data.data_quality),
    )


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with missing values as None, so the template shows blanks rather than 'nan'."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _pct(value: float | None) -> str:
    return "–" if value is None or pd.isna(value) else f"{100 * value:.0f}%"


def _num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:.{digits}f}"
