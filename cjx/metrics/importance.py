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

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "EXACT_MAX_DRIVERS",
    "ImportanceResult",
    "bootstrap_difference",
    "bootstrap_importance",
    "driver_correlations",
    "importance_from_data",
    "lmg",
    "measure_effect",
    "pairwise_correlation",
    "relative_weights",
]

Method = Literal["lmg", "rwa"]

# Exact LMG visits all 2^p subsets: at 20 drivers ~1 M subsets, ~66 MB peak and ~0.15 s here
# (2 cores); every extra driver doubles both (22: ~260 MB, ~0.8 s), so above this we sample.
EXACT_MAX_DRIVERS = 20
# Monte-Carlo orderings for the sampled fallback; the standard error of each weight shrinks
# like 1/sqrt(n_permutations).
DEFAULT_PERMUTATIONS = 4000
# A residual variance (1 − R² of a driver on the drivers already entered) below this means the
# driver is (numerically) a linear combination of them: it adds nothing, as with a pseudo-inverse.
_PIVOT_TOL = 1e-10
# A pairwise matrix with an eigenvalue below −_REPAIR_TRIGGER is not a correlation matrix of any
# data set; it is projected to the nearest one with eigenvalues of at least _REPAIR_FLOOR.
_REPAIR_TRIGGER = 1e-8
_REPAIR_FLOOR = 1e-8


@dataclass(frozen=True)
class ImportanceResult:
    """Importance weights per driver that add up to the model R²."""

    weights: pd.Series
    r2: float
    method: str
    # True when the pairwise matrix was not positive semi-definite and was replaced by the
    # nearest correlation matrix before decomposing (see _nearest_correlation).
    corr_repaired: bool = False

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


def driver_correlations(df: pd.DataFrame, outcome: str, drivers: Sequence[str]) -> pd.DataFrame:
    """Per driver: Pearson r and Spearman rho with the outcome, their p-values, and the pairwise n."""
    drivers = _check_columns(df, outcome, drivers)
    y = _numeric_matrix(df[[outcome]])[:, 0]
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


def _prepare(corr: pd.DataFrame, outcome: str, drivers: Sequence[str] | None) -> tuple[np.ndarray, list[str], bool]:
    """The correlation matrix ordered drivers-then-outcome, validated (and repaired if not PSD)."""
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
    # Rounding leaves singular matrices (a duplicated driver) a hair below zero: the pivot guard
    # handles those exactly. Only a clearly indefinite matrix, from pairwise deletion, is repaired.
    repaired = bool(np.linalg.eigvalsh(r)[0] < -_REPAIR_TRIGGER)
    if repaired:
        r = _nearest_correlation(r)
    return r, drivers, repaired


