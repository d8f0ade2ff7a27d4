-- Checks every landed row of one file and decides its fate: loaded, quarantined or duplicate.
-- Expects temp tables `landing` (row_number + text columns), `malformed` (rows with a wrong field count),
-- `codebook_labels` (column_name, label, score, is_na) and temp view `landed_keys`
-- (row_number, record_id, respondent_id, ts_raw, partial_raw, non_response_raw). The source's questions
-- come from core.questions (synced from the journey file first), its operational measures from $measures.

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
    SELECT
        row_number, column_name, trim(value) AS value,
        -- Excel's formula-injection guard: '-99 is -99
        CASE WHEN regexp_matches(trim(value), '^''[-+=@0-9]') THEN substr(trim(value), 2) ELSE trim(value) END AS bare,
        -- the same normalisation as cjx.ingest.codebook.normalise_label
        lower(regexp_replace(replace(replace(replace(replace(trim(value), chr(160), ' '), chr(8211), '-'), chr(8212), '-'),
                                     chr(8217), ''''), '\s+', ' ', 'g')) AS label
    FROM source
    WHERE trim(value) <> ''
), numbers AS (
    SELECT *,
        -- locale: decimal comma and thousands groups ("1.234,50", "1 234,50") become 1234.50
        try_cast(CASE
            WHEN $group_re IS NOT NULL AND regexp_full_match(bare, $group_re)
                THEN replace(regexp_replace(bare, $group_class, '', 'g'), $decimal, '.')
            WHEN $decimal = ',' THEN CASE WHEN regexp_full_match(bare, '[+-]?\d+(,\d+)?') THEN replace(bare, ',', '.') END
            ELSE bare
        END AS DOUBLE) AS plain_number,
        -- prefixed labels: "5 – Mycket nøjd", "10 - Extremely likely"
        try_cast(regexp_extract(label, '^([+-]?\d+)\s*[-:=.)]\s*\S', 1) AS DOUBLE) AS prefix_number
    FROM renamed
), final AS (
    SELECT
        n.row_number, d.column_name, d.metric, d.touchpoint_id, d.scale_min, d.scale_max, d.is_reversed,
        n.value,
        CASE WHEN d.metric IN ('nps', 'csat', 'ces', 'overall')
             THEN coalesce(n.plain_number, l.score, n.prefix_number)
             ELSE n.plain_number END AS number,
        list_contains(d.na_labels, n.value) OR list_contains(d.na_labels, n.bare)
            OR coalesce(list_contains(d.na_numbers, coalesce(n.plain_number, n.prefix_number)), false)
            OR coalesce(l.is_na, false) AS is_na
    FROM numbers n
    JOIN declared_columns d USING (column_name)
    LEFT JOIN codebook_labels l ON l.column_name = d.column_name AND l.label = n.label
)
SELECT * FROM final;

CREATE OR REPLACE TEMP TABLE landed_rows AS
WITH keys AS (
    SELECT
        row_number,
        nullif(trim(record_id), '') AS record_id,
        nullif(trim(respondent_id), '') AS respondent_id,
        ts_raw,
        coalesce(list_contains($partial_values::VARCHAR[], trim(partial_raw)), false) AS is_partial,
        coalesce(list_contains($non_response_values::VARCHAR[], trim(non_response_raw)), false) AS is_non_response,
        -- an explicit zone after the time of day (Z, UTC, GMT+1, +01:00) wins over the source's time zone
        regexp_extract(trim(ts_raw),
            '^(.*\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?)\s*((?:GMT|UTC|Z)?)\s*(?:([+-])(\d{1,2})(?::?(\d\d))?)?$',
            ['body', 'marker', 'sign', 'hh', 'mm']) AS zone
    FROM landed_keys
), parsed AS (
    SELECT *,
        coalesce(nullif(zone.body, ''), trim(ts_raw)) AS body,
        zone.marker <> '' OR zone.sign <> '' AS has_zone,
        CASE WHEN zone.sign = '-' THEN -1 ELSE 1 END
            * (coalesce(try_cast(nullif(zone.hh, '') AS INTEGER), 0) * 60 + coalesce(try_cast(nullif(zone.mm, '') AS INTEGER), 0))
            AS offset_minutes
    FROM keys
), local_time AS (
    SELECT *,
        CASE
            WHEN $unix_seconds AND regexp_full_match(body, '\d{9,11}(\.\d+)?')
                THEN make_timestamp(CAST(try_cast(body AS DOUBLE) * 1000000 AS BIGINT))
            WHEN $excel_dates AND regexp_full_match(body, '\d{4,6}(\.\d+)?')
                -- Excel serial days count from 1899-12-30 (Lotus 1-2-3's leap-year bug included)
                THEN TIMESTAMP '1899-12-30' + to_microseconds(CAST(round(try_cast(body AS DOUBLE) * 86400) * 1000000 AS BIGINT))
            -- workbook date cells arrive as ISO-8601 text whatever format the sheet displays
            WHEN $timestamp_formats IS NOT NULL
                THEN coalesce(try_strptime(body, $timestamp_formats::VARCHAR[]),
                              CASE WHEN $iso_fallback THEN try_cast(body AS TIMESTAMP) END)
            ELSE try_cast(body AS TIMESTAMP)
        END AS local_at,
        $unix_seconds AND regexp_full_match(body, '\d{9,11}(\.\d+)?') AS is_epoch
    FROM parsed
), zoned AS (
    SELECT *,
        CASE
            WHEN local_at IS NULL THEN NULL
            WHEN is_epoch THEN local_at
            WHEN has_zone THEN local_at - to_minutes(offset_minutes)
            ELSE timezone('UTC', timezone($timezone, local_at))
        END AS at_utc,
        -- local clock times that happen twice (autumn) or never (spring) on a daylight-saving change
        NOT is_epoch AND NOT has_zone AND local_at IS NOT NULL
            AND timezone($timezone, timezone($timezone, local_at)) <> local_at AS is_nonexistent,
        NOT is_epoch AND NOT has_zone AND local_at IS NOT NULL
            AND (timezone($timezone, timezone($timezone, local_at) + INTERVAL 1 HOUR) = local_at
                 OR timezone($timezone, timezone($timezone, local_at) - INTERVAL 1 HOUR) = local_at) AS is_ambiguous
    FROM local_time
), problems AS (
    SELECT row_number, 0 AS priority, 'wrong_field_count' AS reason,
           format('has {} field(s), the header has {}', n_fields, expected) AS message
    FROM malformed
    UNION ALL
    SELECT row_number, 0, 'not_a_response',
           format('{} is {}: the survey was not answered, so this is not a response',
                  $non_response_column, '''' || trim(non_response_raw) || '''')
    FROM landed_keys WHERE coalesce(list_contains($non_response_values::VARCHAR[], trim(non_response_raw)), false)
    UNION ALL
    SELECT row_number, 1, 'missing_id', format('column {}: empty, expected a unique id', $id_column)
    FROM zoned WHERE record_id IS NULL
    UNION ALL
    SELECT row_number, 2, 'missing_respondent',
           format('column {}: empty, expected the customer identifier', $respondent_column)
    FROM zoned WHERE respondent_id IS NULL
    UNION ALL
    SELECT row_number, 3, 'bad_timestamp',
           format('column {}: {} is not a timestamp ({})', $timestamp_column,
                  coalesce('''' || ts_raw || '''', 'empty'), $timestamp_expected)
    FROM zoned WHERE local_at IS NULL
    UNION ALL
    SELECT row_number, 3, 'nonexistent_local_time',
           format('column {}: {} does not exist in {} (clocks jump forward); fix the time or export in UTC',
                  $timestamp_column, '''' || ts_raw || '''', $timezone)
    FROM zoned WHERE is_nonexistent
    UNION ALL
    SELECT row_number, 3, 'ambiguous_local_time',
           format('column {}: {} happens twice in {} (clocks go back); export with a UTC offset to disambiguate',
                  $timestamp_column, '''' || ts_raw || '''', $timezone)
    FROM zoned WHERE is_ambiguous AND NOT is_nonexistent
    UNION ALL
    SELECT row_number, 4, 'not_a_number',
           format('column {}: {} is not a number (decimal separator {})', column_name, '''' || value || '''', $decimal)
    FROM landed_cells WHERE metric = 'measure' AND NOT is_na AND number IS NULL
    UNION ALL
    SELECT row_number, 4, 'unknown_label',
           format('column {}: {} is neither a number on the scale {}-{} nor a known answer label; add it to the '
                  'question''s codebook or na_codes', column_name, '''' || value || '''', scale_min, scale_max)
    FROM landed_cells WHERE metric IN ('nps', 'csat', 'ces', 'overall') AND NOT is_na AND number IS NULL
    UNION ALL
    SELECT row_number, 5, 'out_of_range',
           format('column {}: {} is outside the scale {}-{}', column_name, value, scale_min, scale_max)
    FROM landed_cells WHERE NOT is_na AND number NOT BETWEEN scale_min AND scale_max
), reported AS (
    -- a row that is not a response (e.g. a Zendesk 'offered' rating) has no answers to check: say only that
    SELECT * FROM problems
    WHERE reason = 'not_a_response'
       OR row_number NOT IN (SELECT row_number FROM problems WHERE reason = 'not_a_response')
), per_row AS (
    SELECT row_number,
           arg_min(reason, priority) AS reason,
           format('{} row {}: ', $file_name, row_number) || string_agg(message, '; ' ORDER BY priority, message) AS message
    FROM reported
    GROUP BY row_number
), already_loaded AS (
    SELECT response_id AS record_id, responded_at AS at_utc, file_id FROM core.responses WHERE source_id = $source_id
    UNION ALL
    SELECT event_id, occurred_at, file_id FROM core.events WHERE source_id = $source_id
), candidates AS (
    SELECT z.row_number, z.record_id, z.respondent_id, z.at_utc, z.is_partial, p.reason, p.message,
           -- overlapping exports: the latest recorded version of a response wins; on a tie, the first seen
           CASE WHEN p.reason IS NULL
                THEN row_number() OVER (PARTITION BY z.record_id, p.reason IS NULL ORDER BY z.at_utc DESC, z.row_number)
           END AS rank_in_file
    FROM zoned z
    LEFT JOIN per_row p USING (row_number)
), final AS (
    SELECT
        c.row_number, c.record_id, c.respondent_id, c.at_utc, c.is_partial, c.reason, c.message,
        CASE
            WHEN c.reason IS NOT NULL THEN 'quarantined'
            WHEN c.rank_in_file > 1 THEN 'duplicate'
            WHEN a.record_id IS NOT NULL AND a.at_utc >= c.at_utc THEN 'duplicate'
            ELSE 'loaded'
        END AS status,
        CASE WHEN c.reason IS NULL AND c.rank_in_file = 1 AND a.at_utc < c.at_utc THEN a.file_id END AS supersedes_file_id
    FROM candidates c
    LEFT JOIN already_loaded a USING (record_id)
)
SELECT * FROM final;
