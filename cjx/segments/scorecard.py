"""marts.segment_scorecard: each touchpoint's headline per segment value, tested against the rest of the segment.

Per touchpoint x revisit x segment value (sql/segments/segment_cells.sql): the base and the headline with its 95%
interval (Wilson for shares, adjusted Wald for NPS: the macros of migrations 005 and 017, applied in
sql/marts/segment_scorecard.sql), and the difference from the segment's other respondents in the same touchpoint
and revisit with the tests the revisit comparisons use (cjx.metrics.change): two-proportion z with Newcombe's
interval for shares, Rocks' adjusted-Wald z for NPS. A cell or its rest under ``min_base`` is "low base" and not
tested; a test that cannot be computed is "not testable" with the reason. The p-values of one segment in one revisit
(every touchpoint and value of it) are one Benjamini-Hochberg family (Benjamini & Hochberg 1995), significant at
q < 0.05: the familiar crosstab "significantly different from the rest", with the false discovery rate controlled.

In a revisit raked to the journey's weighting margins (cjx.segments.weights) the same tests run on the weighted shares
and the Kish effective bases (n_eff = (sum w)^2 / sum w^2, Kish 1965): k = weighted share x n_eff on each side, so the
pooled z, Newcombe's interval and Rocks' adjusted Wald see the precision the unequal weights leave; low base is judged
on n_eff. The n_* columns stay counts of answers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cjx.metrics.change import NotTestable, benjamini_hochberg, nps_counts_test, two_proportion_test

FDR = 0.05
TEST_COLUMNS = ["status", "note", "difference", "diff_ci_low", "diff_ci_high", "statistic", "p_value"]


def effective(cells: pd.DataFrame) -> pd.DataFrame:
    """Kish effective bases and effective counts (weighted share x n_eff) of each cell and its rest, beside the
    counts: equal to the counts where the revisit is not weighted."""
    out = cells.copy()
    for side in ("", "_rest"):
        v1, v2 = out[f"w_sum{side}"].astype(float), out[f"w2_sum{side}"].astype(float)
        n_eff = (v1**2 / v2.where(v2 > 0)).fillna(0.0)
        share = 1 / v1.where(v1 > 0)
        out[f"n_eff{side}"] = n_eff
        out[f"good_eff{side}"] = (out[f"w_good{side}"] * share * n_eff).fillna(0.0)
        out[f"detractors_eff{side}"] = (out[f"w_detractors{side}"] * share * n_eff).fillna(0.0)
    weighted = out.is_weighted.astype(bool)
    for counts, eff in (("n", "n_eff"), ("n_good", "good_eff"), ("n_detractors", "detractors_eff")):
        for side in ("", "_rest"):
            out.loc[~weighted, f"{eff}{side}"] = out.loc[~weighted, f"{counts}{side}"].astype(float)
    return out


def _tested_on(row: pd.Series) -> pd.Series:
    """The row as the test reads it: counts, or in a weighted revisit the effective counts and bases."""
    if not row.is_weighted:
        return row
    return row.copy().rename(
        {
            "n": "_n",
            "n_good": "_n_good",
            "n_detractors": "_n_detractors",
            "n_rest": "_n_rest",
            "n_good_rest": "_n_good_rest",
            "n_detractors_rest": "_n_detractors_rest",
            "n_eff": "n",
            "good_eff": "n_good",
            "detractors_eff": "n_detractors",
            "n_eff_rest": "n_rest",
            "good_eff_rest": "n_good_rest",
            "detractors_eff_rest": "n_detractors_rest",
        }
    )


def cell_test(row: pd.Series) -> dict[str, object]:
    """The test of one cell against its rest: segment value minus rest, with interval, statistic and p."""
    row = _tested_on(row)
    n, rest = (float(row.n), float(row.n_rest)) if row.is_weighted else (int(row.n), int(row.n_rest))
    if row.headline_metric == "nps":
        t = nps_counts_test(
            row.n_good_rest, row.n_detractors_rest, rest, row.n_good, row.n_detractors, n
        )  # a = rest, b = segment
    else:
        pooled = (row.n_good + row.n_good_rest) / (n + rest)
        if pooled in (0.0, 1.0):
            raise NotTestable("every answer on both sides is in the same box (no spread)")
        t = two_proportion_test(row.n_good_rest, rest, row.n_good, n)
    return {
        "status": "tested",
        "note": None,
        "difference": t["difference"],
        "diff_ci_low": t["ci_low"],
        "diff_ci_high": t["ci_high"],
        "statistic": t["statistic"],
        "p_value": t["p_value"],
    }


def segment_tests(cells: pd.DataFrame, min_base: int) -> pd.DataFrame:
    """`cells` (segment_cells.sql) with each cell's test against its rest, q-value and significance."""
    rows: list[dict[str, object]] = []
    cells = effective(cells)
    for row in cells.itertuples(index=False):
        series = pd.Series(row._asdict())
        n, rest = (row.n_eff, row.n_eff_rest) if row.is_weighted else (row.n, row.n_rest)
        base = "effective base (Kish) under" if row.is_weighted else "fewer than"
        if row.headline_metric is None or pd.isna(row.headline_metric) or row.n == 0:
            rows.append({"status": "no answers", "note": None})
        elif min(n, rest) < min_base:
            side = "this value" if n < min_base else "the rest"
            suffix = "" if row.is_weighted else " answers"
            rows.append({"status": "low base", "note": f"{side} has {base} {min_base}{suffix}"})
        else:
            try:
                rows.append(cell_test(series))
            except NotTestable as why:
                rows.append({"status": "not testable", "note": str(why)})
    tests = pd.DataFrame(rows, columns=TEST_COLUMNS, index=cells.index)
    out = pd.concat([cells, tests], axis=1)
    out["q_value"] = np.nan
    for _, family in out[out.status == "tested"].groupby(["segment_id", "revisit_id"]):
        out.loc[family.index, "q_value"] = benjamini_hochberg(family.p_value.astype(float).to_numpy())
    out["is_significant"] = (out.status == "tested") & (out.q_value < FDR)
    tested = out.status == "tested"
    out["direction"] = pd.Series(None, index=out.index, dtype="object")
    out.loc[tested, "direction"] = "no significant difference"
    better = out.difference.astype(float) > 0
    out.loc[out.is_significant & better, "direction"] = "better"
    out.loc[out.is_significant & ~better, "direction"] = "worse"
    return out
