"""Seeded, deterministic sample workspace for the "Nordlys Home" journey, with planted, recoverable truths."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import yaml

from cjx.sample.segments import CUSTOMERS_FILE, add_region, customers_table, segment_rng, segments_truth
from cjx.sample.segments import README as SEGMENTS_README

DEFAULT_SEED = 20261124
JOURNEY_FILE = Path(__file__).with_name("journey.yml")
LOCAL_TZ = ZoneInfo("Europe/Copenhagen")
UTC = dt.UTC
# Operational systems were extracted two weeks after the last revisit, so every delivery of a
# late-September order is in; survey exports cover the revisits only (a Q4 export does not exist yet).
EXTRACT_AT = int(dt.datetime(2026, 10, 15, tzinfo=UTC).timestamp())
DAY = 86_400
HOUR = 3_600

# --- Planted truth: relationship survey -------------------------------------------------------------
# Importance of each touchpoint for the outcome latent (all distinct, clearly ordered).
IMPORTANCE_WEIGHTS: dict[str, float] = {
    # Spaced so that adjacent touchpoints stay apart in a Shapley split even at ~700 responses.
    "parcel_delivery": 0.22,
    "product_quality": 0.19,
    "web_checkout": 0.15,
    "customer_service": 0.125,
    "returns_refunds": 0.10,
    "website_search": 0.08,
    "payment_invoice": 0.06,
    "order_confirmation": 0.04,
    "assembly_guide": 0.025,
    "social_ads": 0.01,
    "loyalty_club": 0.0,
}
# Share of respondents who experienced each touchpoint (the rest leave its rating blank).
# loyalty_club is kept so rare that it stays below min_base (30) answers per revisit: a blind spot.
REACH_PROBABILITY: dict[str, float] = {
    "social_ads": 0.35,
    "website_search": 0.90,
    "web_checkout": 0.95,
    "payment_invoice": 0.60,
    "order_confirmation": 0.85,
    "parcel_delivery": 0.90,
    "product_quality": 0.95,
    "assembly_guide": 0.40,
    "customer_service": 0.30,
    "returns_refunds": 0.18,
    "loyalty_club": 0.02,
}
# Mean of each touchpoint's experience latent (SD 1) in every revisit, before the planted change.
BASE_MEANS: dict[str, float] = {
    "social_ads": 0.2,
    "website_search": 0.6,
    "web_checkout": 0.9,
    "payment_invoice": 0.7,
    "order_confirmation": 1.0,
    "parcel_delivery": 0.8,
    "product_quality": 0.7,
    "assembly_guide": 0.1,
    "customer_service": 0.3,
    "returns_refunds": 0.2,
    "loyalty_club": 0.5,
}
WORSENED_TOUCHPOINT = "parcel_delivery"
WORSENED_SHIFT_SD = -0.8
HALO_LOADING = 0.3  # shared per-respondent component: touchpoint latents correlate at 0.09
OUTCOME_NOISE_SD = 0.33  # latent R-squared about 0.6
OVERALL_EXTRA_NOISE_SD = 0.4  # so overall satisfaction is not a pure recoding of the NPS answer
NOT_ANSWERED_SHARE = 0.02  # experienced but answered -99
NA_CODE = "-99"
CSAT_CUTS = (-1.5, -0.7, 0.2, 1.2)  # latent -> 1..5
NPS_CUTS = (-3.1, -2.8, -2.5, -2.2, -1.9, -1.5, -1.05, -0.55, 0.0, 0.7)  # standardised outcome -> 0..10
OVERALL_CUTS = (-2.2, -1.3, -0.3, 0.9)  # standardised outcome -> 1..5
RELATIONSHIP_RESPONSES = 700
COMMENT_BLANK_SHARE = 0.3

# --- Planted truth: operations and pulse surveys ---------------------------------------------------------
N_CUSTOMERS = 2_500
DK_SHARE = 0.6
ORDERS_PER_REVISIT = 1_400
APP_SHARE = 0.3
# carrier -> (share of deliveries late, median minutes late when late)
CARRIER_DELAYS: dict[str, tuple[float, float]] = {"PostNord": (0.18, 60.0), "QuickShip": (0.40, 95.0)}
NEW_CARRIER_SHARE = 0.85  # share of latest-revisit orders shipped by QuickShip
MAX_DELAY_MINUTES = 1_800
TICKET_BASE_RATE = 0.17
TICKET_LATE_BOOST = 0.30  # added to the ticket probability at >= 4 hours late
TICKET_LOOP_RATE = 0.22  # chance a ticket is followed by another one from the same customer
TICKET_CHANNELS: dict[str, float] = {"chat": 0.45, "phone": 0.30, "email": 0.25}
HANDLING_MEDIAN_MINUTES: dict[str, float] = {"chat": 14.0, "phone": 11.0, "email": 24.0}
TOPICS_ON_TIME: dict[str, float] = {"delivery": 0.15, "invoice": 0.20, "product": 0.38, "return": 0.27}
LATE_DELIVERY_TOPIC_SHARE = 0.65
PULSE_RESPONSE_RATE = 0.25
PULSE_MEAN = 0.9
PULSE_LATEST_SHIFT_SD = -0.4  # base drop of delivery CSAT in the latest revisit, on top of the delays
DELAY_EFFECT_PER_60_MIN = -0.5
DELAY_SATURATION_MINUTES = 240
CES_RESPONSE_RATE = 0.5
CES_MEAN = 0.5
CES_CHANNEL_SHIFT: dict[str, float] = {"chat": 0.2, "phone": 0.1, "email": -0.3}
CES_LOOP_SHIFT = -0.5  # per earlier ticket in the same loop
CES_CUTS = (-2.0, -1.3, -0.7, -0.2, 0.4, 1.1)  # latent -> 1..7
CES_DONT_KNOW_SHARE = 0.03
CES_DONT_KNOW = "99"

# --- Data-quality plants ----------------------------------------------------------------------------
PULSE_OVERLAP_ROWS = 5
PULSE_OUT_OF_RANGE = ("7", "0")
BAD_TIMESTAMP = "not a date"

NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "DK": {
        "female": (
            "Mette",
            "Anne",
            "Kirsten",
            "Hanne",
            "Susanne",
            "Lene",
            "Camilla",
            "Maria",
            "Louise",
            "Charlotte",
            "Julie",
            "Sofie",
            "Ida",
            "Emma",
            "Freja",
            "Karen",
            "Birgitte",
            "Signe",
            "Laura",
            "Mathilde",
        ),
        "male": (
            "Jens",
            "Peter",
            "Lars",
            "Michael",
            "Henrik",
            "Søren",
            "Thomas",
            "Jesper",
            "Niels",
            "Rasmus",
            "Anders",
            "Mads",
            "Frederik",
            "Christian",
            "Morten",
            "Jakob",
            "Mikkel",
            "Kasper",
            "Martin",
            "Ole",
        ),
        "last": (
            "Hansen",
            "Jensen",
            "Nielsen",
            "Pedersen",
            "Andersen",
            "Christensen",
            "Larsen",
            "Sørensen",
            "Rasmussen",
            "Jørgensen",
            "Petersen",
            "Madsen",
            "Kristensen",
            "Olsen",
            "Thomsen",
            "Christiansen",
            "Poulsen",
            "Johansen",
            "Møller",
            "Mortensen",
            "Knudsen",
            "Jakobsen",
            "Lund",
            "Holm",
            "Schmidt",
            "Østergaard",
            "Kjær",
            "Dahl",
        ),
    },
    "SE": {
        "female": (
            "Anna",
            "Eva",
            "Maria",
            "Karin",
            "Kristina",
            "Lena",
            "Sara",
            "Emma",
            "Elin",
            "Ingrid",
            "Åsa",
            "Linnéa",
            "Maja",
            "Ebba",
            "Astrid",
            "Sofia",
            "Johanna",
            "Malin",
            "Frida",
            "Ulla",
        ),
        "male": (
            "Erik",
            "Lars",
            "Karl",
            "Anders",
            "Johan",
            "Per",
            "Nils",
            "Mikael",
            "Björn",
            "Olof",
            "Gustav",
            "Oskar",
            "Axel",
            "Henrik",
            "Magnus",
            "Fredrik",
            "Mattias",
            "Jonas",
            "Stefan",
            "Göran",
        ),
        "last": (
            "Andersson",
            "Johansson",
            "Karlsson",
            "Nilsson",
            "Eriksson",
            "Larsson",
            "Olsson",
            "Persson",
            "Svensson",
            "Gustafsson",
            "Pettersson",
            "Jonsson",
            "Lindqvist",
            "Lindberg",
            "Lindström",
            "Bergström",
            "Sandberg",
            "Ekström",
            "Holmberg",
            "Nyström",
            "Sjöberg",
            "Forsberg",
            "Åberg",
            "Lundgren",
            "Hedlund",
            "Berglund",
            "Wallin",
            "Engström",
        ),
    },
}
ASCII_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "a", "ö": "o", "é": "e"})
# Order times by UTC hour: quiet at night, an evening peak.
HOUR_WEIGHTS = np.array(
    [
        1.0,
        0.5,
        0.3,
        0.3,
        0.4,
        0.8,
        1.5,
        2.5,
        3.0,
        3.0,
        3.0,
        3.0,
        3.5,
        3.5,
        3.0,
        3.0,
        3.5,
        4.5,
        5.5,
        5.5,
        4.5,
        3.0,
        2.0,
        1.5,
    ]
)

# (touchpoint, positive?) -> comment per language; some carry commas or quotes so CSV quoting matters.
RELATIONSHIP_COMMENTS: dict[tuple[str, bool], dict[str, str]] = {
    ("social_ads", True): {
        "da": "Fandt jer via en annonce på Instagram, god inspiration",
        "sv": "Hittade er via en annons på Instagram, bra inspiration",
        "en": "Saw your ad on Instagram and liked the products",
    },
    ("social_ads", False): {
        "da": "Alt for mange annoncer i mit feed",
        "sv": "Alldeles för många annonser i mitt flöde",
        "en": "Way too many ads in my feed, it's annoying",
    },
    ("website_search", True): {
        "da": "Nemt at finde det jeg søgte på hjemmesiden",
        "sv": "Lätt att hitta det jag sökte på hemsidan",
        "en": "Easy to find what I was looking for",
    },
    ("website_search", False): {
        "da": 'Søgningen på siden er elendig, fandt ikke "sofabord"',
        "sv": 'Sökfunktionen fungerar dåligt, hittade inte "soffbord"',
        "en": 'Search is poor, typing "coffee table" gave me lamps',
    },
    ("web_checkout", True): {
        "da": "Hurtig og nem betaling på siden",
        "sv": "Smidig och snabb kassa",
        "en": "Checkout was quick and simple",
    },
    ("web_checkout", False): {
        "da": "Checkout fejlede to gange, måtte starte forfra",
        "sv": "Kassan krånglade, fick börja om två gånger",
        "en": "Checkout crashed twice, had to start over",
    },
    ("payment_invoice", True): {
        "da": "Fint at kunne betale med MobilePay",
        "sv": "Bra att kunna betala med Swish",
        "en": "Invoice was clear and correct",
    },
    ("payment_invoice", False): {
        "da": "Fakturaen var forkert, jeg blev opkrævet to gange",
        "sv": "Fakturan var fel, jag blev debiterad två gånger",
        "en": "I was charged twice, the invoice was wrong",
    },
    ("order_confirmation", True): {
        "da": "Fik ordrebekræftelsen med det samme",
        "sv": "Fick orderbekräftelsen direkt",
        "en": "Got the order confirmation right away",
    },
    ("order_confirmation", False): {
        "da": "Ingen ordrebekræftelse, var i tvivl om ordren gik igennem",
        "sv": "Ingen orderbekräftelse, osäker på om beställningen gick igenom",
        "en": "Never got a confirmation e-mail",
    },
    ("parcel_delivery", True): {
        "da": "Pakken kom hurtigt, en dag før tid",
        "sv": "Paketet kom snabbt, en dag tidigare än utlovat",
        "en": "Delivery was fast, a day early",
    },
    ("parcel_delivery", False): {
        "da": "Pakken kom tre dage for sent",
        "sv": "Paketet kom tre dagar för sent",
        "en": "Parcel was late, and the driver left it in the rain",
    },
    ("product_quality", True): {
        "da": "Rigtig god kvalitet, lampen er flot",
        "sv": "Riktigt bra kvalitet, lampan är fin",
        "en": 'Great quality, the lamp looks "exactly like the photo"',
    },
    ("product_quality", False): {
        "da": "Kvaliteten var dårlig, stolen knækkede efter en uge",
        "sv": "Dålig kvalitet, stolen gick sönder efter en vecka",
        "en": "Poor quality, the chair broke within a week",
    },
    ("assembly_guide", True): {
        "da": "Samlevejledningen var let at følge",
        "sv": "Monteringsanvisningen var lätt att följa",
        "en": "Assembly instructions were clear",
    },
    ("assembly_guide", False): {
        "da": "Samlevejledningen manglede trin 4, tog en hel aften",
        "sv": "Monteringsanvisningen saknade steg 4, tog hela kvällen",
        "en": "The assembly guide skipped a step, took all evening",
    },
    ("customer_service", True): {
        "da": "Kundeservice var søde og hjælpsomme",
        "sv": "Kundtjänst var trevliga och hjälpsamma",
        "en": "Customer service sorted it out quickly",
    },
    ("customer_service", False): {
        "da": "Ventede 40 minutter i telefonkø",
        "sv": "Väntade 40 minuter i telefonkö",
        "en": "Waited 40 minutes on hold, then got cut off",
    },
    ("returns_refunds", True): {
        "da": "Nem returnering, pengene kom hurtigt retur",
        "sv": "Enkel retur, pengarna kom snabbt tillbaka",
        "en": "Easy return, refund within days",
    },
    ("returns_refunds", False): {
        "da": "Venter stadig på min refusion efter tre uger",
        "sv": "Väntar fortfarande på återbetalningen efter tre veckor",
        "en": "Still waiting for my refund after three weeks",
    },
    ("loyalty_club", True): {
        "da": "Gode fordele i kundeklubben",
        "sv": "Bra förmåner i kundklubben",
        "en": "Nice perks in the loyalty club",
    },
    ("loyalty_club", False): {
        "da": "Kundeklubben giver ingen reelle fordele",
        "sv": "Kundklubben ger inga riktiga förmåner",
        "en": "The loyalty club points are useless",
    },
}
PULSE_COMMENTS: dict[str, dict[str, str]] = {
    "late": {
        "da": "Pakken kom {n} {unit_da} for sent",
        "sv": "Paketet kom {n} {unit_sv} för sent",
        "en": "Parcel arrived {n} {unit_en} late",
    },
    "bad": {
        "da": "Kassen var flået, men varen var hel",
        "sv": "Kartongen var trasig, men varan var hel",
        "en": 'Box was damaged, "handle with care" my foot',
    },
    "ok": {"da": "Ok levering", "sv": "Okej leverans", "en": "Delivery was fine, nothing special"},
    "good": {"da": "Hurtig levering, tak!", "sv": "Snabb leverans, tack!", "en": "Quick delivery, thanks"},
}
CES_COMMENTS: dict[str, dict[str, str]] = {
    "hard": {
        "da": "Måtte forklare det hele tre gange",
        "sv": "Fick förklara allt tre gånger",
        "en": "Had to explain everything three times, very frustrating",
    },
    "medium": {
        "da": "Det tog lidt tid, men blev løst",
        "sv": "Det tog lite tid, men löstes",
        "en": "Took a while, but it got solved",
    },
    "easy": {
        "da": "Nemt og hurtigt at få hjælp",
        "sv": "Enkelt och snabbt att få hjälp",
        "en": "Easy, sorted in one go",
    },
}

QUALTRICS_META: tuple[tuple[str, str, str], ...] = (
    # (column, question text row, ImportId)
    ("StartDate", "Start Date", "startDate"),
    ("EndDate", "End Date", "endDate"),
    ("Status", "Response Type", "status"),
    ("IPAddress", "IP Address", "ipAddress"),
    ("Progress", "Progress", "progress"),
    ("Duration (in seconds)", "Duration (in seconds)", "duration"),
    ("Finished", "Finished", "finished"),
    ("RecordedDate", "Recorded Date", "recordedDate"),
    ("ResponseId", "Response ID", "_recordId"),
    ("RecipientLastName", "Recipient Last Name", "recipientLastName"),
    ("RecipientFirstName", "Recipient First Name", "recipientFirstName"),
    ("RecipientEmail", "Recipient Email", "recipientEmail"),
    ("ExternalReference", "External Data Reference", "externalDataReference"),
    ("LocationLatitude", "Location Latitude", "locationLatitude"),
    ("LocationLongitude", "Location Longitude", "locationLongitude"),
    ("DistributionChannel", "Distribution Channel", "distributionChannel"),
    ("UserLanguage", "User Language", "userLanguage"),
)
QUESTION_TEXT = {
    "nps": "How likely is it that you would recommend Nordlys Home to a friend or colleague?",
    "overall": "Overall, how satisfied are you with Nordlys Home?",
    "csat": "How satisfied were you with each part of your experience? - {name}",
    "comment": "Hvad er den vigtigste årsag til din vurdering?",
}
RESPONSE_ID_ALPHABET = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
ORDERS_HEADER = ["order_id", "customer_email", "ordered_at", "order_value_dkk", "channel"]
DELIVERIES_HEADER = [
    "delivery_id",
    "order_id",
    "customer_email",
    "shipped_at",
    "delivered_at",
    "delay_minutes",
    "carrier",
]
TICKETS_HEADER = ["ticket_id", "customer_email", "opened_at", "channel", "topic", "handling_minutes"]
PULSE_HEADER = ["response_id", "email", "order_id", "submitted_at", "csat", "comment"]
CES_HEADER = ["response_id", "email", "ticket_id", "channel", "submitted_at", "ces", "comment"]


@dataclass(frozen=True)
class Revisit:
    """A revisit period as epoch-second bounds (end exclusive), in UTC and in Copenhagen local time."""

    id: str
    start: int
    end: int
    local_start: int
    local_end: int


@dataclass(frozen=True)
class Customer:
    email: str
    first: str
    last: str
    country: str  # DK or SE

    @property
    def language(self) -> str:
        return "da" if self.country == "DK" else "sv"


@dataclass
class Order:
    order_id: str
    customer: Customer
    at: int
    value: float
    channel: str
    revisit: int


@dataclass(frozen=True)
class Delivery:
    delivery_id: str
    order: Order
    shipped: int
    delivered: int
    delay: int
    carrier: str


@dataclass
class Ticket:
    ticket_id: str
    customer: Customer
    opened: int
    channel: str
    topic: str
    handling: int
    loop_index: int  # 0 for the first ticket of a loop


@dataclass
class DataQuality:
    """What was planted in one file, for lossless accounting."""

    rows: int
    duplicates: int = 0
    out_of_range: int = 0
    missing_response_id: int = 0
    bad_timestamp: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "duplicates": self.duplicates,
            "out_of_range": self.out_of_range,
            "missing_response_id": self.missing_response_id,
            "bad_timestamp": self.bad_timestamp,
        }


def generate_sample(out: Path, seed: int = DEFAULT_SEED) -> dict:
    """Write the complete sample workspace into `out` and return the planted truth."""
    out = Path(out)
    journey_bytes = JOURNEY_FILE.read_bytes()
    journey = yaml.safe_load(journey_bytes)
    revisits = _revisits(journey)
    touchpoints = _relationship_touchpoints(journey)
    # Independent streams per component: tuning one part does not reshuffle the others.
    # spawn(n) children are stable in n: adding a stream leaves the earlier ones (and their files) unchanged.
    streams = iter(np.random.default_rng(seed).spawn(9))

    customers = _make_customers(next(streams))
    orders = _make_orders(next(streams), customers, revisits)
    deliveries = _make_deliveries(next(streams), orders, len(revisits) - 1)
    tickets = _make_tickets(next(streams), deliveries)
    quality: dict[str, DataQuality] = {}
    files: dict[str, list[list[str]]] = {}

    files["operations/orders.csv"] = [ORDERS_HEADER] + [_order_row(o) for o in orders]
    files["operations/deliveries.csv"] = [DELIVERIES_HEADER] + [_delivery_row(d) for d in deliveries]
    files["operations/tickets.csv"] = [TICKETS_HEADER] + [_ticket_row(t) for t in tickets]
    for name in list(files):
        quality[name] = DataQuality(rows=len(files[name]) - 1)

    means = _revisit_means(revisits)
    relationship = _make_relationship(next(streams), journey, touchpoints, orders, revisits, means)
    segment_stream = segment_rng(seed)  # its own generator: the streams above and below are unchanged
    add_region(segment_stream, relationship)
    files[CUSTOMERS_FILE] = customers_table(segment_stream, [c.email for c in customers])
    for rv, (header, rows) in zip(revisits, relationship):
        name = f"surveys/relationship_{rv.id}.csv"
        files[name] = header + rows
        quality[name] = DataQuality(rows=len(rows))
    pulse = _make_pulse(next(streams), deliveries, revisits)
    pulse = _plant_delay_comments(pulse, revisits, seed)  # its own generator: the streams above are untouched
    files.update(_plant_pulse(next(streams), pulse, revisits, quality))
    ces = _make_ces(next(streams), tickets, revisits)
    files.update(_plant_ces(ces, revisits, quality))
    danish_name, danish_rows = _make_danish_survey(next(streams), deliveries, revisits)
    quality[danish_name] = DataQuality(rows=len(danish_rows) - 1)

    out.mkdir(parents=True, exist_ok=True)
    (out / "journey.yml").write_bytes(journey_bytes)
    for name, rows in files.items():
        _write_csv(out / name, rows)
    _write_danish_excel_csv(out / danish_name, danish_rows)
    min_base = int(journey.get("settings", {}).get("min_base", 30))
    truth = _truth(seed, touchpoints, revisits, means, quality, relationship, min_base)
    truth["comment_theme"] = {"touchpoint": "parcel_delivery", "theme": "delivery_delay", "grows_in": revisits[-1].id}
    truth["segments"] = segments_truth(relationship, files[CUSTOMERS_FILE])
    _write_text(out / "planted_truth.json", json.dumps(truth, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    _write_text(out / "README.md", _readme(seed, revisits) + SEGMENTS_README)
    return truth


# --- journey ------------------------------------------------------------------------------------------


def _revisits(journey: dict) -> list[Revisit]:
    """Revisit periods from the journey file, in start order."""
    out = []
    for r in sorted(journey["revisits"], key=lambda r: r["start"]):
        start, end = r["start"], r["end"] + dt.timedelta(days=1)
        out.append(
            Revisit(
                id=str(r["id"]),
                start=_epoch(start, UTC),
                end=_epoch(end, UTC),
                local_start=_epoch(start, LOCAL_TZ),
                local_end=_epoch(end, LOCAL_TZ),
            )
        )
    return out


def _relationship_touchpoints(journey: dict) -> list[tuple[str, str]]:
    """(column, touchpoint id) of the relationship survey's touchpoint ratings, in journey order."""
    source = next(s for s in journey["sources"] if s["id"] == "relationship")
    return [(q["column"], q["touchpoint"]) for q in source["questions"] if q.get("touchpoint")]


