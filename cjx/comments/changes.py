"""Whether a theme grew or shrank since the previous revisit: a two-proportion z-test per touchpoint and theme.

The share of a touchpoint's comments about a theme in this revisit (x1 of n1) against the previous one (x0 of n0):
z = (p1 - p0) / sqrt(p (1 - p) (1/n1 + 1/n0)) with the pooled p = (x1 + x0) / (n1 + n0), two-sided p from the normal
distribution (Agresti 2013, "Categorical Data Analysis", 3rd ed., section 2.2; statsmodels' proportions_ztest
gives the same). All themes and touchpoints of one revisit are one family: Benjamini & Hochberg (1995) q-values
(scipy.stats.false_discovery_control), significant at q < 0.05. A theme absent in one of the two revisits counts
zero there; a pair where either revisit has no comment on the touchpoint, or the pooled share is 0 or 1, gets no
test (z, p and q empty).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy import stats

ALPHA = 0.05
COLUMNS = [
    "revisit_id",
    "previous_revisit_id",
    "touchpoint_id",
    "theme_id",
    "theme_kind",
    "theme_label",
    "n_comments",
    "n_theme",
    "share",
    "previous_n_comments",
    "previous_n_theme",
    "previous_share",
    "change",
    "z",
    "p_value",
    "q_value",
    "significant",
    "low_base",
]


def two_proportion_z(x1: np.ndarray, n1: np.ndarray, x0: np.ndarray, n0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(z, two-sided p) of the pooled two-proportion test; NaN where it is undefined."""
    x1, n1, x0, n0 = (np.asarray(a, dtype=float) for a in (x1, n1, x0, n0))
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (x1 + x0) / (n1 + n0)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
        z = np.where((n1 > 0) & (n0 > 0) & (se > 0), (x1 / n1 - x0 / n0) / se, np.nan)
    return z, 2 * stats.norm.sf(np.abs(z))


def theme_changes(themes: pd.DataFrame, revisit_order: list[str], min_base: int) -> pd.DataFrame:
    """marts.theme_changes from marts.comment_themes: one row per revisit (after the first with comments),
    touchpoint and theme seen in it or the previous revisit."""
    if themes.empty:
        return pd.DataFrame(columns=COLUMNS)
    totals = themes.groupby(["revisit_id", "touchpoint_id"]).n_comments.first()
    labels = themes.drop_duplicates("theme_id").set_index("theme_id")[["theme_kind", "theme_label"]]
    counts = themes.set_index(["revisit_id", "touchpoint_id", "theme_id"]).n_theme
    frames = []
    for previous, current in itertools.pairwise(revisit_order):
        pairs = themes[themes.revisit_id.isin([previous, current])][["touchpoint_id", "theme_id"]].drop_duplicates()
        if pairs.empty:
            continue
        rows = pairs.assign(revisit_id=current, previous_revisit_id=previous)
        rows["n_comments"] = [totals.get((current, t), 0) for t in rows.touchpoint_id]
        rows["previous_n_comments"] = [totals.get((previous, t), 0) for t in rows.touchpoint_id]
        rows["n_theme"] = [counts.get((current, t, h), 0) for t, h in zip(rows.touchpoint_id, rows.theme_id)]
        rows["previous_n_theme"] = [counts.get((previous, t, h), 0) for t, h in zip(rows.touchpoint_id, rows.theme_id)]
        rows = rows[(rows.n_comments > 0) & (rows.previous_n_comments > 0)].copy()
        if rows.empty:
            continue
        rows["share"] = rows.n_theme / rows.n_comments
        rows["previous_share"] = rows.previous_n_theme / rows.previous_n_comments
        rows["change"] = rows.share - rows.previous_share
        rows["z"], rows["p_value"] = two_proportion_z(
            rows.n_theme.to_numpy(),
            rows.n_comments.to_numpy(),
            rows.previous_n_theme.to_numpy(),
            rows.previous_n_comments.to_numpy(),
        )
        tested = rows.p_value.notna()
        rows["q_value"] = np.nan
        if tested.any():
            rows.loc[tested, "q_value"] = stats.false_discovery_control(rows.loc[tested, "p_value"].to_numpy())
        rows["significant"] = rows.q_value < ALPHA
        rows["low_base"] = (rows.n_comments < min_base) | (rows.previous_n_comments < min_base)
        frames.append(rows)
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(frames, ignore_index=True).join(labels, on="theme_id")
    return out[COLUMNS].astype(
        {
            "n_comments": "int64",
            "n_theme": "int64",
            "previous_n_comments": "int64",
            "previous_n_theme": "int64",
            "significant": "bool",
            "low_base": "bool",
        }
    )
