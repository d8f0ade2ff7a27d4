"""Benchmark: pairwise-complete correlation + exact LMG on 100,000 respondents × 15 drivers.

Run from the repository root:  .venv/bin/python bench/bench_lmg.py [--respondents N] [--drivers P]

Prints wall times (median of a few repeats) and ratios against naive baselines measured in the
same run, so the ratios, not the absolute times, are what carries over between machines.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections.abc import Callable
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cjx.metrics.importance import bootstrap_importance, lmg, pairwise_correlation


def survey(n: int, p: int, seed: int = 20260101, missing: float = 0.3) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Ratings 1–10 on p touchpoints and a 0–10 outcome: complete, and with `missing` of driver cells blank."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(n, p)) @ (np.eye(p) + 0.25 * rng.normal(size=(p, p)))
    weights = rng.uniform(0.0, 1.0, size=p)
    outcome = latent @ weights + rng.normal(scale=2.0, size=n)

    def to_scale(v: np.ndarray, lo: int, hi: int) -> np.ndarray:
        z = (v - v.mean(axis=0)) / v.std(axis=0)
        return np.clip(np.round((lo + hi) / 2 + z * (hi - lo) / 5), lo, hi)

    drivers = [f"tp{j:02d}" for j in range(p)]
    full = pd.DataFrame(to_scale(latent, 1, 10), columns=drivers)
    full.insert(0, "nps", to_scale(outcome, 0, 10))
    # Respondents rate only the touchpoints they met.
    holed = full.copy()
    holed[drivers] = holed[drivers].mask(rng.random((n, p)) < missing)
    return full, holed, drivers


def timed(fn: Callable[[], object], repeat: int = 5) -> tuple[float, object]:
    """Median wall time of `repeat` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def naive_lmg(corr: np.ndarray) -> np.ndarray:
    """Textbook LMG: one lstsq per subset in a Python loop, then the Shapley sum (outcome last)."""
    p = corr.shape[0] - 1
    r2 = {(): 0.0}
    for k in range(1, p + 1):
        for subset in combinations(range(p), k):
            idx = list(subset)
            rxy = corr[idx, -1]
            r2[subset] = float(rxy @ np.linalg.lstsq(corr[np.ix_(idx, idx)], rxy, rcond=None)[0])
    weights = np.zeros(p)
    for subset, value in r2.items():
        s = len(subset)
        for j in range(p):
            if j in subset:
                continue
            with_j = tuple(sorted((*subset, j)))
            weights[j] += math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p) * (r2[with_j] - value)
    return weights


def raw_ols_r2(x: np.ndarray, y: np.ndarray, subset: tuple[int, ...]) -> float:
    design = np.column_stack([np.ones(len(y)), x[:, list(subset)]])
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ beta
    return float(1 - resid @ resid / ((y - y.mean()) @ (y - y.mean())))


