"""Issue 18 item 6: the long steps of scoring report progress (per revisit and per batch of resamples) in the run's
own log, which is what `cjx run` prints and the Prefect UI shows, not only in the cjx log."""

from __future__ import annotations

import uuid
from contextlib import closing

from cjx.store import connect


def _flow_runs(db) -> list[str]:  # type: ignore[no-untyped-def]
    """This database's own flow runs (other tests run flows on the same test server)."""

    def is_uuid(text: str) -> bool:
        try:
            uuid.UUID(text)
        except ValueError:
            return False
        return True

    with closing(connect(db, read_only=True)) as con:
        return [r[0] for r in con.execute("SELECT run_id FROM ops.runs").fetchall() if is_uuid(r[0])]


def test_the_score_task_logs_progress_per_revisit_and_resample_batch(sample_run):
    import httpx
    from prefect.settings import PREFECT_API_URL

    db, _, _ = sample_run
    flow_runs = _flow_runs(db)
    assert flow_runs
    # the REST endpoint directly, as the artifact test does (this Prefect client sends nulls the filter rejects)
    logs: list[dict] = []
    while True:  # the API gives at most 200 a page
        response = httpx.post(
            f"{PREFECT_API_URL.value()}/logs/filter",
            json={
                "logs": {"flow_run_id": {"any_": flow_runs}},
                "sort": "TIMESTAMP_ASC",
                "limit": 200,
                "offset": len(logs),
            },
        )
        response.raise_for_status()
        page = response.json()
        logs += page
        if len(page) < 200:
            break
    messages = [entry["message"] for entry in logs]
    # Independent count: outcome-survey responses with an outcome answer in each revisit, straight from core.
    with closing(connect(db, read_only=True)) as con:
        expected = con.execute(
            """
            SELECT v.revisit_id, count(DISTINCT a.response_id)
            FROM core.answers a
            JOIN core.questions q ON q.source_id = a.source_id AND q.column_name = a.column_name AND q.is_outcome
            JOIN core.responses r ON r.source_id = a.source_id AND r.response_id = a.response_id
            JOIN core.revisits v ON r.responded_at >= v.start_date AND r.responded_at < v.end_date + INTERVAL 1 DAY
            WHERE NOT a.is_na
            GROUP BY ALL ORDER BY min(v.start_date)
            """
        ).fetchall()
        resamples = con.execute("SELECT bootstrap_resamples FROM core.journey").fetchall()[0][0]
        segment_cells = con.execute(
            "SELECT DISTINCT revisit_id, segment_id, segment_value FROM marts.segment_importance ORDER BY ALL"
        ).fetchall()
    for i, (revisit, n) in enumerate(expected, 1):
        line = f"importance {revisit} (revisit {i}/{len(expected)}): {n:,} respondents"
        assert line in messages, (line, messages)
    # importance per segment value (the longest part of the step on a large survey) is reported in the run's log too
    assert segment_cells, "the sample has importance per segment value: the check below can fail"
    for revisit, segment, value in segment_cells:
        prefix = f"segment importance {revisit} {segment}={value}: "
        assert any(m.startswith(prefix) for m in messages), (prefix, messages)
    # every revisit whose importance was estimated reports its resample batches, the last one at resamples/resamples
    batches = [m for m in messages if ": resamples " in m]
    assert batches and all(m.startswith("importance ") for m in batches)
    assert any(f"resamples {resamples}/{resamples} (" in m for m in batches)
    # they come from the score task's own run logger (so the console handler of `cjx run` prints them)
    progress = [entry for entry in logs if entry["message"] in batches]
    assert all(entry["task_run_id"] for entry in progress)


def test_one_score_step_reads_and_pivots_the_answers_for_importance_once(sample_run, sample_dir, tmp_path, monkeypatch):
    """The journey's importance, the segments' and the last two revisits' comparison share one read of the driver
    frames (cjx.metrics.drivers.DriverFrames): each used to read and pivot every answer again (12 of the 66 s of the
    score step at 10 M answers). The marts come out as the flow's run built them."""
    import shutil

    import cjx.metrics.drivers
    from cjx import pipeline

    db, _, _ = sample_run
    copy = tmp_path / "cjx.duckdb"
    shutil.copy(db, copy)
    calls: list[list[str]] = []
    read = cjx.metrics.drivers.driver_frames

    def counted(con, revisits):  # type: ignore[no-untyped-def]
        calls.append(list(revisits))
        return read(con, revisits)

    monkeypatch.setattr(cjx.metrics.drivers, "driver_frames", counted)
    marts = {"touchpoint_importance": "touchpoint_importance", "segment_importance": "segment_importance"}
    marts["importance_changes"] = "revisit_importance_changes"
    ws = pipeline.open_workspace(sample_dir / "journey.yml", copy, tmp_path / "reports")
    scored = pipeline.score(ws).as_dict()
    with closing(connect(db, read_only=True)) as con:
        revisits = [r for (r,) in con.execute("SELECT revisit_id FROM core.revisits ORDER BY start_date").fetchall()]
        before = {m: con.execute(f"SELECT count(*) FROM marts.{t}").fetchall()[0][0] for m, t in marts.items()}
    assert calls == [revisits]
    assert all(before[m] > 0 and scored[m] == before[m] for m in marts), (before, scored)
