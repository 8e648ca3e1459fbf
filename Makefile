# Two commands: `make up` runs the region, `make test` proves it. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install up test lint typecheck unit schemas bench clean stop docs

$(STAMP): pyproject.toml contracts/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ./contracts -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

up: $(STAMP)
	$(BIN)/zll up

test: $(STAMP) lint
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy contracts/zll_contracts zll services bench

schemas: $(STAMP)
	$(BIN)/python -m zll_contracts.export

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH)

stop: $(STAMP)
	$(BIN)/zll down

clean:
	rm -rf $(VENV) .zll .mypy_cache .ruff_cache .pytest_cache

docs: $(STAMP)
	$(BIN)/python -m zll_contracts.export --check
	$(BIN)/python -m zll.docs contracts/asyncapi.json docs/asyncapi.html
