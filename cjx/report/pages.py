"""The scorecard's HTML pages: the main page of a revisit and one page per owner, as strings.

Layout of one revisit's report (paths relative to the reports folder; only flows write them):

    scorecard_<revisit>.html                   the main page, self-contained (plotly.js inlined once)
    scorecard_<revisit>/owners/<owner>.html    one page per owner: their touchpoints, what to act on first
    scorecard_<revisit>/exports/...            CSV and XLSX of the scorecard tables, PNG snapshots
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import jinja2
import pandas as pd
import plotly.io as pio
from markupsafe import Markup

from cjx.report.assets import PLOTLY_ASSET, plotly_js
from cjx.report.data import ScorecardData
from cjx.report.figures import (
    QUADRANT_COLOURS,
    ipa_figure,
    journey_curve_figure,
    journey_curve_narrow_figure,
    paths_figure,
)
from cjx.report.importance_flags import importance_flags
from cjx.report.labels import Lang
from cjx.report.segments import SegmentData, segment_context
from cjx.report.sentences import act_first_reason
from cjx.report.trends import journey_trend_rows, touchpoint_trend_rows
from cjx.report.verbatims import split_verbatims, theme_groups, top_negative_theme

_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("cjx.report", "templates"),
    autoescape=True,  # every value from the data is text, never markup
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)
PLOTLY_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
}
# How many of the weakest critical touchpoints get their verbatims on the main page.
VERBATIM_TOUCHPOINTS = 2


@dataclass(frozen=True)
class ReportFiles:
    """Where one revisit's pages and exports live, relative to the reports folder."""

    revisit_id: str
    owners: tuple[str, ...] = ()

    @property
    def main(self) -> str:
        return f"scorecard_{self.revisit_id}.html"

    @property
    def folder(self) -> str:
        return f"scorecard_{self.revisit_id}"

    def owner(self, owner: str) -> str:
        return f"{self.folder}/owners/{owner_slugs(self.owners)[owner]}.html"

    def export(self, name: str) -> str:
        return f"{self.folder}/exports/{name}"


def owner_slugs(owners: tuple[str, ...] | list[str]) -> dict[str, str]:
    """A file-name-safe, unique slug per owner ("Customer Service" -> customer-service)."""
    slugs: dict[str, str] = {}
    for owner in owners:
        ascii_name = unicodedata.normalize("NFKD", owner).encode("ascii", "ignore").decode()
        base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "owner"
        slug, i = base, 2
        while slug in slugs.values():
            slug, i = f"{base}-{i}", i + 1
        slugs[owner] = slug
    return slugs


def chart_specs(data: ScorecardData, lang: Lang) -> dict[str, dict[str, str]]:
    """Each chart of the main page as plotly JSON, a wide layout and one re-laid for a phone (narrow)."""
    priority = data.priority
    figures = {
        "journey-curve": (
            journey_curve_figure(priority, lang, data.min_base),
            journey_curve_narrow_figure(priority, lang, data.min_base),
        ),
        "ipa": (ipa_figure(priority, lang), ipa_figure(priority, lang, narrow=True)),
    }
    if not data.paths.empty:
        figures["paths"] = (
            paths_figure(data.paths, data.touchpoints, lang),
            paths_figure(data.paths, data.touchpoints, lang, narrow=True),
        )
    return {
        div_id: {"wide": pio.to_json(wide, validate=False), "narrow": pio.to_json(narrow, validate=False)}
        for div_id, (wide, narrow) in figures.items()
    }


def _specs_json(specs: dict[str, dict[str, str]]) -> Markup:
    """The specs as one JSON object for a <script type="application/json"> block; "</" is escaped so a label
    can never close the script element (labels are already HTML-escaped for plotly)."""
    body = ",".join(f'"{div_id}":{{"wide":{spec["wide"]},"narrow":{spec["narrow"]}}}' for div_id, spec in specs.items())
    return Markup("{" + body.replace("</", "<\\/") + "}")


