"""Scorecard charts as plotly figures: the journey curve, the importance-performance matrix, observed paths."""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from cjx.report.labels import Lang

LOW_BASE_COLOUR, TARGET_COLOUR, AVERAGE_COLOUR, LINE_COLOUR = "#b5b5b5", "#222222", "#777777", "#9aa5b1"
QUADRANT_COLOURS = {
    "Concentrate here": "#c0392b",
    "Keep up the good work": "#1f6f8b",
    "Low priority": "#8c8c8c",
    "Possible overkill": "#e2a03f",
}
LINK_COLOURS = {
    "loop_back": "rgba(192, 57, 43, 0.55)",
    "repeat": "rgba(226, 160, 63, 0.65)",
    "forward": "rgba(120, 135, 150, 0.35)",
}
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13}


def _layout(fig: go.Figure, lang: Lang, **layout) -> go.Figure:
    """The house style, and numbers in plotly's own labels (ticks, hovers) with the language's separators."""
    fig.update_layout(
        template="plotly_white", font=FONT, hoverlabel={"font": FONT}, separators=lang.plotly_separators, **layout
    )
    return fig


def _figure(validate: bool) -> go.Figure:
    """An empty figure. validate=False skips plotly.py's property validation (several times faster to build): for
    the many copies of a chart that the page also draws validated from the same code (a segment value's curve and
    matrix, cjx.report.segments, whose specs leave the template out). The JSON is the validated one's, except that
    the template stays a name instead of being expanded (tests/test_figures_unvalidated.py)."""
    return go.Figure(_validate=validate)


def journey_curve_figure(
    priority: pd.DataFrame, lang: Lang = Lang(), min_base: int = 30, *, validate: bool = True
) -> go.Figure:
    """Performance per touchpoint in journey order (the "emotional curve"), stages as bands, owners under names.

    `priority` is the report's priority frame (marts.touchpoint_priority plus performance_ci_*). The rank-1
    touchpoint is called out with an arrow, so the weakest important touchpoint and its owner stand out.
    """
    tp = priority.sort_values(["stage_position", "touchpoint_position"]).reset_index(drop=True)
    x = list(range(len(tp)))
    perf = tp.performance.astype(float) * 100
    low = tp.is_low_base.fillna(False).astype(bool)
    fig = _figure(validate)
    # stage bands, alternately shaded, each labelled once at the top
    for i, (_stage, group) in enumerate(tp.groupby("stage_position", sort=True)):
        left, right = group.index.min() - 0.5, group.index.max() + 0.5
        if i % 2 == 0:
            fig.add_vrect(x0=left, x1=right, fillcolor="#f3f5f7", line_width=0, layer="below")
        fig.add_annotation(
            x=(left + right) / 2,
            y=1.0,
            yref="paper",
            yanchor="bottom",
            showarrow=False,
            text=f"<b>{_plain(group.stage_name.iloc[0])}</b>",
            font={"size": 13, "color": "#444"},
        )
    fig.add_scatter(
        x=x,
        y=perf,
        mode="lines",
        line={"color": LINE_COLOUR, "width": 3, "shape": "spline", "smoothing": 0.6},
        hoverinfo="skip",
        showlegend=False,
        connectgaps=True,
    )
    colours = [
        LOW_BASE_COLOUR if is_low else QUADRANT_COLOURS.get(q, LOW_BASE_COLOUR) for is_low, q in zip(low, tp.quadrant)
    ]
    critical = tp.is_critical.fillna(False).astype(bool)
    fig.add_scatter(
        x=x,
        y=perf,
        mode="markers+text",
        showlegend=False,
        text=[lang.pct(v) for v in tp.performance],
        textposition="top right",
        textfont={"size": 12},
        marker={
            "size": [18 if c else 13 for c in critical],
            "color": ["white" if is_low else c for is_low, c in zip(low, colours)],
            "line": {"color": list(colours), "width": [3 if c else 2 for c in critical]},
            "symbol": ["diamond" if c else "circle" for c in critical],
        },
        error_y={
            "type": "data",
            "symmetric": False,
            "color": "#555",
            "thickness": 1.2,
            "width": 4,
            "array": (tp.performance_ci_high.astype(float) * 100 - perf).clip(lower=0),
            "arrayminus": (perf - tp.performance_ci_low.astype(float) * 100).clip(lower=0),
        },
        customdata=_curve_customdata(tp, lang),
        hovertemplate=CURVE_HOVER,
    )
    targets = tp.target.astype(float) * 100
    has_target = targets.notna()
    if has_target.any():
        fig.add_scatter(
            x=[i for i, t in zip(x, has_target) if t],
            y=targets[has_target],
            mode="markers",
            name=lang.t("target"),
            marker={"symbol": "line-ew", "size": 26, "line": {"color": TARGET_COLOUR, "width": 3}},
            hovertemplate=lang.t("target") + " %{y:.0f}" + lang.pct_suffix + "<extra></extra>",
        )
    average = tp.performance_crosshair.dropna()
    if not average.empty:
        fig.add_hline(
            y=float(average.iloc[0]) * 100,
            line_dash="dot",
            line_color=AVERAGE_COLOUR,
            annotation_text=lang.t("journey_average"),
            annotation_position="bottom right",
            annotation_font={"color": AVERAGE_COLOUR, "size": 11},
        )
    first = tp[tp.priority_rank == 1]
    if not first.empty:
        i = int(first.index[0])
        fig.add_annotation(
            x=i,
            y=float(perf[i]),
            ax=0,
            ay=95,
            showarrow=True,
            arrowhead=2,
            arrowwidth=2,
            arrowcolor=QUADRANT_COLOURS["Concentrate here"],
            bgcolor="#fdecea",
            bordercolor=QUADRANT_COLOURS["Concentrate here"],
            borderpad=4,
            font={"color": "#7b1d14", "size": 13},
            text=f"<b>{lang.t('act_first')}: {_plain(first.touchpoint_name.iloc[0])}</b><br>"
            f"{_plain(first.owner.iloc[0])}",
        )
    fig.update_xaxes(
        tickvals=x,
        ticktext=[
            f"{_wrapped(n)}<br><span style='color:#666'>{_plain(o)}</span>"
            for n, o in zip(tp.touchpoint_name, tp.owner)
        ],
        range=[-0.6, len(tp) - 0.4],
        showgrid=False,
        tickangle=0,
        tickfont={"size": 11},
    )
    fig.update_yaxes(title=lang.t("curve_axis"), range=[0, 105], ticksuffix=lang.pct_suffix)
    return _layout(
        fig,
        lang,
        height=490,
        margin={"t": 40, "b": 90, "l": 70, "r": 20},
        legend={"orientation": "h", "y": -0.2, "x": 1, "xanchor": "right"},
    )


