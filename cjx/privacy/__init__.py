"""Pseudonymisation as the pipeline does it, for joining your own customer data to cjx responses."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def pseudonymise(value: str, key: str) -> str:
    """The respondent_id cjx stores for `value`: keyed sha256 of the value trimmed of spaces and lower-cased, 16 hex.

    Matches the ingest SQL `left(sha256(key || lower(trim(value))), 16)`, so an e-mail in your CRM joins
    to core.respondents without the e-mail ever being stored in the database.
    """
    return hashlib.sha256((key + value.strip(" ").lower()).encode("utf-8")).hexdigest()[:16]


def read_pseudonym_key(db_path: Path) -> str:
    """The key the pipeline used for `db_path`: $CJX_PSEUDONYM_KEY, else its key file (never created here)."""
    if key := os.environ.get("CJX_PSEUDONYM_KEY"):
        return key
    from cjx.privacy.key import key_from_file

    return key_from_file(Path(db_path), create=False)
