"""The segment selector and the "where it differs" table of the scorecards (issue 15).

The page stays a file: every segment value's curve, matrix and priority table is computed here and embedded as
JSON (the figures by the same functions as the journey's, from a priority frame with the value's own headline,
importance, quadrant and rank), and a small script swaps them in when a value is picked: no server.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import jinja2
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from markupsafe import Markup

from cjx.report.data import with_performance_interval
from cjx.report.figures import ipa_figure, journey_curve_figure, journey_curve_narrow_figure
from cjx.report.labels import Lang
from cjx.report.segment_labels import segment_label
from cjx.store import query

# What a segment value replaces in the journey's priority frame (marts.segment_priority's columns).
VALUE_COLUMNS = [
    "n_headline",
    "headline_value",
    "headline_ci_low",
    "headline_ci_high",
    "is_low_base",
    "performance",
    "importance",
    "importance_ci_low",
    "importance_ci_high",
    "importance_rank",
    "importance_crosshair",
    "performance_crosshair",
    "priority_score",
    "quadrant",
    "priority_rank",
]
# The change since the previous revisit is the journey's, not the value's: blank for a segment value.
CHANGE_COLUMNS = ["change_status", "change_metric", "change", "change_direction"]


@dataclass(frozen=True)
class SegmentData:
    """One revisit's segment marts, for the pages."""

    values: pd.DataFrame  # segment_id, segment_name, segment_value, n_respondents
    priority: pd.DataFrame  # marts.segment_priority of the revisit
    scorecard: pd.DataFrame  # marts.segment_scorecard of the revisit
    # each value's priority frame (value_priority), made once for the main page and every owner page of the revisit
    frames: dict[tuple[int, str, str], pd.DataFrame] = field(default_factory=dict, compare=False, repr=False)

    def value_frames(self, journey: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
        """(segment id, value, the journey's priority frame with the value's numbers) per segment value."""
        out = []
        for (segment_id, value), rows in self.priority.groupby(["segment_id", "segment_value"], sort=False):
            key = (id(journey), segment_id, value)  # the pages of a revisit pass the same journey frame
            if key not in self.frames:
                self.frames[key] = value_priority(journey, rows)
            out.append((segment_id, value, self.frames[key]))
        return out


def load_segment_data(con: duckdb.DuckDBPyConnection, revisit_id: str) -> SegmentData | None:
    """The revisit's segment rows; None when the journey declares no segment or none has a value here."""
    values = query(con, "report/segment_values", {"revisit_id": revisit_id})
    if values.empty:
        return None
    return SegmentData(
        values=values,
        priority=con.execute("SELECT * FROM marts.segment_priority WHERE revisit_id = ?", [revisit_id]).df(),
        scorecard=con.execute("SELECT * FROM marts.segment_scorecard WHERE revisit_id = ?", [revisit_id]).df(),
    )


def value_priority(journey: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """The journey's priority frame (report/priority.sql) with one segment value's numbers in place, same order."""
    mine = rows.set_index("touchpoint_id")[VALUE_COLUMNS]
    out = journey.drop(columns=[c for c in VALUE_COLUMNS if c in journey.columns]).join(mine, on="touchpoint_id")
    out["gap_to_target"] = out.performance - out.target
    for column in CHANGE_COLUMNS:
        if column in out.columns:
            out[column] = None
    out = with_performance_interval(out)
    return out.sort_values(["priority_rank", "stage_position", "touchpoint_position"], na_position="last")


def _key(segment_id: str, value: str) -> str:
    return json.dumps([segment_id, value], ensure_ascii=False)


def selector_options(segments: SegmentData, lang: Lang) -> list[dict]:
    """The <select> options, grouped by segment: key, label (value and respondents)."""
    groups: list[dict] = []
    for (segment_id, name), group in segments.values.groupby(["segment_id", "segment_name"], sort=False):
        groups.append(
            {
                "segment_id": segment_id,
                "label": name,
                "options": [
                    {
                        "key": _key(segment_id, r.segment_value),
                        "label": f"{r.segment_value} (n = {lang.count(r.n_respondents)})",
                        "shown": segment_label(
                            lang.code,
                            "segment_shown",
                            segment=name,
                            value=r.segment_value,
                            n=lang.count(r.n_respondents),
                        ),
                    }
                    for r in group.itertuples()
                ],
            }
        )
    return groups


def value_specs(
    journey: pd.DataFrame,
    segments: SegmentData,
    lang: Lang,
    min_base: int,
    render_rows: Callable[[list[dict]], str],
    row_view: Callable[[pd.Series], dict],
    *,
    charts: bool = True,
    touchpoints: list[str] | None = None,
) -> Markup:
    """Per segment value: the curve and matrix specs (wide and narrow) and the priority table's rows as HTML.

    `row_view` turns a priority row into what the priority_row macro shows; `touchpoints` keeps only those (an
    owner's page). The JSON has "</" escaped so no label can close the script element.
    """
    specs: dict[str, dict] = {}
    for segment_id, value, frame in segments.value_frames(journey):
        entry: dict[str, object] = {}
        if charts:
            entry["charts"] = {
                # unvalidated: the page's own charts, validated, come from the same code (cjx.report.figures._figure)
                "journey-curve": {
                    "wide": _spec(journey_curve_figure(frame, lang, min_base, validate=False)),
                    "narrow": _spec(journey_curve_narrow_figure(frame, lang, min_base, validate=False)),
                },
                "ipa": {
                    "wide": _spec(ipa_figure(frame, lang, validate=False)),
                    "narrow": _spec(ipa_figure(frame, lang, narrow=True, validate=False)),
                },
            }
        shown = frame if touchpoints is None else frame[frame.touchpoint_id.isin(touchpoints)]
        entry["rows"] = re.sub(r">\s+<", "><", render_rows([row_view(r) for _, r in shown.iterrows()]))
        specs[_key(segment_id, value)] = entry
    return Markup(json.dumps(specs, ensure_ascii=False).replace("</", "<\\/"))


def _spec(fig: go.Figure) -> dict:
    """A figure as plotly JSON without its template (7 KB, the same in every chart): the page's script takes the
    template of the journey's own chart spec."""
    spec = json.loads(pio.to_json(fig, validate=False))
    spec["layout"].pop("template", None)
    return spec


def differs_rows(segments: SegmentData, lang: Lang, touchpoints: list[str] | None = None) -> list[dict]:
    """Significant segment gaps, largest first (on the 0..1 performance scale: NPS points / 200), as shown."""
    sig = segments.scorecard[segments.scorecard.is_significant.fillna(False).astype(bool)].copy()
    if touchpoints is not None:
        sig = sig[sig.touchpoint_id.isin(touchpoints)]
    if sig.empty:
        return []
    is_nps = sig.headline_metric == "nps"
    sig["size"] = sig.difference.abs().where(~is_nps, sig.difference.abs() / 200)
    sig = sig.sort_values(["size", "segment_position", "touchpoint_position"], ascending=[False, True, True])
    out = []
    for r in sig.itertuples():
        nps = r.headline_metric == "nps"
        fmt = (lambda v: lang.num(v, 0)) if nps else (lambda v: lang.pct(v))
        gap = lang.num(r.difference, 0, signed=True) if nps else lang.pts(r.difference)
        gap_ci = (
            f"{lang.num(r.difference_ci_low, 0, signed=True)}–{lang.num(r.difference_ci_high, 0, signed=True)}"
            if nps
            else f"{lang.pts(r.difference_ci_low)}–{lang.pts(r.difference_ci_high)}"
        )
        out.append(
            {
                "segment_id": r.segment_id,
                "segment_name": r.segment_name,
                "segment_value": r.segment_value,
                "touchpoint_id": r.touchpoint_id,
                "touchpoint_name": r.touchpoint_name,
                "owner": r.owner,
                "metric_label": lang.metric(r.headline_metric),
                "value": fmt(r.headline_value),
                "value_ci": f"{fmt(r.headline_ci_low)}–{fmt(r.headline_ci_high)}",
                "n": lang.count(r.n_headline),
                "rest": fmt(r.rest_value),
                "n_rest": lang.count(r.n_rest),
                # a weighted revisit's Kish effective bases beside the counts (the test rests on them)
                "n_eff": lang.count(round(r.n_eff_headline)) if getattr(r, "is_weighted", False) else None,
                "n_eff_rest": lang.count(round(r.n_eff_rest)) if getattr(r, "is_weighted", False) else None,
                "gap": gap,
                "gap_ci": gap_ci,
                "difference": float(r.difference),
                "size": float(r.size),
                "direction": r.direction,
                "q": lang.num(r.q_value, 3),
            }
        )
    return out


_ROWS = jinja2.Environment(
    loader=jinja2.PackageLoader("cjx.report", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


def segment_context(
    journey: pd.DataFrame,
    segments: SegmentData | None,
    lang: Lang,
    min_base: int,
    row_view: Callable[[pd.Series], dict],
    *,
    quadrant_colours: dict[str, str],
    plotly_config: Markup,
    touchpoints: list[str] | None = None,
    link_owner: bool = True,
) -> dict | None:
    """What the segment templates show (selector, specs, "where it differs"); None without segments."""
    if segments is None:
        return None
    template = _ROWS.get_template("segment_rows.html.j2")

    def render_rows(views: list[dict]) -> str:
        return template.render(rows=views, lang=lang, quadrant_colours=quadrant_colours, link_owner=link_owner)

    labels = {
        key: segment_label(lang.code, key, **({"min_base": min_base} if key == "differs_caption" else {}))
        for key in (
            "segments",
            "segment_select",
            "all_respondents",
            "segment_caption",
            "differs",
            "differs_caption",
            "differs_none",
            "col_segment",
            "col_value",
            "col_this_value",
            "col_rest",
            "col_gap",
            "col_q",
        )
    }
    return {
        "t": labels,
        "options": selector_options(segments, lang),
        "specs": value_specs(
            journey,
            segments,
            lang,
            min_base,
            render_rows,
            row_view,
            charts=touchpoints is None,
            touchpoints=touchpoints,
        ),
        "differs": differs_rows(segments, lang, touchpoints),
        "config": plotly_config,
    }
