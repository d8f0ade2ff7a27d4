"""Tests of change between two revisits, from summary statistics, and trends across revisits.

- Proportions (top-2-box, share easy): two-proportion z-test with the pooled standard error; interval for
  the difference by Newcombe's hybrid score method (Newcombe 1998, method 10), built from Wilson intervals.
- Means: Welch's t-test (Welch 1947) with the Welch-Satterthwaite degrees of freedom; Hedges' g as effect size.
- NPS: adjusted Wald (Rocks 2016, as in his R package ``nps``: 0.75, 1.5 and 0.75 pseudo-observations added
  to detractors, passives and promoters before a Wald interval), for one NPS and for the change of two, so a
  sample of all promoters still has a non-zero standard error.
- Many touchpoints at once: Benjamini & Hochberg (1995) false discovery rate.
- Trend over three or more revisits: weighted least squares slope with known sampling variances
  (weights 1/SE²) and its z-test.

A test that cannot be computed honestly (a zero standard error, fewer than two answers) raises ``NotTestable``
with the reason, so it is reported as "not testable", never as NaN read as "not significant".
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

Z95 = stats.norm.ppf(0.975)
# Rocks (2016): pseudo-observations added to detractors, passives, promoters for the adjusted Wald interval.
NPS_PSEUDO = (0.75, 1.5, 0.75)


class NotTestable(ValueError):
    """The test cannot be computed from these data; the message says why."""


def nps_adjusted(promoters: float, detractors: float, n: float) -> tuple[float, float]:
    """Adjusted NPS and its standard error (−100..100) after adding Rocks' pseudo-observations."""
    d0, pass0, p0 = NPS_PSEUDO
    total = n + d0 + pass0 + p0
    pp, pd_ = (promoters + p0) / total, (detractors + d0) / total
    return 100 * (pp - pd_), 100 * math.sqrt(max((pp + pd_ - (pp - pd_) ** 2) / total, 0.0))


def nps_interval(promoters: float, detractors: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Adjusted-Wald interval of NPS (Rocks 2016), clipped to [−100, 100]."""
    centre, se = nps_adjusted(promoters, detractors, n)
    return max(centre - z * se, -100.0), min(centre + z * se, 100.0)


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
    """Change of a mean: Welch t, two-sided p, t interval for the difference, Hedges' g.

    NotTestable when a side has fewer than two answers or both sides have no spread (zero standard error).
    """
    if min(n1, n2) < 2:
        raise NotTestable(f"a mean needs two answers on each side, got {int(n1)} and {int(n2)}")
    v1, v2 = sd1**2 / n1, sd2**2 / n2
    se = math.sqrt(v1 + v2)
    if not se > 0:
        raise NotTestable("every answer is the same on both sides (zero standard error)")
    result = stats.ttest_ind_from_stats(mean2, sd2, n2, mean1, sd1, n1, equal_var=False)
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
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


def nps_test(
    nps1: float, se1: float, nps2: float, se2: float, n1: float | None = None, n2: float | None = None
) -> dict[str, float]:
    """Change of NPS (−100..100).

    With the bases n1, n2: adjusted Wald (Rocks 2016; see ``nps_counts_test``, the counts recovered from
    NPS, SE and n). Without them: z = ΔNPS / sqrt(SE1² + SE2²) and a normal interval; when both SEs are zero
    the statistic and p are NaN (not testable), never z = 0.
    """
    if n1 is not None and n2 is not None and n1 > 0 and n2 > 0:
        p1, d1 = _nps_counts(nps1, se1, n1)
        p2, d2 = _nps_counts(nps2, se2, n2)
        return nps_counts_test(p1, d1, n1, p2, d2, n2)
    se = math.sqrt(se1**2 + se2**2)
    diff = nps2 - nps1
    z = diff / se if se > 0 else math.nan
    return {
        "value_a": nps1,
        "value_b": nps2,
        "difference": diff,
        "ci_low": diff - Z95 * se,
        "ci_high": diff + Z95 * se,
        "statistic": z,
        "p_value": 2 * stats.norm.sf(abs(z)) if se > 0 else math.nan,
        "effect_size": diff / 100,
    }


def _nps_counts(nps: float, se: float, n: float) -> tuple[float, float]:
    """Promoters and detractors from NPS, its (unadjusted) SE and n: pP − pD = NPS/100, pP + pD = n·SE²/100² + (NPS/100)²."""
    d = nps / 100
    total = n * (se / 100) ** 2 + d * d
    return n * (total + d) / 2, n * (total - d) / 2


def nps_counts_test(p1: float, d1: float, n1: float, p2: float, d2: float, n2: float) -> dict[str, float]:
    """Change of NPS from promoter/detractor counts: adjusted-Wald z and interval (Rocks 2016).

    Each side gets Rocks' pseudo-observations, so a side of only promoters (SE 0 unadjusted) still has a
    finite standard error and a swing from +100 to −100 is significant, not z = 0.
    """
    if min(n1, n2) < 1:
        raise NotTestable(f"NPS needs answers on both sides, got {int(n1)} and {int(n2)}")
    a, se_a = nps_adjusted(p1, d1, n1)
    b, se_b = nps_adjusted(p2, d2, n2)
    se = math.sqrt(se_a**2 + se_b**2)
    z = (b - a) / se
    diff = 100 * (p2 / n2 - d2 / n2) - 100 * (p1 / n1 - d1 / n1)
    return {
        "value_a": 100 * (p1 - d1) / n1,
        "value_b": 100 * (p2 - d2) / n2,
        "difference": diff,
        "ci_low": (b - a) - Z95 * se,
        "ci_high": (b - a) + Z95 * se,
        "statistic": z,
        "p_value": float(2 * stats.norm.sf(abs(z))),
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
    """Slope per revisit of a measure over equally spaced revisits, weighted by 1/SE², with its z-test.

    NotTestable with fewer than three revisits or a standard error that is zero or missing (its weight would
    be infinite).
    """
    y = np.asarray(values, dtype=float)
    se_in = np.asarray(standard_errors, dtype=float)
    if y.size < 3:
        raise NotTestable(f"a trend needs three revisits, got {y.size}")
    if not (np.isfinite(se_in).all() and (se_in > 0).all() and np.isfinite(y).all()):
        raise NotTestable("a revisit has no standard error (zero or missing), so its weight would be infinite")
    w = 1 / se_in**2
    x = np.arange(len(y), dtype=float)
    x_bar = np.sum(w * x) / np.sum(w)
    sxx = np.sum(w * (x - x_bar) ** 2)
    slope = np.sum(w * (x - x_bar) * y) / sxx
    se = 1 / math.sqrt(sxx)
    z = slope / se
    return {"slope": float(slope), "slope_se": se, "statistic": float(z), "p_value": float(2 * stats.norm.sf(abs(z)))}
