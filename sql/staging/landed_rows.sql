-- Checks every landed row of one file and decides its fate: loaded, quarantined or duplicate.
-- Expects temp table `landing` (row_number + text columns), temp view `landed_keys`
-- (row_number, record_id, respondent_id, ts_raw); the source's questions come from core.questions
-- (synced from the journey file first), its operational measures from $measures.

CREATE OR REPLACE TEMP TABLE declared_columns AS
SELECT column_name, metric, touchpoint_id, scale_min, scale_max, is_reversed, na_labels, na_numbers
FROM core.questions
WHERE source_id = $source_id
UNION ALL
SELECT unnest($measures::VARCHAR[]), 'measure', $touchpoint_id, NULL, NULL, false, [], []
UNION ALL
SELECT unnest($attributes::VARCHAR[]), 'attribute', NULL, NULL, NULL, false, [], []
;

CREATE OR REPLACE TEMP TABLE landed_cells AS
WITH source AS (
    UNPIVOT landing ON COLUMNS(* EXCLUDE (row_number)) INTO NAME column_name VALUE value
), renamed AS (
    SELECT row_number, column_name, trim(value) AS value, try_cast(trim(value) AS DOUBLE) AS number
    FROM source
    WHERE trim(value) <> ''
), final AS (
    SELECT
        r.row_number, d.column_name, d.metric, d.touchpoint_id, d.scale_min, d.scale_max, d.is_reversed,
        r.value, r.number,
        list_contains(d.na_labels, r.value) OR coalesce(list_contains(d.na_numbers, r.number), false) AS is_na
    FROM renamed r
    JOIN declared_columns d USING (column_name)
)
SELECT * FROM final;

CREATE OR REPLACE TEMP TABLE landed_rows AS
WITH source AS (
    SELECT
        row_number,
        nullif(trim(record_id), '') AS record_id,
        nullif(trim(respondent_id), '') AS respondent_id,
        ts_raw,
        CASE
            WHEN $timestamp_format IS NOT NULL
                THEN timezone('UTC', timezone($timezone, try_strptime(trim(ts_raw), $timestamp_format)))
            WHEN regexp_matches(trim(ts_raw), '(Z|[+-]\d\d:?\d\d)$')
                THEN timezone('UTC', try_cast(trim(ts_raw) AS TIMESTAMPTZ))
            ELSE timezone('UTC', timezone($timezone, try_cast(trim(ts_raw) AS TIMESTAMP)))
        END AS at_utc
    FROM landed_keys
), problems AS (
    SELECT row_number, 1 AS priority, 'missing_id' AS reason,
           format('column {}: empty, expected a unique id', $id_column) AS message
    FROM source WHERE record_id IS NULL
    UNION ALL
    SELECT row_number, 2, 'missing_respondent',
           format('column {}: empty, expected the customer identifier', $respondent_column)
    FROM source WHERE respondent_id IS NULL
    UNION ALL
    SELECT row_number, 3, 'bad_timestamp',
           format('column {}: {} is not a timestamp ({})', $timestamp_column,
                  coalesce('''' || ts_raw || '''', 'empty'), coalesce($timestamp_format, 'ISO-8601'))
    FROM source WHERE at_utc IS NULL
    UNION ALL
    SELECT row_number, 4, 'not_a_number',
           format('column {}: {} is not a number', column_name, '''' || value || '''')
    FROM landed_cells WHERE metric IN ('measure', 'nps', 'csat', 'ces', 'overall') AND NOT is_na AND number IS NULL
    UNION ALL
    SELECT row_number, 5, 'out_of_range',
           format('column {}: {} is outside the scale {}-{}', column_name, value, scale_min, scale_max)
    FROM landed_cells WHERE NOT is_na AND number NOT BETWEEN scale_min AND scale_max
), per_row AS (
    SELECT row_number,
           arg_min(reason, priority) AS reason,
           format('{} row {}: ', $file_name, row_number) || string_agg(message, '; ' ORDER BY priority, message) AS message
    FROM problems
    GROUP BY row_number
), already_loaded AS (
    SELECT response_id AS record_id FROM core.responses WHERE source_id = $source_id
    UNION ALL
    SELECT event_id FROM core.events WHERE source_id = $source_id
), final AS (
    SELECT
        s.row_number, s.record_id, s.respondent_id, s.at_utc, p.reason, p.message,
        CASE
            WHEN p.reason IS NOT NULL THEN 'quarantined'
            WHEN s.record_id IN (SELECT record_id FROM already_loaded) THEN 'duplicate'
            -- within one file the first row with an id wins
            WHEN row_number() OVER (PARTITION BY s.record_id, p.reason IS NULL ORDER BY s.row_number) > 1
                THEN 'duplicate'
            ELSE 'loaded'
        END AS status
    FROM source s
    LEFT JOIN per_row p USING (row_number)
)
SELECT * FROM final;
