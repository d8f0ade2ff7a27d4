"""DuckDB's buffer pool: ingest fits it to the memory budget per file; every later connection of the process (the
scoring step of `cjx run`) gets DuckDB's default pool back, since the setting belongs to the shared instance."""

from __future__ import annotations

from contextlib import closing

import duckdb

from cjx.store import connect
from cjx.store.db import fit_memory


def _pool(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]


def test_a_connection_after_an_ingest_sized_pool_gets_duckdbs_default_pool(tmp_path, monkeypatch):
    monkeypatch.delenv("CJX_DUCKDB_MEMORY", raising=False)
    monkeypatch.setenv("CJX_MEMORY_BUDGET", "200")
    with closing(duckdb.connect()) as fresh:
        default = _pool(fresh)  # DuckDB's own default on this machine (80 % of RAM)
    db = tmp_path / "pool.duckdb"
    with closing(connect(db)) as ingest:
        assert _pool(ingest) == default
        fitted = fit_memory(ingest)
        assert fitted < 200 and _pool(ingest) != default
        # a second connection to the same file, as pipeline.score opens while the ingest's is still open
        with closing(connect(db)) as scoring:
            assert _pool(scoring) == default
            assert _pool(ingest) == default  # one instance, one setting


def test_a_pinned_pool_holds_for_every_connection(tmp_path, monkeypatch):
    monkeypatch.setenv("CJX_DUCKDB_MEMORY", "300MB")
    with closing(connect(tmp_path / "pinned.duckdb")) as con:
        pinned = _pool(con)
        fit_memory(con)
        assert _pool(con) == pinned
        assert pinned.endswith("MiB") and 280 <= float(pinned.split()[0]) <= 300
