# Everything a developer or operator runs. Only Python 3.11+ and make are assumed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export QUIZ_ENV ?= development

.PHONY: help install run test test-fast test-pg test-cluster lint format catalogs messages clean

help:
	@echo "make run       start the app on http://$(HOST):$(PORT) with demo data"
	@echo "make test      run the whole test suite (SQLite + embedded Redis)"
	@echo "make test-fast the suite without the slow system tests (browser, gunicorn, bench"
	@echo "               smoke, soak; README \"Contributing\"): minutes less than make test"
	@echo "make test-pg   run the suite on PostgreSQL and the machine's Redis"
	@echo "make test-cluster  the app on a local 3-master Redis Cluster and a Sentinel pair"
	@echo "               (started with /usr/bin/redis-server; tests/cluster, ~2 minutes)"
	@echo "make e2e       only the real-browser tests (Playwright driving /usr/bin/chromium)"
	@echo "make lint      ruff, every stylesheet parsed (tools/check_css.py), mypy"
	@echo "make bench     benchmark the hot path against a bare baseline (docs/performance.md)"
	@echo "make bench-contest  a simulated 10,000-person contest on 1 and 2 app servers"
	@echo "make compose-up     the deployment kit: 2 app servers, nginx, PostgreSQL, Redis (Docker)"
	@echo "make bench-live     one live game, 1,000 phones, 10 questions, on 1 and 2 app servers"

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Compiled only when a catalogue changed, so the test profiles CI starts side by side
# never rewrite a .mo file another one is reading.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard quiz/translations/*/LC_MESSAGES/messages.po))

catalogs: install $(CATALOGS)

quiz/translations/%/LC_MESSAGES/messages.mo: quiz/translations/%/LC_MESSAGES/messages.po | install
	@$(BIN)/pybabel compile -d quiz/translations -l $* > /dev/null

run: install catalogs
	$(BIN)/quiz db upgrade
	$(BIN)/quiz demo
	$(BIN)/quiz run --host $(HOST) --port $(PORT) --no-reload --with-threads

test: install catalogs
	$(BIN)/python -m pytest

# What to run while working: everything but the tests marked `slow` in tests/conftest.py
# (real browsers, gunicorn servers, the bench and soak harnesses). CI runs `make test`.
test-fast: install catalogs
	$(BIN)/python -m pytest -m "not slow"

test-pg: install catalogs
	QUIZ_TEST_DATABASE_URL=$${QUIZ_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
	QUIZ_TEST_REDIS_URL=$${QUIZ_TEST_REDIS_URL:-redis://127.0.0.1:6379/15} \
	$(BIN)/python -m pytest

# The scale-out profile (docs/operations.md "Redis Cluster and Sentinel"): starts a
# three-master Redis Cluster and a primary + replica + two Sentinels with the machine's
# redis-server (QUIZ_TEST_REDIS_SERVER overrides /usr/bin/redis-server) on free local
# ports, and runs tests/cluster on each; SQLite unless QUIZ_TEST_DATABASE_URL is set.
# `make test` and `make test-pg` leave these tests out (tests/conftest.py).
test-cluster: install catalogs
	$(BIN)/python -m pytest -m cluster tests/cluster

# The browser tests are part of `make test` too; without /usr/bin/chromium they skip
# (and fail when CI is set). Screenshots land in tests/artifacts/.
.PHONY: e2e
e2e: install catalogs
	$(BIN)/python -m pytest -m browser tests/browser

# Benchmarks (docs/performance.md): gunicorn in the production configuration on the
# machine's PostgreSQL (database `bench`, created if missing, schema reset and migrated on
# every run) and Redis (db 3, flushed). BENCH_DATABASE_URL and BENCH_REDIS_URL override
# them; QUICK=1 runs the few-second smoke version on SQLite and an embedded Redis.
.PHONY: bench bench-contest bench-live
bench: install
	$(BIN)/python -m bench run $(if $(QUICK),--quick)

bench-contest: install
	$(BIN)/python -m bench contest $(if $(QUICK),--quick)

bench-live: install
	$(BIN)/python -m bench live $(if $(QUICK),--quick)

lint: install
	$(BIN)/ruff check quiz question_bank tests bench tools
	$(BIN)/ruff format --check quiz question_bank tests bench tools
	$(BIN)/python tools/check_css.py static
	$(BIN)/lint-imports
	$(BIN)/mypy quiz question_bank

format: install
	$(BIN)/ruff format quiz question_bank tests bench tools
	$(BIN)/ruff check --fix quiz question_bank tests bench

# The deployment kit (deploy/, docs/operations.md "Deployment"): two app servers behind
# nginx, PostgreSQL, Redis and the per-minute job, on http://localhost:8080.
.PHONY: compose-up
compose-up:
	@test -f deploy/.env || { \
		echo "QUIZ_SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(48))')"; \
		echo "POSTGRES_PASSWORD=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(24))')"; \
		echo "QUIZ_METRICS_TOKEN=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(24))')"; \
	} > deploy/.env
	docker compose -f deploy/compose.yaml up -d --build

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache

messages: install  ## re-extract translatable strings and update both catalogs
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k lazy_gettext --no-location \
		--sort-output -o quiz/translations/messages.pot .
	$(BIN)/pybabel update -i quiz/translations/messages.pot -d quiz/translations --no-fuzzy-matching

.PHONY: translations
translations: messages  ## fill new catalog entries from quiz/translations/drafts/*.tsv
	$(BIN)/python tools/i18n_drafts.py
	@$(BIN)/pybabel compile -d quiz/translations --statistics
