"""Sentiment of one comment, offline: a lexicon per language (cjx.comments.lexicons) and VADER's rules.

The rules are those of VADER (Hutto & Gilbert 2014, "VADER: A Parsimonious Rule-based Model for Sentiment Analysis
of Social Media Text", ICWSM), with its published constants, applied with word lists per language:

- a word's valence comes from the lexicon (phrases of up to three words first, then the word, then the word's
  Snowball stem against the stems of the lexicon's words, so "fungerade" finds "fungera"; only stems of at least
  five letters, as shorter ones join unrelated words: Swedish "jag" and "jaga", Danish "stole" and "stole på");
- an intensifier up to three words before it adds (or a dampener takes) 0.293, less with distance (×0.95, ×0.9);
- a negation up to three words before it multiplies it by -0.74 ("ikke god", "inte bra", "not good"), within its
  clause: the window stops at a comma, semicolon or full stop (negation scope to the next punctuation, the
  heuristic of Das & Chen 2001 and Pang, Lee & Vaithyanathan 2002);
- in Danish, Swedish and Norwegian the negation also follows the finite verb (V2 order: "anbefaler ikke",
  "fungerar inte"): a negation directly after a word with a valence flips it too;
- "but" (men, dog) weighs what comes before it by 0.5 and what follows by 1.5;
- each '!' (up to four) adds 0.292 in the direction of the sum;
- the sum is normalised to -1..1 as VADER's compound score: s / sqrt(s² + 15).

The label is VADER's: positive at compound >= 0.05, negative at <= -0.05, else neutral. The negation and
intensifier words of Swedish are those of the Swedish VADER package; Danish and English lists are VADER's English
list and its Danish counterparts (Sentida's negations: ikke, aldrig, ingen). Accuracy on a labelled sample is in the
README ("Comments"); tests/test_comments_sentiment.py keeps it from falling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from cjx.comments.lexicons import LEXICON_OF, LEXICONS, lexicon, method_of
from cjx.comments.text import PUNCTUATION, stems, tokens

B_INCR, N_SCALAR, EXCLAMATION, ALPHA = 0.293, -0.74, 0.292, 15.0
DISTANCE = (1.0, 0.95, 0.9)  # an intensifier 1, 2, 3 words away
BUT_BEFORE, BUT_AFTER = 0.5, 1.5
POSITIVE_AT, NEGATIVE_AT = 0.05, -0.05
MIN_STEM = 5  # letters of a stem matched against the lexicon's stems
POST_VERB_NEGATION = frozenset({"da", "sv", "nb"})
RULES = "vader-rules"  # change it with the rules below: every stored score of the old rules is then redone

_EN_NEGATIONS = (
    "not no never nothing nobody none neither nor nowhere without cannot cant isn't isnt aren't arent wasn't wasnt "
    "weren't werent doesn't doesnt don't dont didn't didnt won't wont wouldn't wouldnt couldn't couldnt shouldn't "
    "shouldnt hasn't hasnt haven't havent hadn't hadnt ain't aint rarely seldom"
)
_EN_BOOSTERS = (
    "absolutely amazingly awfully completely considerably deeply enormously entirely especially exceptionally "
    "extremely fully greatly highly hugely incredibly intensely particularly really remarkably so substantially "
    "thoroughly totally tremendously unbelievably unusually utterly very way too super"
)
_EN_DAMPENERS = "almost barely hardly kinda less little marginally occasionally partly scarcely slightly somewhat"
_DA_NEGATIONS = "ikke ik ikk aldrig ingen intet ingenting hverken uden sjældent næppe"
_DA_BOOSTERS = (
    "meget virkelig ekstremt ekstrem utrolig utroligt super totalt helt særdeles vildt mega seriøst rigtig enormt "
    "særligt alt så temmelig"
)
_DA_DAMPENERS = "lidt noget næsten knap delvist delvis"


@cache
def word_lists(language: str) -> tuple[frozenset[str], dict[str, float], frozenset[str]]:
    """(negations, intensifier -> increment, but-words) of a language."""
    lang = LEXICON_OF[language]
    if lang == "sv":
        from vaderSentiment import vaderSentiment as swedish  # the Swedish VADER package's own lists

        boosters = {w.lower(): float(v) for w, v in swedish.BOOSTER_DICT.items() if " " not in w}
        return frozenset(w.lower() for w in swedish.NEGATE), boosters, frozenset({"men"})
    negations, up, down, but = {
        "da": (_DA_NEGATIONS, _DA_BOOSTERS, _DA_DAMPENERS, "men dog"),
        "en": (_EN_NEGATIONS, _EN_BOOSTERS, _EN_DAMPENERS, "but"),
    }[lang]
    boosters = dict.fromkeys(up.split(), B_INCR) | dict.fromkeys(down.split(), -B_INCR)
    return frozenset(negations.split()), boosters, frozenset(but.split())


@cache
def _stem_lexicon(language: str) -> dict[str, float]:
    """Stem of each one-word lexicon entry -> the mean valence of the entries sharing it."""
    stem = stems(language)
    sums: dict[str, list[float]] = {}
    for word, valence in lexicon(language).items():
        if " " not in word and len(stem(word)) >= MIN_STEM:
            sums.setdefault(stem(word), []).append(valence)
    return {s: sum(v) / len(v) for s, v in sums.items()}


@cache
def _phrase_starts(language: str) -> frozenset[str]:
    return frozenset(w.split(" ", 1)[0] for w in lexicon(language) if " " in w)


@dataclass(frozen=True)
class Sentiment:
    score: float  # VADER compound, -1..1
    label: str  # positive, negative, neutral
    method: str  # lexicon + rules
    n_scored: int  # words that carried a valence
    negated: int  # of them, how many a negation flipped


def label_of(score: float) -> str:
    return "positive" if score >= POSITIVE_AT else "negative" if score <= NEGATIVE_AT else "neutral"


def score_comment(text: str, language: str) -> Sentiment:
    """The sentiment of one comment written in `language` (da, sv, en, nb)."""
    words = tokens(text)
    lex, stem_lex, phrase_starts = lexicon(language), _stem_lexicon(language), _phrase_starts(language)
    negations, boosters, but_words = word_lists(language)
    stem = stems(language)
    valences: list[float] = []
    n_scored = negated = 0
    exclamations = 0
    post_verb = LEXICON_OF[language] != "en" and language in POST_VERB_NEGATION
    i, n = 0, len(words)
    while i < n:
        word = words[i]
        if word in PUNCTUATION:
            exclamations += word == "!"
            valences.append(0.0)
            i += 1
            continue
        width, valence = 1, None
        if word in phrase_starts:
            for k in (3, 2):
                if i + k <= n and (phrase := " ".join(words[i : i + k])) in lex:
                    width, valence = k, lex[phrase]
                    break
        if valence is None and word not in negations and word not in boosters:
            valence = lex.get(word)
            if valence is None:
                valence = stem_lex.get(stem(word))
        if not valence:
            valences.extend([0.0] * width)
            i += width
            continue
        n_scored += 1
        flips = 0
        for d in range(1, 4):
            j = i - d
            if j < 0:
                break
            before = words[j]
            if before in PUNCTUATION:
                break
            if before in boosters:
                step = boosters[before] * DISTANCE[d - 1]
                valence += step if valence > 0 else -step
            if before in negations:
                valence *= N_SCALAR
                flips += 1
        if post_verb and i + width < n and words[i + width] in negations:
            valence *= N_SCALAR
            flips += 1
        negated += flips % 2
        valences.append(valence)
        valences.extend([0.0] * (width - 1))
        i += width
    for k, word in enumerate(words):
        if word in but_words:
            valences = (
                [v * BUT_BEFORE for v in valences[:k]] + [valences[k]] + [v * BUT_AFTER for v in valences[k + 1 :]]
            )
            break
    total = sum(valences)
    if total and exclamations:
        total += math.copysign(min(exclamations, 4) * EXCLAMATION, total)
    compound = total / math.sqrt(total * total + ALPHA) if total else 0.0
    return Sentiment(round(compound, 4), label_of(compound), f"{method_of(language)}+{RULES}", n_scored, negated)


def current_methods() -> list[str]:
    """Every `method` score_comment gives today (lexicon + rules); a stored score with another is stale."""
    return sorted({f"{LEXICONS[code][3]}+{RULES}" for code in LEXICON_OF.values()})
