"""End to end: the pipeline flow on data/sample, checked against the files themselves and the planted truth."""

from __future__ import annotations

import json
from contextlib import closing
from html.parser import HTMLParser
from urllib.parse import urlparse

import pandas as pd
import pytest
from typer.testing import CliRunner

from cjx.journey import load_journey
from cjx.store import connect
from flows.cli import app
from tests.conftest import SAMPLE

JOURNEY = load_journey(SAMPLE / "journey.yml").journey
PLANTED = json.loads((SAMPLE / "planted_truth.json").read_text())
REVISITS = [(r.id, pd.Timestamp(r.start), pd.Timestamp(r.end) + pd.Timedelta(days=1)) for r in JOURNEY.revisits]


def _revisit(ts: pd.Series) -> pd.Series:
    out = pd.Series(pd.NA, index=ts.index, dtype="object")
    for rid, start, end in REVISITS:
        out[(ts >= start) & (ts < end)] = rid
    return out


def _direct_answers() -> pd.DataFrame:
    """Rated answers per (source, response, touchpoint) computed with pandas straight from the sample files."""
    frames = []
    rel = JOURNEY.source("relationship")
    for path in sorted(SAMPLE.glob(rel.files)):
        df = pd.read_csv(path, skiprows=[1, 2], dtype=str, keep_default_na=False)
        at = (
            pd.to_datetime(df["RecordedDate"])
            .dt.tz_localize("Europe/Copenhagen")
            .dt.tz_convert("UTC")
            .dt.tz_localize(None)
        )
        for q in rel.questions:
            if q.touchpoint:
                frames.append(
                    pd.DataFrame(
                        {
                            "source": "relationship",
                            "response": df["ResponseId"],
                            "at": at,
                            "touchpoint": q.touchpoint,
                            "metric": "csat",
                            "raw": df[q.column],
                        }
                    )
                )
    for source_id, column, metric, touchpoint in (
        ("delivery_pulse", "csat", "csat", "parcel_delivery"),
        ("service_ces", "ces", "ces", "customer_service"),
    ):
        df = pd.concat(
            [
                pd.read_csv(p, dtype=str, keep_default_na=False)
                for p in sorted(SAMPLE.glob(JOURNEY.source(source_id).files))
            ]
        )
        at = pd.to_datetime(df["submitted_at"], errors="coerce", utc=True).dt.tz_localize(None)
        scale = JOURNEY.source(source_id).questions[0].scale
        value = pd.to_numeric(df[column], errors="coerce")
        valid = (df["response_id"] != "") & at.notna() & (value.between(scale.min, scale.max) | (value == 99))
        df, at = df[valid], at[valid]
        keep = ~df["response_id"].duplicated()
        frames.append(
            pd.DataFrame(
                {
                    "source": source_id,
                    "response": df["response_id"][keep],
                    "at": at[keep],
                    "touchpoint": touchpoint,
                    "metric": metric,
                    "raw": df[column][keep],
                }
            )
        )
    # The Danish Excel export: cp1252, sep= line, semicolons, Danish labels ("Ved ikke" is N/A), local times.
    labels = {
        "Meget utilfreds": "1",
        "Utilfreds": "2",
        "Hverken tilfreds eller utilfreds": "3",
        "Tilfreds": "4",
        "Meget tilfreds": "5",
        "Ved ikke": "",
    }
    dk = JOURNEY.source("delivery_survey_dk")
    for path in sorted(SAMPLE.glob(dk.files)):
        df = pd.read_csv(path, sep=";", skiprows=1, dtype=str, keep_default_na=False, encoding="cp1252")
        at = (
            pd.to_datetime(df["Dato"], format="%d-%m-%Y %H:%M")
            .dt.tz_localize("Europe/Copenhagen")
            .dt.tz_convert("UTC")
            .dt.tz_localize(None)
        )
        frames.append(
            pd.DataFrame(
                {
                    "source": dk.id,
                    "response": df["Svar-ID"],
                    "at": at,
                    "touchpoint": dk.touchpoint,
                    "metric": "csat",
                    "raw": df["Tilfredshed med leveringen"].map(labels),
                }
            )
        )
    answers = pd.concat(frames, ignore_index=True)
    answers = answers[~answers["raw"].isin(["", "-99", "99"])]
    answers["value"] = answers["raw"].astype(float)
    answers["revisit"] = _revisit(answers["at"])
    return answers.dropna(subset=["revisit"])


