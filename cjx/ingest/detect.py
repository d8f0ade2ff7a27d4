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
from cjx.ingest.limits import check_file_name, current_limits, safe_name

HEAD_CHARS = 256 * 1024
NUL_SAMPLE_BYTES = 64 * 1024  # where UTF-16 without a BOM (or a binary file) shows itself by its NUL bytes
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Characters a cp1252 Nordic export plausibly holds; anything else means "not cp1252 either".
# In text read as UTF-16: controls other than tab and line breaks, and non-characters, mean "not text".
_UTF16_IMPLAUSIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CP1252_PLAUSIBLE = re.compile(r"[\x00-\x7f\u00a0-\u00ff€‚„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]*")


@dataclass(frozen=True)
class TextLayout:
    """How a delimited text file is written."""

    encoding: str  # a Python codec name
    delimiter: str
    sep_line: bool  # Excel's "sep=;" first line, not data
    note: str | None = None  # what was detected, for the log
    quote: str | None = '"'  # None: no quoting at all (Google Sheets TSV), a " is text

    def describe(self) -> str:
        """What was detected, for a message: 'encoding utf-8, delimiter tab, quoting "'."""
        names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
        quoting = "none" if self.quote is None else self.quote
        return (
            f"encoding {self.encoding}, delimiter {names.get(self.delimiter, repr(self.delimiter))}, quoting {quoting}"
        )


WORKBOOK_MAGIC = b"PK\x03\x04"  # a ZIP archive: XLSX (and every other Office Open XML file)
PARQUET_MAGIC = b"PAR1"
# "Timestamp" in the languages Google Forms writes its first column in (English, Swedish, Danish, Norwegian, Spanish,
# German, French, Dutch, Portuguese, Italian, Finnish).
GOOGLE_FORMS_TIMESTAMP = frozenset(
    {
        "timestamp",
        "tidstämpel",
        "tidsstempel",
        "tidsmerke",
        "marca temporal",
        "zeitstempel",
        "horodateur",
        "tijdstempel",
        "carimbo de data/hora",
        "informazioni cronologiche",
        "aikaleima",
    }
)


def magic(path: Path, n: int = 4) -> bytes:
    """The first `n` bytes of the file."""
    with path.open("rb") as fh:
        return fh.read(n)


def is_workbook(path: Path) -> bool:
    """A ZIP archive, i.e. an XLSX workbook whatever its name says (.csv from a download, say)."""
    return magic(path) == WORKBOOK_MAGIC


def is_json(path: Path) -> bool:
    """The file's text starts with { or [ (after a BOM and white space)."""
    with path.open("rb") as fh:
        start = fh.read(64).decode("utf-8", errors="replace").lstrip("\ufeff \r\n\t")
    return start[:1] in ("{", "[")


def detect_encoding(path: Path, declared: str = "auto") -> tuple[str, str | None]:
    """(codec, note). A BOM wins; else the declared encoding; else UTF-16 when the NUL bytes say so; else UTF-8,
    or cp1252 when the bytes say so.

    Raises FileRejected naming the byte offset when the file is none of these, and when NUL bytes in its
    first 64 KB fit no UTF-16 pattern (a binary file: a workbook, an image or an archive named .csv).
    """
    check_file_name(path)
    with path.open("rb") as fh:
        sample = fh.read(NUL_SAMPLE_BYTES)
    for bom, codec in _BOMS:
        if sample.startswith(bom):
            return codec, None
    if declared == "utf-16":  # no BOM: the byte order from the NUL pattern, little-endian when it says nothing
        return _utf16_without_bom(sample) or "utf-16-le", None
    if declared != "auto":
        return {
            "utf-8": "utf-8",
            "cp1252": "cp1252",
            "latin-1": "latin-1",
            "utf-16-le": "utf-16-le",
            "utf-16-be": "utf-16-be",
        }[declared], None
    if b"\x00" in sample:
        utf16 = _utf16_without_bom(sample)
        if utf16 is None:
            first = sample.index(b"\x00")
            line = sample[:first].count(b"\n") + 1
            raise FileRejected(
                f"{safe_name(path.name)}: a binary file, not text: it holds NUL bytes (the first on line "
                f"{line}, byte offset {first}) that fit neither UTF-16 byte order. Export the data as CSV or XLSX; a UTF-16 text file "
                "needs locale.encoding (utf-16-le or utf-16-be) when it has neither a BOM nor plain ASCII text."
            )
        return utf16, f"{safe_name(path.name)}: UTF-16 without a byte-order mark; read as {utf16}"
    offset = _first_invalid_utf8(path)
    if offset is None:
        return "utf-8", None
    data = path.read_bytes()
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    line = data[:offset].count(b"\n") + 1
    if text is not None and _CP1252_PLAUSIBLE.fullmatch(text):
        return (
            "cp1252",
            f"{safe_name(path.name)}: not UTF-8 (byte 0x{data[offset]:02x} on line {line}, offset {offset}); "
            "read as cp1252",
        )
    raise FileRejected(
        f"{safe_name(path.name)}: not valid UTF-8: byte 0x{data[offset]:02x} on line {line} (byte offset {offset}) "
        "cannot be decoded, and the file is not plausible cp1252 either. Re-export as UTF-8, or declare locale.encoding "
        "(utf-8, utf-16, utf-16-le, utf-16-be, cp1252, latin-1) for this source in the journey file."
    )


