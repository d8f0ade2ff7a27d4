"""Tests of change between two revisits, from summary statistics, and trends across revisits.

- Proportions (top-2-box, share easy): two-proportion z-test with the pooled standard error; interval for
  the difference by Newcombe's hybrid score method (Newcombe 1998, method 10), built from Wilson intervals.
- Means: Welch's t-test (Welch 1947) with the Welch-Satterthwaite degrees of freedom; Hedges' g as effect size.
- NPS: z = ΔNPS / sqrt(SE1² + SE2²) with the NPS standard error of Rocks (2016).
- Many touchpoints at once: Benjamini & Hochberg (1995) false discovery rate.
- Trend over three or more revisits: weighted least squares slope with known sampling variances
  (weights 1/SE²) and its z-test.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

Z95 = stats.norm.ppf(0.975)


def wilson_interval(k: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes out of n (Wilson 1927)."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def two_proportion_test(k1: float, n1: float, k2: float, n2: float) -> dict[str, float]:
    """Change from k1/n1 to k2/n2: difference, Newcombe interval, pooled z, two-sided p, Cohen's h."""
    p1, p2 = k1 / n1, k2 / n2
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (p2 - p1) / se if se > 0 else 0.0
    l1, u1 = wilson_interval(k1, n1)
    l2, u2 = wilson_interval(k2, n2)
    diff = p2 - p1
    return {
        "value_a": p1,
        "value_b": p2,
        "difference": diff,
        "ci_low": diff - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2),
        "ci_high": diff + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2),
        "statistic": z,
        "p_value": 2 * stats.norm.sf(abs(z)),
        "effect_size": 2 * math.asin(math.sqrt(p2)) - 2 * math.asin(math.sqrt(p1)),
    }


def welch_test(mean1: float, sd1: float, n1: float, mean2: float, sd2: float, n2: float) -> dict[str, float]:
    """Change of a mean: Welch t, two-sided p, t interval for the difference, Hedges' g."""
    result = stats.ttest_ind_from_stats(mean2, sd2, n2, mean1, sd1, n1, equal_var=False)
    v1, v2 = sd1**2 / n1, sd2**2 / n2
    se = math.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1)) if se > 0 else n1 + n2 - 2
    diff = mean2 - mean1
    half = stats.t.ppf(0.975, df) * se
    pooled_sd = math.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / (n1 + n2 - 2))
    correction = 1 - 3 / (4 * (n1 + n2) - 9)
    return {
        "value_a": mean1,
        "value_b": mean2,
        "difference": diff,
        "ci_low": diff - half,
        "ci_high": diff + half,
        "statistic": float(result.statistic),
        "p_value": float(result.pvalue),
        "effect_size": diff / pooled_sd * correction if pooled_sd > 0 else 0.0,
    }


def nps_test(nps1: float, se1: float, nps2: float, se2: float) -> dict[str, float]:
    """Change of NPS (−100..100): z = ΔNPS / sqrt(SE1² + SE2²) (Rocks 2016), normal interval for ΔNPS."""
    se = math.sqrt(se1**2 + se2**2)
    diff = nps2 - nps1
    z = diff / se if se > 0 else 0.0
    return {
        "value_a": nps1,
        "value_b": nps2,
        "difference": diff,
        "ci_low": diff - Z95 * se,
        "ci_high": diff + Z95 * se,
        "statistic": z,
        "p_value": 2 * stats.norm.sf(abs(z)),
        "effect_size": diff / 100,
    }


def benjamini_hochberg(p_values: np.ndarray | list[float]) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values); NaN stays NaN."""
    p = np.asarray(p_values, dtype=float)
    q = np.full_like(p, np.nan)
    tested = ~np.isnan(p)
    if tested.any():
        q[tested] = stats.false_discovery_control(p[tested], method="bh")
    return q


def trend_test(values: list[float], standard_errors: list[float]) -> dict[str, float]:
    """Slope per revisit of a measure over equally spaced revisits, weighted by 1/SE², with its z-test."""
    y = np.asarray(values, dtype=float)
    w = 1 / np.asarray(standard_errors, dtype=float) ** 2
    x = np.arange(len(y), dtype=float)
    x_bar = np.sum(w * x) / np.sum(w)
    sxx = np.sum(w * (x - x_bar) ** 2)
    slope = np.sum(w * (x - x_bar) * y) / sxx
    se = 1 / math.sqrt(sxx)
    z = slope / se
    return {"slope": float(slope), "slope_se": se, "statistic": float(z), "p_value": float(2 * stats.norm.sf(abs(z)))}
