# The two commands users need: `make reports` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
YEAR ?= 2019
WORKERS ?=

# Every package, pinned with its hashes; `make lock` writes it from pyproject.toml.
LOCK := requirements.lock
# uv (from PyPI, into the venv) writes the lock and installs it, ~2.5x faster than pip does.
# `make setup INSTALLER=pip` installs the same lock with pip alone.
UV_VERSION := 0.13.9
INSTALLER ?= uv

.PHONY: reports county test lint format bench clean setup lock vendor

setup: $(STAMP)

# Exactly what $(LOCK) pins (hashes checked), then the project itself without resolving again.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
ifeq ($(INSTALLER),pip)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
else
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode --require-hashes -r $(LOCK)
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
endif
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (minsheng)" >/dev/null
	touch $(STAMP)

reports: $(STAMP)
	$(BIN)/minsheng build --data data/raw --out reports --year $(YEAR) $(if $(WORKERS),--workers $(WORKERS))

# The county sample: 信丰县's 17 towns and 312 villages (real codes, synthetic figures).
COUNTY := build/county
county: $(STAMP)
	test -f $(COUNTY)/raw/SAMPLE || $(BIN)/minsheng sample $(COUNTY)/raw --county --quiet
	$(BIN)/minsheng build --data $(COUNTY)/raw --processed $(COUNTY)/processed --out reports/county --year $(YEAR) $(if $(WORKERS),--workers $(WORKERS))

# axe-core for the browser tests' accessibility checks, exactly as package-lock.json pins it
# (no page ever fetches it: the tests inject it through DevTools). Without npm those checks skip.
NODE_STAMP := node_modules/.package-lock.json
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent; \
	else echo "npm not found: the accessibility checks will be skipped"; fi

# The explorer's Vega-Lite (vega, vega-lite, vega-embed, vega-interpreter), as package-lock.json
# pins it, copied into analysis/reporting/static/vendor/ (committed: a build needs no npm).
vendor: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m analysis.tools.vendor_js

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest -n 2 --durations=15

lint: $(STAMP)
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check analysis tests benchmarks
	$(BIN)/ruff format --check analysis tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format analysis tests benchmarks
	$(BIN)/ruff check --fix analysis tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_build.py
	$(BIN)/python benchmarks/bench_prepare.py
	$(BIN)/python benchmarks/bench_coverage.py
	$(BIN)/python benchmarks/bench_county.py $(if $(WORKERS),--workers $(WORKERS))
	$(BIN)/python benchmarks/bench_explore.py

# Rewrites $(LOCK) from pyproject.toml (runtime + dev extra): one pin per package and Python/platform
# fork, with the hashes of all its files, for every platform and Python >= 3.11. Pins already in
# $(LOCK) are kept where they still fit; add --upgrade to the command to move them all forward.
lock:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 --generate-hashes -o $(LOCK) >/dev/null

clean:
	rm -rf data/processed/* reports/* .minsheng-cache
	touch data/processed/.gitkeep reports/.gitkeep
