"""The segment selector's charts are built without plotly.py's validation (cjx.report.figures._figure): the JSON
must be what the validated build gives (the template aside, which the specs leave out and the page supplies), for
every segment value of the sample's latest revisit."""

from __future__ import annotations

import json
from contextlib import closing

import duckdb
import plotly.io as pio

from cjx.report import load_scorecard_data
from cjx.report.figures import ipa_figure, journey_curve_figure, journey_curve_narrow_figure
from cjx.report.labels import Lang
from cjx.report.segments import load_segment_data, value_priority


def _json(fig) -> dict:
    """The figure's JSON without its template, as the segment specs hold it (cjx.report.segments._spec)."""
    spec = json.loads(pio.to_json(fig, validate=False))
    spec["layout"].pop("template")
    return spec


def test_unvalidated_segment_charts_are_the_validated_ones(sample_run):
    db, _, _ = sample_run
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        revisit = con.execute("SELECT max(revisit_id) FROM marts.segment_priority").fetchall()[0][0]
        data = load_scorecard_data(con, revisit)
        segments = load_segment_data(con, revisit)
    assert segments is not None
    journey = data.priority  # the page's priority frame, as render_scorecard passes it to the selector
    lang, compared = Lang(), 0
    for _, rows in segments.priority.groupby(["segment_id", "segment_value"], sort=False):
        frame = value_priority(journey, rows)
        for build, kwargs in (
            (journey_curve_figure, {"min_base": data.min_base}),
            (journey_curve_narrow_figure, {"min_base": data.min_base}),
            (ipa_figure, {}),
            (ipa_figure, {"narrow": True}),
        ):
            assert _json(build(frame, lang, **kwargs, validate=False)) == _json(build(frame, lang, **kwargs))
            compared += 1
    assert compared >= 8
