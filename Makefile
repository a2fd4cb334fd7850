# Tide — the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TIDE := $(BIN)/tide
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint format bench check-migrations clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

## make run: set up, load the demo association and serve it with a background worker.
run: $(STAMP)
	$(TIDE) prepare_demo
	@echo ""
	@echo "  Tide is at http://$(HOST):$(PORT)/   (back office: http://$(HOST):$(PORT)/admin/)"
	@echo "  Email is written to var/mail/ (also under Settings → Sent email in the back office)."
	@echo "  Stop with Ctrl-C."
	@echo ""
	@trap 'kill 0' INT TERM EXIT; \
	$(TIDE) db_worker --queue-name default > var/worker.log 2>&1 & \
	$(TIDE) runperiodic --loop > var/periodic.log 2>&1 & \
	$(TIDE) runserver $(HOST):$(PORT) --noreload

## make test: the whole suite (browser tests run when Chromium is installed).
test: $(STAMP)
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r src -x '*/migrations/*'

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-migrations: $(STAMP)
	$(TIDE) makemigrations --check --dry-run

## make bench: every speed target, each printing its numbers (about half an hour).
bench: $(STAMP)
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/members_list.py 100000
	$(BIN)/python bench/renewal_reminders.py 100000
	$(BIN)/python bench/directory.py
	$(BIN)/python bench/directory.py --database-url postgres://postgres@127.0.0.1:5432/tide_bench_directory
	$(BIN)/python bench/education.py
	$(BIN)/python bench/mailing.py

clean:
	rm -rf $(VENV) var
