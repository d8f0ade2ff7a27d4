"""Derived importance: reference values from R (relaimpo, rwa), LMG properties, bootstrap, effects."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from cjx.metrics.importance import (
    ImportanceResult,
    bootstrap_difference,
    bootstrap_importance,
    driver_correlations,
    importance_from_data,
    lmg,
    measure_effect,
    pairwise_correlation,
    relative_weights,
)

STATS = Path(__file__).parent / "fixtures" / "stats"
SWISS_DRIVERS = ["Agriculture", "Examination", "Education", "Catholic", "Infant.Mortality"]
MTCARS_DRIVERS = ["cyl", "disp", "hp", "gear"]


@pytest.fixture(scope="module")
def swiss() -> pd.DataFrame:
    return pd.read_csv(STATS / "swiss.csv")


@pytest.fixture(scope="module")
def mtcars() -> pd.DataFrame:
    return pd.read_csv(STATS / "mtcars.csv")


def ols_r2(y: np.ndarray, x: np.ndarray) -> float:
    design = np.column_stack([np.ones(len(y)), x])
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ beta
    return float(1 - resid @ resid / ((y - y.mean()) @ (y - y.mean())))


def subset_r2(corr: np.ndarray, subset: tuple[int, ...]) -> float:
    """R² of the last variable on ``subset`` straight from the definition r' R⁻¹ r."""
    if not subset:
        return 0.0
    idx = list(subset)
    rxy = corr[idx, -1]
    return float(rxy @ np.linalg.lstsq(corr[np.ix_(idx, idx)], rxy, rcond=None)[0])


def synthetic(n: int, weights: list[float], seed: int, noise: float = 1.0) -> pd.DataFrame:
    """Correlated drivers and an outcome built from them with known weights."""
    rng = np.random.default_rng(seed)
    p = len(weights)
    mixing = np.eye(p) + 0.3 * rng.normal(size=(p, p))
    x = rng.normal(size=(n, p)) @ mixing
    y = x @ np.asarray(weights) + noise * rng.normal(size=n)
    return pd.DataFrame(np.column_stack([x, y]), columns=[*(f"d{j}" for j in range(p)), "y"])


# --- fixtures are the real data sets ------------------------------------------------------------


def test_swiss_fixture_is_r_datasets_swiss(swiss):
    assert swiss.shape == (47, 7)
    assert swiss["Fertility"].mean() == pytest.approx(70.14255, abs=1e-5)
    assert ols_r2(swiss["Fertility"].to_numpy(), swiss[SWISS_DRIVERS].to_numpy()) == pytest.approx(0.7067350, abs=1e-7)


def test_mtcars_fixture_is_r_datasets_mtcars(mtcars):
    assert mtcars.shape == (32, 12)
    assert mtcars["mpg"].mean() == pytest.approx(20.09062, abs=1e-5)
    assert mtcars["hp"].mean() == pytest.approx(146.6875)
    assert mtcars["disp"].sum() == pytest.approx(7383.1)
    assert mtcars.loc[mtcars["model"] == "Maserati Bora", "hp"].item() == 335


# --- reference values from R --------------------------------------------------------------------


def test_lmg_reproduces_relaimpo_on_swiss(swiss):
    res = importance_from_data(swiss, "Fertility", SWISS_DRIVERS, method="lmg")
    expected = [0.0570912, 0.1711730, 0.2601347, 0.1055702, 0.1127659]
    assert isinstance(res, ImportanceResult) and res.method == "lmg" and not res.corr_repaired
    assert list(res.weights.index) == SWISS_DRIVERS
    np.testing.assert_allclose(res.weights.to_numpy(), expected, atol=1e-6)
    assert res.r2 == pytest.approx(0.7067350, abs=1e-6)
    assert res.shares.sum() == pytest.approx(1.0)


def test_rwa_reproduces_r_rwa_on_mtcars(mtcars):
    res = importance_from_data(mtcars, "mpg", MTCARS_DRIVERS, method="rwa")
    np.testing.assert_allclose(res.weights.to_numpy(), [0.2284797, 0.2221469, 0.2321744, 0.0963886], atol=1e-6)
    assert res.r2 == pytest.approx(0.7791896, abs=1e-6)
    assert res.weights.sum() == pytest.approx(res.r2, abs=1e-12)
    assert res.method == "rwa"


def test_lmg_on_correlation_matrix_defaults_to_all_other_columns(swiss):
    corr, _ = pairwise_correlation(swiss[["Fertility", *SWISS_DRIVERS]])
    res = lmg(corr, "Fertility")
    assert list(res.weights.index) == SWISS_DRIVERS
    assert res.weights["Education"] == pytest.approx(0.2601347, abs=1e-6)


