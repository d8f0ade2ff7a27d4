"""`cjx check` finds everything a run would trip on, all at once, one line each."""

from __future__ import annotations

import yaml
from typer.testing import CliRunner

from cjx.journey import JourneyError, load_journey
from cjx.journey.cron import cron_problem, time_zone_problem
from flows.cli import app
from tests.conftest import SAMPLE

CRONS = [
    "* * * * *",
    "0 6 * * 1",
    "*/15 0-6,22-23 * * mon-fri",
    "0 0 1,15 jan-mar,oct *",
    "30 4 * * 7",
    "0 0 * * SUN",
    "5/10 * * * *",
    "0 0 31 2 *",
    "60 * * * *",
    "0 24 * * *",
    "0 0 0 * *",
    "0 0 * 13 *",
    "0 0 * * 8",
    "*/0 * * * *",
    "0 6 * *",
    "0 6 * * 1 2026",
    "0 6 * * mondays",
    "0 6-5 * * *",
    "H * * * *",
    "R * * * *",
    "a b c d e",
    "0 6 * * 1-",
    ",0 6 * * *",
]


def test_cron_check_agrees_with_the_croniter_prefect_ships():
    from prefect._internal.schemas.validators import validate_cron_string

    for expression in CRONS:
        try:
            validate_cron_string(expression)
            prefect_ok = True
        except ValueError:
            prefect_ok = False
        assert (cron_problem(expression) is None) == prefect_ok, (expression, cron_problem(expression))


def test_time_zones_are_iana_names():
    assert time_zone_problem("Europe/Copenhagen") is None and time_zone_problem("UTC") is None
    assert "did you mean 'Europe/Copenhagen'" in time_zone_problem("europe/copenhagen")
    assert time_zone_problem("Europe/Copenhagn").startswith("unknown time zone 'Europe/Copenhagn'")


def _broken(tmp_path):
    """The sample journey with five mistakes, a pattern that matches nothing and a gap between revisits."""
    journey = yaml.safe_load((SAMPLE / "journey.yml").read_text())
    journey["schedule"] = {"cron": "0 25 * * 1", "timezone": "Europe/Copenhagn"}
    journey["sources"][0]["timezone"] = "Mars/Olympus"
    journey["sources"][1]["files"] = "nowhere/*.csv"
    outcome_source = journey["outcome"]["source"]
    journey["outcome"]["question"] = "likely_to_recommend_typo"
    journey["touchpoints"][0]["stage"] = "no_such_stage"
    journey["revisits"][1]["start"] = str(journey["revisits"][1]["start"]).replace("-01", "-15", 1)
    path = tmp_path / "journey.yml"
    path.write_text(yaml.safe_dump(journey, sort_keys=False, allow_unicode=True))
    return path, journey, outcome_source


def test_check_reports_every_error_at_once_one_line_each(tmp_path):
    path, _, _ = _broken(tmp_path)
    for folder in ("surveys", "operations"):
        (tmp_path / folder).symlink_to(SAMPLE / folder)
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 3, lines  # the typed checks stop at the model: references come once it validates
    assert any("schedule.cron" in e and "hour 25 is outside 0-23" in e for e in errors)
    assert any("schedule.timezone" in e and "unknown time zone 'Europe/Copenhagn'" in e for e in errors)
    assert any("sources[0].timezone" in e and "'Mars/Olympus'" in e for e in errors)
    # and a run stops on the first of them with one line, not a traceback
    try:
        load_journey(path)
    except JourneyError as exc:
        assert "\n" not in str(exc) and str(exc) in errors[0]
    else:
        raise AssertionError("the broken journey loaded")


def test_check_reports_every_reference_problem_and_the_warnings(tmp_path):
    path, journey, outcome_source = _broken(tmp_path)
    journey["schedule"] = {"cron": "0 6 * * 1", "timezone": "Europe/Copenhagen"}
    journey["sources"][0]["timezone"] = "UTC"
    path.write_text(yaml.safe_dump(journey, sort_keys=False, allow_unicode=True))
    for folder in ("surveys", "operations"):
        (tmp_path / folder).symlink_to(SAMPLE / folder)
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert any(line.startswith(f"error: {path}: touchpoints[0].stage: unknown stage 'no_such_stage'") for line in lines)
    assert any(
        line.startswith(
            f"error: {path}: outcome.question: 'likely_to_recommend_typo' is not a rated question of {outcome_source!r}"
        )
        for line in lines
    ), lines
    assert len([line for line in lines if line.startswith("error: ")]) == 2, lines


def test_warnings_do_not_stop_the_journey(tmp_path):
    path, journey, _ = _broken(tmp_path)
    journey["schedule"] = {"cron": "0 6 * * 1", "timezone": "Europe/Copenhagen"}
    journey["sources"][0]["timezone"] = "UTC"
    journey["outcome"] = None
    journey["touchpoints"][0]["stage"] = journey["stages"][0]["id"]
    path.write_text(yaml.safe_dump(journey, sort_keys=False, allow_unicode=True))
    for folder in ("surveys", "operations"):
        (tmp_path / folder).symlink_to(SAMPLE / folder)
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    source = journey["sources"][1]["id"]
    assert lines[0] == (
        f"warning: {path}: sources[1].files: 'nowhere/*.csv' matches no file under {tmp_path}; "
        f"source {source!r} gets no data"
    )
    assert lines[1] == (
        f"warning: {path}: revisits[1]: no revisit covers 2026-04-01..2026-04-14 (between '2026-Q1' and "
        "'2026-Q2'): responses dated then count in no revisit"
    )
    assert lines[2].startswith(f"{path}: ok with 2 warning(s): ")
    assert len(lines) == 3


def test_the_sample_journey_checks_clean():
    result = CliRunner().invoke(app, ["check", str(SAMPLE / "journey.yml")])
    assert result.exit_code == 0
    assert result.output.strip().splitlines() == [
        f"{SAMPLE / 'journey.yml'}: ok: 6 stages, 11 touchpoints, 7 sources, 3 revisits"
    ]
