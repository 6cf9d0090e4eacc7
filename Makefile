# Two commands a practice's IT person needs: `make run` and `make test`. Both set up everything.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export DEEPEVAL_TELEMETRY_OPT_OUT := 1
export ANONYMIZED_TELEMETRY := False
export TOKENIZERS_PARALLELISM := false

.PHONY: run test install ingest lint clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# The local CPU build of torch first, so nothing later pulls a multi-GB CUDA build.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

ingest: $(STAMP)
	$(PY) ingest.py

run: $(STAMP) ingest
	@echo
	@echo "Knowledge base ready. Ask it a question:"
	@echo "  $(PY) -m knowledge.search \"How much notice do I need to give to cancel?\""
	# Sandbox EHR + demo staff logins + sample portal traffic (signed webhooks) + the first outreach
	# pass (reminders, check-ins, questionnaires queued as drafts), then the server.
	$(PY) -m agent.server.cli demo
	$(PY) -m agent.server.cli serve

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest
	# The release gate on the released prompt versions, offline: a failing metric fails the build.
	$(PY) -m evals.gate --released

lint: $(STAMP)
	$(VENV)/bin/ruff check .

clean:
	rm -rf data .pytest_cache
