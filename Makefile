# The two commands of the README: `make run` and `make test`. Both build the
# virtualenv from the lock file on first use, so a fresh clone needs only Python 3.11+.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# pip's notices about this machine's local package mirrors are noise.
PIP_QUIET := 2>&1 | grep -v "is ignored: it is neither a file nor a directory" || true

.PHONY: run test install lint fmt migrate demo worker schema lock clean

$(BIN)/.installed: requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock $(PIP_QUIET)
	$(BIN)/python -c "import wagtail, django, celery, stripe"
	touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

run: demo
	$(BIN)/python manage.py collectstatic --noinput -v0
	@echo "Serving FocusFlow on http://127.0.0.1:$(PORT)/ (demo studio: http://northlight.localhost:$(PORT)/, admin: /admin/)"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: install
	$(BIN)/celery -A config worker -B -l INFO

# Rewrite the committed OpenAPI schema after changing the API (a test fails until you do).
schema: install
	$(BIN)/python manage.py spectacular --file docs/openapi.yaml --validate

# Re-pin every dependency after editing pyproject.toml.
lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements.lock
	$(PYTHON) -m uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements-dev.lock

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles
