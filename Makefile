# The two set-up commands: `make run` starts the portal, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORTAL_PORT ?= 8000
export PORTAL_PORT

.PHONY: run test install lint bench

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

install: $(BIN)/.installed

## Start web server, Celery worker and Celery beat with demo data (SQLite + embedded broker by default).
run: export DEBUG ?= 1
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "The portal is starting at http://127.0.0.1:$(PORTAL_PORT)/ (sign in at /accounts/login/)."
	@echo "Press Ctrl+C to stop the web server, worker and beat."
	@echo ""
	@# Every process and the prefix honcho writes keep time in UTC, as the log lines do.
	TZ=UTC $(BIN)/honcho --procfile Procfile start

## Install and run the whole test suite (browser tests run when /usr/bin/chromium exists).
test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/gunicorn --check-config --config gunicorn.conf.py portal.wsgi
	$(BIN)/hadolint Dockerfile
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec compose.yaml
