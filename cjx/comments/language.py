"""Which language a comment is written in: Danish, Swedish, English or Norwegian (bokmål), offline.

py3langid (a maintained fork of langid.py, Lui & Baldwin 2012: a naive Bayes model over byte n-grams, shipped inside
the wheel, nothing downloaded) restricted to the four languages cjx scores. Short comments ("Ok levering") are hard
for any detector, and Danish and Norwegian bokmål are close: a comment detected as one of the two with less than
`MIN_CONFIDENCE` (normalised probability) gets the journey's own language when that is the other one
(`settings.language`), and `language_source` says which decided. Both are scored with the Danish lexicon anyway.
"""

from __future__ import annotations

from functools import lru_cache

LANGUAGES = ("da", "sv", "en", "nb")
# py3langid's model names Norwegian 'no' (bokmål and nynorsk together); cjx calls it nb, as the page languages do.
_MODEL_CODES = {"da": "da", "sv": "sv", "en": "en", "nb": "no"}
_FROM_MODEL = {code: lang for lang, code in _MODEL_CODES.items()}
MIN_CONFIDENCE = 0.6
CLOSE = frozenset({"da", "nb"})


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([_MODEL_CODES[lang] for lang in LANGUAGES])
    return identifier


def detect_language(text: str, default: str = "en") -> tuple[str, str, float]:
    """(language, 'detected' or 'default', confidence) of one comment; `default` when the detector is unsure
    between Danish and Norwegian and `default` is one of them."""
    code, confidence = _identifier().classify(text)
    language = _FROM_MODEL[str(code)]
    if confidence < MIN_CONFIDENCE and language in CLOSE and default in CLOSE:
        return default, "default", float(confidence)
    return language, "detected", float(confidence)


def detect_languages(texts: list[str], default: str = "en") -> list[tuple[str, str, float]]:
    """detect_language over many comments; identical texts are classified once."""
    seen: dict[str, tuple[str, str, float]] = {}
    out = []
    for text in texts:
        if text not in seen:
            seen[text] = detect_language(text, default)
        out.append(seen[text])
    return out
