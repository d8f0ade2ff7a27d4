-- Comment analytics (cjx.comments): the language and sentiment of every comment, the themes it is about, and the
-- themes a run knows (declared in the journey's `themes:` codebook, or discovered by TF-IDF + NMF).
CREATE TABLE core.comment_sentiment (
    source_id           VARCHAR NOT NULL,
    response_id         VARCHAR NOT NULL,
    column_name         VARCHAR NOT NULL,
    text_hash           VARCHAR NOT NULL,
    language            VARCHAR NOT NULL,
    language_source     VARCHAR NOT NULL,
    language_confidence DOUBLE,
    score               DOUBLE NOT NULL,
    label               VARCHAR NOT NULL,
    method              VARCHAR NOT NULL,
    words_scored        INTEGER NOT NULL,
    words_negated       INTEGER NOT NULL
);
COMMENT ON TABLE core.comment_sentiment IS 'One row per comment of core.comments: its language (py3langid over da, sv, en, nb; the journey language when unsure) and sentiment (a lexicon per language with VADER''s rules: cjx.comments.sentiment). Rescored when the comment''s text changes (text_hash).';
COMMENT ON COLUMN core.comment_sentiment.language_source IS 'detected (py3langid) or default (the detector was unsure between Danish and Norwegian: the journey language)';
COMMENT ON COLUMN core.comment_sentiment.score IS 'VADER compound score, -1 (most negative) .. 1 (most positive)';
COMMENT ON COLUMN core.comment_sentiment.label IS 'positive (score >= 0.05), negative (<= -0.05) or neutral';
COMMENT ON COLUMN core.comment_sentiment.method IS 'lexicon and rules that scored it, e.g. afinn-da-32+vader-rules';
COMMENT ON COLUMN core.comment_sentiment.words_scored IS 'words (or lexicon phrases) that carried a valence';
COMMENT ON COLUMN core.comment_sentiment.words_negated IS 'of them, how many a negation flipped';

CREATE TABLE core.comment_theme_hits (
    source_id   VARCHAR NOT NULL,
    response_id VARCHAR NOT NULL,
    column_name VARCHAR NOT NULL,
    theme_id    VARCHAR NOT NULL
);
COMMENT ON TABLE core.comment_theme_hits IS 'Which themes each comment is about: every declared theme whose terms it contains (stemmed), else its strongest discovered theme. Rebuilt every run.';

CREATE TABLE core.comment_theme_catalog (
    theme_id   VARCHAR NOT NULL,
    kind       VARCHAR NOT NULL,
    label      VARCHAR NOT NULL,
    top_terms  VARCHAR NOT NULL,
    position   INTEGER NOT NULL
);
COMMENT ON TABLE core.comment_theme_catalog IS 'The themes of the last run: declared (the journey''s themes: codebook) and discovered (TF-IDF + NMF over the comments no declared theme matched), with their terms.';
COMMENT ON COLUMN core.comment_theme_catalog.top_terms IS 'declared: the terms of the codebook; discovered: the NMF component''s heaviest words, most common spelling';
