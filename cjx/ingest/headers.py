"""A file's header names against the journey's: duplicates and near-matches, settled before anything lands.

- Duplicate names (Qualtrics 2016 side-by-side tables repeat their export tags) reject the file only when the
  journey uses one of them: which of two "Q1" columns is the question is a guess we do not make. Unused
  duplicates are kept in raw under a new name (`<name>__<column number>`), with a note.
- A journey column not in the header exactly is matched trimmed, then with no-break spaces as spaces, then
  case-insensitively; the file's column is renamed to the journey's name, with a note saying which rule matched.
  Two header names matching one journey name that way reject the file.

`cjx.ingest.adapters.land` says which names the journey uses (`expect_columns`); the format adapters call
`resolve_names` on the names they read.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

from cjx.ingest.errors import FileRejected
from cjx.ingest.limits import safe_name

_EXPECTED: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("cjx_expected_columns", default=())


@contextlib.contextmanager
def expect_columns(names: Sequence[str]) -> Iterator[None]:
    """While landing one file: the raw column names the journey reads from it."""
    token = _EXPECTED.set(tuple(dict.fromkeys(names)))
    try:
        yield
    finally:
        _EXPECTED.reset(token)


def _trimmed(name: str) -> str:
    return name.strip()


def _spaces(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("\u00a0", " ").replace("\u202f", " ")).strip()


def _folded(name: str) -> str:
    return _spaces(name).casefold()


_RULES = (("trimmed", _trimmed), ("no-break spaces as spaces", _spaces), ("case-insensitive", _folded))


def resolve_names(path: Path, names: Sequence[str]) -> tuple[list[str], list[str]]:
    """The header names to land under, and notes saying what was renamed; FileRejected when ambiguous."""
    file = safe_name(path.name)
    expected = _EXPECTED.get()
    out = list(names)
    notes: list[str] = []
    counts = Counter(out)
    dupes = [n for n, c in counts.items() if c > 1]
    if dupes:
        where = {n: [i + 1 for i, m in enumerate(out) if m == n] for n in dupes}
        used = [n for n in dupes if any(n == e or _folded(n) == _folded(e) for e in expected)]
        if used:
            detail = "; ".join(f"{n!r} at columns {where[n]}" for n in used)
            raise FileRejected(
                f"{file}: duplicate column names: {detail}, and the journey reads "
                f"{'that column' if len(used) == 1 else 'those columns'}: which one is meant is a guess we do not "
                "make. Rename them in the export (or the survey's export tags) so every column has its own name."
            )
        taken = set(out)
        for n, positions in where.items():
            for pos in positions[1:]:
                new = f"{n}__{pos}"
                while new in taken:
                    new += "_"
                taken.add(new)
                out[pos - 1] = new
        shown = "; ".join(f"{n!r} at columns {p}" for n, p in list(where.items())[:5])
        more = f" (and {len(where) - 5} more)" if len(where) > 5 else ""
        notes.append(
            f"{file}: {sum(len(p) - 1 for p in where.values())} duplicate column name(s) the journey does not read, "
            f"kept in raw as <name>__<column number>: {shown}{more}"
        )
    present = set(out)
    for want in expected:
        if want in present:
            continue
        for rule, norm in _RULES:
            key = norm(want)
            hits = [i for i, n in enumerate(out) if norm(n) == key and n not in expected]
            if len(hits) > 1:
                matched = [out[i] for i in hits]
                raise FileRejected(
                    f"{file}: the journey's column {want!r} matches {len(hits)} header names when {rule} "
                    f"({matched}, at columns {[i + 1 for i in hits]}); rename one of them or write the name exactly."
                )
            if hits:
                old = out[hits[0]]
                out[hits[0]] = want
                present.discard(old)
                present.add(want)
                notes.append(f"{file}: header {old!r} (column {hits[0] + 1}) read as the journey's {want!r} ({rule})")
                break
    return out, notes
