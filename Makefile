# The two commands users need: `make reports` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
YEAR ?= 2019
WORKERS ?=

.PHONY: reports county test lint format bench clean setup

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (minsheng)" >/dev/null
	touch $(STAMP)

reports: $(STAMP)
	$(BIN)/minsheng build --data data/raw --out reports --year $(YEAR) $(if $(WORKERS),--workers $(WORKERS))

# The county sample: 信丰县's 17 towns and 312 villages (real codes, synthetic figures).
COUNTY := build/county
county: $(STAMP)
	test -f $(COUNTY)/raw/SAMPLE || $(BIN)/minsheng sample $(COUNTY)/raw --county --quiet
	$(BIN)/minsheng build --data $(COUNTY)/raw --processed $(COUNTY)/processed --out reports/county --year $(YEAR) $(if $(WORKERS),--workers $(WORKERS))

test: $(STAMP)
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

clean:
	rm -rf data/processed/* reports/* .minsheng-cache
	touch data/processed/.gitkeep reports/.gitkeep
