# The two commands a newcomer needs: `make demo` and `make test`. Both install first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.install-stamp
export CXOPS_DATA_DIR ?= $(CURDIR)/var

.PHONY: install demo test lint serve migrate clean bench

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	@touch $(STAMP)

migrate: install
	$(BIN)/cxops migrate

demo: install
	$(BIN)/cxops migrate
	$(BIN)/cxops demo
	$(BIN)/cxops serve --host 127.0.0.1 --port 8000

serve: install
	$(BIN)/cxops serve

test: install
	@bash scripts/run-tests

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m mypy src

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
