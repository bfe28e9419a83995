# One entry point for every routine task. `make run` and `make test` work on a fresh machine:
# they install uv (from PyPI) into .tools/, then the locked environment into .venv/.
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/warehouse/shingikai.ducklake

.PHONY: setup run test test-fast lint bench eval clean notebooks

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==0.13.9"

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --extra dev --python $(PYTHON)
	@touch $@

setup: $(VENV)/.installed

run: setup
	$(BIN)/shingikai ingest data/raw --db $(DB)
	@echo "warehouse: $(abspath $(DB))"
	@echo "try: $(BIN)/shingikai query \"SELECT number, title, outcome FROM consultations\" --db $(DB)"

test: setup
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	$(BIN)/python -m pytest -q

# everything except the tests marked slow (subprocess CLI runs, Prefect, end to end): under a minute
test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow"

# the same checks as .pre-commit-config.yaml; CI runs them before the tests
lint: setup
	$(BIN)/ruff check
	$(BIN)/ruff format --check
	$(BIN)/mypy
	$(BIN)/lint-imports

eval: setup
	$(BIN)/shingikai ingest ../shared/corpus/seeds ../shared/corpus/pdf --db data/warehouse/eval.ducklake
	$(BIN)/shingikai eval --gold ../shared/gold --db data/warehouse/eval.ducklake

# JupyterLab is an optional dependency group: installed here only, not by setup or CI.
# JupyterLab refuses to start as root without --allow-root (a container's shell is root): given
# here, with a line saying so
ALLOW_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
notebooks: setup
	$(UV) sync --frozen --extra dev --extra notebooks --python $(PYTHON)
	$(if $(ALLOW_ROOT),@echo "running as root: JupyterLab started with --allow-root (as an ordinary user it needs none)")
	$(BIN)/jupyter lab notebooks/ $(ALLOW_ROOT)

bench: setup
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.lake

clean:
	rm -rf $(VENV) .tools data/warehouse/*.duckdb* data/warehouse/*.ducklake*
