-- Real exports (issue 11, item 9): a survey source may declare `measures` carried in the survey file (an airline
-- survey's "Departure Delay in Minutes"); they relate to the response's own touchpoint ratings and to the
-- outcome the way operational measures do (cjx/sql/analytics/measure_pairs.sql, marts.measure_effects).
CREATE TABLE IF NOT EXISTS core.response_measures (
    source_id   VARCHAR NOT NULL,
    response_id VARCHAR NOT NULL,
    measure     VARCHAR NOT NULL,
    value       DOUBLE NOT NULL
);
COMMENT ON TABLE core.response_measures IS 'Declared numeric measures carried in survey responses (e.g. delay minutes in an airline survey), long form; not answers. Unique on (source_id, response_id, measure).';
-- Before this migration a survey source's measures landed in core.answers as metric ''measure'': move them.
INSERT INTO core.response_measures
SELECT source_id, response_id, column_name, value FROM core.answers WHERE metric = 'measure' AND value IS NOT NULL;
DELETE FROM core.answers WHERE metric = 'measure';
