"""The journey file as typed, validated models (see DESIGN.md, "Words")."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from cjx.journey.cron import cron_problem, time_zone_problem
from cjx.privacy.paths import check_name

# Ids become DuckDB identifiers (raw table names) and keys in marts: keep them plain.
ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_\-]*$"
Id = str
# A name that becomes a file or folder name (scorecard_<revisit>.html): [A-Za-z0-9._-], no '..' (cjx.privacy.paths).
FileName = Annotated[str, AfterValidator(check_name)]


def _valid_time_zone(name: str) -> str:
    if problem := time_zone_problem(name):
        raise ValueError(problem)
    return name


def _valid_cron(expression: str) -> str:
    if problem := cron_problem(expression):
        raise ValueError(problem)
    return expression


# An IANA time zone name, checked at load (a misspelt zone used to crash the run): cjx.journey.cron.
TimeZone = Annotated[str, AfterValidator(_valid_time_zone)]

Metric = Literal["nps", "csat", "ces", "overall", "binary", "comment"]
RATED_METRICS = ("nps", "csat", "ces", "overall", "binary")


def default_top_box(scale_min: int, scale_max: int) -> int:
    """How many top points of a scale count as satisfied when a question declares none: 1 on scales of up to
    three points (yes/no, 0-1, 1-3), 2 up to seven points (4-5 on 1-5, 6-7 on 1-7), 3 on longer scales (8-10)."""
    points = scale_max - scale_min + 1
    return 1 if points <= 3 else 2 if points <= 7 else 3


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class JourneyInfo(Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    timezone: TimeZone = Field(
        "UTC",
        description="IANA time zone of the journey's calendar: revisits run from local midnight of start to local "
        "midnight after end, and a source that declares no timezone reads its local times in it",
    )


class Stage(Strict):
    id: Id = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)


class Target(Strict):
    """The service promise, in headline units: top-box share (csat), share easy (ces), share of yes (binary),
    NPS points (nps)."""

    metric: Literal["nps", "csat", "ces", "binary"]
    value: float


class Touchpoint(Strict):
    id: Id = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    stage: Id
    owner: str = Field(min_length=1)
    critical: bool = False
    target: Target | None = None


class Scale(Strict):
    min: int
    max: int

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if self.max <= self.min:
            raise ValueError(f"max ({self.max}) must be greater than min ({self.min})")
        return self


class Codebook(Strict):
    """Answer labels -> scores for one question, with whether they replace the built-in labels or extend them."""

    labels: dict[str, float] = Field(min_length=1)
    replace: bool = Field(False, description="true: these labels only; false: the built-in labels of the scale too")


class Question(Strict):
    column: str = Field(min_length=1)
    metric: Metric
    scale: Scale | None = None
    direction: Literal["higher_is_better", "lower_is_better"] = "higher_is_better"
    na_codes: list[int | str] = Field(default_factory=list)
    touchpoint: Id | None = None
    codebook: str | Codebook | dict[str, float] | None = Field(
        None,
        description="answer labels -> scores: a built-in or journey codebook name, or an inline mapping; these "
        "extend the built-in scale labels matching the question's metric and scale ({labels: {...}, replace: "
        "true} uses only the given labels); absent: the built-in labels alone",
    )
    top_box: int | None = Field(
        None,
        ge=1,
        description="how many top points of the scale count as satisfied in the headline share; absent: 1 on "
        "scales of up to 3 points, 2 up to 7 points, 3 on longer scales",
    )

    @model_validator(mode="before")
    @classmethod
    def _codebook_shape(cls, data: object) -> object:
        """`codebook: {replace: true, <label>: <score>, ...}` is read as {labels: {...}, replace: true}."""
        if isinstance(data, dict) and isinstance(data.get("codebook"), dict):
            book = dict(data["codebook"])
            if "labels" not in book and isinstance(book.get("replace"), bool):
                replace = book.pop("replace")
                data = {**data, "codebook": {"labels": book, "replace": replace}}
        return data

    @model_validator(mode="after")
    def _scale_declared(self) -> Question:
        if self.metric == "nps" and self.scale is None:
            object.__setattr__(self, "scale", Scale(min=0, max=10))
        if self.metric == "binary" and self.scale is None:
            object.__setattr__(self, "scale", Scale(min=0, max=1))
        if self.metric == "binary" and self.scale is not None and (self.scale.min, self.scale.max) != (0, 1):
            raise ValueError("a binary question is on the 0-1 scale (0 = no, 1 = yes)")
        if self.top_box is not None and self.scale is not None and self.top_box > self.scale.max - self.scale.min:
            raise ValueError(
                f"top_box {self.top_box} leaves no answer outside the box on the {self.scale.min}-{self.scale.max} scale"
            )
        if self.metric in RATED_METRICS and self.scale is None:
            raise ValueError(f"a {self.metric} question needs a scale with min and max")
        if self.metric == "nps" and self.scale is not None and (self.scale.min, self.scale.max) != (0, 10):
            raise ValueError("an nps question is on the 0-10 scale")
        return self

    @property
    def effective_top_box(self) -> int | None:
        """The declared top_box, else the default for the scale's length (None for unrated questions)."""
        if self.scale is None:
            return None
        return self.top_box or default_top_box(self.scale.min, self.scale.max)


