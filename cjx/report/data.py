"""What one revisit's scorecard shows, read from the marts (and the few report queries in sql/report/)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from cjx.metrics.change import benjamini_hochberg, nps_test, two_proportion_test
from cjx.report.verbatims import load_themes, load_verbatims
from cjx.store import query

# One significance rule per page: every change a page marks, the journey's headline changes and every touchpoint
# change of marts.revisit_changes alike, is one family adjusted by Benjamini-Hochberg, significant at q < FDR.
# The glance, the priority table, the owner pages and the Prefect artifacts all read these q-values.
FDR = 0.05
SIGNIFICANCE_RULE = "bh"


@dataclass(frozen=True)
class ScorecardData:
    """Everything a scorecard page shows for one revisit; frames are mart rows as they are."""

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
    language: str = "en"
    previous_revisit: str | None = None
    kpis: list[dict] = field(default_factory=list)
    paths: pd.DataFrame = field(default_factory=pd.DataFrame)
    blind_spots: pd.DataFrame = field(default_factory=pd.DataFrame)
    unmapped: pd.DataFrame = field(default_factory=pd.DataFrame)
    quarantine: pd.DataFrame = field(default_factory=pd.DataFrame)
    verbatims: pd.DataFrame = field(default_factory=pd.DataFrame)
    themes: pd.DataFrame = field(default_factory=pd.DataFrame)  # marts.comment_themes + change (cjx.comments)
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    db_name: str = ""
    n_tests: int = 0  # changes in the page's one Benjamini-Hochberg family
    revisit_ids: list[str] = field(default_factory=list)  # every revisit with data, oldest first (page links)
    journey_trend: list[dict] = field(default_factory=list)  # per revisit up to this one: {revisit_id, kpis}
    touchpoint_trends: pd.DataFrame = field(default_factory=pd.DataFrame)  # sql/report/touchpoint_trends + marks
    migrations: pd.DataFrame = field(default_factory=pd.DataFrame)  # marts.quadrant_migrations into this revisit
    run_id: str = ""
    generated_at: str = ""  # UTC, when the page was rendered from the marts
    weighted_segments: list[str] = field(default_factory=list)  # names of the segments raked to (weighted revisit)

    @property
    def owners(self) -> list[str]:
        """Owners in the order their first touchpoint appears in the journey."""
        return list(dict.fromkeys(self.touchpoints.sort_values(["stage_position", "touchpoint_position"]).owner))


def load_scorecard_data(con: duckdb.DuckDBPyConnection, revisit_id: str, language: str | None = None) -> ScorecardData:
    """Read one revisit's rows from the marts; `language` overrides the journey's settings.language."""
    journey_name, min_base, journey_language = con.execute(
        "SELECT name, min_base, language FROM core.journey"
    ).fetchall()[0]
    touchpoints = con.execute(
        "SELECT * FROM marts.touchpoint_scorecard WHERE revisit_id = ? ORDER BY stage_position, touchpoint_position",
        [revisit_id],
    ).df()
    if touchpoints.empty:
        raise KeyError(f"no revisit {revisit_id!r} in marts.touchpoint_scorecard")
    headlines = query(con, "report/journey_headline")
    mine = headlines[headlines.revisit_id == revisit_id]
    if mine.empty:
        raise KeyError(f"no revisit {revisit_id!r} in marts.revisit_headline")
    position = headlines.index.get_loc(mine.index[0])
    previous = headlines.iloc[position - 1] if position > 0 else None
    first = touchpoints.iloc[0]
    kpis = headline_kpis(mine.iloc[0], previous)
    changes = con.execute(
        "SELECT * FROM marts.revisit_changes WHERE revisit_b = ? ORDER BY touchpoint_id, metric", [revisit_id]
    ).df()
    priority = with_performance_interval(query(con, "report/priority", {"revisit_id": revisit_id}))
    changes, adjusted, n_tests = adjust_page_family(kpis, changes, priority)
    priority = priority if adjusted is None else adjusted
    journey_trend, touchpoint_trends = load_trends(con, headlines, position, revisit_id)
    runs = query(con, "report/run_footer")
    db_name = (
        con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()[0][0]
        or ""
    )
    return ScorecardData(
        journey_name=journey_name,
        revisit_id=revisit_id,
        revisit_start=str(first.revisit_start.date()),
        revisit_end=str(first.revisit_end.date()),
        min_base=int(min_base),
        headline=mine.iloc[0].to_dict(),
        touchpoints=touchpoints,
        priority=priority,
        effects=con.execute(
            "SELECT * FROM marts.measure_effects WHERE revisit_id = ? ORDER BY measure, target", [revisit_id]
        ).df(),
        data_quality=con.execute("SELECT * FROM marts.data_quality ORDER BY source_id, file_name").df(),
        language=language or journey_language or "en",
        previous_revisit=None if previous is None else previous.revisit_id,
        kpis=kpis,
        paths=con.execute(
            "SELECT * FROM marts.journey_paths WHERE revisit_id = ? "
            "ORDER BY n_transitions DESC, from_touchpoint_id, to_touchpoint_id",
            [revisit_id],
        ).df(),
        blind_spots=con.execute(
            "SELECT b.* FROM marts.blind_spots b JOIN core.touchpoints t USING (touchpoint_id) "
            "JOIN core.stages s ON s.stage_id = t.stage_id WHERE b.revisit_id = ? ORDER BY s.position, t.position",
            [revisit_id],
        ).df(),
        unmapped=con.execute(
            "SELECT * FROM marts.unmapped_responses WHERE revisit_id = ? "
            "ORDER BY n_responses DESC, source_id, unmapped_reason",
            [revisit_id],
        ).df(),
        quarantine=query(con, "report/quarantine_reasons"),
        verbatims=load_verbatims(con, revisit_id),
        themes=load_themes(con, revisit_id),
        changes=changes,
        db_name=str(db_name).rsplit("/", 1)[-1],
        n_tests=n_tests,
        revisit_ids=list(headlines.revisit_id),
        journey_trend=journey_trend,
        touchpoint_trends=touchpoint_trends,
        migrations=con.execute(
            "SELECT * FROM marts.quadrant_migrations WHERE revisit_b = ? ORDER BY touchpoint_id", [revisit_id]
        ).df(),
        run_id="" if runs.empty else str(runs.run_id.iloc[0]),
        weighted_segments=[
            r[0]
            for r in con.execute(
                "SELECT DISTINCT s.name, s.position FROM core.weighting_margins m JOIN core.segments s USING "
                "(segment_id) WHERE EXISTS (SELECT 1 FROM core.weighting_revisits w WHERE w.revisit_id = ? AND "
                "w.status = 'weighted') ORDER BY s.position",
                [revisit_id],
            ).fetchall()
        ],
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def load_trends(
    con: duckdb.DuckDBPyConnection, headlines: pd.DataFrame, position: int, revisit_id: str
) -> tuple[list[dict], pd.DataFrame]:
    """The journey headline of every revisit up to this one, and each touchpoint's headline per revisit, each change
    marked significant by the Benjamini-Hochberg family of the later revisit's own page (the rule that page uses)."""
    journey, marks = [], []
    for i in range(position + 1):
        current, previous = headlines.iloc[i], headlines.iloc[i - 1] if i > 0 else None
        kpis = headline_kpis(current, previous)
        changes = con.execute(
            "SELECT * FROM marts.revisit_changes WHERE revisit_b = ? ORDER BY touchpoint_id, metric",
            [current.revisit_id],
        ).df()
        changes, _, _ = adjust_page_family(kpis, changes, None)
        journey.append({"revisit_id": current.revisit_id, "kpis": kpis})
        if not changes.empty:
            marks.append(changes[["revisit_b", "touchpoint_id", "metric", "is_significant", "direction"]])
    trends = query(con, "report/touchpoint_trends", {"revisit_id": revisit_id})
    trends["change_metric"] = trends.headline_metric.map(CHANGE_METRIC)
    if marks:
        marked = pd.concat(marks).rename(columns={"revisit_b": "revisit_id", "metric": "change_metric"})
        trends = trends.merge(marked, on=["revisit_id", "touchpoint_id", "change_metric"], how="left")
    else:
        trends = trends.assign(is_significant=None, direction=None)
    return journey, trends


