# insights: the two commands of the README are `make report` (all findings, rendered under
# reports/) and `make test` (unit + property + doctests, then nbval over every notebook).
# Both bootstrap a project-local virtual environment (.venv) from the exact pins in
# requirements/lock.txt; nothing is installed or registered outside this folder.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Notebooks to regenerate with `make notebooks` (default: all, templates and scratch excluded).
NB ?=

# nbval: strict output comparison, kernel = ipykernel of the venv's own Python, the notebook's
# folder as working directory (nbval's default). MPLBACKEND is removed from the environment
# (never set), so that ipykernel keeps the inline backend and figures stay in the outputs.
NBVAL := env -u MPLBACKEND PYTHONHASHSEED=0 $(BIN)/python -m pytest notebooks -p no:python \
	--nbval --nbval-current-env --nbval-sanitize-with nbval_sanitize.cfg \
	--nbval-cell-timeout=600 --nbval-kernel-startup-timeout=120 \
	--ignore=notebooks/templates --ignore=notebooks/_scratch
# The notebooks nbval will collect; when there is none, the nbval run is skipped (pytest would
# exit 5, "no tests collected").
NOTEBOOKS = $(shell find notebooks -name '*.ipynb' -not -path 'notebooks/templates/*' \
	-not -path 'notebooks/_scratch/*' -not -path '*/.ipynb_checkpoints/*' 2>/dev/null)

.DEFAULT_GOAL := help
.PHONY: help .venv venv data test unit nbtest report notebooks lint clean distclean

help:
	@echo "make test       bootstrap .venv, build data, run unit/property/doctests/e2e and nbval"
	@echo "make unit       the fast loop: every test but the e2e ones (no kernels, no commands)"
	@echo "make report     bootstrap .venv, build data, execute every notebook -> reports/index.html"
	@echo "                (and an example client report: reports/client-report-example.html)"
	@echo "make data       build data/processed/ (python -m insights.ingest.pipeline)"
	@echo "make notebooks  re-execute notebooks in place as nbval references (NB=path for one)"
	@echo "make lint       ruff check"
	@echo "make clean      remove reports, caches and processed data (distclean: also .venv, raw)"

# ---------------------------------------------------------------- environment
.venv venv: $(STAMP)

$(STAMP): requirements/lock.txt pyproject.toml
	@echo "==> bootstrapping $(VENV) with $(PYTHON)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --no-input -r requirements/lock.txt
	$(BIN)/python -m pip install --no-input --no-deps -e .
	@# The venv's own "python3" kernelspec (shipped by ipykernel into .venv/share/jupyter) is
	@# what `.venv/bin/jupyter lab` uses; nbval and insights.nbtools start the venv's Python.
	@$(BIN)/python -c "import sys; from pathlib import Path; \
	from jupyter_client.kernelspec import KernelSpecManager as M; \
	d = Path(M().get_kernel_spec('python3').resource_dir).resolve(); \
	ok = Path(sys.prefix).resolve() in d.parents or 'ipykernel' in d.parts; \
	print(('kernel python3: ' if ok else 'WARNING: kernel python3 is not from .venv: ') + str(d))"
	touch $@

# ---------------------------------------------------------------- data
data: $(STAMP)
	@echo "==> building data/processed"
	$(BIN)/python -m insights.ingest.pipeline

# ---------------------------------------------------------------- tests
test: $(STAMP) data
	@rc=0; \
	command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
		command -v google-chrome >/dev/null 2>&1 || [ -n "$$INSIGHTS_CHROMIUM" ] || \
		echo "NOTE: Chromium not found: the client report's browser and PDF tests will be \
	skipped (install it: apt-get install chromium); under CI=true they fail instead"; \
	echo "==> unit, property and doctests"; \
	$(BIN)/python -m pytest tests --doctest-modules src/insights || rc=$$?; \
	echo "==> nbval over notebooks/"; \
	if [ -z "$(strip $(NOTEBOOKS))" ]; then \
		echo "nbval: no notebooks under notebooks/ yet; nothing to validate"; \
	else \
		$(NBVAL) || { nb=$$?; if [ $$nb -ne 5 ]; then rc=$$nb; fi; }; \
	fi; \
	exit $$rc

# The fast inner loop: everything but the tests that start kernels or run commands (marker e2e).
unit: $(STAMP)
	$(BIN)/python -m pytest tests --doctest-modules src/insights -m "not e2e"

nbtest: $(STAMP) data
	@if [ -z "$(strip $(NOTEBOOKS))" ]; then echo "nbval: no notebooks yet"; else \
		$(NBVAL) || { rc=$$?; [ $$rc -eq 5 ] || exit $$rc; }; fi

# ---------------------------------------------------------------- notebooks and findings
# The client-report template is demonstrated on one registered export (a TikTok post file).
EXAMPLE_EXPORT := data/raw/tiktok-datares-2020/by_user/sug_users_vids1.csv

report: $(STAMP) data
	@echo "==> executing notebooks and rendering reports/"
	$(BIN)/python -m insights.nbtools.notebooks --findings --notebooks notebooks --out reports
	@echo "==> insights report on an example export -> reports/client-report-example.html"
	$(BIN)/insights report $(EXAMPLE_EXPORT) --platform tiktok \
		--out reports/client-report-example.html

notebooks: $(STAMP) data
	@echo "==> re-executing notebooks in place (nbval references)"
	$(BIN)/python -m insights.nbtools.notebooks --inplace --notebooks notebooks $(NB)

# ---------------------------------------------------------------- housekeeping
lint: $(STAMP)
	$(BIN)/ruff check $(wildcard src tests benchmarks studies)

clean:
	rm -rf reports .pytest_cache .ruff_cache .hypothesis build dist
	find src tests benchmarks notebooks -name __pycache__ -type d -prune -exec rm -rf {} + \
		2>/dev/null || true
	find data/processed -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} + \
		2>/dev/null || true

distclean: clean
	rm -rf $(VENV) src/*.egg-info
	find data/raw -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} + \
		2>/dev/null || true
