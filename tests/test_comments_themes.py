"""Comment themes (cjx.comments.themes, .changes) and their marts on the sample: stems, NMF, the two-proportion
test against statsmodels, and the planted theme (delivery delays growing in the worsening revisit)."""

from __future__ import annotations

from contextlib import closing

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

from cjx.comments.changes import theme_changes, two_proportion_z
from cjx.comments.themes import assign_themes, discover
from cjx.store import connect

CODEBOOK = {"delivery_delay": {"da": ["forsinket", "for sent"], "sv": ["försenad"], "en": ["late", "delay"]}}


def test_declared_themes_match_by_stem_in_the_comments_language():
    texts = [
        "Pakken var forsinket",
        "Forsinkelsen var lang",
        "kom alt for sent",
        "Paketet var försenat",
        "Delayed again",
        "Kom til tiden",
        "Sent i går",
    ]
    _, hits = assign_themes(texts, ["da", "da", "da", "sv", "en", "da", "da"], CODEBOOK, n_discovered=0)
    assert [bool(h) for h in hits] == [True, True, True, True, True, False, False]  # "sent" alone is not "for sent"


def test_norwegian_comments_use_the_danish_terms_when_none_are_declared():
    _, hits = assign_themes(["Pakken var forsinket"], ["nb"], CODEBOOK, n_discovered=0)
    assert hits == [["delivery_delay"]]


def test_discovered_themes_find_planted_groups_and_are_deterministic():
    rng = np.random.default_rng(1)
    groups = {"refund": ["refund", "money", "back", "waiting"], "assembly": ["screws", "missing", "manual", "assembly"]}
    texts, truth = [], []
    for _ in range(120):
        name = str(rng.choice(list(groups)))
        words = list(rng.choice(groups[name], size=3, replace=False)) + ["the", "was"]
        texts.append(" ".join(words))
        truth.append(name)
    themes, chosen = discover(texts, ["en"] * len(texts), n_themes=2)
    assert len(themes) == 2
    again = discover(texts, ["en"] * len(texts), n_themes=2)
    assert chosen == again[1] and themes == again[0]
    # each discovered theme is one planted group (purity 1) and its top terms are the group's words
    frame = pd.DataFrame({"truth": truth, "theme": chosen})
    assert (frame.groupby("theme").truth.nunique() == 1).all()
    for theme in themes:
        group = frame[frame.theme == themes.index(theme)].truth.iloc[0]
        assert set(theme.top_terms[:3]) <= set(groups[group])


def test_two_proportion_z_equals_statsmodels():
    x1, n1, x0, n0 = np.array([94, 12, 0]), np.array([528, 528, 40]), np.array([17, 4, 3]), np.array([339, 339, 50])
    z, p = two_proportion_z(x1, n1, x0, n0)
    for i in range(3):
        ref_z, ref_p = proportions_ztest([x1[i], x0[i]], [n1[i], n0[i]])
        assert z[i] == pytest.approx(ref_z) and p[i] == pytest.approx(ref_p)


def test_theme_changes_test_each_theme_and_control_the_false_discovery_rate():
    rows = []
    for revisit, n, counts in (("Q1", 300, {"a": 15, "b": 60, "c": 30}), ("Q2", 400, {"a": 80, "b": 70, "c": 41})):
        rows += [
            {
                "revisit_id": revisit,
                "touchpoint_id": "tp",
                "theme_id": t,
                "theme_kind": "declared",
                "theme_label": t,
                "n_comments": n,
                "n_theme": k,
            }
            for t, k in counts.items()
        ]
    rows.append(
        {
            "revisit_id": "Q1",
            "touchpoint_id": "tp",
            "theme_id": "d",
            "theme_kind": "discovered",
            "theme_label": "d",
            "n_comments": 300,
            "n_theme": 9,
        }
    )  # gone in Q2: counts 0 there
    out = theme_changes(pd.DataFrame(rows), ["Q1", "Q2"], min_base=30).set_index("theme_id")
    assert list(out.index) == ["a", "b", "c", "d"]
    assert out.loc["d", "n_theme"] == 0 and out.loc["d", "previous_n_theme"] == 9
    ref_p = [
        proportions_ztest([out.loc[t, "n_theme"], out.loc[t, "previous_n_theme"]], [400, 300])[1] for t in out.index
    ]
    assert out.p_value.to_numpy() == pytest.approx(ref_p)
    assert out.q_value.to_numpy() == pytest.approx(multipletests(ref_p, method="fdr_bh")[1])
    assert out.loc["a", "significant"] and not out.loc["b", "significant"]
    assert out.loc["a", "change"] == pytest.approx(80 / 400 - 15 / 300)


def _frames(db):
    with closing(connect(db, read_only=True)) as con:
        themes = con.execute("SELECT * FROM marts.comment_themes").df()
        changes = con.execute("SELECT * FROM marts.theme_changes").df()
        hits = con.execute("SELECT * FROM core.comment_theme_hits").df()
        catalog = con.execute("SELECT * FROM core.comment_theme_catalog").df()
    return themes, changes, hits, catalog


