"""The Prefect server that `cjx serve` and `cjx run` start when PREFECT_API_URL is not set.

Prefect 3.9 without PREFECT_API_URL starts a *temporary* server for each process (prefect.server.api.server.
SubprocessASGIServer, "ephemeral" mode). That server runs only the services marked `run_in_ephemeral`; the
scheduler (prefect.server.services.scheduler, which turns a deployment's cron into scheduled flow runs) is not
one of them, so a deployment served against it never runs (Prefect itself logs "Cannot schedule flows on an
ephemeral server"). And its process outlives a killed parent.

So cjx starts the server itself, as a supervised child (cjx.supervise: own process group, SIGTERM when the
parent dies, stopped when the command ends):

- `cjx serve`: `prefect server start` (API, scheduler and the other services, the UI) on 127.0.0.1, with its
  SQLite database under the project ($CJX_PREFECT_HOME, default .cjx/prefect), so deployments and run history
  persist between serves.
- `cjx run` / `cjx demo`: the same temporary server Prefect would start (ephemeral mode: no scheduler, no UI),
  with the same home, but supervised.

With PREFECT_API_URL set (a server of your own, Prefect Cloud), nothing is started and that server is used.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cjx import settings
from cjx.supervise import ChildFailed, free_port, start_child, stop_child, wait_healthy

STARTUP_TIMEOUT = 300.0  # seconds; a first start migrates a new database, slow on a busy machine
PORT_ATTEMPTS = 3  # a port chosen free may be taken before the server binds it: try another


@dataclass(frozen=True)
class LocalServer:
    """A Prefect server this process started: where it listens and keeps its data."""

    api_url: str
    pid: int
    home: Path
    log: Path
    scheduler: bool

    @property
    def ui_url(self) -> str:
        return self.api_url.removesuffix("/api")


def configured_api_url() -> str | None:
    """PREFECT_API_URL in force (environment, profile or a settings context), or None."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or None


def _server_command(port: int, scheduler: bool) -> tuple[list[str], dict[str, str]]:
    if scheduler:
        return [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)], {
            "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "true"
        }
    import prefect

    # What prefect.server.api.server.SubprocessASGIServer runs for its temporary server.
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--app-dir",
        str(prefect.__module_path__.parent),
        "--factory",
        "prefect.server.api.server:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "error",
        "--lifespan",
        "on",
    ], {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}


@contextmanager
def local_server(*, scheduler: bool, home: Path | None = None, port: int | None = None) -> Iterator[LocalServer]:
    """Start a Prefect server on 127.0.0.1, point this process (and the flow runs it starts) at it, and stop it
    on the way out, however the way out is taken (return, exception, Ctrl-C, SIGTERM)."""
    home = (home or settings.prefect_home()).resolve()
    home.mkdir(parents=True, exist_ok=True)
    log = home / ("server.log" if scheduler else "temporary-server.log")
    wanted = settings.prefect_port() if port is None else port
    for attempt in range(1, PORT_ATTEMPTS + 1):
        chosen = wanted or free_port()
        args, extra = _server_command(chosen, scheduler)
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        env.update({"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", **extra})
        proc = start_child(args, env=env, log_path=log)
        try:
            api_url = f"http://127.0.0.1:{chosen}/api"
            try:
                wait_healthy(proc, f"{api_url}/health", timeout=STARTUP_TIMEOUT, log_path=log)
            except ChildFailed as exc:
                if wanted or attempt == PORT_ATTEMPTS or proc.poll() is None:
                    raise ChildFailed(f"the Prefect server did not start: {exc}") from None
                continue  # exited early: most likely the port was taken meanwhile
            with using_api(api_url):
                try:
                    yield LocalServer(api_url, proc.pid, home, log, scheduler)
                finally:
                    drain_to_server()
            return
        finally:
            stop_child(proc)


def drain_to_server() -> None:
    """Send the log lines and events still queued for the server before it stops; otherwise Prefect's
    workers try at exit, find no server and print "Error logging to API" after every `cjx demo`."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        worker.drain_all(timeout=5)


@contextmanager
def using_api(api_url: str) -> Iterator[None]:
    """PREFECT_API_URL = api_url for this process (its settings context) and its children (the environment)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    before = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = api_url
    try:
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            yield
    finally:
        if before is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = before