# The marts.revisit_changes metric that tests each headline metric's change.
CHANGE_METRIC = {"csat": "csat_top2", "ces": "ces_easy", "nps": "nps", "binary": "binary"}


def with_performance_interval(priority: pd.DataFrame) -> pd.DataFrame:
    """Add performance_ci_low/high on the 0..1 performance scale (NPS headlines map (x + 100) / 200)."""
    out = priority.copy()
    is_nps = out.headline_metric == "nps"
    for side in ("low", "high"):
        ci = out[f"headline_ci_{side}"].astype(float)
        out[f"performance_ci_{side}"] = ci.where(~is_nps, (ci + 100) / 200)
    return out


def headline_kpis(current: pd.Series, previous: pd.Series | None) -> list[dict]:
    """NPS, overall satisfaction and CES for the journey: value, interval, base, and the change since `previous`."""
    kpis = [
        {
            "key": "nps",
            "kind": "nps",
            "value": current.nps,
            "ci_low": current.nps_ci_low,
            "ci_high": current.nps_ci_high,
            "n": current.n_nps,
            "n_eff": current.get("n_eff_nps") if current.get("is_weighted") else None,
        },
        {
            "key": "overall",
            "kind": "share",
            "value": current.overall_top2_share,
            "ci_low": current.overall_top2_ci_low,
            "ci_high": current.overall_top2_ci_high,
            "n": current.n_overall,
            "n_eff": current.get("n_eff_overall") if current.get("is_weighted") else None,
            "box": current.get("overall_box"),
        },
        {
            "key": "ces",
            "kind": "share",
            "value": current.ces_easy_share,
            "ci_low": current.ces_easy_ci_low,
            "ci_high": current.ces_easy_ci_high,
            "n": current.n_ces,
            "n_eff": current.get("n_eff_ces") if current.get("is_weighted") else None,
        },
    ]
    for kpi in kpis:
        kpi["n"] = 0 if pd.isna(kpi["n"]) else int(kpi["n"])
        kpi["change"] = None if previous is None else _headline_change(kpi["key"], previous, current)
    return [k for k in kpis if k["n"] > 0]


