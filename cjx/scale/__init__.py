"""Scale-out: per-file parsing on many processes (Prefect's DaskTaskRunner), one writer for the database.

`cjx.scale.partition` parses one file into a Parquet partition (no write to the main database); `cjx.scale.writer`
loads partitions into DuckDB one file per transaction, in arrival order, through cjx.ingest's own load path;
`cjx.scale.digest` fingerprints every core and marts table, so a parallel run can be shown identical to a serial one.
"""
