# Two commands do all the set-up on a fresh machine:
#   make run    create .venv if needed, install, run the pipeline on the shipped sample
#   make test   the same set-up, then the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip
PIP_FLAGS := --disable-pip-version-check -c constraints.txt
STAMP := $(VENV)/.installed

.PHONY: install run test lint docs bench clean base-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# torch first, pinned to the local CPU build: an unpinned torch pulls gigabytes of CUDA packages.
$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(PIP) install $(PIP_FLAGS) "torch==2.13.0"
	$(PIP) install $(PIP_FLAGS) -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/theming run data/sample/survey_round.csv --out data/runs/sample --overwrite

test: install
	$(BIN)/python -m pytest -q

# The base install (no extras) in a venv of its own runs the shipped sample: what
# `pip install comment-theming` brings must run the default config (CI runs this after the tests)
BASE_VENV ?= /tmp/comment-theming-base
base-check:
	rm -rf $(BASE_VENV) && $(PYTHON) -m venv $(BASE_VENV)
	$(BASE_VENV)/bin/pip install -q $(PIP_FLAGS) "torch==2.13.0"
	$(BASE_VENV)/bin/pip install -q $(PIP_FLAGS) .
	$(BASE_VENV)/bin/theming run data/sample/survey_round.csv --config config/pipeline.yaml \
		--out $(BASE_VENV)/run --quiet
	test -s $(BASE_VENV)/run/report.html && echo "base install: the sample ran"

lint: install
	$(BIN)/ruff check pipeline tests bench

# the docs site into site/ (after a change to a command: python docs/gen_cli_reference.py)
docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# quick by default (a few minutes); make bench BENCH_FLAGS=--full for every benchmark at full size
bench: install
	$(BIN)/python bench/run_all.py $(BENCH_FLAGS)

clean:
	rm -rf data/runs/* .pytest_cache
