"""The batch gate: a great-expectations suite per source that can reject a staged file as a whole.

Row rules (the staging SQL) quarantine single bad rows. The gate looks at the staged batch as a whole: when
one check fails for more than `settings.max_failing_share` of the rows it applies to, the problem is
systematic (a wrong declared date format, a missing codebook, a shifted column) and the file is rejected
whole, naming the failing checks, instead of quarantining most of it row by row. The response (event) ids
about to be loaded must be unique in every row. Results go to ops.validations, one row per check, and, with
a docs folder, to GX Data Docs (`gx/uncommitted/data_docs/local_site/index.html`).

How: expectations on aggregated metrics. The checks come from the journey config (`checks`): id, respondent
and timestamp present and parseable, loaded ids unique; per rated question its answers on the scale and
parseable (a number or a codebook label); per operational measure parseable. Two SQL aggregates over the
staged temp tables (`landed_rows`, `landed_cells`; nothing else) count, per check, the rows it applies to
and the rows that fail it, and keep the first failing row numbers, whose text is then fetched by row number
(`measure`). The counts become a small frame, one row per check (`check_table`), and the source's GX suite
(`build_suite`) validates it: failing_share at most max_failing_share where rule == 'share',
unexpected_count 0 where rule == 'every_row'. GX's unexpected rows are the failing checks; the batch passes
only when the GX validation succeeds.

Why, measured with bench/gx_gate.py (2 cores, shared; a survey of an nps and 12 csat questions, 40 % of the
csat cells blank: 1 M responses are 8.2 M staged cells, an 89 MB CSV; seconds per file, best of 3, GX import
excluded; bench/README.md, "GX gate", has the full table and a 50-question run):

    variant                                              100 k rows   1 M rows
    raw load: DuckDB read_csv into a database file          0.50         4.25
    raw load: the same into an in-memory database           0.25         1.39
    (a) whole batch in pandas, GX per row (previous gate)   3.10        28.5
    (b) GX SQL path, duckdb-engine, with two workarounds    1.52         4.73  (as shipped: fails)
    (c) column-pruned Arrow-backed batch, GX per row        4.19        39.3   (numpy dtypes: 2.0 / 13.3)
    (d) SQL aggregate + GX on the check table (this)        0.15         0.48  (SQL 0.41, GX ~0.1)
    (e) 10 k-row sample, GX per row + (d)'s SQL counts      1.44         1.41

(b) as shipped fails every metric with DuckDB 2.0 + duckdb-engine 0.17 + SQLAlchemy 2.1 ("list index out of
range"): GX reads a query's rows after closing its SQLAlchemy connection, and the rollback on closing runs on
the same DuckDB connection (duckdb-engine's cursor is the connection), which discards the pending result. And
SQLAlchemy 2.1's PostgreSQL column reflection queries pg_catalog.pg_collation, which DuckDB lacks: inside the
file's transaction that failed statement aborts the transaction. A borrowed-connection wrapper and a
reflecting dialect fix both (see the bench), but GX then sends several queries per expectation, each a scan:
3x the raw load into a file at 100 k rows, 1.1x at 1 M. (c) is slower than numpy dtypes: GX's pandas metrics
convert Arrow columns. (e) still needs the all-row SQL for exact shares and uniqueness, so its GX run is extra
cost. (d) is one scan of the staged tables (0.11x the raw load into a file, 0.34x into memory, at 1 M rows;
the exact uniqueness count is about a third of it) plus a fixed ~0.1 s of GX whatever the file size or the
number of questions (one GX expectation per check would add ~2-3 ms per check: +0.23 s at 50 questions). GX's
import (4-6 s) is paid once per process, lazily, on the first file gated; the context is ephemeral (a file
context with docs_dir), created once per gate, progress bars off, the suite registered once per source and
threshold, and Data Docs rendered only by `build_docs`.
"""

from __future__ import annotations

import logging
import math
import pickle
import re
import sys
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Final

import duckdb
import pandas as pd

from cjx.ingest.explain import gate_failure
from cjx.ingest.staging import identifier_columns
from cjx.journey.model import Source
from cjx.store.db import fit_memory

RATED = ("nps", "csat", "ces", "overall", "binary")
N_EXAMPLES = 5  # failing rows kept per check, for ops.validations details


@dataclass
class GateOutcome:
    success: bool
    rows: list[dict]  # for ops.validations
    message: str  # why the batch failed ('' when it passed)


