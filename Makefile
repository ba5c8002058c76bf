# Quick start: `make run` (install, demo data on SQLite, serve) and `make test` (install, every test).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-dev browser lint bench bench-load

$(BIN)/faps: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(BIN)/faps

install: $(BIN)/faps

browser:
	@bash scripts/ensure-chromium

run: install
	$(BIN)/faps demo --if-empty
	$(BIN)/faps serve --host $(HOST) --port $(PORT)

test: install browser
	$(BIN)/pytest -n 2 --dist loadfile

lint: install
	$(BIN)/ruff check faps tests bench
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/commands.py

# The load benchmark (README, Figures: Load): Locust is the `bench` extra, installed here only.
bench-load: install
	$(BIN)/pip install --quiet -e ".[dev,bench]"
	PYTHONPATH=. $(BIN)/python bench/load.py $(LOAD_ARGS)
