"""Words of a comment and their stems: one tokeniser and the Snowball stemmers (Porter 2001) for da, sv, en, nb."""

from __future__ import annotations

import re
from functools import cache

import snowballstemmer

# Letters (any script) with inner apostrophes ("doesn't"), exclamation marks (they intensify, VADER's rule) and the
# punctuation that ends a clause (a negation's scope ends there).
TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|[!,;.:?]")
PUNCTUATION = frozenset("!,;.:?")
STEMMER_OF = {"da": "danish", "sv": "swedish", "en": "english", "nb": "norwegian"}


def tokens(text: str) -> list[str]:
    """Lower-case words and clause punctuation (! , ; . : ?) of a text; digits and other characters dropped."""
    return TOKEN.findall(text.lower().replace("’", "'"))


@cache
def _stemmer(language: str):
    return snowballstemmer.stemmer(STEMMER_OF.get(language, "english"))


class Stems:
    """Snowball stems of one language, cached per word (a comment corpus has few distinct words)."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._stem = _stemmer(language).stemWord
        self._cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        stem = self._cache.get(word)
        if stem is None:
            stem = self._cache[word] = self._stem(word)
        return stem


@cache
def stems(language: str) -> Stems:
    """The cached stemmer of a language (da, sv, en, nb; anything else stems as English)."""
    return Stems(language)
