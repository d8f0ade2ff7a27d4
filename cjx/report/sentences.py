"""The scorecard's sentences, each built from the numbers it states, so a sentence can never contradict its matrix.

The Act-first reason names the touchpoint's quadrant side by side (importance against the average importance,
performance against the average touchpoint), its gap to target and its change since the previous revisit,
and says why it ranks where it does: "important and below average", or "above average, but the largest
expected gain because ...". Every comparison word is chosen from the same numbers the sentence prints.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from cjx.report.labels import Lang


def _value(row: Mapping, key: str) -> float | None:
    value = row.get(key)
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def side(value: float | None, average: float | None) -> str | None:
    """'above', 'at' or 'below' the average, or None when either is missing."""
    if value is None or average is None:
        return None
    return "above" if value > average else "below" if value < average else "at"


def reason_facts(row: Mapping) -> dict:
    """The comparisons the Act-first reason states, from a priority row (marts.touchpoint_priority + change)."""
    importance, importance_avg = _value(row, "importance"), _value(row, "importance_crosshair")
    performance, performance_avg = _value(row, "performance"), _value(row, "performance_crosshair")
    gap = _value(row, "gap_to_target")
    return {
        "importance_side": side(importance, importance_avg),
        "performance_side": side(performance, performance_avg),
        "target_side": None if gap is None else ("short" if gap < 0 else "meets"),
        "is_concentrate": importance is not None
        and importance_avg is not None
        and importance >= importance_avg
        and performance is not None
        and performance_avg is not None
        and performance < performance_avg,
    }


def act_first_reason(row: Mapping, n_ranked: int, lang: Lang, previous: str | None = None) -> str:
    """Why this touchpoint is where it is in the priority order, stated with its own numbers.

    `row` is a priority row with importance, importance_crosshair, performance, performance_crosshair, reach,
    gap_to_target, target, priority_rank and (optionally) a change view under "change_view".
    """
    facts = reason_facts(row)
    rank = row.get("priority_rank")
    parts = [lang.t("reason_rank", rank=lang.count(rank), ranked=lang.count(n_ranked))]
    importance, importance_avg = _value(row, "importance"), _value(row, "importance_crosshair")
    if facts["importance_side"] is not None:
        key = "reason_important" if facts["importance_side"] in ("above", "at") else "reason_less_important"
        parts.append(lang.t(key, importance=lang.pct(importance, 1), average=lang.pct(importance_avg, 1)))
    performance, performance_avg = _value(row, "performance"), _value(row, "performance_crosshair")
    if facts["performance_side"] is not None:
        parts.append(
            lang.t(
                f"reason_{facts['performance_side']}_average",
                performance=lang.pct(performance),
                average=lang.pct(performance_avg),
            )
        )
    sentence = (
        lang.t("reason_join", first=parts[0], rest=lang.t("reason_and").join(parts[1:])) if parts[1:] else parts[0]
    )
    if not facts["is_concentrate"] and _value(row, "priority_score") is not None:
        # Ranked by expected gain although not in "Concentrate here": say what makes the gain large.
        reach = _value(row, "reach")
        room = None if performance is None else 1 - performance
        key = "reason_gain_first" if rank == 1 else "reason_gain_rank"
        because = lang.t(
            "reason_gain_because",
            importance=lang.pct(importance, 1),
            room=lang.pts(room),
            reach=lang.pct(reach if reach is not None else 1.0),
        )
        sentence += lang.t(key, because=because)
    sentence += "."
    gap, target = _value(row, "gap_to_target"), _value(row, "target")
    if facts["target_side"] == "short":
        shortfall = f"{lang.num(100 * abs(gap or 0.0), 0)}\u00a0{lang.t('pts')}"
        sentence += " " + lang.t("reason_target_short", gap=shortfall, target=lang.pct(target))
    elif facts["target_side"] == "meets":
        sentence += " " + lang.t("reason_target_met", gap=lang.pts(gap), target=lang.pct(target))
    change = row.get("change_view") or {}
    if change.get("sort", "") != "" and previous:
        key = "reason_change_significant" if change.get("mark") else "reason_change_chance"
        sentence += " " + lang.t(key, change=change["text"], previous=previous)
    return sentence
