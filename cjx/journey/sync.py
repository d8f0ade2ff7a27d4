"""Write the journey in force into the core journey tables."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import duckdb
import pandas as pd

from cjx.journey.load import LoadedJourney
from cjx.journey.model import Revisit
from cjx.store import run_sql


def journey_frames(lj: LoadedJourney) -> dict[str, pd.DataFrame]:
    """The journey file as one frame per core table, in declared order."""
    j = lj.journey
    outcome = (j.outcome.source, j.outcome.question) if j.outcome and j.outcome.source else None
    behaviour = j.outcome if j.outcome and j.outcome.behaviour else None
    return {
        "journey_df": pd.DataFrame(
            [
                {
                    "journey_id": j.journey.id,
                    "name": j.journey.name,
                    "journey_version": lj.version,
                    "min_base": j.settings.min_base,
                    "ipa_crosshair": j.settings.ipa_crosshair,
                    "bootstrap_resamples": j.settings.bootstrap_resamples,
                    "bootstrap_seed": j.settings.bootstrap_seed,
                    "min_driver_pairs": j.settings.min_driver_pairs,
                    "outcome_behaviour": behaviour.behaviour if behaviour else None,
                    "outcome_within_days": behaviour.within_days if behaviour else None,
                    "timezone": j.journey.timezone,
                    "outcome_event_types": list(behaviour.event_types) if behaviour else None,
                    "language": j.settings.language,
                    "weighting_tolerance": j.weighting.tolerance if j.weighting else None,
                    "weighting_max_iterations": j.weighting.max_iterations if j.weighting else None,
                }
            ]
        ).astype(
            {
                "min_driver_pairs": "Int64",
                "outcome_within_days": "Int64",
                "outcome_behaviour": "object",
                "weighting_tolerance": "float64",
                "weighting_max_iterations": "Int64",
            }
        ),
        "stages_df": pd.DataFrame(
            [{"stage_id": s.id, "name": s.name, "position": i + 1} for i, s in enumerate(j.stages)]
        ),
        "touchpoints_df": pd.DataFrame(
            [
                {
                    "touchpoint_id": t.id,
                    "name": t.name,
                    "stage_id": t.stage,
                    "owner": t.owner,
                    "is_critical": t.critical,
                    "target_metric": t.target.metric if t.target else None,
                    "target_value": t.target.value if t.target else None,
                    "position": i + 1,
                }
                for i, t in enumerate(j.touchpoints)
            ]
        ).astype({"target_value": "float64"}),
        "questions_df": pd.DataFrame(
            [
                {
                    "source_id": s.id,
                    "column_name": q.column,
                    "metric": q.metric,
                    "touchpoint_id": q.touchpoint,
                    "scale_min": q.scale.min if q.scale else None,
                    "scale_max": q.scale.max if q.scale else None,
                    "is_reversed": q.direction == "lower_is_better",
                    "na_labels": [str(c) for c in q.na_codes],
                    "na_numbers": [float(c) for c in q.na_codes if _is_number(c)],
                    "is_outcome": (s.id, q.column) == outcome,
                    "top_box": q.effective_top_box,
                }
                for s in j.sources
                for q in s.questions
            ]
        ).astype({"scale_min": "Int64", "scale_max": "Int64", "top_box": "Int64"}),
        "sources_df": pd.DataFrame(
            [
                {
                    "source_id": s.id,
                    "kind": s.kind,
                    "touchpoint_id": s.touchpoint,
                    "map_column": s.touchpoint_by.column if s.touchpoint_by else None,
                    "event_types": s.touchpoint_from_event.event_types if s.touchpoint_from_event else [],
                    "event_window_hours": s.touchpoint_from_event.within_hours if s.touchpoint_from_event else None,
                }
                for s in j.sources
            ]
        ).astype({"event_window_hours": "float64"}),
        "touchpoint_maps_df": pd.DataFrame(
            [
                {"source_id": s.id, "value": value, "touchpoint_id": tp}
                for s in j.sources
                if s.touchpoint_by
                for value, tp in s.touchpoint_by.values.items()
            ],
            columns=["source_id", "value", "touchpoint_id"],
        ),
        "revisits_df": pd.DataFrame(
            [
                {"revisit_id": r.id, "start_date": r.start, "end_date": r.end, **revisit_bounds(r, j.journey.timezone)}
                for r in j.revisits
            ],
            columns=["revisit_id", "start_date", "end_date", "start_at", "end_at"],
        ),
    }


def revisit_bounds(revisit: Revisit, timezone: str) -> dict[str, dt.datetime]:
    """A revisit's bounds in UTC: from local midnight of its start day to local midnight after its end day, in the
    journey's time zone (a response at 00:30 local on 1 April belongs to 1 April, whatever UTC says)."""
    zone = zoneinfo.ZoneInfo(timezone)

    def utc_midnight(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC).replace(tzinfo=None)

    return {"start_at": utc_midnight(revisit.start), "end_at": utc_midnight(revisit.end + dt.timedelta(days=1))}


def sync_journey(con: duckdb.DuckDBPyConnection, lj: LoadedJourney) -> None:
    """Replace core.journey, stages, touchpoints, questions and revisits with `lj`, in one transaction."""
    frames = journey_frames(lj)
    for name, frame in frames.items():
        con.register(name, frame)
    con.execute("BEGIN TRANSACTION")
    try:
        run_sql(con, "core/sync_journey")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        for name in frames:
            con.unregister(name)


def _is_number(value: int | str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
