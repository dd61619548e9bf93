# cxkit: `make report` and `make test` do all set-up (see README.md). `make help` lists targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
# Compile bytecode at install time: without .pyc files every kernel start re-parses pandas,
# statsmodels and seaborn (4-6 s instead of about 2 s; see ../shared/TOOLCHAIN.md).
export UV_COMPILE_BYTECODE := 1
# uv's own default link mode (hardlinks from its cache on Linux; a copy where the cache is on
# another file system): a fresh environment in about 21 s instead of 27 s with copies.
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# These machines set PYTHONDONTWRITEBYTECODE=1. make's own runs write Python's bytecode cache
# (cxkit/__pycache__, tests/__pycache__; git ignores them): without it every process compiles the
# cxkit modules it imports from source again (about 0.35 s of processor time for the whole
# package; a pack starts a runner and two kernels, and the suite starts about 74 kernels besides
# its workers and subprocesses) and pytest rewrites every test module's asserts again each run.
unexport PYTHONDONTWRITEBYTECODE
MONTH ?=
# Hermetic runs: tests and reports never write to the user's ~/.ipython, ~/.jupyter or caches.
RUNTIME_HOME := $(CURDIR)/.cache/home
HERMETIC := HOME=$(RUNTIME_HOME) IPYTHONDIR=$(RUNTIME_HOME)/.ipython MPLCONFIGDIR=$(RUNTIME_HOME)/.mpl \
            JUPYTER_PLATFORM_DIRS=1 MPLBACKEND=Agg PYTHONHASHSEED=0

.DEFAULT_GOAL := help
.PHONY: help report test lint format bench validate sample system-deps lock messages clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/bin/python:
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "cxkit needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

$(UV): $(VENV)/bin/python
	$(PY) -m pip install --quiet "uv==$(UV_VERSION)"

# --no-deps: the lock files already hold every package, pinned; resolving again would bring back
# what requirements-excludes.txt keeps out (rfc3987-syntax: 1.2 s added to every process that
# imports nbformat). An environment made before this rule loses it here.
$(VENV)/.runtime: requirements.lock pyproject.toml Makefile | $(UV)
	$(UV) pip install --quiet --python $(PY) --no-deps -r requirements.lock
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	@if $(PY) -c 'import importlib.util as u, sys; sys.exit(u.find_spec("rfc3987_syntax") is None)'; then \
	  $(UV) pip uninstall --quiet --python $(PY) rfc3987-syntax lark; fi
	@touch $@

$(VENV)/.test: requirements-test.lock pyproject.toml $(VENV)/.runtime
	$(UV) pip install --quiet --python $(PY) --no-deps -r requirements-test.lock
	@touch $@

report: $(VENV)/.runtime  ## set up .venv and build the monthly pack on the bundled sample (MONTH=YYYY-MM, LANGUAGE=da|nb|sv, PDF=1)
	@mkdir -p $(RUNTIME_HOME)
	$(HERMETIC) $(VENV)/bin/cxkit report --catalog data/cxkit.yaml --out reports $(if $(MONTH),--month $(MONTH)) \
	  $(if $(LANGUAGE),--language $(LANGUAGE)) $(if $(PDF),--pdf)

# axe-core for the accessibility checks, pinned by tests/browser/package-lock.json. Without npm
# the browser tests skip and say why (make system-deps installs npm).
AXE := tests/browser/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/browser --no-audit --no-fund --silent; \
	else echo "npm not found: browser tests will skip (run make system-deps)"; fi

LINTED := cxkit tests benchmarks notebooks

RUFF_CHECKS := $(VENV)/bin/ruff check $(LINTED) && $(VENV)/bin/ruff format --check $(LINTED)

lint: $(VENV)/.test  ## lint, format and type checks (ruff, mypy), as CI runs them
	$(RUFF_CHECKS)
	$(VENV)/bin/mypy

format: $(VENV)/.test  ## format the tree and apply ruff's safe fixes
	$(VENV)/bin/ruff check --fix $(LINTED)
	$(VENV)/bin/ruff format $(LINTED)

# mypy runs as one of the suite's tests (tests/test_types.py::test_mypy_is_clean_on_the_tree runs
# the same command as make lint), beside the others instead of before them: a cold mypy takes
# 24-27 s, which a fresh clone (CI) no longer waits for before the suite starts.
test: $(VENV)/.test $(AXE)  ## set up .venv with test tools, run the lint checks and the whole suite
	$(RUFF_CHECKS)
	@mkdir -p $(RUNTIME_HOME)
	@command -v chromium >/dev/null || { echo; echo "*** Chromium is missing: the browser tests of the pack (XSS, accessibility) will SKIP."; \
	  echo "*** Run 'sudo make system-deps' (Debian package chromium) to run them."; echo; }
	$(HERMETIC) $(PY) -m pytest -n 2

bench: $(VENV)/.test  ## run benchmarks/ (QUICK=1 for a smoke run); results in benchmarks/results/
	@mkdir -p $(RUNTIME_HOME)
	$(HERMETIC) $(PY) benchmarks/run.py $(if $(QUICK),--quick)

validate: $(VENV)/.runtime  ## validate every source of the catalog and print the data-quality summary
	@mkdir -p $(RUNTIME_HOME)
	$(HERMETIC) $(VENV)/bin/cxkit validate --catalog data/cxkit.yaml --out reports/_validation

sample: $(VENV)/.runtime  ## regenerate data/sample/ from its seed
	$(VENV)/bin/cxkit sample --seed 20261 --out data/sample

system-deps:  ## install Debian packages the tests use (PostgreSQL); needs root, skipped otherwise
	@bash .ci/system-deps.sh

lock: $(UV)  ## re-pin requirements*.lock from pyproject.toml
	$(UV) pip compile pyproject.toml --universal --python-version 3.11 -q --excludes requirements-excludes.txt -o requirements.lock
	$(UV) pip compile pyproject.toml --extra test --universal --python-version 3.11 -q --excludes requirements-excludes.txt -o requirements-test.lock

messages: $(VENV)/.runtime  ## update cxkit/locale/*/*.po from the code's messages (then translate the new ones)
	$(PY) -m cxkit._messages --missing

clean:  ## remove the virtual environment and caches
	rm -rf $(VENV) .cache .pytest_cache
