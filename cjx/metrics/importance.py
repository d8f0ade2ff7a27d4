"""Derived importance (key-driver analysis): how much each touchpoint's experience moves the outcome.

Pure numpy/scipy functions on pandas frames; no DuckDB, no Prefect. Everything works from a
correlation matrix built from pairwise-complete observations, because respondents rate only the
touchpoints they met and listwise deletion would throw most of them away.

- LMG: Lindeman, Merenda & Gold (1980), the Shapley value of R² (average gain in R² over all
  orderings of the drivers), as in R's relaimpo (Grömping 2006, J. Stat. Software 17(1)).
- Relative weights: Johnson (2000), Multivariate Behavioral Research 35(1), as in R's rwa.
- Intervals: percentile bootstrap over respondents, Efron & Tibshirani (1993), ch. 13.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from cjx.metrics.resampling import (
    MomentGroups,
    blas_threads,
    full_sample_correlation,
    moment_groups,
    resample_correlations,
    resample_counts,
)

__all__ = [
    "EXACT_MAX_DRIVERS",
    "MIN_PAIRS",
    "REPAIR_R2_TOLERANCE",
    "ImportanceResult",
    "NotEstimable",
    "bootstrap_difference",
    "bootstrap_importance",
    "bootstrap_importances",
    "driver_correlations",
    "importance_from_data",
    "lmg",
    "measure_bands",
    "measure_effect",
    "pairwise_correlation",
    "relative_weights",
    "usable_drivers",
]

Method = Literal["lmg", "rwa"]

# Exact LMG visits all 2^p subsets in a batched lattice (split in chunks above 16 drivers, so memory
# stays bounded): 21 drivers ~0.8 s, 24 drivers ~6 s here (2 cores). Above this we sample orderings.
EXACT_MAX_DRIVERS = 24
# Monte-Carlo orderings for the sampled fallback; the standard error of each weight shrinks
# like 1/sqrt(n_permutations) and is reported (ImportanceResult.sampling_se).
DEFAULT_PERMUTATIONS = 4000
# A driver enters only with at least this many joint answers with the outcome and with every other
# driver (the pipeline passes settings.min_driver_pairs, default = min_base = 30).
MIN_PAIRS = 30
# The smallest pairwise n must exceed p + EXTRA_N: with n ≤ p any outcome is fitted exactly (R² = 1).
EXTRA_N = 10
# A repaired (indefinite) pairwise matrix is used only if the repair moves R² by less than this;
# otherwise importance falls back to complete cases (method_detail = complete-case).
REPAIR_R2_TOLERANCE = 0.02
# A residual variance (1 − R² of a driver on the drivers already entered) below this means the
# driver is (numerically) a linear combination of them: it adds nothing, as with a pseudo-inverse.
_PIVOT_TOL = 1e-10
# A pairwise matrix with an eigenvalue below −_REPAIR_TRIGGER is not a correlation matrix of any
# data set; it is projected to the nearest one with eigenvalues of at least _REPAIR_FLOOR.
_REPAIR_TRIGGER = 1e-8
_REPAIR_FLOOR = 1e-8


class NotEstimable(ValueError):
    """Importance cannot be estimated honestly from these data (the message says why)."""


@dataclass(frozen=True)
class ImportanceResult:
    """Importance weights per driver that add up to the model R²."""

    weights: pd.Series
    r2: float
    method: str
    # True when the pairwise matrix was not positive semi-definite and was replaced by the
    # nearest correlation matrix before decomposing (see _nearest_correlation).
    corr_repaired: bool = False
    # exact, sampled (LMG over random orderings), complete-case (the pairwise matrix could not be
    # repaired without moving R²), or "complete-case, sampled".
    method_detail: str = "exact"
    # Monte-Carlo standard error of each weight when method_detail is sampled, else None.
    sampling_se: pd.Series | None = None
    # Respondents the correlations rest on: all rows (pairwise), or the complete cases.
    n_used: int | None = None

    @property
    def shares(self) -> pd.Series:
        """Weights as shares of R² (they sum to 1 when R² > 0)."""
        if self.r2 <= 0:
            return self.weights * np.nan
        return self.weights / self.r2


# ---------------------------------------------------------------------------------------------
# Correlations


def _numeric_matrix(df: pd.DataFrame) -> np.ndarray:
    """The frame as a float matrix with NaN for missing, or a TypeError naming the bad columns."""
    api = pd.api.types
    bad = [c for c, dtype in df.dtypes.items() if not (api.is_numeric_dtype(dtype) or api.is_bool_dtype(dtype))]
    if bad:
        raise TypeError(
            f"Columns {bad} are not numeric; importance needs numeric scores "
            "(map answers such as 'Don't know' to missing before computing correlations)."
        )
    return df.to_numpy(dtype="float64", na_value=np.nan)


def _moment_basis(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """[presence; centred values; squared centred values] as a 3p × n array, and the column means.

    Built once per data set; every correlation (and every bootstrap resample) is then two matrix
    products with it. Variables are rows so each block is contiguous. Centring first keeps sums
    of squares from losing digits; r does not depend on the shift.
    """
    n, p = x.shape
    xt = np.ascontiguousarray(x.T)
    basis = np.empty((3 * p, n))
    m, z, zz = basis[:p], basis[p : 2 * p], basis[2 * p :]
    present = ~np.isnan(xt)
    m[...] = present
    z.fill(0.0)
    np.copyto(z, xt, where=present)
    counts = m.sum(axis=1)
    centre = np.divide(z.sum(axis=1), counts, out=np.zeros(p), where=counts > 0)
    z -= centre[:, None]
    z *= m  # missing cells back to exactly 0 after the shift
    np.multiply(z, z, out=zz)
    return basis, centre


def _corr_from_basis(
    basis: np.ndarray,
    centre: np.ndarray,
    w: np.ndarray | None = None,
    min_periods: int = 2,
    scratch: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise-complete Pearson r and pairwise (weighted) n from a moment basis.

    ``w`` are row frequency weights (bootstrap counts), so a resample never copies rows;
    ``scratch`` (2p × n) is reused for the weighted rows so a bootstrap loop allocates nothing big.
    """
    p = centre.size
    if w is None:
        weighted = basis[: 2 * p]
    else:
        weighted = np.multiply(basis[: 2 * p], w, out=scratch)
    # Two products rather than one 3p × 2p: OpenBLAS is markedly faster on these shapes.
    g = weighted @ basis[: 2 * p].T
    n = g[:p, :p]  # rows (weighted) where both i and j are present
    s = g[p:, :p]  # sum of z_i over rows where j is present too
    sxy = g[p:, p:]
    ss = basis[2 * p :] @ weighted[:p].T  # sum of z_i² over rows where j is present too
    with np.errstate(divide="ignore", invalid="ignore"):
        var_i = ss - s * s / n  # spread of i on the rows shared with j
        cov = sxy - s * s.T / n
        r = cov / np.sqrt(var_i * var_i.T)
    # A constant column centres to rounding noise, not to exact zeros: call a column flat when
    # its spread is below 1e-12 of its mean, otherwise r would be noise divided by noise.
    flat = var_i <= n * (1e-12 * np.abs(centre)[:, None]) ** 2
    bad = (n < min_periods) | flat | flat.T | ~np.isfinite(r)
    r = np.clip(r, -1.0, 1.0)
    r[bad] = np.nan
    diag = np.diag_indices_from(r)
    r[diag] = np.where(bad[diag], np.nan, 1.0)
    return r, n.copy()


