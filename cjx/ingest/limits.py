"""The per-file resource caps (settings.limits) in force while one file is read, without passing a journey around.

Format adapters are called as `(con, path, source)`; `ingest_file` wraps landing in `use_limits(journey.settings
.limits)` and the readers ask `current_limits()`, which is the defaults (`Limits()`) outside any such block.
Also here: the file-name check every reader makes, since a name is read before any byte of the file.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

from cjx.ingest.errors import FileRejected
from cjx.journey.model import Limits

_DEFAULTS = Limits()
_CURRENT: ContextVar[Limits | None] = ContextVar("cjx_ingest_limits", default=None)

# Characters that break a line, a terminal or a spreadsheet cell when a file name is shown: C0/C1 controls,
# DEL, line/paragraph separators and the bidirectional overrides that make a name read differently than it is.
_UNSAFE_NAME_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def current_limits() -> Limits:
    """The caps for the file being read: those set by the innermost `use_limits`, else the defaults."""
    return _CURRENT.get() or _DEFAULTS


@contextlib.contextmanager
def use_limits(limits: Limits | None) -> Iterator[Limits]:
    """Make `limits` (None: the defaults) what `current_limits()` returns inside the block; nests and is thread-safe."""
    token = _CURRENT.set(limits)
    try:
        yield current_limits()
    finally:
        _CURRENT.reset(token)


def safe_name(name: str) -> str:
    """`name` with control and line-breaking characters written as escapes (\\x07, \\n, \\u202e): one printable line."""

    def escape(m: re.Match) -> str:
        ch = m.group()
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch) or (
            f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"
        )

    return _UNSAFE_NAME_CHARS.sub(escape, name)


def check_file_name(path: Path) -> None:
    """Reject a file whose name holds control characters (a bell, a terminal escape, a line break).

    Such a name cannot be shown on one line, in a terminal or in an Excel cell as it is, so the file is moved
    aside to be renamed rather than loaded under a name every report would have to mangle.
    """
    if _UNSAFE_NAME_CHARS.search(path.name):
        raise FileRejected(
            f"{safe_name(path.name)}: the file name holds control characters (shown escaped here), which cannot be "
            "shown in a report, a terminal or Excel. Rename the file and put it back."
        )
