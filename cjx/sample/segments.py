"""The sample's segments (issue 15): a Region column in the relationship survey and a customers table.

Everything here draws from its own seeded generator (``np.random.default_rng([seed, SEGMENT_STREAM])``), never from
the generator's streams, so every other file of the sample stays byte for byte what it was: Region is a column of
the relationship exports between the metadata and the questions (after UserLanguage), and the customers table is a new file.

Planted:
- a segment gap: Danish respondents who rated parcel delivery 1-3 are likelier to be from Jylland (P = 0.55 against
  0.25 for ratings 4-5), so parcel delivery's top-2-box share is clearly lower in Region = Jylland than among the
  other regions; the rating itself is untouched (the region is drawn given the rating);
- a null segment: the loyalty tier of the customers table is drawn independently of everything, so no touchpoint
  differs between tiers beyond chance;
- the tier history: 15% of customers move up one tier on a date in 2026 (valid_from), so a response gets the tier
  in force at its time; one row has no customer id (left out, counted) and some ids are upper-cased (they still
  join: ids are trimmed and lower-cased before pseudonymising).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

SEGMENT_STREAM = 15  # issue 15: a seed sequence of its own, apart from generate_sample's spawned streams
REGION_COLUMN = "Region"
PARCEL_COLUMN = "Q3_6"
AFTER_COLUMN = "UserLanguage"
DK_REGIONS = ("Hovedstaden", "Sjælland", "Fyn", "Jylland")
SE_REGIONS = ("Stockholm", "Skåne")
GAP_REGION = "Jylland"
P_GAP_REGION_LOW = 0.55  # P(Jylland | Danish, parcel delivery rated 1-3)
P_GAP_REGION_HIGH = 0.25  # P(Jylland | Danish, rated 4-5)
P_GAP_REGION_NONE = 0.35  # P(Jylland | Danish, not rated)
TIERS = ("Bronze", "Silver", "Gold")
TIER_SHARES = (0.5, 0.35, 0.15)
UPGRADE_SHARE = 0.15
UPPER_CASED_SHARE = 0.05
CUSTOMERS_FILE = "customers/customers.csv"
CUSTOMERS_HEADER = ["customer_email", "tier", "valid_from"]


def segment_rng(seed: int) -> np.random.Generator:
    return np.random.default_rng([seed, SEGMENT_STREAM])


def add_region(rng: np.random.Generator, relationship: list[tuple[list[list[str]], list[list[str]]]]) -> None:
    """Append the Region column (embedded data: column id, text and ImportId rows) to every relationship export."""
    header = relationship[0][0]
    email_at, parcel_at = header[0].index("RecipientEmail"), header[0].index(PARCEL_COLUMN)
    at = header[0].index(AFTER_COLUMN) + 1  # embedded data between the metadata and the questions
    for _, rows in relationship:
        for row in rows:
            row.insert(at, _region(rng, row[email_at], row[parcel_at]))
    for shared in {id(h): h for h, _ in relationship}.values():  # the exports may share one header object
        for i, row in enumerate(shared):
            row.insert(at, REGION_COLUMN if i < 2 else '{"ImportId":"Region"}')


def _region(rng: np.random.Generator, email: str, parcel: str) -> str:
    if email.endswith(".se"):
        return SE_REGIONS[int(rng.integers(len(SE_REGIONS)))]
    rated = parcel.isdigit()
    p_gap = P_GAP_REGION_NONE if not rated else P_GAP_REGION_LOW if int(parcel) <= 3 else P_GAP_REGION_HIGH
    if rng.random() < p_gap:
        return GAP_REGION
    others = [r for r in DK_REGIONS if r != GAP_REGION]
    return others[int(rng.integers(len(others)))]


def customers_table(rng: np.random.Generator, emails: list[str]) -> list[list[str]]:
    """The CRM export: each customer's tier from 2025-01-01, some upgraded during 2026, one row without an id."""
    rows = [CUSTOMERS_HEADER]
    start = dt.date(2026, 1, 1)
    for email in emails:
        tier = int(rng.choice(len(TIERS), p=TIER_SHARES))
        shown = email.upper() if rng.random() < UPPER_CASED_SHARE else email
        rows.append([shown, TIERS[tier], "2025-01-01"])
        if tier < len(TIERS) - 1 and rng.random() < UPGRADE_SHARE:
            rows.append([shown, TIERS[tier + 1], str(start + dt.timedelta(days=int(rng.integers(0, 273))))])
    rows.append(["", TIERS[0], "2025-01-01"])  # a CRM row without its e-mail: left out with a reason
    return rows


def segments_truth(relationship: list[tuple[list[list[str]], list[list[str]]]], customers: list[list[str]]) -> dict:
    """What is planted, for tests: the gap, the null segment and the customers table's accounting."""
    return {
        "gap": {"segment": "region", "value": GAP_REGION, "touchpoint": "parcel_delivery", "direction": "worse"},
        "null_segment": "tier",
        "customers_rows": len(customers) - 1,
        "customers_missing_id": sum(1 for r in customers[1:] if not r[0]),
        "regions": sorted(DK_REGIONS + SE_REGIONS),
    }


README = """
## Segments (issue 15)

- `surveys/relationship_<revisit>.csv` have an embedded-data column `Region` (Danish regions, or
  Stockholm/Skåne for Swedish customers). Planted gap: Danish respondents who rated parcel delivery
  1-3 are likelier to be from Jylland, so parcel delivery is clearly worse there than in the other regions.
- `customers/customers.csv` - the CRM's loyalty tier per customer (Bronze/Silver/Gold) with its history
  (`valid_from`); drawn independently of everything: no touchpoint differs between tiers beyond chance.
  One row has no e-mail (left out, counted); some e-mails are upper-cased (they still join).
- Segment values come from their own seeded generator: the other files are the same as without them.
"""
