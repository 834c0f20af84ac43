# The named commands the README and .ci/run use. `make demo` and `make test` set up .venv
# themselves (uv from PyPI, with a pip fallback) from the committed lock files.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
APPS   := $(patsubst src/vigie/%/apps.py,%,$(wildcard src/vigie/*/apps.py))
PYTEST_WORKERS ?= auto

.PHONY: install install-dev demo test test-slow test-shared test-postgres test-browser lint messages lock bench bench-peers-env clean

$(VENV)/.base: requirements/base.txt requirements/overrides.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv || true
	@if [ -x $(BIN)/uv ]; then \
	  $(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python --override requirements/overrides.txt -r requirements/base.txt && \
	  $(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e . ; \
	else \
	  $(BIN)/pip install -q --no-deps -r requirements/base.txt && $(BIN)/pip install -q --no-deps -e . ; \
	fi
	@# Vigie's own modules as bytecode too: where PYTHONDONTWRITEBYTECODE is set, every command
	@# would otherwise compile them again (vigie roles: 1.8 s instead of 0.8 s on this machine).
	@$(BIN)/python -m compileall -q src >/dev/null
	@touch $@

$(VENV)/.dev: $(VENV)/.base requirements/dev.txt
	@if [ -x $(BIN)/uv ]; then \
	  $(BIN)/uv pip install -q --python $(BIN)/python --override requirements/overrides.txt -r requirements/dev.txt ; \
	else \
	  $(BIN)/pip install -q --no-deps -r requirements/dev.txt ; \
	fi
	@touch $@

install: $(VENV)/.base
install-dev: $(VENV)/.dev

## Run Vigie on an embedded SQLite database with demonstration data.
demo: install
	$(BIN)/vigie demo $(ARGS)

## The suite (SQLite, or PostgreSQL when DATABASE_URL is set), in parallel; needs nothing
## beside the checkout. Left out, each with its own target: the tests of the real data in
## ../shared/data (test-shared), the slow ones (test-slow: attack simulations, the soak,
## killed processes, API fuzzing; about 6 minutes) and the browser tests (test-browser).
test: install-dev
	@echo "Running every test but the slow ones, the browser tests and those of ../shared/data: 'make test-slow', 'make test-browser' and 'make test-shared' run those (.ci/run runs them all)."
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not browser and not shared_data and not slow" $(ARGS)
	@echo "Not run here: 'make test-slow' (slow tests), 'make test-browser' (needs /usr/bin/chromium), 'make test-shared' (needs ../shared/data)."

## The slow tests (marker `slow`): attack simulations on the statistics, the soak test, killed
## processes, schema fuzzing with every role, the full demo load.
test-slow: install-dev
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "slow and not browser and not shared_data" $(ARGS)

## The tests that read the real public data in ../shared/data (or VIGIE_SHARED_DATA): they
## fail, never skip, when it is missing.
test-shared: install-dev
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "shared_data and not browser" $(ARGS)

## The browser tests: Playwright drives Debian's chromium (/usr/bin/chromium).
test-browser: install-dev
	$(BIN)/pytest -m browser -p no:xdist $(ARGS)

lint: install-dev
	$(BIN)/ruff check src bench
	$(BIN)/ruff format --check src bench
	$(BIN)/mypy src

## Extract and compile translations, app by app (each app has its own locale/).
messages: install-dev
	@for app in $(APPS); do \
	  (cd src/vigie/$$app && mkdir -p locale && \
	   DJANGO_SETTINGS_MODULE=vigie.settings.test ../../../$(BIN)/django-admin makemessages -l fr -l ar --ignore 'tests/*' >/dev/null && \
	   DJANGO_SETTINGS_MODULE=vigie.settings.test ../../../$(BIN)/django-admin compilemessages >/dev/null) ; \
	done

## Re-resolve the pinned dependencies after editing pyproject.toml.
lock: install
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --no-header --no-annotate -q --override requirements/overrides.txt -o requirements/base.txt
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 --no-header --no-annotate -q --override requirements/overrides.txt -c requirements/base.txt -o requirements/dev.txt
	@# the override leaves pyicu pinned under a marker that is never true: drop the line
	sed -i '/^pyicu==/d' requirements/base.txt requirements/dev.txt

## Every benchmark in bench/, each printing one JSON line.
bench: install-dev
	@for b in bench/*.py; do $(BIN)/python $$b $(ARGS) || exit 1; done

## nomenklatura and followthemoney (screening_quality.py's peers) in their own environment:
## their pins clash with ours (duckdb, mypy). Benchmark only, never the product.
bench-peers-env: $(VENV)/.dev
	$(BIN)/uv venv -q --python $(BIN)/python .venv-peers
	$(BIN)/uv pip install -q --python .venv-peers/bin/python --only-binary :all: \
		--override bench/peers-overrides.txt -r bench/peers-requirements.txt

clean:
	rm -rf $(VENV) test-artifacts
