# securedapi: make help lists the targets.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.installed
UV_VERSION := 0.13.9
ARGS ?=
# Modules are compiled on first import (only those a command uses), then loaded from __pycache__.
unexport PYTHONDONTWRITEBYTECODE

.DEFAULT_GOAL := help
.PHONY: help install test suite schema-check local bench lint format gate schema pack lock

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-8s %s\n", $$1, $$2}'

$(PY):
	$(PYTHON) -m venv $(VENV)

$(UV): | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# uv.lock pins every dependency (runtime, the local stack's extra, dev tools); uv installs it in seconds.
# This is what `pulumi up` runs too (Pulumi.yaml: toolchain uv).
$(STAMP): uv.lock pyproject.toml | $(UV)
	$(UV) sync --quiet --frozen
	touch $(STAMP)

install: $(STAMP) ## Create .venv if missing and install the project and its locked dependencies

lock: $(UV) ## Re-resolve uv.lock from pyproject.toml
	$(UV) lock

test: $(STAMP) ## Lint and type checks, the whole test suite, the offline policy gate on our own stacks
	$(MAKE) --no-print-directory -j4 --output-sync=target lint schema-check suite gate

suite: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadgroup

schema-check: $(STAMP)
	$(PY) -m securedapi.components.schema_gen --check

gate: $(STAMP) ## Offline policy gate on our own stacks (dev and prod)
	$(VENV)/bin/securedapi gate --stack dev
	$(VENV)/bin/securedapi gate --stack prod

local: $(STAMP) ## Start the embedded local stack (options: make local ARGS="--api-port 3001")
	$(VENV)/bin/securedapi local $(ARGS)

pack: $(STAMP) ## Build dist/policy-pack, the self-contained pack directory to publish
	$(PY) tools/make_pack.py dist/policy-pack

bench: $(STAMP) ## Print the benchmark figures
	$(PY) -m bench

lint: $(STAMP) ## ruff (lint + format check) and mypy
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

schema: $(STAMP) ## Regenerate securedapi/components/schema.json from the components
	$(PY) -m securedapi.components.schema_gen

format: $(STAMP) ## Format the code with ruff
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .
