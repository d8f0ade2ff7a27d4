"""Language and numbers: a Danish page shows no English label from the label catalogue (captions, statuses,
reason codes, units, tooltips and chart labels included) and Danish numbers; Swedish and Norwegian pages render
with their own labels; verbatims keep a touchpoint's own comments apart from general ones."""

from __future__ import annotations

import html
import json
import re
from contextlib import closing

import pytest

from cjx.report import load_scorecard_data, render_owner_page, render_scorecard
from cjx.report.labels import BLIND_SPOTS, CODES, LABELS, METRICS, QUADRANTS, Lang
from cjx.store import connect

REVISIT = "2026-Q3"


def _shown(page: str) -> str:
    """What a reader can see or hover: text, title/aria-label attributes, and every string in the chart specs."""
    specs = re.search(r'<script type="application/json" id="chart-specs">(.*?)</script>', page, re.S)
    strings: list[str] = []

    def walk(node):
        if isinstance(node, str):
            strings.append(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key not in ("template", "uid", "type", "mode", "color"):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    if specs:
        walk(json.loads(specs.group(1).replace("<\\/", "</")))
    attrs = re.findall(r'(?:title|aria-label|alt)="([^"]*)"', page)
    body = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", body)
    return html.unescape(" ".join([text, *attrs, *strings]))


def _english_fragments(other: str) -> set[str]:
    """Pieces of English labels that the other language writes differently (placeholders cut out)."""
    other_text = " ".join(
        v for table in (LABELS, QUADRANTS, METRICS, BLIND_SPOTS, CODES) for v in table[other].values()
    )
    fragments = set()
    for table in (LABELS, QUADRANTS, METRICS, BLIND_SPOTS, CODES):
        for key, english in table["en"].items():
            if english == table[other][key]:
                continue
            for piece in re.split(r"\{[^}]*\}|[():;·,.]", english):
                piece = piece.strip(" -–")
                if (len(piece) >= 8 or " " in piece) and re.search(r"[a-z]{3}", piece) and piece not in other_text:
                    fragments.add(piece)
    return fragments


@pytest.fixture(scope="module")
def danish(sample_run):
    db, _, _ = sample_run
    with closing(connect(db, read_only=True)) as con:
        data = load_scorecard_data(con, REVISIT, "da")
        data_text = set(
            [data.journey_name]
            + list(data.touchpoints.touchpoint_name)
            + list(data.touchpoints.owner)
            + list(data.touchpoints.stage_name)
            + list(data.verbatims.comment)
            + list(data.data_quality.file_name)
            + list(data.data_quality.source_id)
            + list(data.effects.measure)
        )
    return data, data_text


def test_a_danish_page_has_no_english_label(danish):
    data, data_text = danish
    fragments = _english_fragments("da")
    assert len(fragments) > 100  # the check has teeth: captions, columns, reasons, statuses, tooltips
    for page in (render_scorecard(data), render_owner_page(data, data.owners[0])):
        shown = _shown(page)
        for value in sorted(data_text, key=len, reverse=True):  # data is shown as it came: not a label
            shown = shown.replace(str(value), " ")
        found = sorted(f for f in fragments if f in shown)
        assert found == [], found[:10]


def test_a_danish_page_writes_danish_numbers(danish):
    data, data_text = danish
    shown = _shown(render_scorecard(data))
    for value in data_text:
        shown = shown.replace(str(value), " ")
    shown = re.sub(r"[pq] = \S+", " ", shown)  # q = 0,012 is a Danish decimal, not a thousand
    assert re.findall(r"\d,\d{3}(?!\d)", shown) == []  # no English thousands (1,075)
    assert re.findall(r"\d\.\d+\s?%", shown) == []  # no English decimals in a share (26.2%)
    assert re.findall(r"\d%", shown) == []  # Danish writes 46 %, with a space
    n = int(data.priority.n_headline.max())
    assert f"{n // 1000}.{n % 1000:03d}" in shown  # 1.075
    assert "transitions" not in shown and "customers" not in shown


@pytest.mark.parametrize("code", ["sv", "nb"])
def test_swedish_and_norwegian_pages_render_with_their_own_labels(sample_run, code):
    db, _, _ = sample_run
    with closing(connect(db, read_only=True)) as con:
        page = render_scorecard(load_scorecard_data(con, REVISIT, code))
    lang = Lang(code)
    shown = _shown(page)
    for key in ("title", "act_first", "headline", "priority", "trends", "significance_rule"):
        assert lang.t(key, n="25").split("{")[0][:30] in shown, key
    assert f'<html lang="{code}">' in page
    assert "1\u00a0075" in shown  # Swedish and Norwegian group thousands with a (no-break) space
    assert re.findall(r"\d,\d{3}(?!\d)", re.sub(r"[pq] = \S+", " ", shown)) == []


def test_verbatims_keep_own_comments_first_and_general_ones_apart(danish):
    data, _ = danish
    page = render_scorecard(data)
    blocks = re.findall(r'<div class="verbatim-block" data-touchpoint="([^"]+)">(.*?)\n</div>', page, re.S)
    assert blocks
    n_general = 0
    for tp, block in blocks:
        mine = data.verbatims[(data.verbatims.touchpoint_id == tp) & (data.verbatims.rating < 0.5)]
        own = set(mine[mine.attributed_by != "lowest rating"].comment.str.strip())
        general = set(mine[mine.attributed_by == "lowest rating"].comment.str.strip())
        own_part = re.search(r'data-group="own">(.*?)</div>', block, re.S).group(1)
        shown_own = {html.unescape(c) for c in re.findall(r'<span class="verbatim">(.*?)</span>', own_part)}
        assert shown_own <= own, tp
        general_part = re.search(r'data-group="general">(.*?)</div>', block, re.S)
        if general_part:
            n_general += 1
            shown_general = {
                html.unescape(c) for c in re.findall(r'<span class="verbatim">(.*?)</span>', general_part.group(1))
            }
            assert shown_general and shown_general <= general, tp
            assert block.index('data-group="own"') < block.index('data-group="general"')
            assert "Generelle kommentarer" in general_part.group(1)
    assert n_general > 0  # the sample's relationship survey has general comments


def test_a_missing_count_of_a_nullable_column_reads_as_a_dash():
    """A touchpoint with no answers in a revisit has n_headline = pd.NA (nullable integer), not NaN."""
    import pandas as pd

    counts = pd.Series([1075, None], dtype="Int64")
    assert [Lang("da").count(v) for v in counts] == ["1.075", "–"]
    assert [Lang("en").count(v) for v in (pd.NA, float("nan"), None, 3)] == ["–", "–", "–", "3"]
