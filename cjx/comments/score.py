"""The comment step of scoring: language and sentiment of every new or changed comment, then every comment's themes.

Runs after the core load and before the marts (cjx.pipeline.score). Sentiment is kept per comment and redone only
for comments that are new, whose text changed (`text_hash`) or that an older lexicon or rule set scored (`method`,
e.g. after an upgrade brings a new AFINN list); themes are redone on every run, because they depend
on the journey's codebook and on the discovered themes, which are fit on all comments at once.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from cjx.comments.changes import theme_changes
from cjx.comments.language import detect_languages
from cjx.comments.sentiment import current_methods, score_comment
from cjx.comments.themes import assign_themes
from cjx.journey.model import Journey
from cjx.store import query, run_sql


def score_sentiment(con: duckdb.DuckDBPyConnection, default_language: str) -> int:
    """Detect the language and score the sentiment of comments without a current row; how many were scored."""
    run_sql(con, "comments/stale_sentiment", {"methods": current_methods()})
    todo = query(con, "comments/unscored")
    if todo.empty:
        return 0
    texts = todo.comment.tolist()
    detected = detect_languages(texts, default=default_language)
    scored = [score_comment(text, lang) for text, (lang, _, _) in zip(texts, detected)]
    frame = todo.drop(columns="comment").assign(
        language=[d[0] for d in detected],
        language_source=[d[1] for d in detected],
        language_confidence=[d[2] for d in detected],
        score=[s.score for s in scored],
        label=[s.label for s in scored],
        method=[s.method for s in scored],
        words_scored=[s.n_scored for s in scored],
        words_negated=[s.negated for s in scored],
    )
    con.register("comment_sentiment_df", frame)
    con.execute("INSERT INTO core.comment_sentiment BY NAME SELECT * FROM comment_sentiment_df")
    con.unregister("comment_sentiment_df")
    return len(frame)


def score_themes(con: duckdb.DuckDBPyConnection, journey: Journey) -> int:
    """Replace core.comment_theme_hits and core.comment_theme_catalog; how many comments got a theme."""
    comments = query(con, "comments/for_themes")
    themes: dict[str, dict[str, list[str]]] = {
        theme: {str(lang): list(terms) for lang, terms in by_lang.items()} for theme, by_lang in journey.themes.items()
    }
    catalog, hits = assign_themes(
        comments.comment.tolist(), comments.language.tolist(), themes, journey.settings.discovered_themes
    )
    keys = comments[["source_id", "response_id", "column_name"]]
    rows = [(*key, theme) for key, found in zip(keys.itertuples(index=False), hits) for theme in found]
    hits_df = pd.DataFrame(rows, columns=["source_id", "response_id", "column_name", "theme_id"])
    catalog_df = pd.DataFrame(
        [
            {
                "theme_id": t.theme_id,
                "kind": t.kind,
                "label": t.label,
                "top_terms": ", ".join(t.top_terms),
                "position": i,
            }
            for i, t in enumerate(catalog)
        ],
        columns=["theme_id", "kind", "label", "top_terms", "position"],
    )
    con.execute("DELETE FROM core.comment_theme_hits")
    con.execute("DELETE FROM core.comment_theme_catalog")
    for table, frame in (("comment_theme_hits", hits_df), ("comment_theme_catalog", catalog_df)):
        con.register(f"{table}_df", frame)
        con.execute(f"INSERT INTO core.{table} BY NAME SELECT * FROM {table}_df")
        con.unregister(f"{table}_df")
    return int(sum(bool(h) for h in hits))


def score_comments(con: duckdb.DuckDBPyConnection, journey: Journey) -> dict[str, int]:
    """Sentiment of new comments, then every comment's themes: {comments_scored, comments_themed}."""
    scored = score_sentiment(con, journey.settings.language)
    return {"comments_scored": scored, "comments_themed": score_themes(con, journey)}


def build_comment_marts(con: duckdb.DuckDBPyConnection) -> None:
    """marts.comment_themes (SQL over the attributed comments) and marts.theme_changes (tests in Python)."""
    run_sql(con, "comments/attribution")  # the attribution rule, shared with the scorecard's verbatims
    run_sql(con, "comments/attributed")
    run_sql(con, "marts/comment_themes")
    themes = con.execute("SELECT * FROM marts.comment_themes").df()
    order = [r[0] for r in con.execute("SELECT revisit_id FROM core.revisits ORDER BY start_date").fetchall()]
    min_base = con.execute("SELECT min_base FROM core.journey").fetchall()[0][0]
    con.register("theme_changes_df", theme_changes(themes, order, int(min_base)))
    run_sql(con, "marts/theme_changes")
    con.unregister("theme_changes_df")