def test_the_planted_delay_theme_is_the_top_growing_theme_of_parcel_delivery(sample_run):
    themes, changes, _, catalog = _frames(sample_run[0])
    parcel = changes[(changes.touchpoint_id == "parcel_delivery") & (changes.revisit_id == "2026-Q3")]
    top = parcel.sort_values("change", ascending=False).iloc[0]
    assert top.theme_id == "delivery_delay" and top.significant and top.previous_revisit_id == "2026-Q2"
    # delay comments come from dissatisfied raters more than from the others
    q3 = themes[(themes.touchpoint_id == "parcel_delivery") & (themes.revisit_id == "2026-Q3")].set_index("theme_id")
    assert q3.loc["delivery_delay", "share_detractors"] > q3.loc["delivery_delay", "share_others"]
    # declared themes first, then the discovered ones with their top terms
    assert list(catalog.kind[:5]) == ["declared"] * 5 and (catalog.kind[5:] == "discovered").all()
    assert catalog[catalog.kind == "discovered"].top_terms.str.count(",").min() >= 2


def test_comment_themes_mart_equals_a_count_by_hand(sample_run):
    from cjx.report.verbatims import load_verbatims

    db = sample_run[0]
    themes, _, hits, _ = _frames(db)
    with closing(connect(db, read_only=True)) as con:
        verbatims = load_verbatims(con, "2026-Q3")  # the scorecard's own attribution of the revisit's comments
    mine = verbatims[verbatims.touchpoint_id == "parcel_delivery"]
    keyed = mine.merge(hits, on=["source_id", "response_id", "column_name"])
    row = themes[(themes.revisit_id == "2026-Q3") & (themes.touchpoint_id == "parcel_delivery")].set_index("theme_id")
    delay = keyed[keyed.theme_id == "delivery_delay"]
    assert row.loc["delivery_delay", "n_comments"] == len(mine)
    assert row.loc["delivery_delay", "n_theme"] == len(delay)
    low = mine.rating < 0.5
    assert row.loc["delivery_delay", "n_detractor_comments"] == low.sum()
    assert row.loc["delivery_delay", "n_detractor_theme"] == (delay.rating < 0.5).sum()
    assert row.loc["delivery_delay", "share"] == pytest.approx(len(delay) / len(mine))


def test_the_scorecard_groups_verbatims_by_theme_and_act_first_names_the_top_negative_theme(sample_run):
    import re

    from cjx.privacy.scrub import scrub_text

    db, reports, _ = sample_run
    themes, _, _, _ = _frames(db)
    html = (reports / "scorecard_2026-Q3.html").read_text(encoding="utf-8")
    q3 = themes[(themes.revisit_id == "2026-Q3") & (themes.touchpoint_id == "parcel_delivery")]
    # the Act-first touchpoint (parcel delivery) and its theme with the most negative comments, by hand
    top = q3.sort_values(["n_negative", "n_theme", "theme_id"], ascending=[False, False, True]).iloc[0]
    box = re.search(r'<section class="act-first".*?</section>', html, flags=re.S).group(0)
    assert 'data-touchpoint="parcel_delivery"' in box
    assert f'data-theme="{top.theme_id}"' in box and f"{top.theme_label} ({top.n_theme} of {top.n_comments}" in box
    # the verbatim block of parcel delivery: one row per theme with its count, two scrubbed example comments each
    block = re.search(r'<div class="verbatim-block" data-touchpoint="parcel_delivery">.*?</table>', html, flags=re.S)
    rows = re.findall(r'<tr data-theme="([^"]+)">(.*?)</tr>', block.group(0), flags=re.S)
    assert rows and rows[0][0] == q3.sort_values(["n_negative", "n_theme"], ascending=False).theme_id.iloc[0]
    by_id = q3.set_index("theme_id")
    for theme_id, cells in rows:
        assert f'data-col="n_theme">{by_id.loc[theme_id, "n_theme"]} (' in cells
        examples = re.findall(r'<span class="verbatim">(.*?)</span>', cells)
        assert 1 <= len(examples) <= 2
        for e in examples:
            assert "@" not in e and scrub_text(e) == e  # nothing left to scrub: no e-mail, phone or long number


def test_a_theme_in_an_unknown_language_is_one_line_naming_the_key(tmp_path):
    from pathlib import Path

    from cjx.journey import JourneyError, load_journey

    sample = Path(__file__).resolve().parents[1] / "data" / "sample" / "journey.yml"
    bad = sample.read_text(encoding="utf-8").replace("    en: [late, delay, delayed]", "    de: [spät]")
    (tmp_path / "journey.yml").write_text(bad, encoding="utf-8")
    with pytest.raises(JourneyError) as caught:
        load_journey(tmp_path / "journey.yml")
    message = str(caught.value)
    assert "themes.delivery_delay.de" in message and "'da', 'sv', 'en' or 'nb'" in message and "\n" not in message
