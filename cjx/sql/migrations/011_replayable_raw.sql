-- Replayable layers (issue 10): raw.<source> is the durable record of every landed row; raw.files says how
-- each file landed; staging is views over raw (rendered per source from cjx/sql/staging/*.sql.j2); core is
-- rebuilt from staging when the parsing part of a source's config changes (ops.source_versions).
CREATE TABLE raw.files (
    file_id             VARCHAR PRIMARY KEY,
    source_id           VARCHAR NOT NULL,
    file_seq            BIGINT NOT NULL,
    file_name           VARCHAR NOT NULL,
    format              VARCHAR NOT NULL,
    header_fields       INTEGER,
    excel_dates         BOOLEAN NOT NULL DEFAULT false,
    non_response_column VARCHAR,
    columns             VARCHAR[] NOT NULL DEFAULT [],
    landed_at           TIMESTAMP NOT NULL
);
COMMENT ON TABLE raw.files IS 'One row per file kept in raw: its arrival order (file_seq), the adapter that read it and what the adapter learned (Excel date cells, the non-response column), the columns it had.';
COMMENT ON COLUMN raw.files.file_seq IS 'Arrival order of the file within the whole database: replays process files in this order, so latest-wins dedup and accounting are those of the original runs.';

CREATE SEQUENCE raw.file_seq START 1;

CREATE TABLE ops.source_versions (
    source_id   VARCHAR PRIMARY KEY,
    fingerprint VARCHAR NOT NULL,
    config      JSON NOT NULL,
    staged_at   TIMESTAMP NOT NULL
);
COMMENT ON TABLE ops.source_versions IS 'The parsing config (columns, scales, codebooks, N/A codes, locale, column map) each source''s core rows were staged with; a different fingerprint means the source is rebuilt from raw.';

CREATE TABLE core.codebook_labels (
    source_id   VARCHAR NOT NULL,
    column_name VARCHAR NOT NULL,
    label       VARCHAR NOT NULL,
    score       DOUBLE,
    is_na       BOOLEAN NOT NULL
);
COMMENT ON TABLE core.codebook_labels IS 'Answer labels of each rated question (normalised text -> score, or N/A), from the journey file in force: what staging reads labels with.';

ALTER TABLE ops.runs ADD COLUMN reprocessed VARCHAR[];
COMMENT ON COLUMN ops.runs.reprocessed IS 'Sources rebuilt from raw in this run because their parsing config changed (or on request: cjx reprocess).';

CREATE TABLE ops.reprocessings (
    source_id        VARCHAR NOT NULL,
    reprocessed_at   TIMESTAMP NOT NULL,
    journey_version  VARCHAR NOT NULL,
    reason           VARCHAR NOT NULL,
    rows_read        BIGINT NOT NULL,
    rows_loaded      BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    rows_duplicate   BIGINT NOT NULL,
    left_quarantine  BIGINT NOT NULL,
    entered_quarantine BIGINT NOT NULL
);
COMMENT ON TABLE ops.reprocessings IS 'Every rebuild of a source from raw: why (config changed, on request), and how many rows left or entered the quarantine.';
