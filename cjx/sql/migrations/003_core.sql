-- Journey tables are replaced from journey.yml on every run (cjx.journey.sync).
CREATE TABLE core.journey (
    journey_id      VARCHAR NOT NULL,
    name            VARCHAR NOT NULL,
    journey_version VARCHAR NOT NULL,
    min_base        INTEGER NOT NULL
);
COMMENT ON TABLE core.journey IS 'The journey in force: one row, from journey.yml.';
COMMENT ON COLUMN core.journey.journey_version IS 'sha256 of the journey file.';
COMMENT ON COLUMN core.journey.min_base IS 'Minimum base n per reported cell; smaller cells are flagged low base.';

CREATE TABLE core.stages (
    stage_id  VARCHAR PRIMARY KEY,
    name      VARCHAR NOT NULL,
    position  INTEGER NOT NULL
);
COMMENT ON TABLE core.stages IS 'Journey stages in declared order.';

CREATE TABLE core.touchpoints (
    touchpoint_id VARCHAR PRIMARY KEY,
    name          VARCHAR NOT NULL,
    stage_id      VARCHAR NOT NULL,
    owner         VARCHAR NOT NULL,
    is_critical   BOOLEAN NOT NULL,
    target_metric VARCHAR,
    target_value  DOUBLE,
    position      INTEGER NOT NULL
);
COMMENT ON TABLE core.touchpoints IS 'Touchpoints in declared journey order, with owner, critical flag and optional target.';
COMMENT ON COLUMN core.touchpoints.target_value IS 'Service promise in headline units: top-2-box share (csat), share easy (ces), NPS points (nps).';

CREATE TABLE core.questions (
    source_id     VARCHAR NOT NULL,
    column_name   VARCHAR NOT NULL,
    metric        VARCHAR NOT NULL,
    touchpoint_id VARCHAR,
    scale_min     INTEGER,
    scale_max     INTEGER,
    is_reversed   BOOLEAN NOT NULL,
    na_labels     VARCHAR[] NOT NULL,
    na_numbers    DOUBLE[] NOT NULL,
    is_outcome    BOOLEAN NOT NULL,
    PRIMARY KEY (source_id, column_name)
);
COMMENT ON TABLE core.questions IS 'Declared questions per survey source: metric, scale, direction, N/A codes and touchpoint.';
COMMENT ON COLUMN core.questions.touchpoint_id IS 'Touchpoint declared on the question itself (per-question mapping); other rules are in core.sources.';
COMMENT ON COLUMN core.questions.is_reversed IS 'True where low is good (older 1-5 effort CES); scores are flipped so higher is always better.';

CREATE TABLE core.revisits (
    revisit_id VARCHAR PRIMARY KEY,
    start_date DATE NOT NULL,
    end_date   DATE NOT NULL
);
COMMENT ON TABLE core.revisits IS 'Revisits (waves) of the journey: responses dated in [start_date, end_date] (UTC) belong to it.';

CREATE TABLE core.respondents (
    respondent_id VARCHAR PRIMARY KEY,
    first_seen_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE core.respondents IS 'Pseudonymised customers: respondent_id is a keyed sha256 of the normalised identifier; the raw value is not stored.';

CREATE TABLE core.responses (
    source_id     VARCHAR NOT NULL,
    response_id   VARCHAR NOT NULL,
    respondent_id VARCHAR NOT NULL,
    responded_at  TIMESTAMP NOT NULL,
    file_id       VARCHAR NOT NULL,
    row_number    BIGINT NOT NULL,
    PRIMARY KEY (source_id, response_id)
);
COMMENT ON TABLE core.responses IS 'One row per survey response, keyed by (source_id, response_id).';
COMMENT ON COLUMN core.responses.responded_at IS 'When the response was recorded, UTC.';

CREATE TABLE core.answers (
    source_id     VARCHAR NOT NULL,
    response_id   VARCHAR NOT NULL,
    column_name   VARCHAR NOT NULL,
    metric        VARCHAR NOT NULL,
    touchpoint_id VARCHAR,
    value         DOUBLE,
    score         DOUBLE,
    is_na         BOOLEAN NOT NULL,
    PRIMARY KEY (source_id, response_id, column_name)
);
COMMENT ON TABLE core.answers IS 'Rated answers in long form; blanks (not asked, not met) are absent, N/A answers are kept with is_na.';
COMMENT ON COLUMN core.answers.value IS 'The answer as given on its scale; NULL when is_na.';
COMMENT ON COLUMN core.answers.touchpoint_id IS 'Touchpoint declared on the question; the resolved touchpoint of every answer is in core.answer_touchpoints.';
COMMENT ON COLUMN core.answers.score IS 'The value with direction applied, so higher is always better.';

CREATE TABLE core.comments (
    source_id     VARCHAR NOT NULL,
    response_id   VARCHAR NOT NULL,
    column_name   VARCHAR NOT NULL,
    touchpoint_id VARCHAR,
    comment       VARCHAR NOT NULL,
    PRIMARY KEY (source_id, response_id, column_name)
);
COMMENT ON TABLE core.comments IS 'Free-text answers (verbatims), one row per non-blank comment.';

CREATE TABLE core.events (
    source_id     VARCHAR NOT NULL,
    event_id      VARCHAR NOT NULL,
    event_type    VARCHAR NOT NULL,
    touchpoint_id VARCHAR,
    respondent_id VARCHAR NOT NULL,
    occurred_at   TIMESTAMP NOT NULL,
    file_id       VARCHAR NOT NULL,
    row_number    BIGINT NOT NULL,
    PRIMARY KEY (source_id, event_id)
);
COMMENT ON TABLE core.events IS 'Operational events (orders, deliveries, tickets) per pseudonymised customer.';

CREATE TABLE core.event_measures (
    source_id VARCHAR NOT NULL,
    event_id  VARCHAR NOT NULL,
    measure   VARCHAR NOT NULL,
    value     DOUBLE NOT NULL,
    PRIMARY KEY (source_id, event_id, measure)
);
COMMENT ON TABLE core.event_measures IS 'Declared numeric measures of events (e.g. delay_minutes), long form.';
