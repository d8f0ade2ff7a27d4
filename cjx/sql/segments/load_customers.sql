-- Load the customers table from the temp relations customer_rows (row_no, customer_id, valid_from_text) and
-- customer_values (row_no, attribute, value) made by cjx.segments.customers from the file(s). The id is
-- pseudonymised here exactly as ingest does it (left(sha256(key || lower(trim(id))), 16)), so the table joins
-- core.respondents and no raw id is stored. Every row is loaded, left out with a reason, or a duplicate of a later
-- row with the same customer and valid_from (the later row in the file wins): the counts go to customer_fate.
CREATE OR REPLACE TEMP TABLE customer_fate AS
WITH source AS (
    SELECT row_no,
           CASE WHEN nullif(trim(customer_id), '') IS NOT NULL
                THEN left(sha256($key || lower(trim(customer_id))), 16) END AS respondent_id,
           nullif(trim(valid_from_text), '') AS valid_from_text,
           TRY_CAST(nullif(trim(valid_from_text), '') AS TIMESTAMP) AS valid_from
    FROM customer_rows
), checked AS (
    SELECT *,
           CASE WHEN respondent_id IS NULL THEN 'missing customer id'
                WHEN $has_valid_from AND valid_from_text IS NOT NULL AND valid_from IS NULL THEN 'unreadable valid_from'
                WHEN sha256('cjx-erased:' || respondent_id) IN (SELECT pseudonym_hash FROM ops.erased_respondents)
                    THEN 'erased person'
           END AS reason
    FROM source
)
SELECT row_no, respondent_id, valid_from, reason,
       reason IS NULL AND row_number() OVER (
           PARTITION BY reason IS NULL, respondent_id, valid_from ORDER BY row_no DESC) > 1 AS is_duplicate
FROM checked;

DELETE FROM core.customer_attributes;
INSERT INTO core.customer_attributes (respondent_id, attribute, value, valid_from)
SELECT f.respondent_id, v.attribute, trim(v.value), f.valid_from
FROM customer_fate f
JOIN customer_values v USING (row_no)
WHERE f.reason IS NULL AND NOT f.is_duplicate AND nullif(trim(v.value), '') IS NOT NULL;