def pairwise_correlation(df: pd.DataFrame, min_periods: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pearson correlations from pairwise-complete observations, and the pairwise n behind each.

    A pair with fewer than ``min_periods`` shared observations, or where either column is
    constant on the shared rows, gets NaN.
    """
    r, n = _corr_from_basis(*_moment_basis(_numeric_matrix(df)), min_periods=min_periods)
    cols = df.columns
    return pd.DataFrame(r, index=cols, columns=cols), pd.DataFrame(n.round().astype(np.int64), index=cols, columns=cols)


def _weighted_pearson(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """Weighted Pearson r of complete pairs: sum w (x - mx)(y - my) / sqrt(sum w (x - mx)^2 sum w (y - my)^2)."""
    mx, my = np.average(x, weights=w), np.average(y, weights=w)
    dx, dy = x - mx, y - my
    return float(np.sum(w * dx * dy) / np.sqrt(np.sum(w * dx * dx) * np.sum(w * dy * dy)))


def driver_correlations(
    df: pd.DataFrame, outcome: str, drivers: Sequence[str], weights: np.ndarray | None = None
) -> pd.DataFrame:
    """Per driver: Pearson r and Spearman rho with the outcome, their p-values, and the pairwise n.

    With survey weights, pearson_r is the weighted Pearson correlation and pearson_p its t test on the Kish
    effective number of pairs; Spearman's rho and its p stay unweighted (ranks of a weighted sample are not defined
    without a choice of method; read rho as the unweighted check)."""
    drivers = _check_columns(df, outcome, drivers)
    y = _numeric_matrix(df[[outcome]])[:, 0]
    w_all = None if weights is None else np.asarray(weights, dtype=np.float64)
    rows = []
    for driver in drivers:
        x = _numeric_matrix(df[[driver]])[:, 0]
        keep = ~(np.isnan(x) | np.isnan(y))
        n = int(keep.sum())
        row = {
            "driver": driver,
            "pearson_r": np.nan,
            "pearson_p": np.nan,
            "spearman_rho": np.nan,
            "spearman_p": np.nan,
            "n": n,
        }
        xs, ys = x[keep], y[keep]
        # Below 3 pairs, or with a constant side, a correlation and its test say nothing.
        if n >= 3 and np.ptp(xs) > 0 and np.ptp(ys) > 0:
            pr = stats.pearsonr(xs, ys)
            sr = stats.spearmanr(xs, ys)
            row.update(
                pearson_r=float(pr.statistic),
                pearson_p=float(pr.pvalue),
                spearman_rho=float(sr.statistic),
                spearman_p=float(sr.pvalue),
            )
            if w_all is not None:
                w = w_all[keep]
                r = float(np.clip(_weighted_pearson(xs, ys, w), -1.0, 1.0))
                n_eff = w.sum() ** 2 / (w * w).sum()
                t = r * np.sqrt(max(n_eff - 2, 0) / max(1 - r * r, 1e-300))
                row.update(pearson_r=r, pearson_p=float(2 * stats.t.sf(abs(t), max(n_eff - 2, 1))))
        rows.append(row)
    return pd.DataFrame(rows, columns=["driver", "pearson_r", "pearson_p", "spearman_rho", "spearman_p", "n"])


# ---------------------------------------------------------------------------------------------
# Importance from a correlation matrix


def _check_drivers(outcome: str, drivers: Sequence[str]) -> list[str]:
    drivers = list(drivers)
    if not drivers:
        raise ValueError("No drivers given: importance needs at least one driver besides the outcome.")
    if outcome in drivers:
        raise ValueError(f"The outcome {outcome!r} is also listed as a driver.")
    if len(set(drivers)) != len(drivers):
        raise ValueError(f"Drivers are listed more than once: {sorted({d for d in drivers if drivers.count(d) > 1})}.")
    return drivers


def _check_columns(df: pd.DataFrame, outcome: str, drivers: Sequence[str]) -> list[str]:
    drivers = _check_drivers(outcome, drivers)
    missing = [c for c in [outcome, *drivers] if c not in df.columns]
    if missing:
        raise KeyError(f"Columns {missing} are not in the data; it has {list(df.columns)}.")
    return drivers


def _nearest_correlation(r: np.ndarray, floor: float = _REPAIR_FLOOR, max_iter: int = 200) -> np.ndarray:
    """The nearest positive-definite correlation matrix (Higham 2002, alternating projections).

    Pairwise deletion can give a "correlation" matrix that no data set could produce (negative
    eigenvalues). R² is then not a proper set function: subsets can exceed 1 and LMG weights can
    go negative. Projecting first keeps every R² in [0, 1] and every weight non-negative.
    """
    y, correction = r.copy(), np.zeros_like(r)
    for _ in range(max_iter):
        shifted = y - correction  # Dykstra's correction, needed for the nearest point, not just a feasible one
        val, vec = np.linalg.eigh(shifted)
        x = (vec * np.clip(val, 0.0, None)) @ vec.T
        correction = x - shifted
        y_next = x.copy()
        np.fill_diagonal(y_next, 1.0)
        done = np.linalg.norm(y_next - y) <= 1e-12 * np.linalg.norm(y)
        y = y_next
        if done:
            break
    # A small eigenvalue floor, then back to a unit diagonal (a congruence, so it stays PD):
    # every pivot of the elimination in lmg then stays clear of its zero guard.
    val, vec = np.linalg.eigh((y + y.T) / 2)
    y = (vec * np.clip(val, floor, None)) @ vec.T
    d = np.sqrt(np.diag(y))
    y = y / np.outer(d, d)
    return (y + y.T) / 2


def _r2_solve(r: np.ndarray) -> float:
    """R² = r_xy' R_xx⁺ r_xy of the outcome (last) on all drivers, by least squares (any symmetric r)."""
    rxx, rxy = r[:-1, :-1], r[:-1, -1]
    return float(rxy @ np.linalg.lstsq(rxx, rxy, rcond=None)[0])


def _is_indefinite(r: np.ndarray) -> bool:
    # Rounding leaves singular matrices (a duplicated driver) a hair below zero: the pivot guard
    # handles those exactly. Only a clearly indefinite matrix, from pairwise deletion, is repaired.
    return bool(np.linalg.eigvalsh(r)[0] < -_REPAIR_TRIGGER)


def _repair(r: np.ndarray, tolerance: float | None) -> tuple[np.ndarray, float]:
    """The nearest correlation matrix and how far it moves R² (vs r_xy' R_xx⁺ r_xy on the raw matrix).

    Raises NotEstimable when the move is ``tolerance`` or more (or the raw R² is outside [0, 1]):
    the repaired matrix would then describe other data than the respondents gave.
    """
    repaired = _nearest_correlation(r)
    raw, fixed = _r2_solve(r), _r2_full(repaired)
    change = abs(fixed - raw) if 0.0 <= raw <= 1.0 else math.inf
    if tolerance is not None and not change < tolerance:
        raise NotEstimable(
            f"the pairwise correlation matrix is not a correlation matrix of any data set and repairing it "
            f"moves R² from {raw:.3f} to {fixed:.3f} (tolerance {tolerance})"
        )
    return repaired, change