CURVE_HOVER = (
    "<b>%{customdata[0]}</b> (%{customdata[1]})<br>%{customdata[8]} %{customdata[5]}<br>"
    "%{customdata[7]} %{customdata[3]}–%{customdata[4]}, n = %{customdata[2]}<br>%{customdata[6]}<extra></extra>"
)


def _curve_customdata(tp: pd.DataFrame, lang: Lang) -> list[tuple]:
    return list(
        zip(
            map(_plain, tp.touchpoint_name),
            map(_plain, tp.owner),
            [lang.count(n) for n in tp.n_headline.fillna(0)],
            [lang.pct(v) for v in tp.performance_ci_low],
            [lang.pct(v) for v in tp.performance_ci_high],
            [lang.metric(m) for m in tp.headline_metric],
            [lang.quadrant(q) if isinstance(q, str) else lang.t("low_base") for q in tp.quadrant],
            [lang.t("ci_short")] * len(tp),
            [lang.pct(v) for v in tp.performance],
        )
    )


def journey_curve_narrow_figure(
    priority: pd.DataFrame, lang: Lang = Lang(), min_base: int = 30, *, validate: bool = True
) -> go.Figure:
    """The journey curve re-laid for a phone: touchpoints top to bottom in journey order (names on the left,
    one line each, never overlapping), performance across with 95% whiskers, stages as bands."""
    tp = priority.sort_values(["stage_position", "touchpoint_position"]).reset_index(drop=True)
    y = list(range(len(tp)))
    perf = tp.performance.astype(float) * 100
    low = tp.is_low_base.fillna(False).astype(bool)
    fig = _figure(validate)
    for i, (_stage, group) in enumerate(tp.groupby("stage_position", sort=True)):
        top, bottom = group.index.min() - 0.5, group.index.max() + 0.5
        if i % 2 == 0:
            fig.add_hrect(y0=top, y1=bottom, fillcolor="#f3f5f7", line_width=0, layer="below")
        fig.add_annotation(
            x=1.0,
            xref="paper",
            xanchor="right",
            y=top,
            yanchor="top",
            showarrow=False,
            text=f"<i>{_plain(group.stage_name.iloc[0])}</i>",
            font={"size": 10, "color": "#666"},
        )
    colours = [
        LOW_BASE_COLOUR if is_low else QUADRANT_COLOURS.get(q, LOW_BASE_COLOUR) for is_low, q in zip(low, tp.quadrant)
    ]
    critical = tp.is_critical.fillna(False).astype(bool)
    fig.add_scatter(
        x=perf,
        y=y,
        mode="markers+text",
        showlegend=False,
        text=[lang.pct(v) for v in tp.performance],
        textposition="middle left",
        textfont={"size": 10},
        marker={
            "size": [14 if c else 10 for c in critical],
            "color": ["white" if is_low else c for is_low, c in zip(low, colours)],
            "line": {"color": list(colours), "width": 2},
            "symbol": ["diamond" if c else "circle" for c in critical],
        },
        error_x={
            "type": "data",
            "symmetric": False,
            "color": "#555",
            "thickness": 1,
            "width": 3,
            "array": (tp.performance_ci_high.astype(float) * 100 - perf).clip(lower=0),
            "arrayminus": (perf - tp.performance_ci_low.astype(float) * 100).clip(lower=0),
        },
        customdata=_curve_customdata(tp, lang),
        hovertemplate=CURVE_HOVER,
    )
    targets = tp.target.astype(float) * 100
    has_target = targets.notna()
    if has_target.any():
        fig.add_scatter(
            x=targets[has_target],
            y=[i for i, t in zip(y, has_target) if t],
            mode="markers",
            name=lang.t("target"),
            marker={"symbol": "line-ns", "size": 18, "line": {"color": TARGET_COLOUR, "width": 3}},
            hovertemplate=lang.t("target") + " %{x:.0f}" + lang.pct_suffix + "<extra></extra>",
            showlegend=False,
        )
    average = tp.performance_crosshair.dropna()
    if not average.empty:
        fig.add_vline(x=float(average.iloc[0]) * 100, line_dash="dot", line_color=AVERAGE_COLOUR)
    fig.update_yaxes(
        tickvals=y,
        ticktext=[
            f"<b>{_short(n, 18)}</b>" if first else _short(n, 18)
            for n, first in zip(tp.touchpoint_name, tp.priority_rank.fillna(0) == 1)
        ],
        autorange="reversed",
        showgrid=False,
        tickfont={"size": 11},
    )
    fig.update_xaxes(range=[0, 105], ticksuffix=lang.pct_suffix, title=None, side="top")
    return _layout(fig, lang, height=60 + 34 * len(tp), margin={"t": 30, "b": 10, "l": 10, "r": 10})