def test_lmg_accepts_a_covariance_matrix(swiss):
    cov = swiss[["Fertility", *SWISS_DRIVERS]].cov()
    assert lmg(cov, "Fertility").weights["Catholic"] == pytest.approx(0.1055702, abs=1e-6)


# --- LMG properties -----------------------------------------------------------------------------


def test_lmg_weights_sum_to_r2_of_the_full_model():
    df = synthetic(400, [0.5, 0.3, 0.0, 0.2, 0.4, 0.1], seed=1)
    res = importance_from_data(df, "y", [f"d{j}" for j in range(6)])
    assert res.weights.sum() == pytest.approx(res.r2, abs=1e-12)
    assert res.r2 == pytest.approx(ols_r2(df["y"].to_numpy(), df.iloc[:, :6].to_numpy()), abs=1e-10)


def test_lmg_two_drivers_matches_the_hand_formula():
    r1, r2, r12 = 0.6, 0.4, 0.3
    corr = pd.DataFrame([[1, r12, r1], [r12, 1, r2], [r1, r2, 1]], index=["a", "b", "y"], columns=["a", "b", "y"])
    full = (r1**2 + r2**2 - 2 * r1 * r2 * r12) / (1 - r12**2)
    res = lmg(corr, "y")
    # Two orderings: a first (gain r1²) or second (gain full − r2²), averaged.
    assert res.weights["a"] == pytest.approx((r1**2 + full - r2**2) / 2, abs=1e-14)
    assert res.weights["b"] == pytest.approx((r2**2 + full - r1**2) / 2, abs=1e-14)
    assert res.r2 == pytest.approx(full, abs=1e-14)


def test_lmg_of_orthogonal_drivers_is_the_squared_correlations():
    rng = np.random.default_rng(7)
    raw = rng.normal(size=(200, 4))
    x, _ = np.linalg.qr(raw - raw.mean(axis=0))  # combinations of centred columns: centred and orthogonal
    y = x @ [3.0, 2.0, 1.0, 0.5] + rng.normal(size=200) * 0.05
    df = pd.DataFrame(np.column_stack([x, y]), columns=["a", "b", "c", "d", "y"])
    corr, _ = pairwise_correlation(df)
    res = lmg(corr, "y")
    np.testing.assert_allclose(res.weights.to_numpy(), corr.loc[["a", "b", "c", "d"], "y"].to_numpy() ** 2, atol=1e-10)
    rwa = relative_weights(corr, "y")
    np.testing.assert_allclose(rwa.weights.to_numpy(), res.weights.to_numpy(), atol=1e-10)


def test_exact_lmg_equals_brute_force_average_over_all_orderings():
    df = synthetic(150, [0.7, -0.2, 0.4, 0.0, 0.3], seed=3)
    drivers = [f"d{j}" for j in range(5)]
    corr, _ = pairwise_correlation(df)
    r = corr.loc[[*drivers, "y"], [*drivers, "y"]].to_numpy()
    brute = np.zeros(5)
    for order in itertools.permutations(range(5)):
        for pos, j in enumerate(order):
            brute[j] += subset_r2(r, tuple(sorted(order[: pos + 1]))) - subset_r2(r, tuple(sorted(order[:pos])))
    brute /= math.factorial(5)
    np.testing.assert_allclose(lmg(corr, "y", drivers).weights.to_numpy(), brute, atol=1e-12)


def test_sampled_fallback_is_close_to_exact_and_seeded():
    df = synthetic(300, [0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0, 0.3], seed=5)
    corr, _ = pairwise_correlation(df)
    exact = lmg(corr, "y")
    sampled = lmg(corr, "y", exact_max_drivers=7, seed=11)
    assert exact.method == "lmg" and sampled.method == "lmg-sampled"
    np.testing.assert_allclose(sampled.weights.to_numpy(), exact.weights.to_numpy(), atol=0.005)
    assert sampled.weights.sum() == pytest.approx(exact.r2, abs=1e-10)
    assert sampled.r2 == pytest.approx(exact.r2, abs=1e-12)
    again = lmg(corr, "y", exact_max_drivers=7, seed=11)
    pd.testing.assert_series_equal(sampled.weights, again.weights)


def test_exact_lmg_at_fifteen_drivers_sums_to_r2():
    df = synthetic(500, list(np.linspace(0.1, 0.8, 15)), seed=9)
    corr, _ = pairwise_correlation(df)
    res = lmg(corr, "y")
    assert res.method == "lmg" and res.weights.sum() == pytest.approx(res.r2, abs=1e-12)


