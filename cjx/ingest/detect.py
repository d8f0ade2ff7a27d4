"""Look at a file before reading it: encoding, Excel's `sep=` line, delimiter, header records, exporting tool."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from cjx.ingest.errors import FileRejected

HEAD_CHARS = 256 * 1024
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Characters a cp1252 Nordic export plausibly holds; anything else means "not cp1252 either".
_CP1252_PLAUSIBLE = re.compile(r"[\x00-\x7f\u00a0-\u00ff€‚„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]*")


@dataclass(frozen=True)
class TextLayout:
    """How a delimited text file is written."""

    encoding: str  # a Python codec name
    delimiter: str
    sep_line: bool  # Excel's "sep=;" first line, not data
    note: str | None = None  # what was detected, for the log


def detect_encoding(path: Path, declared: str = "auto") -> tuple[str, str | None]:
    """(codec, note). A BOM wins; else the declared encoding; else UTF-8, or cp1252 when the bytes say so.

    Raises FileRejected naming the byte offset when the file is neither.
    """
    with path.open("rb") as fh:
        start = fh.read(4)
    for bom, codec in _BOMS:
        if start.startswith(bom):
            return codec, None
    if declared != "auto":
        return {"utf-8": "utf-8", "utf-16": "utf-16", "cp1252": "cp1252", "latin-1": "latin-1"}[declared], None
    offset = _first_invalid_utf8(path)
    if offset is None:
        return "utf-8", None
    data = path.read_bytes()
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is not None and _CP1252_PLAUSIBLE.fullmatch(text):
        return "cp1252", f"{path.name}: not UTF-8 (byte 0x{data[offset]:02x} at offset {offset}); read as cp1252"
    raise FileRejected(
        f"{path.name}: not valid UTF-8: byte 0x{data[offset]:02x} at byte offset {offset} cannot be decoded, "
        "and the file is not plausible cp1252 either. Re-export as UTF-8, or declare locale.encoding "
        "(utf-8, utf-16, cp1252, latin-1) for this source in the journey file."
    )


def _first_invalid_utf8(path: Path, chunk_size: int = 1 << 20) -> int | None:
    """Byte offset of the first byte that is not valid UTF-8, or None; reads in chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    consumed = 0
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(chunk_size)
            final = not chunk
            pending = len(decoder.getstate()[0])  # bytes of a character split across chunks
            try:
                decoder.decode(chunk, final=final)
            except UnicodeDecodeError as exc:
                return consumed - pending + exc.start
            if final:
                return None
            consumed += len(chunk)


def read_head(path: Path, encoding: str, chars: int = HEAD_CHARS) -> str:
    """The first `chars` characters of the file (newlines kept as written)."""
    with path.open("r", encoding=encoding, errors="replace", newline="") as fh:
        return fh.read(chars)


def detect_layout(path: Path, declared_encoding: str = "auto", declared_delimiter: str = "auto") -> TextLayout:
    """Encoding, delimiter and `sep=` line of a delimited text file."""
    encoding, note = detect_encoding(path, declared_encoding)
    head = read_head(path, encoding)
    first_line = head.split("\n", 1)[0].rstrip("\r")
    sep_line = bool(re.fullmatch(r"sep=.", first_line))
    if sep_line:
        delimiter = first_line[4]
    elif declared_delimiter != "auto":
        delimiter = declared_delimiter
    else:
        delimiter = sniff_delimiter(first_line)
    return TextLayout(encoding, delimiter, sep_line, note)


def sniff_delimiter(header_line: str) -> str:
    """The candidate that splits the header line into most fields outside quotes; ',' on a tie."""
    counts = {d: 0 for d in (",", ";", "\t", "|")}
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def header_records(path: Path, layout: TextLayout, n: int) -> list[list[str]]:
    """The first `n` records (quoted newlines respected), after any `sep=` line."""
    head = read_head(path, layout.encoding)
    if head.startswith("\ufeff"):
        head = head[1:]
    if layout.sep_line:
        head = head.split("\n", 1)[1] if "\n" in head else ""
    reader = csv.reader(io.StringIO(head, newline=""), delimiter=layout.delimiter, quotechar='"', doublequote=True)
    out = []
    try:
        for row in reader:
            out.append(row)
            if len(out) == n:
                break
    except csv.Error:
        pass
    return out


def detect_format(path: Path, declared_encoding: str = "auto", declared_delimiter: str = "auto") -> str:
    """Which tool exported `path`, from its extension and header; 'csv' (generic) when nothing matches."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return "parquet"
    if suffix in (".xlsx", ".xlsm"):
        from cjx.ingest.formats.excel import xlsx_head  # openpyxl only when needed

        return _tool_from_header(xlsx_head(path, 2), default="xlsx")
    if suffix == ".json":
        return _json_kind(path)
    layout = detect_layout(path, declared_encoding, declared_delimiter)
    return _tool_from_header(header_records(path, layout, 3), default="csv")


def _tool_from_header(rows: list[list[str]], default: str) -> str:
    if not rows:
        return default
    first = [c.strip() for c in rows[0]]
    second = [c.strip() for c in rows[1]] if len(rows) > 1 else []
    third = rows[2] if len(rows) > 2 else []
    if third and str(third[0]).lstrip().startswith('{"ImportId"'):
        return "qualtrics_csv"
    if first[:2] == ["V1", "V2"] and any(c in ("ResponseID", "ResponseId") for c in second):
        return "qualtrics_csv"
    if "Respondent ID" in first and any(c in ("Response", "Open-Ended Response") for c in second):
        return "surveymonkey"
    if first and first[0] == "#" and ("Response Type" in first or "Submit Date (UTC)" in first):
        return "typeform"
    if first and first[0] == "Timestamp":
        return "google_forms"
    if {"ID", "Start time", "Completion time"} <= set(first):
        return "ms_forms"
    if {"score", "created_at"} <= set(first) and "survey_type" in first:
        return "delighted"
    return default


def _json_kind(path: Path) -> str:
    with path.open("rb") as fh:
        start = fh.read(4096).decode("utf-8", errors="replace").lstrip("\ufeff \r\n\t")
    if start.startswith("{") and '"satisfaction_ratings"' in start:
        return "zendesk"
    if start.startswith("[") and '"score"' in start and '"created_at"' in start:
        return "delighted"
    return "json"


def load_json(path: Path) -> object:
    """Parse a JSON export; a damaged or truncated one is rejected with the position."""
    raw = path.read_bytes()
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise FileRejected(f"{path.name}: not valid UTF-8 JSON: byte offset {exc.start}. Re-export the file.") from None
    except json.JSONDecodeError as exc:
        where = "the file ends early: it looks truncated" if exc.pos >= len(raw.rstrip()) - 1 else exc.msg
        raise FileRejected(
            f"{path.name}: not valid JSON at line {exc.lineno}, column {exc.colno} (character {exc.pos}): {where}. "
            "Export the file again."
        ) from None
