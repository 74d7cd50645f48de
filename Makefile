# The quick start: `make run` serves the engine, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# `make run` installs what serving needs; `make test` adds the test extra on top.
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# Playwright drives Debian's Chromium (/usr/bin/chromium); it must never fetch a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: run test fuzz bench soak install migrate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

install: $(TEST_STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --no-input

run: migrate
	$(PY) manage.py serve

test: $(TEST_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# The schema fuzzer with many more examples per operation and caller than `make test` runs.
FUZZ_EXAMPLES ?= 300
fuzz: $(TEST_STAMP)
	MEDIA_ENGINE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -q tests/test_schema_fuzz.py $(PYTEST_ARGS)

# wrk (Debian package) drives bench/throughput.py; installed here when apt can, else the
# benchmark says loudly that it is missing.
bench: $(TEST_STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null; } || true
	$(PY) -m bench

# A few minutes of concurrent streaming, browsing, hub clients and rescans against a real server.
soak: $(TEST_STAMP)
	SOAK_SECONDS=$${SOAK_SECONDS:-180} $(PY) -m bench.soak

clean:
	rm -rf $(VENV) var