def _epoch(day: dt.date, tz: dt.tzinfo) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=tz).timestamp())


def _revisit_of(at: int, revisits: Sequence[Revisit]) -> int | None:
    """Index of the revisit whose UTC period holds `at`, or None."""
    return next((i for i, r in enumerate(revisits) if r.start <= at < r.end), None)


def _revisit_means(revisits: Sequence[Revisit]) -> list[dict[str, float]]:
    """True latent means per revisit: only the worsened touchpoint moves, in the latest revisit."""
    means = []
    for i, _ in enumerate(revisits):
        mu = dict(BASE_MEANS)
        if i == len(revisits) - 1:
            mu[WORSENED_TOUCHPOINT] = round(mu[WORSENED_TOUCHPOINT] + WORSENED_SHIFT_SD, 6)
        means.append(mu)
    return means


# --- customers and operations ---------------------------------------------------------------------------


def _make_customers(rng: np.random.Generator) -> list[Customer]:
    """Danish and Swedish customers with unique, lower-case example.dk / example.se e-mails."""
    customers: list[Customer] = []
    seen: set[str] = set()
    while len(customers) < N_CUSTOMERS:
        country = "DK" if rng.random() < DK_SHARE else "SE"
        names = NAMES[country]
        first = _pick(rng, names["female"] if rng.random() < 0.5 else names["male"])
        last = _pick(rng, names["last"])
        local = f"{first.lower().translate(ASCII_FOLD)}.{last.lower().translate(ASCII_FOLD)}"
        email = f"{local}{int(rng.integers(1, 1000))}@example.{country.lower()}"
        if email not in seen:
            seen.add(email)
            customers.append(Customer(email, first, last, country))
    return customers


