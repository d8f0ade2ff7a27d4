"""Contact details and account numbers out of free text, in linear time, the same way in SQL and in Python.

Customers type their e-mail address, phone number, card or account number or CPR/personnummer into comments.
At ingest (settings.scrub_comments, on by default) the comment columns of raw.<source> are scrubbed as a file
lands, so neither raw nor core.comments ever holds them; the scorecard scrubs again (older databases).

    e-mail address                                             -> [e-mail]
    12 or more digits (cards, accounts, IBAN digits), or a
    CPR/personnummer (ddmmyy-xxxx, yyyymmdd-xxxx)              -> [number]
    8 to 11 digits, with +/00 and spaces, dots, dashes,
    slashes or brackets between them (phones)                  -> [phone]

Dates (2026-01-05, 05.01.2026) and shorter numbers ("3 timer for sent", "ordre 4711") stay: they are what the
complaint is about. Rules apply in that order; a date is protected by a private-use mark between its parts
while the number rules run.

Linear time: DuckDB's regexp_replace uses RE2, which never backtracks. Python's `re` backtracks, and an e-mail
pattern that may start anywhere retries from every position of a long word: 49 s for one 160 kB comment
without a space. Here the e-mail pattern may only start where a run of address characters starts (a
look-behind), the digit patterns have no nested choices, so each position is looked at a bounded number of
times. tests/test_privacy_scrub.py scrubs a 5 MB comment both ways.
"""

from __future__ import annotations

import re

import duckdb

from cjx.store import run_sql

EMAIL_TAG, PHONE_TAG, NUMBER_TAG = "[e-mail]", "[phone]", "[number]"
TAGS = {"emails": EMAIL_TAG, "phones": PHONE_TAG, "numbers": NUMBER_TAG}
MARK = "\ue000"  # private-use character: keeps a date's parts apart while the number rules run

_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_DATES = [
    re.compile(r"([0-9]{4})([\-./])([0-9]{1,2})([\-./])([0-9]{1,2})"),
    re.compile(r"([0-9]{1,2})([\-./])([0-9]{1,2})([\-./])([0-9]{4})"),
]
_DATE_MARKED = rf"\1\2{MARK}\3\4{MARK}\5"
_LONG = re.compile(r"[0-9](?:[ \-]?[0-9]){11,}")
_CPR = re.compile(r"[0-9]{6}[\-+][0-9]{4}")
_PHONE = re.compile(r"(?:\+|00)?\(?[0-9](?:[ \t\n\r\f\v\-./()]{0,2}[0-9]){7,10}")


def scrub_text(text: str) -> str:
    """`text` with e-mail addresses, long digit runs and phone numbers replaced by tags (see the module doc)."""
    if not text:
        return text
    text = _EMAIL.sub(EMAIL_TAG, text)
    if not any(c.isdigit() for c in text):
        return text
    text = text.replace(MARK, "")
    for date in _DATES:
        text = date.sub(_DATE_MARKED, text)
    text = _LONG.sub(NUMBER_TAG, text)
    text = _CPR.sub(NUMBER_TAG, text)
    text = _PHONE.sub(PHONE_TAG, text)
    return text.replace(MARK, "")


def tag_counts(before: str, after: str) -> dict[str, int]:
    """How many of each tag the scrub put in (tags already in the text are not counted)."""
    return {kind: after.count(tag) - before.count(tag) for kind, tag in TAGS.items()}


def define_sql_scrub(con: duckdb.DuckDBPyConnection) -> None:
    """Temp macros cjx_scrub_text(t) (the same rules in RE2) and cjx_scrub_candidate(t) on this connection."""
    run_sql(con, "privacy/scrub_macros")