def _prepare(
    corr: pd.DataFrame, outcome: str, drivers: Sequence[str] | None, repair_tolerance: float | None = None
) -> tuple[np.ndarray, list[str], bool]:
    """The correlation matrix ordered drivers-then-outcome, validated (and repaired if not PSD).

    ``repair_tolerance`` None repairs any indefinite matrix; a number refuses (NotEstimable) a
    repair that moves R² by that much or more.
    """
    if outcome not in corr.index or outcome not in corr.columns:
        raise KeyError(f"Outcome {outcome!r} is not in the correlation matrix ({list(corr.columns)}).")
    drivers = _check_drivers(outcome, [c for c in corr.columns if c != outcome] if drivers is None else drivers)
    missing = [d for d in drivers if d not in corr.index or d not in corr.columns]
    if missing:
        raise KeyError(f"Drivers {missing} are not in the correlation matrix ({list(corr.columns)}).")
    names = [*drivers, outcome]
    r = corr.loc[names, names].to_numpy(dtype="float64", copy=True)
    undefined = [(names[i], names[j]) for i, j in zip(*np.nonzero(~np.isfinite(r))) if i <= j]
    if undefined:
        raise ValueError(
            f"Correlations are undefined for {undefined[:5]}{' …' if len(undefined) > 5 else ''}: "
            "too few respondents answered both, or one of them never varies. Drop those drivers or widen the data."
        )
    d = np.sqrt(np.diag(r))
    if np.any(d <= 0):
        raise ValueError(f"Zero variance on the diagonal for {[n for n, v in zip(names, d) if v <= 0]}.")
    # Accept a covariance matrix too: rescale to unit diagonal. Symmetrise against rounding.
    r = r / np.outer(d, d)
    r = (r + r.T) / 2
    repaired = _is_indefinite(r)
    if repaired:
        r, _ = _repair(r, repair_tolerance)
    return r, drivers, repaired


