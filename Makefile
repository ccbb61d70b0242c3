# Ichiba: `make run` serves the market on http://127.0.0.1:8000, `make test` runs the suite.
# Both work with nothing but Python 3.11 and make; DATABASE_URL / REDIS_URL switch to real services.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test lint format worker beat matcher bench demo migrate clean shell client

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	ICHIBA_DEMO_DATA_ALLOWED=true $(BIN)/python manage.py load_demo

run: demo
	@echo "Ichiba on http://$(HOST):$(PORT)/  (sign in: buyer@demo.ichiba.example / ichiba-demo; API key: ichiba_demo_sakura-logistics)"
	$(BIN)/python manage.py serve $(HOST):$(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The OpenAPI document (clients/openapi.yaml), the Python client (clients/python) and the TypeScript types
# (clients/typescript/schema.d.ts), generated from the API as it is; commit what changes. The TypeScript tools are
# installed from clients/typescript/package-lock.json when node is there (without it the types are left as they are).
client: $(STAMP)
	@if command -v npm >/dev/null 2>&1 && [ ! clients/typescript/node_modules/.package-lock.json -nt clients/typescript/package-lock.json ]; then \
		npm ci --prefix clients/typescript --no-audit --no-fund --loglevel=error; fi
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py client

worker: $(STAMP)
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.local} $(BIN)/python manage.py workers

beat: $(STAMP)
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.local} $(BIN)/celery -A config beat -l info

# The matcher of one shard of order books (ICHIBA_MATCHERS=streams), in the foreground: `make matcher SHARD=0`; one
# per shard, and a second of a shard waits as its standby (docs/operations.md#matchers).
matcher: $(STAMP)
	@test -n "$(SHARD)" || { echo "make matcher SHARD=n (0 to ICHIBA_MATCHER_SHARDS - 1)"; exit 2; }
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.local} $(BIN)/python manage.py run_matcher --shard $(SHARD)

bench: $(STAMP)
	$(BIN)/python -m tests.bench

shell: $(STAMP)
	$(BIN)/python manage.py shell

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
