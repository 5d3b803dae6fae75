# The two commands of the README: `make demo` and `make test`. Everything else
# is what an engineer or CI runs on the way.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml standins/pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install demo data build docs test test-fast lint fmt check bench bench-build bench-slim bench-publisher clean

# pip prints one line per package it collects and installs (`--progress-bar on` for the
# downloads), so a first install (a few minutes on a busy 2-core machine) shows it is moving.
$(STAMP): pyproject.toml standins/pyproject.toml
	@echo "Installing the virtualenv $(VENV) (first time: a few minutes; pip shows each package)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade --progress-bar on pip
	$(BIN)/python -m pip install --progress-bar on -e ".[dev]" -e ./standins
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

## demo: install, generate raw data, build every domain on DuckDB, generate docs
demo: install
	$(BIN)/mesh data
	$(BIN)/mesh build --full-refresh
	$(BIN)/mesh freshness
	$(BIN)/mesh docs generate -- --quiet
	$(BIN)/mesh docs portal
	$(BIN)/mesh-standins demo-catalog
	@echo
	@echo "Warehouse:    warehouse/mesh.duckdb  (schemas <domain>_<layer>, e.g. sales_marts)"
	@echo "Docs portal:  site/index.html  (mesh docs serve, then open the address it prints)"
	@echo "dbt docs:     domains/<domain>/target/index.html, linked from the portal"
	@echo "Artifacts:    domains/<domain>/target/{manifest,catalog,run_results}.json"

data: install
	$(BIN)/mesh data

build: install
	$(BIN)/mesh build --full-refresh

docs: install
	$(BIN)/mesh docs generate
	$(BIN)/mesh docs portal

## test: the whole suite (unit, integration against real dbt builds and local AWS stand-ins)
test: install
	$(BIN)/pytest

test-fast: install
	$(BIN)/pytest -m "not integration and not e2e"

## lint: sqlfluff (dbt templater, athena dialect) on every model, ruff, mypy, governance, IAM,
## secrets
lint: install
	$(BIN)/mesh parse -- --quiet
	$(BIN)/python ci/lint_sql.py
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/mesh check --no-parse
	$(BIN)/mesh ci iam-check
	ci/scan_secrets.sh

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: install
	$(BIN)/mesh check

bench-build: install
	$(BIN)/python bench/bench_build.py

bench-slim: install
	$(BIN)/python bench/bench_slim_ci.py

# the DataZone publish benchmark clones a model of the built sales domain
domains/sales/target/catalog.json: | install
	$(BIN)/mesh data
	$(BIN)/mesh build -s sales
	$(BIN)/mesh docs generate -s sales

## bench-publisher: issue 10's three targets side by side (start-up, DataZone publish, load + plan)
bench-publisher: install domains/sales/target/catalog.json
	$(BIN)/python bench/bench_issue10.py

bench: bench-build bench-slim bench-publisher
	$(BIN)/python bench/bench_startup.py
	$(BIN)/python bench/bench_publish_glue.py
	$(BIN)/python bench/bench_publish_datazone.py
	$(BIN)/python bench/bench_portal.py
	$(BIN)/python bench/bench_datazone_emulator.py

clean:
	rm -rf domains/*/target domains/*/dbt_packages domains/*/logs warehouse/*.duckdb* data/raw \
		.mesh-state site
