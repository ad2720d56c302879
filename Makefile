# Two commands: `make run` (set up, refresh the warehouse, print a summary) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install run test ui summary eval train bench clean-warehouse

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==0.13.8
	$(VENV)/bin/uv pip install --quiet --python $(PY) --require-hashes --compile-bytecode -r requirements.lock
	$(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps -e .
	touch $(STAMP)

run: install
	$(PY) -m pipelines.cli run

summary: install
	$(PY) -m pipelines.cli summary

test: install
	$(PY) -m pytest -q

eval: install
	$(PY) -m pipelines.evaluate

train: install
	$(PY) -m pipelines.train_spam

bench: install
	$(PY) bench/run.py

ui: install
	$(PY) -m pipelines.cli ui

clean-warehouse:
	rm -rf warehouse/news.duckdb warehouse/news.duckdb.wal warehouse/news.duckdb.staging warehouse/news.duckdb.report
