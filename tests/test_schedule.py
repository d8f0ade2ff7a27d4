"""Scheduling: prefect.yaml's deployment and `cjx serve` both run the pipeline flow on the configured cron."""

from __future__ import annotations

import importlib
from pathlib import Path

import yaml

from cjx.journey import load_journey
from flows.schedule import pipeline_deployment
from tests.conftest import ROOT, SAMPLE


def test_prefect_yaml_deploys_the_pipeline_flow_on_the_journey_schedule():
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    (deployment,) = config["deployments"]
    module_path, flow_name = deployment["entrypoint"].split(":")
    flow = getattr(importlib.import_module(module_path.removesuffix(".py").replace("/", ".")), flow_name)
    assert flow.name == "pipeline"
    assert (ROOT / deployment["parameters"]["journey"]).exists()
    schedule = load_journey(SAMPLE / "journey.yml").journey.schedule
    assert deployment["schedules"] == [{"cron": schedule.cron, "timezone": schedule.timezone}]


def test_prefect_yaml_names_the_prefect_version_installed():
    import prefect

    assert yaml.safe_load((ROOT / "prefect.yaml").read_text())["prefect-version"] == prefect.__version__


def test_served_deployment_uses_the_cron_and_time_zone_from_the_journey():
    lj = load_journey(SAMPLE / "journey.yml")
    deployment = pipeline_deployment(lj, db=Path("x.duckdb"))
    (schedule,) = deployment.schedules
    assert schedule.schedule.cron == "0 6 * * 1" and schedule.schedule.timezone == "Europe/Copenhagen"
    assert deployment.name == "nordlys-webshop-scheduled"
    assert deployment.parameters == {"journey": str(lj.path), "db": str(Path("x.duckdb").resolve()), "reports": None}


def test_prefect_deploy_registers_the_scheduled_deployment(prefect_harness, tmp_path):
    """`prefect deploy --all` against the test server: the deployment exists with cron, time zone and limit."""
    import asyncio
    import os
    import subprocess
    import sys

    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    prefect = [sys.executable, "-m", "prefect"]
    subprocess.run(
        [*prefect, "work-pool", "create", "cjx-local", "--type", "process"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    deployed = subprocess.run(
        [*prefect, "--no-prompt", "deploy", "--all"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    output = deployed.stdout + deployed.stderr
    assert "Deployment 'pipeline/nordlys-weekly' successfully created" in output, output
    assert deployed.returncode == 0, output

    async def read():
        async with get_client() as client:
            return await client.read_deployment_by_name("pipeline/nordlys-weekly")

    deployment = asyncio.run(read())
    (schedule,) = deployment.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 6 * * 1", "Europe/Copenhagen")
    assert deployment.global_concurrency_limit.limit == 1
    assert deployment.entrypoint == "flows/pipeline.py:pipeline"
