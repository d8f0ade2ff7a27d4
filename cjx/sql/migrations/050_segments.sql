-- Segments (issue 15): breakdowns of the scores by who answered. The declarations are synced from the journey
-- (cjx.segments.sync), the customers table is loaded with its id pseudonymised (cjx.segments.customers), and
-- core.respondent_segments and the segment marts are rebuilt with the marts (cjx.segments.build).
CREATE TABLE core.segments (
    segment_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    column_name VARCHAR,
    source_id VARCHAR,
    customer_column VARCHAR,
    derived VARCHAR,
    event_types VARCHAR[],
    position INTEGER NOT NULL
);
COMMENT ON TABLE core.segments IS 'Segments declared in the journey file (segments:), in declared order.';
COMMENT ON COLUMN core.segments.kind IS 'column (a survey column), customer (a column of the customers table) or derived (new_vs_repeat from the order history).';
COMMENT ON COLUMN core.segments.column_name IS 'Survey column holding the value (kind column), as named in the file.';
COMMENT ON COLUMN core.segments.source_id IS 'Survey source the column is read from; NULL: every survey source that has it.';
COMMENT ON COLUMN core.segments.customer_column IS 'Column of the customers table (kind customer).';
COMMENT ON COLUMN core.segments.derived IS 'new_vs_repeat: new with one order up to the response, repeat with two or more.';
COMMENT ON COLUMN core.segments.event_types IS 'Operational event types counted as orders (kind derived).';

CREATE TABLE core.customer_attributes (
    respondent_id VARCHAR NOT NULL,
    attribute VARCHAR NOT NULL,
    value VARCHAR NOT NULL,
    valid_from TIMESTAMP
);
COMMENT ON TABLE core.customer_attributes IS 'The customers table (journey customers:), one row per customer x attribute x valid_from; the customer id pseudonymised with the respondents'' key, so it joins core.respondents and no raw identifier is stored. Replaced whole when the file changes.';
COMMENT ON COLUMN core.customer_attributes.respondent_id IS 'Keyed sha256 of the customer id, as core.respondents.respondent_id.';
COMMENT ON COLUMN core.customer_attributes.valid_from IS 'From when the value holds (UTC); NULL: always.';

CREATE TABLE ops.customer_files (
    file_id VARCHAR NOT NULL,
    path VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL,
    reason VARCHAR,
    rows_read BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    rows_duplicate BIGINT NOT NULL,
    quarantined_by_reason JSON
);
COMMENT ON TABLE ops.customer_files IS 'Every load of the customers table: rows_read = rows_loaded + rows_quarantined + rows_duplicate; file_id is the sha256 of the matched files'' contents (unchanged: skipped).';
COMMENT ON COLUMN ops.customer_files.quarantined_by_reason IS 'Rows left out per reason (missing customer id, unreadable valid_from), counts only: a customer table holds identities.';
