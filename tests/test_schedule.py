"""Scheduling: prefect.yaml's deployment and `cjx serve` both run the pipeline flow on the configured cron."""

from __future__ import annotations

import importlib
from pathlib import Path

import yaml

from cjx.journey import load_journey
from cjx.schedule import pipeline_deployment
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


def test_served_deployment_uses_the_cron_and_time_zone_from_the_journey():
    lj = load_journey(SAMPLE / "journey.yml")
    deployment = pipeline_deployment(lj, db=Path("x.duckdb"))
    (schedule,) = deployment.schedules
    assert schedule.schedule.cron == "0 6 * * 1" and schedule.schedule.timezone == "Europe/Copenhagen"
    assert deployment.name == "nordlys-webshop-scheduled"
    assert deployment.parameters == {"journey": str(lj.path), "db": str(Path("x.duckdb").resolve()), "reports": None}