def test_collinear_drivers_do_not_crash_and_share_equally():
    df = synthetic(200, [0.5, 0.3, 0.2], seed=2)
    df.insert(0, "twin", df["d0"])  # an exact copy: R_xx is singular
    corr, _ = pairwise_correlation(df)
    res = lmg(corr, "y")
    assert np.isfinite(res.weights).all()
    assert res.weights["twin"] == pytest.approx(res.weights["d0"], abs=1e-12)  # symmetric players, equal Shapley value
    assert res.r2 == pytest.approx(ols_r2(df["y"].to_numpy(), df[["d0", "d1", "d2"]].to_numpy()), abs=1e-9)
    rwa = relative_weights(corr, "y")
    assert np.isfinite(rwa.weights).all() and rwa.weights.sum() == pytest.approx(rwa.r2, abs=1e-9)


def test_non_positive_definite_pairwise_matrix_gives_bounded_weights():
    names = ["a", "b", "c", "y"]
    # Pairwise deletion can produce this: no data set has these correlations at once.
    corr = pd.DataFrame(
        [[1, 0.9, 0.9, 0.5], [0.9, 1, -0.9, 0.5], [0.9, -0.9, 1, 0.5], [0.5, 0.5, 0.5, 1]], index=names, columns=names
    )
    assert np.linalg.eigvalsh(corr.to_numpy()).min() < 0
    exact, sampled, rwa = lmg(corr, "y"), lmg(corr, "y", exact_max_drivers=1), relative_weights(corr, "y")
    for res in (exact, sampled, rwa):
        assert res.corr_repaired  # decomposed on the nearest correlation matrix instead
        assert np.isfinite(res.weights).all() and (res.weights >= -1e-12).all()
        assert 0.0 <= res.r2 <= 1.0
        assert res.weights.sum() == pytest.approx(res.r2, abs=1e-9)
    assert exact.weights["b"] == pytest.approx(exact.weights["c"])  # b and c are mirror images
    np.testing.assert_allclose(sampled.weights, exact.weights, atol=0.01)
    assert rwa.r2 == pytest.approx(exact.r2, abs=1e-9)


def test_undefined_correlation_is_reported_with_the_column_names():
    df = synthetic(50, [0.5, 0.5], seed=4)
    df["flat"] = 3.0
    with pytest.raises(ValueError, match="flat"):
        importance_from_data(df, "y", ["d0", "d1", "flat"])


@pytest.mark.parametrize(
    ("drivers", "method", "error"),
    [
        (["d0", "y"], "lmg", ValueError),
        (["d0", "d0"], "lmg", ValueError),
        (["nope"], "lmg", KeyError),
        (["d0"], "ols", ValueError),
    ],
)
def test_bad_arguments_say_what_is_wrong(drivers, method, error):
    df = synthetic(30, [0.5, 0.5], seed=4)
    with pytest.raises(error):
        importance_from_data(df, "y", drivers, method=method)


# --- pairwise-complete data ---------------------------------------------------------------------


def test_pairwise_correlation_matches_pandas_with_missing_cells():
    df = synthetic(500, [0.4, 0.3, 0.2], seed=8)
    rng = np.random.default_rng(0)
    df = df.mask(rng.random(df.shape) < 0.3)
    corr, n = pairwise_correlation(df)
    np.testing.assert_allclose(corr.to_numpy(), df.corr().to_numpy(), atol=1e-12)
    present = df.notna().astype(int)
    np.testing.assert_array_equal(n.to_numpy(), present.T.to_numpy() @ present.to_numpy())


def test_pairwise_correlation_flags_too_few_or_flat_pairs():
    df = pd.DataFrame(
        {"a": [0.1] * 5 + [np.nan], "b": [1, 2, 3, 4, 5, 6.0], "c": [1, np.nan, np.nan, np.nan, np.nan, 2]}
    )
    corr, n = pairwise_correlation(df, min_periods=3)
    assert corr.loc["a"].isna().all()  # constant
    assert np.isnan(corr.loc["b", "c"])  # two shared rows only
    assert n.loc["b", "c"] == 2 and corr.loc["b", "b"] == 1.0


