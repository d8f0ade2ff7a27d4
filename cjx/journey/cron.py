"""Five-field cron expressions and IANA time zones, checked when the journey is loaded.

A misspelt time zone or a cron Prefect cannot parse used to pass `cjx check` and then crash `cjx serve` or an
ingest with a traceback. This is the cron Prefect's scheduler accepts (croniter's five fields, without its
random `R` and hashed `H` extensions): each field a comma-separated list of `*`, a value or a range `a-b`, each
optionally with a step `/n`; months and weekdays also by English three-letter names; weekday 7 is Sunday.
"""

from __future__ import annotations

import re
import zoneinfo

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# (name, lowest, highest, names for 1.. or 0..)
_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, {m: i + 1 for i, m in enumerate(_MONTHS)}),
    ("day of week", 0, 7, {d: i for i, d in enumerate(_DAYS)}),
)
_ITEM = re.compile(r"(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:/([0-9]+))?")


def cron_problem(expression: str) -> str | None:
    """Why `expression` is not a cron Prefect's scheduler accepts, or None when it is."""
    fields = expression.split()
    if len(fields) != 5:
        return (
            f"cron {expression!r} has {len(fields)} field(s); expected 5 (minute hour day-of-month month day-of-week)"
        )
    for text, (name, low, high, names) in zip(fields, _FIELDS):
        for item in text.split(","):
            match = _ITEM.fullmatch(item)
            if not match:
                return f"cron {expression!r}: {name} {text!r} is not a value, range, list or step"
            span, step = match[1], match[2]
            if step is not None and int(step) == 0:
                return f"cron {expression!r}: {name} {text!r} has a step of 0"
            if span == "*":
                continue
            values = []
            for part in span.split("-"):
                value = names.get(part.lower()) if not part.isdigit() else int(part)
                if value is None:
                    return f"cron {expression!r}: {name} {part!r} is not a number" + (
                        f" or a name ({', '.join(names)})" if names else ""
                    )
                if not low <= value <= high:
                    return f"cron {expression!r}: {name} {value} is outside {low}-{high}"
                values.append(value)  # a range may wrap (22-2): croniter reads it as 22..23,0..2
    return None


def time_zone_problem(name: str) -> str | None:
    """Why `name` is not an IANA time zone (Europe/Copenhagen, UTC), or None when it is."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, IsADirectoryError):
        hint = [z for z in sorted(zoneinfo.available_timezones()) if z.lower() == name.lower()]
        return f"unknown time zone {name!r}; expected an IANA name such as Europe/Copenhagen" + (
            f" (did you mean {hint[0]!r}?)" if hint else ""
        )
    return None
