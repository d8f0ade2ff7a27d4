"""Scorecard units on tiny inline frames: escaping, scrubbing of verbatims, Danish labels, the language setting."""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd
import pytest

from cjx.report import ScorecardData, render_owner_page, render_scorecard
from cjx.report.labels import LABELS, Lang
from cjx.report.pages import owner_slugs
from cjx.report.verbatims import scrub, top_verbatims

EVIL_NAME, EVIL_OWNER, EVIL_COMMENT = "<b>x</b>", "R&D <team>", "<script>alert(1)</script> very late"


def tiny_data(language: str = "en") -> ScorecardData:
    """Two touchpoints in two stages; the weak critical one has a name, owner and comment that look like markup."""
    base = {
        "revisit_id": "R2",
        "stage_name": ["Buy", "Deliver"],
        "stage_position": [1, 2],
        "touchpoint_id": ["checkout", "evil"],
        "touchpoint_name": ["Checkout", EVIL_NAME],
        "touchpoint_position": [1, 2],
        "owner": ["Web", EVIL_OWNER],
        "is_critical": [False, True],
        "is_low_base": [False, False],
    }
    priority = (
        pd.DataFrame(
            {
                **base,
                "n_headline": [200, 150],
                "headline_metric": ["csat", "csat"],
                "headline_value": [0.8, 0.4],
                "performance": [0.8, 0.4],
                "performance_ci_low": [0.74, 0.32],
                "performance_ci_high": [0.85, 0.48],
                "target": [None, 0.7],
                "importance": [0.05, 0.2],
                "importance_ci_low": [0.01, 0.1],
                "importance_ci_high": [0.09, 0.3],
                "reach": [0.9, 0.8],
                "gap_to_target": [None, -0.3],
                "quadrant": ["Possible overkill", "Concentrate here"],
                "priority_rank": [2, 1],
                "performance_crosshair": [0.6, 0.6],
                "importance_crosshair": [0.125, 0.125],
                "change_from": ["R1", "R1"],
                "change_metric": ["csat_top2", "csat_top2"],
                "change_status": ["tested", "tested"],
                "change_note": [None, None],
                "change_n_from": [210, 160],
                "change_value_from": [0.79, 0.6],
                "change": [0.01, -0.2],
                "change_ci_low": [-0.05, -0.3],
                "change_ci_high": [0.07, -0.1],
                "change_q_value": [0.8, 0.001],
                "change_is_significant": [False, True],
                "change_direction": [None, "worse"],
            }
        )
        .sort_values("priority_rank")
        .reset_index(drop=True)
    )
    touchpoints = pd.DataFrame(
        {
            **base,
            "n_responses": [200, 150],
            "n_csat": [200, 150],
            "csat_mean": [4.1, 2.9],
            "csat_top2_share": [0.8, 0.4],
            "n_ces": [0, 0],
            "ces_mean": [None, None],
            "ces_easy_share": [None, None],
            "n_nps": [0, 0],
            "nps": [None, None],
        }
    )
    verbatims = pd.DataFrame(
        {
            "touchpoint_id": ["evil", "evil", "evil"],
            "attributed_by": ["response"] * 3,
            "rating": [0.0, 0.0, 1.0],
            "comment": [EVIL_COMMENT, scrub("Call me on +45 12 34 56 78 or mail a.b@example.com"), "great"],
        }
    )
    paths = pd.DataFrame(
        {
            "from_touchpoint_id": ["checkout", "evil"],
            "to_touchpoint_id": ["evil", "checkout"],
            "n_transitions": [100, 30],
            "n_customers": [90, 25],
            "is_repeat": [False, False],
            "is_loop_back": [False, True],
        }
    )
    kpis = [
        {
            "key": "nps",
            "kind": "nps",
            "value": 12.7,
            "ci_low": 7.1,
            "ci_high": 18.4,
            "n": 708,
            "change": {
                "difference": -22.5,
                "from": "R1",
                "n_from": 691,
                "p_value": 1e-8,
                "is_significant": True,
                "direction": "worse",
            },
        }
    ]
    return ScorecardData(
        journey_name="Tiny <journey>",
        revisit_id="R2",
        revisit_start="2026-07-01",
        revisit_end="2026-09-30",
        min_base=30,
        headline={},
        touchpoints=touchpoints,
        priority=priority,
        effects=pd.DataFrame(),
        data_quality=pd.DataFrame(),
        language=language,
        previous_revisit="R1",
        kpis=kpis,
        paths=paths,
        verbatims=verbatims,
    )


