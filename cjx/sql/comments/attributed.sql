-- Every comment of every revisit attributed to a touchpoint, with its author's rating of that touchpoint rescaled
-- to 0..1, for the comment marts. The rule is comments/attribution.sql (attributed_comments), the one the
-- scorecard's verbatims use (report/verbatims.sql); run that file on the connection first.
CREATE OR REPLACE TEMP TABLE comment_attribution AS
SELECT revisit_id, touchpoint_id, attributed_by, source_id, response_id, column_name, rating
FROM attributed_comments(NULL);
