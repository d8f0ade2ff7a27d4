-- Privacy (issue 12): erasure on request (cjx forget) and what ingest scrubbed from free text.
CREATE TABLE ops.erasures (
    erasure_id       VARCHAR PRIMARY KEY,
    erased_at        TIMESTAMP NOT NULL,
    n_pseudonyms     INTEGER NOT NULL,
    raw_rows         BIGINT NOT NULL,
    responses        BIGINT NOT NULL,
    answers          BIGINT NOT NULL,
    comments         BIGINT NOT NULL,
    events           BIGINT NOT NULL,
    event_measures   BIGINT NOT NULL,
    quarantined      BIGINT NOT NULL,
    files            BIGINT NOT NULL
);
COMMENT ON TABLE ops.erasures IS 'One row per `cjx forget`: when, and how many rows of each kind were removed; never who (the person''s pseudonyms are in ops.erased_respondents, hashed).';
COMMENT ON COLUMN ops.erasures.n_pseudonyms IS 'Pseudonyms erased: the one asked for and the respondent ids of rows that carried it in a private column.';
COMMENT ON COLUMN ops.erasures.raw_rows IS 'Rows removed from raw.<source> (each also left core, the quarantine or the duplicates of its file).';
COMMENT ON COLUMN ops.erasures.files IS 'Files that had rows of the person; their accounting no longer counts those rows (ops.erased_rows).';

CREATE TABLE ops.erased_respondents (
    pseudonym_hash VARCHAR PRIMARY KEY,
    erasure_id     VARCHAR NOT NULL
);
COMMENT ON TABLE ops.erased_respondents IS 'Who must not come back: sha256 of each erased pseudonym. Ingest drops rows carrying one of them before staging, so a re-ingest or a new export does not bring the person back.';
COMMENT ON COLUMN ops.erased_respondents.pseudonym_hash IS 'sha256(''cjx-erased:'' || pseudonym), hex: not the respondent_id itself, so this table joins to nothing.';

CREATE TABLE ops.erased_rows (
    file_id    VARCHAR NOT NULL,
    source_id  VARCHAR NOT NULL,
    rows       BIGINT NOT NULL,
    erased_by  VARCHAR NOT NULL,
    erased_at  TIMESTAMP NOT NULL
);
COMMENT ON TABLE ops.erased_rows IS 'Rows of a file not counted in its rows_read because they belonged to an erased person: removed by cjx forget (erased_by = the erasure id) or dropped at ingest (erased_by = ingest). rows_read + these rows = the rows in the file.';

CREATE TABLE ops.scrubbed_text (
    file_id     VARCHAR NOT NULL,
    source_id   VARCHAR NOT NULL,
    column_name VARCHAR NOT NULL,
    emails      BIGINT NOT NULL,
    phones      BIGINT NOT NULL,
    numbers     BIGINT NOT NULL,
    PRIMARY KEY (file_id, column_name)
);
COMMENT ON TABLE ops.scrubbed_text IS 'Per file and free-text column: how many e-mail addresses, phone numbers and long digit runs ingest replaced by [e-mail], [phone] and [number] (settings.scrub_comments).';
