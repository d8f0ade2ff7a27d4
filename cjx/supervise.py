"""Child processes that never outlive the process that started them: a free port, a start, a health wait, a stop.

`cjx serve` and `cjx run` start a Prefect server as a child. A child normally survives its parent when the parent
is killed (SIGKILL, OOM killer, a closed terminal), which left servers running after killed runs. Here the child
asks the kernel to send it SIGTERM when its parent dies (Linux `prctl(PR_SET_PDEATHSIG)`), and runs in its own
process group so that a Ctrl-C in the terminal reaches the parent only: the parent stops its own work first and
then the child, in that order.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

_PR_SET_PDEATHSIG = 1


class ChildFailed(RuntimeError):
    """A child exited before it was ready, or did not get ready in time; the message says which and where its log is."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on now, chosen by the kernel (bind to port 0)."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _die_with_parent(parent_pid: int) -> Callable[[], None]:
    def preexec() -> None:  # runs in the child between fork and exec
        if sys.platform.startswith("linux"):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


def start_child(args: Sequence[str], *, env: Mapping[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    """Start `args` in its own process group, output to `log_path`, dying with this process."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        return subprocess.Popen(
            list(args),
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent(os.getpid()),
            process_group=0,
        )


def wait_healthy(proc: subprocess.Popen[bytes], url: str, *, timeout: float, log_path: Path) -> None:
    """Poll `url` until it answers 200; ChildFailed if the child exits first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise ChildFailed(f"the child exited with code {proc.returncode} before it was ready; see {log_path}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        if time.monotonic() >= deadline:
            raise ChildFailed(f"not ready after {timeout:.0f} s ({url}); see {log_path}")
        time.sleep(0.25)


def stop_child(proc: subprocess.Popen[bytes], *, grace: float = 10.0) -> None:
    """SIGTERM to the child's process group, then SIGKILL after `grace` seconds; the child is reaped."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
