ALTER TABLE core.journey ADD COLUMN language VARCHAR DEFAULT 'en';
COMMENT ON COLUMN core.journey.language IS 'Language of the scorecard labels: en or da (settings.language). Data is shown as it came.';
