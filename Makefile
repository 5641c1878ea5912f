# The README's commands. `make run` and `make test` work on a fresh clone.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint faults bench clean

$(BIN)/followthrough: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

run: $(BIN)/followthrough
	$(BIN)/followthrough serve

lint: $(BIN)/followthrough
	$(BIN)/ruff check .

test: lint
	$(BIN)/pytest

bench: $(BIN)/followthrough
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/matcher.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
