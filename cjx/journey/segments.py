"""Reference checks of the journey's segments and customers table: (key, message) pairs like reference_problems."""

from __future__ import annotations

from cjx.journey.model import Journey


def segment_problems(j: Journey) -> list[tuple[str, str]]:
    """Duplicate segment ids, a source that is no survey, a customer column the customers table does not declare."""
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    surveys = sorted(s.id for s in j.sources if s.kind == "survey")
    customer_columns = list(j.customers.columns) if j.customers else []
    event_types = sorted({s.event_type for s in j.sources if s.kind == "operational" and s.event_type})
    for i, seg in enumerate(j.segments):
        key = f"segments[{i}]"
        if seg.id in seen:
            problems.append((f"{key}.id", f"duplicate id {seg.id!r}"))
        seen.add(seg.id)
        if seg.source is not None and seg.source not in surveys:
            problems.append((f"{key}.source", f"unknown survey source {seg.source!r}; expected one of {surveys}"))
        if seg.customer is not None and j.customers is None:
            problems.append((f"{key}.customer", "a customer segment needs a customers: table in the journey"))
        elif seg.customer is not None and seg.customer not in customer_columns:
            problems.append(
                (f"{key}.customer", f"{seg.customer!r} is not a declared column of customers: {customer_columns}")
            )
        # A derived segment on event types no source declares is no error: nobody has such an order, so nobody
        # gets a value (a journey trimmed to its surveys keeps its segments declaration valid).
        if seg.derived is not None and event_types and not set(seg.event_types) & set(event_types):
            problems.append(
                (
                    f"{key}.event_types",
                    f"none of {seg.event_types} is declared; operational sources declare {event_types}",
                )
            )
    if j.customers is not None and j.customers.customer_id in j.customers.columns:
        problems.append(
            ("customers.columns", "the customer id column cannot be a segment attribute (it identifies a person)")
        )
    return problems


def weighting_problems(j: Journey) -> list[tuple[str, str]]:
    """Margins on undeclared segments, shares that are not positive or do not sum to 1 (within the tolerance)."""
    if j.weighting is None:
        return []
    problems: list[tuple[str, str]] = []
    declared = [s.id for s in j.segments]
    tol = j.weighting.tolerance
    for segment_id, shares in j.weighting.margins.items():
        key = f"weighting.margins.{segment_id}"
        if segment_id not in declared:
            problems.append((key, f"unknown segment {segment_id!r}; expected one of the declared segments {declared}"))
        if len(shares) < 2:
            problems.append((key, f"found {len(shares)} value; expected two or more values with their shares"))
        for value, share in shares.items():
            if not 0 < share < 1:
                problems.append(
                    (
                        f"{key}.{value}",
                        f"share {share}; expected a share between 0 and 1 (leave out a value nobody has)",
                    )
                )
        total = sum(shares.values())
        if abs(total - 1) > tol:
            problems.append((key, f"shares sum to {total:.6g}; expected 1 (within {tol})"))
    return problems
