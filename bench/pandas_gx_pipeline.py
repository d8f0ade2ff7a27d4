"""The pandas + great-expectations baseline for `make bench`: the work `cjx ingest` does, as a plain pandas pipeline.

    .venv/bin/python bench/pandas_gx_pipeline.py PATH DB [--key KEY] [--max-failing-share 0.5]

Public tools only (pandas, numpy, great_expectations, duckdb); nothing from cjx. One survey export, whole file
in memory, as such pipelines are usually written:

1. `pandas.read_csv` (C engine; text columns as str, blanks as NaN, rated columns numeric).
2. Pseudonymise the respondent column: keyed sha256 of the trimmed, lower-cased value, 16 hex digits (as cjx).
3. Parse the timestamps (ISO-8601, to UTC) and the rated columns (a non-number becomes NaN and is flagged).
4. The batch gate: a great-expectations 1.x suite on the frame in an ephemeral context. Response id not null,
   response id unique, timestamp not null after parsing, and every rated column between its scale's min and max
   (the wide bench file: 3 rated columns, so 6 expectations; the 50-column file: 53). Each has
   mostly = 1 - max_failing_share, as cjx's gate: when one check fails for more than that share of the rows the
   whole file is rejected (nothing but the file record is stored).
5. Row rules, as cjx's: a row with no id, no respondent, an unparseable timestamp, a non-number or an
   out-of-scale rating is quarantined (one reason per row, the same priority order).
6. Dedupe, latest wins: of the clean rows sharing a response id, the latest timestamp wins; on a tie the first row.
7. Melt the rated columns to long answers (blanks dropped), with metric and touchpoint (from the `channel`
   column's value, or per question), and the comments to long verbatims.
8. Per-touchpoint aggregates: answers, mean, top-2-box share, promoter and detractor shares.
9. Store into a fresh DuckDB file: raw (the pseudonymised file as read), responses, answers, comments,
   quarantine, touchpoint_aggregates and a one-row ingest_files record.

The columns are known from the bench files' header (the same rules as the journey files ingest_bench writes):
nps 0-10, csat 1-5, ces 1-7, q<N> csat 1-5 on touchpoint t<NN>; channel web/app/store/phone -> four touchpoints.
Prints one JSON line of accounting at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import re
import sys
import time
import warnings
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

ID, RESPONDENT, TIMESTAMP, CHANNEL, COMMENT = "response_id", "email", "submitted_at", "channel", "comment"
SCALES = {"nps": ("nps", 0, 10), "csat": ("csat", 1, 5), "ces": ("ces", 1, 7)}
CHANNEL_TOUCHPOINTS = {"web": "web_shop", "app": "mobile_app", "store": "store", "phone": "phone_support"}
QUESTION = re.compile(r"q(\d+)$")
SOURCE_ID = "bench"


def rated_columns(columns) -> list[tuple[str, str, int, int, str | None]]:
    """(column, metric, scale min, scale max, touchpoint declared on the question) for every rated column."""
    out = []
    for column in columns:
        if column in SCALES:
            out.append((column, *SCALES[column], None))
        elif m := QUESTION.match(column):
            out.append((column, "csat", 1, 5, f"t{int(m[1]):02d}"))
    return out


def gx_gate(batch: pd.DataFrame, rated: list, max_failing_share: float) -> tuple[bool, list[dict]]:
    """Run the suite on the parsed frame; return (success, one summary per expectation)."""
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    mostly = max(0.0, min(1.0, 1.0 - max_failing_share))
    expectations = [
        gxe.ExpectColumnValuesToNotBeNull(column=ID, mostly=mostly),
        gxe.ExpectColumnValuesToBeUnique(column=ID, mostly=mostly),
        gxe.ExpectColumnValuesToNotBeNull(column=TIMESTAMP, mostly=mostly),
    ] + [
        gxe.ExpectColumnValuesToBeBetween(column=c, min_value=lo, max_value=hi, mostly=mostly)
        for c, _, lo, hi, _ in rated
    ]
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    definition = (
        ctx.data_sources.add_pandas("bench").add_dataframe_asset("export").add_batch_definition_whole_dataframe("whole")
    )
    suite = ctx.suites.add(gx.ExpectationSuite(name="bench_pandas", expectations=expectations))
    validation = gx.ValidationDefinition(name="bench_pandas", data=definition, suite=suite)
    result = validation.run(batch_parameters={"dataframe": batch})
    rows = [
        {
            "expectation": r.expectation_config.type,
            "column": r.expectation_config.kwargs.get("column"),
            "success": bool(r.success),
            "unexpected_count": (r.result or {}).get("unexpected_count"),
        }
        for r in result.results
    ]
    return bool(result.success), rows


def run(path: Path, db: Path, key: str, max_failing_share: float) -> dict:
    start = time.perf_counter()
    header = list(pd.read_csv(path, nrows=0).columns)
    rated = rated_columns(header)
    rated_names = [r[0] for r in rated]
    text = [c for c in header if c not in rated_names]
    df = pd.read_csv(path, dtype=dict.fromkeys(text, str), keep_default_na=False, na_values=[""])
    n = len(df)
    row_number = np.arange(1, n + 1)

    # 2-3. pseudonymise, parse
    normalised = df[RESPONDENT].str.strip().str.lower()
    df[RESPONDENT] = [
        hashlib.sha256((key + v).encode()).hexdigest()[:16] if isinstance(v, str) and v else None for v in normalised
    ]
    record_id = df[ID].str.strip().replace("", np.nan)
    at_utc = pd.to_datetime(df[TIMESTAMP], format="ISO8601", utc=True, errors="coerce").dt.tz_localize(None)
    values, not_a_number = {}, np.zeros(n, dtype=bool)
    for column in rated_names:
        raw = df[column]
        number = raw if pd.api.types.is_numeric_dtype(raw) else pd.to_numeric(raw, errors="coerce")
        not_a_number |= (raw.notna() & number.isna()).to_numpy()
        values[column] = number.astype("float64")

    # 4. the batch gate
    gate_start = time.perf_counter()
    batch = pd.DataFrame({ID: record_id, TIMESTAMP: at_utc, **values})
    passed, validations = gx_gate(batch, rated, max_failing_share)
    gate_seconds = time.perf_counter() - gate_start
    con = duckdb.connect(str(db))
    if not passed:
        failed = [
            f"{v['expectation']}({v['column']}): {v['unexpected_count']} rows" for v in validations if not v["success"]
        ]
        con.execute("CREATE TABLE ingest_files (path VARCHAR, status VARCHAR, reject_reason VARCHAR, rows_read BIGINT)")
        con.execute("INSERT INTO ingest_files VALUES (?, 'rejected', ?, ?)", [str(path), "; ".join(failed), n])
        con.close()
        return {
            "pipeline": "pandas+gx",
            "status": "rejected",
            "reason": "; ".join(failed),
            "rows_read": n,
            "gate_seconds": round(gate_seconds, 4),
            "seconds": round(time.perf_counter() - start, 4),
        }

    # 5. row rules (first reason by priority, as cjx)
    out_of_range = np.zeros(n, dtype=bool)
    for column, _, lo, hi, _ in rated:
        v = values[column]
        out_of_range |= (v.notna() & ((v < lo) | (v > hi))).to_numpy()
    reason = np.select(
        [
            record_id.isna().to_numpy(),
            df[RESPONDENT].isna().to_numpy(),
            at_utc.isna().to_numpy(),
            not_a_number,
            out_of_range,
        ],
        ["missing_id", "missing_respondent", "bad_timestamp", "unknown_label", "out_of_range"],
        default="",
    )
    clean = reason == ""

    # 6. dedupe, latest wins (first row on a tie)
    candidates = pd.DataFrame({"record_id": record_id[clean], "at": at_utc[clean], "row": row_number[clean]})
    candidates = candidates.sort_values(["at", "row"], ascending=[False, True], kind="stable")
    winners = ~candidates.duplicated("record_id", keep="first")
    loaded = np.zeros(n, dtype=bool)
    loaded[candidates.index[winners.to_numpy()]] = True
    n_duplicate = int((~winners).sum())

    responses = pd.DataFrame(
        {
            "source_id": SOURCE_ID,
            "response_id": record_id[loaded],
            "respondent_id": df.loc[loaded, RESPONDENT],
            "responded_at": at_utc[loaded],
            "row_number": row_number[loaded],
        }
    )

    # 7. long answers and comments
    id_vars = [ID] + ([CHANNEL] if CHANNEL in df.columns else [])
    wide = df.loc[loaded, id_vars].copy()
    for column in rated_names:
        wide[column] = values[column][loaded]
    answers = wide.melt(id_vars=id_vars, value_vars=rated_names, var_name="column_name", value_name="value")
    answers = answers[answers["value"].notna()]
    answers["metric"] = answers["column_name"].map({c: m for c, m, *_ in rated})
    per_question = {c: tp for c, *_, tp in rated}
    if CHANNEL in answers.columns:
        answers["touchpoint_id"] = answers[CHANNEL].map(CHANNEL_TOUCHPOINTS)
        answers = answers.drop(columns=[CHANNEL])
    else:
        answers["touchpoint_id"] = answers["column_name"].map(per_question)
    answers["score"] = answers["value"]
    answers.insert(0, "source_id", SOURCE_ID)
    answers = answers.rename(columns={ID: "response_id"})
    if COMMENT in df.columns:
        comments = df.loc[loaded, id_vars + [COMMENT]]
        comments = comments[comments[COMMENT].str.strip().fillna("") != ""]
        comments = pd.DataFrame(
            {
                "source_id": SOURCE_ID,
                "response_id": comments[ID],
                "touchpoint_id": comments[CHANNEL].map(CHANNEL_TOUCHPOINTS) if CHANNEL in comments.columns else None,
                "comment": comments[COMMENT].str.strip(),
            }
        )
    else:
        comments = pd.DataFrame({"source_id": [], "response_id": [], "touchpoint_id": [], "comment": []})

    # 8. per-touchpoint aggregates
    top_box = {c: hi - 1 for c, _, lo, hi, _ in rated}
    answers["top2"] = answers["value"] >= answers["column_name"].map(top_box)
    answers["promoter"] = (answers["metric"] == "nps") & (answers["value"] >= 9)
    answers["detractor"] = (answers["metric"] == "nps") & (answers["value"] <= 6)
    aggregates = (
        answers.groupby(["touchpoint_id", "metric"], dropna=False)
        .agg(
            answers=("value", "size"),
            mean=("value", "mean"),
            top2_share=("top2", "mean"),
            promoter_share=("promoter", "mean"),
            detractor_share=("detractor", "mean"),
        )
        .reset_index()
    )
    answers = answers.drop(columns=["top2", "promoter", "detractor"])
    quarantine = pd.DataFrame(
        {"row_number": row_number[~clean], "response_id": record_id[~clean], "reason": reason[~clean]}
    )

    # 9. store
    raw = df
    raw.insert(0, "row_number", row_number)
    for name, frame in (
        ("raw", raw),
        ("responses", responses),
        ("answers", answers),
        ("comments", comments),
        ("quarantine", quarantine),
        ("touchpoint_aggregates", aggregates),
    ):
        con.register("frame", frame)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
        con.unregister("frame")
    accounting = {
        "pipeline": "pandas+gx",
        "status": "loaded",
        "rows_read": n,
        "rows_loaded": int(loaded.sum()),
        "rows_quarantined": int((~clean).sum()),
        "rows_duplicate": n_duplicate,
        "answers": len(answers),
        "comments": len(comments),
        "gate_seconds": round(gate_seconds, 4),
    }
    con.execute(
        "CREATE TABLE ingest_files AS SELECT * FROM (VALUES (?, ?, ?, ?, ?, ?)) "
        "t(path, status, rows_read, rows_loaded, rows_quarantined, rows_duplicate)",
        [str(path), "loaded", n, accounting["rows_loaded"], accounting["rows_quarantined"], n_duplicate],
    )
    con.close()
    accounting["seconds"] = round(time.perf_counter() - start, 4)
    return accounting


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("db", type=Path)
    parser.add_argument("--key", default="bench", help="pseudonymisation key")
    parser.add_argument("--max-failing-share", type=float, default=0.5)
    args = parser.parse_args(argv)
    if args.db.exists():
        print(f"error: {args.db} exists; the benchmark loads into a fresh database file", file=sys.stderr)
        return 2
    print(json.dumps(run(args.path, args.db, args.key, args.max_failing_share)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
