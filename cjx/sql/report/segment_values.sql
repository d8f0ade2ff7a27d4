-- The segment values of one revisit with their respondents, in declared segment order, for the page's selector.
SELECT g.segment_id, g.name AS segment_name, r.value AS segment_value, count(*) AS n_respondents
FROM core.respondent_segments r
JOIN core.segments g USING (segment_id)
WHERE r.revisit_id = $revisit_id
GROUP BY ALL
ORDER BY any_value(g.position), r.value