@pytest.fixture(scope="module")
def mart(sample_run) -> pd.DataFrame:
    db, _, _ = sample_run
    with closing(connect(db, read_only=True)) as con:
        return con.execute("SELECT * FROM marts.touchpoint_scorecard").df()


def test_one_row_per_touchpoint_and_revisit(mart):
    assert len(mart) == len(JOURNEY.touchpoints) * len(JOURNEY.revisits) == 33
    assert not mart.duplicated(["touchpoint_id", "revisit_id"]).any()


def test_scorecard_numbers_equal_direct_computation_from_files(mart):
    answers = _direct_answers()
    csat = answers[answers.metric == "csat"].groupby(["touchpoint", "revisit"])["value"]
    ces = answers[answers.metric == "ces"].groupby(["touchpoint", "revisit"])["value"]
    expected = pd.DataFrame(
        {
            "n_csat": csat.size(),
            "csat_mean": csat.mean(),
            "csat_top2_share": csat.apply(lambda v: (v >= 4).mean()),
        }
    ).join(
        pd.DataFrame(
            {"n_ces": ces.size(), "ces_mean": ces.mean(), "ces_easy_share": ces.apply(lambda v: (v > 4).mean())}
        ),
        how="outer",
    )
    expected["n_responses"] = answers.groupby(["touchpoint", "revisit"]).apply(
        lambda g: g[["source", "response"]].drop_duplicates().shape[0]
    )
    got = mart.set_index(["touchpoint_id", "revisit_id"]).loc[expected.index]
    for column in expected.columns:
        want = expected[column].fillna(0) if column.startswith("n_") else expected[column]
        pd.testing.assert_series_equal(
            got[column].astype(float), want.astype(float), check_names=False, check_index=False, rtol=1e-9
        )
    assert expected.loc[("customer_service", "2026-Q1"), "n_ces"] > 100  # the CES survey really was counted


def test_planted_worsening_of_the_critical_touchpoint_shows(mart):
    worse = PLANTED["worsened"]
    tp = mart.set_index(["touchpoint_id", "revisit_id"])
    before = tp.loc[(worse["touchpoint"], worse["from_revisit"])]
    after = tp.loc[(worse["touchpoint"], worse["to_revisit"])]
    assert before.is_critical
    assert after.csat_top2_share < before.csat_top2_share - 0.10
    others = [t for t in PLANTED["unchanged_touchpoints"] if t not in PLANTED["low_base_touchpoints"]]
    shifts = [
        abs(tp.loc[(t, worse["to_revisit"])].csat_top2_share - tp.loc[(t, worse["from_revisit"])].csat_top2_share)
        for t in others
    ]
    assert max(shifts) < before.csat_top2_share - after.csat_top2_share


def test_planted_low_base_touchpoint_is_flagged(mart):
    flagged = mart[mart.is_low_base]
    assert set(flagged.touchpoint_id) == set(PLANTED["low_base_touchpoints"])
    assert (mart[mart.touchpoint_id.isin(PLANTED["low_base_touchpoints"])].is_low_base).all()


def test_every_file_accounts_for_every_row(sample_run):
    db, _, _ = sample_run
    with closing(connect(db, read_only=True)) as con:
        files = con.execute("SELECT * FROM marts.data_quality").df().set_index("file_name")
    assert (files.status == "loaded").all()
    assert (files.rows_read == files.rows_loaded + files.rows_quarantined + files.rows_duplicate).all()
    for name, truth in PLANTED["data_quality"].items():
        f = files.loc[name.rsplit("/", 1)[-1]]
        assert f.rows_read == truth["rows"], name
        assert f.rows_quarantined == truth["out_of_range"] + truth["missing_response_id"] + truth["bad_timestamp"], name
    # a re-export repeating responses with the same recorded time: the later file's row wins (issue 11 item 8),
    # so the planted repeats are counted as duplicates on the earlier file they supersede
    planted = {n.rsplit("/", 1)[-1]: t["duplicates"] for n, t in PLANTED["data_quality"].items()}
    assert files.rows_duplicate.sum() == sum(planted.values()) > 0
    assert files.loc["delivery_pulse_2026-Q1.csv"].rows_duplicate == planted["delivery_pulse_2026-Q2.csv"]


