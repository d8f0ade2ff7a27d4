"""Runs that say what went wrong: a source without rows for the latest revisit ends `completed with warnings`
(summary, Prefect artifact, ops.runs), and the journey's alerts reach a webhook (a receiver on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import copy
import json
import shutil
import threading
from contextlib import closing
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import SAMPLE

PLANTED = json.loads((SAMPLE / "planted_truth.json").read_text())


class Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        Receiver.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def webhook():
    server = HTTPServer(("127.0.0.1", 0), Receiver)  # a free port chosen now
    Receiver.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", Receiver.received
    server.shutdown()
    server.server_close()


def _journey(work: Path, webhook_url: str) -> Path:
    """The delivery pulse over the two revisits the planted drop spans, plus a second pulse whose inbox is
    empty; alerts to the webhook on a critical drop and on a source silent for a day."""
    journey = yaml.safe_load((SAMPLE / "journey.yml").read_text())
    pulse = next(s for s in journey["sources"] if s["id"] == "delivery_pulse")
    pulse.pop("touchpoint_from_event")
    pulse["touchpoint"] = "parcel_delivery"
    silent = copy.deepcopy(pulse)
    silent.update(id="carrier_pulse", files="inbox/carrier_pulse/*.csv")
    journey["sources"] = [pulse, silent]
    journey["outcome"] = None
    journey["settings"]["bootstrap_resamples"] = 50
    journey["alerts"] = {"webhook_url": webhook_url, "critical_drop": True, "silent_days": 1}
    (work / "surveys").mkdir(parents=True)
    (work / "inbox" / "carrier_pulse").mkdir(parents=True)
    worsened = PLANTED["worsened"]
    for revisit in (worsened["from_revisit"], worsened["to_revisit"]):
        shutil.copy(SAMPLE / "surveys" / f"delivery_pulse_{revisit}.csv", work / "surveys")
    path = work / "journey.yml"
    path.write_text(yaml.safe_dump(journey, sort_keys=False, allow_unicode=True))
    return path


def test_a_silent_source_ends_the_run_with_warnings_everywhere_and_alerts_reach_the_webhook(
    sample_run, tmp_path, webhook
):
    # sample_run first: Prefect's console log handler keeps the stream of the first flow run in the process, and
    # CliRunner closes its stream when it returns (later in-process flow runs would then fail to log)
    url, received = webhook
    journey = _journey(tmp_path, url)
    db = tmp_path / "cjx.duckdb"
    result = CliRunner().invoke(
        app, ["run", "--journey", str(journey), "--db", str(db), "--reports", str(tmp_path / "reports")]
    )
    assert result.exit_code == 0, result.output
    latest = PLANTED["worsened"]["to_revisit"]
    expected = f"source 'carrier_pulse' got no rows for the latest revisit {latest} ("
    # the summary
    assert any(line.startswith(f"warning: {expected}") for line in result.output.splitlines()), result.output
    # ops.runs, in the published copy too
    for path in (db, tmp_path / "published" / "cjx.duckdb"):
        with closing(duckdb.connect(str(path), read_only=True)) as con:
            ((status, warnings),) = con.execute("SELECT status, warnings FROM ops.runs").fetchall()
        assert status == "completed with warnings"
        assert len(warnings) == 1 and warnings[0].startswith(expected)
    # the Prefect artifact
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    async def artifacts():
        async with get_client() as client:
            return await client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["run-warnings"]))
            )

    (artifact, *_) = sorted(asyncio.run(artifacts()), key=lambda a: a.created, reverse=True)
    assert "completed with warnings" in artifact.data and expected in artifact.data
    # the alerts: the planted drop of a critical touchpoint, and the silent source
    titles = {a["title"]: a["text"] for a in received}
    drop = next(text for title, text in titles.items() if "critical touchpoint" in title)
    planted = next(
        t for t in yaml.safe_load(journey.read_text())["touchpoints"] if t["id"] == PLANTED["worsened"]["touchpoint"]
    )
    assert planted["critical"] and drop.startswith(f"{planted['name']} ({planted['owner']}, critical): csat_")
    assert f"in {PLANTED['worsened']['from_revisit']} -> " in drop and "significantly worse" in drop
    silent = next(text for title, text in titles.items() if "silent" in title)
    assert silent == "source 'carrier_pulse' has never had a file with rows"
    assert len(received) == 2


def test_a_run_where_every_source_has_rows_completes_without_warnings(tmp_path):
    from cjx import pipeline

    journey = yaml.safe_load((SAMPLE / "journey.yml").read_text())
    journey["sources"] = [s for s in journey["sources"] if s["id"] == "delivery_pulse"]
    journey["sources"][0].pop("touchpoint_from_event")
    journey["sources"][0]["touchpoint"] = "parcel_delivery"
    journey["outcome"] = None
    journey["settings"]["bootstrap_resamples"] = 50
    (tmp_path / "surveys").mkdir()
    shutil.copy(SAMPLE / "surveys" / "delivery_pulse_2026-Q3.csv", tmp_path / "surveys")
    (tmp_path / "journey.yml").write_text(yaml.safe_dump(journey, sort_keys=False, allow_unicode=True))
    ws = pipeline.open_workspace(tmp_path / "journey.yml", tmp_path / "cjx.duckdb", tmp_path / "reports")
    result = pipeline.run(ws)
    assert (result.status, result.warnings) == ("completed", [])