def _sweep_gain(piv: np.ndarray, col_y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """R² gain of entering a variable with residual variance ``piv``, and 1/piv (0 where guarded)."""
    inv = np.divide(1.0, piv, out=np.zeros_like(piv), where=piv > _PIVOT_TOL)
    return col_y * col_y * inv, inv


def _all_subset_r2(r: np.ndarray) -> np.ndarray:
    """R²(S) for every subset S of the drivers, indexed by bitmask (bit j = driver j).

    ``r`` is (p+1)×(p+1) with the outcome last. Subsets are grown by appending a driver k above
    the current maximum, carrying the residual correlation matrix of the not-yet-entered drivers
    and the outcome given S (one step of Gaussian elimination = a rank-1 update). All subsets
    with the same maximum are updated in one batched numpy operation, so the whole lattice costs
    O(2^p) arithmetic in O(p²) numpy calls instead of 2^p separate solves. The gain of entering k
    is σ²(y,k | S) / σ²(k | S); it is never negative, so R² is monotone and the LMG weights are
    non-negative. A pivot below _PIVOT_TOL (a driver collinear with S) adds nothing, exactly as a
    pseudo-inverse would treat a redundant column. ``r`` must be positive semi-definite (see
    ``_prepare``), otherwise R²(S) would depend on the order the drivers entered.
    """
    p = r.shape[0] - 1
    v = np.zeros(1)
    # groups[g] holds the residual matrices of all subsets whose largest driver is g-1 (g=0: the
    # empty set), over the drivers above it plus the outcome; in increasing bitmask order.
    groups: list[np.ndarray] = [r[None, :, :]]
    for k in range(p):
        gains, children = [], []
        for g, a in enumerate(groups):
            c = k - g  # position of driver k in this group's matrices
            col = a[:, c + 1 :, c]
            gain, inv = _sweep_gain(a[:, c, c], col[:, -1])
            gains.append(gain)
            if k < p - 1:  # the last driver's subsets have no children to prepare for
                children.append(a[:, c + 1 :, c + 1 :] - (col * inv[:, None])[:, :, None] * col[:, None, :])
        # The bitmasks with top bit k are 2^k + (0 … 2^k − 1): the parents in their own order.
        v = np.concatenate([v, v + np.concatenate(gains)])
        if children:
            groups.append(np.concatenate(children))
    # Rounding on a near-singular matrix can nudge R² past 1; a proportion of variance cannot.
    return np.clip(v, 0.0, 1.0)


def _shapley_from_subsets(v: np.ndarray, p: int) -> np.ndarray:
    """Shapley value of each player from the values of all 2^p coalitions (bitmask-indexed)."""
    size = np.bitwise_count(np.arange(v.size, dtype=np.uint64)).astype(np.intp)
    # |S|!(p−|S|−1)!/p! = 1 / (p · C(p−1, |S|)), exact enough in float64 for any p we allow.
    coef = np.array([1.0 / (p * math.comb(p - 1, s)) for s in range(p)])
    out = np.empty(p)
    for j in range(p):
        # Bit j splits the bitmask range into blocks: [..., without j | with j, ...].
        vj = v.reshape(-1, 2, 1 << j)
        sj = size.reshape(-1, 2, 1 << j)[:, 0, :]
        out[j] = np.sum(coef[sj] * (vj[:, 1, :] - vj[:, 0, :]))
    return out


def _lmg_sampled(r: np.ndarray, n_permutations: int, seed: int, batch: int = 500) -> np.ndarray:
    """Monte-Carlo LMG: average R² gains over ``n_permutations`` random orderings (seeded)."""
    p = r.shape[0] - 1
    rng = np.random.default_rng(seed)
    total = np.zeros(p)
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
            reached = new
            a[:, pos + 1 :, pos + 1 :] -= (col * inv[:, None])[:, :, None] * col[:, None, :]
        done += b
    return total / n_permutations


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
) -> ImportanceResult:
    """LMG importance: each driver's Shapley share of R², from the correlation matrix alone.

    Lindeman, Merenda & Gold (1980); the ``lmg`` metric of relaimpo (Grömping 2006). With p
    drivers, driver j gets Σ_{S ∌ j} |S|!(p−|S|−1)!/p! · (R²(S ∪ j) − R²(S)), where
    R²(S) = r_yS' R_SS⁻¹ r_yS. The weights are non-negative and sum to R² of the full model.

    Up to ``exact_max_drivers`` (default 20) drivers the decomposition is exact: R² is computed
    for all 2^p subsets by batched Gaussian elimination (see ``_all_subset_r2``). A singular
    matrix does not fail: a driver that adds no residual variance adds no R² (as a pseudo-
    inverse would). A clearly indefinite pairwise matrix is first replaced by the nearest
    correlation matrix (Higham 2002) and ``corr_repaired`` is set; R² is clipped to [0, 1].

    Above the threshold the result is APPROXIMATE: the average R² gain over ``n_permutations``
    random orderings drawn with ``numpy.random.default_rng(seed)`` (permutation sampling of the
    Shapley value, Castro, Gómez & Tejada 2009), reported as ``method="lmg-sampled"``. Each
    sampled ordering still splits R² exactly, so the weights sum to R²; each weight has a Monte-
    Carlo standard error of roughly sd(gain)/sqrt(n_permutations).
    """
    r, names, repaired = _prepare(corr, outcome, drivers)
    p = len(names)
    if p <= exact_max_drivers:
        v = _all_subset_r2(r)
        weights, r2, method = _shapley_from_subsets(v, p), float(v[-1]), "lmg"
    else:
        weights, r2, method = _lmg_sampled(r, n_permutations, seed), _r2_full(r), "lmg-sampled"
    return ImportanceResult(pd.Series(weights, index=pd.Index(names, name="driver"), name="lmg"), r2, method, repaired)


