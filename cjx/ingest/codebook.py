"""Answer labels -> scores: built-in English, Danish and Swedish scale labels, declared codebooks, N/A labels.

Labels are matched after `normalise_label` (trimmed, lower-case, one space, plain hyphen), the same
normalisation sql/staging/landed_rows.sql applies to cells, so "Meget  tilfreds" and "meget tilfreds" match.
Prefixed labels ("5 – Mycket nöjd", "10 - Extremely likely") need no codebook: the leading number is the
score (handled in SQL).
"""

from __future__ import annotations

import re

import pandas as pd

from cjx.journey.model import Journey, Question, Source

RATED = ("nps", "csat", "ces", "overall")

_SATISFACTION_5 = {
    # English
    "very dissatisfied": 1, "dissatisfied": 2, "neither satisfied nor dissatisfied": 3, "neutral": 3,
    "satisfied": 4, "very satisfied": 5,
    # Danish
    "meget utilfreds": 1, "utilfreds": 2, "hverken tilfreds eller utilfreds": 3, "tilfreds": 4, "meget tilfreds": 5,
    # Swedish
    "mycket missnöjd": 1, "missnöjd": 2, "varken nöjd eller missnöjd": 3, "nöjd": 4, "mycket nöjd": 5,
}
_AGREE_7 = {
    "strongly disagree": 1, "disagree": 2, "somewhat disagree": 3, "neither agree nor disagree": 4,
    "somewhat agree": 5, "agree": 6, "strongly agree": 7,
    "helt uenig": 1, "uenig": 2, "delvist uenig": 3, "hverken enig eller uenig": 4, "delvist enig": 5,
    "enig": 6, "helt enig": 7,
    "tar helt avstånd": 1, "tar avstånd": 2, "tar delvis avstånd": 3, "varken instämmer eller tar avstånd": 4,
    "instämmer delvis": 5, "instämmer": 6, "instämmer helt": 7,
}
_AGREE_5 = {
    "strongly disagree": 1, "disagree": 2, "neither agree nor disagree": 3, "agree": 4, "strongly agree": 5,
    "helt uenig": 1, "uenig": 2, "hverken enig eller uenig": 3, "enig": 4, "helt enig": 5,
    "tar helt avstånd": 1, "tar avstånd": 2, "varken instämmer eller tar avstånd": 3, "instämmer": 4,
    "instämmer helt": 5,
}
_LIKELY_11 = {
    "not at all likely": 0, "extremely likely": 10,
    "slet ikke sandsynligt": 0, "meget sandsynligt": 10, "ekstremt sandsynligt": 10,
    "inte alls troligt": 0, "mycket troligt": 10, "extremt troligt": 10,
}
_GOOD_BAD = {"good": 1, "bad": 0, "god": 1, "dårlig": 0, "bra": 1, "dålig": 0}

BUILTIN_CODEBOOKS: dict[str, dict[str, float]] = {
    "satisfaction_5": _SATISFACTION_5,
    "agree_7": _AGREE_7,
    "agree_5": _AGREE_5,
    "likely_11": _LIKELY_11,
    "good_bad": _GOOD_BAD,
}
# Which built-in codebook a rated question gets when it declares none: by metric and scale.
_DEFAULT_BY_SCALE = {
    ("csat", 1, 5): "satisfaction_5", ("overall", 1, 5): "satisfaction_5",
    ("ces", 1, 7): "agree_7", ("nps", 0, 10): "likely_11", ("csat", 0, 1): "good_bad",
}
# "Don't know" in the three languages: always N/A, never a number (DESIGN.md, Words).
NA_LABELS = (
    "don't know", "dont know", "do not know", "not applicable", "n/a", "na", "no opinion",
    "ved ikke", "ved ej", "ikke relevant", "kan ikke vurdere",
    "vet ej", "vet inte", "ej aktuellt", "ingen åsikt",
)


def normalise_label(text: str) -> str:
    """The matching key of a label: trimmed, lower-case, single spaces, en/em dashes as hyphens, curly quotes plain."""
    text = text.replace("\u00a0", " ").replace("\u2013", "-").replace("\u2014", "-").replace("\u2019", "'")
    return re.sub(r"\s+", " ", text.strip()).lower()


def codebook_name(question: Question) -> str | None:
    """The codebook a question uses by name: declared, else the built-in matching its metric and scale."""
    if isinstance(question.codebook, str):
        return question.codebook
    if question.codebook is None and question.metric in RATED and question.scale is not None:
        return _DEFAULT_BY_SCALE.get((question.metric, question.scale.min, question.scale.max))
    return None


def codebook_for(question: Question, journey_codebooks: dict[str, dict[str, float]]) -> dict[str, float]:
    """label -> score for one question (empty for comments and questions without labels)."""
    if isinstance(question.codebook, dict):
        return question.codebook
    name = codebook_name(question)
    if name is None:
        return {}
    return journey_codebooks.get(name) or BUILTIN_CODEBOOKS[name]


def codebook_labels(source: Source, journey: Journey | None = None) -> pd.DataFrame:
    """One row per (column, normalised label): its score, or is_na for the built-in "don't know" labels."""
    books = journey.codebooks if journey is not None else {}
    rows = []
    for q in source.questions:
        if q.metric not in RATED:
            continue
        for label, score in codebook_for(q, books).items():
            rows.append((q.column, normalise_label(label), float(score), False))
        for label in NA_LABELS:
            rows.append((q.column, label, None, True))
    frame = pd.DataFrame(rows, columns=["column_name", "label", "score", "is_na"])
    # A label declared twice for one column (e.g. as N/A and as a score): the score wins, deterministically.
    frame = frame.sort_values(["column_name", "label", "is_na"]).drop_duplicates(["column_name", "label"])
    return frame.astype({"column_name": "object", "label": "object", "score": "float64", "is_na": "bool"})


def codebook_names() -> list[str]:
    return sorted(BUILTIN_CODEBOOKS)
