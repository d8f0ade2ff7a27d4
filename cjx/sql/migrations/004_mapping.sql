-- Mapping rules live in core so that touchpoints can be re-mapped from the journey in force without re-ingesting.
CREATE TABLE core.sources (
    source_id         VARCHAR PRIMARY KEY,
    kind              VARCHAR NOT NULL,
    touchpoint_id     VARCHAR,
    map_column        VARCHAR,
    event_types       VARCHAR[] NOT NULL,
    event_window_hours DOUBLE
);
COMMENT ON TABLE core.sources IS 'Declared sources and how their responses map to touchpoints when a question does not say.';
COMMENT ON COLUMN core.sources.touchpoint_id IS 'Fixed touchpoint for every response of the source.';
COMMENT ON COLUMN core.sources.map_column IS 'Column whose value maps a response to a touchpoint (core.touchpoint_maps).';
COMMENT ON COLUMN core.sources.event_types IS 'Event types a response may be attributed to: the latest within event_window_hours before it.';

CREATE TABLE core.touchpoint_maps (
    source_id     VARCHAR NOT NULL,
    value         VARCHAR NOT NULL,
    touchpoint_id VARCHAR NOT NULL,
    PRIMARY KEY (source_id, value)
);
COMMENT ON TABLE core.touchpoint_maps IS 'Value of the source''s map_column -> touchpoint.';

CREATE TABLE core.response_attributes (
    source_id   VARCHAR NOT NULL,
    response_id VARCHAR NOT NULL,
    column_name VARCHAR NOT NULL,
    value       VARCHAR NOT NULL,
    PRIMARY KEY (source_id, response_id, column_name)
);
COMMENT ON TABLE core.response_attributes IS 'Declared non-question columns of a response used for mapping (e.g. channel).';
