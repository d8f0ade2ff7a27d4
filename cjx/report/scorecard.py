"""The touchpoint scorecard of one revisit: kept as the import path earlier code used.

The parts live in small modules: data (marts -> ScorecardData), figures (plotly), pages (HTML), labels (en/da),
verbatims (comments), exports (CSV/XLSX), snapshot (PNG via chromium), artifacts (Prefect summaries).
"""

from cjx.report.data import ScorecardData, load_scorecard_data
from cjx.report.figures import ipa_figure, journey_curve_figure, paths_figure
from cjx.report.pages import render_owner_page, render_scorecard

__all__ = ["ScorecardData", "load_scorecard_data", "ipa_figure", "journey_curve_figure", "paths_figure",
           "render_owner_page", "render_scorecard"]
