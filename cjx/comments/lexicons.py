"""The sentiment lexicons per language, read from the PyPI packages that ship them (nothing is downloaded).

| language | lexicon | package | scale |
|---|---|---|---|
| da (and nb) | AFINN-da-32 (Nielsen 2011; 3,552 Danish words and phrases) | `afinn` | -5..5, scaled by 0.8 |
| en | AFINN-en-165 (Nielsen 2011; 3,382 words and phrases) | `afinn` | -5..5, scaled by 0.8 |
| sv | VADER's lexicon in Swedish (7,500 entries of Hutto & Gilbert 2014, translated) | `vaderSentiment-swedish` | -4..4 |

AFINN's -5..5 is scaled to VADER's -4..4 so that one set of rules (cjx.comments.sentiment) and VADER's normalisation
apply to all three. The Norwegian (bokmål) comments use the Danish lexicon: no Norwegian lexicon installs from PyPI,
and the written languages share most sentiment words (god, dårlig, fantastisk).

The `afinn` release on PyPI (0.1) has no Swedish list; the Swedish VADER package installs under the import name
`vaderSentiment`, so the English VADER package cannot sit beside it: English uses AFINN with the same rules.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

# language -> (package, file in the package, factor to VADER's -4..4 scale, method name stored with each score)
LEXICONS: dict[str, tuple[str, str, float, str]] = {
    "da": ("afinn", "data/AFINN-da-32.txt", 0.8, "afinn-da-32"),
    "en": ("afinn", "data/AFINN-en-165.txt", 0.8, "afinn-en-165"),
    "sv": ("vaderSentiment", "vader_lexicon.txt", 1.0, "vader-sv-1.0.3"),
}
LEXICON_OF = {"da": "da", "nb": "da", "en": "en", "sv": "sv"}


@cache
def lexicon(language: str) -> dict[str, float]:
    """word or phrase (lower case) -> valence on -4..4, for one of da, nb, en, sv."""
    package, name, factor, _ = LEXICONS[LEXICON_OF[language]]
    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    out: dict[str, float] = {}
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) < 2 or not fields[0].strip():
            continue
        try:
            out[fields[0].strip().lower()] = float(fields[1]) * factor
        except ValueError:
            continue  # a header or a malformed line in the package's file
    return out


def method_of(language: str) -> str:
    """The lexicon's name for `core.comment_sentiment.method`."""
    return LEXICONS[LEXICON_OF[language]][3]
