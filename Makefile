# Two commands: `make up` runs the region, `make test` proves it. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install up test lint typecheck unit schemas bench clean stop docs browser

# uv installs the pinned dependencies in parallel from one resolution: on two busy cores it took
# 41 s where pip took 7 min 48 s (2026-12-04, same fresh clone, load ~10). pip only fetches uv.
UV_VERSION := 0.13.9
PIP := PYTHONWARNINGS=ignore PIP_DISABLE_PIP_VERSION_CHECK=1 $(BIN)/python -m pip install -qq
UV := VIRTUAL_ENV=$(CURDIR)/$(VENV) $(BIN)/uv pip install --quiet

$(STAMP): pyproject.toml contracts/pyproject.toml
	@echo "installing ZLL and its pinned dependencies into $(VENV) (under a minute, once)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(PIP) uv==$(UV_VERSION)
	@$(UV) -e ./contracts -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

up: $(STAMP)
	@$(BIN)/zll up

test: $(STAMP) lint browser
	$(BIN)/python -m pytest -q

# The browser tests (tests/browser) drive Debian's Chromium and check every page with axe-core
# (package.json pins it; npm ci installs it into node_modules/); install both when missing and possible.
AXE := node_modules/axe-core/axe.min.js

$(AXE): package.json package-lock.json
	@if ! command -v npm >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm; \
	fi; \
	if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent && touch $(AXE); \
	else echo "!! npm is missing: the accessibility checks will be SKIPPED (under CI they fail)"; fi

browser: $(AXE)
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) \
		|| echo "!! could not install chromium: the browser tests will be SKIPPED (no browser; under CI=true they FAIL)"; \
	else \
		echo "!! /usr/bin/chromium is missing and cannot be installed here (needs root and apt-get):"; \
		echo "!! the browser tests will be SKIPPED (under CI=true they FAIL)."; \
		echo "!! Install it: sudo apt-get install chromium chromium-driver"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy contracts/zll_contracts zll services bench chaos

schemas: $(STAMP)
	$(BIN)/python -m zll_contracts.export

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH)

# Faults under load, then the contract's invariants (`python -m chaos --help`; CHAOS="--seconds 300").
.PHONY: chaos
chaos: $(STAMP)
	$(BIN)/python -m chaos $(CHAOS)

stop: $(STAMP)
	$(BIN)/zll down

clean:
	rm -rf $(VENV) .zll .mypy_cache .ruff_cache .pytest_cache

docs: $(STAMP)
	$(BIN)/python -m zll_contracts.export --check
	$(BIN)/python -m zll.docs contracts/asyncapi.json docs/asyncapi.html
