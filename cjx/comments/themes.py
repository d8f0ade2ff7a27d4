"""What a comment is about: the journey's declared theme codebook, and themes discovered for what it misses.

**Declared.** `themes: {delivery_delay: {da: [forsinket, for sent], sv: [försenad], en: [late, delay]}}` in the
journey. A term matches when its words' Snowball stems (cjx.comments.text) occur in a row among the comment's stems,
both stemmed in the comment's language: "forsinket" finds "forsinkelse" and "forsinkelsen" ("forsink"). A comment in
Norwegian with no `nb` terms is matched against the `da` terms. A comment may be about several declared themes.

**Discovered.** The comments no declared theme matched are put through TF-IDF (stems, sublinear term frequency,
words in at least `MIN_DF` comments and at most half of them, common function words left out) and non-negative
matrix factorisation (scikit-learn's NMF, NNDSVD initialisation: deterministic; Lee & Seung 1999), fit on every
revisit at once so a theme means the same in each. A comment joins its heaviest component when it has one; the
component's label is its three heaviest words in their most common spelling, `top_terms` its eight heaviest.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from cjx.comments.text import PUNCTUATION, stems, tokens

MIN_DF = 5
MIN_COMMENTS_TO_DISCOVER = 50
TOP_TERMS = 8
# Function words the TF-IDF leaves out (they carry no theme; max_df alone keeps the rarer ones).
STOP_WORDS: dict[str, str] = {
    "da": "og i at det en den til er som på de med han af for ikke der var jeg har et men om så min mit mig "
    "jer jeres vi du havde fik efter fra da kun meget alt også nu lidt hvor kom blev være ved ud",
    "sv": "och i att det en som på är av för med till den har de inte om ett var jag men så min mitt mig "
    "er vi du hade fick efter från när bara mycket allt också nu lite kom blev vara ut",
    "en": "the a an and or to of in on at for with is was were be been it this that i my me we you your they "
    "but so not no had have has got get from after just very all also now little came as by",
    "nb": "og i at det en den til er som på de med av for ikke der var jeg har et men om så min mitt meg "
    "vi du hadde fikk etter fra da bare mye alt også nå litt kom ble være ut",
}


@dataclass(frozen=True)
class Theme:
    theme_id: str
    kind: str  # declared or discovered
    label: str
    top_terms: tuple[str, ...]


def _stem_words(text: str, language: str) -> list[str]:
    stem = stems(language)
    return [stem(w) for w in tokens(text) if w not in PUNCTUATION]


def compile_codebook(themes: Mapping[str, Mapping[str, Sequence[str]]]) -> dict[str, dict[str, list[tuple[str, ...]]]]:
    """theme -> language -> the stem sequence of each term (terms stemmed in their own language)."""
    return {
        theme: {
            lang: [tuple(_stem_words(term, lang)) for term in terms if _stem_words(term, lang)]
            for lang, terms in by_lang.items()
        }
        for theme, by_lang in themes.items()
    }


def _contains(words: list[str], term: tuple[str, ...]) -> bool:
    if len(term) == 1:
        return term[0] in words
    k = len(term)
    return any(tuple(words[i : i + k]) == term for i in range(len(words) - k + 1))


def declared_hits(
    stemmed: Sequence[list[str]], languages: Sequence[str], codebook: Mapping[str, Mapping[str, list[tuple[str, ...]]]]
) -> list[list[str]]:
    """For each comment (its stems and language), the declared themes it is about, in codebook order."""
    out: list[list[str]] = []
    for words, language in zip(stemmed, languages):
        found = []
        for theme, by_lang in codebook.items():
            terms = by_lang.get(language) or (by_lang.get("da") if language == "nb" else None) or []
            if any(_contains(words, term) for term in terms):
                found.append(theme)
        out.append(found)
    return out


def discover(texts: Sequence[str], languages: Sequence[str], n_themes: int) -> tuple[list[Theme], list[int | None]]:
    """NMF themes over `texts`: (themes, for each text the index of its theme or None)."""
    if n_themes <= 0 or len(texts) < MIN_COMMENTS_TO_DISCOVER:
        return [], [None] * len(texts)
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    stop = {lang: set(words.split()) for lang, words in STOP_WORDS.items()}
    surface: dict[str, Counter[str]] = {}
    docs: list[list[str]] = []
    for text, language in zip(texts, languages):
        stem, skip = stems(language), stop.get(language, set())
        doc = []
        for word in tokens(text):
            if word in PUNCTUATION or word in skip or len(word) < 3:
                continue
            s = stem(word)
            doc.append(s)
            surface.setdefault(s, Counter())[word] += 1
        docs.append(doc)
    vectorizer = TfidfVectorizer(analyzer=lambda doc: doc, min_df=MIN_DF, max_df=0.5, sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform(docs)
    except ValueError:  # no word in enough comments
        return [], [None] * len(texts)
    k = min(n_themes, matrix.shape[1], matrix.shape[0])
    if k < 1:
        return [], [None] * len(texts)
    model = NMF(n_components=k, init="nndsvd", max_iter=400, random_state=0)
    weights = model.fit_transform(matrix)
    vocabulary = vectorizer.get_feature_names_out()
    best = weights.argmax(axis=1)
    has = weights.max(axis=1) > 0
    sizes = np.bincount(best[has], minlength=k)
    order = [int(c) for c in np.argsort(-sizes, kind="stable") if sizes[c] > 0]
    themes, index_of = [], {}
    for rank, component in enumerate(order):
        heaviest = np.argsort(-model.components_[component], kind="stable")[:TOP_TERMS]
        words = tuple(surface[vocabulary[i]].most_common(1)[0][0] for i in heaviest)
        themes.append(Theme(f"discovered_{rank + 1}", "discovered", " / ".join(words[:3]), words))
        index_of[component] = rank
    return themes, [index_of.get(int(b)) if h else None for b, h in zip(best, has)]


def assign_themes(
    texts: Sequence[str],
    languages: Sequence[str],
    themes: Mapping[str, Mapping[str, Sequence[str]]],
    n_discovered: int,
) -> tuple[list[Theme], list[list[str]]]:
    """Every theme (declared first, then discovered) and, per comment, the ids of the themes it is about."""
    codebook = compile_codebook(themes)
    stemmed = [_stem_words(t, lang) for t, lang in zip(texts, languages)]
    hits = declared_hits(stemmed, languages, codebook)
    catalog = [
        Theme(theme, "declared", theme.replace("_", " "), tuple(t for terms in by_lang.values() for t in terms))
        for theme, by_lang in themes.items()
    ]
    rest = [i for i, h in enumerate(hits) if not h]
    found, chosen = discover([texts[i] for i in rest], [languages[i] for i in rest], n_discovered)
    for i, c in zip(rest, chosen):
        if c is not None:
            hits[i] = [found[c].theme_id]
    return catalog + found, hits
