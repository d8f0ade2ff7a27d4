"""One-line messages that never quote a person: reject reasons and other errors about a file's content.

A message names the file, the line or row, the column and the kind of problem. Whatever an error raised
deeper down put into its text is cut or replaced here before it reaches ops.ingest_files, the reason file,
the run record, the log or the scorecard: DuckDB's CSV errors append the offending line ("Original Line: ..."),
a conversion error quotes the value. The line is cut; e-mail addresses, phone numbers and long digit runs
left anywhere in the message become tags (cjx.privacy.scrub, linear time).
"""

from __future__ import annotations

import re
import traceback

from cjx.privacy.scrub import scrub_text

# DuckDB appends the raw record to CSV errors under one of these headings; everything after it goes
_RAW_LINE = re.compile(r"\s*(?:Original Line|Possible fixes).*$", re.IGNORECASE | re.DOTALL)
# a quoted value in a conversion error: Could not convert string 'anna@example.dk' to ...
_QUOTED_VALUE = re.compile(r"(?i)(string|value)\s+'[^']*'")


def redact(message: str) -> str:
    """`message` without a raw line, a quoted converted value, an e-mail address, phone number or long number."""
    text = _RAW_LINE.sub("", message)
    text = _QUOTED_VALUE.sub(lambda m: f"{m.group(1)} (value not shown)", text)
    return scrub_text(text)


def redact_reason(message: str, *names: str) -> str:
    """A reject reason redacted after its leading file name (kept as it is: it names the file, it is not data)."""
    for name in names:
        if name and message.startswith(f"{name}: "):
            return f"{name}: " + redact(message[len(name) + 2 :])
    return redact(message)


def redacted_traceback(exc: BaseException) -> str:
    """The traceback of `exc` (and of the exceptions it was raised from) for the log, with each exception's
    own message redacted: the frames name code, the messages may quote a line or a value."""
    frames = ("Traceback", "  File ", "    ", "\nDuring handling", "\nThe above exception")
    return "".join(chunk if chunk.startswith(frames) else redact(chunk) for chunk in traceback.format_exception(exc))