def _effective_counts(row: pd.Series, key: str, k: str, n: str) -> tuple[float, float]:
    """(k, n) of a headline share for its test: the counts, or in a weighted revisit the weighted share times the
    Kish effective base and that base (the effective-sample-size approximation; cjx.segments.weights)."""
    if bool(row.get("is_weighted", False)):
        n_eff = float(row[f"n_eff_{key}"])
        share = float(row["overall_top2_share" if key == "overall" else "ces_easy_share"])
        return share * n_eff, n_eff
    return float(row[k]), float(row[n])


def _headline_change(key: str, a: pd.Series, b: pd.Series) -> dict | None:
    if key == "nps":
        if not (a.n_nps and b.n_nps):
            return None
        result = nps_test(a.nps, a.nps_se, b.nps, b.nps_se)
        n_from = a.n_nps
    else:
        k, n = ("n_overall_top2", "n_overall") if key == "overall" else ("n_ces_easy", "n_ces")
        if pd.isna(a[n]) or pd.isna(b[n]) or not (a[n] and b[n]):
            return None
        result = two_proportion_test(*_effective_counts(a, key, k, n), *_effective_counts(b, key, k, n))
        n_from = a[n]
    # is_significant, direction and q_value are set by adjust_page_family, with the page's other changes
    return {**result, "from": a.revisit_id, "n_from": int(n_from), "is_significant": False, "direction": None}


def adjust_page_family(
    kpis: list[dict], changes: pd.DataFrame, priority: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame | None, int]:
    """Adjust the page's changes as one Benjamini-Hochberg family: the journey headline changes in `kpis` and
    the tested touchpoint changes of marts.revisit_changes. Sets q_value, is_significant and direction on each
    kpi change, on `changes` and on the priority frame's change_* columns; returns (changes, priority, n tests)."""
    changes = changes.copy()
    priority = None if priority is None else priority.copy()
    headline = [k["change"] for k in kpis if k.get("change")]
    tested = (changes.status == "tested") & changes.p_value.notna() if not changes.empty else pd.Series(dtype=bool)
    p_values = [float(c["p_value"]) for c in headline] + (
        list(changes.loc[tested, "p_value"].astype(float)) if not changes.empty else []
    )
    q: list[float] = list(benjamini_hochberg(p_values)) if p_values else []
    for change, q_value in zip(headline, q[: len(headline)]):
        change["q_value"] = float(q_value)
        change["is_significant"] = bool(q_value < FDR)
        change["direction"] = ("better" if change["difference"] > 0 else "worse") if change["is_significant"] else None
    if not changes.empty:
        changes["q_value"] = changes["q_value"].astype(float)
        changes.loc[tested, "q_value"] = q[len(headline) :]
        significant = tested & (changes.q_value < FDR)
        changes["is_significant"] = significant
        changes["direction"] = [
            ("better" if d > 0 else "worse") if s else None for d, s in zip(changes.difference, significant)
        ]
    if not changes.empty and priority is not None:
        by_key = changes.set_index(["touchpoint_id", "metric"])
        keys = list(zip(priority.touchpoint_id, priority.change_metric))
        found = [k in by_key.index for k in keys]
        priority["change_q_value"] = [by_key.q_value.get(k) if f else None for k, f in zip(keys, found)]
        priority["change_is_significant"] = [
            bool(by_key.is_significant.get(k)) if f else None for k, f in zip(keys, found)
        ]
        priority["change_direction"] = [by_key.direction.get(k) if f else None for k, f in zip(keys, found)]
    return changes, priority, len(p_values)
