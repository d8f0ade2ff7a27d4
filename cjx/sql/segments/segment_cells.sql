-- Headline counts per touchpoint x revisit x segment value, and the same for the rest of the segment's
-- respondents in that touchpoint and revisit (every other known value of the segment). The headline metric is
-- the touchpoint's own (marts.touchpoint_scorecard.headline_metric), so a segment is read on the scorecard's
-- metric and box: csat/binary top box, ces above the midpoint, nps promoters (9-10) and detractors (0-6).
-- One row for every value of the segment seen in the revisit and every touchpoint (n = 0 where none answered).
-- Beside the counts, the raking weights' sums (w = 1 where the revisit is not weighted: core.respondent_weights),
-- so a weighted revisit is tested on its weighted shares and Kish effective bases (cjx.segments.scorecard).
-- Each answer is joined once with its response's revisit and mapping (core.response_revisits; the answer's own
-- touchpoint first, as in core.answer_touchpoints).
WITH answers AS (
    SELECT coalesce(a.touchpoint_id, rv.touchpoint_id) AS touchpoint_id, rv.revisit_id, rv.respondent_id, a.metric,
           a.score, coalesce(w.weight, 1.0) AS w,
           a.score >= q.scale_max - q.top_box + 1 AS is_top_box,
           a.score > (q.scale_min + q.scale_max) / 2 AS is_easy
    FROM core.answers_keyed a
    JOIN core.questions q USING (source_id, column_name)
    JOIN core.response_revisits rv ON rv.response_key = a.response_key
    LEFT JOIN core.respondent_weights w ON w.respondent_id = rv.respondent_id AND w.revisit_id = rv.revisit_id
    WHERE coalesce(a.touchpoint_id, rv.touchpoint_id) IS NOT NULL AND NOT a.is_na
), scored AS (
    SELECT a.touchpoint_id, a.revisit_id, a.respondent_id, a.w,
           CASE s.headline_metric WHEN 'ces' THEN a.is_easy WHEN 'nps' THEN a.score >= 9 ELSE a.is_top_box END
               AS is_good,
           s.headline_metric = 'nps' AND a.score <= 6 AS is_detractor
    FROM answers a
    JOIN marts.touchpoint_scorecard s USING (touchpoint_id, revisit_id)
    WHERE a.metric = s.headline_metric
), cells AS (
    SELECT g.segment_id, g.value AS segment_value, s.touchpoint_id, s.revisit_id,
           count(*) AS n, count(*) FILTER (s.is_good) AS n_good, count(*) FILTER (s.is_detractor) AS n_detractors,
           sum(s.w) AS w_sum, sum(s.w * s.w) AS w2_sum, coalesce(sum(s.w) FILTER (s.is_good), 0) AS w_good,
           coalesce(sum(s.w) FILTER (s.is_detractor), 0) AS w_detractors
    FROM scored s
    JOIN core.respondent_segments g USING (respondent_id, revisit_id)
    GROUP BY ALL
), seg_values AS (
    SELECT DISTINCT segment_id, revisit_id, value AS segment_value FROM core.respondent_segments
), grid AS (
    SELECT sv.segment_id, sv.segment_value, t.touchpoint_id, t.revisit_id, t.headline_metric,
           coalesce(c.n, 0) AS n, coalesce(c.n_good, 0) AS n_good, coalesce(c.n_detractors, 0) AS n_detractors,
           coalesce(c.w_sum, 0) AS w_sum, coalesce(c.w2_sum, 0) AS w2_sum, coalesce(c.w_good, 0) AS w_good,
           coalesce(c.w_detractors, 0) AS w_detractors,
           sv.revisit_id IN (SELECT revisit_id FROM core.weighting_revisits WHERE status = 'weighted') AS is_weighted
    FROM seg_values sv
    JOIN marts.touchpoint_scorecard t USING (revisit_id)
    LEFT JOIN cells c USING (segment_id, segment_value, touchpoint_id, revisit_id)
)
SELECT *,
       sum(n) OVER w - n AS n_rest,
       sum(n_good) OVER w - n_good AS n_good_rest,
       sum(n_detractors) OVER w - n_detractors AS n_detractors_rest,
       sum(w_sum) OVER w - w_sum AS w_sum_rest,
       sum(w2_sum) OVER w - w2_sum AS w2_sum_rest,
       sum(w_good) OVER w - w_good AS w_good_rest,
       sum(w_detractors) OVER w - w_detractors AS w_detractors_rest
FROM grid
WINDOW w AS (PARTITION BY segment_id, touchpoint_id, revisit_id)
ORDER BY segment_id, revisit_id, touchpoint_id, segment_value