def test_no_raw_email_is_stored(sample_run):
    db, _, _ = sample_run
    with closing(connect(db, read_only=True)) as con:
        columns = con.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
            "WHERE data_type IN ('VARCHAR', 'JSON') AND NOT internal"
        ).fetchall()
        for schema, table, column in columns:
            n = con.execute(
                f'SELECT count(*) FROM {schema}."{table}" WHERE "{column}"::VARCHAR LIKE \'%@example.%\''
            ).fetchone()[0]
            assert n == 0, f"{schema}.{table}.{column}"


def test_scorecards_are_written_per_revisit_and_self_contained(sample_run):
    _, reports, result = sample_run
    assert sorted(p.rsplit("/", 1)[1] for p in result["scorecards"]) == [
        f"scorecard_{r.id}.html" for r in JOURNEY.revisits
    ]
    html = (reports / "scorecard_2026-Q3.html").read_text()
    assert _external_resources(html) == []  # plotly.js is one shared file beside the pages: the page opens offline
    local = [v for _, v in _links(html)]
    assert local and all((reports / v).exists() for v in local)  # owner pages and downloads are there
    for tp in JOURNEY.touchpoints:
        assert tp.name in html and tp.owner in html


def _links(html: str) -> list[tuple[str, str]]:
    """(attribute, value) of every src/href of the page's own tags (script bodies are not parsed as tags)."""
    found: list[tuple[str, str]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.extend((k, v) for k, v in attrs if k in ("src", "href") and v and not v.startswith("#"))

    Collector().feed(html)
    return found


def _external_resources(html: str) -> list[str]:
    """What the page would fetch from the network: any src or href with a scheme or host, or an absolute path
    (a relative src is a file beside the page; the caller checks it exists)."""
    return [v for _, v in _links(html) if urlparse(v).scheme or v.startswith("/")]


def _snapshot(db) -> dict:
    """Every table's rows (ingest times aside), to compare two runs."""
    with closing(connect(db, read_only=True)) as con:
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            # the logs of what each run did (runs, files skipped as seen before) grow by design
            "WHERE (schema_name, table_name) NOT IN (('ops', 'runs'), ('ops', 'skipped_files')) ORDER BY ALL"
        ).fetchall()
        out = {}
        for schema, table in tables:
            df = (
                con.execute(f'SELECT * FROM {schema}."{table}"')
                .df()
                .drop(columns=["ingested_at", "applied_at"], errors="ignore")
            )
            out[f"{schema}.{table}"] = sorted(map(repr, df.itertuples(index=False)))
        return out


def test_second_run_through_the_cli_changes_nothing(sample_run, sample_dir):
    db, reports, _ = sample_run
    before = _snapshot(db)
    result = CliRunner().invoke(
        app, ["run", "--journey", str(sample_dir / "journey.yml"), "--db", str(db), "--reports", str(reports)]
    )
    assert result.exit_code == 0, result.output
    assert "Touchpoint scorecard, revisit 2026-Q3" in result.output and "nothing new" in result.output
    assert "Parcel delivery" in result.output and "scorecard: " in result.output
    after = _snapshot(db)
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], table
    assert len(before["core.responses"]) > 2000


def _mart(db, sql: str, params=None) -> pd.DataFrame:
    with closing(connect(db, read_only=True)) as con:
        return con.execute(sql, params or []).df()


def test_importance_recovers_the_planted_order(sample_run):
    from scipy.stats import spearmanr

    db, _, _ = sample_run
    importance = _mart(db, "SELECT * FROM marts.touchpoint_importance WHERE method = 'lmg'")
    weights = PLANTED["importance_weights"]
    for revisit_id, got in importance.groupby("revisit_id"):
        rho = spearmanr(got.importance, [weights[t] for t in got.touchpoint_id]).statistic
        assert rho >= 0.8, (revisit_id, rho)
        assert got.importance.sum() == pytest.approx(got.r2.iloc[0])
        assert ((got.ci_low <= got.importance) & (got.importance <= got.ci_high)).all()
    # touchpoints under the minimum base get no importance rather than a number resting on a few answers
    assert not set(PLANTED["low_base_touchpoints"]) & set(importance.touchpoint_id)


