-- Free-text scrubbing in RE2 (linear time), the rules of cjx/privacy/scrub.py in the same order:
-- e-mail -> [e-mail]; dates protected by a private-use mark (chr(57344)) between their parts; 12+ digits and
-- CPR/personnummer (ddmmyy-xxxx) -> [number]; 8 to 11 digits with +/00 and separators -> [phone]; marks removed.
CREATE OR REPLACE TEMP MACRO cjx_scrub_dates(t) AS
    regexp_replace(
        regexp_replace(replace(t, chr(57344), ''),
            '([0-9]{4})([-./])([0-9]{1,2})([-./])([0-9]{1,2})',
            '\1\2' || chr(57344) || '\3\4' || chr(57344) || '\5', 'g'),
        '([0-9]{1,2})([-./])([0-9]{1,2})([-./])([0-9]{4})',
        '\1\2' || chr(57344) || '\3\4' || chr(57344) || '\5', 'g');

CREATE OR REPLACE TEMP MACRO cjx_scrub_text(t) AS
    replace(
        regexp_replace(
            regexp_replace(
                regexp_replace(
                    cjx_scrub_dates(
                        regexp_replace(t, '[\p{L}\p{N}_.+-]+@[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)+', '[e-mail]', 'g')),
                    '[0-9](?:[ -]?[0-9]){11,}', '[number]', 'g'),
                '[0-9]{6}[-+][0-9]{4}', '[number]', 'g'),
            '(?:\+|00)?\(?[0-9](?:[\s\-./()]{0,2}[0-9]){7,10}', '[phone]', 'g'),
        chr(57344), '');

-- Cheap pre-filter: only text with an @ or eight digits in it can change.
CREATE OR REPLACE TEMP MACRO cjx_scrub_candidate(t) AS
    contains(t, '@') OR regexp_matches(t, '[0-9](?:[^0-9]{0,3}[0-9]){7}');
