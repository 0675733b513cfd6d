# make is the one entry point: demo, test, bench, lint. Each target installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NPM_STAMP := web/node_modules/.installed
WEB_BUILD := src/peacewatch/static/index.html
WEB_SOURCES := $(shell find web/src web/scripts web/public -type f -not -path 'web/public/fonts/*' -not -path 'web/public/basemap/*' 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json
# Pango and HarfBuzz for WeasyPrint (the SITREP's PDF): the demo serves it, the tests read it
APT_DEMO := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
APT_TEST := postgresql-15-postgis-3 postgresql-client-15 chromium fonts-dejavu-core gdal-bin $(APT_DEMO)

.PHONY: demo serve test test-fast bench load soak fuzz lint web venv apt-test postgres clean

$(PY_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

venv: $(PY_STAMP)

$(NPM_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

$(WEB_BUILD): $(NPM_STAMP) $(WEB_SOURCES)
	cd web && npm run build

web: $(WEB_BUILD)

apt-test:
	scripts/ensure-apt.sh $(APT_TEST)

postgres:
	scripts/ensure-postgres.sh

## demo: install, load the Kosovo 1999 scenario (first run) and serve http://127.0.0.1:8000
demo: venv web
	scripts/ensure-apt.sh $(APT_DEMO)
	$(BIN)/peacewatch demo

## test: install everything the tests need and run them on SQLite, PostGIS and Chromium
test: venv web apt-test postgres
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest

## bench: every benchmark in one go (ingest, query, compliance, fusion, export, TAK, browser, mission modules, mixed load, scale-out), then BENCHMARKS.md rewritten from their results (bench/record.py)
bench: venv web apt-test postgres
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/compliance.py $(COMPLIANCE_ARGS)
	$(BIN)/python bench/fusion.py
	$(BIN)/python bench/exports.py
	$(BIN)/python bench/tak.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/ops.py
	$(BIN)/python bench/warning.py
	$(BIN)/python bench/sitrep.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/scaleout.py
	$(BIN)/python bench/record.py

## soak: idle memory, 500 SIGKILL cycles per backend, then 24 h under moderate load watching memory and latency (SOAK_ARGS="--minutes 2 --cycles 20" for a short try); recorded in BENCHMARKS.md
soak: venv web apt-test postgres
	$(BIN)/python bench/soak.py $(SOAK_ARGS)
	$(BIN)/python bench/record.py

## load: a longer mixed-traffic load run (LOAD_ARGS to size it), then BENCHMARKS.md rewritten
load: venv web
	$(BIN)/python bench/load.py --seconds 120 --ingest 8 --map 8 --sse 16 --cot 16 $(LOAD_ARGS)
	$(BIN)/python bench/record.py

## fuzz: the fuzz tests of tests/fuzz at length: 20 000 inputs per parser, 200 API cases per operation, new inputs each run (FUZZ_EXAMPLES, SCHEMA_EXAMPLES to size it)
FUZZ_EXAMPLES ?= 20000
SCHEMA_EXAMPLES ?= 200
fuzz: venv postgres
	PEACEWATCH_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) PEACEWATCH_SCHEMA_EXAMPLES=$(SCHEMA_EXAMPLES) \
	PEACEWATCH_FUZZ_RANDOM=1 PEACEWATCH_FUZZ_DEADLINE_MS=20000 $(BIN)/pytest tests/fuzz -q

## lint: ruff (lint + format check) and mypy --strict on src/
lint: venv
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src/peacewatch

clean:
	rm -rf $(VENV) web/node_modules src/peacewatch/static var