def _sweep_gain(piv: np.ndarray, col_y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """R² gain of entering a variable with residual variance ``piv``, and 1/piv (0 where guarded)."""
    inv = np.divide(1.0, piv, out=np.zeros_like(piv), where=piv > _PIVOT_TOL)
    return col_y * col_y * inv, inv


def _lattice(r: np.ndarray, n_enter: int | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """R²(S) for every subset S of the first ``n_enter`` drivers, for a batch of matrices.

    ``r`` is (q+1, q+1, B): B matrices with the outcome last, stacked on the LAST axis so every
    numpy operation below runs over long contiguous rows (subsets × batch), not over tiny
    matrices. The result ``v`` is (B, 2^n_enter), indexed by bitmask (bit j = driver j).

    Subsets are grown by appending a driver k above the current maximum, carrying the residual
    correlation matrix of the not-yet-entered drivers and the outcome given S (one step of
    Gaussian elimination = a rank-1 update). All subsets with the same maximum are updated in one
    batched numpy operation, so the whole lattice costs O(2^p) arithmetic in O(p²) numpy calls
    instead of 2^p separate solves. The gain of entering k is σ²(y,k | S) / σ²(k | S); it is never
    negative, so R² is monotone and the LMG weights are non-negative. A pivot below _PIVOT_TOL (a
    driver collinear with S) adds nothing, exactly as a pseudo-inverse would treat a redundant
    column. ``r`` must be positive semi-definite (see ``_prepare``), otherwise R²(S) would depend
    on the order the drivers entered.

    When ``n_enter`` < q, also returns the residual matrices (q−n_enter+1, q−n_enter+1, 2^n_enter, B)
    of the remaining drivers and the outcome given each subset, so the lattice can be finished in
    chunks (see ``_all_subset_r2``).
    """
    q, b = r.shape[0] - 1, r.shape[2]
    n_enter = q if n_enter is None else n_enter
    v = np.zeros((1, b))
    # groups[g] holds the residual matrices of all subsets whose largest driver is g-1 (g=0: the
    # empty set), over the drivers above it plus the outcome; in increasing bitmask order:
    # shape (d, d, subsets, B).
    groups: list[np.ndarray] = [r[:, :, None, :]]
    for k in range(n_enter):
        gains = []
        # Children (subsets with top driver k) are written straight into the next group's array.
        child = np.empty((q - k, q - k, 1 << k, b)) if k < q - 1 else None
        at = 0
        for g, a in enumerate(groups):
            c = k - g  # position of driver k in this group's matrices
            col = a[c + 1 :, c]
            gain, inv = _sweep_gain(a[c, c], col[-1])
            gains.append(gain)
            if child is not None:  # the last driver's subsets have no children to prepare for
                m = a.shape[2]
                out = child[:, :, at : at + m]
                np.multiply((col * inv)[:, None], col[None, :], out=out)
                np.subtract(a[c + 1 :, c + 1 :], out, out=out)
                at += m
        # The bitmasks with top bit k are 2^k + (0 … 2^k − 1): the parents in their own order.
        v = np.concatenate([v, v + np.concatenate(gains, axis=0)], axis=0)
        if child is not None:
            groups.append(child)
    if n_enter == q:
        return v.T, None
    rest = q - n_enter + 1
    return v.T, np.concatenate([a[-rest:, -rest:] for a in groups], axis=2)


# Above this many drivers the lattice is split: the first p − _SPLIT_TAIL drivers, then the last
# _SPLIT_TAIL for each subset of the first in chunks, which bounds the memory (24 drivers: ~300 MB).
_SPLIT_AT = 16
_SPLIT_TAIL = 10
_SPLIT_CHUNK = 512


def _all_subset_r2(r: np.ndarray, split_at: int = _SPLIT_AT) -> np.ndarray:
    """R²(S) for every subset S of the drivers of one (p+1)×(p+1) matrix, indexed by bitmask, clipped to [0, 1].

    Up to ``split_at`` drivers one batched lattice; above, the same elimination order in two stages
    (so the same numbers): the low drivers' lattice with the residuals of the rest, then the tail
    lattice for chunks of low subsets. v[high << L | low] = R²(low) + gain of high given low.
    """
    p = r.shape[0] - 1
    if p <= split_at:
        v = _lattice(r[:, :, None])[0][0]
    else:
        tail = min(_SPLIT_TAIL, p - 1)
        low = p - tail
        v_low, resid = _lattice(r[:, :, None], low)
        assert resid is not None
        v_low, resid = v_low[0], resid[:, :, :, 0]
        out = np.empty((1 << tail, 1 << low))
        for lo in range(0, 1 << low, _SPLIT_CHUNK):
            hi = min(lo + _SPLIT_CHUNK, 1 << low)
            v_tail = _lattice(np.ascontiguousarray(resid[:, :, lo:hi]))[0]  # (chunk, 2^tail)
            out[:, lo:hi] = (v_low[lo:hi, None] + v_tail).T
        v = out.reshape(-1)
    # Rounding on a near-singular matrix can nudge R² past 1; a proportion of variance cannot.
    return np.clip(v, 0.0, 1.0)


@functools.lru_cache(maxsize=8)
def _shapley_matrix(p: int) -> np.ndarray:
    """(2^p × p) C with Shapley values = v @ C: C[S, j] = c(|S|−1) if j ∈ S else −c(|S|), c(s) = 1/(p·C(p−1, s))."""
    masks = np.arange(1 << p, dtype=np.uint64)
    size = np.bitwise_count(masks).astype(np.intp)
    coef = np.array([1.0 / (p * math.comb(p - 1, s)) for s in range(p)] + [0.0])
    member = ((masks[:, None] >> np.arange(p, dtype=np.uint64)) & np.uint64(1)).astype(bool)
    c = np.where(member, coef[np.maximum(size - 1, 0)][:, None], -coef[size][:, None])
    c.setflags(write=False)
    return c


def _shapley_from_subsets(v: np.ndarray, p: int) -> np.ndarray:
    """Shapley value of each player from the values of all 2^p coalitions (bitmask-indexed), for (…, 2^p)."""
    if p <= _SPLIT_AT:  # one matrix product (the coefficient matrix is at most 2^16 × 16)
        return v @ _shapley_matrix(p)
    lead = v.shape[:-1]
    size = np.bitwise_count(np.arange(v.shape[-1], dtype=np.uint64)).astype(np.intp)
    # |S|!(p−|S|−1)!/p! = 1 / (p · C(p−1, |S|)), exact enough in float64 for any p we allow.
    coef = np.array([1.0 / (p * math.comb(p - 1, s)) for s in range(p)])
    out = np.empty((*lead, p))
    for j in range(p):
        # Bit j splits the bitmask range into blocks: [..., without j | with j, ...].
        vj = v.reshape(*lead, -1, 2, 1 << j)
        cj = coef[size.reshape(-1, 2, 1 << j)[:, 0, :]]
        out[..., j] = np.sum(cj * (vj[..., 1, :] - vj[..., 0, :]), axis=(-2, -1))
    return out


def _lmg_sampled(r: np.ndarray, n_permutations: int, seed: int, batch: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """Monte-Carlo LMG: average R² gains over ``n_permutations`` random orderings (seeded), and the
    Monte-Carlo standard error of each weight (sd of its gain over orderings / sqrt(orderings))."""
    p = r.shape[0] - 1
    rng = np.random.default_rng(seed)
    total = np.zeros(p)
    total_sq = np.zeros(p)
    done = 0
    while done < n_permutations:
        b = min(batch, n_permutations - done)
        perms = rng.permuted(np.tile(np.arange(p), (b, 1)), axis=1)
        order = np.concatenate([perms, np.full((b, 1), p)], axis=1)
        a = r[order[:, :, None], order[:, None, :]]
        reached = np.zeros(b)
        for pos in range(p):
            col = a[:, pos + 1 :, pos]
            gain, inv = _sweep_gain(a[:, pos, pos], col[:, -1])
            # Same clip as the exact path, applied to the running R² of each ordering.
            new = np.minimum(reached + gain, 1.0)
            total += np.bincount(perms[:, pos], weights=new - reached, minlength=p)
            total_sq += np.bincount(perms[:, pos], weights=(new - reached) ** 2, minlength=p)
            reached = new
            a[:, pos + 1 :, pos + 1 :] -= (col * inv[:, None])[:, :, None] * col[:, None, :]
        done += b
    mean = total / n_permutations
    var = np.maximum(total_sq / n_permutations - mean**2, 0.0) * n_permutations / max(n_permutations - 1, 1)
    return mean, np.sqrt(var / n_permutations)


def _r2_full(r: np.ndarray) -> float:
    """R² of the outcome on all drivers, with the same guarded elimination as the LMG paths."""
    a = r.copy()
    reached = 0.0
    for pos in range(r.shape[0] - 1):
        col = a[pos + 1 :, pos]
        gain, inv = _sweep_gain(a[pos : pos + 1, pos], col[-1:])
        reached = min(reached + float(gain[0]), 1.0)
        a[pos + 1 :, pos + 1 :] -= np.outer(col, col) * inv[0]
    return reached


def lmg(
    corr: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str] | None = None,
    *,
    exact_max_drivers: int = EXACT_MAX_DRIVERS,
    n_permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = 0,
    repair_tolerance: float | None = None,
) -> ImportanceResult:
    """LMG importance: each driver's Shapley share of R², from the correlation matrix alone.

    Lindeman, Merenda & Gold (1980); the ``lmg`` metric of relaimpo (Grömping 2006). With p
    drivers, driver j gets Σ_{S ∌ j} |S|!(p−|S|−1)!/p! · (R²(S ∪ j) − R²(S)), where
    R²(S) = r_yS' R_SS⁻¹ r_yS. The weights are non-negative and sum to R² of the full model.

    Up to ``exact_max_drivers`` (default 24) drivers the decomposition is exact: R² is computed
    for all 2^p subsets by batched Gaussian elimination (see ``_lattice``). A singular matrix does
    not fail: a driver that adds no residual variance adds no R² (as a pseudo-inverse would). A
    clearly indefinite pairwise matrix is first replaced by the nearest correlation matrix (Higham
    2002) and ``corr_repaired`` is set (``repair_tolerance``: refuse a repair that moves R² that
    much, see ``_repair``); R² is clipped to [0, 1].

    Above the threshold the result is APPROXIMATE: the average R² gain over ``n_permutations``
    random orderings drawn with ``numpy.random.default_rng(seed)`` (permutation sampling of the
    Shapley value, Castro, Gómez & Tejada 2009), reported as ``method="lmg-sampled"`` and
    ``method_detail="sampled"`` with the Monte-Carlo standard error of each weight in
    ``sampling_se``. Each sampled ordering still splits R² exactly, so the weights sum to R².
    """
    r, names, repaired = _prepare(corr, outcome, drivers, repair_tolerance)
    return _lmg_prepared(r, names, repaired, exact_max_drivers, n_permutations, seed)


def _lmg_prepared(
    r: np.ndarray, names: list[str], repaired: bool, exact_max_drivers: int, n_permutations: int, seed: int
) -> ImportanceResult:
    p = len(names)
    index = pd.Index(names, name="driver")
    if p <= exact_max_drivers:
        v = _all_subset_r2(r)
        weights = _shapley_from_subsets(v, p)
        return ImportanceResult(pd.Series(weights, index=index, name="lmg"), float(v[-1]), "lmg", repaired)
    weights, se = _lmg_sampled(r, n_permutations, seed)
    return ImportanceResult(
        pd.Series(weights, index=index, name="lmg"),
        _r2_full(r),
        "lmg-sampled",
        repaired,
        "sampled",
        pd.Series(se, index=index, name="sampling_se"),
    )


def _rwa_batch(r: np.ndarray) -> np.ndarray:
    """Johnson's raw relative weights of a batch of (B, p+1, p+1) matrices, outcome last: (B, p)."""
    rxx, rxy = r[:, :-1, :-1], r[:, :-1, -1]
    eigval, eigvec = np.linalg.eigh(rxx)
    eigval = np.clip(eigval, 0.0, None)  # tiny negatives are rounding; large ones are a non-PD pairwise matrix
    root = np.sqrt(eigval)
    keep = eigval > _PIVOT_TOL * np.maximum(1.0, eigval.max(axis=1, keepdims=True))
    inv_root = np.divide(1.0, root, out=np.zeros_like(root), where=keep)
    vt = eigvec.transpose(0, 2, 1)
    lam = (eigvec * root[:, None, :]) @ vt
    beta = ((eigvec * inv_root[:, None, :]) @ vt @ rxy[:, :, None])[:, :, 0]
    return ((lam**2) @ (beta**2)[:, :, None])[:, :, 0]


def relative_weights(
    corr: pd.DataFrame, outcome: str, drivers: Sequence[str] | None = None, *, repair_tolerance: float | None = None
) -> ImportanceResult:
    """Johnson's (2000) relative weights: importance through the orthogonal counterpart of the drivers.

    With R_xx = V diag(λ) V', Λ = V diag(√λ) V' (the symmetric square root), β = Λ⁻¹ r_xy, and
    raw weight_j = Σ_k Λ_jk² β_k²; the raw weights sum to R² (as ``rwa`` in R reports them).
    Eigenvalues below a tolerance are treated as zero (pseudo-inverse), so collinear drivers give
    finite weights; an indefinite pairwise matrix is repaired as in ``lmg``.
    """
    r, names, repaired = _prepare(corr, outcome, drivers, repair_tolerance)
    return _rwa_prepared(r, names, repaired)


def _rwa_prepared(r: np.ndarray, names: list[str], repaired: bool) -> ImportanceResult:
    raw = _rwa_batch(r[None])[0]
    r2 = float(np.clip(raw.sum(), 0.0, 1.0))
    return ImportanceResult(pd.Series(raw, index=pd.Index(names, name="driver"), name="rwa"), r2, "rwa", repaired)


def _check_method(method: str) -> None:
    if method not in ("lmg", "rwa"):
        raise ValueError(f"Unknown importance method {method!r}; use 'lmg' (Shapley/LMG) or 'rwa' (relative weights).")


# ---------------------------------------------------------------------------------------------
# From respondent data: guards, then the model


def usable_drivers(
    df: pd.DataFrame, outcome: str, drivers: Sequence[str], min_pairs: int = MIN_PAIRS
) -> tuple[list[str], dict[str, str]]:
    """The drivers that may enter the model, and why each other one may not.

    A driver needs at least ``min_pairs`` respondents who answered it and the outcome, and at least
    ``min_pairs`` who answered it and each other entering driver: a correlation from a handful of
    joint answers is near ±1 by chance and would take most of R². When two drivers share too few
    answers, the one with fewer answers together with the outcome leaves first (ties: by name).
    """
    drivers = _check_columns(df, outcome, drivers)
    answered = df[[outcome, *drivers]].notna().to_numpy(dtype=np.float64)
    joint = answered.T @ answered
    with_outcome = dict(zip(drivers, joint[0, 1:]))
    excluded = {
        d: f"{int(with_outcome[d])} joint answers with the outcome (minimum {min_pairs})"
        for d in drivers
        if with_outcome[d] < min_pairs
    }
    kept = [d for d in drivers if d not in excluded]
    position = {d: i + 1 for i, d in enumerate(drivers)}
    while len(kept) > 1:
        thin = {
            d: min((int(joint[position[d], position[e]]), e) for e in kept if e != d)
            for d in kept
            if any(joint[position[d], position[e]] < min_pairs for e in kept if e != d)
        }
        if not thin:
            break
        worst = min(thin, key=lambda d: (with_outcome[d], d))
        count, other = thin[worst]
        excluded[worst] = f"{count} joint answers with {other} (minimum {min_pairs})"
        kept.remove(worst)
    return kept, excluded


@dataclass(frozen=True)
class _Plan:
    """What the model rests on: the drivers, the rows (all, pairwise; or the complete cases) and the matrix."""

    drivers: list[str]
    excluded: dict[str, str]
    x: np.ndarray  # rows × [drivers…, outcome], NaN for missing
    r: np.ndarray  # prepared (repaired if needed) correlation matrix, outcome last
    n_pair: np.ndarray  # pairwise n of each driver with the outcome (on the rows used)
    repaired: bool
    complete_case: bool
    note: str | None  # why the pairwise matrix was not used
    groups: MomentGroups | None = None  # moment matrices of the rows used, for the bootstrap
    w: np.ndarray | None = None  # survey weights of the rows used (journey weighting:), None: unweighted


def _correlate(
    x: np.ndarray, group_seed: int | None, w: np.ndarray | None = None, groups: MomentGroups | None = None
) -> tuple[np.ndarray, np.ndarray, MomentGroups | None]:
    """Pairwise r and n of x; with a group seed, from the bootstrap's moment matrices (computed once: ``groups``,
    when given, are those of these rows and columns already).

    With survey weights ``w``, r is the weighted pairwise Pearson correlation (every cross product weighted,
    cjx.metrics.resampling.moment_groups) while n stays the count of joint answers, for the guards."""
    if w is None:
        if group_seed is None:
            return (*_corr_from_basis(*_moment_basis(x)), None)
        if groups is None:
            groups = moment_groups(x, seed=group_seed)
        return (*full_sample_correlation(groups), groups)
    if groups is None:
        groups = moment_groups(x, seed=group_seed or 0, weights=w)
    r, _ = full_sample_correlation(groups)
    present = (~np.isnan(x)).astype(np.float64)
    return r, present.T @ present, groups if group_seed is not None else None


def _plan(
    df: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    min_pairs: int,
    repair_tolerance: float | None,
    group_seed: int | None = None,
    w: np.ndarray | None = None,
) -> _Plan:
    kept, excluded = usable_drivers(df, outcome, drivers, min_pairs)
    if not kept:
        raise NotEstimable(f"no driver has enough answers: {'; '.join(f'{d}: {w}' for d, w in excluded.items())}")
    groups = None
    while True:
        x = _numeric_matrix(df[[*kept, outcome]])
        r, n, groups = _correlate(x, group_seed, w, groups)
        bad = [(i, j) for i, j in zip(*np.nonzero(~np.isfinite(r))) if i <= j]
        if not bad:
            break
        # A side that never varies on the answers shared with another: no correlation, so the driver with the
        # fewest answers together with the outcome in such a pair leaves (the outcome itself cannot).
        q = len(kept)
        if any(i == q for i, _ in bad):
            raise NotEstimable("the outcome does not vary")
        i, j = min(bad, key=lambda ij: (min(n[ij[0], q], n[ij[1], q]), ij))
        worst = i if (n[i, q], kept[i]) <= (n[j, q], kept[j]) or j == q else j
        other = "the outcome" if j == q else kept[j if worst == i else i]
        excluded[kept[worst]] = f"does not vary on the {int(np.round(n[i, j]))} answers shared with {other}"
        kept = [d for k, d in enumerate(kept) if k != worst]
        if groups is not None:  # the same rows: the moments of the columns that stay
            groups = groups.of_columns([k for k in range(q + 1) if k != worst])
        if not kept:
            raise NotEstimable(f"no driver varies: {'; '.join(f'{d}: {w}' for d, w in excluded.items())}")
    p = len(kept)
    smallest = int(np.round(n.min()))
    if smallest <= p + EXTRA_N:
        raise NotEstimable(
            f"{p} drivers need more than {p + EXTRA_N} joint answers per pair (p + {EXTRA_N}), the smallest has "
            f"{smallest}: with as few respondents as drivers any outcome is fitted exactly (R² = 1)"
        )
    names = [*kept, outcome]
    frame = pd.DataFrame(r, index=names, columns=names)
    try:
        prepared, _, repaired = _prepare(frame, outcome, kept, repair_tolerance)
        return _Plan(kept, excluded, x, prepared, n[:-1, -1], repaired, False, None, groups, w)
    except NotEstimable as why:
        is_complete = ~np.isnan(x).any(axis=1)
        complete = x[is_complete]
        w_cc = None if w is None else w[is_complete]
        if len(complete) <= p + EXTRA_N:
            raise NotEstimable(
                f"{why}, and only {len(complete)} respondents answered every driver and the outcome "
                f"(more than {p + EXTRA_N} needed)"
            ) from None
        r_cc, n_cc, groups_cc = _correlate(complete, group_seed, w_cc)
        flat = [names[i] for i in range(len(names)) if not np.isfinite(r_cc[i, i]) or r_cc[i, i] <= 0]
        if flat or not np.isfinite(r_cc).all():
            raise NotEstimable(
                f"{why}, and among the {len(complete)} respondents who answered every driver and the outcome "
                f"{', '.join(flat) or 'a pair of them'} {'does' if len(flat) == 1 else 'do'} not vary"
            ) from None
        prepared, _, repaired = _prepare(pd.DataFrame(r_cc, index=names, columns=names), outcome, kept, None)
        return _Plan(kept, excluded, complete, prepared, n_cc[:-1, -1], repaired, True, str(why), groups_cc, w_cc)


def _fit(plan: _Plan, method: Method, options: dict[str, int]) -> ImportanceResult:
    _check_method(method)
    if method == "lmg":
        res = _lmg_prepared(
            plan.r,
            plan.drivers,
            plan.repaired,
            options.get("exact_max_drivers", EXACT_MAX_DRIVERS),
            options.get("n_permutations", DEFAULT_PERMUTATIONS),
            options.get("seed", 0),
        )
    else:
        res = _rwa_prepared(plan.r, plan.drivers, plan.repaired)
    if plan.complete_case:
        detail = "complete-case" if res.method_detail == "exact" else f"complete-case, {res.method_detail}"
        res = dataclasses.replace(res, method_detail=detail)
    return dataclasses.replace(res, n_used=len(plan.x))


def importance_from_data(
    df: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    method: Method = "lmg",
    *,
    min_pairs: int = MIN_PAIRS,
    repair_tolerance: float | None = REPAIR_R2_TOLERANCE,
    **options: int,
) -> ImportanceResult:
    """Importance of each driver for the outcome from respondent-level data (pairwise-complete correlations).

    Guards first (``usable_drivers``; the smallest pairwise n must exceed p + 10; a repair that
    moves R² by ``repair_tolerance`` or more falls back to complete cases): the weights are for the
    drivers that entered; ``NotEstimable`` says why when none can. ``options`` go to ``lmg``
    (``exact_max_drivers``, ``n_permutations``, ``seed``).
    """
    _check_method(method)
    return _fit(_plan(df, outcome, drivers, min_pairs, repair_tolerance), method, options)


# ---------------------------------------------------------------------------------------------
# Bootstrap

Progress = Callable[[str], None]


def _batch_weights(rs: np.ndarray, method: Method, options: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Weights (B, p) and R² (B,) of a batch of prepared matrices (outcome last)."""
    b, p = rs.shape[0], rs.shape[1] - 1
    if method == "rwa":
        w = _rwa_batch(rs)
        return w, np.clip(w.sum(axis=1), 0.0, 1.0)
    exact_max = options.get("exact_max_drivers", EXACT_MAX_DRIVERS)
    if p <= min(exact_max, _SPLIT_AT):
        step = max(1, (1 << 20) >> p)  # resamples per lattice call: ~6 × 2^p doubles each
        w, r2 = np.empty((b, p)), np.empty(b)
        for lo in range(0, b, step):
            v = np.clip(_lattice(np.ascontiguousarray(rs[lo : lo + step].transpose(1, 2, 0)))[0], 0.0, 1.0)
            w[lo : lo + step] = _shapley_from_subsets(v, p)
            r2[lo : lo + step] = v[:, -1]
        return w, r2
    names = [f"d{j}" for j in range(p)]
    fits = [
        _lmg_prepared(
            m,
            names,
            False,
            exact_max,
            options.get("n_permutations", DEFAULT_PERMUTATIONS),
            options.get("seed", 0),
        )
        for m in rs
    ]
    return np.array([f.weights.to_numpy() for f in fits]), np.array([f.r2 for f in fits])


@dataclass(frozen=True)
class _Draws:
    weights: dict[str, np.ndarray]  # method → (n_resamples, p), NaN rows for failed resamples
    r2: dict[str, np.ndarray]  # method → (n_resamples,)
    n_failed: int
    n_repaired: int
    grouped: bool
    n_units: int


def _bootstrap_draws(
    plan: _Plan,
    methods: Sequence[Method],
    n_resamples: int,
    rng: np.random.Generator,
    options: dict[str, int],
    repair_tolerance: float | None,
    progress: Progress | None = None,
    label: str = "importance",
    batch: int = 100,
) -> _Draws:
    """Bootstrap weights for each method on the same resamples, from sufficient statistics (see resampling)."""
    groups = (
        plan.groups if plan.groups is not None else moment_groups(plan.x, seed=int(rng.integers(2**63)), weights=plan.w)
    )
    p = len(plan.drivers)
    weights: dict[str, np.ndarray] = {m: np.full((n_resamples, p), np.nan) for m in methods}
    r2: dict[str, np.ndarray] = {m: np.full(n_resamples, np.nan) for m in methods}
    n_failed = n_repaired = 0
    with blas_threads():
        for lo in range(0, n_resamples, batch):
            hi = min(lo + batch, n_resamples)
            rs = resample_correlations(groups, resample_counts(groups.n_units, hi - lo, rng))
            ok = np.isfinite(rs).all(axis=(1, 2))
            if ok.any():
                indefinite = np.zeros(len(rs), dtype=bool)
                indefinite[ok] = np.linalg.eigvalsh(rs[ok])[:, 0] < -_REPAIR_TRIGGER
                for i in np.flatnonzero(indefinite):
                    try:
                        rs[i] = _repair(rs[i], repair_tolerance)[0]
                        n_repaired += 1
                    except NotEstimable:
                        ok[i] = False
            n_failed += int((~ok).sum())
            idx = lo + np.flatnonzero(ok)
            for m in methods:
                if idx.size:
                    weights[m][idx], r2[m][idx] = _batch_weights(rs[ok], m, options)
            if progress is not None:
                progress(f"{label}: resamples {hi}/{n_resamples} ({n_failed} failed)")
    return _Draws(weights, r2, n_failed, n_repaired, groups.grouped, groups.n_units)


def _percentile_interval(
    draws: np.ndarray, level: float, method: Literal["linear", "inverted_cdf"] = "linear"
) -> tuple[np.ndarray, np.ndarray]:
    alpha = (1.0 - level) / 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN column: the interval is NaN
        lo = np.nanquantile(draws, alpha, axis=0, method=method)
        hi = np.nanquantile(draws, 1.0 - alpha, axis=0, method=method)
    return lo, hi


def _ranks(weights: np.ndarray) -> np.ndarray:
    """1 = most important; ties share the better rank; NaN rows stay NaN."""
    ranks = stats.rankdata(-weights, method="min", axis=-1, nan_policy="omit").astype(float)
    ranks[np.isnan(weights)] = np.nan
    return ranks


def _check_level(level: float, n_resamples: int) -> None:
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1 (e.g. 0.95), got {level}.")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be at least 1, got {n_resamples}.")


def bootstrap_importances(
    df: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    *,
    methods: Sequence[Method] = ("lmg", "rwa"),
    n_resamples: int = 500,
    seed: int = 0,
    level: float = 0.95,
    min_pairs: int = MIN_PAIRS,
    repair_tolerance: float | None = REPAIR_R2_TOLERANCE,
    progress: Progress | None = None,
    label: str = "importance",
    weights: np.ndarray | None = None,
    **options: int,
) -> dict[str, pd.DataFrame]:
    """Importance per driver with percentile-bootstrap intervals, for each method on the same resamples.

    ``weights`` (survey weights, one per row of ``df``; journey weighting:): the correlation matrix is the weighted
    pairwise one (every cross product weighted) and each resample draws respondents with their weights (the
    weights are not re-raked per resample); the guards still count joint answers.

    Guards as in ``importance_from_data``. Respondents are resampled with replacement using
    ``numpy.random.default_rng(seed)`` (``cjx.metrics.resampling``: each resample is a weighted sum
    of per-respondent, or above 4,096 respondents per-random-group, moment matrices, so no resample
    touches the rows); intervals are the (1−level)/2 and (1+level)/2 percentiles of the draws
    (Efron & Tibshirani 1993, ch. 13). The share interval is taken over each resample's own shares
    (weight / that resample's R²), not the weight's interval divided by the full-sample R².

    Per method, columns: driver, importance, share (of the full-sample R²), ci_low, ci_high,
    share_ci_low, share_ci_high, rank (1 = most important, full sample), rank_ci_low, rank_ci_high,
    n (pairwise n with the outcome), sampling_se (Monte-Carlo error of a sampled LMG, else NaN).
    ``attrs``: r2, method, method_detail, corr_repaired, note, excluded ({driver: reason}),
    n_resamples, n_failed (degenerate resamples, skipped), n_repaired_resamples, level, n_used,
    bootstrap_units ("respondents" or "random groups").
    """
    for m in methods:
        _check_method(m)
    _check_level(level, n_resamples)
    rng = np.random.default_rng(seed)
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    plan = _plan(df, outcome, drivers, min_pairs, repair_tolerance, group_seed=int(rng.integers(2**63)), w=w)
    draws = _bootstrap_draws(plan, methods, n_resamples, rng, options, repair_tolerance, progress, label)
    out: dict[str, pd.DataFrame] = {}
    for m in methods:
        full = _fit(plan, m, options)
        w = draws.weights[m]
        ci_low, ci_high = _percentile_interval(w, level)
        with np.errstate(divide="ignore", invalid="ignore"):
            shares = w / draws.r2[m][:, None]
        share_low, share_high = _percentile_interval(np.where(draws.r2[m][:, None] > 0, shares, np.nan), level)
        # Ranks are integers: take observed order statistics, not interpolations between them.
        rank_low, rank_high = _percentile_interval(_ranks(w), level, method="inverted_cdf")
        weights = full.weights.to_numpy()
        frame = pd.DataFrame(
            {
                "driver": plan.drivers,
                "importance": weights,
                "share": weights / full.r2 if full.r2 > 0 else np.nan,
                "ci_low": ci_low,
                "ci_high": ci_high,
                "share_ci_low": share_low,
                "share_ci_high": share_high,
                "rank": _ranks(weights).astype(np.int64),
                "rank_ci_low": pd.array(rank_low, dtype="Int64"),  # <NA> only if every resample failed
                "rank_ci_high": pd.array(rank_high, dtype="Int64"),
                "n": np.round(plan.n_pair).astype(np.int64),
                "sampling_se": np.nan if full.sampling_se is None else full.sampling_se.to_numpy(),
            }
        )
        frame.attrs.update(
            r2=full.r2,
            method=full.method,
            method_detail=full.method_detail,
            corr_repaired=full.corr_repaired,
            note=plan.note,
            excluded=dict(plan.excluded),
            n_resamples=n_resamples,
            n_failed=draws.n_failed,
            n_repaired_resamples=draws.n_repaired,
            level=level,
            n_used=len(plan.x),
            bootstrap_units="random groups" if draws.grouped else "respondents",
        )
        out[m] = frame
    return out


def bootstrap_importance(
    df: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    *,
    method: Method = "lmg",
    n_resamples: int = 500,
    seed: int = 0,
    level: float = 0.95,
    **options: Any,
) -> pd.DataFrame:
    """``bootstrap_importances`` for one method (see there for the columns, attrs and guards)."""
    return bootstrap_importances(
        df, outcome, drivers, methods=(method,), n_resamples=n_resamples, seed=seed, level=level, **options
    )[method]


def bootstrap_difference(
    df_a: pd.DataFrame,
    df_b: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    *,
    method: Method = "lmg",
    n_resamples: int = 500,
    seed: int = 0,
    level: float = 0.95,
    min_pairs: int = MIN_PAIRS,
    repair_tolerance: float | None = REPAIR_R2_TOLERANCE,
    weights_a: np.ndarray | None = None,
    weights_b: np.ndarray | None = None,
    **options: int,
) -> pd.DataFrame:
    """Change in importance from sample a to sample b (b − a) with a percentile-bootstrap interval.

    ``weights_a`` / ``weights_b``: survey weights of a sample's rows (as in ``bootstrap_importances``), or None.

    The two samples (e.g. two revisits) are resampled independently, each from the same seeded
    generator, and the interval is taken over the per-resample differences (Efron & Tibshirani
    1993). Only drivers that pass the guards in both samples are compared. Columns: driver,
    importance_a, importance_b, difference, ci_low, ci_high, excludes_zero (the interval does not
    contain 0), n_a, n_b (pairwise n with the outcome).
    """
    _check_method(method)
    _check_columns(df_a, outcome, drivers)
    _check_columns(df_b, outcome, drivers)
    _check_level(level, n_resamples)
    both = [
        d
        for d in drivers
        if d in usable_drivers(df_a, outcome, drivers, min_pairs)[0]
        and d in usable_drivers(df_b, outcome, drivers, min_pairs)[0]
    ]
    w_a = None if weights_a is None else np.asarray(weights_a, dtype=np.float64)
    w_b = None if weights_b is None else np.asarray(weights_b, dtype=np.float64)
    plan_a = _plan(df_a, outcome, both, min_pairs, repair_tolerance, w=w_a)
    plan_b = _plan(df_b, outcome, plan_a.drivers, min_pairs, repair_tolerance, w=w_b)
    if plan_b.drivers != plan_a.drivers:
        plan_a = _plan(df_a, outcome, plan_b.drivers, min_pairs, repair_tolerance, w=w_a)
    rng = np.random.default_rng(seed)
    full_a = _fit(plan_a, method, options).weights.to_numpy()
    full_b = _fit(plan_b, method, options).weights.to_numpy()
    draws_a = _bootstrap_draws(plan_a, (method,), n_resamples, rng, options, repair_tolerance).weights[method]
    draws_b = _bootstrap_draws(plan_b, (method,), n_resamples, rng, options, repair_tolerance).weights[method]
    ci_low, ci_high = _percentile_interval(draws_b - draws_a, level)
    out = pd.DataFrame(
        {
            "driver": plan_a.drivers,
            "importance_a": full_a,
            "importance_b": full_b,
            "difference": full_b - full_a,
            "ci_low": ci_low,
            "ci_high": ci_high,
            "excludes_zero": (ci_low > 0) | (ci_high < 0),
            "n_a": np.round(plan_a.n_pair).astype(np.int64),
            "n_b": np.round(plan_b.n_pair).astype(np.int64),
        }
    )
    out.attrs.update(method=method, n_resamples=n_resamples, level=level)
    return out


# ---------------------------------------------------------------------------------------------
# Operational measures


def _as_float(values: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    if isinstance(values, pd.Series):
        return pd.to_numeric(values, errors="raise").to_numpy(dtype="float64", na_value=np.nan)
    return np.asarray(values, dtype="float64").ravel()


def measure_effect(
    x: Sequence[float] | np.ndarray | pd.Series,
    y: Sequence[float] | np.ndarray | pd.Series,
    level: float = 0.95,
    se: Literal["hc3", "classical"] = "hc3",
) -> dict[str, float | int]:
    """How much an operational measure x (e.g. delivery delay in minutes) moves a score y.

    OLS slope of y on x with a t-based confidence interval and test. ``se="hc3"`` (the default) uses the
    HC3 heteroskedasticity-consistent standard error (MacKinnon & White 1985; Long & Ervin 2000 recommend it
    for small samples): ratings are bounded, so their spread changes with the measure and the classical
    standard error (``se="classical"``, scipy.stats.linregress) is too small. Also Pearson r, Spearman rho
    and its p-value, and n after dropping pairs with a missing side. Keys: slope, intercept, slope_se,
    slope_ci_low, slope_ci_high, pearson_r, p_value (slope t-test, n − 2 df), spearman_rho, spearman_p, n.
    """
    xs, ys = _as_float(x), _as_float(y)
    if xs.shape != ys.shape:
        raise ValueError(f"x and y must have the same length, got {xs.size} and {ys.size}.")
    keep = ~(np.isnan(xs) | np.isnan(ys))
    xs, ys = xs[keep], ys[keep]
    n = int(xs.size)
    if n < 3:
        raise ValueError(f"Need at least 3 complete (x, y) pairs to estimate an effect, got {n}.")
    if np.ptp(xs) == 0:
        raise ValueError("x never varies on the complete pairs, so it cannot explain y.")
    fit = stats.linregress(xs, ys)
    t = stats.t.ppf(0.5 + level / 2.0, n - 2)
    if se == "hc3":
        dx = xs - xs.mean()
        sxx = float(dx @ dx)
        resid = ys - (fit.intercept + fit.slope * xs)
        leverage = 1.0 / n + dx * dx / sxx
        with np.errstate(divide="ignore", invalid="ignore"):
            slope_se = float(np.sqrt(np.sum(dx * dx * resid * resid / (1.0 - leverage) ** 2)) / sxx)
        if np.any(leverage >= 1.0 - 1e-12):  # a point that alone decides the slope: HC3 is undefined
            slope_se = math.nan
    else:
        slope_se = float(fit.stderr)
    if slope_se > 0:
        p_value = float(2 * stats.t.sf(abs(fit.slope) / slope_se, n - 2))
    elif slope_se == 0:  # an exact line
        p_value = 0.0 if fit.slope != 0 else 1.0
    else:
        p_value = math.nan
    if np.ptp(ys) == 0:  # flat y: no association, and Spearman/Pearson are undefined
        rho = rho_p = np.nan
    else:
        sr = stats.spearmanr(xs, ys)
        rho, rho_p = float(sr.statistic), float(sr.pvalue)
    return {
        "slope": float(fit.slope),
        "intercept": float(fit.intercept),
        "slope_se": slope_se,
        "slope_ci_low": float(fit.slope - t * slope_se),
        "slope_ci_high": float(fit.slope + t * slope_se),
        "pearson_r": float(fit.rvalue) if np.ptp(ys) > 0 else np.nan,
        "p_value": p_value,
        "spearman_rho": rho,
        "spearman_p": rho_p,
        "n": n,
    }


def measure_bands(
    x: Sequence[float] | np.ndarray | pd.Series,
    y: Sequence[float] | np.ndarray | pd.Series,
    n_bands: int = 4,
    level: float = 0.95,
) -> pd.DataFrame:
    """The effect per band of the measure beside the slope: x cut at its quantiles into ``n_bands`` bands
    (fewer when values tie), and per band n, the mean of y with a t interval, and its difference from the
    first band. Shows a threshold (e.g. ratings fall only past 60 minutes of delay) that a slope averages away.
    Columns: band (1 = lowest), x_low, x_high, n, mean, ci_low, ci_high, difference."""
    xs, ys = _as_float(x), _as_float(y)
    keep = ~(np.isnan(xs) | np.isnan(ys))
    xs, ys = xs[keep], ys[keep]
    edges = np.unique(np.quantile(xs, np.linspace(0, 1, n_bands + 1)))
    band = np.clip(np.searchsorted(edges, xs, side="right"), 1, max(len(edges) - 1, 1))
    rows = []
    for b in range(1, max(len(edges), 2)):
        yb = ys[band == b]
        if yb.size == 0:
            continue
        mean = float(yb.mean())
        half = (
            float(stats.t.ppf(0.5 + level / 2, yb.size - 1) * yb.std(ddof=1) / math.sqrt(yb.size))
            if yb.size > 1
            else math.nan
        )
        rows.append(
            {
                "band": b,
                "x_low": float(xs[band == b].min()),
                "x_high": float(xs[band == b].max()),
                "n": int(yb.size),
                "mean": mean,
                "ci_low": mean - half,
                "ci_high": mean + half,
            }
        )
    out = pd.DataFrame(rows, columns=["band", "x_low", "x_high", "n", "mean", "ci_low", "ci_high"])
    out["difference"] = out["mean"] - (out["mean"].iloc[0] if len(out) else np.nan)
    return out
