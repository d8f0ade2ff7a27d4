"""One meaning per column name across the marts, applied as COMMENT ON where a mart's SQL gives none."""

from __future__ import annotations

import duckdb

from cjx.store import quote_ident

GLOSSARY: dict[str, str] = {
    # keys and journey
    "revisit_id": "Revisit (wave) of the journey, as declared in journey.yml.",
    "revisit_a": "Earlier revisit of the comparison.",
    "revisit_b": "Later revisit of the comparison.",
    "revisit_start": "First day of the revisit period (UTC date).",
    "revisit_end": "Last day of the revisit period (UTC date).",
    "first_revisit": "First revisit in the trend.",
    "last_revisit": "Last revisit in the trend.",
    "n_revisits": "Number of computed revisits the trend spans.",
    "touchpoint_id": "Touchpoint key from journey.yml.",
    "touchpoint_name": "Touchpoint name as declared in journey.yml.",
    "touchpoint_position": "Order of the touchpoint in the declared journey.",
    "from_touchpoint_id": "Touchpoint the customer left.",
    "to_touchpoint_id": "Next touchpoint the same customer met.",
    "target_touchpoint_id": "Touchpoint whose rating is moved (NULL when the target is the outcome).",
    "stage_id": "Journey stage key.",
    "stage_name": "Journey stage name.",
    "stage_position": "Order of the stage in the declared journey.",
    "owner": "Department or team that owns the touchpoint.",
    "is_critical": "Declared critical by the business in journey.yml.",
    "target_metric": "Metric of the declared target (csat, ces or nps).",
    "target_value": "Declared target (service promise) in headline units.",
    "target": "Target on the 0..1 performance scale.",
    "source_id": "Source (survey or operational export) as declared in journey.yml.",
    "snapshot_id": "Snapshot of the revisit this row was frozen in (revisit#n).",
    "journey_version": "sha256 of the journey file in force when computed.",
    "computed_at": "When the snapshot was computed (UTC).",
    # bases and flags
    "n_responses": "Base: number of responses.",
    "n_headline": "Base of the headline metric.",
    "n_eff_headline": "Kish effective base of the headline, (sum w)^2 / sum w^2 (= n_headline unweighted).",
    "n_eff_csat": "Kish effective base of the CSAT answers (= n_csat unweighted).",
    "n_eff_ces": "Kish effective base of the CES answers (= n_ces unweighted).",
    "n_eff_binary": "Kish effective base of the binary answers (= n_binary unweighted).",
    "n_eff_nps": "Kish effective base of the NPS answers (= n_nps unweighted).",
    "n_eff_overall": "Kish effective base of the overall-satisfaction answers (= n_overall unweighted).",
    "n_eff_rest": "Kish effective base of the rest of the segment's respondents (= n_rest unweighted).",
    "is_weighted": "Raked to the journey's weighting margins: estimates and intervals weighted, on the effective base.",
    "n_csat": "Base: CSAT answers (N/A excluded).",
    "n_csat_top2": "CSAT answers in the top two boxes.",
    "n_ces": "Base: CES answers (N/A excluded).",
    "n_ces_easy": "CES answers above the scale midpoint.",
    "n_nps": "Base: NPS answers (N/A excluded).",
    "n_promoters": "NPS answers 9-10.",
    "n_detractors": "NPS answers 0-6.",
    "n_overall": "Base: overall-satisfaction answers.",
    "n_customers": "Customers in the denominator (or customers making the transition in journey_paths).",
    "n_reached": "Customers who passed through the touchpoint.",
    "n_transitions": "Number of transitions from one touchpoint to the next.",
    "n_respondents": "Outcome-survey responses in the revisit.",
    "n_resamples": "Bootstrap resamples behind the intervals.",
    "n": "Base: pairs used.",
    "n_a": "Base in the earlier revisit.",
    "n_b": "Base in the later revisit.",
    "is_low_base": "Base below core.journey.min_base: a hint, not a finding.",
    "blind_spot": "no feedback (n = 0) or low base.",
    # performance
    "csat_mean": "Mean CSAT on its declared scale.",
    "csat_sd": "Standard deviation of CSAT answers.",
    "csat_mean_ci_low": "Lower bound of the 95% t interval of the CSAT mean.",
    "csat_mean_ci_high": "Upper bound of the 95% t interval of the CSAT mean.",
    "csat_top2_share": "Share of CSAT answers in the top two boxes.",
    "csat_top2_ci_low": "Lower bound of the 95% Wilson interval of the top-2-box share.",
    "csat_top2_ci_high": "Upper bound of the 95% Wilson interval of the top-2-box share.",
    "ces_mean": "Mean CES with direction applied (high = easy).",
    "ces_sd": "Standard deviation of CES answers (direction applied).",
    "ces_mean_ci_low": "Lower bound of the 95% t interval of the CES mean.",
    "ces_mean_ci_high": "Upper bound of the 95% t interval of the CES mean.",
    "ces_easy_share": "Share of CES answers above the scale midpoint.",
    "ces_easy_ci_low": "Lower bound of the 95% Wilson interval of the share easy.",
    "ces_easy_ci_high": "Upper bound of the 95% Wilson interval of the share easy.",
    "nps": "Net Promoter Score: % promoters (9-10) minus % detractors (0-6), -100..100.",
    "nps_se": "Standard error of NPS x 100 (Rocks 2016).",
    "nps_ci_low": "Lower bound of NPS - 1.96 SE, clamped to -100.",
    "nps_ci_high": "Upper bound of NPS + 1.96 SE, clamped to 100.",
    "promoter_share": "Share of NPS answers 9-10.",
    "detractor_share": "Share of NPS answers 0-6.",
    "overall_mean": "Mean overall satisfaction.",
    "overall_top2_ci_low": "Lower bound of the 95% Wilson interval of the overall top-2-box share.",
    "overall_top2_ci_high": "Upper bound of the 95% Wilson interval of the overall top-2-box share.",
    "headline_metric": "csat, ces or nps: the target metric if declared, else the first measured.",
    "headline_value": "Top-2-box share (csat), share easy (ces) or NPS (nps).",
    "headline_ci_low": "Lower bound of the 95% interval of the headline.",
    "headline_ci_high": "Upper bound of the 95% interval of the headline.",
    "performance": "Headline on 0..1: shares as they are, NPS as (NPS + 100) / 200.",
    # importance, reach, priority
    "importance": "LMG share of the outcome's explained variance.",
    "importance_a": "Importance in the earlier revisit (R2 units).",
    "importance_b": "Importance in the later revisit (R2 units).",
    "importance_ci_low": "Lower bound of the bootstrap 95% interval of the importance share.",
    "importance_ci_high": "Upper bound of the bootstrap 95% interval of the importance share.",
    "importance_rank": "Rank by LMG importance, 1 = most important.",
    "importance_crosshair": "Importance crosshair of the quadrants (per core.journey.ipa_crosshair).",
    "performance_crosshair": "Performance crosshair of the quadrants (per core.journey.ipa_crosshair).",
    "method": "lmg (Shapley decomposition of R2) or rwa (Johnson's relative weights).",
    "r2": "R2 of the outcome on all touchpoints in the model.",
    "rank_ci_low": "Best rank in the bootstrap 95% interval.",
    "rank_ci_high": "Worst rank in the bootstrap 95% interval.",
    "pearson_r": "Pearson correlation.",
    "spearman_rho": "Spearman rank correlation.",
    "reach": "Share of customers passing through the touchpoint.",
    "reach_basis": "events (operational data) or survey (answered in the outcome survey).",
    "quadrant": "Importance-performance quadrant.",
    "quadrant_a": "Quadrant in the earlier revisit.",
    "quadrant_b": "Quadrant in the later revisit.",
    "has_moved": "The touchpoint changed quadrant.",
    "priority_score": "importance x (1 - performance) x reach.",
    "priority_rank": "1 = act here first; low-base touchpoints are not ranked.",
    "priority_rank_a": "Priority rank in the earlier revisit.",
    "priority_rank_b": "Priority rank in the later revisit.",
    # change and effects
    "metric": "csat_top2, csat_mean, ces_easy, ces_mean or nps (the headline metric in revisit_trends).",
    "value_a": "Value in the earlier revisit.",
    "value_b": "Value in the later revisit.",
    "difference": "Later minus earlier.",
    "ci_low": "Lower bound of the 95% interval.",
    "ci_high": "Upper bound of the 95% interval.",
    "excludes_zero": "The 95% interval of the difference does not contain 0.",
    "statistic": "Test statistic (z or t).",
    "p_value": "Two-sided p-value.",
    "q_value": "Benjamini-Hochberg adjusted p-value.",
    "direction": "Direction of a significant change or trend.",
    "note": "Why a row is not tested or what changed in the journey.",
    "slope": "Change per unit (per revisit in revisit_trends).",
    "slope_se": "Standard error of the slope.",
    "slope_ci_low": "Lower bound of the 95% t interval of the slope.",
    "slope_ci_high": "Upper bound of the 95% t interval of the slope.",
    "measure": "Measure: operational (an event column, e.g. delay_minutes) or carried in a survey file (a survey source's measures).",
    # data quality
    "file_id": "The file's id: first 16 hex digits of a sha256 of its source and content.",
    "file_name": "File name as ingested.",
    "status": "Outcome (data_quality: loaded or rejected; revisit_trends: tested or why not).",
    "reject_reason": "Why the whole file was rejected.",
    "rows_read": "Data rows read from the file.",
    "rows_loaded": "Rows loaded into core.",
    "rows_quarantined": "Rows kept in ops.quarantine with a reason.",
    "rows_duplicate": "Rows whose id was already loaded.",
    "quarantine_reasons": "Quarantined rows by reason code.",
    "ingested_at": "When the file was ingested (UTC).",
    "unmapped_reason": "Why no mapping rule placed the response on a touchpoint.",
}