class TouchpointMap(Strict):
    """Map a response to a touchpoint by a column's value (e.g. channel = phone -> support call)."""

    column: str = Field(min_length=1)
    values: dict[str, Id] = Field(min_length=1)


class EventTrigger(Strict):
    """Attribute a response to the respondent's latest event of these types within a window before it."""

    event_types: list[str] = Field(min_length=1)
    within_hours: float = Field(gt=0)


Format = Literal[
    "auto",
    "csv",
    "qualtrics_csv",
    "surveymonkey",
    "google_forms",
    "typeform",
    "ms_forms",
    "delighted",
    "zendesk",
    "xlsx",
    "parquet",
    "json",
]
FORMATS: tuple[str, ...] = get_args(Format)


class Locale(Strict):
    """How a source's files write text and numbers (Nordic Excel: encoding cp1252, delimiter ;, decimal ,)."""

    encoding: Literal["auto", "utf-8", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1"] = "auto"
    delimiter: Literal["auto", ",", ";", "\t", "|"] = "auto"
    quote: Literal["auto", '"', "none"] = Field(
        "auto",
        description='quoting of fields: " (standard CSV), none (a " is text: Google Sheets TSV); auto: detected, '
        "none for a tab-separated file that reads better without quoting",
    )
    decimal: Literal[".", ","] = "."
    thousands: Literal[".", ",", "space"] | None = Field(
        None, description="group separator in numbers; 'space' also accepts the no-break spaces Excel writes"
    )

    @model_validator(mode="after")
    def _distinct(self) -> Locale:
        if self.thousands == self.decimal:
            raise ValueError(f"thousands and decimal separators are both {self.decimal!r}")
        return self


class Source(Strict):
    id: Id = Field(pattern=ID_PATTERN)
    kind: Literal["survey", "operational"]
    format: Format = Field("auto", description="export format; auto: detected from the file")
    files: str = Field(min_length=1, description="glob pattern, relative to the journey file")
    respondent_id: str = Field(
        min_length=1,
        description="column with the customer's identifier; may be the timestamp or response id column too",
    )
    timestamp: str | None = Field(
        None,
        min_length=1,
        description="column with the time of the response (event); absent: the source gives `date` or `revisit`",
    )
    date: dt.date | None = Field(
        None, description="without a timestamp column: the one date every response of this source is dated"
    )
    revisit: str | None = Field(
        None, description="without a timestamp column: the revisit every response belongs to (dated its start)"
    )
    timestamp_format: str | list[str] | None = Field(
        None,
        description="strptime format(s), tried in order; also excel_serial (XLSX only) and unix_seconds; "
        "ISO-8601 when absent",
    )
    locale: Locale = Locale()
    column_map: dict[str, str] = Field(
        default_factory=dict, description="file column -> the name this source uses for it (generic exports)"
    )
    timezone: TimeZone = Field("UTC", description="IANA time zone of local timestamps (Europe/Copenhagen)")
    duplicates: Literal["latest", "first_seen"] = Field(
        "latest",
        description="rows sharing a response (event) id: the latest recorded wins; on the same recorded time the "
        "file that arrived later (a corrected re-export), or with first_seen the one that arrived first",
    )
    touchpoint: Id | None = None
    touchpoint_by: TouchpointMap | None = None
    touchpoint_from_event: EventTrigger | None = None
    private_columns: list[str] = Field(
        default_factory=list, description="more identifying columns (names, IP) pseudonymised like respondent_id"
    )
    # survey sources
    response_id: str | None = Field(
        None,
        description="column with the response id; absent: a stable id is made from the row's declared cells "
        "(and its place among identical rows of the file), so same-second answers are not merged",
    )
    questions: list[Question] = Field(default_factory=list)
    # operational sources
    event_type: str | None = None
    event_id: str | None = None
    measures: list[str] = Field(
        default_factory=list,
        description="numeric columns (delay minutes) of an operational source's events, or carried in a survey file",
    )

    @model_validator(mode="after")
    def _kind_fields(self) -> Source:
        if self.timestamp is None and self.date is None and self.revisit is None:
            raise ValueError(
                "a source without a timestamp column needs either date (one fixed date) or revisit (its revisit id)"
            )
        if self.timestamp is not None and (self.date is not None or self.revisit is not None):
            raise ValueError("date and revisit are only for a source without a timestamp column")
        if self.kind == "survey":
            if not self.questions:
                raise ValueError("a survey source needs at least one question")
        else:
            if not (self.event_id and self.event_type):
                raise ValueError("an operational source needs event_id and event_type")
        return self

    def columns(self) -> list[str]:
        """Columns this source requires in every file."""
        cols = [self.respondent_id] + ([self.timestamp] if self.timestamp else [])
        key = self.response_id if self.kind == "survey" else self.event_id
        if key is not None:  # a survey may have none (ids made from row content)
            cols.append(key)
        cols += [q.column for q in self.questions] + self.measures
        cols += [self.touchpoint_by.column] if self.touchpoint_by else []
        return list(dict.fromkeys(cols))


class Outcome(Strict):
    """What importance explains: a survey question (source + question), or a behaviour seen in the
    operational data after the response (behaviour + within_days: repurchase = another event of
    ``event_types`` by the same respondent within the window; churn = none)."""

    source: Id | None = None
    question: str | None = None
    behaviour: Literal["repurchase", "churn"] | None = Field(
        None,
        description="a 0/1 outcome from operational events after each response (importance: linear probability model)",
    )
    within_days: int | None = Field(None, ge=1, description="window after the response for behaviour")
    event_types: list[str] = Field(default_factory=lambda: ["order"], description="events that count as a purchase")

    @model_validator(mode="after")
    def _one_kind(self) -> Outcome:
        question = self.source is not None or self.question is not None
        behaviour = self.behaviour is not None or self.within_days is not None
        if question == behaviour:
            raise ValueError("give either source and question (a survey outcome) or behaviour and within_days")
        if question and (self.source is None or self.question is None):
            raise ValueError("a survey outcome needs both source and question")
        if behaviour and (self.behaviour is None or self.within_days is None):
            raise ValueError("a behavioural outcome needs both behaviour (repurchase or churn) and within_days")
        return self


class Revisit(Strict):
    id: FileName = Field(min_length=1, description="becomes the scorecard's file name: [A-Za-z0-9._-], no '..'")
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Revisit:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self


class Limits(Strict):
    """Bounds on what one file may cost: past a cap the file is rejected in seconds, never hours or gigabytes."""

    max_columns: int = Field(4096, ge=1, description="header width (fields in the header row)")
    max_fields_per_row: int = Field(4096, ge=1, description="fields in any one record; wider records reject the file")
    max_line_bytes: int = Field(8 * 1024 * 1024, ge=1024, description="bytes in one line of a text file")
    max_field_chars: int = Field(65536, ge=1, description="characters in one field; a longer field quarantines its row")
    max_xlsx_uncompressed_bytes: int = Field(
        256 * 1024 * 1024, ge=1024, description="uncompressed size of a workbook's parts (zip bombs)"
    )
    max_json_depth: int = Field(64, ge=2, description="nesting depth of a JSON export")


class Settings(Strict):
    min_base: int = Field(30, ge=1)
    limits: Limits = Limits()
    keep_raw_identifiers: bool = Field(False, description="store e-mails etc. as given in raw (off: pseudonymised)")
    scrub_comments: bool = Field(
        True,
        description="replace e-mail addresses, phone numbers and long digit runs in comments by [e-mail], [phone], "
        "[number] as files land (raw and core never hold them; counts in ops.scrubbed_text)",
    )
    rejected_dir: str = Field(
        "rejected",
        min_length=1,
        description="where rejected files are moved (with a reason file); relative to the journey file",
    )
    archive_dir: str | None = Field(
        None,
        description="move files here (per source) once loaded or seen before, relative to the journey file; "
        "unset: files stay where they are",
    )
    max_failing_share: float = Field(
        0.5,
        gt=0,
        le=1,
        description="batch gate: a file whose rows fail one expectation more often than this is "
        "rejected whole (a systematic problem) instead of quarantining the rows",
    )
    pseudonym_key_block: str | None = Field(
        None, description="Prefect Secret block holding the pseudonymisation key, used when CJX_PSEUDONYM_KEY is unset"
    )
    bootstrap_resamples: int = Field(500, ge=50, description="resamples for importance intervals")
    min_driver_pairs: int | None = Field(
        None,
        ge=2,
        description="joint answers a touchpoint needs with the outcome and with every other touchpoint to enter "
        "importance (unset: min_base)",
    )
    bootstrap_seed: int = 20261124
    ipa_crosshair: Literal["mean", "median", "midpoint", "target"] = Field(
        "mean", description="where the importance-performance quadrants are split"
    )
    language: Literal["en", "da", "sv", "nb"] = Field(
        "en", description="language of the scorecard labels (en, da, sv, nb); the data itself is shown as it came"
    )
    discovered_themes: int = Field(
        5,
        ge=0,
        le=20,
        description="comment themes to discover (TF-IDF + NMF) among the comments no declared theme matches; 0: none",
    )


class Schedule(Strict):
    cron: Annotated[str, AfterValidator(_valid_cron)] = Field(
        "0 6 * * 1", description="five-field cron (minute hour day-of-month month day-of-week), as Prefect takes it"
    )
    timezone: TimeZone = Field("UTC", description="IANA time zone the cron is read in")


class Alerts(Strict):
    """Notifications after a pipeline run, through a Prefect notification block (Slack, Teams, e-mail... via
    apprise, which Prefect ships) or a plain webhook (Prefect's Custom Webhook block): cjx.alerts, flows/alerts.py."""

    block: str | None = Field(
        None, description="a saved Prefect notification block, '<block type slug>/<name>' (slack-webhook/cx-team)"
    )
    webhook_url: str | None = Field(
        None, description='or a URL that gets a POST of JSON {"title": ..., "text": ...}; exactly one of the two'
    )
    critical_drop: bool = Field(
        True, description="alert when a critical touchpoint is significantly worse than in the previous revisit"
    )
    silent_days: int | None = Field(
        None, ge=1, description="alert when a source has had no file with new rows for this many days"
    )

    @model_validator(mode="after")
    def _one_channel(self) -> Alerts:
        if (self.block is None) == (self.webhook_url is None):
            raise ValueError("alerts need exactly one of block (a Prefect notification block) or webhook_url")
        return self


class Customers(Strict):
    """A customer table (CRM export, CSV) joined to respondents through the pseudonym: its id column is
    pseudonymised at load with the same key as respondent ids, so no raw identifier is stored (cjx.segments.customers)."""

    files: str = Field(
        min_length=1, description="glob pattern of the customer CSV file(s), relative to the journey file"
    )
    customer_id: str = Field(
        min_length=1, description="column with the customer's identifier (e-mail, as in the surveys)"
    )
    columns: list[str] = Field(min_length=1, description="attribute columns segments may use (tier, region, ...)")
    valid_from: str | None = Field(
        None,
        min_length=1,
        description="column with the date (ISO-8601) a row holds from, for attribute history (tier upgrades): a "
        "response gets the value in force at its time; absent: every row holds always",
    )


class Segment(Strict):
    """One way to break scores down by who answered: a survey column, a customer-table column, or derived."""

    id: Id = Field(pattern=ID_PATTERN)
    name: str | None = Field(None, min_length=1, description="label on the page; absent: the id")
    column: str | None = Field(None, min_length=1, description="a survey column holding the value (Class, Region)")
    source: Id | None = Field(None, description="with column: only this survey source's column (absent: any survey)")
    customer: str | None = Field(None, min_length=1, description="a column of the customers: table (tier)")
    derived: Literal["new_vs_repeat"] | None = Field(
        None,
        description="new_vs_repeat: 'new' with one order of event_types up to the response, 'repeat' with two or more "
        "(respondents with none get no value)",
    )
    event_types: list[str] = Field(default_factory=lambda: ["order"], description="events counted as orders (derived)")

    @model_validator(mode="after")
    def _one_kind(self) -> Segment:
        given = [k for k in ("column", "customer", "derived") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"a segment needs exactly one of column, customer or derived; got {given or 'none'}")
        if self.source is not None and self.column is None:
            raise ValueError("source is only for a segment read from a survey column")
        return self


class Weighting(Strict):
    """Raking to known population margins (issue 15): every revisit's respondents get weights whose weighted shares
    match the margins on each named segment (cjx.segments.weights). Respondents with no value of a weighted segment,
    or one the margins leave out, make the revisit's weighting refused with the reason (reported unweighted)."""

    margins: dict[Id, dict[Annotated[str, Field(min_length=1)], float]] = Field(
        min_length=1,
        description="segment id -> value -> population share (the shares of a segment sum to 1); the segments must "
        "be declared in segments:",
    )
    tolerance: float = Field(
        0.001, gt=0, le=0.05, description="how far a segment's shares may sum from 1, and the raked margins from them"
    )
    max_iterations: int = Field(1000, ge=10, le=100_000, description="raking passes before giving up (refused)")


class Journey(Strict):
    journey: JourneyInfo
    stages: list[Stage] = Field(min_length=1)
    touchpoints: list[Touchpoint] = Field(min_length=1)
    sources: list[Source] = Field(min_length=1)
    outcome: Outcome | None = None
    revisits: list[Revisit] = Field(min_length=1)
    settings: Settings = Settings()
    schedule: Schedule = Schedule()
    alerts: Alerts | None = None
    codebooks: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="named answer-label codebooks: label -> score"
    )
    themes: dict[Annotated[str, Field(pattern=ID_PATTERN)], dict[Literal["da", "sv", "en", "nb"], list[str]]] = Field(
        default_factory=dict,
        description="comment theme codebook: theme id -> language -> terms (words or phrases, matched by their "
        "Snowball stems: 'forsinket' also finds 'forsinkelse')",
    )
    customers: Customers | None = None
    segments: list[Segment] = Field(default_factory=list, description="breakdowns of the scores by who answered")
    weighting: Weighting | None = Field(
        None, description="raking to population margins of declared segments; absent: every respondent weighs 1"
    )

    @model_validator(mode="after")
    def _date_sources_by_revisit(self) -> Journey:
        """A source dated by its revisit gets the revisit's first day as its date (an unknown revisit is reported
        by cjx.journey.load with the key path)."""
        starts = {r.id: r.start for r in self.revisits}
        for s in self.sources:
            if s.timestamp is None and s.date is None and s.revisit in starts:
                object.__setattr__(s, "date", starts[s.revisit])
        return self

    @model_validator(mode="after")
    def _sources_in_the_journey_time_zone(self) -> Journey:
        """A source that declares no timezone reads its local times in the journey's (its fields_set still says it
        declared none, so an export's own zone, a Qualtrics ImportId timeZone, comes first: cjx.ingest.locale)."""
        for s in self.sources:
            if "timezone" not in s.model_fields_set:
                object.__setattr__(s, "timezone", self.journey.timezone)
        return self

    def source(self, source_id: str) -> Source:
        return next(s for s in self.sources if s.id == source_id)
