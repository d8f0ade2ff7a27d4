-- Weighting (issue 15, item 5): raking to known population margins, declared in the journey (weighting:).
-- The margins are synced from the journey (cjx.segments.sync); the weights are recomputed with the marts, per
-- revisit, from core.respondent_segments (cjx.weights.build), so a change of the margins or of the data re-rakes.
CREATE TABLE core.weighting_margins (
    segment_id VARCHAR NOT NULL,
    value VARCHAR NOT NULL,
    share DOUBLE NOT NULL
);
COMMENT ON TABLE core.weighting_margins IS 'Population margins of the journey''s weighting: (weighting.margins), one row per segment x value; empty: the journey is not weighted.';
COMMENT ON COLUMN core.weighting_margins.share IS 'Known population share of the value within its segment; the shares of a segment sum to 1.';

CREATE TABLE core.respondent_weights (
    revisit_id VARCHAR NOT NULL,
    respondent_id VARCHAR NOT NULL,
    weight DOUBLE NOT NULL
);
COMMENT ON TABLE core.respondent_weights IS 'Raking weight of every respondent of a weighted revisit (weightipy RIM), normalised to mean 1 over the revisit''s respondents; every response of the respondent in the revisit carries it. No rows for a revisit whose weighting was refused (core.weighting_revisits).';

CREATE TABLE core.weighting_revisits (
    revisit_id VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    reason VARCHAR,
    n_respondents BIGINT NOT NULL,
    n_eff DOUBLE,
    iterations INTEGER,
    max_margin_error DOUBLE
);
COMMENT ON TABLE core.weighting_revisits IS 'Outcome of the raking per revisit: weighted, or refused with the reason (a margin value nobody has, respondents outside the margins, no convergence); a refused revisit is reported unweighted.';
COMMENT ON COLUMN core.weighting_revisits.n_eff IS 'Kish effective number of respondents, (sum w)^2 / sum w^2.';
COMMENT ON COLUMN core.weighting_revisits.max_margin_error IS 'Largest absolute difference between a weighted margin share and its target after raking.';

ALTER TABLE core.journey ADD COLUMN weighting_tolerance DOUBLE;
ALTER TABLE core.journey ADD COLUMN weighting_max_iterations INTEGER;
COMMENT ON COLUMN core.journey.weighting_tolerance IS 'weighting.tolerance: how far the shares may sum from 1 and the raked margins from them; NULL: not weighted.';
COMMENT ON COLUMN core.journey.weighting_max_iterations IS 'weighting.max_iterations: raking passes before a revisit is refused; NULL: not weighted.';
