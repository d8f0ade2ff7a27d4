-- Headlines valid for every scale: how many top points of a question's scale count as satisfied.
ALTER TABLE core.questions ADD COLUMN top_box INTEGER;
COMMENT ON COLUMN core.questions.top_box IS 'Top points of the scale counted in the headline share: declared (top_box) or by scale length (1 up to 3 points, 2 up to 7, 3 longer); NULL for unrated questions.';
COMMENT ON COLUMN core.questions.metric IS 'nps, csat, ces, overall, binary (0 = no, 1 = yes; headline = share of yes) or comment.';
COMMENT ON COLUMN core.journey.language IS 'Language of the scorecard labels: en, da, sv or nb (settings.language). Data is shown as it came.';
