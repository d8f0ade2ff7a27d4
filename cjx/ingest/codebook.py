"""Answer labels -> scores: built-in English, Danish and Swedish scale labels, declared codebooks, N/A labels.

Labels are matched after `normalise_label` (trimmed, lower-case, one space, plain hyphen), the same
normalisation cjx/sql/staging/cells.sql.j2 applies to cells, so "Meget  tilfreds" and "meget tilfreds" match.
Prefixed labels ("5 – Mycket nöjd", "10 - Extremely likely") need no codebook: the leading number is the
score (handled in SQL).
"""

from __future__ import annotations

import re

import pandas as pd

from cjx.journey.codebooks import BUILTIN_CODEBOOKS
from cjx.journey.model import Codebook, Journey, Question, Source

RATED = ("nps", "csat", "ces", "overall", "binary")

# Which built-in codebook a rated question gets when it declares none: by metric and scale.
_DEFAULT_BY_SCALE = {
    ("csat", 1, 5): "satisfaction_5",
    ("overall", 1, 5): "satisfaction_5",
    ("ces", 1, 7): "agree_7",
    ("nps", 0, 10): "likely_11",
    ("csat", 0, 1): "good_bad",
    ("binary", 0, 1): "yes_no",
}
# "Don't know" and "not applicable" in the four languages: always N/A, never a number (DESIGN.md, Words).
NA_LABELS = (
    # English
    "don't know",
    "dont know",
    "do not know",
    "not applicable",
    "n/a",
    "na",
    "no opinion",
    # Danish
    "ved ikke",
    "ved ej",
    "ikke relevant",
    "kan ikke vurdere",
    "ingen mening",
    # Swedish
    "vet ej",
    "vet inte",
    "ej aktuellt",
    "ingen åsikt",
    "kan inte bedöma",
    # Norwegian
    "vet ikke",
    "ikke aktuelt",
    "ingen formening",
)


def normalise_label(text: str) -> str:
    """The matching key of a label: trimmed, lower-case, single spaces, en/em dashes as hyphens, curly quotes plain."""
    text = text.replace("\u00a0", " ").replace("\u2013", "-").replace("\u2014", "-").replace("\u2019", "'")
    return re.sub(r"\s+", " ", text.strip()).lower()


def default_codebook(question: Question) -> str | None:
    """The built-in codebook matching the question's metric and scale, if any."""
    if question.metric in RATED and question.scale is not None:
        return _DEFAULT_BY_SCALE.get((question.metric, question.scale.min, question.scale.max))
    return None


def codebook_name(question: Question) -> str | None:
    """The codebook a question uses by name: declared, else the built-in matching its metric and scale."""
    if isinstance(question.codebook, str):
        return question.codebook
    if question.codebook is None:
        return default_codebook(question)
    return None


def codebook_for(question: Question, journey_codebooks: dict[str, dict[str, float]]) -> dict[str, float]:
    """label -> score for one question (empty for comments and questions without labels).

    A codebook on the question (a name, or labels inline) extends the built-in labels of its metric and scale;
    `codebook: {labels: {...}, replace: true}` uses the given labels alone."""
    spec = question.codebook
    if spec is None:
        name = default_codebook(question)
        return dict(BUILTIN_CODEBOOKS[name]) if name else {}
    if isinstance(spec, str):
        labels, replace = journey_codebooks.get(spec) or BUILTIN_CODEBOOKS[spec], False
    elif isinstance(spec, Codebook):
        labels, replace = spec.labels, spec.replace
    else:
        labels, replace = spec, False
    base = default_codebook(question)
    merged = {} if replace or base is None else {normalise_label(k): v for k, v in BUILTIN_CODEBOOKS[base].items()}
    merged.update({normalise_label(k): v for k, v in labels.items()})
    return merged


def codebook_labels(source: Source, journey: Journey | None = None) -> pd.DataFrame:
    """One row per (column, normalised label): its score, or is_na for the built-in "don't know" labels."""
    books = journey.codebooks if journey is not None else {}
    rows: list[tuple[str, str, float | None, bool]] = []
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
