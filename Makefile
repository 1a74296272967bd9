# The two Quick start commands (`make demo`, `make test`) create and reuse .venv
# themselves, so a fresh machine needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Synapse (the real Matrix homeserver the Matrix tests talk to) lives in a venv of
# its own: its pinned dependencies must not decide chatui's.
SYNAPSE_VENV := .venv-synapse
SYNAPSE_STAMP := $(SYNAPSE_VENV)/.installed-stamp

.PHONY: demo test lint format screenshots bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

$(SYNAPSE_STAMP):
	$(PYTHON) -m venv $(SYNAPSE_VENV)
	$(SYNAPSE_VENV)/bin/pip install --quiet --upgrade pip
	$(SYNAPSE_VENV)/bin/pip install --quiet 'matrix-synapse>=1.140'
	touch $(SYNAPSE_STAMP)

demo: $(STAMP)
	$(BIN)/chatui demo

test: $(STAMP) $(SYNAPSE_STAMP)
	CHATUI_SYNAPSE_PYTHON=$(CURDIR)/$(SYNAPSE_VENV)/bin/python $(BIN)/python -m pytest

# ruff, and the layer contracts of pyproject.toml ([tool.importlinter]).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py

bench: $(STAMP)
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/vanish.py

clean:
	rm -rf $(VENV) $(SYNAPSE_VENV)
