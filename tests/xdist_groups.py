"""Which tests share a worker under xdist, and which start first (hooks imported by tests/conftest.py).

Session fixtures run once per xdist worker, and a module fixture once per worker that runs a test of its module.
So tests linked by one of the suite's own fixtures wider than a test (sample_run, a module's pipeline run) form
one group that runs on one worker: the fixture is built once. Groups go to workers as whole units, the largest
first; a group with a test marked `slow` goes before all others, so that no minute-long test ends the run alone.
Every other test goes to whichever worker is free.

xdist's own `--dist loadgroup` reads `xdist_group` marks through the test ids, which pytest 9.2 no longer lets
a plugin change (pytest-xdist issue 1386), so this module takes that mode over: each worker writes the groups it
collected to a folder the controller made (CJX_TEST_GROUPS_DIR), and the controller's scheduler reads them once
every worker has collected. `xdist_group` marks are honoured too. Without xdist (`-n 0`) none of this runs.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

GROUPS_DIR = "CJX_TEST_GROUPS_DIR"
ROOT = Path(__file__).resolve().parents[1]

# Session fixtures cheap enough to have once per worker: their users are not pulled onto one worker.
PER_WORKER_FIXTURES = frozenset(
    {"png_snapshots_off", "prefect_logs_to_the_session_stream", "prefect_harness", "sample_dir"}
)


def _shared_fixtures(item: pytest.Item) -> set[str]:
    """The suite's own fixtures wider than one test that `item` uses (directly or through another fixture),
    named with where one instance is shared: the session, or the test's module (or class)."""
    found = set()
    name2fixturedefs = item._fixtureinfo.name2fixturedefs  # type: ignore[attr-defined]
    for name in item.fixturenames:
        defs = name2fixturedefs.get(name)
        if not defs:
            continue
        fixturedef = defs[-1]  # the one in force for this test
        if fixturedef.scope == "function" or name in PER_WORKER_FIXTURES:
            continue
        if not Path(fixturedef.func.__code__.co_filename).resolve().is_relative_to(ROOT / "tests"):
            continue  # pytest's and the plugins' own (tmp_path_factory, ...)
        if fixturedef.scope == "session":
            found.add(name)
        elif fixturedef.scope == "class":
            found.add(f"{item.nodeid.rsplit('::', 1)[0]}::{name}")
        else:
            found.add(f"{item.nodeid.split('::')[0]}::{name}")
    return found


def shared_fixture_groups(items: list[pytest.Item]) -> dict[str, str]:
    """nodeid -> group name, for the tests in a group: those linked, directly or through each other, by a shared
    fixture or the same xdist_group mark. A group is named after its session fixtures and marks (sample_run), or
    else after its modules."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    links = {}
    for item in items:
        marks = {
            f"{m.args[0] if m.args else m.kwargs.get('name', 'default')}" for m in item.iter_markers("xdist_group")
        }
        links[item.nodeid] = _shared_fixtures(item) | marks
        for key in links[item.nodeid]:
            parent[find(key)] = find(item.nodeid)
    members: dict[str, set[str]] = {}
    for nodeid, keys in links.items():
        if keys:
            members.setdefault(find(nodeid), set()).update(keys)
    label = {
        root: "+".join(sorted({k for k in keys if "::" not in k} or {k.split("::")[0] for k in keys}))
        for root, keys in members.items()
    }
    return {nodeid: label[find(nodeid)] for nodeid, keys in links.items() if keys}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: takes a minute or more; under xdist its group is started first so it cannot end the run alone"
    )
    if not hasattr(config, "workerinput") and GROUPS_DIR not in os.environ:
        # the controller, before it starts the workers (they inherit the environment)
        folder = tempfile.mkdtemp(prefix="cjx-test-groups-")
        os.environ[GROUPS_DIR] = folder
        config.add_cleanup(lambda: (shutil.rmtree(folder, ignore_errors=True), os.environ.pop(GROUPS_DIR, None)))


@pytest.hookimpl(tryfirst=True)  # before deselection (-k, -m): the controller's ids are the full collection's
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None or not os.environ.get(GROUPS_DIR):
        return
    plan = {
        "groups": shared_fixture_groups(items),
        "slow": [item.nodeid for item in items if item.get_closest_marker("slow")],
    }
    target = Path(os.environ[GROUPS_DIR]) / f"{workerinput['workerid']}.json"
    partial = target.with_suffix(".partial")
    partial.write_text(json.dumps(plan), encoding="utf-8")
    partial.replace(target)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    if config.getvalue("dist") != "loadgroup" or not os.environ.get(GROUPS_DIR):
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedFixtureScheduling(LoadScopeScheduling):
        """LoadScopeScheduling whose scopes are the groups above (one test alone otherwise), slow groups first."""

        _plan: dict | None = None

        def _read_plan(self) -> dict:
            if self._plan is None:
                plans = sorted(Path(os.environ[GROUPS_DIR]).glob("*.json"))
                assert plans, f"no worker wrote its test groups to {os.environ[GROUPS_DIR]}"
                self._plan = json.loads(plans[0].read_text(encoding="utf-8"))
            return self._plan

        def _split_scope(self, nodeid: str) -> str:
            return self._read_plan()["groups"].get(nodeid, nodeid)

        def _assign_work_unit(self, node) -> None:
            if not getattr(self, "_slow_first", False):  # the first call comes once the work queue is built
                self._slow_first = True
                slow = {self._split_scope(n) for n in self._read_plan()["slow"]}
                for scope in reversed([s for s in self.workqueue if s in slow]):
                    self.workqueue.move_to_end(scope, last=False)
            super()._assign_work_unit(node)

    return SharedFixtureScheduling(config, log)
