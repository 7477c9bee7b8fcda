# Set-up is two commands:  make report  (builds .venv if needed, renders)  and  make test.
# Everything is installed from requirements/lock.txt (exact pins) into .venv; no conda needed.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check --quiet
# Re-install when the pins or the package metadata change.
INSTALLED := $(VENV)/.installed
# Every event: a folder of data/ holding a claims ledger.
DATASETS := $(patsubst data/%/claims.csv,%,$(wildcard data/*/claims.csv))
# Python caches compiled modules (and pytest its rewritten tests) unless this is set, as it is on
# the machines we run on: then every render, kernel and test process compiles them all again.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help report watch test quick typecheck format screenshots lint lab validate datapackage baseline chart-baseline lock clean distclean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 18

report: $(INSTALLED)  ## render every parameter set in params/ into reports/ (skips what is up to date)
	$(BIN)/casualty-report render --params params/*.yml $(ARGS)

watch: $(INSTALLED)  ## render, then again on every save of a dataset, notebook or parameter set (Ctrl-C stops)
	$(BIN)/casualty-report watch --params params/*.yml $(ARGS)

test: lint typecheck  ## lint and types, then the package, the bad-ledger corpus, the charts, the CLI, and nbval on the notebooks
	$(BIN)/python -m pytest $(ARGS)

# The edit loop: everything but the browser, the 10,000-claim scale run, the fuzzers, the Dask
# cluster and the tests that kill processes (CONTRIBUTING.md). `make test` runs them all, and CI
# runs `make test`.
QUICK_SKIPS := test_browser test_scale test_fuzz_ledger test_render_processes test_faults test_watch test_jupyterlab test_cluster
quick: lint typecheck  ## the fast loop while editing: make test without the browser, scale, fuzz and process tests
	$(BIN)/python -m pytest $(foreach name,$(QUICK_SKIPS),--ignore=tests/$(name).py) $(ARGS)

typecheck: $(INSTALLED)  ## mypy over src/ (the settings are in pyproject.toml)
	$(BIN)/mypy

format: $(INSTALLED)  ## format and fix what ruff can: run before committing
	$(BIN)/ruff format --quiet .
	$(BIN)/ruff check --fix --quiet .

screenshots: $(INSTALLED)  ## the browser tests, saving every page at both widths to build/screenshots/ to look at
	$(BIN)/python -m pytest -n 0 --screenshots tests/test_browser.py $(ARGS)

lint: $(INSTALLED)  ## ruff: lint and formatting (make format fixes what it can)
	$(BIN)/ruff check --quiet .
	$(BIN)/ruff format --check --quiet .

# JupyterLab refuses to start as root unless told to; CI and these machines run as root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(INSTALLED)  ## open JupyterLab on the notebooks (saving there rewrites nbval's baselines: see README)
	$(BIN)/jupyter lab $(ALLOW_ROOT) notebooks/

validate: datapackage  ## check every event's ledger (or ARGS="--dataset <dataset>"), then each datapackage.json with frictionless
	$(if $(ARGS),$(BIN)/casualty-report validate $(ARGS),for dataset in $(DATASETS); do $(BIN)/casualty-report validate --dataset $$dataset || exit 1; done)
	for package in data/*/datapackage.json; do $(BIN)/frictionless validate "$$package" || exit 1; done

datapackage: $(INSTALLED)  ## regenerate every data/<dataset>/datapackage.json (or ARGS="--dataset <dataset>") from the ledger schema
	$(if $(ARGS),$(BIN)/casualty-report datapackage $(ARGS),for dataset in $(DATASETS); do $(BIN)/casualty-report datapackage --dataset $$dataset || exit 1; done)

baseline: $(INSTALLED)  ## re-execute the notebooks in place: nbval's committed outputs
	$(BIN)/casualty-report baseline

chart-baseline: $(INSTALLED)  ## regenerate the chart images and hashes pytest-mpl compares against
	rm -rf tests/charts/baseline tests/charts/hashes.json
	$(BIN)/python -m pytest tests/test_charts.py \
		--mpl-generate-path=tests/charts/baseline --mpl-generate-hash-library=tests/charts/hashes.json

lock:  ## re-resolve requirements/lock.txt from pyproject.toml in a scratch venv, and environment.yml from it
	rm -rf build/lock-venv
	$(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/python -m pip install --quiet '.[dev]'
	{ sed -n '1,3p' requirements/lock.txt; build/lock-venv/bin/python -m pip freeze --exclude-editable \
		| grep -v '^casualty-report'; } > build/lock.txt
	mv build/lock.txt requirements/lock.txt
	$(PYTHON) requirements/environment.py > build/environment.yml
	mv build/environment.yml environment.yml

$(INSTALLED): requirements/lock.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements/lock.txt
	$(PIP) install --no-deps -e .
	touch $@

clean:  ## remove build output and rendered reports (keeps .venv)
	rm -rf build reports/*/ reports/.*staging-* reports/*.failed

distclean: clean  ## also remove .venv
	rm -rf $(VENV)
