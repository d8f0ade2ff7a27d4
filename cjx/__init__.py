"""cjx: customer-journey feedback analytics on DuckDB."""

__version__ = "0.1.0"
