"""DuckDB storage: connection, migrations and the SQL runner."""

from cjx.store.db import SQL_DIR, connect, migrate, query, quote_ident, relation, run_sql, zstd

__all__ = ["SQL_DIR", "connect", "migrate", "query", "quote_ident", "relation", "run_sql", "zstd"]