def duckdb_pairwise(df: pd.DataFrame) -> np.ndarray | None:
    """All pairwise corr() in one DuckDB query over the frame (NULL pairs skipped), if DuckDB is there."""
    try:
        import duckdb
    except ImportError:
        return None
    cols = list(df.columns)
    pairs = [(a, b) for i, a in enumerate(cols) for b in cols[i + 1 :]]
    select = ", ".join(f'corr("{a}", "{b}")' for a, b in pairs)
    con = duckdb.connect()
    con.register("survey", df)
    row = con.execute(f"SELECT {select} FROM survey").fetchone()
    con.close()
    out = np.eye(len(cols))
    for (a, b), value in zip(pairs, row):
        i, j = cols.index(a), cols.index(b)
        out[i, j] = out[j, i] = value
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--drivers", type=int, default=15)
    parser.add_argument("--raw-ols-sample", type=int, default=64, help="subsets timed for the raw-data OLS baseline")
    parser.add_argument("--bootstrap", type=int, default=20, help="resamples timed for the bootstrap line")
    args = parser.parse_args()
    n, p = args.respondents, args.drivers
    full, df, drivers = survey(n, p)
    names = [*drivers, "nps"]
    print(
        f"{n:,} respondents × {p} drivers, {df[drivers].isna().mean().mean():.0%} of driver cells missing; "
        f"{2**p:,} subsets; numpy {np.__version__}, pandas {pd.__version__}"
    )

    t_corr, (corr, _) = timed(lambda: pairwise_correlation(df))
    t_lmg, res = timed(lambda: lmg(corr, "nps", drivers))
    ours = t_corr + t_lmg

    rows: list[tuple[str, float, str, str]] = []  # label, seconds, measured?, compared with
    t_pandas, pandas_corr = timed(lambda: df.corr())
    rows.append(("pandas DataFrame.corr() (pairwise, Cython)", t_pandas, "measured", "corr"))
    complete = full.to_numpy()  # the same respondents before cells were blanked: no NaN handling at all
    t_np, _ = timed(lambda: np.corrcoef(complete, rowvar=False), repeat=5)
    rows.append(("one np.corrcoef on the complete data (no NaN handling)", t_np, "measured", "corr"))
    t_duck, duck_corr = timed(lambda: duckdb_pairwise(df))
    if duck_corr is not None:
        rows.append(("DuckDB corr() for all pairs (pairwise)", t_duck, "measured", "corr"))
    r = corr.loc[names, names].to_numpy()
    t_naive, naive = timed(lambda: naive_lmg(r), repeat=1)
    rows.append(("naive LMG: lstsq per subset on the corr matrix", t_naive, "measured", "lmg"))
    rng = np.random.default_rng(0)
    x_full, y_full = complete[:, 1:], complete[:, 0]
    sizes = rng.integers(1, p + 1, size=args.raw_ols_sample)
    sample = [tuple(sorted(rng.choice(p, size=k, replace=False))) for k in sizes]
    start = time.perf_counter()
    for subset in sample:
        raw_ols_r2(x_full, y_full, subset)
    per_subset = (time.perf_counter() - start) / len(sample)
    label = f"naive LMG: OLS per subset on complete raw rows ({len(sample)} timed)"
    rows.append((label, per_subset * 2**p, "extrapolated", "both"))

    print()
    print(f"  pairwise_correlation        {t_corr * 1e3:9.1f} ms")
    print(f"  lmg (method={res.method})            {t_lmg * 1e3:9.1f} ms")
    print(f"  both                        {ours * 1e3:9.1f} ms")
    print()
    print(f"  {'baseline':<58} {'time':>12}   baseline / ours")
    ours_by = {"corr": t_corr, "lmg": t_lmg, "both": ours}
    for label, seconds, how, against in rows:
        print(f"  {label:<58} {seconds * 1e3:9.1f} ms   {seconds / ours_by[against]:9.2f}× (vs {against}, {how})")
    print()
    print(f"  max |ours − pandas| correlation      {np.nanmax(np.abs(corr.to_numpy() - pandas_corr.to_numpy())):.1e}")
    if duck_corr is not None:
        print(f"  max |ours − DuckDB| correlation      {np.nanmax(np.abs(corr.to_numpy() - duck_corr)):.1e}")
    print(f"  max |ours − naive| LMG weight        {np.max(np.abs(res.weights.to_numpy() - naive)):.1e}")
    print(f"  R² {res.r2:.4f}, weights sum {res.weights.sum():.4f}")

    print()
    print("  lmg alone, by number of drivers (correlation matrix of random data):")
    for q, exact_max in ((10, 20), (15, 20), (18, 20), (20, 20), (22, 22), (30, 20)):
        _, holed_q, drivers_q = survey(2_000, q, seed=q)
        corr_q, _ = pairwise_correlation(holed_q)
        t_q, res_q = timed(lambda c=corr_q, d=drivers_q, m=exact_max: lmg(c, "nps", d, exact_max_drivers=m), repeat=1)
        note = "" if exact_max == 20 else f" (exact_max_drivers={exact_max})"
        print(f"    {q:2d} drivers: {t_q * 1e3:8.1f} ms  method={res_q.method}{note}")

    if args.bootstrap:
        t_boot, _ = timed(lambda: bootstrap_importance(df, "nps", drivers, n_resamples=args.bootstrap), repeat=1)
        per = (t_boot - ours) / args.bootstrap
        print(
            f"  bootstrap_importance, {args.bootstrap} resamples: {t_boot:.2f} s "
            f"(≈{per * 1e3:.0f} ms per resample, so 500 resamples ≈ {per * 500:.0f} s)"
        )


if __name__ == "__main__":
    main()
