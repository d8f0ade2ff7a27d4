"""`cjx check`: everything in a journey a run would trip on, all at once, one line each.

Errors stop a run (the journey does not load): unknown keys, bad values (a misspelt time zone, a cron Prefect
cannot read), references to nothing, an outcome question that is no declared rated column of its source,
overlapping revisits. Warnings let a run go on but it would not do what was meant: a source whose `files`
pattern matches no file (its scorecard rows stay empty), days between revisits that no revisit covers (their
responses count in no revisit).

More checks plug into CHECKS: a function from the loaded journey to findings. The path-safety checks of
privacy (#12) belong there (today revisit ids that are not plain file names already fail as errors, through
the journey model: cjx.privacy.paths).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cjx.journey import LoadedJourney
from cjx.journey.load import journey_problems


@dataclass(frozen=True)
class Finding:
    """One problem: how bad, where (file: key), what."""

    level: Literal["error", "warning"]
    where: str
    message: str

    def line(self) -> str:
        return f"{self.level}: {self.where}: {self.message}"


def unmatched_patterns(lj: LoadedJourney) -> Iterable[Finding]:
    """A source whose files pattern matches no file: a run ingests nothing for it and says nothing."""
    from cjx.ingest import source_files
    from cjx.ingest.run import archive_dir

    archive = archive_dir(lj)
    for i, source in enumerate(lj.journey.sources):
        if source_files(lj, source):
            continue
        archived = sorted((archive / source.id).glob("*")) if archive is not None else []
        note = f" ({len(archived)} file(s) already processed are in {archived[0].parent})" if archived else ""
        yield Finding(
            "warning",
            f"{lj.path}: sources[{i}].files",
            f"{source.files!r} matches no file under {lj.base_dir}{note}; source {source.id!r} gets no data",
        )


def revisit_gaps(lj: LoadedJourney) -> Iterable[Finding]:
    """Days between two consecutive revisits that neither covers (overlaps are errors of the journey itself)."""
    ordered = sorted(enumerate(lj.journey.revisits), key=lambda r: r[1].start)
    for (_, a), (i, b) in itertools.pairwise(ordered):
        if b.start > a.end + dt.timedelta(days=1):
            first, last = a.end + dt.timedelta(days=1), b.start - dt.timedelta(days=1)
            yield Finding(
                "warning",
                f"{lj.path}: revisits[{i}]",
                f"no revisit covers {first}..{last} (between {a.id!r} and {b.id!r}): responses dated then count in "
                "no revisit",
            )


CHECKS: tuple[Callable[[LoadedJourney], Iterable[Finding]], ...] = (
    unmatched_patterns,
    revisit_gaps,
    # privacy (#12): path-safety checks go here
)


def check_journey(path: str | Path) -> tuple[LoadedJourney | None, list[Finding]]:
    """All findings for the journey file at `path`, errors first; the loaded journey when it loads."""
    lj, errors = journey_problems(path)
    findings = [Finding("error", f"{e.path}: {e.key}" if e.key else str(e.path), e.message) for e in errors]
    if lj is not None:
        for check in CHECKS:
            findings += list(check(lj))
    return lj, findings
