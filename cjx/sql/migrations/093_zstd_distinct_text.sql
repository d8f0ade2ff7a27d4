-- Ids, pseudonyms and verbatims stored with ZSTD (issue 10). DuckDB's default for text, a dictionary with FSST,
-- suits columns of few distinct values; on columns whose values are nearly all distinct (a response or event id,
-- a respondent's pseudonym, a comment) it spends most of a load compressing: 2 M response ids and pseudonyms
-- took 2.3 s to write with it and 1.7 s with ZSTD, at 37 MiB against 26, and joins, distinct counts and group-bys
-- on them read back as fast. Low-cardinality text (source, file, column names, touchpoints)
-- keeps DuckDB's choice. raw.<source> does the same per column (cjx.ingest.staging.archive_columns).
CREATE TABLE core.responses__zstd (
    source_id     VARCHAR   NOT NULL,
    response_id   VARCHAR   NOT NULL USING COMPRESSION zstd,
    respondent_id VARCHAR   NOT NULL USING COMPRESSION zstd,
    responded_at  TIMESTAMP NOT NULL,
    file_id       VARCHAR   NOT NULL,
    row_number    BIGINT    NOT NULL,
    response_key  BIGINT    NOT NULL DEFAULT nextval('core.manual_response_key')
);
INSERT INTO core.responses__zstd SELECT * FROM core.responses;
DROP TABLE core.responses;
ALTER TABLE core.responses__zstd RENAME TO responses;
COMMENT ON TABLE core.responses IS 'One row per survey response, keyed by (source_id, response_id). Unique on (source_id, response_id).';
COMMENT ON COLUMN core.responses.responded_at IS 'When the response was recorded, UTC.';
COMMENT ON COLUMN core.responses.response_key IS 'The response as a number (file_seq * 2^32 + row_number; negative for a row put in by hand): what core.answer_values and core.response_revisits join on. Unique.';

CREATE TABLE core.respondents__zstd (
    respondent_id VARCHAR   NOT NULL USING COMPRESSION zstd,
    first_seen_at TIMESTAMP NOT NULL
);
INSERT INTO core.respondents__zstd SELECT * FROM core.respondents;
DROP TABLE core.respondents;
ALTER TABLE core.respondents__zstd RENAME TO respondents;
COMMENT ON TABLE core.respondents IS 'Pseudonymised customers: respondent_id is a keyed sha256 of the normalised identifier; the raw value is not stored. Unique on respondent_id.';

CREATE TABLE core.comment_texts__zstd (
    response_key  BIGINT  NOT NULL,
    column_name   VARCHAR NOT NULL,
    touchpoint_id VARCHAR,
    comment       VARCHAR NOT NULL USING COMPRESSION zstd
);
INSERT INTO core.comment_texts__zstd SELECT * FROM core.comment_texts;
DROP TABLE core.comment_texts;
ALTER TABLE core.comment_texts__zstd RENAME TO comment_texts;
COMMENT ON TABLE core.comment_texts IS 'Free-text answers (verbatims), one row per non-blank comment, by their response (core.responses.response_key). core.comments is the same with the ids spelled out. Unique on (response_key, column_name).';

CREATE TABLE core.events__zstd (
    source_id     VARCHAR   NOT NULL,
    event_id      VARCHAR   NOT NULL USING COMPRESSION zstd,
    event_type    VARCHAR   NOT NULL,
    touchpoint_id VARCHAR,
    respondent_id VARCHAR   NOT NULL USING COMPRESSION zstd,
    occurred_at   TIMESTAMP NOT NULL,
    file_id       VARCHAR   NOT NULL,
    row_number    BIGINT    NOT NULL
);
INSERT INTO core.events__zstd SELECT * FROM core.events;
DROP TABLE core.events;
ALTER TABLE core.events__zstd RENAME TO events;
COMMENT ON TABLE core.events IS 'Operational events (orders, deliveries, tickets) per pseudonymised customer. Unique on (source_id, event_id).';
