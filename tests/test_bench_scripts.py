"""`make bench`'s statistics benchmarks run, on small inputs, and write their results where they are told.

A schema change once broke the score benchmark: bench/replicate.py kept writing to core.response_attributes after
migration 092 made it a view, and nothing ran it until the next `make bench`. These tests catch that. They check
what the scripts report and write, never how fast anything was: the figures are `make bench`'s business. The
ingest and scale benchmarks start a dozen whole cjx processes each (80 s and 50 s at their smallest), so they stay
out of the suite; the ingest and scale-out tests cover what they drive.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def _bench(*args: str) -> str:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_score_benchmark_builds_replicates_and_scores_a_small_database(tmp_path: Path) -> None:
    out = tmp_path / "score.json"
    printed = _bench("bench/score_bench.py", "--answers", "2e4", "--out", str(out))
    result = json.loads(out.read_text())
    database, marts = result["database"], result["score"]["marts"]
    assert database["copies"] >= 2 and database["answers"] >= 2e4  # the sample replicated, answers and attributes
    assert marts["touchpoint_importance"] > 0 and marts["segment_importance"] > 0 and marts["importance_changes"] > 0
    assert result["ratio_cpu"] == result["score"]["cpu_s"] / result["aggregate"]["cpu_s"]
    assert isinstance(result["target_met"], bool) and "score / aggregate" in printed


def test_the_importance_and_lmg_benchmarks_run_small() -> None:
    importance = _bench(
        "bench/importance_bench.py", "--respondents", "2000", "--drivers", "5", "--resamples", "50", "--skip-score"
    )
    assert "2,000 respondents × 5 drivers" in importance and "beside a CPU-bound process" in importance
    lmg = _bench("bench/bench_lmg.py", "--respondents", "2000", "--drivers", "6", "--bootstrap", "20")
    assert "method=lmg" in lmg and "bootstrap_importance, 20 resamples" in lmg


def test_the_comments_benchmark_writes_its_result(tmp_path: Path) -> None:
    _bench("bench/comments_bench.py", "--comments", "300", "--out", str(tmp_path))
    result = json.loads((tmp_path / "comments.json").read_text())
    assert result["comments"] == 300 and 0 < result["themed"] <= 300 and result["themes"]
    assert isinstance(result["met"], bool)
