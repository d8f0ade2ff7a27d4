"""Scorecard labels in English and Danish, and number formatting per language.

Only the words cjx itself writes are translated (headings, captions, column names, quadrant names the marts
produce). Touchpoint names, owners, stages and comments are data: they are shown exactly as they came.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib.resources import files
from typing import TypeGuard

import pandas as pd
from babel import Locale as _BabelLocale
from babel.numbers import format_decimal, format_percent


def get_locale(code: str) -> _BabelLocale:
    return _BabelLocale.parse(code)


LANGUAGES = ("en", "da", "sv", "nb")

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "touchpoint scorecard",
        "revisit": "Revisit",
        "period": "{start} to {end}",
        "compared_with": "Changes are compared with revisit {previous}.",
        "no_previous": "This is the first revisit: there is nothing earlier to compare with.",
        "owner_pages": "Pages per owner",
        "exports": "Downloads",
        "back": "Back to the full scorecard",
        "act_first": "Act first",
        "next_priorities": "Next in line",
        # headline
        "headline": "The journey at a glance",
        "kpi_nps": "Net Promoter Score",
        "kpi_overall": "Overall satisfaction (CSAT)",
        "kpi_overall_note": "share satisfied (top box of the scale)",
        "kpi_ces": "Customer effort (CES)",
        "kpi_ces_note": "share who found it easy, all CES answers",
        "kpi_nps_note": "% promoters − % detractors",
        "ci": "95% CI {low} to {high}",
        "base": "n = {n}",
        "change_since": "{change} since {previous}",
        "since": "since {previous}",
        "significant": "significant",
        "not_significant": "not significant",
        "no_change": "no earlier revisit",
        "headline_caption": "How to read: each number is the journey as a whole in this revisit, with its 95% "
        "interval (the range the true value most likely lies in) and its base n (answers it "
        "rests on). ▲/▼ marks a change since the previous revisit that is statistically "
        "significant (NPS: Rocks z-test, shares: two-proportion z-test, then the page's one "
        "Benjamini–Hochberg rule below); a change without a marker may be chance.",
        # journey curve
        "curve": "The journey curve",
        "curve_caption": "How to read: touchpoints from left to right in journey order, grouped by stage, with "
        "their owner under the name. The height is the touchpoint's headline performance: the "
        "share of customers satisfied (CSAT top box of the scale: 4–5 on 1–5, 8–10 on 1–10, yes on yes/no) or finding it easy (CES); vertical "
        "whiskers are 95% intervals, dark dashes are targets (service promises) and the dotted "
        "line is the average touchpoint. Dips in the curve are where the experience breaks. "
        "Colours are the quadrants of the matrix below; hollow grey points rest on fewer than "
        "{min_base} answers (low base): a hint, not a finding. Hover a point for its base n.",
        "curve_axis": "performance: % satisfied or finding it easy",
        "journey_average": "average touchpoint",
        "target": "target",
        "low_base": "low base",
        "critical": "critical",
        # IPA
        "ipa": "Where to act first: importance and performance",
        "ipa_caption": "How to read: each touchpoint is placed by how much it moves loyalty (importance, to the "
        "right: its share of the outcome explained, from a Shapley/LMG key-driver analysis of the "
        "relationship survey) and how well it performs (up: its headline share). The dashed lines "
        "cross at the average touchpoint. Bottom right, Concentrate here: important but weak, act "
        "first. Top right: important and strong, keep it up. Left: less important. Touchpoints with "
        "fewer than {min_base} answers are not placed. Hover a point for its base n.",
        "ipa_x": "importance: share of loyalty explained (%)",
        "ipa_y": "performance (%)",
        # priority table
        "priority": "Priority table",
        "priority_caption": "How to read: one row per touchpoint, most urgent first (rank 1). Priority = importance "
        "× shortfall (1 − performance) × reach (share of customers passing through). "
        "Performance and importance show their 95% intervals and n the answers they rest on. "
        "Gap to target is performance minus the service promise, in percentage points (pts). "
        "Change: since {previous}, ▲ better / ▼ worse when significant under the page's one rule "
        "(Benjamini–Hochberg, 5% false discovery rate, below); no marker: within chance. Click a "
        "column header to sort.",
        "col_rank": "#",
        "col_touchpoint": "Touchpoint",
        "col_stage": "Stage",
        "col_owner": "Owner",
        "col_quadrant": "Quadrant",
        "col_performance": "Performance (95% CI)",
        "col_n": "n",
        "col_importance": "Importance (95% CI)",
        "col_reach": "Reach",
        "col_gap": "Gap to target",
        "col_change": "Change",
        "not_ranked": "not ranked (low base)",
        "change_low_base": "low base",
        "change_not_comparable": "not comparable",
        # paths
        "paths": "Observed journey paths",
        "paths_caption": "How to read: from operational data (orders, deliveries, tickets) in time order. Each band "
        "runs from the touchpoint a customer was at (left) to the one they met next (right); its "
        "width is the number of transitions. Red bands loop back to an earlier touchpoint of the "
        "journey, orange bands repeat the same touchpoint (e.g. a second support contact), grey "
        "bands move forward. Hover a band for transitions and customers.",
        "paths_from": "from",
        "paths_to": "next",
        "paths_table": "Loops and repeats",
        "col_from": "From",
        "col_to": "To",
        "col_transitions": "Transitions",
        "col_customers": "Customers",
        "col_kind": "Kind",
        "loop_back": "loops back",
        "repeat": "repeat",
        "forward": "forward",
        "no_paths": "No operational events in this revisit: paths cannot be drawn.",
        # verbatims
        "verbatims": "What customers say about the weakest critical touchpoints",
        "verbatims_caption": "How to read: comments from customers who rated the touchpoint below the middle of "
        "its scale (1–2 on a 1–5 scale), most frequent first (identical comments counted "
        "together, ×n). A comment belongs to its question's touchpoint, else to the touchpoint "
        "its survey response is mapped to: those are shown first. General comments (the relationship "
        "survey's open question) are shown apart, labelled as such: they go to the touchpoint the "
        "respondent rated lowest and may be about something else. Comments are shown as written, without names or ids; e-mail "
        "addresses and phone numbers are replaced.",
        "verbatims_of": "{touchpoint} ({owner}): {n_low} of {n_all} comments come from dissatisfied customers",
        "no_verbatims": "No comments from dissatisfied customers in this revisit.",
        "general_comment": "general",
        "owner_verbatims": "What dissatisfied customers say about your touchpoints",
        # stage tables
        "details": "All touchpoints by stage",
        "details_caption": "How to read: every measured number per touchpoint with its base. Top box: share "
        "answering in the top of the scale (4–5 on 1–5, 6–7 on 1–7, 8–10 on 1–10, yes on yes/no); CES easy: share "
        "above the scale midpoint. Means are on the answers' own scale, or on 0–100 where sources use different "
        "scales (never pooled across scales). Grey rows rest on fewer than {min_base} answers.",
        "col_responses": "n",
        "col_csat_mean": "CSAT mean",
        "col_csat_top2": "CSAT top box",
        "col_ces_mean": "CES mean",
        "col_ces_easy": "CES easy",
        "col_nps": "NPS",
        "col_flags": "Flags",
        # measures
        "effects": "Operational measures",
        "effects_caption": "How to read: how much an operational measure moves a rating: the change in score per "
        "unit (e.g. per minute of delay) with its 95% interval and base n.",
        "col_measure": "Measure",
        "col_moves": "Moves",
        "col_slope": "Slope (95% CI)",
        "col_rho": "Spearman ρ",
        # blind spots and data quality
        "quality": "Blind spots and data quality",
        "blind_spots": "Blind spots",
        "blind_spots_caption": "Touchpoints with no feedback or fewer than {min_base} answers in this revisit: the "
        "scorecard cannot say how they perform.",
        "no_blind_spots": "None: every touchpoint has at least {min_base} answers.",
        "col_blind_spot": "Why",
        "unmapped": "Unmapped responses",
        "unmapped_caption": "Responses no mapping rule placed on a touchpoint (kept in the database, not counted "
        "in any touchpoint).",
        "no_unmapped": "None: every response in this revisit was placed on a touchpoint.",
        "col_source": "Source",
        "col_reason": "Reason",
        "col_responses_n": "Responses",
        "quarantine": "Rows quarantined, by reason",
        "quarantine_caption": "Rows that failed a check are set aside with the reason, never silently dropped.",
        "no_quarantine": "No rows were quarantined.",
        "col_rows": "Rows",
        "col_files": "Files",
        "files": "Files ingested",
        "files_caption": "Every file read so far: each row is loaded, quarantined with a reason, or counted as a "
        "duplicate (read = loaded + quarantined + duplicate).",
        "col_file": "File",
        "col_status": "Status",
        "col_read": "Read",
        "col_loaded": "Loaded",
        "col_quarantined": "Quarantined",
        "col_duplicate": "Duplicate",
        "col_reasons": "Reasons",
        # owner pages
        "owner_title": "{owner}: your touchpoints",
        "owner_intro": "Revisit {revisit}: the touchpoints {owner} owns, most urgent first. The full scorecard "
        "shows the whole journey.",
        "owner_first": "Act on this first",
        "owner_first_line": "{touchpoint}: journey priority {rank} of {ranked} ({quadrant}).",
        "owner_none_ranked": "None of your touchpoints has enough answers to be ranked in this revisit.",
        "owner_bullets": "Performance against target",
        "owner_bullet_caption": "How to read: the bar is the touchpoint's performance with its 95% interval "
        "(whisker); the dark tick is the target, the dotted tick the journey's average "
        "touchpoint; n is the number of answers.",
        "generated": "Generated by cjx from the marts of {db}.",
        "exports_csv": "CSV",
        "exports_xlsx": "Excel workbook",
        "exports_png": "PNG snapshot",
        "pts": "pts",
    },
    "da": {
        "title": "touchpoint-scorecard",
        "revisit": "Måling",
        "period": "{start} til {end}",
        "compared_with": "Ændringer sammenlignes med måling {previous}.",
        "no_previous": "Dette er den første måling: der er intet tidligere at sammenligne med.",
        "owner_pages": "Sider pr. ejer",
        "exports": "Hent filer",
        "back": "Tilbage til hele scorecardet",
        "act_first": "Sæt ind først her",
        "next_priorities": "Dernæst",
        "headline": "Rejsen på et øjeblik",
        "kpi_nps": "Net Promoter Score",
        "kpi_overall": "Samlet tilfredshed (CSAT)",
        "kpi_overall_note": "andel tilfredse (skalaens øverste svar)",
        "kpi_ces": "Kundeindsats (CES)",
        "kpi_ces_note": "andel der fandt det let, alle CES-svar",
        "kpi_nps_note": "% anbefalere − % kritikere",
        "ci": "95 % KI {low} til {high}",
        "base": "n = {n}",
        "change_since": "{change} siden {previous}",
        "since": "siden {previous}",
        "significant": "signifikant",
        "not_significant": "ikke signifikant",
        "no_change": "ingen tidligere måling",
        "headline_caption": "Sådan læses det: hvert tal gælder hele rejsen i denne måling, med 95 %-interval "
        "(det spænd, den sande værdi med størst sandsynlighed ligger i) og basen n (antal svar "
        "tallet hviler på). ▲/▼ markerer en statistisk signifikant ændring siden forrige måling "
        "(NPS: Rocks z-test, andele: z-test for to andele, derefter sidens ene Benjamini–Hochberg-regel "
        "nedenfor); en ændring uden markør kan være tilfældig.",
        "curve": "Rejsekurven",
        "curve_caption": "Sådan læses det: touchpoints fra venstre mod højre i rejsens rækkefølge, grupperet efter "
        "fase, med ejeren under navnet. Højden er touchpointets resultat: andelen af kunder der er "
        "tilfredse (CSAT, skalaens øverste svar: 4–5 på 1–5, 8–10 på 1–10, ja på ja/nej) eller fandt det let (CES); de lodrette streger er "
        "95 %-intervaller, mørke streger er mål (serviceløfter), og den prikkede linje er det "
        "gennemsnitlige touchpoint. Dyk i kurven er der, hvor oplevelsen knækker. Farverne er "
        "kvadranterne i matricen nedenfor; hule grå punkter hviler på under {min_base} svar (lav "
        "base): et fingerpeg, ikke et fund. Hold musen over et punkt for basen n.",
        "curve_axis": "resultat: % tilfredse eller der fandt det let",
        "journey_average": "gennemsnitligt touchpoint",
        "target": "mål",
        "low_base": "lav base",
        "critical": "kritisk",
        "ipa": "Hvor skal vi sætte ind: vigtighed og resultat",
        "ipa_caption": "Sådan læses det: hvert touchpoint placeres efter, hvor meget det flytter loyaliteten "
        "(vigtighed, mod højre: dets andel af den forklarede loyalitet, fra en Shapley/LMG-"
        "driveranalyse af relationsundersøgelsen), og hvor godt det klarer sig (op: dets "
        "resultat). De stiplede linjer krydser ved det gennemsnitlige touchpoint. Nederst til "
        "højre, Sæt ind her: vigtigt men svagt, handl først. Øverst til højre: vigtigt og stærkt, "
        "hold fast. Til venstre: mindre vigtigt. Touchpoints med under {min_base} svar placeres "
        "ikke. Hold musen over et punkt for basen n.",
        "ipa_x": "vigtighed: andel af loyaliteten forklaret (%)",
        "ipa_y": "resultat (%)",
        "priority": "Prioritetstabel",
        "priority_caption": "Sådan læses det: én række pr. touchpoint, mest presserende først (nr. 1). Prioritet = "
        "vigtighed × mangel (1 − resultat) × rækkevidde (andel af kunder der kommer forbi). "
        "Resultat og vigtighed vises med 95 %-intervaller og n, antal svar. Afstand til mål er "
        "resultat minus serviceløftet i procentpoint (pt.). Ændring: siden {previous}, ▲ bedre / "
        "▼ dårligere når signifikant efter sidens ene regel (Benjamini–Hochberg, 5 % falsk "
        "opdagelsesrate, nedenfor); ingen markør: inden for det tilfældige. Klik på en kolonneoverskrift for at "
        "sortere.",
        "col_rank": "#",
        "col_touchpoint": "Touchpoint",
        "col_stage": "Fase",
        "col_owner": "Ejer",
        "col_quadrant": "Kvadrant",
        "col_performance": "Resultat (95 % KI)",
        "col_n": "n",
        "col_importance": "Vigtighed (95 % KI)",
        "col_reach": "Rækkevidde",
        "col_gap": "Afstand til mål",
        "col_change": "Ændring",
        "not_ranked": "ikke rangeret (lav base)",
        "change_low_base": "lav base",
        "change_not_comparable": "ikke sammenlignelig",
        "paths": "Observerede kunderejser",
        "paths_caption": "Sådan læses det: fra driftsdata (ordrer, leveringer, henvendelser) i tidsrækkefølge. Hvert "
        "bånd går fra det touchpoint, kunden var ved (venstre), til det næste, kunden mødte "
        "(højre); bredden er antallet af overgange. Røde bånd går tilbage til et tidligere "
        "touchpoint i rejsen, orange bånd gentager samme touchpoint (f.eks. en ekstra henvendelse "
        "til kundeservice), grå bånd går fremad. Hold musen over et bånd for overgange og kunder.",
        "paths_from": "fra",
        "paths_to": "næste",
        "paths_table": "Tilbageløb og gentagelser",
        "col_from": "Fra",
        "col_to": "Til",
        "col_transitions": "Overgange",
        "col_customers": "Kunder",
        "col_kind": "Type",
        "loop_back": "går tilbage",
        "repeat": "gentagelse",
        "forward": "fremad",
        "no_paths": "Ingen driftshændelser i denne måling: rejserne kan ikke tegnes.",
        "verbatims": "Det siger kunderne om de svageste kritiske touchpoints",
        "verbatims_caption": "Sådan læses det: kommentarer fra kunder, der gav touchpointet en vurdering under "
        "midten af skalaen (1–2 på en skala fra 1 til 5), hyppigste først (ens kommentarer "
        "lagt sammen, ×n). En kommentar hører til spørgsmålets touchpoint, ellers til det "
        "touchpoint, besvarelsen er koblet til: de vises først. Generelle kommentarer "
        "(relationsundersøgelsens åbne spørgsmål) vises for sig og er markeret som generelle: de går til "
        "det touchpoint, respondenten gav den laveste vurdering, og kan handle om noget andet. Kommentarerne vises som skrevet, "
        "uden navne eller id'er; e-mailadresser og telefonnumre er erstattet.",
        "verbatims_of": "{touchpoint} ({owner}): {n_low} af {n_all} kommentarer kommer fra utilfredse kunder",
        "no_verbatims": "Ingen kommentarer fra utilfredse kunder i denne måling.",
        "general_comment": "generel",
        "owner_verbatims": "Det siger utilfredse kunder om jeres touchpoints",
        "details": "Alle touchpoints efter fase",
        "details_caption": "Sådan læses det: alle målte tal pr. touchpoint med basen. Øverste svar: andel der svarer i "
        "toppen af skalaen (4–5 på 1–5, 6–7 på 1–7, 8–10 på 1–10, ja på ja/nej); CES let: andel over skalaens midte. "
        "Gennemsnit er på svarenes egen skala, eller på 0–100 hvor kilderne bruger forskellige skalaer (aldrig "
        "blandet på tværs af skalaer). Grå rækker hviler på under {min_base} svar.",
        "col_responses": "n",
        "col_csat_mean": "CSAT gns.",
        "col_csat_top2": "CSAT øverste svar",
        "col_ces_mean": "CES gns.",
        "col_ces_easy": "CES let",
        "col_nps": "NPS",
        "col_flags": "Markeringer",
        "effects": "Driftsmål",
        "effects_caption": "Sådan læses det: hvor meget et driftsmål flytter en vurdering: ændringen i score pr. "
        "enhed (f.eks. pr. minuts forsinkelse) med 95 %-interval og basen n.",
        "col_measure": "Mål",
        "col_moves": "Flytter",
        "col_slope": "Hældning (95 % KI)",
        "col_rho": "Spearman ρ",
        "quality": "Blinde pletter og datakvalitet",
        "blind_spots": "Blinde pletter",
        "blind_spots_caption": "Touchpoints uden feedback eller med under {min_base} svar i denne måling: "
        "scorecardet kan ikke sige, hvordan de klarer sig.",
        "no_blind_spots": "Ingen: alle touchpoints har mindst {min_base} svar.",
        "col_blind_spot": "Hvorfor",
        "unmapped": "Besvarelser uden touchpoint",
        "unmapped_caption": "Besvarelser, som ingen koblingsregel placerede på et touchpoint (gemt i databasen, "
        "ikke talt med i noget touchpoint).",
        "no_unmapped": "Ingen: alle besvarelser i denne måling blev placeret på et touchpoint.",
        "col_source": "Kilde",
        "col_reason": "Årsag",
        "col_responses_n": "Besvarelser",
        "quarantine": "Rækker i karantæne, efter årsag",
        "quarantine_caption": "Rækker, der fejlede et tjek, lægges til side med årsagen og slettes aldrig i stilhed.",
        "no_quarantine": "Ingen rækker blev sat i karantæne.",
        "col_rows": "Rækker",
        "col_files": "Filer",
        "files": "Indlæste filer",
        "files_caption": "Alle filer læst indtil nu: hver række er indlæst, sat i karantæne med en årsag eller talt "
        "som dublet (læst = indlæst + karantæne + dublet).",
        "col_file": "Fil",
        "col_status": "Status",
        "col_read": "Læst",
        "col_loaded": "Indlæst",
        "col_quarantined": "Karantæne",
        "col_duplicate": "Dublet",
        "col_reasons": "Årsager",
        "owner_title": "{owner}: jeres touchpoints",
        "owner_intro": "Måling {revisit}: de touchpoints, {owner} ejer, mest presserende først. Hele scorecardet "
        "viser hele rejsen.",
        "owner_first": "Sæt ind her først",
        "owner_first_line": "{touchpoint}: rejsens prioritet {rank} af {ranked} ({quadrant}).",
        "owner_none_ranked": "Ingen af jeres touchpoints har svar nok til at blive rangeret i denne måling.",
        "owner_bullets": "Resultat mod mål",
        "owner_bullet_caption": "Sådan læses det: søjlen er touchpointets resultat med 95 %-interval (streg); den "
        "mørke markering er målet, den prikkede rejsens gennemsnitlige touchpoint; n er "
        "antal svar.",
        "generated": "Lavet af cjx ud fra marts i {db}.",
        "exports_csv": "CSV",
        "exports_xlsx": "Excel-projektmappe",
        "exports_png": "PNG-billede",
        "pts": "pt.",
    },
}

# Sentences built from the numbers they state (cjx.report.sentences), the one significance rule, scales.
LABELS["en"].update(
    {
        "reason_rank": "Journey priority {rank} of {ranked}",
        "reason_join": "{first}: {rest}",
        "reason_and": " and ",
        "reason_important": "important for loyalty (importance {importance}, average {average})",
        "reason_less_important": "less important for loyalty than the average touchpoint (importance {importance}, "
        "average {average})",
        "reason_below_average": "below the average touchpoint ({performance} against {average})",
        "reason_above_average": "above the average touchpoint ({performance} against {average})",
        "reason_at_average": "level with the average touchpoint ({performance})",
        "reason_gain_first": ", but the largest expected gain: {because}",
        "reason_gain_rank": "; its expected gain: {because}",
        "reason_gain_because": "importance {importance} × room to improve {room} × reach {reach}",
        "reason_target_short": "{gap} short of its target ({target}).",
        "reason_target_met": "Meets its target ({target}, {gap}).",
        "reason_change_significant": "{change} since {previous}, a significant change.",
        "reason_change_chance": "{change} since {previous}, within chance.",
        "significance_rule": "Significance: one rule for the whole page. A change is marked ▲/▼ when its "
        "Benjamini–Hochberg q-value is below 0.05 (5% false discovery rate), adjusted together over all {n} "
        "changes tested for this revisit: the journey headline and every touchpoint metric.",
        "change_title": "{from_} → {to}: 95% CI {low} to {high}, q = {q} (Benjamini–Hochberg over {n} changes), "
        "n {n_from} → {n_to}",
        "kpi_change_title": "q = {q} (Benjamini–Hochberg over {n} changes), p = {p}; n {n_from} → {n_to}",
        "kpi_overall_box": "share satisfied ({box})",
        "mean_on_scale": "on {scale}",
        "box": "{top} on {scale}",
        "mean_100": "{value} on 0–100 (scales {scales})",
        "ci_short": "95% CI",
        "trend": "trend across revisits",
        "trends": "Trends across revisits",
        "trends_caption": "How to read: each strip is one touchpoint's headline performance in every revisit up to "
        "this one, oldest on the left, with its 95% interval (whisker). A green or red point is a change from the "
        "revisit before that its own page marks significant (the one Benjamini–Hochberg rule); a grey point may be "
        "chance. Quadrant: where the touchpoint moved in the importance–performance matrix since the previous "
        "revisit. Hover a point for its value and base.",
        "journey_trend": "The journey over time",
        "col_trend": "Trend",
        "col_values": "Per revisit",
        "col_migration": "Quadrant move",
        "no_migration": "unchanged",
        "revisits_nav": "Revisits",
        "previous_page": "previous",
        "next_page": "next",
        "footer_run": "Run {run_id}, generated {generated_at}.",
        "hover_importance": "importance",
        "hover_performance": "performance",
        "hover_transitions": "transitions",
        "hover_customers": "customers",
        "scroll_hint": "scroll sideways for more columns",
        "email_note": "Single-file copy for e-mail: charts are pictures; open the full scorecard for hover and sorting.",
    }
)
LABELS["da"].update(
    {
        "reason_rank": "Rejsens prioritet {rank} af {ranked}",
        "reason_join": "{first}: {rest}",
        "reason_and": " og ",
        "reason_important": "vigtig for loyaliteten (vigtighed {importance}, gennemsnit {average})",
        "reason_less_important": "mindre vigtig for loyaliteten end det gennemsnitlige touchpoint (vigtighed "
        "{importance}, gennemsnit {average})",
        "reason_below_average": "under det gennemsnitlige touchpoint ({performance} mod {average})",
        "reason_above_average": "over det gennemsnitlige touchpoint ({performance} mod {average})",
        "reason_at_average": "på niveau med det gennemsnitlige touchpoint ({performance})",
        "reason_gain_first": ", men den største forventede gevinst: {because}",
        "reason_gain_rank": "; forventet gevinst: {because}",
        "reason_gain_because": "vigtighed {importance} × plads til forbedring {room} × rækkevidde {reach}",
        "reason_target_short": "{gap} under målet ({target}).",
        "reason_target_met": "Når målet ({target}, {gap}).",
        "reason_change_significant": "{change} siden {previous}, en signifikant ændring.",
        "reason_change_chance": "{change} siden {previous}, inden for det tilfældige.",
        "significance_rule": "Signifikans: én regel for hele siden. En ændring markeres ▲/▼, når dens "
        "Benjamini–Hochberg q-værdi er under 0,05 (5 % falsk opdagelsesrate), justeret samlet over alle {n} "
        "ændringer testet i denne måling: rejsens overblik og hvert touchpoints mål.",
        "change_title": "{from_} → {to}: 95 %-interval {low} til {high}, q = {q} (Benjamini–Hochberg over {n} "
        "ændringer), n {n_from} → {n_to}",
        "kpi_change_title": "q = {q} (Benjamini–Hochberg over {n} ændringer), p = {p}; n {n_from} → {n_to}",
        "kpi_overall_box": "andel tilfredse ({box})",
        "mean_on_scale": "på {scale}",
        "box": "{top} på {scale}",
        "mean_100": "{value} på 0–100 (skalaer {scales})",
        "ci_short": "95 %-KI",
        "trend": "udvikling på tværs af målinger",
        "trends": "Udvikling på tværs af målinger",
        "trends_caption": "Sådan læses det: hver stribe er ét touchpoints resultat i hver måling til og med denne, "
        "ældste til venstre, med 95 %-interval (streg). Et grønt eller rødt punkt er en ændring fra målingen før, som "
        "dens egen side markerer som signifikant (den ene Benjamini–Hochberg-regel); et gråt punkt kan være "
        "tilfældigt. Kvadrant: hvor touchpointet flyttede sig i vigtighed–resultat-matricen siden forrige måling. "
        "Hold musen over et punkt for værdi og base.",
        "journey_trend": "Rejsen over tid",
        "col_trend": "Udvikling",
        "col_values": "Pr. måling",
        "col_migration": "Kvadrantskift",
        "no_migration": "uændret",
        "revisits_nav": "Målinger",
        "previous_page": "forrige",
        "next_page": "næste",
        "footer_run": "Kørsel {run_id}, dannet {generated_at}.",
        "hover_importance": "vigtighed",
        "hover_performance": "resultat",
        "hover_transitions": "overgange",
        "hover_customers": "kunder",
        "scroll_hint": "rul til siden for flere kolonner",
        "email_note": "Kopi i én fil til e-mail: graferne er billeder; åbn hele scorecardet for detaljer og sortering.",
    }
)

# Headers and captions of the readable exports (cjx.report.exports).
LABELS["en"].update(
    {
        "x_performance": "Performance (%)",
        "x_ci_low": "95% CI from",
        "x_ci_high": "95% CI to",
        "x_importance": "Importance (%)",
        "x_reach": "Reach (%)",
        "x_gap": "Gap to target (pts)",
        "x_change": "Change",
        "x_significant": "Significant",
        "x_metric": "Metric",
        "x_status": "Status",
        "x_before": "Before",
        "x_now": "Now",
        "x_q": "q (Benjamini–Hochberg)",
        "x_scale": "Scale",
        "x_share": "(%)",
        "x_measure": "Measure",
        "x_value": "Value",
        "x_yes": "yes",
        "x_no": "no",
        "x_priority": "Priority",
        "x_details": "Touchpoints",
        "x_changes": "Changes",
        "x_headline": "Headline",
        "x_paths": "Paths",
        "x_blind_spots": "Blind spots",
        "x_files": "Files",
        "x_changes_caption": "Every change tested since the previous revisit: the value before and now, the change with its 95% interval, and q from the page's one Benjamini–Hochberg family (significant when q < 0.05). Shares in %, changes of shares in percentage points, NPS in points.",
        "x_raw_note": "The mart rows as they are (column names, unrounded values) are in raw/ as Parquet.",
    }
)
LABELS["da"].update(
    {
        "x_performance": "Resultat (%)",
        "x_ci_low": "95 %-KI fra",
        "x_ci_high": "95 %-KI til",
        "x_importance": "Vigtighed (%)",
        "x_reach": "Rækkevidde (%)",
        "x_gap": "Afstand til mål (pt.)",
        "x_change": "Ændring",
        "x_significant": "Signifikant",
        "x_metric": "Mål",
        "x_status": "Status",
        "x_before": "Før",
        "x_now": "Nu",
        "x_q": "q (Benjamini–Hochberg)",
        "x_scale": "Skala",
        "x_share": "(%)",
        "x_measure": "Nøgletal",
        "x_value": "Værdi",
        "x_yes": "ja",
        "x_no": "nej",
        "x_priority": "Prioritet",
        "x_details": "Touchpoints",
        "x_changes": "Ændringer",
        "x_headline": "Overblik",
        "x_paths": "Kunderejser",
        "x_blind_spots": "Blinde pletter",
        "x_files": "Filer",
        "x_changes_caption": "Alle ændringer testet siden forrige måling: værdien før og nu, ændringen med 95 %-interval og q fra sidens ene Benjamini–Hochberg-familie (signifikant når q < 0,05). Andele i %, ændringer af andele i procentpoint, NPS i point.",
        "x_raw_note": "Mart-rækkerne som de er (kolonnenavne, uafrundede værdier) ligger i raw/ som Parquet.",
    }
)

# Verbatims: a touchpoint's own comments first, general comments apart (cjx.report.verbatims).
LABELS["en"].update(
    {
        "verbatims_own": "About {touchpoint}: comments on its own question or survey ({n})",
        "verbatims_general": "General comments ({n}): the open question of the relationship survey, from customers who rated {touchpoint} lowest; they may be about something else",
        "no_own_verbatims": "No comment from a dissatisfied customer on this touchpoint's own question or survey.",
    }
)
LABELS["da"].update(
    {
        "verbatims_own": "Om {touchpoint}: kommentarer til dets eget spørgsmål eller undersøgelse ({n})",
        "verbatims_general": "Generelle kommentarer ({n}): relationsundersøgelsens åbne spørgsmål, fra kunder der gav {touchpoint} den laveste vurdering; de kan handle om noget andet",
        "no_own_verbatims": "Ingen kommentar fra en utilfreds kunde til dette touchpoints eget spørgsmål eller undersøgelse.",
    }
)

# The marts write quadrant names in English; they are labels cjx makes, so they are translated for display.
QUADRANTS: dict[str, dict[str, str]] = {
    "en": {
        "Concentrate here": "Concentrate here",
        "Keep up the good work": "Keep up the good work",
        "Low priority": "Low priority",
        "Possible overkill": "Possible overkill",
    },
    "da": {
        "Concentrate here": "Sæt ind her",
        "Keep up the good work": "Fortsæt det gode arbejde",
        "Low priority": "Lav prioritet",
        "Possible overkill": "Mulig overindsats",
    },
}
METRICS: dict[str, dict[str, str]] = {
    "en": {"csat": "satisfied (CSAT top box)", "ces": "found it easy (CES)", "binary": "said yes", "nps": "NPS"},
    "da": {"csat": "tilfredse (CSAT øverste svar)", "ces": "fandt det let (CES)", "binary": "svarede ja", "nps": "NPS"},
}
BLIND_SPOTS: dict[str, dict[str, str]] = {
    "en": {"low base": "low base", "no feedback": "no feedback"},
    "da": {"low base": "lav base", "no feedback": "ingen feedback"},
}

# Codes the pipeline writes into the marts (quarantine and unmapped reasons, file statuses, what a measure moves):
# labels cjx makes, so they are translated for display; the exports keep the codes.
CODES: dict[str, dict[str, str]] = {
    "en": {
        "wrong_field_count": "wrong number of fields",
        "not_a_response": "not a response",
        "missing_id": "missing response id",
        "missing_respondent": "missing respondent",
        "bad_timestamp": "unreadable time",
        "nonexistent_local_time": "local time that does not exist (clock change)",
        "ambiguous_local_time": "ambiguous local time (clock change)",
        "not_a_number": "not a number",
        "unknown_label": "unknown answer label",
        "out_of_range": "outside the scale",
        "field_too_long": "field too long",
        "no_map_value": "no value in the mapping column",
        "unknown_map_value": "unknown value in the mapping column",
        "no_event_in_window": "no event in the time window",
        "event_without_touchpoint": "event without a touchpoint",
        "loaded": "loaded",
        "rejected": "rejected",
        "outcome": "the outcome (loyalty)",
        "csat": "CSAT",
        "ces": "CES",
        "nps": "NPS",
        "binary": "yes/no",
    },
    "da": {
        "wrong_field_count": "forkert antal felter",
        "not_a_response": "ikke en besvarelse",
        "missing_id": "mangler besvarelses-id",
        "missing_respondent": "mangler respondent",
        "bad_timestamp": "ulæseligt tidspunkt",
        "nonexistent_local_time": "lokal tid der ikke findes (tidsskifte)",
        "ambiguous_local_time": "tvetydig lokal tid (tidsskifte)",
        "not_a_number": "ikke et tal",
        "unknown_label": "ukendt svarmulighed",
        "out_of_range": "uden for skalaen",
        "field_too_long": "felt for langt",
        "no_map_value": "ingen værdi i koblingskolonnen",
        "unknown_map_value": "ukendt værdi i koblingskolonnen",
        "no_event_in_window": "ingen hændelse i tidsvinduet",
        "event_without_touchpoint": "hændelse uden touchpoint",
        "loaded": "indlæst",
        "rejected": "afvist",
        "outcome": "resultatmålet (loyalitet)",
        "csat": "CSAT",
        "ces": "CES",
        "nps": "NPS",
        "binary": "ja/nej",
    },
}
# Swedish and Norwegian (bokmål) label sets: cjx/report/labels_data/<code>.json, one file per language.
for _code in ("sv", "nb"):
    _data = json.loads(files("cjx.report").joinpath(f"labels_data/{_code}.json").read_text(encoding="utf-8"))
    LABELS[_code], QUADRANTS[_code], METRICS[_code] = _data["labels"], _data["quadrants"], _data["metrics"]
    BLIND_SPOTS[_code], CODES[_code] = _data["blind_spots"], _data["codes"]
# Comment themes in the verbatim blocks and the Act-first box (cjx.comments, cjx.report.verbatims).
_THEME_LABELS = {
    "en": {
        "verbatim_themes": "What the {n} comments on {touchpoint} are about",
        "themes_caption": "Themes of all the touchpoint's comments in this revisit, most negative comments first: "
        "share of comments, among dissatisfied raters (below the middle of the scale) and the others, mean sentiment "
        "(−1 to 1, lexicon per language), change since the previous revisit (▲▼ significant, two-proportion test, "
        "Benjamini–Hochberg across themes). Discovered themes (*) are found in the comments (TF-IDF + NMF) and named "
        "by their heaviest words.",
        "col_theme": "Theme",
        "col_dissatisfied_others": "Dissatisfied / others",
        "col_sentiment": "Sentiment",
        "col_examples": "Examples",
        "act_first_theme": "Most negative theme of its comments: {theme} ({n} of {n_all} comments, {n_negative} negative).",
    },
    "da": {
        "verbatim_themes": "Det handler de {n} kommentarer om {touchpoint} om",
        "themes_caption": "Temaer i alle touchpointets kommentarer i denne måling, flest negative kommentarer først: "
        "andel af kommentarerne, blandt utilfredse (under skalaens midte) og de andre, gennemsnitlig stemning (−1 til "
        "1, leksikon pr. sprog), ændring siden forrige måling (▲▼ signifikant, test af to andele, Benjamini–Hochberg "
        "på tværs af temaer). Fundne temaer (*) er fundet i kommentarerne (TF-IDF + NMF) og navngivet efter deres "
        "tungeste ord.",
        "col_theme": "Tema",
        "col_dissatisfied_others": "Utilfredse / andre",
        "col_sentiment": "Stemning",
        "col_examples": "Eksempler",
        "act_first_theme": "Mest negative tema i kommentarerne: {theme} ({n} af {n_all} kommentarer, {n_negative} negative).",
    },
    "sv": {
        "verbatim_themes": "Det här handlar de {n} kommentarerna om {touchpoint} om",
        "themes_caption": "Teman i alla kommentarer om touchpointen i denna mätning, flest negativa kommentarer först: "
        "andel av kommentarerna, bland missnöjda (under skalans mitt) och övriga, genomsnittligt sentiment (−1 till "
        "1, lexikon per språk), förändring sedan förra mätningen (▲▼ signifikant, test av två andelar, "
        "Benjamini–Hochberg över teman). Upptäckta teman (*) hittas i kommentarerna (TF-IDF + NMF) och namnges efter "
        "sina tyngsta ord.",
        "col_theme": "Tema",
        "col_dissatisfied_others": "Missnöjda / övriga",
        "col_sentiment": "Sentiment",
        "col_examples": "Exempel",
        "act_first_theme": "Mest negativa temat i kommentarerna: {theme} ({n} av {n_all} kommentarer, {n_negative} negativa).",
    },
    "nb": {
        "verbatim_themes": "Dette handler de {n} kommentarene om {touchpoint} om",
        "themes_caption": "Temaer i alle kommentarene om touchpointet i denne målingen, flest negative kommentarer "
        "først: andel av kommentarene, blant misfornøyde (under skalaens midtpunkt) og andre, gjennomsnittlig "
        "stemning (−1 til 1, leksikon per språk), endring siden forrige måling (▲▼ signifikant, test av to andeler, "
        "Benjamini–Hochberg på tvers av temaer). Oppdagede temaer (*) er funnet i kommentarene (TF-IDF + NMF) og "
        "navngitt etter de tyngste ordene.",
        "col_theme": "Tema",
        "col_dissatisfied_others": "Misfornøyde / andre",
        "col_sentiment": "Stemning",
        "col_examples": "Eksempler",
        "act_first_theme": "Mest negative tema i kommentarene: {theme} ({n} av {n_all} kommentarer, {n_negative} negative).",
    },
}
# Weighting (journey weighting:): the Kish effective base beside n, and what the page's numbers are.
_WEIGHT_LABELS = {
    "en": {
        "col_n_eff": "effective n",
        "base_effective": "effective n = {n}",
        "weighted_note": "Weighted to the population's {segments} shares (raking): shares, means, NPS, intervals, "
        "tests and importance use the weights; n counts answers, effective n = (Σw)² / Σw² (Kish) is what the "
        "intervals and the low-base flag rest on.",
    },
    "da": {
        "col_n_eff": "effektivt n",
        "base_effective": "effektivt n = {n}",
        "weighted_note": "Vægtet til befolkningens fordeling på {segments} (raking): andele, gennemsnit, NPS, "
        "intervaller, test og betydning bruger vægtene; n tæller svar, effektivt n = (Σw)² / Σw² (Kish) er det, "
        "intervallerne og lav base hviler på.",
    },
    "sv": {
        "col_n_eff": "effektivt n",
        "base_effective": "effektivt n = {n}",
        "weighted_note": "Viktat till befolkningens fördelning på {segments} (raking): andelar, medelvärden, NPS, "
        "intervall, test och betydelse använder vikterna; n räknar svar, effektivt n = (Σw)² / Σw² (Kish) är vad "
        "intervallen och låg bas vilar på.",
    },
    "nb": {
        "col_n_eff": "effektivt n",
        "base_effective": "effektivt n = {n}",
        "weighted_note": "Vektet til befolkningens fordeling på {segments} (raking): andeler, gjennomsnitt, NPS, "
        "intervaller, tester og betydning bruker vektene; n teller svar, effektivt n = (Σw)² / Σw² (Kish) er det "
        "intervallene og lav base hviler på.",
    },
}
for _code, _labels in _WEIGHT_LABELS.items():
    LABELS[_code].update(_labels)
for _code, _labels in _THEME_LABELS.items():
    LABELS[_code].update(_labels)
for _table in (LABELS, QUADRANTS, METRICS, BLIND_SPOTS, CODES):
    for _code in LANGUAGES:
        assert _table[_code].keys() == _table["en"].keys(), f"every English label needs a {_code} one"

# Babel locale of each page language: separators, percent sign and minus as the language writes them.
LOCALES = {"en": "en_GB", "da": "da_DK", "sv": "sv_SE", "nb": "nb_NO"}
MINUS = "\u2212"


@dataclass(frozen=True)
class Lang:
    """Labels of one language and its numbers by Babel (en 1,075 and 3.36; da 1.075 and 3,36; sv/nb 1 075 and 3,36)."""

    code: str = "en"

    def __post_init__(self) -> None:
        if self.code not in LANGUAGES:
            raise ValueError(f"language {self.code!r} is not supported; use one of {', '.join(LANGUAGES)}")

    def t(self, key: str, **values: object) -> str:
        """The label `key`, with {placeholders} filled from `values`."""
        text = LABELS[self.code][key]
        return text.format(**values) if values else text

    def quadrant(self, value: str | None) -> str:
        return "" if value is None else QUADRANTS[self.code].get(value, value)

    def metric(self, value: str | None) -> str:
        return "" if value is None else METRICS[self.code].get(value, value)

    def blind_spot(self, value: str | None) -> str:
        return "" if value is None else BLIND_SPOTS[self.code].get(value, value)

    def code_label(self, value: str | None) -> str:
        """A code from the marts (reason, status, target) in words; an unknown code as it is."""
        return "" if value is None else CODES[self.code].get(value, value)

    def box(self, value: str | None) -> str:
        """A box as the marts write it ("4-5 on 1-5, 8-10 on 1-10") in this language's words."""
        if not value:
            return ""
        parts = []
        for part in str(value).split(", "):
            top, _, scale = part.partition(" on ")
            parts.append(self.t("box", top=top, scale=scale) if scale else part)
        return ", ".join(parts)

    def reasons(self, value: str | None) -> str:
        """A "code: n, code: n" list (marts.data_quality.quarantine_reasons) with each code in words."""
        if not value:
            return ""
        parts = []
        for part in str(value).split(", "):
            code, _, n = part.partition(": ")
            parts.append(f"{self.code_label(code)}: {self.count(n)}" if n.isdigit() else self.code_label(part))
        return ", ".join(parts)

    # numbers -------------------------------------------------------------------------------------------------
    @property
    def locale(self) -> str:
        return LOCALES[self.code]

    @property
    def pct_suffix(self) -> str:
        """What follows a percentage in this language: "%" in English, a no-break space and "%" in da, sv, nb."""
        return self.pct(0.5).split("50", 1)[1]

    @property
    def plotly_separators(self) -> str:
        """plotly's layout.separators: the decimal mark, then the group mark, as Babel has them for the locale."""
        symbols = get_locale(self.locale).number_symbols["latn"]
        return symbols["decimal"] + symbols["group"]

    # A value is a number (numpy and pandas scalars included) or missing: None or NaN, shown as "–".
    def count(self, value: float | str | None) -> str:
        if not _present(value):
            return "–"
        return format_decimal(int(float(value)), format="#,##0", locale=self.locale)

    def num(self, value: float | None, digits: int = 2, signed: bool = False) -> str:
        if not _present(value):
            return "–"
        number = round(float(value), digits)
        if number == 0:
            number = 0.0  # no "−0" or "+0": a value that rounds to nothing shows as 0
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        text = format_decimal(abs(number), format=pattern, locale=self.locale)
        sign = MINUS if number < 0 else ("+" if signed and number > 0 else "")
        return sign + text

    def pct(self, share: float | None, digits: int = 0) -> str:
        """A share 0..1 as a percentage, the locale's way (da and sv: 46 %, nb and en: 46 % / 46%)."""
        if not _present(share):
            return "–"
        number = round(100 * float(share), digits)
        if number == 0:
            number = 0.0
        pattern = get_locale(self.locale).percent_formats[None].pattern.split(";")[0]
        pattern = pattern.replace("#,##0", "#,##0" + ("." + "0" * digits if digits else ""))  # our digits
        text = format_percent(abs(number) / 100, format=pattern, locale=self.locale)
        return (MINUS if number < 0 else "") + text

    def pts(self, share_difference: float | None, digits: int = 0) -> str:
        """A difference of shares as signed percentage points."""
        if not _present(share_difference):
            return "–"
        return f"{self.num(100 * float(share_difference), digits, signed=True)}\u00a0{self.t('pts')}"


def _present(value: float | str | None) -> TypeGuard[float]:
    """Not missing: neither None, NaN nor pandas' NA (a nullable integer column's missing count); a value float()
    cannot convert otherwise counts as present, and fails where used."""
    if value is None or value is pd.NA or value is pd.NaT:
        return False
    try:
        return not math.isnan(float(value))
    except (TypeError, ValueError):
        return True
