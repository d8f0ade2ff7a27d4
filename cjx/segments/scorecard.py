"""marts.segment_scorecard: each touchpoint's headline per segment value, tested against the rest of the segment.

Per touchpoint x revisit x segment value (sql/segments/segment_cells.sql): the base and the headline with its 95%
interval (Wilson for shares, adjusted Wald for NPS: the macros of migrations 005 and 017, applied in
sql/marts/segment_scorecard.sql), and the difference from the segment's other respondents in the same touchpoint
and revisit with the tests the revisit comparisons use (cjx.metrics.change): two-proportion z with Newcombe's
interval for shares, Rocks' adjusted-Wald z for NPS. A cell or its rest under ``min_base`` is "low base" and not
tested; a test that cannot be computed is "not testable" with the reason. The p-values of one segment in one revisit
(every touchpoint and value of it) are one Benjamini-Hochberg family (Benjamini & Hochberg 1995), significant at
q < 0.05: the familiar crosstab "significantly different from the rest", with the false discovery rate controlled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cjx.metrics.change import NotTestable, benjamini_hochberg, nps_counts_test, two_proportion_test

FDR = 0.05
TEST_COLUMNS = ["status", "note", "difference", "diff_ci_low", "diff_ci_high", "statistic", "p_value"]


def cell_test(row: pd.Series) -> dict[str, object]:
    """The test of one cell against its rest: segment value minus rest, with interval, statistic and p."""
    n, rest = int(row.n), int(row.n_rest)
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
    for row in cells.itertuples(index=False):
        series = pd.Series(row._asdict())
        if row.headline_metric is None or pd.isna(row.headline_metric) or row.n == 0:
            rows.append({"status": "no answers", "note": None})
        elif min(row.n, row.n_rest) < min_base:
            side = "this value" if row.n < min_base else "the rest"
            rows.append({"status": "low base", "note": f"{side} has fewer than {min_base} answers"})
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
