-- Verbatim comments of one revisit, each attributed to a touchpoint, with the rating its author gave that
-- touchpoint in the same response (0..1). The attribution rule is comments/attribution.sql (attributed_comments),
-- the one the comment marts use (comments/attributed.sql); run that file on the connection first.
SELECT touchpoint_id, attributed_by, source_id, response_id, column_name, responded_at, rating, comment
FROM attributed_comments($revisit_id)
ORDER BY touchpoint_id, rating NULLS LAST, responded_at DESC, source_id, response_id, column_name;
