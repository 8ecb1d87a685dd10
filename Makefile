# The two commands a new machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
DEMO_ORDERS ?= 1000000

.PHONY: run test lint demo browser screenshots clean locale i18n

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements-test.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

# Builds the demo warehouse only when no warehouse is configured and none exists yet.
demo: $(VENV)/.installed
	$(PY) -m data_access demo --if-missing --orders $(DEMO_ORDERS)

run: demo locale
	$(PY) -m streamlit run serve.py --server.address 127.0.0.1 --server.port $(PORT)

# The message catalogues: locale/<lang>/LC_MESSAGES/beltboard.po compiled to the .mo files the app reads.
locale: $(VENV)/.installed
	$(PY) -m scripts.i18n compile

# After adding or changing UI text (or merging a branch that did): the code's messages into every .po
# (new ones untranslated, unused ones dropped), then fail listing any untranslated message, then compile.
i18n: $(VENV)/.installed
	$(PY) -m scripts.i18n extract
	$(PY) -m scripts.i18n check
	$(PY) -m scripts.i18n compile

# System packages for the browser tests (Chromium, CJK fonts), where this machine lets us.
browser:
	@bash scripts/install-browser.sh

# Ruff's checks (configured in pyproject.toml): pyflakes, bugbear, import order, complexity, pycodestyle.
lint: $(VENV)/.test-installed
	$(PY) -m ruff check .

# Lint first (seconds), then the tests: most in TEST_WORKERS processes (much of a test's time is spent
# waiting on a database server, a ClickHouse node or a browser), then those marked serial, alone.
# After the tests: no test database may outlive its run on the local PostgreSQL/MariaDB servers.
TEST_WORKERS ?= 2
test: $(VENV)/.test-installed browser locale
	$(PY) -m ruff check .
	$(PY) -m pytest -m "not serial" -n $(TEST_WORKERS)
	$(PY) -m pytest -m serial
	$(PY) -m tests.server_databases --check

# Every page at 1440 px and 390 px, in Chinese and English, into docs/screenshots/ (demo data).
screenshots: $(VENV)/.test-installed browser demo locale
	$(PY) scripts/screenshots.py

# Benchmark warehouses (1M/10M/50M/100M DuckDB, 10M PostgreSQL at 127.0.0.1:5432, 10M chDB, 10M on a local
# two-shard ClickHouse cluster started for the run) are built once into data/bench/ and reused; then the server
# under load (20 sessions, no browser, bench/load.py); results go to docs/benchmarks.md. About two hours on
# 2 cores the first time (the 100M build alone takes ~15 min and ~5 GB).
# On a shared machine, `make bench BENCH_NICE=-15` (as root) keeps other jobs from skewing the timings.
BENCH_NICE ?= 0
bench: $(VENV)/.installed locale
	nice -n $(BENCH_NICE) $(PY) -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) data/warehouse.duckdb