def render_scorecard(
    data: ScorecardData,
    exports: list[tuple[str, str]] | None = None,
    *,
    single_file: bool = False,
    segments: SegmentData | None = None,
) -> str:
    """The main page of a revisit; `exports`: (label, path) links.

    The page loads plotly.js from the shared bundle beside it (cjx.report.assets.PLOTLY_ASSET, written by
    write_assets), so a page weighs kilobytes, not megabytes, and still opens offline. `single_file` inlines the
    bundle instead: one file that works anywhere, at the bundle's weight. Charts are drawn from JSON specs, wide or
    re-laid for a phone by the page's width.
    """
    lang = Lang(data.language)
    files = ReportFiles(data.revisit_id, tuple(data.owners))
    priority = data.priority
    specs = chart_specs(data, lang)
    ranked = priority[priority.priority_rank.notna()]
    act_first = _priority_view(ranked.iloc[0], data, lang) if not ranked.empty else None
    if act_first is not None:
        act_first["reason"] = act_first_reason(act_first, len(ranked), lang, data.previous_revisit)
        act_first["top_theme"] = top_negative_theme(data.themes, act_first["touchpoint_id"])
    return _TEMPLATES.get_template(
        "scorecard.html.j2"
    ).render(
        data=data,
        lang=lang,
        files=files,
        charts=list(specs),
        chart_specs=_specs_json(specs),
        plotly_config=Markup(pio.json.to_json_plotly(PLOTLY_CONFIG)),
        plotly_src=PLOTLY_ASSET,
        plotly_inline=Markup(plotly_js()) if single_file else None,  # the bundle holds no "</script"
        exports=exports or [],
        revisit_links=revisit_links(data, ""),
        journey_trend=journey_trend_rows(data.journey_trend, lang),
        trend_rows=touchpoint_trend_rows(data.touchpoint_trends, priority, data.migrations, lang),
        kpis=[kpi_view(k, lang, data.n_tests) for k in data.kpis],
        act_first=act_first,
        next_in_line=[_priority_view(r, data, lang) for _, r in ranked.iloc[1:3].iterrows()],
        n_ranked=len(ranked),
        priority=[_priority_view(r, data, lang) for _, r in priority.iterrows()],
        stages=_stages(data.touchpoints),
        loops=_records(data.paths[data.paths.is_loop_back | data.paths.is_repeat]) if not data.paths.empty else [],
        names=dict(zip(data.touchpoints.touchpoint_id, data.touchpoints.touchpoint_name)),
        verbatims=_verbatim_blocks(data, weakest_critical(priority, VERBATIM_TOUCHPOINTS)),
        effects=_records(data.effects),
        quality=_records(data.data_quality),
        quarantine=_records(data.quarantine),
        blind_spots=_records(data.blind_spots),
        unmapped=_records(data.unmapped),
        owners=[(o, files.owner(o)) for o in data.owners],
        quadrant_colours=QUADRANT_COLOURS,
        segments=segment_context(  # the segment selector and "where it differs" (cjx.report.segments)
            priority,
            segments,
            lang,
            data.min_base,
            lambda r: _priority_view(r, data, lang),
            quadrant_colours=QUADRANT_COLOURS,
            plotly_config=Markup(pio.json.to_json_plotly(PLOTLY_CONFIG)),
        ),
    )


def render_owner_page(data: ScorecardData, owner: str, segments: SegmentData | None = None) -> str:
    """One owner's page: only their touchpoints, most urgent first, with what customers say about them."""
    lang = Lang(data.language)
    files = ReportFiles(data.revisit_id, tuple(data.owners))
    if owner not in data.owners:
        raise KeyError(f"{owner!r} owns no touchpoint in revisit {data.revisit_id}; owners: {data.owners}")
    mine = data.priority[data.priority.owner == owner]
    ranked = mine[mine.priority_rank.notna()]
    depth = files.owner(owner).count("/")  # ../ back to the reports folder
    return _TEMPLATES.get_template("owner.html.j2").render(
        data=data,
        lang=lang,
        owner=owner,
        revisit_links=revisit_links(data, "../" * depth),
        main_href="../" * depth + files.main,
        rows=[_priority_view(r, data, lang) for _, r in mine.iterrows()],
        first=_priority_view(ranked.iloc[0], data, lang) if not ranked.empty else None,
        n_ranked=int(data.priority.priority_rank.notna().sum()),
        verbatims=_verbatim_blocks(data, list(mine.touchpoint_id), limit=4),
        average=_first(data.priority.performance_crosshair),
        quadrant_colours=QUADRANT_COLOURS,
        segments=segment_context(  # the owner's touchpoints only, no charts (cjx.report.segments)
            data.priority,
            segments,
            lang,
            data.min_base,
            lambda r: _priority_view(r, data, lang),
            quadrant_colours=QUADRANT_COLOURS,
            plotly_config=Markup(pio.json.to_json_plotly(PLOTLY_CONFIG)),
            touchpoints=list(mine.touchpoint_id),
            link_owner=False,
        ),
    )


def revisit_links(data: ScorecardData, prefix: str) -> list[dict]:
    """Links to every revisit's main page (this one marked current), with `prefix` back to the reports folder."""
    ids = data.revisit_ids or [data.revisit_id]
    here = ids.index(data.revisit_id) if data.revisit_id in ids else -1
    return [
        {
            "revisit_id": r,
            "href": prefix + ReportFiles(r).main,
            "current": i == here,
            "rel": "prev" if i == here - 1 else "next" if i == here + 1 else None,
        }
        for i, r in enumerate(ids)
    ]


def weakest_critical(priority: pd.DataFrame, limit: int) -> list[str]:
    """Critical touchpoints with a base, weakest performance first (falls back to all touchpoints if none is critical)."""
    rated = priority[~priority.is_low_base.fillna(True).astype(bool) & priority.performance.notna()]
    critical = rated[rated.is_critical.fillna(False).astype(bool)]
    return list((critical if not critical.empty else rated).sort_values("performance").touchpoint_id.head(limit))