@dataclass(frozen=True)
class Check:
    """One thing the gate checks on every staged batch, named like the row-level GX expectation it stands for.

    rule "share": fails when more than max_failing_share of the rows it applies to fail;
    rule "every_row": fails when a single row fails.
    """

    expectation: str
    column: str  # as in ops.validations.column_name
    rule: str
    metric: str  # key into `measure`'s counts
    kwargs: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def label(self) -> str:
        return f"{self.expectation}({self.column})"


@dataclass
class Measured:
    element_count: int
    unexpected_count: int
    examples: list = field(default_factory=list)  # failing values (or row messages)
    example_rows: list = field(default_factory=list)  # their row numbers

    @property
    def share(self) -> float:
        return self.unexpected_count / self.element_count if self.element_count else 0.0


def checks(source: Source) -> list[Check]:
    """The checks of one source, from its journey config."""
    id_column = (source.response_id if source.kind == "survey" else source.event_id) or "response_id"
    out = [
        Check("expect_column_values_to_not_be_null", id_column, "share", "rows:record_id"),
        Check("expect_column_values_to_not_be_null", source.respondent_id, "share", "rows:respondent_id"),
        # at_utc is NULL when the timestamp is missing or does not parse with the declared format
        Check("expect_column_values_to_not_be_null", source.timestamp or "date", "share", "rows:at_utc"),
        # one row per (source, id) reaches core: the dedup's promise, checked on every batch
        Check(
            "expect_column_values_to_be_unique",
            id_column,
            "every_row",
            "rows:unique",
            {"row_condition": "status == 'loaded'"},
        ),
    ]
    for q in source.questions:
        if q.metric in RATED and q.scale is not None:  # a rated question always has a scale
            out.append(
                Check(
                    "expect_column_values_to_be_between",
                    q.column,
                    "share",
                    f"range:{q.column}",
                    {"min_value": q.scale.min, "max_value": q.scale.max},
                )
            )
            out.append(
                Check(
                    "expect_column_values_to_be_in_set",
                    f"{q.column} (parsed)",
                    "share",
                    f"parsed:{q.column}",
                    {"value_set": [True]},
                )
            )
    for m in source.measures:
        out.append(
            Check("expect_column_values_to_be_in_set", f"{m} (parsed)", "share", f"parsed:{m}", {"value_set": [True]})
        )
    return out


# the uniqueness of the ids about to be loaded: the one check whose counts depend on core (a row's fate, latest
# wins, is decided against what core holds), so a worker staging a file elsewhere leaves it to the writer
_UNIQUE_COUNTS = """count(*) FILTER (WHERE status = 'loaded'),
    count(record_id) FILTER (WHERE status = 'loaded') - count(DISTINCT record_id) FILTER (WHERE status = 'loaded')"""
_GATED_ROWS = "FROM landed_rows\nWHERE reason IS DISTINCT FROM 'not_a_response'"
_ROWS_SQL = f"""
SELECT count(*),
    count(*) FILTER (WHERE record_id IS NULL), min(row_number, {N_EXAMPLES}) FILTER (WHERE record_id IS NULL),
    count(*) FILTER (WHERE respondent_id IS NULL), min(row_number, {N_EXAMPLES}) FILTER (WHERE respondent_id IS NULL),
    count(*) FILTER (WHERE at_utc IS NULL), min(row_number, {N_EXAMPLES}) FILTER (WHERE at_utc IS NULL),
    {_UNIQUE_COUNTS}
{_GATED_ROWS}
"""
_UNIQUE_SQL = f"SELECT {_UNIQUE_COUNTS}\n{_GATED_ROWS}"
CORE_METRICS = frozenset({"rows:unique"})  # checks whose counts depend on core: measure_core recounts them
# Rows that are not responses (a Zendesk rating only offered) are quarantined as such and never count against
# the gate: neither their keys nor their cells ("offered" is no score) are checked.

# GX's unexpected_count for uniqueness: every row whose id repeats (run only when one does)
_DUPLICATES_SQL = f"""
SELECT sum(n)::BIGINT, arg_min(record_id, first_row, {N_EXAMPLES}), min(first_row, {N_EXAMPLES})
FROM (SELECT record_id, count(*) AS n, min(row_number) AS first_row FROM landed_rows
      WHERE status = 'loaded' AND record_id IS NOT NULL GROUP BY record_id HAVING count(*) > 1)
"""

