"""The built-in answer-label codebooks (English, Danish, Swedish, Norwegian), part of what a journey file may name.

Labels are written as cjx.ingest.codebook.normalise_label leaves them: lower-case, single spaces, plain hyphens.
The neutral and middle labels of real Nordic exports are here too ("Hverken/eller", "Varken eller", "Verken
eller", "Nøytral", "Ganska nöjd"); "don't know" answers are N/A, never a score (cjx.ingest.codebook.NA_LABELS).
"""

from __future__ import annotations

_SATISFACTION_5: dict[str, float] = {
    # English
    "very dissatisfied": 1,
    "extremely dissatisfied": 1,
    "dissatisfied": 2,
    "somewhat dissatisfied": 2,
    "neither satisfied nor dissatisfied": 3,
    "neutral": 3,
    "satisfied": 4,
    "somewhat satisfied": 4,
    "very satisfied": 5,
    "extremely satisfied": 5,
    # Danish
    "meget utilfreds": 1,
    "utilfreds": 2,
    "hverken tilfreds eller utilfreds": 3,
    "hverken/eller": 3,
    "hverken eller": 3,
    "tilfreds": 4,
    "meget tilfreds": 5,
    # Swedish
    "mycket missnöjd": 1,
    "missnöjd": 2,
    "ganska missnöjd": 2,
    "varken nöjd eller missnöjd": 3,
    "varken eller": 3,
    "ganska nöjd": 4,
    "nöjd": 4,
    "mycket nöjd": 5,
    # Norwegian
    "svært misfornøyd": 1,
    "meget misfornøyd": 1,
    "misfornøyd": 2,
    "verken fornøyd eller misfornøyd": 3,
    "verken eller": 3,
    "nøytral": 3,
    "fornøyd": 4,
    "svært fornøyd": 5,
    "meget fornøyd": 5,
}
_AGREE_7: dict[str, float] = {
    "strongly disagree": 1,
    "disagree": 2,
    "somewhat disagree": 3,
    "neither agree nor disagree": 4,
    "neutral": 4,
    "somewhat agree": 5,
    "agree": 6,
    "strongly agree": 7,
    # Danish
    "helt uenig": 1,
    "uenig": 2,
    "delvist uenig": 3,
    "hverken enig eller uenig": 4,
    "hverken/eller": 4,
    "hverken eller": 4,
    "delvist enig": 5,
    "enig": 6,
    "helt enig": 7,
    # Swedish
    "tar helt avstånd": 1,
    "tar avstånd": 2,
    "tar delvis avstånd": 3,
    "varken instämmer eller tar avstånd": 4,
    "varken eller": 4,
    "instämmer delvis": 5,
    "instämmer": 6,
    "instämmer helt": 7,
    # Norwegian (helt uenig, uenig, enig, helt enig as in Danish)
    "delvis uenig": 3,
    "verken enig eller uenig": 4,
    "verken eller": 4,
    "nøytral": 4,
    "delvis enig": 5,
}
_AGREE_5: dict[str, float] = {
    "strongly disagree": 1,
    "disagree": 2,
    "neither agree nor disagree": 3,
    "neutral": 3,
    "agree": 4,
    "strongly agree": 5,
    # Danish
    "helt uenig": 1,
    "uenig": 2,
    "hverken enig eller uenig": 3,
    "hverken/eller": 3,
    "hverken eller": 3,
    "enig": 4,
    "helt enig": 5,
    # Swedish
    "tar helt avstånd": 1,
    "tar avstånd": 2,
    "varken instämmer eller tar avstånd": 3,
    "varken eller": 3,
    "instämmer": 4,
    "instämmer helt": 5,
    # Norwegian
    "verken enig eller uenig": 3,
    "verken eller": 3,
    "nøytral": 3,
}
_LIKELY_11: dict[str, float] = {
    "not at all likely": 0,
    "extremely likely": 10,
    # Danish
    "slet ikke sandsynligt": 0,
    "meget sandsynligt": 10,
    "ekstremt sandsynligt": 10,
    # Swedish
    "inte alls troligt": 0,
    "inte alls sannolikt": 0,
    "mycket troligt": 10,
    "extremt troligt": 10,
    "mycket sannolikt": 10,
    # Norwegian
    "ikke sannsynlig": 0,
    "ikke i det hele tatt sannsynlig": 0,
    "svært sannsynlig": 10,
    "ekstremt sannsynlig": 10,
}
_GOOD_BAD: dict[str, float] = {
    "good": 1,
    "bad": 0,
    "god": 1,  # Danish, Norwegian
    "dårlig": 0,
    "bra": 1,  # Swedish, Norwegian
    "dålig": 0,
}

# Two-point answers of a `binary` question (0/1 need no label): yes/no, satisfied or not, in the four languages.
_YES_NO: dict[str, float] = {
    "yes": 1,
    "no": 0,
    "true": 1,
    "false": 0,
    "satisfied": 1,
    "not satisfied": 0,
    "dissatisfied": 0,
    "ja": 1,
    "nej": 0,
    "nei": 0,
    "tilfreds": 1,
    "ikke tilfreds": 0,
    "utilfreds": 0,
    "nöjd": 1,
    "inte nöjd": 0,
    "missnöjd": 0,
    "fornøyd": 1,
    "ikke fornøyd": 0,
    "misfornøyd": 0,
}

BUILTIN_CODEBOOKS: dict[str, dict[str, float]] = {
    "satisfaction_5": _SATISFACTION_5,
    "agree_7": _AGREE_7,
    "agree_5": _AGREE_5,
    "likely_11": _LIKELY_11,
    "good_bad": _GOOD_BAD,
    "yes_no": _YES_NO,
}
