"""Importance at the edges of real data (issue 18): each test first reproduces the defect with the unguarded
computation, then pins the fixed behaviour against an independent computation (statsmodels OLS, pandas
correlations of the resampled rows, brute-force Shapley values, the asymptotic SE of a correlation)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from threadpoolctl import threadpool_info

from cjx.metrics.importance import (
    NotEstimable,
    bootstrap_importance,
    bootstrap_importances,
    importance_from_data,
    lmg,
    pairwise_correlation,
    usable_drivers,
)
from cjx.metrics.resampling import (
    blas_threads,
    full_sample_correlation,
    moment_groups,
    resample_correlations,
    resample_counts,
)


def synthetic(n: int, weights: list[float], seed: int, noise: float = 1.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    p = len(weights)
    x = rng.normal(size=(n, p)) @ (np.eye(p) + 0.3 * rng.normal(size=(p, p)))
    y = x @ np.asarray(weights) + noise * rng.normal(size=n)
    return pd.DataFrame(np.column_stack([x, y]), columns=[*(f"d{j}" for j in range(p)), "y"])


def ols_r2(df: pd.DataFrame, outcome: str, drivers: list[str]) -> float:
    complete = df[[outcome, *drivers]].dropna()
    return float(sm.OLS(complete[outcome], sm.add_constant(complete[drivers])).fit().rsquared)


def brute_lmg(corr: np.ndarray) -> np.ndarray:
    """Average R² gain over every ordering, each R² by least squares (outcome last)."""
    p = corr.shape[0] - 1

    def r2(subset: tuple[int, ...]) -> float:
        if not subset:
            return 0.0
        idx = list(subset)
        rxy = corr[idx, -1]
        return float(rxy @ np.linalg.lstsq(corr[np.ix_(idx, idx)], rxy, rcond=None)[0])

    cache: dict[tuple[int, ...], float] = {}
    out = np.zeros(p)
    for order in itertools.permutations(range(p)):
        for pos, j in enumerate(order):
            before, after = tuple(sorted(order[:pos])), tuple(sorted(order[: pos + 1]))
            for key in (before, after):
                if key not in cache:
                    cache[key] = r2(key)
            out[j] += cache[after] - cache[before]
    return out / math.factorial(p)


# --- item 1: guards -----------------------------------------------------------------------------------------


def test_a_driver_rated_by_three_respondents_no_longer_takes_most_of_r2():
    df = synthetic(300, [0.5, 0.4, 0.3], seed=21)
    rare = df["y"].rank().where(df.index < 3)  # three respondents, ordered as their outcome: r = 1 on 3 pairs
    df.insert(3, "rare", rare)
    drivers = ["d0", "d1", "d2", "rare"]
    # The defect: from the pairwise matrix the three-answer driver takes most of R², and R² is ~1.
    unguarded = lmg(pairwise_correlation(df)[0], "y", drivers)
    assert unguarded.shares["rare"] > 0.5 and unguarded.r2 > 0.95
    # Fixed: it does not enter; the rest is the model of the three real drivers.
    kept, excluded = usable_drivers(df, "y", drivers, min_pairs=30)
    assert kept == ["d0", "d1", "d2"]
    assert excluded == {"rare": "3 joint answers with the outcome (minimum 30)"}
    out = bootstrap_importance(df, "y", drivers, n_resamples=50, seed=1)
    assert list(out.driver) == ["d0", "d1", "d2"]
    assert out.attrs["excluded"] == excluded
    assert out.importance.sum() == pytest.approx(ols_r2(df, "y", ["d0", "d1", "d2"]), abs=1e-10)


def test_two_drivers_with_too_few_joint_answers_drop_the_thinner_one():
    df = synthetic(200, [0.5, 0.4, 0.3], seed=3)
    df.loc[:159, "d1"] = np.nan  # d1: rows 160-199 (40 answers); d2: rows 30-169 (140); together only 10
    df.loc[:29, "d2"] = np.nan
    df.loc[170:, "d2"] = np.nan
    joint = int((df.d1.notna() & df.d2.notna()).sum())
    assert joint == 10
    kept, excluded = usable_drivers(df, "y", ["d0", "d1", "d2"], min_pairs=30)
    assert kept == ["d0", "d2"]
    assert excluded == {"d1": f"{joint} joint answers with d2 (minimum 30)"}


def test_as_many_respondents_as_drivers_is_not_estimable_instead_of_r2_one():
    rng = np.random.default_rng(4)
    n, p = 20, 12
    df = pd.DataFrame(rng.normal(size=(n, p + 1)), columns=[*(f"d{j}" for j in range(p)), "y"])
    drivers = [f"d{j}" for j in range(p)]
    # The defect: pure noise, and yet nearly everything "explained" (statsmodels agrees: 12 drivers, 20 rows).
    assert ols_r2(df, "y", drivers) > 0.5
    assert lmg(pairwise_correlation(df)[0], "y", drivers).r2 == pytest.approx(ols_r2(df, "y", drivers), abs=1e-9)
    with pytest.raises(NotEstimable, match=r"12 drivers need more than 22 joint answers per pair.*smallest has 20"):
        importance_from_data(df, "y", drivers, min_pairs=5)
    with pytest.raises(NotEstimable):
        bootstrap_importances(df, "y", drivers, min_pairs=5, n_resamples=10)


def _indefinite_survey() -> tuple[pd.DataFrame, pd.DataFrame]:
    """80 complete respondents, and 3 × 400 who each rated two of a, b, c: a≈b, a≈c but b≈−c."""
    rng = np.random.default_rng(8)
    x = rng.normal(size=(80, 3))
    complete = pd.DataFrame(x, columns=["a", "b", "c"]).assign(y=x @ [0.5, 0.3, 0.2] + rng.normal(size=80))
    blocks = [complete]
    for first, second, sign in (("a", "b", 1), ("a", "c", 1), ("b", "c", -1)):
        u = rng.normal(size=400)
        block = pd.DataFrame({first: u, second: sign * u + 0.2 * rng.normal(size=400)})
        block["y"] = 0.7 * u + rng.normal(size=400)
        blocks.append(block)
    return pd.concat(blocks, ignore_index=True)[["a", "b", "c", "y"]], complete


def test_an_indefinite_pairwise_matrix_whose_repair_moves_r2_falls_back_to_complete_cases():
    df, complete = _indefinite_survey()
    corr, _ = pairwise_correlation(df)
    assert np.linalg.eigvalsh(corr.to_numpy()).min() < -0.1
    # The defect: repaired without a check, R² is near 1 though the complete cases say about 0.3.
    repaired = lmg(corr, "y", ["a", "b", "c"])
    truth = ols_r2(complete, "y", ["a", "b", "c"])
    assert repaired.corr_repaired and repaired.r2 > 0.9 and truth < 0.5
    # Fixed: complete cases, said so, and the R² statsmodels gets on them.
    for method in ("lmg", "rwa"):
        res = importance_from_data(df, "y", ["a", "b", "c"], method)
        assert res.method_detail == "complete-case" and res.n_used == 80
        assert res.r2 == pytest.approx(truth, abs=1e-10)
    out = bootstrap_importances(df, "y", ["a", "b", "c"], n_resamples=50, seed=0)
    for frame in out.values():
        assert frame.attrs["method_detail"] == "complete-case"
        assert "repairing it moves R²" in frame.attrs["note"]
        assert frame.importance.sum() == pytest.approx(truth, abs=1e-10)


def test_complete_cases_where_a_driver_never_varies_are_refused_with_a_reason_not_a_crash():
    """Seen at 10 M answers (bench/score_bench.py, a segment's importance): the pairwise matrix is indefinite, the
    fallback's complete respondents all gave one driver the same rating, and the complete-case correlation was
    undefined: a ValueError ended the whole score step. It is a refusal with a reason, like the other guards."""
    df, complete = _indefinite_survey()
    df.loc[: len(complete) - 1, "c"] = 3.0  # the 80 complete respondents all rate c the same
    corr, _ = pairwise_correlation(df)
    assert np.linalg.eigvalsh(corr.to_numpy()).min() < -0.1  # still indefinite, so the fallback is taken
    assert df.dropna()["c"].nunique() == 1 and len(df.dropna()) == 80
    why = r"repairing it moves R².*among the 80 respondents who answered every driver and the outcome c does not vary"
    for method in ("lmg", "rwa"):
        with pytest.raises(NotEstimable, match=why):
            importance_from_data(df, "y", ["a", "b", "c"], method)
    with pytest.raises(NotEstimable, match=why):
        bootstrap_importances(df, "y", ["a", "b", "c"], n_resamples=20, seed=0)


def test_a_repair_that_keeps_r2_is_used_and_flagged():
    rng = np.random.default_rng(12)
    x = rng.normal(size=(400, 3))
    corr = np.corrcoef(np.column_stack([x, x @ [0.5, 0.4, 0.3] + rng.normal(size=400)]), rowvar=False)
    # A nudge no data set can produce (pairwise deletion can): the drivers' smallest eigenvalue a hair below
    # zero (then back to a unit diagonal), in a direction the outcome does not load on.
    val, vec = np.linalg.eigh(corr[:3, :3])
    val[0] = -1e-3
    rxx = (vec * val) @ vec.T
    rxx /= np.sqrt(np.outer(np.diag(rxx), np.diag(rxx)))
    val, vec = np.linalg.eigh(rxx)
    rxy = corr[:3, 3] - vec[:, 0] * (vec[:, 0] @ corr[:3, 3])
    nudged = np.block([[rxx, rxy[:, None]], [rxy[None, :], np.ones((1, 1))]])
    names = ["d0", "d1", "d2", "y"]
    frame = pd.DataFrame(nudged, index=names, columns=names)
    raw_r2 = float(rxy @ np.linalg.lstsq(rxx, rxy, rcond=None)[0])
    res = lmg(frame, "y", repair_tolerance=0.02)
    assert res.corr_repaired and np.linalg.eigvalsh(nudged).min() < 0
    assert res.r2 == pytest.approx(raw_r2, abs=0.02)
    assert res.weights.sum() == pytest.approx(res.r2, abs=1e-9)


# --- item 6: the bootstrap from sufficient statistics is the bootstrap of the rows -----------------------


def test_a_resample_from_moment_matrices_is_pandas_on_the_resampled_rows():
    df = synthetic(500, [0.5, 0.4, 0.3, 0.2], seed=5)
    df[df.columns[:4]] = df[df.columns[:4]].mask(np.random.default_rng(2).random((500, 4)) < 0.3)
    x = df.to_numpy()
    groups = moment_groups(x)
    assert not groups.grouped and groups.n_units == 500
    counts = resample_counts(500, 3, np.random.default_rng(9))
    assert (counts.sum(axis=1) == 500).all()
    rs = resample_correlations(groups, counts)
    for b in range(3):
        rows = np.repeat(np.arange(500), counts[b].astype(int))
        np.testing.assert_allclose(rs[b], df.iloc[rows].corr().to_numpy(), atol=1e-12)
    r, n = full_sample_correlation(groups)
    np.testing.assert_allclose(r, df.corr().to_numpy(), atol=1e-13)
    np.testing.assert_array_equal(n, df.notna().astype(int).T @ df.notna().astype(int))


def test_a_random_group_resample_is_pandas_on_the_rows_of_the_drawn_groups():
    df = synthetic(1000, [0.5, 0.4], seed=6)
    df["d0"] = df["d0"].mask(np.random.default_rng(3).random(1000) < 0.4)
    groups = moment_groups(df.to_numpy(), max_groups=64, seed=11)
    assert groups.grouped and groups.n_units == 64
    # Rows are dealt to groups in a seeded random order, 16 per group (the last group is short).
    order = np.random.default_rng(11).permutation(1000)
    members = [order[g * 16 : (g + 1) * 16] for g in range(64)]
    counts = resample_counts(64, 2, np.random.default_rng(0))
    rs = resample_correlations(groups, counts)
    for b in range(2):
        rows = np.concatenate([np.tile(members[g], int(c)) for g, c in enumerate(counts[b])])
        np.testing.assert_allclose(rs[b], df.iloc[rows].corr().to_numpy(), atol=1e-12)


@pytest.mark.parametrize("max_groups", [4096, 64])  # one unit per row; random groups
def test_a_driver_leaving_the_model_takes_its_columns_out_of_the_moments(max_groups):
    """MomentGroups.of_columns (the guards dropping a driver that does not vary): the moments of the remaining
    columns are those computed from them alone, weighted too, and resample to pandas' correlations of the rows."""
    df = synthetic(1000, [0.5, 0.4, 0.3], seed=8)
    df[df.columns[:3]] = df[df.columns[:3]].mask(np.random.default_rng(4).random((1000, 3)) < 0.3)
    x, keep = df.to_numpy(), [0, 2, 3]
    weights = np.random.default_rng(5).uniform(0.5, 2.0, 1000)
    for w in (None, weights):
        taken = moment_groups(x, max_groups=max_groups, seed=3, weights=w).of_columns(keep)
        alone = moment_groups(x[:, keep], max_groups=max_groups, seed=3, weights=w)
        np.testing.assert_allclose(taken.moments, alone.moments, rtol=1e-12, atol=1e-9)
        np.testing.assert_array_equal(taken.centre, alone.centre)
    r, _ = full_sample_correlation(moment_groups(x, max_groups=max_groups, seed=3).of_columns(keep))
    np.testing.assert_allclose(r, df.iloc[:, keep].corr().to_numpy(), atol=1e-12)


def test_random_group_bootstrap_has_the_sampling_error_of_a_correlation():
    # Normal data, ρ = 0.5: the standard error of r is (1 − ρ²)/√n (Fisher 1915; e.g. Stuart & Ord).
    rng = np.random.default_rng(14)
    n = 20_000
    x = rng.normal(size=n)
    y = 0.5 * x + math.sqrt(0.75) * rng.normal(size=n)
    groups = moment_groups(np.column_stack([x, y]), seed=1)
    assert groups.grouped and groups.n_units == 4096
    rs = resample_correlations(groups, resample_counts(groups.n_units, 1000, np.random.default_rng(2)))
    se = rs[:, 0, 1].std(ddof=1)
    assert se == pytest.approx(0.75 / math.sqrt(n), rel=0.1)


def test_bootstrap_importance_equals_a_hand_bootstrap_of_the_rows_with_the_same_draws():
    df = synthetic(300, [0.6, 0.3, 0.2], seed=17)
    df[["d0", "d1", "d2"]] = df[["d0", "d1", "d2"]].mask(np.random.default_rng(5).random((300, 3)) < 0.2)
    out = bootstrap_importance(df, "y", ["d0", "d1", "d2"], n_resamples=100, seed=4)
    # The same draws by hand: the generator first gives the group seed, then 100 × 300 row indices.
    rng = np.random.default_rng(4)
    rng.integers(2**63)
    draws = rng.integers(0, 300, size=(100, 300))
    weights, shares = np.empty((100, 3)), np.empty((100, 3))
    for b in range(100):
        corr = df.iloc[draws[b]][["d0", "d1", "d2", "y"]].corr().to_numpy()
        weights[b] = brute_lmg(corr)
        shares[b] = weights[b] / weights[b].sum()
    np.testing.assert_allclose(out.ci_low, np.percentile(weights, 2.5, axis=0), atol=1e-10)
    np.testing.assert_allclose(out.ci_high, np.percentile(weights, 97.5, axis=0), atol=1e-10)
    # Item 2: the share interval is over the resamples' own shares …
    np.testing.assert_allclose(out.share_ci_low, np.percentile(shares, 2.5, axis=0), atol=1e-10)
    np.testing.assert_allclose(out.share_ci_high, np.percentile(shares, 97.5, axis=0), atol=1e-10)
    # … which is not the weight's interval divided by the full-sample R² (the old priority mart).
    r2 = out.attrs["r2"]
    assert np.abs(out.ci_high / r2 - out.share_ci_high).max() > 0.01


def test_both_methods_share_the_resamples_and_the_blas_threads_are_set():
    df = synthetic(200, [0.5, 0.4, 0.1], seed=2)
    both = bootstrap_importances(df, "y", ["d0", "d1", "d2"], n_resamples=60, seed=3)
    alone = bootstrap_importance(df, "y", ["d0", "d1", "d2"], method="rwa", n_resamples=60, seed=3)
    pd.testing.assert_frame_equal(both["rwa"], alone)
    lines: list[str] = []
    bootstrap_importances(df, "y", ["d0", "d1", "d2"], n_resamples=250, seed=3, progress=lines.append, label="R1")
    assert lines == [
        "R1: resamples 100/250 (0 failed)",
        "R1: resamples 200/250 (0 failed)",
        "R1: resamples 250/250 (0 failed)",
    ]
    with blas_threads(1):
        assert all(pool["num_threads"] == 1 for pool in threadpool_info() if pool["user_api"] == "blas")


# --- item 4: exact LMG to 24 drivers, sampled above with its error ----------------------------------------


def _block_matrix(sizes: list[int], seed: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """A correlation matrix of drivers in mutually uncorrelated blocks (and the outcome, last), and each
    block's own matrix with the outcome. R² is then additive over blocks, so each driver's LMG weight is
    its LMG weight within its block (the Shapley value of an additive game)."""
    rng = np.random.default_rng(seed)
    p = sum(sizes)
    r = np.eye(p + 1)
    parts, at = [], 0
    for size in sizes:
        z = rng.normal(size=(200, size)) @ (np.eye(size) + 0.4 * rng.normal(size=(size, size)))
        r[at : at + size, at : at + size] = np.corrcoef(z, rowvar=False)
        at += size
    beta = rng.uniform(0.02, 0.12, size=p)  # a true linear model, so the whole matrix is a correlation matrix
    beta *= min(1.0, 0.7 / math.sqrt(beta @ r[:p, :p] @ beta))
    r[:p, p] = r[p, :p] = r[:p, :p] @ beta
    assert np.linalg.eigvalsh(r).min() > 0
    at = 0
    for size in sizes:
        idx = [*range(at, at + size), p]
        parts.append(r[np.ix_(idx, idx)])
        at += size
    return r, parts


def test_lmg_is_exact_up_to_twenty_four_drivers():
    sizes = [5, 5, 5, 6]  # 21 drivers: sampled before (errors up to 9%, rank swaps), exact now
    r, parts = _block_matrix(sizes, seed=1)
    names = [*(f"d{j:02d}" for j in range(21)), "y"]
    res = lmg(pd.DataFrame(r, index=names, columns=names), "y")
    assert res.method == "lmg" and res.method_detail == "exact" and res.sampling_se is None
    expected = np.concatenate([brute_lmg(part) for part in parts])
    np.testing.assert_allclose(res.weights.to_numpy(), expected, atol=1e-12)


def test_above_twenty_four_drivers_lmg_is_sampled_and_says_how_precisely():
    sizes = [5, 5, 5, 5, 5]
    r, parts = _block_matrix(sizes, seed=2)
    names = [*(f"d{j:02d}" for j in range(25)), "y"]
    res = lmg(pd.DataFrame(r, index=names, columns=names), "y", seed=3)
    assert res.method == "lmg-sampled" and res.method_detail == "sampled"
    assert res.sampling_se is not None and (res.sampling_se > 0).all()
    expected = np.concatenate([brute_lmg(part) for part in parts])
    z = (res.weights.to_numpy() - expected) / res.sampling_se.to_numpy()
    assert np.abs(z).max() < 4 and 0.3 < np.sqrt(np.mean(z**2)) < 2.0  # the reported error is the real one