# Answered cells (blank cells are not staged; NA codes are answers that are not scores), grouped by column
# only: comment and attribute columns are counted too and ignored, which is cheaper than filtering on metric.
_CELLS_SQL = f"""
SELECT column_name,
    count(*) FILTER (WHERE NOT is_na),
    count(*) FILTER (WHERE NOT is_na AND number IS NULL),
    min(row_number, {N_EXAMPLES}) FILTER (WHERE NOT is_na AND number IS NULL),
    count(*) FILTER (WHERE NOT is_na AND NOT number BETWEEN scale_min AND scale_max),
    min(row_number, {N_EXAMPLES}) FILTER (WHERE NOT is_na AND NOT number BETWEEN scale_min AND scale_max)
FROM landed_cells
ANTI JOIN (SELECT row_number FROM landed_rows WHERE reason = 'not_a_response') USING (row_number)
GROUP BY column_name
"""


def measure(con: duckdb.DuckDBPyConnection, source: Source) -> dict[str, Measured]:
    """Per check metric: the rows it applies to, the rows that fail it and the first failing ones, counted in
    DuckDB over the staged temp tables of the current file (landed_rows, landed_cells).

    The aggregates read only numbers, flags and column_name; the text of the example rows (their row
    message, or the cell's value) is fetched afterwards by row number, so no text column is read whole."""
    r = con.execute(_ROWS_SQL).fetchone()
    assert r is not None  # an aggregate without GROUP BY returns one row
    n_rows = r[0]
    out = {
        "rows:record_id": Measured(n_rows, r[1], example_rows=r[2] or []),
        "rows:respondent_id": Measured(n_rows, r[3], example_rows=r[4] or []),
        "rows:at_utc": Measured(n_rows, r[5], example_rows=r[6] or []),
        "rows:unique": _unique(con, r[7], r[8]),
    }
    cell_columns = [q.column for q in source.questions if q.metric in RATED] + list(source.measures)
    counted = {row[0]: row[1:] for row in con.execute(_CELLS_SQL).fetchall()} if cell_columns else {}
    for column in cell_columns:
        answered, unparsed, unparsed_rows, out_of_range, out_of_range_rows = counted.get(column, (0, 0, [], 0, []))
        out[f"parsed:{column}"] = Measured(answered, unparsed, example_rows=unparsed_rows or [])
        out[f"range:{column}"] = Measured(answered - unparsed, out_of_range, example_rows=out_of_range_rows or [])
    _examples(con, out)
    return out


def measure_core(con: duckdb.DuckDBPyConnection) -> dict[str, Measured]:
    """The counts of the checks that depend on core (CORE_METRICS), over temp table landed_rows as the file's fate
    against core left it: what the writer counts when a worker measured the rest of the file (cjx.scale)."""
    loaded, repeats = con.execute(_UNIQUE_SQL).fetchall()[0]
    return {"rows:unique": _unique(con, loaded, repeats)}


def _unique(con: duckdb.DuckDBPyConnection, loaded: int, repeats: int) -> Measured:
    """rows:unique from the loaded rows' count and how many of their ids repeat (the failing rows only then)."""
    if not repeats:
        return Measured(loaded, 0)
    dup = con.execute(_DUPLICATES_SQL).fetchall()[0]
    return Measured(loaded, dup[0] or 0, dup[1] or [], dup[2] or [])


def _examples(con: duckdb.DuckDBPyConnection, measured: dict[str, Measured]) -> None:
    """Fill in the failing values of the example rows: the row's message for row checks, the cell's text."""
    wanted = {int(n) for key, m in measured.items() if key != "rows:unique" for n in m.example_rows}
    if not wanted:
        return
    rows = ", ".join(map(str, sorted(wanted)))
    messages = dict(con.execute(f"SELECT row_number, message FROM landed_rows WHERE row_number IN ({rows})").fetchall())
    values = {
        (n, c): v
        for n, c, v in con.execute(
            f"SELECT row_number, column_name, value FROM landed_cells WHERE row_number IN ({rows})"
        ).fetchall()
    }
    for key, m in measured.items():
        kind, _, column = key.partition(":")
        if kind == "rows" and key != "rows:unique":
            m.examples = [messages.get(n) for n in m.example_rows]
        elif kind in ("parsed", "range"):
            m.examples = [values.get((n, column)) for n in m.example_rows]


