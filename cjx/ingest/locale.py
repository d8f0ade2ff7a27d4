"""A source's locale as parameters for sql/staging/landed_rows.sql: number separators and timestamp formats."""

from __future__ import annotations

import re

from cjx.journey.cron import time_zone_problem
from cjx.journey.model import Source

# Special timestamp_format tokens (not strptime formats).
EXCEL_SERIAL = "excel_serial"
UNIX_SECONDS = "unix_seconds"
# Google Forms writes "2024/03/04 9:15:02 AM GMT+1"; the zone is split off in SQL, this parses the rest.
# Downloaded from the responses sheet (English UI, US dates) it is "12/13/2019 9:50:30"; other UI languages write
# their own order (declare timestamp_format), a workbook has date cells.
GOOGLE_FORMS_FORMATS = ["%Y/%m/%d %I:%M:%S %p", "%Y/%m/%d %H:%M:%S", "%m/%d/%Y %H:%M:%S"]
DEFAULT_FORMATS = {
    "google_forms": GOOGLE_FORMS_FORMATS,
    "surveymonkey": ["%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S"],
    "typeform": ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"],  # CSV export; Responses API JSON (with Z)
    "delighted": [UNIX_SECONDS],
    "ms_forms": [EXCEL_SERIAL, "%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M"],
}
_SPACES = " \u00a0\u202f"
# How exports write UTC (Qualtrics' ImportId timeZone is "Z" when the export was made in UTC).
_UTC_NAMES = {"z", "utc", "gmt", "etc/utc", "etc/gmt", "utc+0", "utc+00:00", "+00:00", "gmt+0"}


def declared_timezone(source: Source) -> str | None:
    """The source's `timezone` when the journey file writes one, else None (then an export's own zone, such as a
    Qualtrics ImportId timeZone, is used, and the journey's timezone without one)."""
    return source.timezone if "timezone" in source.model_fields_set else None


def export_zone(name: str) -> str | None:
    """An export's own time zone name as an IANA zone ("Z" and "UTC" are UTC), or None when it is not one."""
    text = name.strip()
    if text.lower() in _UTC_NAMES:
        return "UTC"
    return text if text and time_zone_problem(text) is None else None


def number_params(source: Source) -> dict[str, object]:
    """$decimal, $group_re (a number written with thousands groups) and $group_class (the group characters)."""
    loc = source.locale
    groups = {".": ".", ",": ",", "space": _SPACES, None: ""}[loc.thousands]
    if loc.decimal == "," and loc.thousands is None:
        groups = "." + _SPACES  # Danish "1.234,50" and Swedish "1 234,50" both appear in Nordic exports
    if not groups:
        return {"decimal": loc.decimal, "group_re": None, "group_class": "[ ]"}
    group_class = "[" + "".join(re.escape(c) for c in groups) + "]"
    group_re = rf"[+-]?\d{{1,3}}(?:{group_class}\d{{3}})+(?:{re.escape(loc.decimal)}\d+)?"
    return {"decimal": loc.decimal, "group_re": group_re, "group_class": group_class}
