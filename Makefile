# The README's commands. `make run` and `make test` work on a fresh clone.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint browser faults bench clean

$(BIN)/followthrough: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

run: $(BIN)/followthrough
	$(BIN)/followthrough serve

lint: $(BIN)/followthrough
	$(BIN)/ruff check .

test: lint browser
	$(BIN)/pytest

# The browser tests drive Debian's Chromium through its chromedriver: install both when missing.
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  sudo=; if [ "$$(id -u)" != 0 ] && command -v sudo >/dev/null; then sudo=sudo; fi; \
	  echo "installing chromium and chromium-driver"; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    chromium chromium-driver; \
	fi

# The full fault suite: 5,000 events through repeated kill -9, larger fault scenarios, and
# 10,000 fuzzed requests. `make test` runs the short form of the same tests.
faults: $(BIN)/followthrough
	FT_CRASH_EVENTS=5000 FT_CRASH_KILLS=5 FT_FAULT_SCALE=10 FT_FUZZ_EXAMPLES=2000 \
		$(BIN)/pytest -s tests/faults

bench: $(BIN)/followthrough
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/e2e.py
	$(BIN)/python benchmarks/api_economy.py
	$(BIN)/python benchmarks/matcher.py
	$(BIN)/python benchmarks/scheduler.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
