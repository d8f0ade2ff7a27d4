"""Journey file loading: the sample is valid; bad files give one-line errors naming the file and key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cjx.journey import JourneyError, load_journey

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_JOURNEY = ROOT / "data" / "sample" / "journey.yml"
PACKAGED_JOURNEY = ROOT / "cjx" / "sample" / "journey.yml"


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "journey.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture
def journey_data() -> dict:
    return yaml.safe_load(PACKAGED_JOURNEY.read_text())


def test_sample_journey_loads_with_what_it_declares():
    lj = load_journey(SAMPLE_JOURNEY)
    j = lj.journey
    assert [s.id for s in j.stages] == ["discover", "buy", "deliver", "use", "support", "renew"]
    assert len(j.touchpoints) == 11
    assert len({t.owner for t in j.touchpoints}) >= 5
    assert {t.id for t in j.touchpoints if t.critical} == {"web_checkout", "parcel_delivery", "customer_service"}
    assert j.source("relationship").format == "qualtrics_csv"
    assert j.source("service_ces").questions[0].na_codes == [99]
    assert j.outcome.source == "relationship" and j.outcome.question == "Q1"
    assert [r.id for r in j.revisits] == ["2026-Q1", "2026-Q2", "2026-Q3"]
    assert len(lj.version) == 64


def test_nps_scale_defaults_to_0_10(tmp_path, journey_data):
    del journey_data["sources"][0]["questions"][0]["scale"]
    q = load_journey(_write(tmp_path, journey_data)).journey.sources[0].questions[0]
    assert (q.scale.min, q.scale.max) == (0, 10)


@pytest.mark.parametrize(
    ("mutate", "key", "expected"),
    [
        (lambda d: d["touchpoints"][2].update(stage="checkout"), "touchpoints[2].stage", "unknown stage 'checkout'"),
        (lambda d: d["touchpoints"][5].pop("owner"), "touchpoints[5].owner", "required key is missing"),
        (
            lambda d: d["sources"][0]["questions"][2]["scale"].pop("max"),
            "sources[0].questions[2].scale.max",
            "required key is missing",
        ),
        (
            lambda d: d["sources"][1]["questions"][0].pop("scale"),
            "sources[1].questions[0]",
            "a csat question needs a scale with min and max",
        ),
        (
            lambda d: d["sources"][1]["questions"][0].update(scale={"min": 5, "max": 1}),
            "sources[1].questions[0].scale",
            "max (1) must be greater than min (5)",
        ),
        (
            lambda d: d["sources"][0]["questions"][3].update(touchpoint="nowhere"),
            "sources[0].questions[3].touchpoint",
            "unknown touchpoint 'nowhere'",
        ),
        (
            lambda d: d["sources"][1].update(kind="webhook"),
            "sources[1].kind",
            "Input should be 'survey' or 'operational'",
        ),
        (lambda d: d["touchpoints"][0].update(ownr="x"), "touchpoints[0].ownr", "unknown key"),
        (lambda d: d["stages"].append({"id": "buy", "name": "Again"}), "stages[6].id", "duplicate id 'buy'"),
        (lambda d: d["revisits"][1].update(start="2026-03-15"), "revisits[1]", "overlaps '2026-Q1'"),
        (
            lambda d: d.update(outcome={"source": "relationship", "question": "Q9"}),
            "outcome.question",
            "'Q9' is not a rated question",
        ),
        (lambda d: d["schedule"].update(cron="every monday"), "schedule.cron", "has 2 field(s); expected 5"),
    ],
)
def test_bad_journey_names_file_and_key(tmp_path, journey_data, mutate, key, expected):
    mutate(journey_data)
    path = _write(tmp_path, journey_data)
    with pytest.raises(JourneyError) as caught:
        load_journey(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {key}: "), message
    assert expected in message
    assert "\n" not in message


def test_invalid_yaml_names_line(tmp_path):
    path = tmp_path / "journey.yml"
    path.write_text("journey:\n  id: x\n  name: [unclosed\n")
    with pytest.raises(JourneyError, match=r"journey.yml: line \d+, column \d+: not valid YAML"):
        load_journey(path)


def test_cli_check_prints_one_line_error_not_traceback(tmp_path, journey_data):
    journey_data["touchpoints"][0]["stage"] = "nowhere"
    path = _write(tmp_path, journey_data)
    proc = subprocess.run([sys.executable, "-m", "cjx.cli", "check", str(path)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"error: {path}: touchpoints[0].stage: unknown stage 'nowhere'; "
        "expected one of ['buy', 'deliver', 'discover', 'renew', 'support', 'use']"
    )
    assert "Traceback" not in proc.stderr


def test_cli_check_ok():
    proc = subprocess.run(
        [sys.executable, "-m", "cjx.cli", "check", str(SAMPLE_JOURNEY)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert "6 stages, 11 touchpoints, 7 sources, 3 revisits" in proc.stdout
