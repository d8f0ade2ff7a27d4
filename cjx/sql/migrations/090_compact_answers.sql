-- Compact answers (issues 10 and 18). The long answer table repeated each response's source and response id
-- text, and each question's column name, metric and touchpoint, on every answer: on a 200,000 x 50 export that
-- is 6 M rows of strings, and writing them was the largest single step of the ingest, and joining answers to
-- responses on those strings the largest cost of every mart. Answers now carry two integers: their response's
-- key and their column's key. core.answers stays, as a view of the same shape, for the marts and for anyone who
-- queries the database.

-- A response's key: file_seq (raw.files) * 2^32 + its row number in that file, so a file's answers and its
-- responses get the same key without joining one to the other. Rows put in by hand (tests, a repair) take the
-- next value of a descending sequence instead, which cannot meet a file's keys (those are all >= 2^32).
CREATE SEQUENCE core.manual_response_key START WITH -1 INCREMENT BY -1 MINVALUE -9223372036854775807 MAXVALUE -1;
CREATE TABLE core.responses__keyed (
    source_id     VARCHAR   NOT NULL,
    response_id   VARCHAR   NOT NULL,
    respondent_id VARCHAR   NOT NULL,
    responded_at  TIMESTAMP NOT NULL,
    file_id       VARCHAR   NOT NULL,
    row_number    BIGINT    NOT NULL,
    response_key  BIGINT    NOT NULL DEFAULT nextval('core.manual_response_key')
);
INSERT INTO core.responses__keyed
SELECT r.source_id, r.response_id, r.respondent_id, r.responded_at, r.file_id, r.row_number,
       coalesce(f.file_seq * 4294967296 + r.row_number, nextval('core.manual_response_key'))
FROM core.responses r
LEFT JOIN raw.files f USING (file_id);
DROP TABLE core.responses;
ALTER TABLE core.responses__keyed RENAME TO responses;
COMMENT ON TABLE core.responses IS 'One row per survey response, keyed by (source_id, response_id). Unique on (source_id, response_id).';
COMMENT ON COLUMN core.responses.responded_at IS 'When the response was recorded, UTC.';
COMMENT ON COLUMN core.responses.response_key IS 'The response as a number (file_seq * 2^32 + row_number; negative for a row put in by hand): what core.answer_values and core.response_revisits join on. Unique.';

CREATE TABLE core.answer_columns (
    column_key    INTEGER NOT NULL,
    source_id     VARCHAR NOT NULL,
    column_name   VARCHAR NOT NULL,
    metric        VARCHAR NOT NULL,
    touchpoint_id VARCHAR
);
COMMENT ON TABLE core.answer_columns IS 'What an answer was given to, as a number: one row per source, column, metric and declared touchpoint that answers were loaded under (appended to, never rewritten, so an answer keeps the question it was given to). Unique on column_key.';

INSERT INTO core.answer_columns
SELECT row_number() OVER (ORDER BY source_id, column_name, metric, touchpoint_id NULLS FIRST), *
FROM (SELECT DISTINCT source_id, column_name, metric, touchpoint_id FROM core.answers);

CREATE TABLE core.answer_values (
    response_key BIGINT  NOT NULL,
    column_key   INTEGER NOT NULL,
    value        DOUBLE,
    score        DOUBLE,
    is_na        BOOLEAN NOT NULL
);
COMMENT ON TABLE core.answer_values IS 'Rated answers, compact: the response (core.responses.response_key), the column (core.answer_columns), the value and score. core.answers is the same with the ids spelled out. Unique on (response_key, column_key).';
COMMENT ON COLUMN core.answer_values.value IS 'The answer as given on its scale; NULL when is_na.';
COMMENT ON COLUMN core.answer_values.score IS 'The value with direction applied, so higher is always better.';

INSERT INTO core.answer_values
SELECT r.response_key, k.column_key, a.value, a.score, a.is_na
FROM core.answers a
JOIN core.responses r USING (source_id, response_id)
JOIN core.answer_columns k
    ON k.source_id = a.source_id AND k.column_name = a.column_name AND k.metric = a.metric
   AND k.touchpoint_id IS NOT DISTINCT FROM a.touchpoint_id;

DROP TABLE core.answers;

CREATE VIEW core.answers AS
SELECT r.source_id, r.response_id, k.column_name, k.metric, k.touchpoint_id, a.value, a.score, a.is_na
FROM core.answer_values a
JOIN core.responses r USING (response_key)
JOIN core.answer_columns k USING (column_key);

COMMENT ON VIEW core.answers IS 'Rated answers in long form; blanks (not asked, not met) are absent, N/A answers are kept with is_na. Unique on (source_id, response_id, column_name). A view of core.answer_values: to write answers, write there.';
COMMENT ON COLUMN core.answers.value IS 'The answer as given on its scale; NULL when is_na.';
COMMENT ON COLUMN core.answers.touchpoint_id IS 'Touchpoint declared on the question; the resolved touchpoint of every answer is in core.answer_touchpoints.';
COMMENT ON COLUMN core.answers.score IS 'The value with direction applied, so higher is always better.';
