"""The built-in answer-label codebooks (English, Danish, Swedish), part of what a journey file may name."""

from __future__ import annotations

_SATISFACTION_5: dict[str, float] = {
    # English
    "very dissatisfied": 1,
    "dissatisfied": 2,
    "neither satisfied nor dissatisfied": 3,
    "neutral": 3,
    "satisfied": 4,
    "very satisfied": 5,
    # Danish
    "meget utilfreds": 1,
    "utilfreds": 2,
    "hverken tilfreds eller utilfreds": 3,
    "tilfreds": 4,
    "meget tilfreds": 5,
    # Swedish
    "mycket missnöjd": 1,
    "missnöjd": 2,
    "varken nöjd eller missnöjd": 3,
    "nöjd": 4,
    "mycket nöjd": 5,
}
_AGREE_7: dict[str, float] = {
    "strongly disagree": 1,
    "disagree": 2,
    "somewhat disagree": 3,
    "neither agree nor disagree": 4,
    "somewhat agree": 5,
    "agree": 6,
    "strongly agree": 7,
    "helt uenig": 1,
    "uenig": 2,
    "delvist uenig": 3,
    "hverken enig eller uenig": 4,
    "delvist enig": 5,
    "enig": 6,
    "helt enig": 7,
    "tar helt avstånd": 1,
    "tar avstånd": 2,
    "tar delvis avstånd": 3,
    "varken instämmer eller tar avstånd": 4,
    "instämmer delvis": 5,
    "instämmer": 6,
    "instämmer helt": 7,
}
_AGREE_5: dict[str, float] = {
    "strongly disagree": 1,
    "disagree": 2,
    "neither agree nor disagree": 3,
    "agree": 4,
    "strongly agree": 5,
    "helt uenig": 1,
    "uenig": 2,
    "hverken enig eller uenig": 3,
    "enig": 4,
    "helt enig": 5,
    "tar helt avstånd": 1,
    "tar avstånd": 2,
    "varken instämmer eller tar avstånd": 3,
    "instämmer": 4,
    "instämmer helt": 5,
}
_LIKELY_11: dict[str, float] = {
    "not at all likely": 0,
    "extremely likely": 10,
    "slet ikke sandsynligt": 0,
    "meget sandsynligt": 10,
    "ekstremt sandsynligt": 10,
    "inte alls troligt": 0,
    "mycket troligt": 10,
    "extremt troligt": 10,
}
_GOOD_BAD: dict[str, float] = {"good": 1, "bad": 0, "god": 1, "dårlig": 0, "bra": 1, "dålig": 0}

BUILTIN_CODEBOOKS: dict[str, dict[str, float]] = {
    "satisfaction_5": _SATISFACTION_5,
    "agree_7": _AGREE_7,
    "agree_5": _AGREE_5,
    "likely_11": _LIKELY_11,
    "good_bad": _GOOD_BAD,
}
