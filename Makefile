# securedapi: make help lists the targets.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install test local bench lint format gate schema

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-8s %s\n", $$1, $$2}'

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP) ## Create .venv if missing and install the pinned dependencies

test: $(STAMP) ## Lint and type checks, the whole test suite, the offline policy gate on our own stacks
	$(MAKE) --no-print-directory lint
	$(PY) -m components.schema_gen --check
	$(PY) -m pytest
	$(MAKE) --no-print-directory gate

gate: $(STAMP) ## Offline policy gate on our own stacks (dev and prod)
	$(PY) -m policy.check --stack dev
	$(PY) -m policy.check --stack prod

local: $(STAMP) ## Start the embedded local stack (API on 127.0.0.1:3000, AWS emulator on :5000)
	$(PY) -m local

bench: $(STAMP) ## Print the benchmark figures
	$(PY) -m bench

lint: $(STAMP) ## ruff (lint + format check) and mypy
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

schema: $(STAMP) ## Regenerate components/schema.json from the components
	$(PY) -m components.schema_gen

format: $(STAMP) ## Format the code with ruff
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .
