# make is the one entry point: demo, test, bench, lint. Each target installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NPM_STAMP := web/node_modules/.installed
WEB_BUILD := src/peacewatch/static/index.html
WEB_SOURCES := $(shell find web/src web/scripts web/public -type f -not -path 'web/public/fonts/*' -not -path 'web/public/basemap/*' 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json
APT_TEST := postgresql-15-postgis-3 chromium fonts-dejavu-core gdal-bin

.PHONY: demo serve test test-fast bench lint web venv apt-test postgres clean

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
	$(BIN)/peacewatch demo

## test: install everything the tests need and run them on SQLite, PostGIS and Chromium
test: venv web apt-test postgres
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest

## bench: ingest, query, compliance, fusion, export, browser and mission-module benchmarks, appended to BENCHMARKS.md
bench: venv web apt-test postgres
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/compliance.py $(COMPLIANCE_ARGS)
	$(BIN)/python bench/fusion.py
	$(BIN)/python bench/exports.py
	$(BIN)/python bench/tak.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/ops.py

## lint: ruff (lint + format check) and mypy --strict on src/
lint: venv
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src/peacewatch

clean:
	rm -rf $(VENV) web/node_modules src/peacewatch/static var
