-- The change of each theme's share of a touchpoint's comments since the previous revisit, tested (two-proportion
-- z-test, Benjamini-Hochberg over every theme and touchpoint of the revisit): computed in cjx.comments.changes and
-- registered as theme_changes_df.
CREATE OR REPLACE TABLE marts.theme_changes AS
SELECT revisit_id, previous_revisit_id, touchpoint_id, theme_id, theme_kind, theme_label,
       n_comments, n_theme, share, previous_n_comments, previous_n_theme, previous_share, change,
       z, p_value, q_value, significant, low_base
FROM theme_changes_df
ORDER BY revisit_id, touchpoint_id, theme_id;
COMMENT ON TABLE marts.theme_changes IS 'Change of each theme''s share of a touchpoint''s comments since the previous revisit: two-proportion z-test, Benjamini-Hochberg across themes and touchpoints (cjx.comments.changes).';
COMMENT ON COLUMN marts.theme_changes.theme_id IS 'Theme key: a declared theme of the journey''s themes: codebook, or discovered_<n> (TF-IDF + NMF).';
COMMENT ON COLUMN marts.theme_changes.theme_kind IS 'declared (the journey''s codebook) or discovered (TF-IDF + NMF over the comments no declared theme matched).';
COMMENT ON COLUMN marts.theme_changes.theme_label IS 'Theme name: the declared id in words, or a discovered theme''s three heaviest words.';
COMMENT ON COLUMN marts.theme_changes.n_comments IS 'Base: comments attributed to the touchpoint in the revisit (the verbatims'' attribution rule).';
COMMENT ON COLUMN marts.theme_changes.n_theme IS 'Of them, comments about the theme.';
COMMENT ON COLUMN marts.theme_changes.share IS 'n_theme / n_comments.';
COMMENT ON COLUMN marts.theme_changes.previous_revisit_id IS 'The revisit before (journey order) the change is measured from.';
COMMENT ON COLUMN marts.theme_changes.previous_n_comments IS 'Base: comments on the touchpoint in the previous revisit.';
COMMENT ON COLUMN marts.theme_changes.previous_n_theme IS 'Of them, comments about the theme.';
COMMENT ON COLUMN marts.theme_changes.previous_share IS 'previous_n_theme / previous_n_comments.';
COMMENT ON COLUMN marts.theme_changes.change IS 'share - previous_share (a share difference, 0..1 scale).';
COMMENT ON COLUMN marts.theme_changes.z IS 'Two-proportion z statistic (pooled), positive when the theme grew.';
COMMENT ON COLUMN marts.theme_changes.p_value IS 'Two-sided p-value of the two-proportion z-test.';
COMMENT ON COLUMN marts.theme_changes.q_value IS 'Benjamini-Hochberg adjusted p-value over every touchpoint and theme of the revisit.';
COMMENT ON COLUMN marts.theme_changes.significant IS 'q_value < 0.05.';
COMMENT ON COLUMN marts.theme_changes.low_base IS 'Either revisit''s n_comments below settings.min_base: read the change with care.';
