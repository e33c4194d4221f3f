# The two commands: `make run` serves the seeded site, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
INSTALLED := $(VENV)/.installed
# The development server: DEBUG on, so plain HTTP on localhost works.
DEV_ENV := DJANGO_DEBUG=1

.PHONY: run serve bench chaos test test-postgres lint format install migrate seed messages screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Playwright is only a driver here: the browser is the system Chromium.
$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(INSTALLED)

migrate: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput

seed: migrate
	$(DEV_ENV) $(BIN)/python manage.py load_seeds

# Beside the server, a worker runs the background jobs (big imports and
# exports, the bulk download: programs/jobs.py), logging to var/worker.log.
# It runs in a session of its own, so that Ctrl-C reaches the server only;
# when the server stops, the worker is asked to stop (TERM) and finishes the
# job it is running first.
run: seed
	@echo
	@echo "Serving http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)."
	@echo "To create an admin account: $(BIN)/python manage.py createsuperuser"
	@echo "then sign in at http://127.0.0.1:$(PORT)/admin/"
	@echo "Background jobs run in a worker beside it: its log is var/worker.log."
	@echo
	@mkdir -p var; \
	$(DEV_ENV) setsid $(BIN)/python manage.py db_worker >var/worker.log 2>&1 & \
	worker=$$!; \
	trap 'kill -TERM -$$worker 2>/dev/null; wait $$worker' EXIT; \
	trap 'exit 0' INT TERM; \
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The production stack on this machine: nginx (Debian's package, installed if
# missing) in front of gunicorn, with the settings the environment gives
# (DEBUG off unless asked); WEB_CONCURRENCY workers, 2 x cores + 1 by default.
# nginx buffers slow clients and compresses responses (deploy/nginx.conf,
# docs/deploy.md). It speaks plain HTTP, so the HTTPS redirect is off unless
# the environment turns it on; everything else stays as configured.
# BIND=0.0.0.0:8000 serves beyond this machine.
BIND ?= 127.0.0.1:$(PORT)
serve: install
	command -v nginx >/dev/null || test -x /usr/sbin/nginx || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; }
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DJANGO_SECURE_SSL_REDIRECT=$${DJANGO_SECURE_SSL_REDIRECT:-0} \
		$(BIN)/python deploy/serve.py run --listen $(BIND)

# Throughput and latency under gunicorn and wrk, at 1,000 and 100,000 records,
# into docs/performance.md (benchmarks/README.md). Needs PostgreSQL and Redis
# on this machine; wrk comes from Debian's packages.
bench: install
	command -v wrk >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(BIN)/python -m benchmarks.run

# The fault suite: a throw-away PostgreSQL and Redis of its own on spare ports
# (never the machine's shared ones), the app served as `make serve` serves it,
# and ten faults under bounded load, into docs/reliability.md
# (reliability/README.md). A few minutes; exits non-zero if a scenario fails.
chaos: install
	command -v nginx >/dev/null || test -x /usr/sbin/nginx || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; }
	$(BIN)/python -m reliability.run

# The suite runs in parallel, one pytest-xdist worker per core by default
# (each with its own test database); WORKERS=0 runs it in one process.
WORKERS ?= auto
test: install
	$(BIN)/python -m pytest -n $(WORKERS)

# The same suite on PostgreSQL: pytest-django creates a throw-away database
# per worker on that server (talentzone_test_gw0, ..., through its
# always-present `postgres` database) and drops them afterwards.
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres
test-postgres: install
	DATABASE_URL="$(POSTGRES_URL)" DJANGO_TEST_DATABASE_NAME=talentzone_test \
		$(BIN)/python -m pytest -n $(WORKERS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Refresh the Chinese catalogue after changing strings, translate the new
# entries in programs/locale/zh_Hans/LC_MESSAGES/django.po, then run again.
messages: install
	$(DEV_ENV) $(BIN)/python manage.py makemessages --locale zh_Hans --no-location --no-obsolete --ignore .venv --ignore tests --ignore docs --ignore reliability --ignore benchmarks --ignore var --ignore staticfiles
	$(DEV_ENV) $(BIN)/python manage.py compilemessages --locale zh_Hans --ignore .venv

# Screenshots of the seeded site in both languages, into docs/screenshots/.
screenshots: install
	$(BIN)/python docs/screenshots/capture.py