class Parsed(HTMLParser):
    """Start tags outside <script>, and the text of the page."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.script_bodies: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        (self.script_bodies if self._in_script else self.text).append(data)


def _parse(html: str) -> Parsed:
    parser = Parsed()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def page() -> str:
    return render_scorecard(tiny_data())


def test_markup_in_data_is_shown_as_text_never_as_markup(page):
    parsed = _parse(page)
    assert "b" not in parsed.tags  # the touchpoint named <b>x</b> did not become a bold tag
    text = "".join(parsed.text)
    assert EVIL_NAME in text and EVIL_OWNER in text and "<script>alert(1)</script>" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;b&gt;x&lt;/b&gt;" in page
    # every <script> is ours: plotly.js, the figures and the table sorter; none holds the comment
    assert not any("alert(1)" in body for body in parsed.script_bodies)
    # plotly renders a subset of HTML in labels, so the figures get the name as entities (&lt;b&gt;), never as a
    # <b> tag (which plotly's JSON writes as \u003cb\u003e)
    scripts = "".join(parsed.script_bodies)
    assert "&lt;b&gt;x" in scripts and "\\u003cb\\u003ex" not in scripts
    owner_page = render_owner_page(tiny_data(), EVIL_OWNER)
    assert "b" not in _parse(owner_page).tags and "<script>alert(1)</script>" in "".join(_parse(owner_page).text)


def test_weak_critical_touchpoint_leads_the_page(page):
    text = " ".join("".join(_parse(page).text).split())
    act_first = text.index("Act first")
    assert text.index(EVIL_NAME, act_first) < text.index("The journey at a glance")
    assert f"Owner: {EVIL_OWNER}" in text
    assert "−30 pts" in text and "−20 pts ▼" in text  # gap to target and the significant worsening


def test_scrubbing_removes_contact_details_but_keeps_the_complaint():
    assert (
        scrub("Ring +45 12 34 56 78 eller skriv til jens.hansen+cx@firma.dk") == "Ring [phone] eller skriv til [e-mail]"
    )
    # 0045 1234 5678 is 12 digits: the ingest rules (cjx.privacy.scrub) tag 12+ digit runs as [number]
    assert scrub("call (555) 123-4567 or 0045 1234 5678") == "call [phone] or [number]"
    assert scrub("070-123 45 67") == "[phone]"
    kept = "Pakken kom 3 timer for sent, ventede 40 minutter, ordre 123456 den 2026-09-30"
    assert scrub(kept) == kept
    assert "example.com" not in render_scorecard(tiny_data()) and "56 78" not in render_scorecard(tiny_data())


def test_top_verbatims_count_dissatisfied_comments_only():
    data = tiny_data()
    comments, n_low, n_all = top_verbatims(data.verbatims, "evil")
    assert (n_low, n_all) == (2, 3)
    assert {c["comment"] for c in comments} == {EVIL_COMMENT, "Call me on [phone] or mail [e-mail]"}
    more = pd.concat([data.verbatims, data.verbatims.iloc[[1]]])
    assert top_verbatims(more, "evil")[0][0] == {
        "comment": "Call me on [phone] or mail [e-mail]",
        "n": 2,
        "rating": 0.0,
        "general": False,
    }


def test_danish_labels_render_and_data_stays_as_it_came():
    html = render_scorecard(tiny_data("da"))
    text = " ".join("".join(_parse(html).text).split())
    assert '<html lang="da">' in html
    for label in (
        "Sæt ind først her",
        "Rejsen på et øjeblik",
        "Prioritetstabel",
        "Rejsekurven",
        "Sæt ind her",
        "Sådan læses det",
    ):
        assert label in text, label
    assert "Priority table" not in text and "Act first" not in text
    assert "40 %" in text and "−30 pt." in text  # Danish number style
    assert EVIL_NAME in text and "Checkout" in text  # touchpoint names are data: not translated
    owner = " ".join("".join(_parse(render_owner_page(tiny_data("da"), "Web")).text).split())
    assert "Web: jeres touchpoints" in owner and "Tilbage til hele scorecardet" in owner


def test_every_label_exists_in_both_languages_and_unknown_languages_fail():
    assert LABELS["en"].keys() == LABELS["da"].keys() == LABELS["sv"].keys() == LABELS["nb"].keys()
    with pytest.raises(ValueError, match="not supported"):
        Lang("de")


def test_language_is_a_journey_setting_stored_with_the_journey():
    from pydantic import ValidationError

    from cjx.journey import load_journey
    from cjx.journey.model import Settings
    from cjx.journey.sync import journey_frames
    from tests.conftest import SAMPLE

    assert Settings().language == "en" and Settings(language="da").language == "da"
    assert Settings(language="sv").language == "sv" and Settings(language="nb").language == "nb"
    with pytest.raises(ValidationError):
        Settings(language="de")
    assert journey_frames(load_journey(SAMPLE / "journey.yml"))["journey_df"].language.tolist() == ["en"]


def test_owner_slugs_are_safe_and_unique():
    assert owner_slugs(["Customer Service", "Kundeservice Århus", "R&D <team>", "r-d team"]) == {
        "Customer Service": "customer-service",
        "Kundeservice Århus": "kundeservice-arhus",
        "R&D <team>": "r-d-team",
        "r-d team": "r-d-team-2",
    }
