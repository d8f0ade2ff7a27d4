-- Comments and mapping attributes keyed by their response's number (issue 10), as answers are (migration 090):
-- both long tables repeated each response's source and response id text on every row, and writing that text
-- was most of their load (a unique-ish id costs ~0.3 s per 1 M rows to compress and write, the integer key
-- almost nothing). core.comments and core.response_attributes stay, as views of the same shape, for the marts
-- and for anyone who queries the database.
CREATE TABLE core.comment_texts (
    response_key  BIGINT  NOT NULL,
    column_name   VARCHAR NOT NULL,
    touchpoint_id VARCHAR,
    comment       VARCHAR NOT NULL
);
INSERT INTO core.comment_texts
SELECT r.response_key, c.column_name, c.touchpoint_id, c.comment
FROM core.comments c
JOIN core.responses r USING (source_id, response_id);
DROP TABLE core.comments;
COMMENT ON TABLE core.comment_texts IS 'Free-text answers (verbatims), one row per non-blank comment, by their response (core.responses.response_key). core.comments is the same with the ids spelled out. Unique on (response_key, column_name).';

CREATE TABLE core.attribute_values (
    response_key BIGINT  NOT NULL,
    column_name  VARCHAR NOT NULL,
    value        VARCHAR NOT NULL
);
INSERT INTO core.attribute_values
SELECT r.response_key, a.column_name, a.value
FROM core.response_attributes a
JOIN core.responses r USING (source_id, response_id);
DROP TABLE core.response_attributes;
COMMENT ON TABLE core.attribute_values IS 'Declared non-question columns of a response used for mapping (e.g. channel), by their response (core.responses.response_key). core.response_attributes is the same with the ids spelled out. Unique on (response_key, column_name).';

CREATE VIEW core.comments AS
SELECT r.source_id, r.response_id, c.column_name, c.touchpoint_id, c.comment
FROM core.comment_texts c
JOIN core.responses r USING (response_key);
COMMENT ON VIEW core.comments IS 'Free-text answers (verbatims), one row per non-blank comment, keyed by (source_id, response_id, column_name): core.comment_texts with its response spelled out.';

CREATE VIEW core.response_attributes AS
SELECT r.source_id, r.response_id, a.column_name, a.value
FROM core.attribute_values a
JOIN core.responses r USING (response_key);
COMMENT ON VIEW core.response_attributes IS 'Declared non-question columns of a response used for mapping (e.g. channel), keyed by (source_id, response_id, column_name): core.attribute_values with its response spelled out.';
