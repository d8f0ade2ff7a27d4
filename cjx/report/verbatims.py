"""Verbatim comments for the scorecard: scrubbed of contact details and grouped into the most frequent complaints.

Comments are already pseudonymised in the sense that the scorecard never shows who wrote them (no respondent
or response id reaches the page), but customers type their own e-mail address or phone number into free text;
those are replaced before a comment leaves the database.
"""

from __future__ import annotations

import re

import duckdb
import numpy as np
import pandas as pd

from cjx.privacy.scrub import scrub_text
from cjx.store import query, run_sql

EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", re.UNICODE)
# Eight or more digits, optionally with a +/00 country prefix and spaces, dots, dashes, slashes or brackets in
# between: Nordic (+45 12 34 56 78, 070-123 45 67) and international formats. Shorter numbers ("kom 3 timer for
# sent", "40 minutter") are left alone: they are the substance of the complaint.
PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d(?:[\s\-./()]{0,2}\d){7,}(?!\w)")
DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{4}")
EMAIL_MARK, PHONE_MARK = "[e-mail]", "[phone]"
# A rating below the middle of its scale (1-2 on 1-5, 1-3 on 1-7, 0-4 on 0-10) counts as dissatisfied; the
# middle itself ("neither") is left out, so "Ok delivery" does not pass for a complaint.
DISSATISFIED_BELOW = 0.5


def scrub(text: str) -> str:
    """Replace e-mail addresses, phone numbers and long digit runs in free text; dates and short numbers stay.

    cjx.privacy.scrub.scrub_text: linear time (EMAIL above retries from every position of a long word, 49 s for
    one 160 kB comment without a space), the same rules as the scrubbing at ingest."""
    return scrub_text(text)


def load_verbatims(con: duckdb.DuckDBPyConnection, revisit_id: str) -> pd.DataFrame:
    """Every comment of the revisit attributed to a touchpoint (the rule in sql/comments/attribution.sql, the comment
    marts' own), text scrubbed, with its sentiment and the themes it is about (cjx.comments; empty before the
    comments are scored)."""
    run_sql(con, "comments/attribution")
    frame = query(con, "report/verbatims", {"revisit_id": revisit_id})
    frame["comment"] = frame["comment"].map(scrub)
    facts = query(con, "comments/comment_facts")
    frame = frame.merge(facts, on=["source_id", "response_id", "column_name"], how="left")
    frame["theme_ids"] = [ids if isinstance(ids, list | np.ndarray) else [] for ids in frame.theme_ids]
    return frame


def load_themes(con: duckdb.DuckDBPyConnection, revisit_id: str) -> pd.DataFrame:
    """marts.comment_themes of the revisit with each theme's change since the previous revisit."""
    return query(con, "comments/report_themes", {"revisit_id": revisit_id})


def theme_groups(verbatims: pd.DataFrame, themes: pd.DataFrame, touchpoint_id: str, limit: int = 5) -> list[dict]:
    """The touchpoint's comments grouped by theme, most negative comments first: label, counts, shares, mean
    sentiment, change, and two example comments (scrubbed; the most negative distinct texts of the theme)."""
    if themes.empty or verbatims.empty:
        return []
    mine = themes[themes.touchpoint_id == touchpoint_id].head(limit)
    comments = verbatims[verbatims.touchpoint_id == touchpoint_id]
    groups = []
    for row in mine.itertuples():
        about = comments[[row.theme_id in ids for ids in comments.theme_ids]]
        examples = (
            about.assign(text=about.comment.str.strip())
            .sort_values(["sentiment", "text"])
            .drop_duplicates("text")
            .text.head(2)
            .tolist()
        )
        groups.append(
            {
                "theme_id": row.theme_id,
                "label": row.theme_label,
                "discovered": row.theme_kind == "discovered",
                "top_terms": row.top_terms,
                "n": int(row.n_theme),
                "n_comments": int(row.n_comments),
                "share": float(row.share),
                "share_detractors": None if pd.isna(row.share_detractors) else float(row.share_detractors),
                "share_others": None if pd.isna(row.share_others) else float(row.share_others),
                "sentiment": float(row.mean_sentiment),
                "n_negative": int(row.n_negative),
                "change": None if pd.isna(row.change) else float(row.change),
                "significant": bool(row.significant) if not pd.isna(row.significant) else False,
                "low_base": bool(row.low_base),
                "examples": examples,
            }
        )
    return groups


