# Absences — the two commands of the quick start are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
export ABSENCES_PORT ?= 8080
# The benchmarks' servers (a database is created there and dropped; the Redis database is flushed).
ABSENCES_BENCH_POSTGRES ?= postgres://postgres@127.0.0.1:5432/postgres
ABSENCES_BENCH_REDIS_URL ?= redis://127.0.0.1:6379/14

.PHONY: run test chaos bench lint format migrations install clean words

# pip says only what fails (-qq); the build's own warnings (an editable install's note) too.
PIP := PYTHONWARNINGS=ignore $(BIN)/python -m pip -qq --disable-pip-version-check

$(BIN)/python:
	@echo "Installing Absences in $(VENV)…"
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) install --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	@bash scripts/system-deps
	@$(PIP) install -e '.[dev]'
	@PYBABEL=$(BIN)/pybabel scripts/words compile
	@touch $(STAMP)

install: $(STAMP)

## Serve the demo school at http://127.0.0.1:$(ABSENCES_PORT) (SQLite, in-process worker).
run: $(STAMP)
	@$(BIN)/absences migrate
	@$(BIN)/absences demo --if-empty
	@$(BIN)/absences serve

## The whole test suite (PostgreSQL and Redis used when reachable; see README).
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## The fault tests alone (tests/chaos and the worker killed mid-batch), Redis down 60 s as in
## issue 17 (`make test` runs them too, with 5 s outages).
chaos: $(STAMP)
	ABSENCES_CHAOS_OUTAGE_S=$${ABSENCES_CHAOS_OUTAGE_S:-60} $(BIN)/python -m pytest -m chaos -s $(PYTEST_ARGS)

## Benchmarks: each prints its baseline, measured in the same run, and the ratio.
bench: $(STAMP)
	$(BIN)/python bench/results.py reset
	$(BIN)/python bench/bench_demo.py
	$(BIN)/python bench/bench_siecle.py
	$(BIN)/python bench/bench_entry.py --postgres $(ABSENCES_BENCH_POSTGRES)
	$(BIN)/python bench/bench_delivery.py --redis $(ABSENCES_BENCH_REDIS_URL) --postgres $(ABSENCES_BENCH_POSTGRES)
	$(BIN)/python bench/bench_grid.py
	$(BIN)/python bench/bench_render.py
	$(BIN)/python bench/bench_replies.py
	$(BIN)/python bench/bench_inbound.py
	$(BIN)/python bench/bench_letters.py
	$(BIN)/python bench/bench_stats.py
	$(BIN)/python bench/bench_academy.py --database $(ABSENCES_BENCH_POSTGRES)
	$(BIN)/python bench/bench_peak.py --database $(ABSENCES_BENCH_POSTGRES) --redis $(ABSENCES_BENCH_REDIS_URL)
	$(BIN)/python bench/results.py table

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy core gateway workers web cli

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## After changing core/models: write the next migration, then commit it.
migrations: $(STAMP)
	$(BIN)/python -m tortoise --config-file tortoise.json makemigrations

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

## Words: extract the marked messages (French) and merge them into core/locales' catalogs.
words: $(STAMP)
	PYBABEL=$(BIN)/pybabel PYTHON=$(BIN)/python scripts/words update
	PYBABEL=$(BIN)/pybabel scripts/words compile
