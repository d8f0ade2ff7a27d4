"""Grow a database for a benchmark: replicate every survey response `copies` times under new ids and keys."""

from __future__ import annotations

import duckdb

# A copy k of a response takes the key response_key + k * 2^44: file keys are file_seq * 2^32 + row_number (file_seq
# far below 2^12), keys put in by hand are negative, so no copy meets another's keys.
KEY_STRIDE = 1 << 44


def replicate_responses(con: duckdb.DuckDBPyConnection, copies: int, *, attributes: bool = False) -> None:
    """Each copy k of a response gets the id <id>~k and a new key, with its answers (and, with `attributes`, its
    mapping attributes such as the channel): same journey, same respondents, same mapping, `copies` times the data."""
    copy = f"range(1, {copies}) c(k)"
    con.execute(
        f"INSERT INTO core.answer_values SELECT x.* REPLACE (x.response_key + c.k * {KEY_STRIDE} AS response_key) "
        f"FROM core.answer_values x, {copy}"
    )
    con.execute(
        "INSERT INTO core.responses SELECT x.* REPLACE "
        f"(x.response_id || '~' || c.k AS response_id, x.response_key + c.k * {KEY_STRIDE} AS response_key) "
        f"FROM core.responses x, {copy}"
    )
    if attributes:
        con.execute(
            f"INSERT INTO core.attribute_values SELECT x.* REPLACE (x.response_key + c.k * {KEY_STRIDE} AS response_key) "
            f"FROM core.attribute_values x, {copy}"
        )