def check_table(
    source: Source, measured: dict[str, Measured] | None = None, con: duckdb.DuckDBPyConnection | None = None
) -> tuple[list[Check], pd.DataFrame]:
    """The batch the suite validates: one row per check with its counts and failing share."""
    if measured is None:
        assert con is not None, "check_table needs the counts or a connection to count them on"
        measured = measure(con, source)
    cs = checks(source)
    frame = pd.DataFrame(
        {
            "check": [c.label for c in cs],
            "rule": [c.rule for c in cs],
            "element_count": [measured[c.metric].element_count for c in cs],
            "unexpected_count": [measured[c.metric].unexpected_count for c in cs],
            "failing_share": [measured[c.metric].share for c in cs],
        }
    )
    return cs, frame


def build_suite(source: Source, max_failing_share: float):
    """The expectation suite of one source: on its check table (one row per check, see `check_table`)."""
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    return gx.ExpectationSuite(
        name=f"cjx_{source.id}",
        expectations=[
            gxe.ExpectColumnValuesToBeBetween(
                column="failing_share",
                min_value=0,
                max_value=max_failing_share,
                row_condition=Column("rule") == "share",
                description=f"No check fails for more than {max_failing_share:.0%} of the rows it applies to (more is a "
                "systematic problem: date format, codebook, shifted column)",
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="unexpected_count",
                min_value=0,
                max_value=0,
                row_condition=Column("rule") == "every_row",
                description="Every-row checks (ids about to be loaded are unique) fail for no row",
            ),
        ],
    )


GX_IMPORT_MIB: Final = 160  # what importing great-expectations adds to the process (measured: 150 MiB)


def make_room_for_gx(con: duckdb.DuckDBPyConnection) -> None:
    """Before great-expectations is first imported (~150 MiB, on the first gated file), shrink DuckDB's pool so
    the import lands in the room DuckDB gives back; after the counts, which need the staged tables in memory."""
    fit_memory(con, reserve_mib=0 if "great_expectations" in sys.modules else GX_IMPORT_MIB)


_RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": ["check"]}


