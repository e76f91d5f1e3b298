# Two commands on a fresh clone: `make run` and `make test`. Everything else is set up here.
PY ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
QUESTION ?= what stores EBS backups

.PHONY: run test browser-deps virtuoso-deps bench-scale lint bench eval bench-http bench-security tables fuzz clean

$(STAMP): pyproject.toml
	@test -n "$(PY)" || { echo "cloudkg needs Python 3.11 or newer on PATH" >&2; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,validate,server,mcp]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/kg ask --explain "$(QUESTION)"

test: $(STAMP) browser-deps virtuoso-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider

# The browser tests drive Debian's Chromium (never a downloaded one); Korean fonts for the screenshots.
browser-deps:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -q && apt-get install -y -q chromium fonts-nanum; \
	else echo "browser tests need Chromium: sudo apt-get install chromium fonts-nanum (they are skipped without it)"; fi

# The Virtuoso tests start Debian's Virtuoso 7 on loopback (never a downloaded one).
virtuoso-deps:
	@if command -v virtuoso-t >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q virtuoso-opensource; \
	else echo "Virtuoso tests need Virtuoso 7: sudo apt-get install virtuoso-opensource (they are skipped without it)"; fi

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python bench/bench_ask.py

eval: $(STAMP)
	$(BIN)/python bench/eval.py

bench-scale: $(STAMP)
	$(BIN)/python bench/bench_scale.py

bench-http: $(STAMP)
	$(BIN)/python bench/bench_http.py

fuzz: $(STAMP)
	$(BIN)/python bench/fuzz.py

bench-security: $(STAMP)
	$(BIN)/python bench/bench_security.py

tables: $(STAMP)
	$(BIN)/python -m queries.tables

clean:
	rm -rf $(VENV) build *.egg-info
