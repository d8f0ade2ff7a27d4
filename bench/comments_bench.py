"""Benchmark: 100,000 comments scored (language + sentiment) and themed (codebook + TF-IDF/NMF) within 60 s.

Run from the repository root:  .venv/bin/python bench/comments_bench.py [--comments N] [--budget S] [--out DIR]

The comments are made from the labelled sample (tests/fixtures/comments_labelled.csv) and the sample journey's
comment texts, each with a random order number, a random second clause and a random count, so nearly every
comment is distinct (no cache helps). The budget is checked on the CPU time of this process (the machine is shared:
wall time is printed too); the ratio against one plain tokenising pass over the same comments, measured in the same
run, is what carries over between machines. Writes bench/results/comments.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cjx.comments.language import detect_languages  # noqa: E402
from cjx.comments.sentiment import score_comment  # noqa: E402
from cjx.comments.text import tokens  # noqa: E402
from cjx.comments.themes import assign_themes  # noqa: E402

EXTRA = {
    "da": ["ordre {n}", "ventede {n} minutter", "{n}. gang", "ring til mig efter kl. {n}", "{n} kr for meget"],
    "sv": ["order {n}", "väntade {n} minuter", "gång nummer {n}", "ring mig efter kl. {n}", "{n} kr för mycket"],
    "en": ["order {n}", "waited {n} minutes", "time number {n}", "call me after {n}", "{n} kr too much"],
}


def make_comments(n: int, seed: int = 20261201) -> list[str]:
    rng = np.random.default_rng(seed)
    with (ROOT / "tests" / "fixtures" / "comments_labelled.csv").open(encoding="utf-8") as f:
        base = [(r["comment"], r["language"]) for r in csv.DictReader(f)]
    picks = rng.integers(len(base), size=n)
    extras = rng.integers(len(EXTRA["da"]), size=n)
    numbers = rng.integers(2, 99_999, size=n)
    out = []
    for i in range(n):
        text, language = base[picks[i]]
        out.append(f"{text}, {EXTRA[language][extras[i]].format(n=numbers[i])}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds (CPU time of this process)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    texts = make_comments(args.comments)
    themes = yaml.safe_load((ROOT / "cjx" / "sample" / "journey.yml").read_text(encoding="utf-8"))["themes"]
    score_comment("warm", "da"), score_comment("warm", "sv"), score_comment("warm", "en")  # load the lexicons

    cpu0, wall0 = time.process_time(), time.perf_counter()
    for text in texts:
        tokens(text)
    baseline_cpu = time.process_time() - cpu0

    steps: dict[str, float] = {}
    cpu0, wall0 = time.process_time(), time.perf_counter()
    detected = detect_languages(texts, default="da")
    steps["language"] = time.process_time() - cpu0
    mark = time.process_time()
    scored = [score_comment(text, lang) for text, (lang, _, _) in zip(texts, detected)]
    steps["sentiment"] = time.process_time() - mark
    mark = time.process_time()
    catalog, hits = assign_themes(texts, [d[0] for d in detected], themes, n_discovered=5)
    steps["themes"] = time.process_time() - mark
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0

    met = cpu < args.budget
    result = {
        "comments": len(texts),
        "distinct": len(set(texts)),
        "cpu_seconds": round(cpu, 2),
        "wall_seconds": round(wall, 2),
        "steps_cpu_seconds": {k: round(v, 2) for k, v in steps.items()},
        "budget_seconds": args.budget,
        "met": met,
        "ratio_to_tokenising": round(cpu / baseline_cpu, 1) if baseline_cpu else None,
        "themed": sum(bool(h) for h in hits),
        "themes": [t.theme_id for t in catalog],
        "negative": sum(s.label == "negative" for s in scored),
    }
    print(
        f"comments: {len(texts):,} ({result['distinct']:,} distinct) scored and themed in {cpu:.1f} s CPU "
        f"({wall:.1f} s wall): language {steps['language']:.1f} s, sentiment {steps['sentiment']:.1f} s, "
        f"themes {steps['themes']:.1f} s; {result['ratio_to_tokenising']}× one tokenising pass"
    )
    print(f"budget {args.budget:.0f} s: {'met' if met else 'missed'}")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "comments.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