def relative_weights(corr: pd.DataFrame, outcome: str, drivers: Sequence[str] | None = None) -> ImportanceResult:
    """Johnson's (2000) relative weights: importance through the orthogonal counterpart of the drivers.

    With R_xx = V diag(λ) V', Λ = V diag(√λ) V' (the symmetric square root), β = Λ⁻¹ r_xy, and
    raw weight_j = Σ_k Λ_jk² β_k²; the raw weights sum to R² (as ``rwa`` in R reports them).
    Eigenvalues below a tolerance are treated as zero (pseudo-inverse), so collinear drivers give
    finite weights; an indefinite pairwise matrix is repaired as in ``lmg``.
    """
    r, names, repaired = _prepare(corr, outcome, drivers)
    rxx, rxy = r[:-1, :-1], r[:-1, -1]
    eigval, eigvec = np.linalg.eigh(rxx)
    eigval = np.clip(eigval, 0.0, None)  # tiny negatives are rounding; large ones are a non-PD pairwise matrix
    root = np.sqrt(eigval)
    keep = eigval > _PIVOT_TOL * max(1.0, float(eigval.max()))
    inv_root = np.divide(1.0, root, out=np.zeros_like(root), where=keep)
    lam = (eigvec * root) @ eigvec.T
    beta = (eigvec * inv_root) @ eigvec.T @ rxy
    raw = (lam**2) @ (beta**2)
    r2 = float(np.clip(raw.sum(), 0.0, 1.0))
    return ImportanceResult(pd.Series(raw, index=pd.Index(names, name="driver"), name="rwa"), r2, "rwa", repaired)


def _importance(
    r: pd.DataFrame, outcome: str, drivers: Sequence[str], method: Method, **options: int
) -> ImportanceResult:
    if method == "lmg":
        return lmg(r, outcome, drivers, **options)
    if method == "rwa":
        return relative_weights(r, outcome, drivers)
    raise ValueError(f"Unknown importance method {method!r}; use 'lmg' (Shapley/LMG) or 'rwa' (relative weights).")


def importance_from_data(
    df: pd.DataFrame, outcome: str, drivers: Sequence[str], method: Method = "lmg", **options: int
) -> ImportanceResult:
    """Importance of each driver for the outcome from respondent-level data (pairwise-complete correlations).

    ``options`` go to ``lmg`` (``exact_max_drivers``, ``n_permutations``, ``seed``).
    """
    drivers = _check_columns(df, outcome, drivers)
    corr, _ = pairwise_correlation(df[[outcome, *drivers]])
    return _importance(corr, outcome, drivers, method, **options)


# ---------------------------------------------------------------------------------------------
# Bootstrap


def _resample_weights(
    basis: np.ndarray,
    centre: np.ndarray,
    outcome: str,
    drivers: list[str],
    method: Method,
    counts: np.ndarray,
    options: dict[str, int],
    scratch: np.ndarray,
) -> np.ndarray:
    """Importance on one bootstrap resample given as row counts; NaN if the resample is degenerate."""
    r, _ = _corr_from_basis(basis, centre, counts, scratch=scratch)
    names = [outcome, *drivers]
    try:
        res = _importance(pd.DataFrame(r, index=names, columns=names), outcome, drivers, method, **options)
    except ValueError:
        # A resample can miss every respondent who rated a rare touchpoint: no correlation to use.
        return np.full(len(drivers), np.nan)
    return res.weights.to_numpy()


def _bootstrap_draws(
    df: pd.DataFrame,
    outcome: str,
    drivers: list[str],
    method: Method,
    n_resamples: int,
    rng: np.random.Generator,
    options: dict[str, int],
) -> np.ndarray:
    """An (n_resamples × drivers) array of bootstrap importance weights."""
    basis, centre = _moment_basis(_numeric_matrix(df[[outcome, *drivers]]))
    n = basis.shape[1]
    scratch = np.empty((2 * centre.size, n))
    out = np.empty((n_resamples, len(drivers)))
    for b in range(n_resamples):
        # Drawing row indices with replacement and counting them is the same resample as
        # df.iloc[idx], without copying the rows.
        counts = np.bincount(rng.integers(0, n, size=n), minlength=n).astype(np.float64)
        out[b] = _resample_weights(basis, centre, outcome, drivers, method, counts, options, scratch)
    return out


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