def _make_orders(rng: np.random.Generator, customers: list[Customer], revisits: list[Revisit]) -> list[Order]:
    """About 1,400 orders per revisit; a skewed propensity makes some customers order repeatedly."""
    propensity = rng.gamma(0.8, size=len(customers))
    propensity /= propensity.sum()
    orders: list[Order] = []
    for i, rv in enumerate(revisits):
        n = ORDERS_PER_REVISIT + int(rng.integers(-30, 31))
        who = rng.choice(len(customers), size=n, p=propensity)
        at = _random_times(rng, rv.start, rv.end, n)
        value = np.clip(rng.lognormal(np.log(550.0), 0.7, size=n), 49.0, 15_000.0)
        app = rng.random(n) < APP_SHARE
        for k in range(n):
            orders.append(
                Order("", customers[who[k]], int(at[k]), round(float(value[k]), 2), "app" if app[k] else "web", i)
            )
    orders.sort(key=lambda o: (o.at, o.customer.email))
    for k, o in enumerate(orders):
        o.order_id = f"O-{100001 + k}"
    return orders


def _random_times(rng: np.random.Generator, start: int, end: int, n: int) -> np.ndarray:
    """Epoch seconds in [start, end) with a realistic time-of-day profile."""
    days = (end - start) // DAY
    hour = rng.choice(24, size=n, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    return start + rng.integers(0, days, size=n) * DAY + hour * HOUR + rng.integers(0, HOUR, size=n)


def _make_deliveries(rng: np.random.Generator, orders: list[Order], latest: int) -> list[Delivery]:
    """One delivery per order, 1-4 days after it; the latest revisit moves to a slower carrier."""
    deliveries = []
    for k, o in enumerate(orders):
        carrier = "QuickShip" if o.revisit == latest and rng.random() < NEW_CARRIER_SHARE else "PostNord"
        late_share, median_late = CARRIER_DELAYS[carrier]
        shipped = o.at + int(rng.integers(2 * HOUR, 20 * HOUR))
        promised = o.at + (int(rng.integers(1, 3)) * 24 + 12) * HOUR
        if rng.random() < late_share:
            delay = int(min(MAX_DELAY_MINUTES, max(1, np.ceil(rng.lognormal(np.log(median_late), 0.9)))))
            delivered = promised + delay * 60 + int(rng.integers(0, 60))
        else:
            delay = 0
            delivered = promised - int(rng.integers(0, 10 * HOUR))
        deliveries.append(Delivery(f"D-{300001 + k}", o, shipped, delivered, delay, carrier))
    return deliveries


def _make_tickets(rng: np.random.Generator, deliveries: list[Delivery]) -> list[Ticket]:
    """Tickets a few days after delivery, likelier when late; some customers come back (loops)."""
    channels, channel_p = list(TICKET_CHANNELS), np.array(list(TICKET_CHANNELS.values()))
    topics, topic_p = list(TOPICS_ON_TIME), np.array(list(TOPICS_ON_TIME.values()))
    tickets: list[Ticket] = []
    for d in deliveries:
        late = min(d.delay, DELAY_SATURATION_MINUTES) / DELAY_SATURATION_MINUTES
        if rng.random() >= TICKET_BASE_RATE + TICKET_LATE_BOOST * late:
            continue
        if d.delay > 0 and rng.random() < LATE_DELIVERY_TOPIC_SHARE:
            topic = "delivery"
        else:
            topic = str(topics[rng.choice(len(topics), p=topic_p)])
        opened = d.delivered + int(rng.integers(12 * HOUR, 5 * DAY))
        loop = 0
        while True:
            channel = str(channels[rng.choice(len(channels), p=channel_p)])
            handling = max(1, round(rng.lognormal(np.log(HANDLING_MEDIAN_MINUTES[channel]), 0.6)))
            if opened < EXTRACT_AT:
                tickets.append(Ticket("", d.order.customer, opened, channel, topic, handling, loop))
            if loop >= 3 or rng.random() >= TICKET_LOOP_RATE:
                break
            loop += 1
            opened += int(rng.integers(1 * DAY, 4 * DAY))
    tickets.sort(key=lambda t: (t.opened, t.customer.email))
    for k, t in enumerate(tickets):
        t.ticket_id = f"T-{500001 + k}"
    return tickets


def _order_row(o: Order) -> list[str]:
    return [o.order_id, o.customer.email, _iso(o.at), f"{o.value:.2f}", o.channel]


def _delivery_row(d: Delivery) -> list[str]:
    return [
        d.delivery_id,
        d.order.order_id,
        d.order.customer.email,
        _iso(d.shipped),
        _iso(d.delivered),
        str(d.delay),
        d.carrier,
    ]


def _ticket_row(t: Ticket) -> list[str]:
    return [t.ticket_id, t.customer.email, _iso(t.opened), t.channel, t.topic, str(t.handling)]


# --- relationship survey (Qualtrics export) ---------------------------------------------------------------


def _make_relationship(
    rng: np.random.Generator,
    journey: dict,
    touchpoints: list[tuple[str, str]],
    orders: list[Order],
    revisits: list[Revisit],
    means: list[dict[str, float]],
) -> list[tuple[list[list[str]], list[list[str]]]]:
    """Per revisit: (three Qualtrics header rows, data rows sorted by RecordedDate)."""
    header = _qualtrics_header(journey, touchpoints)
    seen_ids: set[str] = set()
    center, scale = _outcome_moments([t for _, t in touchpoints], means[0])
    out = []
    for i, rv in enumerate(revisits):
        eligible = _first_orders(orders, i, rv.end - 2 * DAY)
        n = RELATIONSHIP_RESPONSES + int(rng.integers(-15, 16))
        pick = sorted(rng.choice(len(eligible), size=n, replace=False).tolist())
        respondents = [eligible[k] for k in pick]
        rows = _relationship_rows(rng, respondents, [t for _, t in touchpoints], means[i], rv, center, scale, seen_ids)
        rows.sort(key=lambda r: (r[7], r[8]))  # RecordedDate, ResponseId: the export's order
        out.append((header, rows))
    return out


def _qualtrics_header(journey: dict, touchpoints: list[tuple[str, str]]) -> list[list[str]]:
    """The three Qualtrics header rows: column ids, question text, JSON import ids."""
    names = {t["id"]: t["name"] for t in journey["touchpoints"]}
    by_column = dict(touchpoints)
    source = next(s for s in journey["sources"] if s["id"] == "relationship")
    ids, texts, imports = ([m[i] for m in QUALTRICS_META] for i in range(3))
    for q in source["questions"]:
        col, metric = q["column"], q["metric"]
        ids.append(col)
        texts.append(QUESTION_TEXT[metric].format(name=names.get(by_column.get(col, ""), "")))
        qid = "QID" + col[1:]
        imports.append(qid + "_TEXT" if metric == "comment" else qid)
    return [ids, texts, [json.dumps({"ImportId": i}, separators=(",", ":")) for i in imports]]


def _first_orders(orders: list[Order], revisit: int, latest_at: int) -> list[tuple[Customer, int]]:
    """Customers with an order in the revisit (early enough to be surveyed) and their first order time."""
    first: dict[str, tuple[Customer, int]] = {}
    for o in orders:
        if o.revisit == revisit and o.at < latest_at and o.customer.email not in first:
            first[o.customer.email] = (o.customer, o.at)
    return [first[e] for e in sorted(first)]


def _outcome_moments(tps: list[str], mu: dict[str, float]) -> tuple[float, float]:
    """Mean and SD of the outcome latent under the baseline means, to standardise it with fixed cuts."""
    w = np.array([IMPORTANCE_WEIGHTS[t] for t in tps])
    p = np.array([REACH_PROBABILITY[t] for t in tps])
    m = np.array([mu[t] for t in tps])
    mean_x = p * m
    cov = np.outer(p, p) * HALO_LOADING**2  # experienced independently; latents share the halo
    np.fill_diagonal(cov, p * (1 + m**2) - (p * m) ** 2)
    return float(w @ mean_x), float(np.sqrt(w @ cov @ w + OUTCOME_NOISE_SD**2))


def _relationship_rows(
    rng: np.random.Generator,
    respondents: list[tuple[Customer, int]],
    tps: list[str],
    mu: dict[str, float],
    rv: Revisit,
    center: float,
    scale: float,
    seen_ids: set[str],
) -> list[list[str]]:
    """Latent experiences -> ratings, outcome -> NPS and overall, plus the Qualtrics metadata."""
    n, k = len(respondents), len(tps)
    reach = np.array([REACH_PROBABILITY[t] for t in tps])
    weights = np.array([IMPORTANCE_WEIGHTS[t] for t in tps])
    experienced = rng.random((n, k)) < reach
    halo = rng.standard_normal(n)
    z = (
        np.array([mu[t] for t in tps])
        + HALO_LOADING * halo[:, None]
        + np.sqrt(1 - HALO_LOADING**2) * rng.standard_normal((n, k))
    )
    outcome = (np.where(experienced, z, 0.0) @ weights + OUTCOME_NOISE_SD * rng.standard_normal(n) - center) / scale
    nps = np.searchsorted(NPS_CUTS, outcome)
    overall = 1 + np.searchsorted(OVERALL_CUTS, outcome + OVERALL_EXTRA_NOISE_SD * rng.standard_normal(n))
    ratings = 1 + np.searchsorted(CSAT_CUTS, z)
    not_answered = rng.random((n, k)) < NOT_ANSWERED_SHARE
    rows = []
    for r, (customer, ordered_at) in enumerate(respondents):
        recorded = int(rng.integers(max(ordered_at + DAY, rv.local_start), rv.local_end))
        duration = int(60 + rng.lognormal(np.log(180.0), 0.5))
        cells = [
            "" if not experienced[r, j] else NA_CODE if not_answered[r, j] else str(ratings[r, j]) for j in range(k)
        ]
        comment = _relationship_comment(rng, customer, tps, experienced[r], z[r], weights, int(nps[r]))
        rows.append(
            [
                _local(recorded - duration),
                _local(recorded),
                "0",
                "",
                "100",
                str(duration),
                "1",
                _local(recorded),
                _response_id(rng, seen_ids),
                customer.last,
                customer.first,
                customer.email,
                "",
                "",
                "",
                "email",
                customer.language.upper(),
                str(nps[r]),
                str(overall[r]),
                *cells,
                comment,
            ]
        )
    return rows


def _relationship_comment(
    rng: np.random.Generator,
    customer: Customer,
    tps: list[str],
    experienced: np.ndarray,
    z: np.ndarray,
    weights: np.ndarray,
    nps: int,
) -> str:
    """A short comment about the experienced touchpoint that pushed the score most in its direction."""
    blank, language = rng.random() < COMMENT_BLANK_SHARE, _comment_language(rng, customer)
    if blank or not experienced.any():
        return ""
    positive = nps >= 7
    push = np.where(experienced, weights * (z - 0.5) * (1 if positive else -1), -np.inf)
    return RELATIONSHIP_COMMENTS[(tps[int(np.argmax(push))], positive)][language]


def _comment_language(rng: np.random.Generator, customer: Customer) -> str:
    return "en" if rng.random() < 0.15 else customer.language


def _response_id(rng: np.random.Generator, seen: set[str]) -> str:
    """A Qualtrics-style R_ + 15 alphanumerics, unique across all relationship files."""
    while True:
        rid = "R_" + "".join(rng.choice(RESPONSE_ID_ALPHABET, size=15).tolist())
        if rid not in seen:
            seen.add(rid)
            return rid


# --- delivery pulse and service CES ----------------------------------------------------------------------


def _make_pulse(rng: np.random.Generator, deliveries: list[Delivery], revisits: list[Revisit]) -> list[list[str]]:
    """Post-delivery CSAT: the latent drops linearly with delay (saturating) and in the latest revisit."""
    latest = len(revisits) - 1
    kept: list[tuple[int, Delivery, int, str]] = []
    for d in deliveries:
        if rng.random() >= PULSE_RESPONSE_RATE:
            continue
        submitted = d.delivered + int(rng.integers(10 * 60, 3 * DAY))
        latent = (
            PULSE_MEAN
            + (PULSE_LATEST_SHIFT_SD if d.order.revisit == latest else 0.0)
            + DELAY_EFFECT_PER_60_MIN * min(d.delay, DELAY_SATURATION_MINUTES) / 60
            + rng.standard_normal()
        )
        csat = 1 + int(np.searchsorted(CSAT_CUTS, latent))
        comment = _pulse_comment(rng, d, csat)
        if submitted < revisits[-1].end:
            kept.append((submitted, d, csat, comment))
    kept.sort(key=lambda x: (x[0], x[1].order.order_id))
    return [
        [f"DP-{k + 1:06d}", d.order.customer.email, d.order.order_id, _iso(at), str(csat), comment]
        for k, (at, d, csat, comment) in enumerate(kept)
    ]


# Planted comment theme: in the worsening revisit, dissatisfied pulse respondents write about delays more often, in
# their own words (inflections the codebook finds by stem: "forsinkelse", "försenat", "delayed").
PLANTED_DELAY_SHARE = 0.6  # of the latest revisit's non-delay comments with CSAT <= 3
PLANTED_DELAY_SEED = 16  # mixed with the sample seed: a generator of its own, so no other number moves
PLANTED_DELAY_COMMENTS: dict[str, tuple[str, ...]] = {
    "da": (
        "Leveringen var forsinket igen",
        "Endnu en forsinkelse, pakken kom en dag for sent",
        "Forsinkelse på forsinkelse, meget irriterende",
        "Pakken var forsinket og ingen sagde noget",
    ),
    "sv": (
        "Leveransen var försenad igen",
        "Ännu en försening, paketet kom en dag för sent",
        "Paketet var försenat och ingen hörde av sig",
    ),
    "en": (
        "Delivery was delayed again",
        "Another delay, the parcel came a day late",
        "My parcel was late and nobody told me",
    ),
}


def _plant_delay_comments(rows: list[list[str]], revisits: list[Revisit], seed: int) -> list[list[str]]:
    """Pulse rows with the latest revisit's dissatisfied non-delay comments partly rewritten as delay complaints.

    Only comment text changes (no score, count, blank or order), drawn from a generator of its own."""
    rng = np.random.default_rng([seed, PLANTED_DELAY_SEED])
    language_of = {text: lang for key in ("bad", "ok") for lang, text in PULSE_COMMENTS[key].items()}
    latest = len(revisits) - 1
    out = []
    for row in rows:
        at = int(dt.datetime.strptime(row[3], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())
        language = language_of.get(row[5])
        if language and int(row[4]) <= 3 and _revisit_of(at, revisits) == latest and rng.random() < PLANTED_DELAY_SHARE:
            choices = PLANTED_DELAY_COMMENTS[language]
            row = [*row[:5], choices[int(rng.integers(len(choices)))]]
        out.append(row)
    return out


def _pulse_comment(rng: np.random.Generator, d: Delivery, csat: int) -> str:
    language = _comment_language(rng, d.order.customer)
    if rng.random() < COMMENT_BLANK_SHARE:
        return ""
    if d.delay >= 30 and csat <= 3:
        hours = d.delay >= 90
        n = round(d.delay / 60) if hours else d.delay
        units = {
            "unit_da": "timer" if hours else "minutter",
            "unit_sv": "timmar" if hours else "minuter",
            "unit_en": "hours" if hours else "minutes",
        }
        return PULSE_COMMENTS["late"][language].format(n=n, **units)
    return PULSE_COMMENTS["bad" if csat <= 2 else "ok" if csat == 3 else "good"][language]


def _make_ces(rng: np.random.Generator, tickets: list[Ticket], revisits: list[Revisit]) -> list[list[str]]:
    """CES 2.0 after about half of the tickets; repeated tickets (loops) feel harder."""
    kept: list[tuple[int, Ticket, str, str]] = []
    for t in tickets:
        if rng.random() >= CES_RESPONSE_RATE:
            continue
        submitted = t.opened + int(rng.integers(1 * HOUR, 3 * DAY))
        latent = (
            CES_MEAN
            + CES_CHANNEL_SHIFT[t.channel]
            + CES_LOOP_SHIFT * t.loop_index
            - 0.2 * np.log(t.handling / HANDLING_MEDIAN_MINUTES[t.channel])
            + rng.standard_normal()
        )
        ces = 1 + int(np.searchsorted(CES_CUTS, latent))
        dont_know = rng.random() < CES_DONT_KNOW_SHARE
        language = _comment_language(rng, t.customer)
        blank = rng.random() < COMMENT_BLANK_SHARE
        comment = "" if blank else CES_COMMENTS["hard" if ces <= 3 else "medium" if ces <= 5 else "easy"][language]
        if submitted < revisits[-1].end:
            kept.append((submitted, t, CES_DONT_KNOW if dont_know else str(ces), comment))
    kept.sort(key=lambda x: (x[0], x[1].ticket_id))
    return [
        [f"SC-{k + 1:06d}", t.customer.email, t.ticket_id, t.channel, _iso(at), ces, comment]
        for k, (at, t, ces, comment) in enumerate(kept)
    ]


def _by_revisit(rows: list[list[str]], ts_col: int, revisits: list[Revisit]) -> list[list[list[str]]]:
    """Split rows (ISO UTC timestamps) into one list per revisit."""
    parts: list[list[list[str]]] = [[] for _ in revisits]
    for row in rows:
        at = int(dt.datetime.strptime(row[ts_col], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())
        idx = _revisit_of(at, revisits)
        if idx is not None:
            parts[idx].append(row)
    return parts


def _plant_pulse(
    rng: np.random.Generator,
    rows: list[list[str]],
    revisits: list[Revisit],
    quality: dict[str, DataQuality],
) -> dict[str, list[list[str]]]:
    """Pulse files per revisit, with an overlapping export, out-of-range scores and a missing id."""
    parts = _by_revisit(rows, 3, revisits)
    files = {}
    for i, (rv, part) in enumerate(zip(revisits, parts)):
        name = f"surveys/delivery_pulse_{rv.id}.csv"
        dq = DataQuality(rows=0)
        part = [list(r) for r in part]
        if i == 1:
            # The Q2 export overlaps the Q1 one: its last rows come again, verbatim.
            part = [list(r) for r in parts[0][-PULSE_OVERLAP_ROWS:]] + part
            dq.duplicates = PULSE_OVERLAP_ROWS
        if i == len(revisits) - 1:
            chosen = rng.choice(len(part), size=len(PULSE_OUT_OF_RANGE) + 1, replace=False).tolist()
            for row_idx, bad in zip(chosen, PULSE_OUT_OF_RANGE):
                part[row_idx][4] = bad
            part[chosen[-1]][0] = ""
            dq.out_of_range, dq.missing_response_id = len(PULSE_OUT_OF_RANGE), 1
        dq.rows = len(part)
        quality[name] = dq
        files[name] = [PULSE_HEADER] + part
    return files


def _plant_ces(
    rows: list[list[str]],
    revisits: list[Revisit],
    quality: dict[str, DataQuality],
) -> dict[str, list[list[str]]]:
    """CES files per revisit; the second one carries one unparseable timestamp."""
    files = {}
    for i, (rv, part) in enumerate(zip(revisits, _by_revisit(rows, 4, revisits))):
        name = f"surveys/service_ces_{rv.id}.csv"
        dq = DataQuality(rows=len(part))
        if i == 1:
            part[len(part) // 2][4] = BAD_TIMESTAMP
            dq.bad_timestamp = 1
        quality[name] = dq
        files[name] = [CES_HEADER] + part
    return files


# --- Danish delivery survey (Excel-style export) ---------------------------------------------------------

DANISH_SHARE = 0.12  # of Danish customers' latest-revisit deliveries
DANISH_HEADER = ["Svar-ID", "E-mail", "Ordrenr", "Dato", "Ordrebeløb", "Tilfredshed med leveringen", "Kommentar"]
DANISH_LABELS = {
    1: "Meget utilfreds",
    2: "Utilfreds",
    3: "Hverken tilfreds eller utilfreds",
    4: "Tilfreds",
    5: "Meget tilfreds",
}
DANISH_DONT_KNOW = "Ved ikke"
DANISH_DONT_KNOW_SHARE = 0.04
DANISH_COMMENTS = {
    1: "Pakken kom alt for sent; ingen besked fra fragtfirmaet",
    2: "Forsinket levering, æv",
    3: "Ok, men pakken stod i regnen",
    4: "Fin levering",
    5: "Super hurtigt – tak for det!",
}


def _make_danish_survey(
    rng: np.random.Generator,
    deliveries: list[Delivery],
    revisits: list[Revisit],
) -> tuple[str, list[list[str]]]:
    """A Danish post-delivery survey of the latest revisit, as a Danish Excel user saves it.

    Semicolons, decimal comma with '.' thousands, Danish answer labels ("Meget tilfreds", "Ved ikke"),
    dd-mm-yyyy HH:MM in Copenhagen time; written in cp1252 with CRLF and a sep=; line (see _write_danish_excel_csv).
    Ratings follow the same delay model as the delivery pulse, so the planted worsening shows here too.
    """
    latest, rv = len(revisits) - 1, revisits[-1]
    rows = []
    for d in deliveries:
        if d.order.revisit != latest or d.order.customer.country != "DK" or rng.random() >= DANISH_SHARE:
            continue
        submitted = d.delivered + int(rng.integers(2 * HOUR, 2 * DAY))
        latent = (
            PULSE_MEAN
            + PULSE_LATEST_SHIFT_SD
            + DELAY_EFFECT_PER_60_MIN * min(d.delay, DELAY_SATURATION_MINUTES) / 60
            + rng.standard_normal()
        )
        csat = 1 + int(np.searchsorted(CSAT_CUTS, latent))
        dont_know = rng.random() < DANISH_DONT_KNOW_SHARE
        comment = "" if rng.random() < COMMENT_BLANK_SHARE else DANISH_COMMENTS[csat]
        if not (rv.start <= submitted < rv.end and rv.local_start <= submitted < rv.local_end):
            continue
        amount = f"{d.order.value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
        local = dt.datetime.fromtimestamp(submitted, LOCAL_TZ).strftime("%d-%m-%Y %H:%M")
        rows.append(
            (
                submitted,
                [
                    d.order.customer.email,
                    d.order.order_id,
                    local,
                    amount,
                    DANISH_DONT_KNOW if dont_know else DANISH_LABELS[csat],
                    comment,
                ],
            )
        )
    rows.sort(key=lambda r: (r[0], r[1][1]))
    return (
        f"surveys/leveringsundersoegelse_{rv.id}.csv",
        [DANISH_HEADER] + [[f"LU-{k + 1:05d}", *row] for k, (_, row) in enumerate(rows)],
    )


def _write_danish_excel_csv(path: Path, rows: Sequence[Sequence[str]]) -> None:
    """Excel (Danish locale) "CSV (semikolonsepareret)": cp1252, CRLF, ';', a sep=; first line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="cp1252", newline="") as f:
        f.write("sep=;\r\n")
        csv.writer(f, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL).writerows(rows)


# --- truth, readme, writing ------------------------------------------------------------------------------


def _truth(
    seed: int,
    touchpoints: list[tuple[str, str]],
    revisits: list[Revisit],
    means: list[dict[str, float]],
    quality: dict[str, DataQuality],
    relationship: list[tuple[list[list[str]], list[list[str]]]],
    min_base: int,
) -> dict:
    """The planted truth as JSON-ready data."""
    tps = [t for _, t in touchpoints]
    low_base = [t for t in tps if REACH_PROBABILITY[t] * RELATIONSHIP_RESPONSES < min_base]
    columns = {t: c for c, t in touchpoints}
    answered = {
        t: {
            rv.id: sum(1 for r in rows if r[header[0].index(columns[t])] not in ("", NA_CODE))
            for rv, (header, rows) in zip(revisits, relationship)
        }
        for t in low_base
    }
    return {
        "seed": seed,
        "revisits": [rv.id for rv in revisits],
        "importance_weights": {t: IMPORTANCE_WEIGHTS[t] for t in tps},
        "importance_order": sorted(tps, key=lambda t: -IMPORTANCE_WEIGHTS[t]),
        "reach_probability": {t: REACH_PROBABILITY[t] for t in tps},
        "true_means": {rv.id: {t: m[t] for t in tps} for rv, m in zip(revisits, means)},
        "latent_model": {
            "halo_loading": HALO_LOADING,
            "outcome_noise_sd": OUTCOME_NOISE_SD,
            "csat_cuts": list(CSAT_CUTS),
            "nps_cuts": list(NPS_CUTS),
            "overall_cuts": list(OVERALL_CUTS),
            "not_answered_share": NOT_ANSWERED_SHARE,
        },
        "worsened": {
            "touchpoint": WORSENED_TOUCHPOINT,
            "from_revisit": revisits[-2].id,
            "to_revisit": revisits[-1].id,
            "latent_shift_sd": WORSENED_SHIFT_SD,
        },
        "unchanged_touchpoints": [t for t in tps if t != WORSENED_TOUCHPOINT],
        "delay_effect": {
            "csat_latent_per_60_min": DELAY_EFFECT_PER_60_MIN,
            "direction": "negative",
            "saturates_at_minutes": DELAY_SATURATION_MINUTES,
        },
        "delivery_pulse": {
            "latest_revisit_base_shift_sd": PULSE_LATEST_SHIFT_SD,
            "carrier_change": {
                "revisit": revisits[-1].id,
                "from": "PostNord",
                "to": "QuickShip",
                "share": NEW_CARRIER_SHARE,
            },
            "carrier_late_share": {c: v[0] for c, v in CARRIER_DELAYS.items()},
            "carrier_median_minutes_when_late": {c: v[1] for c, v in CARRIER_DELAYS.items()},
        },
        "low_base_touchpoints": low_base,
        "low_base_answered": answered,
        "data_quality": {name: dq.as_dict() for name, dq in sorted(quality.items())},
    }


def _readme(seed: int, revisits: list[Revisit]) -> str:
    ids = ", ".join(rv.id for rv in revisits)
    return f"""# Nordlys Home sample workspace

Fictional data for cjx, made by `cjx.sample.generate.generate_sample` (seed {seed}).
Do not edit by hand: a test regenerates it and compares every byte.

Nordlys Home is a made-up Nordic webshop for home goods with about 2,500 customers in
Denmark and Sweden (e-mails on example.dk / example.se). Revisits: {ids}.

## Files

- `journey.yml` - the journey: touchpoints, sources, revisits (a copy of cjx/sample/journey.yml).
- `operations/orders.csv` - about 1,400 orders per quarter; some customers order again.
- `operations/deliveries.csv` - one delivery per order with delay_minutes and carrier.
- `operations/tickets.csv` - support tickets after deliveries, likelier when late; some loops.
- `surveys/relationship_<revisit>.csv` - Qualtrics exports (three header rows), about 700
  responses each: NPS (Q1), overall satisfaction (Q2), touchpoint ratings Q3_1..Q3_11
  (blank = not experienced, -99 = not answered) and a comment (Q4).
- `surveys/delivery_pulse_<revisit>.csv` - post-delivery CSAT 1-5, about 350 per quarter.
- `surveys/service_ces_<revisit>.csv` - CES 2.0 (1-7, 99 = don't know) after tickets.
- `planted_truth.json` - everything planted, for tests and for checking the analysis.

Operational timestamps are UTC; the Qualtrics RecordedDate is Copenhagen local time.
Operations were extracted two weeks after the last revisit, so a few deliveries and
tickets of late-September orders fall in early October, outside every revisit.

## What is planted

- Touchpoint importance: the NPS latent is a weighted sum of touchpoint experiences with
  distinct weights (parcel delivery first, then product quality, web checkout, ...).
  A Shapley (LMG) split of R-squared recovers the order.
- Parcel delivery worsens in {revisits[-1].id}: its latent mean drops 0.8 SD against
  {revisits[-2].id}; nothing else changes between revisits except the knock-on effect on NPS.
- A carrier change (PostNord to QuickShip) in {revisits[-1].id} roughly triples delays.
- Delivery CSAT falls with the delivery's delay (-0.5 SD per 60 minutes, up to 4 hours).
- The loyalty club is rated by fewer than 30 respondents per revisit: a low-base blind spot.
- Data quality: delivery_pulse_{revisits[1].id} repeats 5 rows of delivery_pulse_{revisits[0].id};
  delivery_pulse_{revisits[-1].id} has csat 7 and 0 and one empty response_id;
  service_ces_{revisits[1].id} has one submitted_at of "not a date". Everything else is clean.
"""


def _pick(rng: np.random.Generator, items: Sequence[str]) -> str:
    return items[int(rng.integers(0, len(items)))]


def _iso(at: int) -> str:
    return dt.datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _local(at: int) -> str:
    return dt.datetime.fromtimestamp(at, LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S")


def _write_csv(path: Path, rows: Iterable[Sequence[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerows(rows)


def _write_text(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(text)


if __name__ == "__main__":
    import sys

    generate_sample(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("data/sample"))