class BatchGate:
    """Runs each source's suite on staged batches; with `docs_dir`, keeps results for GX Data Docs there."""

    def __init__(self, docs_dir: Path | None = None) -> None:
        self.docs_dir = Path(docs_dir) if docs_dir else None
        self._context = None
        self._definitions: dict[str, tuple[float, object]] = {}

    @property
    def context(self):
        if self._context is None:
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig

            logging.getLogger("great_expectations").setLevel(logging.ERROR)
            warnings.filterwarnings("ignore", module="great_expectations")
            if self.docs_dir is not None:
                self.docs_dir.mkdir(parents=True, exist_ok=True)
                self._context = gx.get_context(mode="file", project_root_dir=str(self.docs_dir))
            else:
                self._context = gx.get_context(mode="ephemeral")
            self._context.variables.progress_bars = ProgressBarsConfig(globally=False)
        return self._context

    def _definition(self, source: Source, max_failing_share: float):
        """The source's validation definition, registered once per process (again when the threshold changes)."""
        share = float(max_failing_share)
        cached = self._definitions.get(source.id)
        if cached is None or cached[0] != share:
            import great_expectations as gx

            ctx = self.context
            try:
                datasource = ctx.data_sources.get("cjx")
            except (KeyError, LookupError, ValueError):
                datasource = ctx.data_sources.add_pandas("cjx")
            try:
                asset = datasource.get_asset(source.id)
            except LookupError:
                asset = datasource.add_dataframe_asset(source.id)
            try:
                batch_definition = asset.get_batch_definition("checks")
            except (KeyError, LookupError, ValueError):
                batch_definition = asset.add_batch_definition_whole_dataframe("checks")
            suite = ctx.suites.add_or_update(build_suite(source, share))
            cached = (
                share,
                ctx.validation_definitions.add_or_update(
                    gx.ValidationDefinition(name=f"cjx_{source.id}_staged", data=batch_definition, suite=suite)
                ),
            )
            self._definitions[source.id] = cached
        return cached[1]

    def validate(
        self,
        con: duckdb.DuckDBPyConnection,
        source: Source,
        file_name: str,
        file_id: str,
        *,
        max_failing_share: float = 0.5,
    ) -> GateOutcome:
        return self.judge(con, source, file_id, max_failing_share=max_failing_share).outcome(file_name, self.docs_dir)

    def judge(
        self,
        con: duckdb.DuckDBPyConnection,
        source: Source,
        file_id: str,
        *,
        max_failing_share: float = 0.5,
        local: bool = False,
    ) -> Verdict:
        """Count the checks on the staged temp tables and run the suite on the check table. `local`: a worker that
        staged the file without core (cjx.scale.partition) leaves the checks on CORE_METRICS out of the table GX
        validates; the writer recounts them against core (`Verdict.with_core`)."""
        measured = measure(con, source)  # in the pool the load had: the counts read the staged tables whole
        make_room_for_gx(con)
        from great_expectations.core.run_identifier import RunIdentifier

        cs, frame = check_table(source, measured)
        if local:
            frame = frame[[c.metric not in CORE_METRICS for c in cs]].reset_index(drop=True)
        validation = self._definition(source, max_failing_share)
        result = validation.run(
            batch_parameters={"dataframe": frame},
            result_format=_RESULT_FORMAT,
            run_id=RunIdentifier(run_name=safe_run_name(source, file_id)),
        )
        failing: set[str] = set()
        errors: list[str] = []
        for r in result.results:
            failing |= {u["check"] for u in (r.result or {}).get("unexpected_index_list") or []}
            if not r.success and not (r.result or {}).get("unexpected_index_list"):
                errors.append(_exception(r) or f"{r.expectation_config.type} did not succeed")
        secret = set(identifier_columns(source))  # no raw value of these in a message (issue 12)
        explained = {
            c.label: _explain(con, source, file_id, c, measured[c.metric], secret) for c in cs if c.label in failing
        }
        return Verdict(
            f"cjx_{source.id}",
            cs,
            measured,
            failing,
            errors,
            bool(result.success),
            explained,
            max_failing_share,
            pickle.dumps(result) if local else None,  # unpickled only for Data Docs: the writer imports GX late
        )

    def keep_result(self, source: Source, verdict: Verdict) -> None:
        """Put a validation result made in another process (a worker's in-memory context: `judge(local=True)`) into
        this gate's store, so that Data Docs show it as if this gate had run it; nothing without a docs folder."""
        if self.docs_dir is None or verdict.result is None:
            return
        result = pickle.loads(verdict.result)  # made by judge() in this run's own workers
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
            ValidationResultIdentifier,
        )

        self._definition(source, verdict.max_failing_share)  # the suite in this gate's store, for the docs
        batch = result.meta.get("active_batch_definition") or {}
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=verdict.suite_name),
            run_id=result.meta["run_id"],
            batch_identifier=f"{batch.get('datasource_name', 'cjx')}-{batch.get('data_asset_name', source.id)}",
        )
        self.context.validation_results_store.set(key, result)

    def build_docs(self) -> Path | None:
        """Render GX Data Docs (their images local, cjx.ingest.data_docs); return the index page, or None without a
        docs folder."""
        if self.docs_dir is None or self._context is None:
            return None
        from cjx.ingest.data_docs import localise_assets

        self._context.build_data_docs()
        site = self.docs_dir / "gx" / "uncommitted" / "data_docs" / "local_site"
        localise_assets(site)  # no beacon to GX's S3 bucket in the pages (cjx.ingest.data_docs)
        index = site / "index.html"
        return index if index.exists() else None


