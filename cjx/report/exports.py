"""The scorecard tables of one revisit as files people can open, and the raw marts beside them.

Two kinds, in scorecard_<revisit>/exports/:

- readable (`readable_tables`): the tables of the page, numbers rounded as the page shows them (shares in %,
  changes in percentage points), headers labelled in the page's language, one CSV per table (the language's
  separators: `;` and decimal `,` for da/sv/nb, UTF-8 with a BOM so Excel reads the letters) and one workbook
  with a sheet per table, its caption in the first row;
- raw (`export_tables`): the mart rows as they are, column names and unrounded values, as Parquet in raw/ (for
  people who recompute or join: they equal the mart rows exactly).

Every text cell and header of the CSV files and the workbook passes through `export_cell`, the one place a rule
for all cells goes (OWASP formula neutralising, cjx.privacy.cells); the Parquet files are the mart rows exactly.
Excel's limits: it keeps timestamps to the millisecond, and a cell cannot hold control characters (a file name
with a bell or an escape in it), so the workbook writes each as its escape, \x07; the CSV keeps them as they are.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from cjx.privacy.cells import csv_quoting, neutralise
from cjx.report.data import ScorecardData
from cjx.report.labels import Lang

# file stem -> (SQL over the marts with one revisit parameter, or none for tables not split by revisit)
EXPORT_QUERIES: dict[str, str] = {
    "priority": "SELECT * FROM marts.touchpoint_priority WHERE revisit_id = $revisit_id "
    "ORDER BY priority_rank NULLS LAST, stage_position, touchpoint_position",
    "scorecard": "SELECT * FROM marts.touchpoint_scorecard WHERE revisit_id = $revisit_id "
    "ORDER BY stage_position, touchpoint_position",
    "changes": "SELECT * FROM marts.revisit_changes WHERE revisit_b = $revisit_id ORDER BY touchpoint_id, metric",
    "headline": "SELECT * FROM marts.revisit_headline WHERE revisit_id = $revisit_id",
    "paths": "SELECT * FROM marts.journey_paths WHERE revisit_id = $revisit_id "
    "ORDER BY n_transitions DESC, from_touchpoint_id, to_touchpoint_id",
    "blind_spots": "SELECT * FROM marts.blind_spots WHERE revisit_id = $revisit_id ORDER BY touchpoint_id",
    "data_quality": "SELECT * FROM marts.data_quality ORDER BY source_id, file_name",
}


def export_tables(con: duckdb.DuckDBPyConnection, revisit_id: str) -> dict[str, pd.DataFrame]:
    """Each exported table of the revisit as a frame, in EXPORT_QUERIES order."""
    tables = {}
    for name, sql in EXPORT_QUERIES.items():
        params = {"revisit_id": revisit_id} if "$revisit_id" in sql else {}
        tables[name] = con.execute(sql, params).df()
    return tables


def export_cell(value: object) -> object:
    """Every exported text cell and header of the CSV files and the workbook (captions too) passes through here:
    the one place for a rule that holds for all cells. The rule today: OWASP's, a text cell a spreadsheet would run
    as a formula gets a leading quote (cjx.privacy.cells.neutralise). Numbers, flags and times keep their type.
    The Parquet files are the mart rows exactly, for code rather than spreadsheets: they do not pass."""
    return neutralise(value)


def _cells(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every header and every text cell passed through export_cell."""
    out = frame.rename(columns=lambda c: export_cell(c))
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = out[column].map(export_cell, na_action="ignore")
    return out


def csv_text(frame: pd.DataFrame, lang: Lang | None = None) -> str:
    """CSV with a header row and empty cells for missing values; '.' decimals and ',' between fields in English
    (full-precision timestamps), ',' decimals and ';' between fields where the language writes 3,5 (da, sv, nb)."""
    comma = lang is not None and lang.code != "en"
    safe = _cells(frame)  # OWASP: no cell runs as a formula (export_cell)
    return safe.to_csv(
        index=False,
        lineterminator="\n",
        sep=";" if comma else ",",
        decimal="," if comma else ".",
        quoting=csv_quoting(safe),
    )


def xlsx_bytes(tables: dict[str, pd.DataFrame], captions: dict[str, str] | None = None) -> bytes:
    """One workbook, one sheet per table (openpyxl), header row frozen and columns sized to their names; with
    `captions`, each sheet's caption is its first row (bold) and the header the second."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in tables.items():
            sheet = name[:31]  # Excel's limit on sheet names
            caption = (captions or {}).get(name)
            start = 1 if caption else 0
            # no formula from data: every text cell through export_cell (neutralised)
            _excel_safe(_cells(frame)).to_excel(writer, sheet_name=sheet, index=False, startrow=start)
            ws = writer.sheets[sheet]
            if caption:
                ws.cell(row=1, column=1, value=excel_text(export_cell(caption))).font = Font(bold=True)
            ws.freeze_panes = f"A{start + 2}"
            for i, column in enumerate(frame.columns, start=1):
                width = max(10, min(40, len(str(column)) + 2))
                ws.column_dimensions[ws.cell(row=start + 1, column=i).column_letter].width = width
    return buffer.getvalue()


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as Parquet, values exactly as they are (for code that recomputes or joins, not spreadsheets)."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel has no time zones, no nullable integers and no control characters in cells: make all three plain,
    keeping every value (a control character as its escape text, \x07)."""
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.tz_localize(None)
        elif pd.api.types.is_extension_array_dtype(out[column].dtype) and out[column].dtype.kind in "iub":
            out[column] = out[column].astype(object).where(out[column].notna(), None)
        elif out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            cleaned = [excel_text(v) for v in out[column]]
            if any(c is not v for c, v in zip(cleaned, out[column])):
                out[column] = pd.Series(cleaned, index=out.index, dtype=out[column].dtype)
    return out


