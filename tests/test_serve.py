"""`cjx serve` really runs the pipeline on its cron, and every Prefect server cjx starts stops with it.

These tests start the real `cjx` command as a child process (signals need a process of their own), with the
Prefect server on a free port chosen at runtime and its data in the test's folder.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import yaml

from tests.conftest import SAMPLE

CJX = str(Path(sys.executable).with_name("cjx"))
SERVER_LINE = re.compile(r"Prefect server (http://127\.0\.0\.1:\d+) \(pid (\d+);")


def _one_minute_journey(work: Path) -> Path:
    """The delivery pulse alone (one export, touchpoint fixed), on a cron that fires every minute."""
    journey = yaml.safe_load((SAMPLE / "journey.yml").read_text())
    journey["sources"] = [s for s in journey["sources"] if s["id"] == "delivery_pulse"]
    journey["sources"][0].pop("touchpoint_from_event")
    journey["sources"][0]["touchpoint"] = "parcel_delivery"
    journey["outcome"] = None
    journey["settings"]["bootstrap_resamples"] = 50
    journey["schedule"] = {"cron": "* * * * *", "timezone": "Europe/Copenhagen"}
    (work / "surveys").mkdir(parents=True)
    shutil.copy(SAMPLE / "surveys" / "delivery_pulse_2026-Q1.csv", work / "surveys")
    path = work / "journey.yml"
    path.write_text(yaml.safe_dump(journey, sort_keys=False, allow_unicode=True))
    return path


def _env(work: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(
        {
            "CJX_PREFECT_HOME": str(work / ".cjx" / "prefect"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_SERVER_UI_ENABLED": "false",  # the UI plays no part in scheduling; it only slows the start
            "CJX_PSEUDONYM_KEY": "test-key-not-secret",
            **extra,
        }
    )
    return env


class Cjx:
    """A `cjx` command running as a child process, its stderr read line by line as it comes."""

    def __init__(self, args: list[str], work: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [CJX, *args], cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.put(line)

    def wait_for(self, pattern: re.Pattern[str] | str, within: float) -> re.Match[str]:
        deadline = time.monotonic() + within
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                assert self.proc.poll() is None, f"cjx exited ({self.proc.returncode}):\n{''.join(self.seen)}"
                continue
            self.seen.append(line)
            if match := regex.search(line):
                return match
        raise AssertionError(f"no {regex.pattern!r} within {within:.0f} s:\n{''.join(self.seen[-40:])}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (children, their children, ...), from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(text.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state != "Z"  # a zombie has exited; only its parent's wait() is missing


def wait_gone(pids: set[int], within: float) -> set[int]:
    deadline = time.monotonic() + within
    while (left := {p for p in pids if alive(p)}) and time.monotonic() < deadline:
        time.sleep(0.5)
    return left


def completed_flow_runs(api_url: str) -> list[dict]:
    response = httpx.post(
        f"{api_url}/flow_runs/filter",
        json={"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}, "limit": 10},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()


@pytest.mark.slow  # waits for the next minute
def test_serve_runs_the_pipeline_on_a_one_minute_cron_and_ctrl_c_stops_everything(tmp_path):
    journey = _one_minute_journey(tmp_path)
    db = tmp_path / "cjx.duckdb"
    # the runner asks for runs due within its 10 s prefetch every second instead of every 10 s (the default), so
    # the run the scheduler made for the next minute starts as soon as that minute is near; and the scheduled run
    # finds no chromium on PATH (cjx and Prefect start their children by absolute path), so it writes its pages
    # without the PNG snapshots, as on a machine without chromium (the snapshots are tested on the sample run)
    env = _env(tmp_path, PREFECT_RUNNER_POLL_FREQUENCY="1", PATH=str(Path(sys.executable).parent))
    serve = Cjx(["serve", "--journey", str(journey), "--db", str(db), "--reports", "reports"], tmp_path, env)
    try:
        server = serve.wait_for(SERVER_LINE, within=300)  # a first start migrates Prefect's database
        api_url, server_pid = f"{server[1]}/api", int(server[2])
        assert server_pid in descendants(serve.proc.pid)
        serve.wait_for("serving the pipeline on cron '\\* \\* \\* \\* \\*'", within=60)
        deadline = time.monotonic() + 180  # the next minute starts within 60 s; the run takes the rest
        while not (runs := completed_flow_runs(api_url)) and time.monotonic() < deadline:
            time.sleep(2)
        assert runs, f"no completed flow run within three minutes:\n{''.join(serve.seen[-40:])}"
        (run,) = runs
        assert run["deployment_id"] is not None  # a scheduled run of the served deployment, not a manual one
        # made by the server's scheduler from the cron, not by hand: due on the first second of a minute
        assert run["auto_scheduled"] is True and run["expected_start_time"][17:19] == "00", run
        started = descendants(serve.proc.pid)
        serve.proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
        serve.proc.wait(timeout=120)
    finally:
        serve.stop()
    assert wait_gone(started | {server_pid}, within=10) == set()
    assert (tmp_path / ".cjx" / "prefect" / "prefect.db").exists()  # Prefect's data persists under the project
    published = tmp_path / "published" / "cjx.duckdb"
    import duckdb

    with duckdb.connect(str(published), read_only=True) as con:
        statuses = [r[0] for r in con.execute("SELECT status FROM ops.runs ORDER BY started_at").fetchall()]
    assert statuses[0] == "completed", statuses


@pytest.mark.parametrize(
    ("command", "how"),
    [("serve", signal.SIGTERM), ("serve", signal.SIGKILL), ("run", signal.SIGKILL)],
    ids=["serve-sigterm", "serve-sigkill", "run-sigkill"],
)
def test_the_prefect_server_cjx_started_dies_with_it(tmp_path, command, how):
    """Stopped or killed while its Prefect server is still starting: the server goes too (the kernel sends it
    SIGTERM when its parent dies, PR_SET_PDEATHSIG)."""
    journey = _one_minute_journey(tmp_path)
    cjx = Cjx([command, "--journey", str(journey), "--db", str(tmp_path / "cjx.duckdb")], tmp_path, _env(tmp_path))
    try:
        deadline = time.monotonic() + 120
        while not (children := descendants(cjx.proc.pid)) and time.monotonic() < deadline:
            assert cjx.proc.poll() is None, "cjx exited before it started the server"
            time.sleep(0.2)
        assert children, "cjx started no server"
        time.sleep(1)  # past the fork: the child has asked to die with its parent
        cjx.proc.send_signal(how)
        cjx.proc.wait(timeout=120)
    finally:
        cjx.stop()
    assert wait_gone(children, within=60) == set()


def test_serve_against_prefect_api_url_starts_no_server(prefect_harness, tmp_path):
    from prefect.settings import PREFECT_API_URL

    api_url = PREFECT_API_URL.value()
    journey = _one_minute_journey(tmp_path)
    env = _env(tmp_path, PREFECT_API_URL=api_url)
    serve = Cjx(["serve", "--journey", str(journey), "--db", str(tmp_path / "cjx.duckdb")], tmp_path, env)
    try:
        serve.wait_for(f"serving the pipeline on cron .* against PREFECT_API_URL={re.escape(api_url)}", within=120)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            found = httpx.post(f"{api_url}/deployments/filter", json={"limit": 50}, timeout=30).json()
            if any(d["name"] == "nordlys-webshop-scheduled" for d in found):
                break
            time.sleep(1)
        else:
            raise AssertionError("the deployment never reached the server at PREFECT_API_URL")
        assert not any(
            any(w in Path(f"/proc/{pid}/cmdline").read_text(errors="replace") for w in ("server\0start", "uvicorn"))
            for pid in descendants(serve.proc.pid)
            if alive(pid)
        )
        assert not (tmp_path / ".cjx").exists()
        serve.proc.send_signal(signal.SIGINT)
        serve.proc.wait(timeout=120)
    finally:
        serve.stop()
