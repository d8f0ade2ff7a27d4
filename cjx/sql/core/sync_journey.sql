-- Replaces the journey tables with the journey file in force (frames registered by cjx.journey.sync).
DELETE FROM core.journey;
INSERT INTO core.journey BY NAME SELECT * FROM journey_df;

DELETE FROM core.stages;
INSERT INTO core.stages SELECT * FROM stages_df;

DELETE FROM core.touchpoints;
INSERT INTO core.touchpoints SELECT * FROM touchpoints_df;

DELETE FROM core.questions;
INSERT INTO core.questions
SELECT source_id, column_name, metric, touchpoint_id, scale_min::INTEGER, scale_max::INTEGER, is_reversed,
       na_labels::VARCHAR[], na_numbers::DOUBLE[], is_outcome, top_box::INTEGER
FROM questions_df;

DELETE FROM core.sources;
INSERT INTO core.sources
SELECT source_id, kind, touchpoint_id, map_column, event_types::VARCHAR[], event_window_hours FROM sources_df;

DELETE FROM core.touchpoint_maps;
INSERT INTO core.touchpoint_maps SELECT source_id::VARCHAR, value::VARCHAR, touchpoint_id::VARCHAR FROM touchpoint_maps_df;

DELETE FROM core.revisits;
INSERT INTO core.revisits BY NAME SELECT * FROM revisits_df;
