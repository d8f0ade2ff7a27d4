"""Reports: figures (plotly) and the HTML touchpoint scorecard."""

from cjx.report.scorecard import ScorecardData, load_scorecard_data, performance_figure, render_scorecard

__all__ = ["ScorecardData", "load_scorecard_data", "performance_figure", "render_scorecard"]
