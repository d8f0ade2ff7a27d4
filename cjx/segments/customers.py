"""Load the journey's customers table (a CRM export) with its id pseudonymised: core.customer_attributes.

The file is read whole whenever its content changes (it is a snapshot of the CRM, not a stream of events): the
previous load is replaced. Its id column goes through the same keyed hash as respondent ids at ingest
(cjx.privacy.pseudonymise), inside DuckDB, so the raw id is never stored; rows of an erased person
(ops.erased_respondents) are left out. Every row is accounted for in ops.customer_files:
rows_read = rows_loaded + rows_quarantined + rows_duplicate. Only CSV (any delimiter DuckDB detects).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from pathlib import Path

import duckdb

from cjx.ingest.load_file import FileResult
from cjx.journey import LoadedJourney
from cjx.journey.model import Customers
from cjx.store import quote_ident, run_sql

log = logging.getLogger(__name__)
SOURCE_ID = "customers"


def customer_files(lj: LoadedJourney) -> list[Path]:
    """The files the customers: pattern matches, relative to the journey file, in name order."""
    customers = lj.journey.customers
    if customers is None:
        return []
    return sorted(p for p in lj.base_dir.glob(customers.files) if p.is_file())


def _fingerprint(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for p in paths:
        digest.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return digest.hexdigest()


def load_customers(con: duckdb.DuckDBPyConnection, lj: LoadedJourney, pseudonym_key: str) -> FileResult | None:
    """Load the customers table when its files changed; None without a customers: table or without files."""
    customers = lj.journey.customers
    paths = customer_files(lj)
    if customers is None or not paths:
        if customers is not None:
            log.warning("customers: no file matches %s", customers.files)
        return None
    file_id = _fingerprint(paths)
    label = ", ".join(p.name for p in paths)
    latest = con.execute("SELECT file_id FROM ops.customer_files ORDER BY loaded_at DESC LIMIT 1").fetchall()
    if latest and latest[0][0] == file_id:  # the same content as the last load (or the last rejection)
        return FileResult(file_id=file_id, source_id=SOURCE_ID, path=label, status="skipped")
    try:
        result = _load(con, customers, paths, file_id, label, pseudonym_key)
    except CustomersRejected as why:
        result = FileResult(file_id=file_id, source_id=SOURCE_ID, path=label, status="rejected", reject_reason=str(why))
    _record(con, result)
    return result


class CustomersRejected(ValueError):
    """The customers file cannot be used; the message is one line naming the file, the column and what was expected."""


def _load(
    con: duckdb.DuckDBPyConnection, customers: Customers, paths: list[Path], file_id: str, label: str, key: str
) -> FileResult:
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE customer_file AS "
            "SELECT row_number() OVER () AS row_no, * FROM read_csv($paths, all_varchar = true, header = true, "
            "union_by_name = true)",
            {"paths": [str(p) for p in paths]},
        )
    except duckdb.Error as why:  # DuckDB's message may quote a line of the file: it holds identities, so not shown
        log.debug("customers: %s", type(why).__name__)
        raise CustomersRejected(
            f"{label}: cannot be read as CSV ({type(why).__name__}); expected a CSV with a header row"
        ) from None
    present = [r[0] for r in con.execute("SELECT name FROM pragma_table_info('customer_file')").fetchall()]
    wanted = [customers.customer_id, *customers.columns] + ([customers.valid_from] if customers.valid_from else [])
    missing = [c for c in wanted if c not in present]
    if missing:
        raise CustomersRejected(
            f"{label}: missing column {missing[0]!r}; expected the columns declared in customers: {wanted}"
        )
    # The column list comes from the journey (quoted identifiers): the statement's shape depends on the file.
    valid_from = quote_ident(customers.valid_from) if customers.valid_from else "NULL"
    con.execute(
        "CREATE OR REPLACE TEMP TABLE customer_rows AS SELECT row_no, "
        f"{quote_ident(customers.customer_id)} AS customer_id, {valid_from} AS valid_from_text FROM customer_file"
    )
    values = ", ".join(quote_ident(c) for c in customers.columns)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE customer_values AS SELECT row_no, attribute, value FROM "
        f"(SELECT row_no, {values} FROM customer_file) UNPIVOT (value FOR attribute IN ({values}))"
    )
    run_sql(con, "segments/load_customers", {"key": key, "has_valid_from": customers.valid_from is not None})
    counts = con.execute(
        "SELECT count(*), count(*) FILTER (reason IS NULL AND NOT is_duplicate), count(*) FILTER (reason IS NOT NULL),"
        " count(*) FILTER (is_duplicate) FROM customer_fate"
    ).fetchall()[0]
    reasons = dict(
        con.execute(
            "SELECT reason, count(*) FROM customer_fate WHERE reason IS NOT NULL GROUP BY 1 ORDER BY 1"
        ).fetchall()
    )
    for name in ("customer_file", "customer_rows", "customer_values", "customer_fate"):
        con.execute(f"DROP TABLE IF EXISTS {name}")
    notes = tuple(f"customers: {n} row(s) left out: {reason}" for reason, n in reasons.items())
    return FileResult(
        file_id=file_id,
        source_id=SOURCE_ID,
        path=label,
        status="loaded",
        rows_read=int(counts[0]),
        rows_loaded=int(counts[1]),
        rows_quarantined=int(counts[2]),
        rows_duplicate=int(counts[3]),
        format="csv",
        quarantined_by_reason={str(k): int(v) for k, v in reasons.items()},
        notes=notes,
    )


def _record(con: duckdb.DuckDBPyConnection, r: FileResult) -> None:
    con.execute(
        "INSERT INTO ops.customer_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            r.file_id,
            r.path,
            dt.datetime.now(dt.UTC).replace(tzinfo=None),
            r.status,
            r.reject_reason,
            r.rows_read,
            r.rows_loaded,
            r.rows_quarantined,
            r.rows_duplicate,
            json.dumps(r.quarantined_by_reason),
        ],
    )
