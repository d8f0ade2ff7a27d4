"""Plain-language flags beside an importance figure: what the model had to do to give it (issue 18).

The importance mart says how each LMG weight was reached (``corr_repaired``, ``n_failed_resamples``,
``method_detail``, ``sampling_se``); a reader of the page gets the same facts in a few words beside the number,
with the longer explanation as the flag's tooltip:

- *correlations repaired*: the pairwise correlation matrix was indefinite and was replaced by the nearest
  correlation matrix (Higham 2002), which moved R² by less than the tolerance;
- *12 of 500 resamples failed*: the interval rests on the other 488 bootstrap resamples;
- *complete cases only*: the pairwise matrix could not be repaired without moving R², so the model uses only the
  respondents who answered every touchpoint;
- *sampled LMG ± 0.3%*: more than 24 touchpoints, so LMG is averaged over random orderings; ± is the Monte-Carlo
  standard error of the share shown.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from cjx.report.labels import LANGUAGES, Lang

FLAG_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "repaired": "correlations repaired",
        "repaired_title": "The pairwise correlations were not consistent (no data set could produce them) and were "
        "replaced by the nearest consistent matrix; that moved the explained variance by less than 0.02.",
        "failed": "{failed} of {total} resamples failed",
        "failed_title": "The interval rests on the {used} bootstrap resamples that could be computed; the others "
        "had a touchpoint without spread or without answers.",
        "complete_case": "complete cases only",
        "complete_case_title": "The pairwise correlations could not be repaired without changing the result, so "
        "importance uses only the {n} respondents who answered every touchpoint and the outcome.",
        "sampled": "sampled LMG ± {error}",
        "sampled_title": "More than 24 touchpoints: importance is averaged over random orderings instead of all "
        "subsets; ± is the Monte-Carlo standard error of the share shown.",
    },
    "da": {
        "repaired": "korrelationer repareret",
        "repaired_title": "De parvise korrelationer hang ikke sammen (intet datasæt kan give dem) og blev erstattet "
        "af den nærmeste sammenhængende matrix; det flyttede den forklarede varians mindre end 0,02.",
        "failed": "{failed} af {total} genudtræk mislykkedes",
        "failed_title": "Intervallet bygger på de {used} bootstrap-genudtræk, der kunne beregnes; de øvrige havde "
        "et touchpoint uden spredning eller uden svar.",
        "complete_case": "kun komplette besvarelser",
        "complete_case_title": "De parvise korrelationer kunne ikke repareres uden at ændre resultatet, så "
        "vigtigheden bruger kun de {n} respondenter, der besvarede alle touchpoints og resultatmålet.",
        "sampled": "LMG ved stikprøve ± {error}",
        "sampled_title": "Mere end 24 touchpoints: vigtigheden er et gennemsnit over tilfældige rækkefølger i stedet "
        "for alle delmængder; ± er Monte Carlo-standardfejlen på den viste andel.",
    },
    "sv": {
        "repaired": "korrelationer reparerade",
        "repaired_title": "De parvisa korrelationerna hängde inte ihop (inga data kan ge dem) och ersattes av "
        "närmaste sammanhängande matris; det flyttade den förklarade variansen mindre än 0,02.",
        "failed": "{failed} av {total} omsamplingar misslyckades",
        "failed_title": "Intervallet vilar på de {used} bootstrap-omsamplingar som kunde beräknas; de övriga hade "
        "en kontaktpunkt utan spridning eller utan svar.",
        "complete_case": "endast kompletta svar",
        "complete_case_title": "De parvisa korrelationerna kunde inte repareras utan att ändra resultatet, så "
        "vikten bygger bara på de {n} respondenter som besvarade alla kontaktpunkter och utfallet.",
        "sampled": "LMG med stickprov ± {error}",
        "sampled_title": "Fler än 24 kontaktpunkter: vikten är ett medelvärde över slumpvisa ordningar i stället för "
        "alla delmängder; ± är Monte Carlo-medelfelet för den visade andelen.",
    },
    "nb": {
        "repaired": "korrelasjoner reparert",
        "repaired_title": "De parvise korrelasjonene hang ikke sammen (ingen data kan gi dem) og ble erstattet av "
        "nærmeste sammenhengende matrise; det flyttet den forklarte variansen mindre enn 0,02.",
        "failed": "{failed} av {total} omtrekninger mislyktes",
        "failed_title": "Intervallet bygger på de {used} bootstrap-omtrekningene som kunne beregnes; de øvrige hadde "
        "et kontaktpunkt uten spredning eller uten svar.",
        "complete_case": "bare komplette svar",
        "complete_case_title": "De parvise korrelasjonene kunne ikke repareres uten å endre resultatet, så "
        "viktigheten bruker bare de {n} respondentene som svarte på alle kontaktpunkter og utfallet.",
        "sampled": "LMG ved utvalg ± {error}",
        "sampled_title": "Flere enn 24 kontaktpunkter: viktigheten er et gjennomsnitt over tilfeldige rekkefølger i "
        "stedet for alle delmengder; ± er Monte Carlo-standardfeilen til andelen som vises.",
    },
}
for _code in LANGUAGES:
    assert FLAG_LABELS[_code].keys() == FLAG_LABELS["en"].keys(), f"every importance flag needs a {_code} label"


def _number(value: object) -> float | None:
    """A present number, or None for missing (None, NaN, pandas' NA)."""
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def importance_flags(row: Mapping[str, object], lang: Lang) -> list[dict[str, str]]:
    """The flags of one priority row's importance: [{"key", "text", "title"}], in a fixed order; none when the
    importance is plain (exact, pairwise, every resample computed) or when there is no importance."""
    if _number(row.get("importance")) is None:
        return []
    labels = FLAG_LABELS[lang.code]
    flags = []

    def add(key: str, **values: object) -> None:
        flags.append(
            {"key": key, "text": labels[key].format(**values), "title": labels[f"{key}_title"].format(**values)}
        )

    detail = str(row.get("method_detail") or "")
    if "complete-case" in detail:
        add("complete_case", n=lang.count(_number(row.get("importance_n_used"))))
    if row.get("corr_repaired") is True or _number(row.get("corr_repaired")) == 1:
        add("repaired")
    failed, total = _number(row.get("n_failed_resamples")), _number(row.get("n_resamples"))
    if failed and total:
        add("failed", failed=lang.count(failed), total=lang.count(total), used=lang.count(total - failed))
    if "sampled" in detail:
        add("sampled", error=lang.pct(_number(row.get("importance_sampling_se")), 1))
    return flags
