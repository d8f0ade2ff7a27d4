"""The pseudonymisation key file: where it lives, created 0600 atomically, never beside the published copy.

The key turns an e-mail address into the respondent_id stored everywhere (cjx.privacy.pseudonymise). Whoever
holds the key and a copy of the database can confirm a guessed address, so the key is kept apart from what
is shared: never in the database, never in the folder of the published copy (which is handed to the data
team), never readable by another user, not even for the instant between creating the file and setting its
mode. Standard library only: cjx.settings (the bottom layer) resolves the key through here.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

KEY_FILE_NAME = ".cjx_pseudonym_key"


class KeyFileError(RuntimeError):
    """The key file cannot be used safely; str() is one line saying why and what to do."""


def key_file_path(db_path: Path) -> Path:
    """$CJX_PSEUDONYM_KEY_FILE, else `.cjx_pseudonym_key` beside the working database."""
    override = os.environ.get("CJX_PSEUDONYM_KEY_FILE")
    return Path(override) if override else Path(db_path).parent / KEY_FILE_NAME


def published_dir_for(db_path: Path) -> Path:
    """Where the published copy goes ($CJX_PUBLISHED, else published/ beside the database), as in cjx.store.publish."""
    return Path(os.environ.get("CJX_PUBLISHED") or Path(db_path).parent / "published")


def check_key_location(key_file: Path, db_path: Path) -> None:
    """Refuse a key file inside the published copy's folder (or its Parquet folder): that folder is shared."""
    published = published_dir_for(db_path).resolve()
    where = key_file.resolve().parent
    if where == published or published in where.parents:
        raise KeyFileError(
            f"{key_file}: the pseudonymisation key would sit in {published}, the folder of the published copy "
            "that the data team reads; set CJX_PSEUDONYM_KEY_FILE (or CJX_PUBLISHED) so they are apart"
        )


def create_key_file(key_file: Path) -> str:
    """Write a new random key to `key_file`, mode 0600 from the first byte, and return the key.

    The key is written to a temporary file opened with O_CREAT | O_EXCL and mode 0600 (so it is never
    readable by others, whatever the umask), flushed to disk, then linked to its name with os.link, which
    fails if the name exists: two processes creating the key at once end up using the same key (the loser
    reads the winner's), and no reader ever sees a half-written file.
    """
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    tmp = key_file.with_name(f".{key_file.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)  # the umask can only take bits away from 0600; this also sets exactly 0600
        os.write(fd, key.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, key_file)
    except FileExistsError:
        return read_key_file(key_file)
    except OSError:  # a file system without hard links: rename, unless another process was first
        if key_file.exists():
            return read_key_file(key_file)
        os.replace(tmp, key_file)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return key


def read_key_file(key_file: Path) -> str:
    """The key in `key_file`; a file others can read is refused (one line naming the fix)."""
    mode = stat.S_IMODE(key_file.stat().st_mode)
    if mode & 0o077:
        raise KeyFileError(
            f"{key_file}: the pseudonymisation key is readable by other users (mode {mode:04o}); "
            f"run `chmod 600 {key_file}` and check who may have copied it"
        )
    key = key_file.read_text().strip()
    if not key:
        raise KeyFileError(f"{key_file}: the pseudonymisation key file is empty; restore it from your backup")
    return key


def key_from_file(db_path: Path, *, create: bool = True) -> str:
    """The key for the database at `db_path` from its key file, created (0600, atomically) when missing."""
    key_file = key_file_path(db_path)
    check_key_location(key_file, db_path)
    if key_file.exists():
        return read_key_file(key_file)
    if not create:
        raise FileNotFoundError(
            f"{key_file}: no pseudonymisation key; set CJX_PSEUDONYM_KEY to the key the "
            "pipeline used (ask whoever runs it), or run the pipeline first"
        )
    return create_key_file(key_file)
