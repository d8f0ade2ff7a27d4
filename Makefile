# make demo: set up .venv and run the whole pipeline on data/sample.  make test: set up and run the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.cjx-installed
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false

.PHONY: demo test install sample docs clean

demo: $(STAMP)
	$(BIN)/cjx demo

test: $(STAMP)
	$(BIN)/python -m pytest

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# Regenerate the committed sample (deterministic: the same seed gives the same bytes).
sample: $(STAMP)
	$(BIN)/cjx sample --out data/sample

# Regenerate docs/schema.md from the demo database's own comments (run make demo first).
docs: $(STAMP)
	$(BIN)/cjx schema --out docs/schema.md

clean:
	rm -rf data/cjx.duckdb data/cjx.duckdb.wal reports
