-- The rule that attributes a comment to a touchpoint, defined once for the comment marts (comments/attributed.sql,
-- every revisit) and the scorecard's verbatims (report/verbatims.sql, one revisit). attributed_comments(for_revisit)
-- gives every comment of that revisit (NULL: of every revisit; a revisit by start_at/end_at, the journey's time
-- zone), each attributed to a touchpoint, with the rating its author gave that touchpoint in the same response
-- (rescaled to 0..1 so 1-5, 1-7 and 0-10 scales compare). The rule, in order:
--   1. the comment question's own touchpoint (core.comments.touchpoint_id), attributed_by = 'question';
--   2. the response's mapped touchpoint (core.response_touchpoints: fixed, column map, event), 'response';
--   3. otherwise (a relationship survey's general comment) the touchpoint the respondent rated lowest in
--      that response, 'lowest rating'; on a tie, every tied touchpoint (the comment may be about any of them).
-- Comments with no rated touchpoint in their response are left out: there is nothing to attribute them to.
-- A temporary macro: it lives on the connection that ran this file (read-only connections included).
CREATE OR REPLACE TEMP MACRO attributed_comments(for_revisit) AS TABLE
WITH source AS (
    SELECT c.source_id, c.response_id, c.column_name, c.touchpoint_id AS question_touchpoint_id, c.comment,
           r.responded_at, v.revisit_id
    FROM core.comments c
    JOIN core.responses r ON r.source_id = c.source_id AND r.response_id = c.response_id
    JOIN core.revisits v ON r.responded_at >= v.start_at AND r.responded_at < v.end_at
    WHERE (for_revisit IS NULL OR v.revisit_id = for_revisit) AND trim(c.comment) <> ''
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
SELECT a.revisit_id, a.touchpoint_id, a.attributed_by, a.source_id, a.response_id, a.column_name, a.responded_at,
       r.rating, a.comment
FROM attributed a
LEFT JOIN ratings r
  ON r.source_id = a.source_id AND r.response_id = a.response_id AND r.touchpoint_id = a.touchpoint_id;
