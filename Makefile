# make demo: set up .venv and run the whole pipeline on data/sample.  make test: set up and run the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.cjx-installed
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false

.PHONY: demo test lint install install-check sample docs clean bench

demo: $(STAMP)
	$(BIN)/cjx demo

# Two xdist workers (pyproject.toml's addopts); extra options: make test PYTEST_ARGS="-n 0" (one process), "-k name".
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff (lint and format check) and mypy, configured in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# A non-editable `pip install .` into a fresh venv runs the sample pipeline from another folder.
install-check:
	bash .ci/install_check

# Ingest speed and memory against DuckDB and pandas + GX (~20 min on 2 cores; writes bench/results/ingest.json), then
# the importance benchmark, then the parallel ingest against the serial one on 40 files (bench/results/scale.json). Extra options: make bench BENCH_ARGS="--repeats 5 --out /tmp/cjx-bench".
bench: $(STAMP)
	$(BIN)/python bench/ingest_bench.py $(BENCH_ARGS)
	$(BIN)/python bench/bench_lmg.py
	$(BIN)/python bench/importance_bench.py --skip-score
	$(BIN)/python bench/score_bench.py
	$(BIN)/python bench/comments_bench.py
	$(BIN)/python bench/scale_bench.py

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# Regenerate the committed sample (deterministic: the same seed gives the same bytes).
sample: $(STAMP)
	$(BIN)/cjx sample --out data/sample

# Regenerate docs/schema.md from the demo database's own comments and the first screen of the latest scorecard at
# 390 and 1280 px (docs/scorecard_390.png, docs/scorecard_1280.png; needs chromium). Run make demo first.
docs: $(STAMP)
	$(BIN)/cjx schema --out docs/schema.md
	$(BIN)/python -m cjx.report.screenshots reports docs

clean:
	rm -rf data/cjx.duckdb data/cjx.duckdb.wal reports
