-- Statistics that stay honest on real data (issue 18): the driver guard of importance.
ALTER TABLE core.journey ADD COLUMN min_driver_pairs INTEGER;
COMMENT ON COLUMN core.journey.min_driver_pairs IS 'Joint answers a touchpoint needs with the outcome and with every other touchpoint to enter importance; NULL: min_base.';
