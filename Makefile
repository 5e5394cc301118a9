# Two commands do all the set-up on a fresh machine (Python 3.11):
#   make demo   installs waardenscan in .venv and scores the bundled examples (demo-output/)
#   make test   installs waardenscan with its test tools and runs the test suite
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test check lint browser benchmark mutate clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev,plot]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/waardenscan demo -o demo-output

# Debian's Chromium renders the HTML reports in the browser test and qpdf writes the encrypted
# PDFs of the bad-input tests; without them those tests skip (with the reason printed).
browser:
	@missing=""; \
	  { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; } || missing="$$missing chromium"; \
	  command -v qpdf >/dev/null 2>&1 || missing="$$missing qpdf"; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	      (apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	        || echo "could not install$$missing: those tests will skip"; \
	    else echo "not installed:$$missing: those tests will skip"; fi; \
	  fi

test: $(STAMP) browser
	$(BIN)/python -m pytest -q -p no:cacheprovider || { rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; else exit $$rc; fi; }

lint: $(STAMP)
	$(BIN)/ruff check analyzer tests scripts

check: lint test

benchmark: $(STAMP)
	$(BIN)/python scripts/benchmark.py

# Mutation testing (not part of `make test`): mutmut mutates the aggregation and comparison code
# (analyzer/aggregate/{counts,finish,stats,evidence}.py, analyzer/compare.py) in a copy under
# mutants/ and runs a fast test selection against each mutant; configuration in pyproject.toml
# [tool.mutmut], last results and the equivalent survivors in benchmarks/mutation.md.
# `$(BIN)/mutmut show NAME` prints one mutant's diff. Needs the shared corpus (tests/conftest.py).
MUTMUT ?= mutmut==3.8.1
mutate: $(STAMP)
	$(BIN)/python -m pip install -q "$(MUTMUT)"
	rm -rf mutants
	$(BIN)/mutmut run
	$(BIN)/mutmut results

clean:
	rm -rf $(VENV) build dist *.egg-info demo-output mutants