@dataclass
class Verdict:
    """What the gate made of one staged file before it is worded: the checks, their counts, the checks GX found
    failing, GX's errors and overall success, and each failing check in words. Plain values, so that a worker can
    judge a file and the writer finish it (`with_core`, then `outcome`)."""

    suite_name: str
    checks: list[Check]
    measured: dict[str, Measured]
    failing: set[str]  # labels of the failing checks
    errors: list[str]  # expectations GX could not evaluate
    success: bool
    explained: dict[str, str]  # label -> the failing check in words (cjx.ingest.explain.gate_failure)
    max_failing_share: float
    result: bytes | None = None  # a worker's GX validation result, pickled, for the writer's Data Docs (keep_result)

    def with_core(self, con: duckdb.DuckDBPyConnection, source: Source, file_id: str) -> Verdict:
        """This verdict of a file judged without core (`judge(local=True)`), completed by the checks that depend on
        core, counted in SQL on `con` (measure_core) and judged by the suite's own rule: a 'share' check fails above
        max_failing_share, an 'every_row' check on a single row."""
        measured = {**self.measured, **measure_core(con)}
        core = [c for c in self.checks if c.metric in CORE_METRICS]
        failing = {label for label in self.failing if label not in {c.label for c in core}}
        failing |= {c.label for c in core if _fails(c, measured[c.metric], self.max_failing_share)}
        secret = set(identifier_columns(source))
        explained = {k: v for k, v in self.explained.items() if k in failing}
        explained |= {
            c.label: _explain(con, source, file_id, c, measured[c.metric], secret) for c in core if c.label in failing
        }
        success = self.success and not any(c.label in failing for c in core)
        return Verdict(
            self.suite_name,
            self.checks,
            measured,
            failing,
            self.errors,
            success,
            explained,
            self.max_failing_share,
            self.result,
        )

    def outcome(self, file_name: str, docs_dir: Path | None = None) -> GateOutcome:
        """ops.validations rows (one per check) and, when the batch failed, the one-line reason."""
        cs, measured, share = self.checks, self.measured, self.max_failing_share
        rows = [_row(self.suite_name, c, measured[c.metric], c.label not in self.failing, share) for c in cs]
        message = ""
        if not self.success:
            failed = [(c, measured[c.metric]) for c in cs if c.label in self.failing]
            parts = [
                self.explained[c.label] + f" (GX {c.label}: {m.unexpected_count} of {m.element_count} rows fail)"
                for c, m in failed
            ]
            why = []
            if any(c.rule == "share" for c, _ in failed):
                why.append(
                    f"More than {share:.0%} of the rows fail a check, so the problem is the file "
                    "or the journey config (date format, codebook, columns), not single rows"
                )
            if any(c.rule == "every_row" for c, _ in failed):
                why.append("Ids about to be loaded must be unique in every row")
            if self.errors:
                parts.append("great-expectations could not evaluate the suite: " + " / ".join(self.errors))
            message = (
                f"{file_name}: failed the batch gate (suite {self.suite_name}): "
                + "; ".join(parts)
                + ". "
                + ". ".join(why + ["Fix it and run again"])
                + (f"; details in GX Data Docs under {docs_dir}" if docs_dir else "")
                + "."
            )
            message = " ".join(message.split())  # one line
        return GateOutcome(success=self.success, rows=rows, message=message)


def _fails(check: Check, m: Measured, max_failing_share: float) -> bool:
    """The suite's rule for one check row (build_suite): share at most max_failing_share, or no failing row."""
    return m.share > max_failing_share if check.rule == "share" else m.unexpected_count != 0


def _explain(
    con: duckdb.DuckDBPyConnection, source: Source, file_id: str, check: Check, m: Measured, secret: set[str]
) -> str:
    return gate_failure(
        con, source, file_id, check.metric, m.unexpected_count, m.element_count, m.example_rows, m.examples, secret
    )


def safe_run_name(source: Source, file_id: str) -> str:
    """The GX run name of one gated batch: ids only, never the inbox file name.

    GX Data Docs put the run name into HTML unescaped and into its store's file paths, so a file named
    `<img src=x onerror=alert(1)>.csv` would run in the Data Docs page, and `../` would write outside them.
    Source ids are [A-Za-z0-9_-] (the journey model); the file id is 16 hex digits of the content hash
    (ops.ingest_files.file_id says which file it was); anything else is replaced, whatever a caller passes.
    """
    return re.sub(r"[^A-Za-z0-9_-]", "_", f"{source.id}-{file_id}")


def _row(suite_name: str, check: Check, m: Measured, success: bool, max_failing_share: float) -> dict:
    details = dict(check.kwargs)
    details["rule"] = check.rule
    details["max_failing_share"] = max_failing_share if check.rule == "share" else 0.0
    details["partial_unexpected_list"] = [_plain(v) for v in m.examples]
    details["unexpected_rows"] = [int(v) for v in m.example_rows]
    return {
        "suite_name": suite_name,
        "expectation": check.expectation,
        "column_name": check.column,
        "success": success,
        "element_count": int(m.element_count),
        "unexpected_count": int(m.unexpected_count),
        "unexpected_share": m.share if m.element_count else None,
        "details": details,
    }


def _exception(r) -> str:
    for info in [r.exception_info or {}, *(r.exception_info or {}).values()]:
        if isinstance(info, dict) and info.get("raised_exception"):
            return str(info.get("exception_message", "")).splitlines()[0][:200]
    return ""


def _plain(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


@lru_cache(maxsize=1)
def default_gate() -> BatchGate:
    """One in-memory gate per process (no Data Docs): what ingest_file uses unless told otherwise."""
    return BatchGate()


def docs_dir_for(db_path: Path) -> Path:
    """Where the pipeline keeps GX's project and Data Docs: beside the database."""
    return Path(db_path).parent
