# outguard — developer entry points. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# xdist workers: two cores here, so two workers; CI may override.
WORKERS ?= 2

.PHONY: help run demo-code serve init demo test test-sqlite test-pg e2e unit bench lint fmt typecheck lock migrate docs clean system-deps

help: ## show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(VENV)/.stamp-main: requirements/main.txt scripts/bootstrap.sh
	@PYTHON=$(PYTHON) bash scripts/bootstrap.sh main

$(VENV)/.stamp-dev: requirements/dev.txt scripts/bootstrap.sh
	@PYTHON=$(PYTHON) bash scripts/bootstrap.sh dev

run: export OUTGUARD_DEMO ?= true
run: $(VENV)/.stamp-main ## set up .venv, create the instance and demo data if missing, serve on http://127.0.0.1:8000
	@$(PY) -m outguard init --if-missing
	@$(PY) -m outguard demo --if-empty
	@$(PY) -m outguard serve --host $(HOST) --port $(PORT)

demo-code: export OUTGUARD_DEMO ?= true
demo-code: $(VENV)/.stamp-main ## print a demo user's current authenticator code: make demo-code EMAIL=owner@maple.example
	@$(PY) -m outguard demo totp $(EMAIL)

serve: $(VENV)/.stamp-main ## serve the existing instance (no init, no demo)
	@$(PY) -m outguard serve --host $(HOST) --port $(PORT)

test: $(VENV)/.stamp-dev system-deps lint typecheck ## the whole suite: lint, types, SQLite, PostgreSQL and browser tests
	@$(PY) -m pytest -n $(WORKERS) --db sqlite --cov=outguard --cov-report= $(PYTEST_ARGS)
	@$(PY) scripts/check_coverage.py
	@$(PY) -m pytest -n $(WORKERS) --db postgresql -m "integration or web or migrations or security" $(PYTEST_ARGS)
	@$(PY) -m pytest --e2e -m e2e $(PYTEST_ARGS)

test-sqlite: $(VENV)/.stamp-dev ## tests on SQLite only (no browser)
	@$(PY) -m pytest -n $(WORKERS) --db sqlite $(PYTEST_ARGS)

test-pg: $(VENV)/.stamp-dev ## database tests on a throwaway PostgreSQL
	@$(PY) -m pytest -n $(WORKERS) --db postgresql -m "integration or web or migrations or security" $(PYTEST_ARGS)

e2e: $(VENV)/.stamp-dev ## browser tests (Debian chromium, live server subprocess)
	@$(PY) -m pytest --e2e -m e2e $(PYTEST_ARGS)

unit: $(VENV)/.stamp-dev ## pure unit tests only (fast)
	@$(PY) -m pytest -n $(WORKERS) -m unit $(PYTEST_ARGS)

$(VENV)/.stamp-bench: requirements/bench.txt scripts/bootstrap.sh
	@PYTHON=$(PYTHON) bash scripts/bootstrap.sh bench

bench: $(VENV)/.stamp-bench ## benchmarks, side by side with their references
	@$(PY) bench/run.py

lint: $(VENV)/.stamp-dev ## ruff (lint + format check), import contracts, module sizes, custom rules
	@$(VENV)/bin/ruff check src tests bench scripts
	@$(VENV)/bin/ruff format --check src tests bench scripts
	@$(VENV)/bin/lint-imports --no-cache
	@$(PY) scripts/check_module_size.py
	@$(PY) scripts/check_rules.py

fmt: $(VENV)/.stamp-dev ## format and auto-fix
	@$(VENV)/bin/ruff format src tests bench scripts
	@$(VENV)/bin/ruff check --fix src tests bench scripts

typecheck: $(VENV)/.stamp-dev ## mypy strict on src/
	@$(VENV)/bin/mypy

lock: $(VENV)/.stamp-dev ## regenerate the hashed lock files from pyproject.toml (one-week cool-off)
	@bash scripts/lock.sh

migrate: $(VENV)/.stamp-main ## upgrade the instance database to the newest migration
	@$(PY) -m outguard db upgrade

docs: $(VENV)/.stamp-dev ## regenerate generated docs (configuration, CLI reference)
	@$(VENV)/bin/cog -r docs/configuration.md docs/cli-reference.md

system-deps: ## install PostgreSQL and Debian chromium with apt when missing (root only)
	@bash scripts/system-deps.sh

clean: ## remove .venv and caches (keeps your instance in .outguard)
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
