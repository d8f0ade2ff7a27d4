"""Delimited text (CSV, TSV, `;`-separated Excel exports) into `landing`, with DuckDB's reader as the fast path.

DuckDB reads every record into numbered spare columns with NULL padding, so a row with too few or too
many fields is still read, in file order, and can be quarantined (temp table `malformed`) instead of
failing the file or vanishing silently. The header is parsed here, so multi-row headers (Qualtrics,
SurveyMonkey), blank or duplicate names and Excel's `sep=` line are handled before DuckDB sees the data.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from cjx.ingest.detect import TextLayout, detect_layout, header_records
from cjx.ingest.errors import FileRejected
from cjx.ingest.headers import resolve_names
from cjx.ingest.landing import Landed, finish_landing
from cjx.ingest.limits import current_limits
from cjx.journey.model import Locale
from cjx.store import quote_ident

# Rows may carry this many fields beyond the header and be read in the first pass (then quarantined); a wider row
# makes the file be read again as wide as its widest record (_read_records). Each spare column costs ~4.5 MiB per
# 1 M rows of the landing table, held until the file's transaction ends: 16 spare columns were 72 of its 199 MiB.
SPARE_FIELDS = 4
NULL_MARK = "\x1f\x1e"  # never in real data: lets an empty field ('') differ from a missing one (NULL)

NameRule = Callable[[list[list[str]]], list[str]]


def first_row_names(header: list[list[str]]) -> list[str]:
    return list(header[0])


def land_delimited(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    locale: Locale,
    *,
    header_rows: int = 1,
    names: NameRule = first_row_names,
) -> Landed:
    """Read a delimited file whose first `header_rows` records are header; `names` turns them into column names.

    One pass of DuckDB's reader into temp table `landing_records`; `landing` is a view over it with the
    header's names, so the rows are copied once more only into raw.<source>.
    """
    limits = current_limits()
    layout = detect_layout(path, locale.encoding, locale.delimiter, locale.quote)
    header = header_records(path, layout, header_rows)
    if len(header) < header_rows or not header[0] or header[0] == [""]:
        raise FileRejected(
            f"{path.name}: no header row found: the file is empty or ends inside the header. "
            "Export it again with column names in the first row."
        )
    expected = len(header[0])
    if expected > limits.max_columns:
        raise FileRejected(
            f"{path.name}: the header has {expected:,} "
            f"columns, more than settings.limits.max_columns ({limits.max_columns:,}); this is not a "
            "survey export, or raise the limit."
        )
    columns = names(header)
    with _utf8_copy(path, layout) as readable:
        if layout.quote is not None and not _quotes_balance(path, readable, layout):
            if layout.delimiter != "\t" or locale.quote != "auto":
                _reject_unbalanced(path, readable, layout)
            # a TSV whose quotes do not pair up is one written without quoting (Google Sheets): a " is text
            layout = dataclasses.replace(
                layout,
                quote=None,
                note="; ".join(
                    n
                    for n in (layout.note, f"{path.name}: tab-separated without quoting (its quotes do not pair up)")
                    if n
                ),
            )
        _read_records(con, path, readable, layout, expected + SPARE_FIELDS, header_rows)
    _note_malformed(con, expected)
    _check_shape(con, path, readable_ends_with_newline(path), expected, layout)
    columns, keep = _clean_names(con, path, columns)
    columns, name_notes = resolve_names(path, columns)
    con.execute(
        "CREATE OR REPLACE TEMP VIEW landing AS SELECT row_number, "
        + ", ".join(f"c{i + 1} AS {quote_ident(name)}" for i, name in zip(keep, columns))
        + " FROM landing_records"
    )
    notes = [layout.note] if layout.note else []
    notes += name_notes
    if layout.delimiter != ",":
        notes.append(
            f"{path.name}: delimiter {layout.delimiter!r}" + (" (from its sep= line)" if layout.sep_line else "")
        )
    return finish_landing(con, path, notes=notes)


@contextlib.contextmanager
def _utf8_copy(path: Path, layout: TextLayout) -> Iterator[Path]:
    """The file itself when DuckDB can read it as is (UTF-8, with or without BOM), else a UTF-8 copy."""
    if layout.encoding in ("utf-8", "utf-8-sig"):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="cjx-") as tmp:
        copy = Path(tmp) / (path.stem + ".utf8" + path.suffix)
        with (
            path.open("r", encoding=layout.encoding, newline="") as src,
            copy.open("w", encoding="utf-8", newline="") as dst,
        ):
            shutil.copyfileobj(src, dst, 1 << 20)
        yield copy


def readable_ends_with_newline(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - 4))
        tail = fh.read()
    return tail.endswith(b"\n") or tail.endswith(b"\r") or tail.endswith(b"\n\x00") or tail.endswith(b"\r\x00")


def _quotes_balance(path: Path, readable: Path, layout: TextLayout) -> bool:
    """An odd number of quote characters means a field never closes: DuckDB would drop its row silently."""
    count = 0
    with readable.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            count += chunk.count(b'"')
    return count % 2 == 0


def _reject_unbalanced(path: Path, readable: Path, layout: TextLayout) -> None:
    """Reject a file whose quotes do not pair up, naming the line of the last quote (header lines included)."""
    last_at, offset, lines, last_line = -1, 0, 0, 0
    with readable.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            at = chunk.rfind(b'"')
            if at >= 0:
                last_at = offset + at
                last_line = lines + chunk.count(b"\n", 0, at) + 1
            lines += chunk.count(b"\n")
            offset += len(chunk)
    hint = " or declare locale.quote: none for this source" if layout.delimiter == "\t" else ""
    raise FileRejected(
        f"{path.name}: a quoted field is never closed (unbalanced quotes; the last quote is on line {last_line}, "
        f'byte {last_at}; read with {layout.describe()}): the file looks truncated or a field holds a stray ". '
        f"Export the file again{hint}."
    )


def _read_records(
    con: duckdb.DuckDBPyConnection, path: Path, readable: Path, layout: TextLayout, width: int, header_rows: int
) -> None:
    limits = current_limits()
    rejected = _scan_records(con, readable, layout, width, header_rows)
    if rejected is not None and rejected[1] == "TOO MANY COLUMNS":
        # A row far wider than the header (a pasted paragraph full of delimiters, say) is one bad row,
        # not a bad file: read again as wide as the widest record so that it can be quarantined.
        widest = _widest_record(readable, layout)
        if widest > limits.max_fields_per_row:
            raise FileRejected(
                f"{path.name}: a record has {widest:,} fields, more than settings.limits."
                f"max_fields_per_row ({limits.max_fields_per_row:,}); check the delimiter and quoting."
            )
        if width < widest:
            width = widest
            rejected = _scan_records(con, readable, layout, width, header_rows)
    if rejected is not None:
        line, kind, _text = rejected
        if kind == "LINE SIZE OVER MAXIMUM":
            raise FileRejected(
                f"{path.name}: line {line} is longer than settings.limits.max_line_bytes "
                f"({limits.max_line_bytes:,} bytes); the file is damaged or not a survey export."
            )
        raise FileRejected(
            f"{path.name}: line {line} cannot be read ({kind.lower()}); it has more than "
            f"{width} fields or is damaged. Check the delimiter and quoting, or export the file again."
        )


def _scan_records(
    con: duckdb.DuckDBPyConnection, readable: Path, layout: TextLayout, width: int, header_rows: int
) -> tuple[int, str, str] | None:
    """Read every data record into `landing_records` (row_number, c1..c<width>); return the first line DuckDB
    rejected, if any. Header records are numbered 1-n and left out; data rows count from 1."""
    columns = {f"c{i + 1}": "VARCHAR" for i in range(width)}
    con.execute("DROP TABLE IF EXISTS landing_rejects")
    con.execute("DROP TABLE IF EXISTS landing_rejects_scan")
    # Record order is file order: insertion order is preserved and the scan is not parallel, which
    # NULL padding needs for quoted newlines anyway.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE landing_records AS SELECT * FROM ("
        "SELECT row_number() OVER () - $header_rows AS row_number, * FROM read_csv($path, auto_detect = false, "
        "header = false, columns = $columns, delim = $delim, quote = $quote, escape = $quote, skip = $skip, "
        "null_padding = true, nullstr = $null_mark, parallel = false, ignore_errors = true, store_rejects = true, "
        "rejects_table = 'landing_rejects', rejects_scan = 'landing_rejects_scan', max_line_size = $max_line)"
        ") WHERE row_number >= 1",
        {
            "path": str(readable),
            "columns": columns,
            "delim": layout.delimiter,
            "quote": layout.quote or "",
            "skip": int(layout.sep_line),
            "null_mark": NULL_MARK,
            "header_rows": header_rows,
            "max_line": current_limits().max_line_bytes,
        },
    )
    rows = con.execute(
        "SELECT line, error_type::VARCHAR, left(csv_line, 80) FROM landing_rejects ORDER BY line LIMIT 1"
    ).fetchall()
    return rows[0] if rows else None


def _widest_record(readable: Path, layout: TextLayout) -> int:
    """The largest field count of any record, read with the same delimiter and quoting as DuckDB."""
    csv.field_size_limit(current_limits().max_line_bytes)
    with readable.open("r", encoding="utf-8-sig", newline="") as fh:
        if layout.sep_line:
            fh.readline()
        reader = (
            csv.reader(fh, delimiter=layout.delimiter, quoting=csv.QUOTE_NONE)
            if layout.quote is None
            else csv.reader(fh, delimiter=layout.delimiter, quotechar=layout.quote)
        )
        return max((len(record) for record in reader), default=0)


def _note_malformed(con: duckdb.DuckDBPyConnection, expected: int) -> None:
    """Temp table `malformed`: every data row whose field count is not the header's, with its extra fields.

    NULL padding makes a missing field NULL (an empty one is ''), so a short row has NULL in the header's
    last column and a long one a value past it: only those rows are counted field by field.
    """
    width = len(con.execute("SELECT name FROM pragma_table_info('landing_records')").fetchall()) - 1
    fields = "[" + ", ".join(f"c{i + 1}" for i in range(width)) + "]"
    extras = "[" + ", ".join(f"c{i + 1}" for i in range(expected, width)) + "]"
    con.execute(
        "CREATE OR REPLACE TEMP TABLE malformed AS SELECT row_number, n_fields, $expected::INTEGER AS expected, "
        "extras FROM (SELECT row_number, "
        f"len(list_filter({fields}, lambda x: x IS NOT NULL)) AS n_fields, "
        f"list_filter({extras}, lambda x: x IS NOT NULL) AS extras FROM landing_records "
        f"WHERE c{expected} IS NULL OR c{min(expected + 1, width)} IS NOT NULL) "
        "WHERE n_fields <> $expected",
        {"expected": expected},
    )


def _check_shape(
    con: duckdb.DuckDBPyConnection, path: Path, ends_with_newline: bool, expected: int, layout: TextLayout
) -> None:
    n_rows, n_bad, last_row, last_bad_fields, typical = con.execute(
        "SELECT (SELECT count(*) FROM landing_records), (SELECT count(*) FROM malformed), "
        "(SELECT max(row_number) FROM landing_records), "
        "(SELECT n_fields FROM malformed WHERE row_number = (SELECT max(row_number) FROM landing_records)), "
        "(SELECT mode(n_fields) FROM malformed)"
    ).fetchall()[0]
    if n_rows and n_bad == n_rows:
        raise FileRejected(
            f"{path.name}: wrong number of fields throughout: the header has {expected} field(s) but every row "
            f"has a different count (mostly {typical}). The delimiter {layout.delimiter!r} may be wrong: declare "
            "locale.delimiter for this source, or export the file again."
        )
    if last_bad_fields is not None and last_bad_fields < expected and not ends_with_newline:
        raise FileRejected(
            f"{path.name}: the last row ({last_row}) has {last_bad_fields} of {expected} fields and the file does not "
            "end with a line break: the file looks truncated. Export it again."
        )


def _clean_names(con: duckdb.DuckDBPyConnection, path: Path, names: list[str]) -> tuple[list[str], list[int]]:
    """Header names trimmed; blank ones named column_<n>; a blank, empty last column (trailing comma) dropped.

    Returns the names and the 0-based field positions they come from. Duplicate names are left to
    cjx.ingest.headers.resolve_names (renamed, or the file rejected when the journey uses one of them).
    """
    names = [n.strip() for n in names]
    keep = list(range(len(names)))
    if len(names) > 1 and names[-1] == "":
        last = f"c{len(names)}"
        filled = con.execute(f"SELECT count(*) FROM landing_records WHERE nullif({last}, '') IS NOT NULL").fetchall()
        if filled[0][0] == 0:
            names, keep = names[:-1], keep[:-1]
    names = [n or f"column_{i + 1}" for n, i in zip(names, keep)]
    return names, keep