def _utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the sample reads as UTF-16 text in that byte order, else None.

    Text that is mostly Latin has a NUL high byte in most code units: at odd offsets in little-endian, even
    in big-endian. So at least a third of the code units must have it, a few NULs on the other side are
    fine (U+4E00 and U+3000 end in 00), and the sample must decode cleanly with no control characters but
    tab and line breaks. A stray NUL in UTF-8 text, or a binary file, fits none of that.
    """
    sample = sample[: len(sample) // 2 * 2]
    units = len(sample) // 2
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 4 * even and 3 * odd >= units:
        codec = "utf-16-le"
    elif even > 4 * odd and 3 * even >= units:
        codec = "utf-16-be"
    else:
        return None
    try:
        text = codecs.getincrementaldecoder(codec)().decode(sample, final=False)
    except UnicodeDecodeError:
        return None
    if _UTF16_IMPLAUSIBLE.search(text):
        return None
    return codec


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


def detect_layout(
    path: Path, declared_encoding: str = "auto", declared_delimiter: str = "auto", declared_quote: str = "auto"
) -> TextLayout:
    """Encoding, delimiter, quoting and `sep=` line of a delimited text file."""
    if is_workbook(path):
        raise FileRejected(
            f"{safe_name(path.name)}: a workbook (XLSX: the file starts with the ZIP signature PK), not delimited "
            "text; declare format: xlsx (or the tool's format, or auto) for this source."
        )
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
    if declared_quote == "none":
        quote: str | None = None
    elif declared_quote == '"' or delimiter != "\t":
        quote = '"'
    else:
        quote = sniff_tsv_quoting(head[len(first_line) + 1 :] if sep_line else head)
        if quote is None:
            detected = f'{safe_name(path.name)}: tab-separated without quoting (a " is text; locale.quote: none)'
            note = f"{note}; {detected}" if note else detected
    return TextLayout(encoding, delimiter, sep_line, note, quote)


# A field written quoted in a tab-separated text: from a field start to a closing quote at a field end.
_QUOTED_FIELD = re.compile(r'(?:^|(?<=[\t\n]))"(?:[^"]|"")*"(?=\t|\r?\n|$)', re.MULTILINE)


def sniff_tsv_quoting(head: str) -> str | None:
    """'"' when the tab-separated head shows quoting in use, None when its quotes are text.

    Google Sheets and Google Forms write TSV with no quoting at all: a field that starts with " is text. A
    tool that quotes does so because a field holds a tab, a line break or a quote (written doubled); so the
    head is searched for quoted fields, and quoting is kept only when one needed it (it holds a tab, a line
    break or a doubled quote) and every record of the head read as quoted keeps
    the header's width (a stray " read as quoting swallows the tabs after it). A head without any
    quote says nothing: quoting is kept (the reader drops it if the whole file has an odd number of quotes).
    """
    if '"' not in head:
        return '"'
    body = head.rsplit("\n", 1)[0] if "\n" in head else head  # whole lines only
    body = body.removeprefix("\ufeff")
    try:
        records = list(csv.reader(io.StringIO(body, newline=""), delimiter="\t", quotechar='"', strict=True))
    except csv.Error:
        return None
    needed = any(any(mark in m.group(0)[1:-1] for mark in ('""', "\t", "\n")) for m in _QUOTED_FIELD.finditer(body))
    # a stray " read as an opening quote swallows tabs and lines: the records then lose the header's width
    aligned = all(len(record) == len(records[0]) for record in records)
    return '"' if needed and aligned else None


def sniff_delimiter(header_line: str) -> str:
    """The candidate that splits the header line into most fields outside quotes; ',' on a tie."""
    counts = dict.fromkeys((",", ";", "\t", "|"), 0)
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def header_records(path: Path, layout: TextLayout, n: int) -> list[list[str]]:
    """The first `n` records (quoted newlines respected), after any `sep=` line.

    Read from the head of the file, which grows until it holds the `n` records whole (a header wider than
    the first 256 KB is not cut short). A record longer than settings.limits.max_line_bytes rejects the file
    as soon as that much of it has been read, never more.
    """
    max_line = current_limits().max_line_bytes
    chars = HEAD_CHARS
    while True:
        head = read_head(path, layout.encoding, chars)
        cut = len(head) >= chars  # the file may go on past the head
        skip = head.find("\n") + 1 if layout.sep_line else 0
        first_break = head.find("\n", skip, skip + max_line + 1)
        records: list[list[str]]
        ends: list[int]
        if cut and first_break < 0 and len(head) > skip + max_line:  # no need to parse a first line that long
            records, ends, whole, size = [], [], False, len(head)
        else:
            records, ends, whole, size = _head_records(head, layout, n, cut)
        starts = [0, *ends]
        too_long = next((i for i in range(len(ends)) if ends[i] - starts[i] > max_line), None)
        if too_long is None and not whole and size - starts[len(ends)] > max_line:
            too_long = len(ends)  # the record still being read is too long already
        if too_long is not None:
            what = "the header row" if too_long == 0 else f"record {too_long + 1} (counting the header)"
            raise FileRejected(
                f"{safe_name(path.name)}: {what} runs past {max_line:,} characters without ending, longer than "
                "the cap on one line (settings.limits.max_line_bytes). Check the line breaks and the quoting, "
                "export only the columns you need, or raise the limit."
            )
        if whole:
            return records
        chars = min(chars * 4, (len(ends) + 1) * max_line + 1024)  # just past what the next record may hold


def _head_records(head: str, layout: TextLayout, n: int, cut: bool) -> tuple[list[list[str]], list[int], bool, int]:
    """Up to `n` whole records of `head`: (records, where each ends, whether all `n` (or all there are) were
    read whole, how many characters of records the head holds). A record that may go on past a cut head is
    left out."""
    if head.startswith("\ufeff"):
        head = head[1:]
    if layout.sep_line:
        if "\n" not in head:
            return [], [], not cut, len(head)
        head = head.split("\n", 1)[1]
    buffer = io.StringIO(head, newline="")
    if layout.quote is None:
        reader = csv.reader(buffer, delimiter=layout.delimiter, quoting=csv.QUOTE_NONE)
    else:
        reader = csv.reader(buffer, delimiter=layout.delimiter, quotechar=layout.quote, doublequote=True)
    out, ends = [], []
    failed = False
    try:
        for row in reader:
            out.append(row)
            ends.append(buffer.tell())
            if len(out) == n:
                break
    except csv.Error:  # a field beyond csv's own limit, or the head ends inside quotes
        failed = True
    if cut and ends and ends[-1] >= len(head):  # the last record may go on past the head
        out, ends = out[:-1], ends[:-1]
    whole = len(out) == n or not cut or (failed and buffer.tell() < len(head))
    return out, ends, whole, len(head)


def detect_format(
    path: Path, declared_encoding: str = "auto", declared_delimiter: str = "auto", declared_quote: str = "auto"
) -> str:
    """Which tool exported `path`, from its content (a workbook, Parquet or JSON by their first bytes, whatever the
    name says) and its header; 'csv' (generic) when nothing matches."""
    check_file_name(path)
    start = magic(path)
    if start == PARQUET_MAGIC:
        return "parquet"
    if start == WORKBOOK_MAGIC:
        from cjx.ingest.formats.excel import xlsx_head  # openpyxl only when needed

        return _tool_from_header(xlsx_head(path, 3), default="xlsx")
    if path.suffix.lower() == ".json" or (b"\x00" not in start and is_json(path)):
        return _json_kind(path)
    layout = detect_layout(path, declared_encoding, declared_delimiter, declared_quote)
    return _tool_from_header(header_records(path, layout, 3), default="csv")


def is_import_id(cell: object) -> bool:
    """A Qualtrics third header row cell: {"ImportId": ...} (current exports) or {'ImportId': ...} (2016)."""
    text = str(cell or "").lstrip()
    return text.startswith('{"ImportId"') or text.startswith("{'ImportId'")


def _tool_from_header(rows: list[list[str]], default: str) -> str:
    if not rows:
        return default
    first = [str(c).strip() for c in rows[0]]
    second = [str(c).strip() for c in rows[1]] if len(rows) > 1 else []
    third = rows[2] if len(rows) > 2 else []
    lower = {c.lower() for c in first}
    if third and is_import_id(third[0]):
        return "qualtrics_csv"
    if first[:2] == ["V1", "V2"] and any(c in ("ResponseID", "ResponseId") for c in second):
        return "qualtrics_csv"
    if {"respondent id", "respondentid"} & lower and any(c in ("Response", "Open-Ended Response") for c in second):
        return "surveymonkey"
    if first and first[0] == "#" and ("Response Type" in first or "Submit Date (UTC)" in first):
        return "typeform"
    if first and first[0].lower() in GOOGLE_FORMS_TIMESTAMP:
        return "google_forms"
    if {"id", "start time", "completion time"} <= lower:
        return "ms_forms"
    if {"score", "created_at"} <= set(first) and "survey_type" in first:
        return "delighted"
    return default


def _json_kind(path: Path) -> str:
    with path.open("rb") as fh:
        start = fh.read(4096).decode("utf-8", errors="replace").lstrip("\ufeff \r\n\t")
    if start.startswith("{") and '"satisfaction_ratings"' in start:
        return "zendesk"
    if start.startswith("{") and '"items"' in start and ('"answers"' in start or '"token"' in start):
        return "typeform"
    if start.startswith("[") and '"score"' in start and '"created_at"' in start:
        return "delighted"
    return "json"


def load_json(path: Path) -> object:
    """Parse a JSON export; a damaged or truncated one is rejected with the position, one nested deeper than
    settings.limits.max_json_depth before it is parsed (so no depth can exhaust the stack or the time)."""
    check_file_name(path)
    name = safe_name(path.name)
    raw = path.read_bytes()
    max_depth = current_limits().max_json_depth
    depth = json_depth(raw)
    if depth > max_depth:
        raise FileRejected(
            f"{name}: JSON nested {depth} levels deep, more than the cap of {max_depth} (settings.limits."
            "max_json_depth); an export of records is a few levels deep. Export the file again, or raise the "
            "limit in the journey's settings."
        )
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FileRejected(
            f"{name}: not valid UTF-8 JSON: line {line} (byte offset {exc.start}) cannot be decoded. Re-export the file."
        ) from None
    except json.JSONDecodeError as exc:
        where = "the file ends early: it looks truncated" if exc.pos >= len(raw.rstrip()) - 1 else exc.msg
        raise FileRejected(
            f"{name}: not valid JSON at line {exc.lineno}, column {exc.colno} (character {exc.pos}): {where}. "
            "Export the file again."
        ) from None
    except RecursionError:  # only when max_json_depth is set above what the parser's stack holds
        raise FileRejected(
            f"{name}: JSON nested too deeply to parse (limits.max_json_depth is {max_depth}). Export the file again."
        ) from None


_NOT_QUOTE_OR_BRACKET = bytes(c for c in range(256) if c not in b'"[]{}')


def json_depth(raw: bytes) -> int:
    """The deepest nesting of [ and { outside strings, without recursion and at C speed (bytes and numpy).

    Escaped backslashes, then escaped quotes, are dropped (outside strings valid JSON has no backslash);
    of the rest only quotes and brackets are kept. A bracket after an odd number of quotes is inside a
    string; the running sum of +1 (open) and -1 (close) over the others is the depth. Malformed input gives
    some depth; the parser then says what is wrong with it.
    """
    import numpy as np

    if b"\\" in raw:
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    marks = np.frombuffer(raw.translate(None, _NOT_QUOTE_OR_BRACKET), dtype=np.uint8)
    quote = marks == ord('"')
    in_string = np.bitwise_xor.accumulate(quote.view(np.uint8)).view(bool)
    brackets = marks[~in_string & ~quote]
    if not len(brackets):
        return 0
    steps = np.where((brackets == ord("[")) | (brackets == ord("{")), np.int32(1), np.int32(-1))
    return int(np.cumsum(steps, dtype=np.int32).max())
