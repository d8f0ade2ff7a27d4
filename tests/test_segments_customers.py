"""The customers: table: pseudonymised at load with the respondents' key, every row accounted for, values in force
at the response's time, erased people left out; and the journey's segment declarations with one-line errors."""

from __future__ import annotations

import copy
import hashlib

import pytest
import yaml

from cjx.journey import JourneyError, load_journey
from cjx.privacy import pseudonymise
from cjx.segments.customers import load_customers
from cjx.segments.respondents import build_respondent_segments
from cjx.workspace import open_workspace
from tests.small_db import RESPONSE_COLUMNS, survey

KEY = "test-key-not-secret"
JOURNEY = {
    "journey": {"id": "tiny", "name": "Tiny"},
    "stages": [{"id": "buy", "name": "Buy"}],
    "touchpoints": [{"id": "checkout", "name": "Checkout", "stage": "buy", "owner": "Web"}],
    "sources": [survey([{"column": "sat", "metric": "csat", "scale": {"min": 1, "max": 5}, "touchpoint": "checkout"}])],
    "revisits": [
        {"id": "R1", "start": "2026-01-01", "end": "2026-01-31"},
        {"id": "R2", "start": "2026-02-01", "end": "2026-02-28"},
    ],
    "customers": {"files": "crm/customers.csv", "customer_id": "email", "valid_from": "since", "columns": ["tier"]},
    "segments": [{"id": "tier", "customer": "tier"}],
}
ORDERS = {
    "id": "o",
    "kind": "operational",
    "files": "none_o.csv",
    "respondent_id": "email",
    "timestamp": "at",
    "event_id": "id",
    "event_type": "order",
}
CSV = """email,tier,since
ann@example.dk,Bronze,2025-01-01
  Ann@Example.DK ,Gold,2026-02-01
bo@example.dk,Silver,2025-06-01
bo@example.dk,Gold,2025-06-01
,Gold,2025-01-01
cy@example.dk,Gold,not a date
"""


@pytest.fixture
def workspace(tmp_path):
    (tmp_path / "crm").mkdir()
    (tmp_path / "crm" / "customers.csv").write_text(CSV)
    (tmp_path / "journey.yml").write_text(yaml.safe_dump(JOURNEY, sort_keys=False))
    lj, con = open_workspace(tmp_path / "journey.yml", tmp_path / "db.duckdb")
    yield tmp_path, lj, con
    con.close()


def test_every_row_is_loaded_left_out_with_a_reason_or_a_duplicate(workspace):
    _, lj, con = workspace
    result = load_customers(con, lj, KEY)
    assert result is not None and result.status == "loaded"
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined, result.rows_duplicate) == (6, 3, 2, 1)
    assert result.quarantined_by_reason == {"missing customer id": 1, "unreadable valid_from": 1}
    (row,) = con.execute(
        "SELECT rows_read, rows_loaded + rows_quarantined + rows_duplicate, status FROM ops.customer_files"
    ).fetchall()
    assert row == (6, 6, "loaded")


def test_ids_are_pseudonymised_with_the_respondents_key_and_no_raw_id_is_stored(workspace):
    _, lj, con = workspace
    load_customers(con, lj, KEY)
    got = con.execute(
        "SELECT respondent_id, value, valid_from::DATE::VARCHAR FROM core.customer_attributes ORDER BY ALL"
    )
    rows = got.fetchall()
    ann, bo = pseudonymise("ann@example.dk", KEY), pseudonymise("bo@example.dk", KEY)
    assert sorted(rows) == sorted(
        [(ann, "Bronze", "2025-01-01"), (ann, "Gold", "2026-02-01"), (bo, "Gold", "2025-06-01")]
    )
    dump = str(con.execute("SELECT * FROM core.customer_attributes").fetchall()) + str(
        con.execute("SELECT * FROM ops.customer_files").fetchall()
    )
    assert "example.dk" not in dump.lower()


def test_a_response_gets_the_value_in_force_at_its_time(workspace):
    _, lj, con = workspace
    load_customers(con, lj, KEY)
    ann, bo = pseudonymise("ann@example.dk", KEY), pseudonymise("bo@example.dk", KEY)
    for rid, who, at in (("a1", ann, "2026-01-20"), ("a2", ann, "2026-02-10"), ("b1", bo, "2026-01-05")):
        con.execute(
            f"INSERT INTO core.responses {RESPONSE_COLUMNS} VALUES ('s', ?, ?, ?::TIMESTAMP, 'f', 1)", [rid, who, at]
        )
    build_respondent_segments(con)
    got = con.execute("SELECT respondent_id, revisit_id, value FROM core.respondent_segments ORDER BY ALL").fetchall()
    assert sorted(got) == sorted([(ann, "R1", "Bronze"), (ann, "R2", "Gold"), (bo, "R1", "Gold")])