def top_negative_theme(themes: pd.DataFrame, touchpoint_id: str) -> dict | None:
    """The touchpoint's theme with the most negative comments in the revisit (None without any)."""
    if themes.empty:
        return None
    mine = themes[(themes.touchpoint_id == touchpoint_id) & (themes.n_negative > 0)]
    if mine.empty:
        return None
    row = mine.sort_values(["n_negative", "n_theme", "theme_id"], ascending=[False, False, True]).iloc[0]
    return {
        "theme_id": row.theme_id,
        "label": row.theme_label,
        "n": int(row.n_theme),
        "n_comments": int(row.n_comments),
        "n_negative": int(row.n_negative),
    }


def top_verbatims(verbatims: pd.DataFrame, touchpoint_id: str, limit: int = 6) -> tuple[list[dict], int, int]:
    """The most frequent comments of dissatisfied raters of one touchpoint: ([{comment, n, rating, general}], n_low,
    n_all).

    Identical texts are counted together, so a complaint many customers share ranks above a one-off. Comments
    from the touchpoint's own questions or surveys come first: a general comment attributed by the lowest-rating
    rule may be about something else the customer mentions (`general` marks those). Ties go to the lower average
    rating, then alphabetically, so the page is the same on every run.
    """
    mine = verbatims[verbatims.touchpoint_id == touchpoint_id]
    low = mine[mine.rating < DISSATISFIED_BELOW]
    if low.empty:
        return [], 0, len(mine)
    grouped = (
        low.assign(text=low.comment.str.strip(), direct=low.attributed_by != "lowest rating")
        .groupby("text")
        .agg(n=("text", "size"), n_direct=("direct", "sum"), rating=("rating", "mean"))
        .reset_index()
        .sort_values(["n_direct", "n", "rating", "text"], ascending=[False, False, True, True])
        .head(limit)
    )
    return (
        [
            {"comment": r.text, "n": int(r.n), "rating": float(r.rating), "general": int(r.n_direct) == 0}
            for r in grouped.itertuples()
        ],
        len(low),
        len(mine),
    )


def split_verbatims(verbatims: pd.DataFrame, touchpoint_id: str, limit: int = 6) -> dict:
    """The comments of dissatisfied raters of one touchpoint in two groups: its own (from the touchpoint's own
    question, or a response mapped to it) first, and apart from them the general comments (a relationship survey's
    open question, given to the touchpoint its author rated lowest: it may be about something else).

    Each group is ranked like `top_verbatims` (most frequent first, then lower rating, then text) and cut to
    `limit`; n_own, n_general and n_all count comments before grouping."""
    mine = verbatims[verbatims.touchpoint_id == touchpoint_id] if not verbatims.empty else verbatims
    low = mine[mine.rating < DISSATISFIED_BELOW] if not mine.empty else mine
    out: dict = {"own": [], "general": [], "n_own": 0, "n_general": 0, "n_all": len(mine)}
    if low.empty:
        return out
    general = low.attributed_by == "lowest rating"
    for key, part in (("own", low[~general]), ("general", low[general])):
        out[f"n_{key}"] = len(part)
        if part.empty:
            continue
        grouped = (
            part.assign(text=part.comment.str.strip())
            .groupby("text")
            .agg(n=("text", "size"), rating=("rating", "mean"))
            .reset_index()
            .sort_values(["n", "rating", "text"], ascending=[False, True, True])
            .head(limit)
        )
        out[key] = [{"comment": r.text, "n": int(r.n), "rating": float(r.rating)} for r in grouped.itertuples()]
    return out