def excel_text(value: object) -> object:
    """A string with the characters an Excel cell cannot hold written as escapes (\x07); anything else as is."""
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    return value


# -- readable exports: the page's tables, rounded and labelled in its language ----------------------------------


@dataclass(frozen=True)
class ReadableTable:
    sheet: str  # sheet and file name (ASCII, stable across languages)
    caption: str
    frame: pd.DataFrame


def _pct(value: object, digits: int = 1) -> float | None:
    return None if value is None or pd.isna(value) else round(100 * float(value), digits)  # type: ignore[arg-type]


def _round(value: object, digits: int) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), digits)  # type: ignore[arg-type]


def _yes(lang: Lang, value: object) -> str:
    return lang.t("x_yes") if isinstance(value, bool | int) and bool(value) else lang.t("x_no")


def _change_in_units(metric: object, value: object) -> float | None:
    """A change as the page shows it: percentage points for shares, points for NPS, two decimals for means."""
    if metric == "nps":
        return _round(value, 1)
    if isinstance(metric, str) and metric.endswith("_mean"):
        return _round(value, 2)
    return _pct(value)


def readable_tables(data: ScorecardData, lang: Lang | None = None) -> dict[str, ReadableTable]:
    """The page's tables as people read them: headers in the page's language, numbers rounded as shown."""
    lang = lang or Lang(data.language)
    t = lang.t
    pr = data.priority
    priority = pd.DataFrame(
        {
            t("col_rank"): pr.priority_rank.astype("Int64"),
            t("col_touchpoint"): pr.touchpoint_name,
            t("col_stage"): pr.stage_name,
            t("col_owner"): pr.owner,
            t("col_quadrant"): [lang.quadrant(q) if isinstance(q, str) else t("not_ranked") for q in pr.quadrant],
            t("x_performance"): pr.performance.map(_pct),
            t("x_ci_low"): pr.performance_ci_low.map(_pct),
            t("x_ci_high"): pr.performance_ci_high.map(_pct),
            t("col_n"): pr.n_headline.astype("Int64"),
            t("x_importance"): pr.importance.map(_pct),
            t("x_reach"): pr.reach.map(_pct),
            t("x_gap"): pr.gap_to_target.map(_pct),
            t("x_change"): [_change_in_units(m, v) for m, v in zip(pr.change_metric, pr.change)],
            t("x_significant"): [_yes(lang, v is True or v == 1) for v in pr.change_is_significant],
        }
    )
    if "is_weighted" in pr and pr.is_weighted.fillna(False).astype(bool).any():
        # a weighted revisit: the Kish effective base beside n (what the intervals and low base rest on)
        priority.insert(
            priority.columns.get_loc(t("col_n")) + 1, t("col_n_eff"), pr.n_eff_headline.map(lambda v: _round(v, 0))
        )
    tp = data.touchpoints
    details = pd.DataFrame(
        {
            t("col_stage"): tp.stage_name,
            t("col_touchpoint"): tp.touchpoint_name,
            t("col_owner"): tp.owner,
            t("col_responses"): tp.n_responses.astype("Int64"),
            t("col_csat_mean"): tp.csat_mean.map(lambda v: _round(v, 2)),
            t("x_scale"): tp.get("csat_scale"),
            f"{t('col_csat_top2')} (%)": tp.csat_top2_share.map(_pct),
            t("col_ces_mean"): tp.ces_mean.map(lambda v: _round(v, 2)),
            f"{t('col_ces_easy')} (%)": tp.ces_easy_share.map(_pct),
            t("col_nps"): tp.nps.map(lambda v: _round(v, 0)),
            t("low_base"): [_yes(lang, bool(v)) for v in tp.is_low_base],
        }
    )
    ch = data.changes
    names = dict(zip(tp.touchpoint_id, tp.touchpoint_name))
    changes = pd.DataFrame(
        {
            t("col_touchpoint"): [names.get(x, x) for x in ch.get("touchpoint_id", pd.Series(dtype=object))],
            t("x_metric"): ch.get("metric", pd.Series(dtype=object)),
            t("x_status"): ch.get("status", pd.Series(dtype=object)),
            t("x_before"): [_change_in_units(m, v) for m, v in zip(ch.get("metric", []), ch.get("value_a", []))],
            t("x_now"): [_change_in_units(m, v) for m, v in zip(ch.get("metric", []), ch.get("value_b", []))],
            t("x_change"): [_change_in_units(m, v) for m, v in zip(ch.get("metric", []), ch.get("difference", []))],
            t("x_ci_low"): [_change_in_units(m, v) for m, v in zip(ch.get("metric", []), ch.get("ci_low", []))],
            t("x_ci_high"): [_change_in_units(m, v) for m, v in zip(ch.get("metric", []), ch.get("ci_high", []))],
            t("x_q"): [_round(v, 3) for v in ch.get("q_value", [])],
            t("x_significant"): [_yes(lang, v is True or v == 1) for v in ch.get("is_significant", [])],
        }
    )
    headline = pd.DataFrame(
        [
            {
                t("x_measure"): t(f"kpi_{k['key']}"),
                t("x_value"): _round(k["value"], 0) if k["kind"] == "nps" else _pct(k["value"]),
                t("x_ci_low"): _round(k["ci_low"], 0) if k["kind"] == "nps" else _pct(k["ci_low"]),
                t("x_ci_high"): _round(k["ci_high"], 0) if k["kind"] == "nps" else _pct(k["ci_high"]),
                t("col_n"): k["n"],
                t("x_change"): None
                if not k.get("change")
                else (_round(k["change"]["difference"], 0) if k["kind"] == "nps" else _pct(k["change"]["difference"])),
                t("x_significant"): _yes(lang, bool(k.get("change") and k["change"]["is_significant"])),
            }
            for k in data.kpis
        ]
    )
    pa = data.paths
    paths = pd.DataFrame(
        {
            t("col_from"): [names.get(x, x) for x in pa.get("from_touchpoint_id", [])],
            t("col_to"): [names.get(x, x) for x in pa.get("to_touchpoint_id", [])],
            t("col_kind"): [
                t("repeat") if r else t("loop_back") if lb else t("forward")
                for r, lb in zip(pa.get("is_repeat", []), pa.get("is_loop_back", []))
            ],
            t("col_transitions"): list(pa.get("n_transitions", [])),
            t("col_customers"): list(pa.get("n_customers", [])),
        }
    )
    bs = data.blind_spots
    blind = pd.DataFrame(
        {
            t("col_touchpoint"): list(bs.get("touchpoint_name", [])),
            t("col_owner"): list(bs.get("owner", [])),
            t("col_blind_spot"): [lang.blind_spot(v) for v in bs.get("blind_spot", [])],
            t("col_n"): list(bs.get("n_responses", [])),
        }
    )
    dq = data.data_quality
    files = pd.DataFrame(
        {
            t("col_source"): dq.source_id,
            t("col_file"): dq.file_name,
            t("col_status"): [lang.code_label(v) for v in dq.status],
            t("col_read"): dq.rows_read,
            t("col_loaded"): dq.rows_loaded,
            t("col_quarantined"): dq.rows_quarantined,
            t("col_duplicate"): dq.rows_duplicate,
            t("col_reasons"): [
                lang.reasons(q) if isinstance(q, str) else (r if isinstance(r, str) else "")
                for q, r in zip(dq.quarantine_reasons, dq.reject_reason)
            ],
        }
    )
    previous = data.previous_revisit or "–"
    return {
        "priority": ReadableTable(t("x_priority"), t("priority_caption", previous=previous), priority),
        "touchpoints": ReadableTable(t("x_details"), t("details_caption", min_base=data.min_base), details),
        "changes": ReadableTable(t("x_changes"), t("x_changes_caption"), changes),
        "headline": ReadableTable(t("x_headline"), t("headline_caption"), headline),
        "paths": ReadableTable(t("x_paths"), t("paths_caption"), paths),
        "blind_spots": ReadableTable(t("x_blind_spots"), t("blind_spots_caption", min_base=data.min_base), blind),
        "files": ReadableTable(t("x_files"), t("files_caption"), files),
    }


def write_exports(folder: Path, con: duckdb.DuckDBPyConnection, data: ScorecardData) -> list[str]:
    """Write one revisit's exports into `folder`: a readable CSV per table and one workbook (a sheet per table with
    its caption), and the raw mart rows as Parquet in raw/. Returns the paths, readable files first."""
    lang = Lang(data.language)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    tables = readable_tables(data, lang)
    for name, table in tables.items():
        path = folder / f"{name}.csv"
        # a BOM, so Excel opens the UTF-8 letters (æ, ø, å, ö) as they are
        path.write_text("\ufeff" + csv_text(table.frame, lang), encoding="utf-8")
        written.append(str(path))
    book = folder / f"scorecard_{data.revisit_id}.xlsx"
    book.write_bytes(
        xlsx_bytes(
            {t.sheet: t.frame for t in tables.values()},
            captions={t.sheet: f"{t.caption} {lang.t('x_raw_note')}" for t in tables.values()},
        )
    )
    written.append(str(book))
    raw = folder / "raw"
    raw.mkdir(exist_ok=True)
    for name, frame in export_tables(con, data.revisit_id).items():
        path = raw / f"{name}.parquet"
        path.write_bytes(parquet_bytes(frame))
        written.append(str(path))
    return written
