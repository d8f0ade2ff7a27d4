-- Real exports (issue 11, item 1): the time zone an export names for its timestamp column (a Qualtrics ImportId
-- {"ImportId":"endDate","timeZone":"America/Denver"}); staging reads local times in it when the source declares
-- no timezone of its own.
ALTER TABLE raw.files ADD COLUMN time_zone VARCHAR;
COMMENT ON COLUMN raw.files.time_zone IS 'IANA time zone the export names for the source''s timestamp column (Qualtrics ImportId timeZone; "Z" stored as UTC); NULL when it names none. Local times are read in it unless the source declares timezone.';