def test_planted_weak_critical_touchpoint_is_concentrate_here_and_first(sample_run):
    db, _, _ = sample_run
    worse = PLANTED["worsened"]
    top = _mart(
        db,
        "SELECT touchpoint_id, quadrant, is_critical FROM marts.touchpoint_priority "
        "WHERE revisit_id = ? AND priority_rank = 1",
        [worse["to_revisit"]],
    )
    assert top.to_dict("records") == [
        {"touchpoint_id": worse["touchpoint"], "quadrant": "Concentrate here", "is_critical": True}
    ]


def test_planted_delay_effect_is_detected_with_the_right_sign(sample_run):
    db, _, _ = sample_run
    effects = _mart(
        db,
        "SELECT * FROM marts.measure_effects WHERE measure = 'delay_minutes' "
        "AND target_touchpoint_id = 'parcel_delivery'",
    )
    assert len(effects) == len(JOURNEY.revisits)
    assert (effects.slope_ci_high < 0).all() and (effects.spearman_rho < 0).all()


def test_pulse_responses_are_attributed_to_their_own_delivery(sample_run):
    db, _, _ = sample_run
    pairs = _mart(
        db,
        """
        SELECT p.order_id AS surveyed_order, d.order_id AS attributed_order,
               d.delivered_at AS attributed_at, s.delivered_at AS surveyed_at
        FROM core.response_touchpoints rt
        JOIN raw.delivery_pulse p ON p.response_id = rt.response_id
        JOIN core.responses r ON r.source_id = rt.source_id AND r.response_id = rt.response_id
             AND r.file_id = p.file_id AND r.row_number = p.row_number
        JOIN raw.deliveries d ON d.delivery_id = rt.event_id
        JOIN raw.deliveries s ON s.order_id = p.order_id
        WHERE rt.source_id = 'delivery_pulse'""",
    )
    assert len(pairs) > 1000
    same = pairs.surveyed_order == pairs.attributed_order
    assert same.mean() > 0.95
    # the rule takes the latest delivery: where it is not the surveyed one, a later delivery came in between
    other = pairs[~same]
    assert (pd.to_datetime(other.attributed_at) > pd.to_datetime(other.surveyed_at)).all()
    assert _mart(db, "SELECT count(*) AS n FROM marts.unmapped_responses").n[0] == 0


def test_reach_equals_direct_computation_from_operational_files(sample_run):
    db, _, _ = sample_run
    orders = pd.read_csv(SAMPLE / "operations" / "orders.csv")
    deliveries = pd.read_csv(SAMPLE / "operations" / "deliveries.csv")
    tickets = pd.read_csv(SAMPLE / "operations" / "tickets.csv")
    events = pd.concat(
        [
            pd.DataFrame({"who": orders.customer_email, "at": orders.ordered_at, "tp": "web_checkout"}),
            pd.DataFrame({"who": deliveries.customer_email, "at": deliveries.delivered_at, "tp": "parcel_delivery"}),
            pd.DataFrame({"who": tickets.customer_email, "at": tickets.opened_at, "tp": "customer_service"}),
        ]
    )
    events["revisit"] = _revisit(pd.to_datetime(events["at"], utc=True).dt.tz_localize(None))
    reach = _mart(
        db, "SELECT revisit_id, touchpoint_id, reach FROM marts.touchpoint_reach WHERE reach_basis = 'events'"
    )
    for row in reach.itertuples():
        in_revisit = events[events.revisit == row.revisit_id]
        expected = in_revisit[in_revisit.tp == row.touchpoint_id].who.nunique() / in_revisit.who.nunique()
        assert row.reach == pytest.approx(expected), row
    assert len(reach) == 3 * len(JOURNEY.revisits)


def test_observed_paths_show_loops(sample_run):
    db, _, _ = sample_run
    paths = _mart(db, "SELECT * FROM marts.journey_paths")
    repeats = paths[(paths.from_touchpoint_id == "customer_service") & paths.is_repeat]
    assert len(repeats) == len(JOURNEY.revisits) and (repeats.n_transitions > 10).all()
    assert paths[paths.is_loop_back].n_transitions.sum() > 0
