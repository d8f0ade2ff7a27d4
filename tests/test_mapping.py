"""Touchpoint mapping rules on tiny core rows: per question, fixed, column map, event-triggered (ASOF)."""

from __future__ import annotations

import pytest

from cjx.metrics.marts import map_touchpoints
from tests.small_db import RESPONSE_COLUMNS, add_answer, small_db

JOURNEY = {
    "journey": {"id": "map", "name": "Mapping"},
    "stages": [{"id": "deliver", "name": "Deliver"}, {"id": "support", "name": "Support"}],
    "touchpoints": [
        {"id": "delivery", "name": "Delivery", "stage": "deliver", "owner": "Logistics"},
        {"id": "support_phone", "name": "Support phone", "stage": "support", "owner": "CS"},
        {"id": "support_chat", "name": "Support chat", "stage": "support", "owner": "CS"},
    ],
    "sources": [
        {
            "id": "pulse",
            "kind": "survey",
            "files": "p.csv",
            "respondent_id": "e",
            "response_id": "id",
            "timestamp": "t",
            "touchpoint_from_event": {"event_types": ["delivery", "ticket"], "within_hours": 48},
            "questions": [{"column": "csat", "metric": "csat", "scale": {"min": 1, "max": 5}}],
        },
        {
            "id": "ces",
            "kind": "survey",
            "files": "c.csv",
            "respondent_id": "e",
            "response_id": "id",
            "timestamp": "t",
            "touchpoint_by": {"column": "channel", "values": {"phone": "support_phone", "chat": "support_chat"}},
            "questions": [{"column": "ces", "metric": "ces", "scale": {"min": 1, "max": 7}}],
        },
        {
            "id": "rel",
            "kind": "survey",
            "files": "r.csv",
            "respondent_id": "e",
            "response_id": "id",
            "timestamp": "t",
            "questions": [
                {"column": "nps", "metric": "nps"},
                {"column": "q_del", "metric": "csat", "scale": {"min": 1, "max": 5}, "touchpoint": "delivery"},
            ],
        },
        {
            "id": "deliveries",
            "kind": "operational",
            "files": "d.csv",
            "respondent_id": "e",
            "event_id": "id",
            "timestamp": "t",
            "event_type": "delivery",
            "touchpoint": "delivery",
        },
        {
            "id": "tickets",
            "kind": "operational",
            "files": "k.csv",
            "respondent_id": "e",
            "event_id": "id",
            "timestamp": "t",
            "event_type": "ticket",
            "touchpoint": "support_phone",
        },
    ],
    "revisits": [{"id": "R1", "start": "2026-01-01", "end": "2026-12-31"}],
}
T = "2026-03-10 12:00:00"


@pytest.fixture
def con(tmp_path):
    con = small_db(tmp_path, JOURNEY)
    events = [  # (source, event id, type, touchpoint, respondent, hours relative to T)
        ("deliveries", "d1", "delivery", "delivery", "alice", -10),
        ("deliveries", "d0", "delivery", "delivery", "alice", -30),
        ("tickets", "k1", "ticket", "support_phone", "bob", -5),
        ("deliveries", "d2", "delivery", "delivery", "bob", -20),
        ("deliveries", "d3", "delivery", "delivery", "carl", -50),
        ("deliveries", "d4", "delivery", "delivery", "dora", 1),
        ("deliveries", "d5", "delivery", "delivery", "zed", -1),
    ]
    for source, eid, etype, tp, who, hours in events:
        con.execute(
            "INSERT INTO core.events VALUES (?, ?, ?, ?, ?, ?::TIMESTAMP + to_hours(?), 'f', 1)",
            [source, eid, etype, tp, who, T, hours],
        )
    responses = [
        ("pulse", "p1", "alice", "csat"),
        ("pulse", "p2", "bob", "csat"),
        ("pulse", "p3", "carl", "csat"),
        ("pulse", "p4", "dora", "csat"),
        ("pulse", "p5", "erik", "csat"),
        ("ces", "c1", "alice", "ces"),
        ("ces", "c2", "bob", "ces"),
        ("ces", "c3", "carl", "ces"),
        ("rel", "r1", "alice", "nps"),
        ("rel", "r1", "alice", "q_del"),
    ]
    for source, rid, who, column in responses:
        con.execute(
            f"INSERT INTO core.responses {RESPONSE_COLUMNS} SELECT ?, ?, ?, ?::TIMESTAMP, 'f', 1 WHERE NOT EXISTS "
            "(SELECT 1 FROM core.responses WHERE source_id = ? AND response_id = ?)",
            [source, rid, who, T, source, rid],
        )
        metric = {"csat": "csat", "ces": "ces", "nps": "nps", "q_del": "csat"}[column]
        declared = "delivery" if column == "q_del" else None
        add_answer(con, rid, column, metric, declared, 4, 4, source=source)
    con.execute(
        "INSERT INTO core.attribute_values SELECT r.response_key, 'channel', a.value FROM core.responses r "
        "JOIN (VALUES ('c1', 'phone'), ('c2', 'fax')) a(response_id, value) USING (response_id) WHERE r.source_id = 'ces'"
    )
    map_touchpoints(con)
    yield con
    con.close()


def test_each_answer_gets_its_touchpoint_and_how(con):
    got = con.execute(
        "SELECT response_id, column_name, touchpoint_id, mapped_by, event_id, unmapped_reason "
        "FROM core.answer_touchpoints ORDER BY response_id, column_name"
    ).fetchall()
    assert got == [
        ("c1", "ces", "support_phone", "column_map", None, None),
        ("c2", "ces", None, None, None, "unknown_map_value"),
        ("c3", "ces", None, None, None, "no_map_value"),
        ("p1", "csat", "delivery", "event", "d1", None),  # latest of two deliveries
        ("p2", "csat", "support_phone", "event", "k1", None),  # latest across event types
        ("p3", "csat", None, None, None, "no_event_in_window"),  # 50 h before: outside 48 h
        ("p4", "csat", None, None, None, "no_event_in_window"),  # only an event after the response
        ("p5", "csat", None, None, None, "no_event_in_window"),  # someone else's event does not count
        ("r1", "nps", None, None, None, None),  # journey-level, not unmapped
        ("r1", "q_del", "delivery", "question", None, None),
    ]


def test_remapping_follows_the_journey_in_force(con, tmp_path):
    changed = {
        **JOURNEY,
        "sources": [
            {**JOURNEY["sources"][0], "touchpoint_from_event": {"event_types": ["delivery"], "within_hours": 60}},
            *JOURNEY["sources"][1:],
        ],
    }
    con.close()
    con2 = small_db(tmp_path, changed)  # the same database, opened under the changed journey
    map_touchpoints(con2)
    got = dict(
        con2.execute("SELECT response_id, event_id FROM core.answer_touchpoints WHERE source_id = 'pulse'").fetchall()
    )
    assert got == {"p1": "d1", "p2": "d2", "p3": "d3", "p4": None, "p5": None}
    con2.close()