def ipa_figure(
    priority: pd.DataFrame, lang: Lang = Lang(), narrow: bool = False, *, validate: bool = True
) -> go.Figure:
    """Importance (x) against performance (y), one colour per quadrant, crosshairs dashed, quadrants labelled.
    `narrow` (a phone): no name beside each point (the hover and the table give it), smaller quadrant labels."""
    placed = priority.dropna(subset=["importance", "performance"])
    fig = _figure(validate)
    for quadrant, colour in QUADRANT_COLOURS.items():
        rows = placed[placed.quadrant == quadrant]
        fig.add_scatter(
            x=rows.importance * 100,
            y=rows.performance * 100,
            mode="markers" if narrow else "markers+text",
            name=lang.quadrant(quadrant),
            text=[_plain(t) for t in rows.touchpoint_name],
            textposition="top center",
            marker={
                "size": [18 if c else 12 for c in rows.is_critical],
                "color": colour,
                "symbol": ["diamond" if c else "circle" for c in rows.is_critical],
                "line": {"color": "white", "width": 1},
            },
            customdata=list(
                zip(
                    map(_plain, rows.owner),
                    [lang.count(n) for n in rows.n_headline],
                    [lang.pct(v, 1) for v in rows.importance],
                    [lang.pct(v) for v in rows.performance],
                )
            ),
            hovertemplate="<b>%{text}</b> (%{customdata[0]})<br>"
            + lang.t("hover_importance")
            + " %{customdata[2]}<br>"
            + lang.t("hover_performance")
            + " %{customdata[3]} (n = %{customdata[1]})<extra>"
            + lang.quadrant(quadrant)
            + "</extra>",
        )
    if not placed.empty:
        cx, cy = float(placed.importance_crosshair.iloc[0]) * 100, float(placed.performance_crosshair.iloc[0]) * 100
        fig.add_vline(x=cx, line_dash="dash", line_color="#888")
        fig.add_hline(y=cy, line_dash="dash", line_color="#888")
        x_max = max(float(placed.importance.max()) * 100 * 1.15, cx * 1.5)
        y_min = max(0.0, min(float(placed.performance.min()) * 100 - 10, cy - 15))
        x_min = -0.1 * x_max  # room for the labels of touchpoints near zero importance
        for quadrant, (x, y, xa, ya) in {
            "Concentrate here": (x_max, y_min, "right", "bottom"),
            "Keep up the good work": (x_max, 100, "right", "top"),
            "Low priority": (x_min, y_min, "left", "bottom"),
            "Possible overkill": (x_min, 100, "left", "top"),
        }.items():
            fig.add_annotation(
                x=x,
                y=y,
                xanchor=xa,
                yanchor=ya,
                showarrow=False,
                text=f"<b>{lang.quadrant(quadrant)}</b>",
                font={"color": QUADRANT_COLOURS[quadrant], "size": 11 if narrow else 14},
                opacity=0.85,
            )
        fig.update_xaxes(range=[x_min, x_max])
        fig.update_yaxes(range=[y_min, 100])
    fig.update_xaxes(title=lang.t("ipa_x"), ticksuffix=lang.pct_suffix)
    fig.update_yaxes(title=lang.t("ipa_y"), ticksuffix=lang.pct_suffix)
    if narrow:
        fig.update_xaxes(title={"text": lang.t("ipa_x"), "font": {"size": 11}})
        fig.update_yaxes(title={"text": lang.t("ipa_y"), "font": {"size": 11}})
        return _layout(
            fig, lang, height=440, margin={"t": 20, "l": 50, "r": 10, "b": 40}, legend={"orientation": "h", "y": -0.25}
        )
    return _layout(fig, lang, height=520, margin={"t": 30, "l": 70, "r": 20}, legend={"orientation": "h", "y": -0.15})