def test_an_unchanged_file_is_skipped_and_a_changed_one_replaces_the_table(workspace):
    tmp, lj, con = workspace
    load_customers(con, lj, KEY)
    assert load_customers(con, lj, KEY).status == "skipped"
    (tmp / "crm" / "customers.csv").write_text("email,tier,since\ndee@example.dk,Silver,2025-01-01\n")
    again = load_customers(con, lj, KEY)
    assert (again.status, again.rows_read, again.rows_loaded) == ("loaded", 1, 1)
    assert con.execute("SELECT respondent_id FROM core.customer_attributes").fetchall() == [
        (pseudonymise("dee@example.dk", KEY),)
    ]


def test_a_missing_column_rejects_the_file_in_one_line(workspace):
    tmp, lj, con = workspace
    (tmp / "crm" / "customers.csv").write_text("email,since\nann@example.dk,2025-01-01\n")
    result = load_customers(con, lj, KEY)
    assert result.status == "rejected"
    assert result.reject_reason == (
        "customers.csv: missing column 'tier'; expected the columns declared in customers: ['email', 'tier', 'since']"
    )
    assert "\n" not in result.reject_reason


def test_an_erased_person_is_left_out(workspace):
    _, lj, con = workspace
    digest = hashlib.sha256(("cjx-erased:" + pseudonymise("bo@example.dk", KEY)).encode()).hexdigest()
    con.execute("INSERT INTO ops.erased_respondents VALUES (?, ?)", [digest, "e1"])
    result = load_customers(con, lj, KEY)
    assert result.quarantined_by_reason.get("erased person") == 2
    assert pseudonymise("bo@example.dk", KEY) not in str(con.execute("FROM core.customer_attributes").fetchall())


@pytest.mark.parametrize(
    ("mutate", "key", "expected"),
    [
        (lambda j: j.pop("customers"), "segments[0].customer", "a customer segment needs a customers: table"),
        (lambda j: j["segments"].append({"id": "tier", "column": "Tier"}), "segments[1].id", "duplicate id 'tier'"),
        (
            lambda j: j["segments"].append({"id": "x", "customer": "region"}),
            "segments[1].customer",
            "'region' is not a declared column",
        ),
        (
            lambda j: j["segments"].append({"id": "x", "column": "A", "source": "nope"}),
            "segments[1].source",
            "unknown survey source 'nope'",
        ),
        (
            lambda j: j["segments"].append({"id": "x", "column": "A", "customer": "tier"}),
            "segments[1]",
            "exactly one of column, customer or derived",
        ),
        (
            lambda j: (
                j["sources"].append({**ORDERS, "event_type": "delivery"})
                or j["segments"].append({"id": "x", "derived": "new_vs_repeat"})
            ),
            "segments[1].event_types",
            "none of ['order'] is declared",
        ),
    ],
)
def test_a_bad_segment_declaration_names_the_file_and_key(tmp_path, mutate, key, expected):
    data = copy.deepcopy(JOURNEY)
    mutate(data)
    (tmp_path / "journey.yml").write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(JourneyError) as caught:
        load_journey(tmp_path / "journey.yml")
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'journey.yml'}: {key}: ") and expected in message, message
    assert "\n" not in message


def test_forget_removes_the_persons_customer_attributes_in_its_own_transaction(workspace):
    from cjx.privacy.forget import erase

    _, lj, con = workspace
    load_customers(con, lj, KEY)
    before = dict(con.execute("SELECT respondent_id, count(*) FROM core.customer_attributes GROUP BY 1").fetchall())
    bo = pseudonymise("bo@example.dk", KEY)
    assert before.get(bo) == 1  # two rows for bo (Silver, Gold on the same day): one loaded, one duplicate
    erase(con, lj, KEY, "  BO@example.dk ", "e1")
    after = dict(con.execute("SELECT respondent_id, count(*) FROM core.customer_attributes GROUP BY 1").fetchall())
    assert after == {k: v for k, v in before.items() if k != bo}
