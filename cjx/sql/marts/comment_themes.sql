-- What customers talk about per touchpoint and revisit: for every theme (declared or discovered) the share of the
-- touchpoint's comments about it, among dissatisfied raters (below the middle of the scale, as the verbatims) and
-- among the others, with the theme comments' mean sentiment. Reads the temp table comment_attribution
-- (sql/comments/attributed.sql).
CREATE OR REPLACE TABLE marts.comment_themes AS
WITH base AS (
    SELECT a.revisit_id, a.touchpoint_id, a.source_id, a.response_id, a.column_name,
           coalesce(a.rating < 0.5, false) AS is_detractor, s.score, s.label
    FROM comment_attribution a
    JOIN core.comment_sentiment s USING (source_id, response_id, column_name)
), totals AS (
    SELECT revisit_id, touchpoint_id, count(*) AS n_comments, count(*) FILTER (is_detractor) AS n_detractor_comments
    FROM base GROUP BY ALL
), hits AS (
    SELECT b.revisit_id, b.touchpoint_id, h.theme_id, count(*) AS n_theme,
           count(*) FILTER (b.is_detractor) AS n_detractor_theme,
           -- summed in a fixed order: a parallel float sum differs in its last bits from run to run
           avg(b.score ORDER BY b.source_id, b.response_id, b.column_name) AS mean_sentiment, count(*) FILTER (b.label = 'negative') AS n_negative
    FROM base b
    JOIN core.comment_theme_hits h USING (source_id, response_id, column_name)
    GROUP BY ALL
)
SELECT h.revisit_id, h.touchpoint_id, h.theme_id, c.kind AS theme_kind, c.label AS theme_label, c.top_terms,
       t.n_comments, h.n_theme, h.n_theme / t.n_comments AS share,
       t.n_detractor_comments, h.n_detractor_theme,
       CASE WHEN t.n_detractor_comments > 0 THEN h.n_detractor_theme / t.n_detractor_comments END AS share_detractors,
       t.n_comments - t.n_detractor_comments AS n_other_comments, h.n_theme - h.n_detractor_theme AS n_other_theme,
       CASE WHEN t.n_comments > t.n_detractor_comments
            THEN (h.n_theme - h.n_detractor_theme) / (t.n_comments - t.n_detractor_comments) END AS share_others,
       h.mean_sentiment, h.n_negative, h.n_negative / h.n_theme AS share_negative,
       t.n_comments < (SELECT min_base FROM core.journey) AS low_base
FROM hits h
JOIN totals t USING (revisit_id, touchpoint_id)
JOIN core.comment_theme_catalog c USING (theme_id)
ORDER BY h.revisit_id, h.touchpoint_id, c.position;
COMMENT ON TABLE marts.comment_themes IS 'What customers talk about, per touchpoint, revisit and theme: share of comments, among dissatisfied raters and others, and sentiment (cjx.comments).';
COMMENT ON COLUMN marts.comment_themes.theme_id IS 'Theme key: a declared theme of the journey''s themes: codebook, or discovered_<n> (TF-IDF + NMF).';
COMMENT ON COLUMN marts.comment_themes.theme_kind IS 'declared (the journey''s codebook) or discovered (TF-IDF + NMF over the comments no declared theme matched).';
COMMENT ON COLUMN marts.comment_themes.theme_label IS 'Theme name: the declared id in words, or a discovered theme''s three heaviest words.';
COMMENT ON COLUMN marts.comment_themes.top_terms IS 'Declared: the codebook''s terms; discovered: the NMF component''s eight heaviest words.';
COMMENT ON COLUMN marts.comment_themes.n_comments IS 'Base: comments attributed to the touchpoint in the revisit (the verbatims'' attribution rule).';
COMMENT ON COLUMN marts.comment_themes.n_theme IS 'Of them, comments about the theme.';
COMMENT ON COLUMN marts.comment_themes.share IS 'n_theme / n_comments.';
COMMENT ON COLUMN marts.comment_themes.n_detractor_comments IS 'Base: comments whose author rated the touchpoint below the middle of its scale (dissatisfied, as on the verbatims).';
COMMENT ON COLUMN marts.comment_themes.n_detractor_theme IS 'Of them, comments about the theme.';
COMMENT ON COLUMN marts.comment_themes.share_detractors IS 'n_detractor_theme / n_detractor_comments (NULL without such comments).';
COMMENT ON COLUMN marts.comment_themes.n_other_comments IS 'Base: the touchpoint''s other comments (rated at or above the middle, or not rated).';
COMMENT ON COLUMN marts.comment_themes.n_other_theme IS 'Of them, comments about the theme.';
COMMENT ON COLUMN marts.comment_themes.share_others IS 'n_other_theme / n_other_comments (NULL without such comments).';
COMMENT ON COLUMN marts.comment_themes.mean_sentiment IS 'Mean sentiment score (VADER compound, -1..1) of the theme''s comments (core.comment_sentiment).';
COMMENT ON COLUMN marts.comment_themes.n_negative IS 'Theme comments labelled negative (score <= -0.05).';
COMMENT ON COLUMN marts.comment_themes.share_negative IS 'n_negative / n_theme.';
COMMENT ON COLUMN marts.comment_themes.low_base IS 'n_comments below settings.min_base: read the shares with care.';
