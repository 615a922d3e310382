# AgentHub: `make run` serves the platform on the embedded default; `make test` runs the suite.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
FAKE_LLM_PORT ?= 9100

.PHONY: install run serve test lint typecheck format fake-llm worker beat clean

$(VENV)/.installed: requirements/base.txt requirements/dev.txt requirements/prod.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements/dev.txt -r requirements/prod.txt
	touch $@

install: $(VENV)/.installed

run: install ## migrate, seed, print the admin login and a demo key, serve on $(HOST):$(PORT)
	@# One process unless REDIS_URL is set (agenthub/server.py refuses >1 process without it).
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py bootstrap
	@echo "Serving on http://$(HOST):$(PORT)  (admin: /admin/, API docs: /api/docs/)"
	BIND=$(HOST):$(PORT) $(PY) -m agenthub.server

test: install ## the whole suite (PostgreSQL/Redis tests skip when DATABASE_URL/REDIS_URL are unset)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install ## mypy (django-stubs, djangorestframework-stubs) on apps/ and agenthub/
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

fake-llm: install ## the OpenAI-compatible fake upstream on 127.0.0.1:$(FAKE_LLM_PORT)
	$(PY) -m fakellm --host 127.0.0.1 --port $(FAKE_LLM_PORT)

worker: install
	$(VENV)/bin/celery --app agenthub worker --loglevel INFO

beat: install
	$(VENV)/bin/celery --app agenthub beat --loglevel INFO

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