def bootstrap_importance(
    df: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    *,
    method: Method = "lmg",
    n_resamples: int = 500,
    seed: int = 0,
    level: float = 0.95,
    **options: int,
) -> pd.DataFrame:
    """Importance per driver with percentile-bootstrap intervals for the weight and its rank.

    Respondents (rows) are resampled with replacement using ``numpy.random.default_rng(seed)``
    and importance is recomputed from pairwise-complete correlations each time; intervals are
    the (1−level)/2 and (1+level)/2 percentiles of the draws (Efron & Tibshirani 1993, ch. 13).
    Columns: driver, importance, share (of the full-sample R²), ci_low, ci_high, rank (1 = most
    important, full sample), rank_ci_low, rank_ci_high, n (pairwise n with the outcome).
    ``attrs`` carries r2, method, n_resamples and n_failed (degenerate resamples, skipped).
    """
    drivers = _check_columns(df, outcome, drivers)
    _check_level(level, n_resamples)
    full = importance_from_data(df, outcome, drivers, method, **options)
    _, n_pair = pairwise_correlation(df[[outcome, *drivers]])
    draws = _bootstrap_draws(df, outcome, drivers, method, n_resamples, np.random.default_rng(seed), options)
    ci_low, ci_high = _percentile_interval(draws, level)
    # Ranks are integers: take observed order statistics, not interpolations between them.
    rank_low, rank_high = _percentile_interval(_ranks(draws), level, method="inverted_cdf")
    weights = full.weights.to_numpy()
    out = pd.DataFrame(
        {
            "driver": drivers,
            "importance": weights,
            "share": weights / full.r2 if full.r2 > 0 else np.nan,
            "ci_low": ci_low,
            "ci_high": ci_high,
            "rank": _ranks(weights).astype(np.int64),
            "rank_ci_low": pd.array(rank_low, dtype="Int64"),  # <NA> only if every resample failed
            "rank_ci_high": pd.array(rank_high, dtype="Int64"),
            "n": n_pair.loc[drivers, outcome].to_numpy(),
        }
    )
    out.attrs.update(
        r2=full.r2,
        method=full.method,
        n_resamples=n_resamples,
        n_failed=int(np.isnan(draws).any(axis=1).sum()),
        level=level,
    )
    return out


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
    **options: int,
) -> pd.DataFrame:
    """Change in importance from sample a to sample b (b − a) with a percentile-bootstrap interval.

    The two samples (e.g. two revisits) are resampled independently, each from the same seeded
    generator, and the interval is taken over the per-resample differences (Efron & Tibshirani
    1993). Columns: driver, importance_a, importance_b, difference, ci_low, ci_high,
    excludes_zero (the interval does not contain 0), n_a, n_b (pairwise n with the outcome).
    """
    drivers = _check_columns(df_a, outcome, drivers)
    _check_columns(df_b, outcome, drivers)
    _check_level(level, n_resamples)
    rng = np.random.default_rng(seed)
    full_a = importance_from_data(df_a, outcome, drivers, method, **options).weights.to_numpy()
    full_b = importance_from_data(df_b, outcome, drivers, method, **options).weights.to_numpy()
    draws_a = _bootstrap_draws(df_a, outcome, drivers, method, n_resamples, rng, options)
    draws_b = _bootstrap_draws(df_b, outcome, drivers, method, n_resamples, rng, options)
    ci_low, ci_high = _percentile_interval(draws_b - draws_a, level)
    n_a = pairwise_correlation(df_a[[outcome, *drivers]])[1].loc[drivers, outcome].to_numpy()
    n_b = pairwise_correlation(df_b[[outcome, *drivers]])[1].loc[drivers, outcome].to_numpy()
    out = pd.DataFrame(
        {
            "driver": drivers,
            "importance_a": full_a,
            "importance_b": full_b,
            "difference": full_b - full_a,
            "ci_low": ci_low,
            "ci_high": ci_high,
            "excludes_zero": (ci_low > 0) | (ci_high < 0),
            "n_a": n_a,
            "n_b": n_b,
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
) -> dict[str, float | int]:
    """How much an operational measure x (e.g. delivery delay in minutes) moves a score y.

    OLS slope of y on x with a t-based confidence interval (scipy.stats.linregress), Pearson r
    and its p-value (the slope's t-test), Spearman rho and its p-value, and n after dropping
    pairs with a missing side. Keys: slope, intercept, slope_se, slope_ci_low, slope_ci_high,
    pearson_r, p_value, spearman_rho, spearman_p, n.
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
    if np.ptp(ys) == 0:  # flat y: no association, and Spearman/Pearson are undefined
        rho = rho_p = np.nan
    else:
        sr = stats.spearmanr(xs, ys)
        rho, rho_p = float(sr.statistic), float(sr.pvalue)
    return {
        "slope": float(fit.slope),
        "intercept": float(fit.intercept),
        "slope_se": float(fit.stderr),
        "slope_ci_low": float(fit.slope - t * fit.stderr),
        "slope_ci_high": float(fit.slope + t * fit.stderr),
        "pearson_r": float(fit.rvalue) if np.ptp(ys) > 0 else np.nan,
        "p_value": float(fit.pvalue),
        "spearman_rho": rho,
        "spearman_p": rho_p,
        "n": n,
    }
