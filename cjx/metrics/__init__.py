"""Metrics: marts built in SQL, statistics in numpy/scipy."""
