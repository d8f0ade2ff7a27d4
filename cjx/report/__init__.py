"""Reports: figures (plotly), the HTML touchpoint scorecard and owner pages, exports and run summaries."""

from cjx.report.data import ScorecardData, load_scorecard_data
from cjx.report.figures import ipa_figure, journey_curve_figure, paths_figure
from cjx.report.pages import ReportFiles, render_owner_page, render_scorecard

__all__ = [
    "ReportFiles",
    "ScorecardData",
    "ipa_figure",
    "journey_curve_figure",
    "load_scorecard_data",
    "paths_figure",
    "render_owner_page",
    "render_scorecard",
]
