-- Response-level mapping for sources that declare a rule: a fixed touchpoint, a column's value through a map,
-- or the respondent's latest operational event of a declared type within a window before the response.
-- Rebuilt from the journey in force, so changing the rules re-maps without re-ingesting.
-- Responses are matched on their integer response_key throughout (10 M answers: the mapping step's joins on the
-- id text were most of its time).
CREATE OR REPLACE TABLE core.response_touchpoints AS
WITH source AS (
    SELECT r.source_id, r.response_id, r.response_key, r.respondent_id, r.responded_at,
           s.touchpoint_id AS fixed_touchpoint, s.map_column, s.event_types, s.event_window_hours
    FROM core.responses r
    JOIN core.sources s USING (source_id)
    WHERE s.touchpoint_id IS NOT NULL OR s.map_column IS NOT NULL OR len(s.event_types) > 0
), by_value AS (
    SELECT s.response_key, a.value, m.touchpoint_id
    FROM source s
    JOIN core.attribute_values a ON a.response_key = s.response_key AND a.column_name = s.map_column
    LEFT JOIN core.touchpoint_maps m ON m.source_id = s.source_id AND m.value = a.value
), wanted_events AS (
    SELECT response_key, respondent_id, responded_at, event_window_hours, unnest(event_types) AS event_type
    FROM source
    WHERE fixed_touchpoint IS NULL AND len(event_types) > 0
), latest_by_type AS (
    -- DuckDB ASOF JOIN: per response and event type, the latest event at or before the response
    SELECT w.response_key, w.responded_at, w.event_window_hours,
           e.source_id AS event_source_id, e.event_id, e.touchpoint_id, e.occurred_at
    FROM wanted_events w
    ASOF JOIN core.events e
        ON e.respondent_id = w.respondent_id AND e.event_type = w.event_type AND e.occurred_at <= w.responded_at
), by_event AS (
    SELECT response_key,
           arg_max(event_source_id, (occurred_at, event_id)) AS event_source_id,
           arg_max(event_id, (occurred_at, event_id)) AS event_id,
           arg_max(touchpoint_id, (occurred_at, event_id)) AS touchpoint_id,
           max(occurred_at) AS event_at
    FROM latest_by_type
    WHERE occurred_at >= responded_at - to_seconds(event_window_hours * 3600)
    GROUP BY response_key
), final AS (
    SELECT
        s.source_id, s.response_id,
        coalesce(s.fixed_touchpoint, v.touchpoint_id, e.touchpoint_id) AS touchpoint_id,
        CASE WHEN s.fixed_touchpoint IS NOT NULL THEN 'source'
             WHEN v.touchpoint_id IS NOT NULL THEN 'column_map'
             WHEN e.touchpoint_id IS NOT NULL THEN 'event' END AS mapped_by,
        CASE WHEN s.fixed_touchpoint IS NULL AND v.touchpoint_id IS NULL THEN e.event_source_id END AS event_source_id,
        CASE WHEN s.fixed_touchpoint IS NULL AND v.touchpoint_id IS NULL THEN e.event_id END AS event_id,
        CASE WHEN s.fixed_touchpoint IS NULL AND v.touchpoint_id IS NULL THEN e.event_at END AS event_at,
        CASE WHEN coalesce(s.fixed_touchpoint, v.touchpoint_id, e.touchpoint_id) IS NOT NULL THEN NULL
             WHEN s.map_column IS NOT NULL AND v.value IS NULL AND len(s.event_types) = 0 THEN 'no_map_value'
             WHEN s.map_column IS NOT NULL AND len(s.event_types) = 0 THEN 'unknown_map_value'
             WHEN e.event_id IS NULL THEN 'no_event_in_window'
             ELSE 'event_without_touchpoint' END AS unmapped_reason,
        v.value AS map_value,
        s.response_key
    FROM source s
    LEFT JOIN by_value v USING (response_key)
    LEFT JOIN by_event e USING (response_key)
)
-- No ORDER BY: sorting every response (and below, every answer) is what ran out of memory at 10 M answers under
-- the default 192 MB limit, and nothing reads these tables in stored order.
SELECT * FROM final;

COMMENT ON TABLE core.response_touchpoints IS 'Touchpoint of each response of a source with a mapping rule, how it was mapped, and why not when unmapped.';
COMMENT ON COLUMN core.response_touchpoints.mapped_by IS 'source (fixed), column_map (a column''s value) or event (latest operational event within the window).';
COMMENT ON COLUMN core.response_touchpoints.event_id IS 'The operational event the response was attributed to (mapped_by = event).';
COMMENT ON COLUMN core.response_touchpoints.response_key IS 'The response as a number (core.responses.response_key).';
COMMENT ON COLUMN core.response_touchpoints.unmapped_reason IS 'no_map_value, unknown_map_value, no_event_in_window or event_without_touchpoint; NULL when mapped.';

-- A view, not a copy of every answer: the marts read core.answers_keyed with core.response_revisits (below),
-- and writing 10 M answer rows again was most of the mapping step (migration 040 dropped the old table).
CREATE OR REPLACE VIEW core.answer_touchpoints AS
SELECT
    a.source_id, a.response_id, a.column_name, a.metric,
    coalesce(a.touchpoint_id, rt.touchpoint_id) AS touchpoint_id,
    CASE WHEN a.touchpoint_id IS NOT NULL THEN 'question' ELSE rt.mapped_by END AS mapped_by,
    CASE WHEN a.touchpoint_id IS NULL THEN rt.event_source_id END AS event_source_id,
    CASE WHEN a.touchpoint_id IS NULL THEN rt.event_id END AS event_id,
    CASE WHEN a.touchpoint_id IS NULL THEN rt.unmapped_reason END AS unmapped_reason
FROM core.answers a
LEFT JOIN core.response_touchpoints rt USING (source_id, response_id);

COMMENT ON VIEW core.answer_touchpoints IS 'Resolved touchpoint of every answer: the question''s own, else its response''s. touchpoint_id NULL with no unmapped_reason = journey-level (e.g. relationship NPS).';

-- Every response in a revisit, with its revisit and its response-level mapping: the one place the marts take a
-- response's revisit from, so each mart joins core.answers_keyed once with this (a response per row, on its integer
-- response_key) instead of joining answers with an answer-level mapping, responses and revisits in turn. An answer's touchpoint is
-- coalesce(answer's own, this touchpoint_id); a response in two overlapping revisits has a row for each.
CREATE OR REPLACE TABLE core.response_revisits AS
SELECT r.source_id, r.response_id, r.response_key, r.respondent_id, r.responded_at, v.revisit_id,
       rt.touchpoint_id, rt.mapped_by, rt.event_source_id, rt.event_id, rt.unmapped_reason
FROM core.responses r
JOIN core.revisits v ON r.responded_at >= v.start_at AND r.responded_at < v.end_at
LEFT JOIN core.response_touchpoints rt ON rt.response_key = r.response_key;

COMMENT ON TABLE core.response_revisits IS 'Each response with the revisit it falls in (one row per revisit) and its response-level mapping (core.response_touchpoints); rebuilt with the marts.';
COMMENT ON COLUMN core.response_revisits.touchpoint_id IS 'Touchpoint of the response from its source''s mapping rule (NULL without a rule or unmapped); an answer''s own touchpoint comes first.';