def document_marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Comment every mart column that has no comment yet from the glossary; return columns still undocumented."""
    missing = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() "
        "WHERE schema_name = 'marts' AND comment IS NULL ORDER BY ALL"
    ).fetchall()
    undocumented = []
    for table, column in missing:
        text = GLOSSARY.get(column)
        if text is None:
            undocumented.append(f"marts.{table}.{column}")
            continue
        # COMMENT ON takes no bound parameters; the text is ours, quoted as a literal.
        literal = "'" + text.replace("'", "''") + "'"
        con.execute(f"COMMENT ON COLUMN marts.{quote_ident(table)}.{quote_ident(column)} IS {literal}")
    return undocumented


def schema_markdown(con: duckdb.DuckDBPyConnection) -> str:
    """The marts as Markdown: each table or view with its comment and its columns."""
    objects = con.execute(
        "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'marts' "
        "UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE schema_name = 'marts' AND NOT internal "
        "ORDER BY 1"
    ).fetchall()
    lines = ["# cjx marts", "", "Generated by `cjx schema` from the database's own comments.", ""]
    for name, comment in objects:
        lines += [f"## marts.{name}", "", comment or "", "", "| column | type | meaning |", "|---|---|---|"]
        for column, dtype, text in con.execute(
            "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE schema_name = 'marts' "
            "AND table_name = ? ORDER BY column_index",
            [name],
        ).fetchall():
            lines.append(f"| {column} | {dtype} | {(text or '').replace('|', '/')} |")
        lines.append("")
    return "\n".join(lines)