def test_importance_survives_thirty_percent_missing_cells():
    df = synthetic(3000, [0.6, 0.4, 0.2, 0.1, 0.3], seed=12)
    drivers = [f"d{j}" for j in range(5)]
    holed = df.copy()
    mask = np.random.default_rng(1).random((len(df), 5)) < 0.3
    holed[drivers] = holed[drivers].mask(mask)
    assert holed.dropna().shape[0] < 0.2 * len(df)  # listwise deletion would keep under a fifth
    for method in ("lmg", "rwa"):
        full = importance_from_data(df, "y", drivers, method=method)
        part = importance_from_data(holed, "y", drivers, method=method)
        np.testing.assert_allclose(part.weights.to_numpy(), full.weights.to_numpy(), atol=0.03)
        assert part.r2 == pytest.approx(full.r2, abs=0.03)


# --- driver correlations ------------------------------------------------------------------------


def test_driver_correlations_match_scipy(swiss):
    df = swiss.copy()
    df.loc[:9, "Catholic"] = np.nan
    out = driver_correlations(df, "Fertility", ["Education", "Catholic"]).set_index("driver")
    keep = df["Catholic"].notna()
    pr = stats.pearsonr(df.loc[keep, "Catholic"], df.loc[keep, "Fertility"])
    sr = stats.spearmanr(df.loc[keep, "Catholic"], df.loc[keep, "Fertility"])
    assert out.loc["Catholic", "n"] == 37 and out.loc["Education", "n"] == 47
    assert out.loc["Catholic", "pearson_r"] == pytest.approx(pr.statistic)
    assert out.loc["Catholic", "pearson_p"] == pytest.approx(pr.pvalue)
    assert out.loc["Catholic", "spearman_rho"] == pytest.approx(sr.statistic)
    assert out.loc["Catholic", "spearman_p"] == pytest.approx(sr.pvalue)
    assert out.loc["Education", "pearson_r"] == pytest.approx(-0.6637889, abs=1e-6)


# --- bootstrap ----------------------------------------------------------------------------------


