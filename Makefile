# PF2S — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run serve test worker bench lint migrate demo lock

# Exact versions from the lock file (the suite passed with them), then the
# project itself without resolving anything again.
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

# axe-core for the accessibility scans of the browser tests (npm registry).
node_modules/.installed: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	@touch $@

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

# Migrate, load the real geography, the catalogue, demonstration data (and
# publish them), and the demo accounts. Idempotent.
demo: migrate
	$(BIN)/python manage.py load_geography
	$(BIN)/python manage.py load_demo_data
	@echo
	@echo "Comptes de démonstration :"
	@$(BIN)/python manage.py load_demo_accounts
	@$(BIN)/python manage.py load_community

run: demo
	@echo
	@echo "PF2S tourne sur http://$(HOST):$(PORT)/  (Ctrl-C pour arrêter)"
	@echo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: lint node_modules/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# A Celery worker with the beat scheduler embedded (needs REDIS_URL).
worker: install
	@test -n "$(REDIS_URL)" || (echo "REDIS_URL est requis pour lancer un worker Celery." && exit 2)
	$(BIN)/celery -A pf2s worker --beat --loglevel=info --pool=threads --concurrency=2

bench: install
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	@command -v wrk >/dev/null || apt-get install -y -qq wrk || echo "wrk absent : la partie web ne sera pas mesurée"
	$(BIN)/python -m bench $(BENCH_ARGS)

# Style (ruff, line length included), formatting, types (mypy, on the paths
# listed in pyproject.toml) and the layers (import-linter's contracts).
lint: install
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .
	$(BIN)/python -m mypy
	$(BIN)/lint-imports

# After changing the dependencies in pyproject.toml: new lock files (uv, from PyPI).
lock: install
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra geo --extra test --python-version 3.11 -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra geo --python-version 3.11 -o requirements-deploy.lock
