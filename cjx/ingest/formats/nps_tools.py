"""NPS/CSAT tool exports: Delighted and Zendesk satisfaction ratings, as JSON (API) or CSV.

Zendesk lists every survey it *offered*: score "offered" (sent, not answered) and "unoffered" (not sent)
are not responses. They are accounted for (quarantined as not_a_response), never loaded as scores.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from cjx.ingest.detect import is_json, load_json
from cjx.ingest.errors import FileRejected
from cjx.ingest.formats.delimited import land_delimited
from cjx.ingest.formats.generic import land_records
from cjx.ingest.landing import Landed
from cjx.ingest.limits import safe_name
from cjx.journey.model import Source

ZENDESK_NOT_RESPONSES = ["offered", "unoffered"]


def land_delighted(con: duckdb.DuckDBPyConnection, path: Path, source: Source) -> Landed:
    if is_json(path):
        data = load_json(path)
        if isinstance(data, dict) and isinstance(data.get("responses"), list):
            data = data["responses"]
        if not isinstance(data, list):
            raise FileRejected(f"{safe_name(path.name)}: expected Delighted's JSON list of survey responses.")
        landed = land_records(con, path, data)
    else:
        landed = land_delimited(con, path, source.locale)
    landed.format = "delighted"
    return landed


def land_zendesk(con: duckdb.DuckDBPyConnection, path: Path, source: Source) -> Landed:
    if is_json(path):
        data = load_json(path)
        if isinstance(data, dict):
            data = data.get("satisfaction_ratings")
        if not isinstance(data, list):
            raise FileRejected(
                f"{safe_name(path.name)}: expected Zendesk's JSON object with a satisfaction_ratings list."
            )
        landed = land_records(con, path, data)
    else:
        landed = land_delimited(con, path, source.locale)
    score = next((c for c in landed.columns if c.lower() in ("score", "satisfaction", "rating")), None)
    if score is not None:
        landed.non_response = (score, ZENDESK_NOT_RESPONSES)
    landed.format = "zendesk"
    return landed