def test_bootstrap_is_deterministic_and_brackets_the_estimate(swiss):
    a = bootstrap_importance(swiss, "Fertility", SWISS_DRIVERS, n_resamples=200, seed=3)
    b = bootstrap_importance(swiss, "Fertility", SWISS_DRIVERS, n_resamples=200, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == [
        "driver",
        "importance",
        "share",
        "ci_low",
        "ci_high",
        "share_ci_low",
        "share_ci_high",
        "rank",
        "rank_ci_low",
        "rank_ci_high",
        "n",
        "sampling_se",
    ]
    assert (a["ci_low"] <= a["importance"]).all() and (a["importance"] <= a["ci_high"]).all()
    assert a["importance"].sum() == pytest.approx(0.7067350, abs=1e-6)
    assert a["share"].sum() == pytest.approx(1.0)
    assert a.set_index("driver").loc["Education", "rank"] == 1
    assert (a["n"] == 47).all() and a.attrs["n_failed"] == 0
    c = bootstrap_importance(swiss, "Fertility", SWISS_DRIVERS, n_resamples=200, seed=4)
    assert not np.allclose(a["ci_low"], c["ci_low"])


def test_bootstrap_ranks_a_dominant_driver_first():
    df = synthetic(400, [1.0, 0.1, 0.1, 0.05], seed=6, noise=0.5)
    drivers = [f"d{j}" for j in range(4)]
    df[drivers] = df[drivers].mask(np.random.default_rng(2).random((len(df), 4)) < 0.2)
    for method in ("lmg", "rwa"):
        out = bootstrap_importance(df, "y", drivers, method=method, n_resamples=100, seed=1).set_index("driver")
        assert out.loc["d0", "rank"] == 1
        assert out.loc["d0", "rank_ci_low"] == 1 and out.loc["d0", "rank_ci_high"] == 1
        assert out.loc["d0", "ci_low"] > out.drop(index="d0")["ci_high"].max()
        assert (out["n"] < 400).all()


def test_bootstrap_skips_resamples_where_a_rarely_varying_touchpoint_is_flat():
    df = synthetic(60, [0.6, 0.4, 0.3], seed=13)
    df.loc[14:, "d2"] = np.nan  # fourteen respondents met this touchpoint, one of them rated it differently
    df.loc[:13, "d2"] = 1.0
    df.loc[0, "d2"] = 2.0
    out = bootstrap_importance(df, "y", ["d0", "d1", "d2"], n_resamples=200, seed=0, min_pairs=14)
    # A resample without respondent 0 has a constant d2: (59/60)^60 ≈ 36% of them.
    assert 40 < out.attrs["n_failed"] < 110
    assert out[["ci_low", "ci_high"]].notna().all().all()
    assert out.set_index("driver").loc["d2", "n"] == 14


def test_bootstrap_difference_finds_a_planted_change():
    drivers = ["d0", "d1", "d2"]
    before = synthetic(400, [0.8, 0.3, 0.3], seed=21)
    after = synthetic(400, [0.2, 0.3, 0.3], seed=22)
    out = bootstrap_difference(before, after, "y", drivers, n_resamples=150, seed=5).set_index("driver")
    again = bootstrap_difference(before, after, "y", drivers, n_resamples=150, seed=5).set_index("driver")
    pd.testing.assert_frame_equal(out, again)
    assert out.loc["d0", "difference"] < 0 and out.loc["d0", "ci_high"] < 0 and out.loc["d0", "excludes_zero"]
    np.testing.assert_allclose(out["difference"], out["importance_b"] - out["importance_a"])
    assert (out["ci_low"] <= out["ci_high"]).all()
    assert (out["n_a"] == 400).all() and (out["n_b"] == 400).all()


def test_bootstrap_difference_of_a_sample_with_itself_straddles_zero(swiss):
    out = bootstrap_difference(swiss, swiss, "Fertility", SWISS_DRIVERS, n_resamples=150, seed=0)
    assert (out["difference"] == 0).all()
    assert ((out["ci_low"] < 0) & (out["ci_high"] > 0)).all()


# --- operational measures -----------------------------------------------------------------------


def test_measure_effect_matches_polyfit_and_the_t_interval():
    rng = np.random.default_rng(0)
    delay = rng.gamma(2.0, 20.0, size=120)
    score = 9.0 - 0.03 * delay + rng.normal(size=120)
    delay[:5] = np.nan
    score[-3:] = np.nan
    out = measure_effect(pd.Series(delay), score, se="classical")
    keep = ~(np.isnan(delay) | np.isnan(score))
    slope, intercept = np.polyfit(delay[keep], score[keep], 1)
    fit = stats.linregress(delay[keep], score[keep])
    half = stats.t.ppf(0.975, keep.sum() - 2) * fit.stderr
    assert out["n"] == keep.sum() == 112
    assert out["slope"] == pytest.approx(slope) and out["intercept"] == pytest.approx(intercept)
    assert out["slope_ci_low"] == pytest.approx(slope - half) and out["slope_ci_high"] == pytest.approx(slope + half)
    assert out["slope_ci_low"] < -0.03 < out["slope_ci_high"]
    assert out["pearson_r"] == pytest.approx(np.corrcoef(delay[keep], score[keep])[0, 1])
    assert out["spearman_rho"] == pytest.approx(stats.spearmanr(delay[keep], score[keep]).statistic)
    assert out["p_value"] < 1e-6


def test_measure_effect_exact_line():
    out = measure_effect([0, 10, 20, 30], [10, 8, 6, 4])
    assert out["slope"] == pytest.approx(-0.2) and out["intercept"] == pytest.approx(10.0)
    assert out["slope_ci_low"] == pytest.approx(-0.2) and out["slope_ci_high"] == pytest.approx(-0.2)
    assert out["pearson_r"] == pytest.approx(-1.0) and out["spearman_rho"] == pytest.approx(-1.0)


def test_measure_effect_needs_three_pairs():
    with pytest.raises(ValueError, match="3 complete"):
        measure_effect([1, 2, np.nan], [1, np.nan, 3])


# --- property -----------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    p=st.integers(1, 7),
    n=st.integers(12, 80),
    seed=st.integers(0, 2**32 - 1),
    collinear=st.booleans(),
    missing=st.sampled_from([0.0, 0.25]),
)
def test_lmg_weights_are_non_negative_and_sum_to_r2(p, n, seed, collinear, missing):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p)) @ rng.normal(size=(p, p))
    if collinear and p >= 2:
        x[:, -1] = x[:, 0] - 0.5 * x[:, 1]
    y = x @ rng.normal(size=p) + rng.normal(size=n) * rng.uniform(0.1, 3.0)
    df = pd.DataFrame(np.column_stack([x, y]), columns=[*(f"x{j}" for j in range(p)), "y"])
    if missing:
        df = df.mask(rng.random(df.shape) < missing)
    corr, pair_n = pairwise_correlation(df)
    assume(corr.notna().all().all() and pair_n.to_numpy().min() >= 5)
    res = lmg(corr, "y")
    assert (res.weights >= -1e-12).all()
    assert res.weights.sum() == pytest.approx(res.r2, abs=1e-10)
    assert 0.0 <= res.r2 <= 1.0
    if not missing:
        assert res.r2 == pytest.approx(ols_r2(y, x), abs=1e-8)
