"""The segment selector's and "where it differs" table's labels, in the page languages (en, da, sv, nb)."""

from __future__ import annotations

from cjx.report.labels import LANGUAGES

SEGMENT_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "segments": "Segments",
        "segment_select": "Show the curve, matrix and table for",
        "all_respondents": "all respondents",
        "segment_caption": "Pick a segment value to redraw the journey curve, the importance–performance matrix and the priority table for its respondents only (importance and ranks where its base allows a model; reach stays the journey's). The page needs no server: every value is in the page.",
        "segment_shown": "Showing {segment} = {value} (n = {n} respondents).",
        "differs": "Where it differs",
        "differs_caption": "Touchpoints whose headline for one segment value differs significantly from the rest of that segment's respondents, largest gap first (two-proportion z or adjusted-Wald NPS test; Benjamini–Hochberg across each segment's table, q < 0.05; bases under {min_base} not tested).",
        "differs_none": "No segment value differs significantly from the rest on any touchpoint.",
        "col_segment": "Segment",
        "col_value": "Value",
        "col_this_value": "This value",
        "col_rest": "The rest",
        "col_gap": "Gap",
        "col_q": "q",
    },
    "da": {
        "segments": "Segmenter",
        "segment_select": "Vis kurven, matricen og tabellen for",
        "all_respondents": "alle respondenter",
        "segment_caption": "Vælg en segmentværdi for at tegne kundeoplevelseskurven, vigtighed–præstation-matricen og prioritetstabellen for dens respondenter alene (vigtighed og rang hvor basen tillader en model; rækkevidden er hele rejsens). Siden kræver ingen server: alle værdier ligger i siden.",
        "segment_shown": "Viser {segment} = {value} (n = {n} respondenter).",
        "differs": "Hvor det afviger",
        "differs_caption": "Touchpoints hvor én segmentværdis nøgletal afviger signifikant fra resten af segmentets respondenter, største forskel først (z-test for andele eller adjusted-Wald for NPS; Benjamini–Hochberg på tværs af hvert segments tabel, q < 0,05; baser under {min_base} testes ikke).",
        "differs_none": "Ingen segmentværdi afviger signifikant fra resten på noget touchpoint.",
        "col_segment": "Segment",
        "col_value": "Værdi",
        "col_this_value": "Denne værdi",
        "col_rest": "Resten",
        "col_gap": "Forskel",
        "col_q": "q",
    },
    "sv": {
        "segments": "Segment",
        "segment_select": "Visa kurvan, matrisen och tabellen för",
        "all_respondents": "alla respondenter",
        "segment_caption": "Välj ett segmentvärde för att rita om kundresekurvan, viktighet–prestation-matrisen och prioritetstabellen för enbart dess respondenter (viktighet och rang där basen räcker till en modell; räckvidden är hela resans). Sidan behöver ingen server: alla värden finns i sidan.",
        "segment_shown": "Visar {segment} = {value} (n = {n} respondenter).",
        "differs": "Där det skiljer sig",
        "differs_caption": "Touchpoints där ett segmentvärdes nyckeltal skiljer sig signifikant från resten av segmentets respondenter, största skillnaden först (z-test för andelar eller adjusted-Wald för NPS; Benjamini–Hochberg över varje segments tabell, q < 0,05; baser under {min_base} testas inte).",
        "differs_none": "Inget segmentvärde skiljer sig signifikant från resten på någon touchpoint.",
        "col_segment": "Segment",
        "col_value": "Värde",
        "col_this_value": "Detta värde",
        "col_rest": "Resten",
        "col_gap": "Skillnad",
        "col_q": "q",
    },
    "nb": {
        "segments": "Segmenter",
        "segment_select": "Vis kurven, matrisen og tabellen for",
        "all_respondents": "alle respondenter",
        "segment_caption": "Velg en segmentverdi for å tegne kundereisekurven, viktighet–ytelse-matrisen og prioritetstabellen for bare dens respondenter (viktighet og rang der basen gir en modell; rekkevidden er hele reisens). Siden trenger ingen server: alle verdier ligger i siden.",
        "segment_shown": "Viser {segment} = {value} (n = {n} respondenter).",
        "differs": "Der det skiller seg",
        "differs_caption": "Touchpoints der én segmentverdis nøkkeltall skiller seg signifikant fra resten av segmentets respondenter, største forskjell først (z-test for andeler eller adjusted-Wald for NPS; Benjamini–Hochberg på tvers av hvert segments tabell, q < 0,05; baser under {min_base} testes ikke).",
        "differs_none": "Ingen segmentverdi skiller seg signifikant fra resten på noe touchpoint.",
        "col_segment": "Segment",
        "col_value": "Verdi",
        "col_this_value": "Denne verdien",
        "col_rest": "Resten",
        "col_gap": "Forskjell",
        "col_q": "q",
    },
}
for _code in LANGUAGES:
    assert SEGMENT_LABELS[_code].keys() == SEGMENT_LABELS["en"].keys(), (
        f"every English segment label needs a {_code} one"
    )


def segment_label(code: str, key: str, **values: object) -> str:
    text = SEGMENT_LABELS[code][key]
    return text.format(**values) if values else text
