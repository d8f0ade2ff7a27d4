"""Segments: the scores broken down by who answered (issue 15).

- ``sync``: the journey's ``segments:`` into core.segments;
- ``customers``: the ``customers:`` table loaded with its id pseudonymised (core.customer_attributes);
- ``scorecard``: core.respondent_segments and marts.segment_scorecard (headline, interval, test against the rest,
  Benjamini-Hochberg per segment and revisit);
- ``priority``: importance and priority rank per segment value (marts.segment_importance, segment_priority);
- ``build``: all of it in dependency order, called by cjx.metrics.marts.build_marts.
"""
