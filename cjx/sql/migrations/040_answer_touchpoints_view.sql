-- core.answer_touchpoints becomes a view over core.answers (cjx/sql/mapping/response_touchpoints.sql, issue 18):
-- drop the table the mapping step used to write, so the view can take its name.
DROP TABLE IF EXISTS core.answer_touchpoints;
