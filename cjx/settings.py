"""Where things live: defaults, overridable by environment variables and CLI options."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB = Path("data/cjx.duckdb")
DEFAULT_REPORTS = Path("reports")
SAMPLE_JOURNEY = Path("data/sample/journey.yml")


def database_path(override: str | Path | None = None) -> Path:
    """The DuckDB file: the CLI option, else $CJX_DB, else data/cjx.duckdb."""
    return Path(override or os.environ.get("CJX_DB") or DEFAULT_DB)


def reports_dir(override: str | Path | None = None) -> Path:
    """Where scorecards are written: the CLI option, else $CJX_REPORTS, else reports/."""
    return Path(override or os.environ.get("CJX_REPORTS") or DEFAULT_REPORTS)


def prefect_home() -> Path:
    """Where the Prefect server that `cjx serve` and `cjx run` start keeps its database and log:
    $CJX_PREFECT_HOME, else .cjx/prefect in the current folder (the project)."""
    return Path(os.environ.get("CJX_PREFECT_HOME") or Path(".cjx") / "prefect")


def prefect_port() -> int:
    """The port of that server: $CJX_PREFECT_PORT, else 0 (a free port chosen when it starts)."""
    return int(os.environ.get("CJX_PREFECT_PORT", "0"))


def lock_wait_seconds() -> float:
    """How long a run waits for another run on the same database: $CJX_LOCK_WAIT seconds, default 0 (stop at once)."""
    return float(os.environ.get("CJX_LOCK_WAIT", "0"))


def pseudonym_key(db_path: Path, secret_block: str | None = None) -> str:
    """Secret for pseudonymising respondent ids: $CJX_PSEUDONYM_KEY, else the Prefect Secret block `secret_block`
    (the journey's settings.pseudonym_key_block), else the key file ($CJX_PSEUDONYM_KEY_FILE, default beside the
    database; created mode 0600 atomically, refused inside the published copy's folder: cjx.privacy.key).

    The key is kept out of the database so that a copy of the database alone cannot be
    used to confirm a guessed e-mail address. Prefect is imported only when a Secret block is named.
    """
    if key := os.environ.get("CJX_PSEUDONYM_KEY"):
        return key
    if secret_block:
        from prefect.blocks.system import Secret

        return Secret.load(secret_block).get()  # type: ignore[union-attr]
    from cjx.privacy.key import key_from_file

    return key_from_file(db_path)
