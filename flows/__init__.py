"""Prefect flows: thin wrappers that call cjx functions in order."""