def kpi_view(kpi: dict, lang: Lang, n_tests: int = 0) -> dict:
    """A headline number as shown: value, interval, base and change, formatted for `lang`; `n_tests` is the size
    of the page's Benjamini-Hochberg family the change's q-value comes from."""
    share = kpi["kind"] == "share"
    fmt = (lambda v: lang.pct(v)) if share else (lambda v: lang.num(v, 0))
    view = {
        **kpi,
        "label": lang.t(f"kpi_{kpi['key']}"),
        "note": lang.t("kpi_overall_box", box=lang.box(kpi["box"]))
        if kpi.get("box")
        else lang.t(f"kpi_{kpi['key']}_note"),
        "text": fmt(kpi["value"]),
        "ci": lang.t("ci", low=fmt(kpi["ci_low"]), high=fmt(kpi["ci_high"])),
        "base": lang.t("base", n=lang.count(kpi["n"]))
        + (
            f" · {lang.t('base_effective', n=lang.count(round(kpi['n_eff'])))}"
            if kpi.get("n_eff") is not None and not pd.isna(kpi["n_eff"])
            else ""
        ),
        "change_text": None,
    }
    change = kpi.get("change")
    if change:
        diff = lang.pts(change["difference"]) if share else lang.num(change["difference"], 0, signed=True)
        view["change_text"] = lang.t("change_since", change=diff, previous=change["from"])
        view["mark"] = {"better": "▲", "worse": "▼"}.get(change["direction"] or "", "")
        view["significance"] = lang.t("significant" if change["is_significant"] else "not_significant")
        view["change_title"] = lang.t(
            "kpi_change_title",
            q=lang.num(change.get("q_value"), 3),
            n=lang.count(n_tests),
            p=lang.num(change["p_value"], 3),
            n_from=lang.count(change["n_from"]),
            n_to=lang.count(kpi["n"]),
        )
    return view


def change_view(row: pd.Series, lang: Lang, n_tests: int = 0) -> dict:
    """A touchpoint's change since the previous revisit (from marts.revisit_changes), as shown in a table cell."""
    status = row.get("change_status")
    if not isinstance(status, str):
        return {"text": "–", "mark": "", "title": "", "sort": "", "direction": ""}
    if status != "tested":
        key = "change_low_base" if status == "low base" else "change_not_comparable"
        return {"text": lang.t(key), "mark": "", "title": row.get("change_note") or "", "sort": "", "direction": ""}
    share = row.change_metric != "nps"
    fmt = (lambda v: lang.pts(v)) if share else (lambda v: lang.num(v, 0, signed=True))
    direction = row.change_direction if isinstance(row.change_direction, str) else ""
    return {
        "text": fmt(row.change),
        "mark": {"better": "▲", "worse": "▼"}.get(direction, ""),
        "direction": direction,
        "title": lang.t(
            "change_title",
            from_=row.change_from,
            to=row.revisit_id,
            low=fmt(row.change_ci_low),
            high=fmt(row.change_ci_high),
            q=lang.num(row.change_q_value, 3),
            n=lang.count(n_tests),
            n_from=lang.count(row.change_n_from),
            n_to=lang.count(row.n_headline),
        ),
        # NPS points onto the 0..1 performance scale, so sorting compares like with like
        "sort": float(row.change) if share else float(row.change) / 200,
    }


def _priority_view(row: pd.Series, data: ScorecardData, lang: Lang) -> dict:
    view = {k: (None if _isna(v) else v) for k, v in row.items()}
    view["change_view"] = change_view(row, lang, data.n_tests)
    view["quadrant_label"] = lang.quadrant(view["quadrant"])
    view["metric_label"] = lang.metric(view["headline_metric"])
    view["owner_href"] = ReportFiles(data.revisit_id, tuple(data.owners)).owner(row.owner)
    view["importance_flags"] = importance_flags(view, lang)
    return view


def _verbatim_blocks(data: ScorecardData, touchpoint_ids: list[str], limit: int = 6) -> list[dict]:
    rows = data.priority.set_index("touchpoint_id")
    blocks = []
    for tp in touchpoint_ids:
        groups = split_verbatims(data.verbatims, tp, limit)
        blocks.append(
            {
                "touchpoint_id": tp,
                "touchpoint_name": rows.loc[tp, "touchpoint_name"],
                "owner": rows.loc[tp, "owner"],
                **groups,
                "n_low": groups["n_own"] + groups["n_general"],
                "themes": theme_groups(data.verbatims, data.themes, tp),
            }
        )
    return blocks


def _stages(touchpoints: pd.DataFrame) -> list[tuple[str, list[dict]]]:
    ordered = touchpoints.sort_values(["stage_position", "touchpoint_position"])
    return [(group.stage_name.iloc[0], _records(group)) for _, group in ordered.groupby("stage_position", sort=True)]


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with missing values as None, so the template shows blanks rather than 'nan'."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _first(series: pd.Series) -> float | None:
    values = series.dropna()
    return None if values.empty else float(values.iloc[0])


def _isna(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
