ALTER TABLE core.journey ADD COLUMN ipa_crosshair VARCHAR DEFAULT 'mean';
ALTER TABLE core.journey ADD COLUMN bootstrap_resamples INTEGER DEFAULT 500;
ALTER TABLE core.journey ADD COLUMN bootstrap_seed BIGINT DEFAULT 20261124;
COMMENT ON COLUMN core.journey.ipa_crosshair IS 'Where importance-performance quadrants split: mean (default), median, midpoint or target.';
COMMENT ON COLUMN core.journey.bootstrap_resamples IS 'Bootstrap resamples for importance intervals.';
COMMENT ON COLUMN core.journey.bootstrap_seed IS 'Seed of the importance bootstrap, so a rerun gives identical intervals.';
