"""Load and validate a journey file; every problem names the file and the key path."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from cjx.journey.codebooks import BUILTIN_CODEBOOKS
from cjx.journey.model import Journey, Revisit, Source, Stage, Touchpoint
from cjx.journey.segments import segment_problems, weighting_problems


class JourneyError(ValueError):
    """A journey file that cannot be used; str() is one line: file: key: what was expected."""

    def __init__(self, path: Path, key: str, message: str) -> None:
        self.path, self.key, self.message = path, key, message
        super().__init__(f"{path}: {key}: {message}" if key else f"{path}: {message}")


@dataclass(frozen=True)
class LoadedJourney:
    """A validated journey with where it came from."""

    journey: Journey
    path: Path
    version: str  # sha256 of the file's bytes: the journey version in force

    @property
    def base_dir(self) -> Path:
        return self.path.parent


def load_journey(path: str | Path) -> LoadedJourney:
    """Read `path`, validate it, and check that every reference points at something declared."""
    path = Path(path)
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise JourneyError(path, "", f"cannot read the journey file ({exc.strerror})") from None
    try:
        data = yaml.safe_load(raw_bytes)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise JourneyError(path, where, f"not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(data, dict):
        raise JourneyError(path, "", "expected a mapping with journey, stages, touchpoints, sources, revisits")
    try:
        journey = Journey.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise JourneyError(path, _key_path(err["loc"]), _expected(err)) from None
    _check_references(journey, path)
    return LoadedJourney(journey, path.resolve(), hashlib.sha256(raw_bytes).hexdigest())


def journey_problems(path: str | Path) -> tuple[LoadedJourney | None, list[JourneyError]]:
    """Everything wrong with the journey file at once (cjx check): the YAML, every key that does not validate,
    every reference to nothing. The loaded journey when there is no problem."""
    path = Path(path)
    try:
        return load_journey(path), []
    except JourneyError as first:
        try:
            data = yaml.safe_load(path.read_bytes())
            journey = Journey.model_validate(data)
        except ValidationError as exc:
            return None, [JourneyError(path, _key_path(e["loc"]), _expected(e)) for e in exc.errors()]
        except Exception:  # unreadable, not YAML, not a mapping: the one problem load_journey named
            return None, [first]
        return None, [JourneyError(path, key, message) for key, message in reference_problems(journey)]


def _key_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _expected(err: ErrorDetails) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return "unknown key (check the spelling)"
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    return f"{msg} (got {err.get('input')!r})" if "input" in err and not isinstance(err["input"], dict) else msg


def _check_references(j: Journey, path: Path) -> None:
    """Raise the first reference problem (reference_problems) as a JourneyError."""
    for key, message in reference_problems(j):
        raise JourneyError(path, key, message)


def reference_problems(j: Journey) -> list[tuple[str, str]]:
    """Every reference that points at nothing declared, every duplicate id, every overlap: (key, message)."""
    problems: list[tuple[str, str]] = []

    def fail(key: str, message: str) -> None:
        problems.append((key, message))

    declared: tuple[tuple[str, Sequence[Stage | Touchpoint | Source | Revisit]], ...] = (
        ("stages", j.stages),
        ("touchpoints", j.touchpoints),
        ("sources", j.sources),
        ("revisits", j.revisits),
    )
    for name, items in declared:
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.id in seen:
                fail(f"{name}[{i}].id", f"duplicate id {item.id!r}")
            seen.add(item.id)

    stages = {s.id for s in j.stages}
    touchpoints = {t.id for t in j.touchpoints}
    for i, tp in enumerate(j.touchpoints):
        if tp.stage not in stages:
            fail(f"touchpoints[{i}].stage", f"unknown stage {tp.stage!r}; expected one of {sorted(stages)}")
    for i, src in enumerate(j.sources):
        if src.touchpoint is not None and src.touchpoint not in touchpoints:
            fail(f"sources[{i}].touchpoint", f"unknown touchpoint {src.touchpoint!r}")
        if src.touchpoint_by is not None:
            for value, tp_id in src.touchpoint_by.values.items():
                if tp_id not in touchpoints:
                    fail(f"sources[{i}].touchpoint_by.values.{value}", f"unknown touchpoint {tp_id!r}")
        if src.revisit is not None and src.revisit not in {r.id for r in j.revisits}:
            fail(
                f"sources[{i}].revisit",
                f"unknown revisit {src.revisit!r}; expected one of {[r.id for r in j.revisits]}",
            )
        for k, q in enumerate(src.questions):
            key = f"sources[{i}].questions[{k}]"
            if q.touchpoint is not None and q.touchpoint not in touchpoints:
                fail(f"{key}.touchpoint", f"unknown touchpoint {q.touchpoint!r}")
            if isinstance(q.codebook, str):
                known = sorted(set(BUILTIN_CODEBOOKS) | set(j.codebooks))
                if q.codebook not in known:
                    fail(f"{key}.codebook", f"unknown codebook {q.codebook!r}; expected one of {known}")
            source_rule = src.touchpoint or src.touchpoint_by or src.touchpoint_from_event
            if q.metric in ("csat", "ces") and not (q.touchpoint or source_rule):
                fail(
                    f"{key}.touchpoint",
                    f"a {q.metric} question needs a touchpoint: on the question, or on its "
                    "source as touchpoint, touchpoint_by or touchpoint_from_event",
                )
    # an operational source always has an event_type (Source._kind_fields)
    event_types = {s.event_type for s in j.sources if s.kind == "operational" and s.event_type is not None}
    for i, src in enumerate(j.sources):
        if src.touchpoint_from_event is not None:
            unknown = sorted(set(src.touchpoint_from_event.event_types) - event_types)
            if unknown:
                fail(
                    f"sources[{i}].touchpoint_from_event.event_types",
                    f"unknown event type(s) {unknown}; operational sources declare {sorted(event_types)}",
                )
    if j.outcome is not None and j.outcome.behaviour is not None:
        unknown = sorted(set(j.outcome.event_types) - event_types)
        if unknown:
            fail(
                "outcome.event_types",
                f"unknown event type(s) {unknown}; operational sources declare {sorted(event_types)}",
            )
    if j.outcome is not None and j.outcome.source is not None:
        assert j.outcome.question is not None  # Outcome._one_kind
        survey_ids = {s.id for s in j.sources if s.kind == "survey"}
        if j.outcome.source not in survey_ids:
            fail("outcome.source", f"unknown survey source {j.outcome.source!r}; expected one of {sorted(survey_ids)}")
        else:
            columns = [q.column for q in j.source(j.outcome.source).questions if q.metric != "comment"]
            if j.outcome.question not in columns:
                fail(
                    "outcome.question",
                    f"{j.outcome.question!r} is not a rated question of {j.outcome.source!r}; "
                    f"its declared rated columns are {columns}",
                )
    problems += segment_problems(j)
    problems += weighting_problems(j)
    ordered = sorted(enumerate(j.revisits), key=lambda r: r[1].start)
    for (_, a), (i, b) in itertools.pairwise(ordered):
        if b.start <= a.end:
            fail(f"revisits[{i}]", f"period of {b.id!r} overlaps {a.id!r}")
    return problems
