"""Names from the journey file that become file names, and writes that must stay in their folder.

A revisit id becomes `scorecard_<id>.html` and a folder, a source id an archive folder and a GX asset, an
owner a page name: a journey file (or whoever edits it) must not be able to write `x/../../../y` outside
`--reports`. Two guards: names are checked when the journey file is loaded (`cjx check` reports them, one line
naming the key), and every report and export write is resolved and confirmed inside its configured folder.
Standard library only (the journey model, the bottom layers, use it).
"""

from __future__ import annotations

import re
from pathlib import Path

SAFE_NAME = re.compile(r"[A-Za-z0-9._-]+")
SAFE_NAME_RULE = "letters A-Z a-z, digits, '.', '_' and '-' only, not '.' or '..' and no '..' inside"


class UnsafePath(ValueError):
    """A write would leave its configured folder; str() is one line naming the path and the folder."""


def unsafe_name(name: str) -> str | None:
    """Why `name` cannot be a file name cjx writes (None when it can)."""
    if not name:
        return "empty"
    if not SAFE_NAME.fullmatch(name):
        bad = sorted({c for c in name if not SAFE_NAME.fullmatch(c)})
        shown = ", ".join(repr(c) for c in bad[:5])
        return f"{name!r} has character(s) {shown} that cannot go into a file name ({SAFE_NAME_RULE})"
    if ".." in name or name == ".":
        return f"{name!r} would name a parent folder ({SAFE_NAME_RULE})"
    return None


def check_name(name: str) -> str:
    """`name` when it is a safe file name, else ValueError saying why (pydantic turns it into a one-line error)."""
    why = unsafe_name(name)
    if why:
        raise ValueError(why)
    return name


def inside(folder: Path | str, relative: Path | str) -> Path:
    """folder / relative (as given, not resolved), once confirmed to resolve inside `folder` (symbolic links
    followed); UnsafePath otherwise."""
    root = Path(folder).resolve()
    target = (root / relative).resolve()
    if target != root and root not in target.parents:
        raise UnsafePath(f"{relative}: would be written to {target}, outside its folder {root}; nothing was written")
    return Path(folder) / relative
