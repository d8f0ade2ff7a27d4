-- One row per respondent x segment x revisit: the respondent's value of each declared segment (core.segments), as
-- of their latest response in the revisit. Reads the temp relation segment_column_values (segment_id,
-- respondent_id, responded_at, value: survey-column values read from raw by cjx.segments.respondents).
--   column:   the value given with the respondent's latest response in the revisit that has one;
--   customer: the customers table's value in force at the respondent's latest response (the latest valid_from at
--             or before it; a row without valid_from holds always);
--   derived:  new_vs_repeat: orders (events of the segment's event_types) up to that response: 1 = new, 2+ = repeat;
--             a respondent without an order gets no value.
-- Respondents without a value are not in the segment's table at all (not a value 'unknown').
CREATE OR REPLACE TABLE core.respondent_segments AS
WITH responses AS (
    SELECT r.respondent_id, r.responded_at, v.revisit_id
    FROM core.responses r
    JOIN core.revisits v ON r.responded_at >= v.start_at AND r.responded_at < v.end_at
), latest AS (
    SELECT respondent_id, revisit_id, max(responded_at) AS as_of
    FROM responses
    GROUP BY ALL
), column_values AS (
    SELECT c.segment_id, c.respondent_id, v.revisit_id, arg_max(c.value, c.responded_at) AS value,
           max(c.responded_at) AS as_of, 'column' AS kind
    FROM segment_column_values c
    JOIN core.revisits v ON c.responded_at >= v.start_at AND c.responded_at < v.end_at
    WHERE c.value IS NOT NULL
    GROUP BY ALL
), customer_values AS (
    SELECT s.segment_id, l.respondent_id, l.revisit_id,
           arg_max(a.value, coalesce(a.valid_from, TIMESTAMP '0001-01-01')) AS value, l.as_of, 'customer' AS kind
    FROM latest l
    JOIN core.customer_attributes a ON a.respondent_id = l.respondent_id
         AND (a.valid_from IS NULL OR a.valid_from <= l.as_of)
    JOIN core.segments s ON s.kind = 'customer' AND s.customer_column = a.attribute
    GROUP BY ALL
), derived_values AS (
    SELECT s.segment_id, l.respondent_id, l.revisit_id,
           CASE WHEN count(*) = 1 THEN 'new' ELSE 'repeat' END AS value, l.as_of, 'derived' AS kind
    FROM latest l
    JOIN core.segments s ON s.kind = 'derived' AND s.derived = 'new_vs_repeat'
    JOIN core.events e ON e.respondent_id = l.respondent_id AND e.occurred_at <= l.as_of
         AND list_contains(s.event_types, e.event_type)
    GROUP BY ALL
), final AS (
    SELECT * FROM column_values
    UNION ALL SELECT * FROM customer_values
    UNION ALL SELECT * FROM derived_values
)
SELECT f.respondent_id, f.segment_id, f.revisit_id, f.value, f.as_of
FROM final f
JOIN core.segments s USING (segment_id)
ORDER BY s.position, f.revisit_id, f.value, f.respondent_id;

COMMENT ON TABLE core.respondent_segments IS 'Each respondent''s value of each declared segment per revisit, as of their latest response in it (survey column, customers table at that time, or derived from the order history); respondents without a value are absent.';
COMMENT ON COLUMN core.respondent_segments.respondent_id IS 'Pseudonymised respondent (core.respondents).';
COMMENT ON COLUMN core.respondent_segments.segment_id IS 'Segment key from journey.yml (core.segments).';
COMMENT ON COLUMN core.respondent_segments.value IS 'The respondent''s value of the segment (text as given; new or repeat for new_vs_repeat).';
COMMENT ON COLUMN core.respondent_segments.as_of IS 'The response time the value is taken at (UTC): the latest response in the revisit (with a value, for a survey column).';
