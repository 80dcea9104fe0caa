# The few commands people run. Each installs what it needs first (ops/dev/local/bootstrap.sh is
# idempotent and quick when everything is already there).
VENV := .venv/bin

.PHONY: setup demo test lint unit services-down

setup:
	bash ops/dev/local/bootstrap.sh

demo: setup
	$(VENV)/newsloom demo

test: setup
	$(VENV)/pytest

unit: setup
	$(VENV)/pytest -m "not integration"

lint: setup
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/mypy .
	$(VENV)/lint-imports

services-down:
	$(VENV)/newsloom services down
