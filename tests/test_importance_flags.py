"""Issue 18 item 1: the importance model's flags reach the pages. A small real database with three planted
revisits: an indefinite pairwise matrix whose repair keeps R² (with resamples that fail), one whose repair would
move R² (complete cases), and 25 touchpoints (sampled LMG). The rendered scorecard and owner pages must say so
beside the importance figure, with the numbers the planted data give (pandas and numpy by hand)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

import cjx.metrics.importance as importance
from cjx.metrics.importance import pairwise_correlation
from cjx.metrics.marts import build_marts
from cjx.metrics.revisits import update_revisits
from cjx.report import render_owner_page, render_scorecard
from cjx.report.data import load_scorecard_data
from cjx.report.importance_flags import FLAG_LABELS
from cjx.report.labels import Lang
from tests.small_db import RESPONSE_COLUMNS, put_answers, small_db, survey

TOUCHPOINTS = [f"t{i:02d}" for i in range(25)]
OWNERS = {tp: ("Web" if i % 2 == 0 else "Care") for i, tp in enumerate(TOUCHPOINTS)}
REVISITS = {"R1": "2026-01-10", "R2": "2026-02-10", "R3": "2026-03-10"}
RESAMPLES = 50
JOURNEY = {
    "journey": {"id": "flags", "name": "Flags"},
    "stages": [{"id": "buy", "name": "Buy"}],
    "touchpoints": [{"id": tp, "name": f"Touchpoint {tp}", "stage": "buy", "owner": OWNERS[tp]} for tp in TOUCHPOINTS],
    "sources": [
        survey(
            [
                {"column": "y", "metric": "nps"},
                *(
                    {"column": f"q_{tp}", "metric": "csat", "scale": {"min": 1, "max": 5}, "touchpoint": tp}
                    for tp in TOUCHPOINTS
                ),
            ]
        )
    ],
    "outcome": {"source": "s", "question": "y"},
    "revisits": [
        {"id": "R1", "start": "2026-01-01", "end": "2026-01-31"},
        {"id": "R2", "start": "2026-02-01", "end": "2026-02-28"},
        {"id": "R3", "start": "2026-03-01", "end": "2026-03-31"},
    ],
    "settings": {"min_base": 10, "bootstrap_resamples": RESAMPLES},
}


def _orthogonal(v: np.ndarray, *basis: np.ndarray) -> np.ndarray:
    """v with its projection on [1, basis…] removed: exactly uncorrelated with each and zero-mean."""
    q, _ = np.linalg.qr(np.column_stack([np.ones(len(v)), *basis]))
    return v - q @ (q.T @ v)


def repairable(seed: int = 3) -> pd.DataFrame:
    """t00 drives y; t01-t03 are each rated in pairs by different respondents (t01≈t02, t01≈t03, t02≈−t03), a
    pairwise matrix no data set gives. t00 and y are exactly uncorrelated with t01-t03 in every block, so the
    repair (nearest correlation matrix) leaves R² = corr(t00, y)²."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=400)
    blocks = [pd.DataFrame({"t00": a, "y": 0.8 * a + rng.normal(size=400)})]
    for first, second, sign, noise in (("t01", "t02", 1, 1.333), ("t01", "t03", 1, 1.333), ("t02", "t03", -1, 3.18)):
        u = rng.normal(size=600)
        u -= u.mean()
        v = sign * u + noise * rng.normal(size=600)
        v -= v.mean()
        aa = _orthogonal(rng.normal(size=600), u, v)
        blocks.append(
            pd.DataFrame({"t00": aa, first: u, second: v, "y": _orthogonal(0.8 * aa + rng.normal(size=600), u, v)})
        )
    return pd.concat(blocks, ignore_index=True)


