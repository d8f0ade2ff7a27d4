-- Every comment of every revisit attributed to a touchpoint, with its author's rating of that touchpoint rescaled
-- to 0..1: the rule of sql/report/verbatims.sql (the comment question's touchpoint; else the response's mapped
-- touchpoint; else the touchpoint its author rated lowest in that response, every one on a tie), for all revisits.
CREATE OR REPLACE TEMP TABLE comment_attribution AS
WITH source AS (
    SELECT c.source_id, c.response_id, c.column_name, c.touchpoint_id AS question_touchpoint_id, v.revisit_id
    FROM core.comments c
    JOIN core.responses r ON r.source_id = c.source_id AND r.response_id = c.response_id
    JOIN core.revisits v ON r.responded_at >= v.start_at AND r.responded_at < v.end_at
    WHERE trim(c.comment) <> ''
), ratings AS (
    SELECT a.source_id, a.response_id, t.touchpoint_id,
           min((a.score - q.scale_min) / (q.scale_max - q.scale_min)) AS rating
    FROM core.answers a
    JOIN core.answer_touchpoints t
      ON t.source_id = a.source_id AND t.response_id = a.response_id AND t.column_name = a.column_name
    JOIN core.questions q ON q.source_id = a.source_id AND q.column_name = a.column_name
    WHERE NOT a.is_na AND a.score IS NOT NULL AND a.metric IN ('csat', 'ces', 'nps')
      AND t.touchpoint_id IS NOT NULL AND q.scale_max > q.scale_min
      AND (a.source_id, a.response_id) IN (SELECT (source_id, response_id) FROM source)
    GROUP BY ALL
), lowest AS (
    SELECT source_id, response_id, touchpoint_id
    FROM ratings
    QUALIFY rating = min(rating) OVER (PARTITION BY source_id, response_id)
), mapped AS (
    SELECT DISTINCT source_id, response_id, touchpoint_id
    FROM core.response_touchpoints
    WHERE touchpoint_id IS NOT NULL
), attributed AS (
    SELECT s.*, s.question_touchpoint_id AS touchpoint_id, 'question' AS attributed_by
    FROM source s WHERE s.question_touchpoint_id IS NOT NULL
    UNION ALL BY NAME
    SELECT s.*, m.touchpoint_id, 'response' AS attributed_by
    FROM source s JOIN mapped m ON m.source_id = s.source_id AND m.response_id = s.response_id
    WHERE s.question_touchpoint_id IS NULL
    UNION ALL BY NAME
    SELECT s.*, l.touchpoint_id, 'lowest rating' AS attributed_by
    FROM source s JOIN lowest l ON l.source_id = s.source_id AND l.response_id = s.response_id
    WHERE s.question_touchpoint_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM mapped m WHERE m.source_id = s.source_id AND m.response_id = s.response_id)
)
SELECT a.revisit_id, a.touchpoint_id, a.attributed_by, a.source_id, a.response_id, a.column_name, r.rating
FROM attributed a
LEFT JOIN ratings r
  ON r.source_id = a.source_id AND r.response_id = a.response_id AND r.touchpoint_id = a.touchpoint_id;
