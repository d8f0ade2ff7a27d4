"""Format adapters by `format` name: each reads one export into the temp table `landing` (see cjx.ingest.landing)."""

from __future__ import annotations

from cjx.ingest.formats.forms import land_google_forms, land_ms_forms, land_typeform
from cjx.ingest.formats.generic import land_csv, land_json, land_parquet, land_xlsx
from cjx.ingest.formats.nps_tools import land_delighted, land_zendesk
from cjx.ingest.formats.qualtrics import land_qualtrics
from cjx.ingest.formats.surveymonkey import land_surveymonkey

ADAPTERS = {
    "csv": land_csv,
    "qualtrics_csv": land_qualtrics,
    "surveymonkey": land_surveymonkey,
    "google_forms": land_google_forms,
    "typeform": land_typeform,
    "ms_forms": land_ms_forms,
    "delighted": land_delighted,
    "zendesk": land_zendesk,
    "xlsx": land_xlsx,
    "parquet": land_parquet,
    "json": land_json,
}