def unrepairable(seed: int = 8) -> pd.DataFrame:
    """80 complete respondents, and 3 × 400 who each rated two of t00-t02 (t00≈t01, t00≈t02, t01≈−t02) with y
    following the first: repairing that matrix takes R² near 1, so only the complete cases can be used."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(80, 3))
    blocks = [pd.DataFrame(x, columns=["t00", "t01", "t02"]).assign(y=x @ [0.5, 0.3, 0.2] + rng.normal(size=80))]
    for first, second, sign in (("t00", "t01", 1), ("t00", "t02", 1), ("t01", "t02", -1)):
        u = rng.normal(size=400)
        blocks.append(
            pd.DataFrame({first: u, second: sign * u + 0.2 * rng.normal(size=400), "y": 0.7 * u + rng.normal(size=400)})
        )
    return pd.concat(blocks, ignore_index=True)


def many_drivers(seed: int = 3) -> pd.DataFrame:
    """300 respondents rating all 25 touchpoints: above 24 drivers LMG is sampled."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(300, 25))
    return pd.DataFrame(x, columns=TOUCHPOINTS).assign(y=x @ np.linspace(0.1, 1, 25) + 3 * rng.normal(size=300))


def _insert(con, revisit: str, frame: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    ids = [f"{revisit}-{i}" for i in range(len(frame))]
    responses = pd.DataFrame(
        {
            "source_id": "s",
            "response_id": ids,
            "respondent_id": [f"p-{i}" for i in ids],
            "responded_at": pd.Timestamp(REVISITS[revisit]),
            "file_id": "f",
            "row_number": range(len(frame)),
        }
    )
    long = frame.assign(response_id=ids).melt("response_id", var_name="touchpoint_id", value_name="score").dropna()
    answers = pd.DataFrame(
        {
            "source_id": "s",
            "response_id": long.response_id,
            "column_name": np.where(long.touchpoint_id == "y", "y", "q_" + long.touchpoint_id),
            "metric": np.where(long.touchpoint_id == "y", "nps", "csat"),
            "touchpoint_id": long.touchpoint_id.where(long.touchpoint_id != "y", None),
            "value": long.score,
            "score": long.score,
            "is_na": False,
        }
    )
    con.register("planted_responses", responses)
    con.execute(f"INSERT INTO core.responses {RESPONSE_COLUMNS} SELECT * FROM planted_responses")
    con.unregister("planted_responses")
    put_answers(con, answers)


class Cells(HTMLParser):
    """Per priority-table row (data-touchpoint): the importance cell's flags as (data-flag, text, title)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[tuple[str, str, str]]] = {}
        self._row: str | None = None
        self._flag: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr" and a.get("data-touchpoint"):
            self._row = a["data-touchpoint"]
            self.rows.setdefault(self._row, [])
        elif tag == "span" and "data-flag" in a and self._row:
            self._flag = [a["data-flag"] or "", "", a.get("title") or ""]

    def handle_data(self, data: str) -> None:
        if self._flag is not None:
            self._flag[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._flag is not None and self._row:
            self.rows[self._row].append((self._flag[0], self._flag[1].strip(), self._flag[2]))
            self._flag = None
        elif tag == "tr":
            self._row = None


def _flags(page: str) -> dict[str, list[tuple[str, str, str]]]:
    parser = Cells()
    parser.feed(page)
    return parser.rows


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("flags")
    con = small_db(folder, JOURNEY)
    frames = {"R1": repairable(), "R2": unrepairable(), "R3": many_drivers()}
    for revisit, frame in frames.items():
        _insert(con, revisit, frame)
    # 200 random orderings instead of 4,000 keep the sampled revisit cheap; the flag is what is tested here.
    saved = importance.DEFAULT_PERMUTATIONS
    importance.DEFAULT_PERMUTATIONS = 200
    try:
        build_marts(con)
        update_revisits(con)
    finally:
        importance.DEFAULT_PERMUTATIONS = saved
    mart = con.execute("SELECT * FROM marts.touchpoint_importance WHERE method = 'lmg'").df()
    pages = {}
    for revisit in frames:
        data = load_scorecard_data(con, revisit)
        pages[revisit] = (
            render_scorecard(data),
            {owner: render_owner_page(data, owner) for owner in data.owners},
        )
    con.close()
    yield frames, mart, pages


def test_a_repair_that_keeps_r2_and_failed_resamples_are_flagged_beside_the_importance(planted):
    frames, mart, pages = planted
    df = frames["R1"]
    # By hand: the pairwise matrix is indefinite, and R² is what t00 alone explains (the repair kept it).
    corr, _ = pairwise_correlation(df[["t00", "t01", "t02", "t03", "y"]])
    assert np.linalg.eigvalsh(corr.to_numpy()).min() < -0.01
    r1 = mart[mart.revisit_id == "R1"].set_index("touchpoint_id")
    assert r1.corr_repaired.all() and (r1.method_detail == "exact").all()
    assert r1.r2.iloc[0] == pytest.approx(df["t00"].corr(df["y"]) ** 2, abs=1e-9)
    failed = int(r1.n_failed_resamples.iloc[0])
    assert 0 < failed < RESAMPLES  # resamples lose the planted orthogonality; their repair moves R², so they fail
    page, owners = pages["R1"]
    shown = _flags(page)
    for tp in ("t00", "t01", "t02", "t03"):
        keys = [key for key, _, _ in shown[tp]]
        texts = [text for _, text, _ in shown[tp]]
        assert keys == ["repaired", "failed"]
        assert texts == ["correlations repaired", f"{failed} of {RESAMPLES} resamples failed"]
        assert f"the {RESAMPLES - failed} bootstrap resamples" in shown[tp][1][2]
        owner_rows = _flags(owners[OWNERS[tp]])
        assert owner_rows[tp] == shown[tp]  # the owner page shows the same flags
    # Touchpoints without an importance carry no flag.
    assert all(shown[tp] == [] for tp in TOUCHPOINTS[4:])


def test_complete_cases_only_is_flagged_with_the_number_of_complete_respondents(planted):
    frames, mart, pages = planted
    df = frames["R2"]
    complete = int(df[["t00", "t01", "t02", "y"]].notna().all(axis=1).sum())  # pandas: rows with every answer
    r2 = mart[mart.revisit_id == "R2"]
    assert (r2.method_detail == "complete-case").all() and (r2.n_used == complete).all()
    shown = _flags(pages["R2"][0])
    for tp in ("t00", "t01", "t02"):
        assert [(k, t) for k, t, _ in shown[tp]][:1] == [("complete_case", "complete cases only")]
        assert f"the {complete} respondents who answered every touchpoint" in shown[tp][0][2]


def test_sampled_lmg_is_flagged_with_its_monte_carlo_error(planted):
    _frames, mart, pages = planted
    r3 = mart[mart.revisit_id == "R3"].set_index("touchpoint_id")
    assert (r3.method_detail == "sampled").all() and r3.sampling_se.gt(0).all()
    shown = _flags(pages["R3"][0])
    lang = Lang("en")
    for tp in TOUCHPOINTS:
        (sampled,) = [f for f in shown[tp] if f[0] == "sampled"]
        # ± is the share's Monte-Carlo error: the weight's sampling_se over R², as a percentage like the figure
        assert sampled[1] == f"sampled LMG ± {lang.pct(r3.loc[tp, 'sampling_se'] / r3.loc[tp, 'r2'], 1)}"
    assert not any(re.search("repaired|complete", str(f)) for tp in TOUCHPOINTS for f in shown[tp])


def test_every_language_has_every_flag_and_the_sample_pages_flag_only_what_the_mart_says(sample_run):
    from contextlib import closing

    from cjx.store import connect

    for code, labels in FLAG_LABELS.items():
        assert labels.keys() == FLAG_LABELS["en"].keys(), code
    db, reports, _ = sample_run
    with closing(connect(db, read_only=True)) as con:
        mart = con.execute(
            "SELECT revisit_id, touchpoint_id, corr_repaired, n_failed_resamples, method_detail "
            "FROM marts.touchpoint_importance WHERE method = 'lmg'"
        ).df()
    for revisit, rows in mart.groupby("revisit_id"):
        page = (reports / f"scorecard_{revisit}.html").read_text(encoding="utf-8")
        shown = _flags(page)
        for row in rows.itertuples():
            expected = [
                key
                for key, on in (
                    ("complete_case", "complete-case" in row.method_detail),
                    ("repaired", bool(row.corr_repaired)),
                    ("failed", row.n_failed_resamples > 0),
                    ("sampled", "sampled" in row.method_detail),
                )
                if on
            ]
            assert [k for k, _, _ in shown[row.touchpoint_id]] == expected