def paths_figure(
    paths: pd.DataFrame, touchpoints: pd.DataFrame, lang: Lang = Lang(), narrow: bool = False
) -> go.Figure:
    """Observed transitions as a two-column Sankey: where customers were (left) and where they went next (right).

    A two-column layout is used instead of one node per touchpoint because real journeys loop: plotly draws
    cycles and self-links poorly, while from/next columns show loop-backs and repeats as ordinary coloured bands.
    """
    order = touchpoints.sort_values(["stage_position", "touchpoint_position"])
    names = dict(zip(order.touchpoint_id, order.touchpoint_name))
    used = [t for t in order.touchpoint_id if t in set(paths.from_touchpoint_id) | set(paths.to_touchpoint_id)]
    left = {t: i for i, t in enumerate(used)}
    right = {t: len(used) + i for i, t in enumerate(used)}
    kinds = [
        "repeat" if r else ("loop_back" if lb else "forward") for r, lb in zip(paths.is_repeat, paths.is_loop_back)
    ]
    n = max(len(used) - 1, 1)

    def _label(name: str) -> str:
        return _short(name, 12) if narrow else _plain(name)

    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": [f"{_label(names[t])} ({lang.t('paths_from')})" for t in used]
                + [f"{_label(names[t])} ({lang.t('paths_to')})" for t in used],
                "x": [0.001] * len(used) + [0.999] * len(used),
                "y": [0.001 + 0.998 * i / n for i in range(len(used))] * 2,
                "pad": 18,
                "thickness": 16,
                "color": "#4a6274",
                "line": {"width": 0},
            },
            link={
                "source": [left[t] for t in paths.from_touchpoint_id],
                "target": [right[t] for t in paths.to_touchpoint_id],
                "value": paths.n_transitions.astype(int).tolist(),
                "color": [LINK_COLOURS[k] for k in kinds],
                "customdata": list(zip(paths.n_customers.astype(int), [lang.t(k) for k in kinds])),
                "hovertemplate": "%{source.label} → %{target.label}<br>%{value} "
                + lang.t("hover_transitions")
                + ", %{customdata[0]} "
                + lang.t("hover_customers")
                + "<br>%{customdata[1]}<extra></extra>",
            },
        )
    )
    if narrow:
        fig.update_traces(textfont={"size": 10})
        return _layout(fig, lang, height=max(320, 70 * len(used)), margin={"t": 10, "b": 10, "l": 5, "r": 5})
    return _layout(fig, lang, height=max(320, 90 * len(used)), margin={"t": 20, "b": 20, "l": 20, "r": 20})


def _short(text: object, width: int) -> str:
    """A label cut to `width` characters with an ellipsis (the hover shows it whole)."""
    text = str(text)
    return _plain(text if len(text) <= width else text[: width - 1].rstrip() + "…")


def _wrapped(text: object, width: int = 13) -> str:
    """A tick label broken onto lines of about `width` characters, so neighbouring names do not overlap."""
    return "<br>".join(_plain(line) for line in textwrap.wrap(str(text), width) or [""])


def _plain(text: object) -> str:
    """Text for plotly labels, which render a subset of HTML: escape it so data never becomes markup."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
