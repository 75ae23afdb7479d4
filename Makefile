# Dossier: `make run` sets up .venv and opens the app; `make test` runs the suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check
STAMP  := $(VENV)/.installed

.PHONY: run test install install-test system-deps postgres-deps xvfb-deps screenshot bench bench-quotes bench-scale bench-corpus bench-autotag bench-agreement bench-import bench-hub clean

run: $(STAMP)
	@$(BIN)/python -m desktop.qt_check || $(MAKE) --no-print-directory system-deps
	$(BIN)/dossier $(ARGS)

# The suite runs on every core (up to 4) with pytest-xdist, the slowest tests
# first (tests/conftest.py); PYTEST_ARGS adds to it, e.g. "-n 0 -k hub".
PYTEST_PARALLEL ?= -n auto --maxprocesses=4 --dist worksteal
test: $(STAMP).test postgres-deps
	$(BIN)/lint-imports
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

# Benchmarks print the figures the README quotes.
bench: bench-quotes bench-scale
bench-quotes: $(STAMP).bench
	$(BIN)/python -m benchmarks.quotes_eval
# Issue 6 on a synthetic 100,000-article corpus, generated (about 3 minutes,
# 1.4 GB) into $(BENCH_DIR) when missing; ARTICLES=5000 for a quick run.
BENCH_DIR ?= /tmp/dossier-bench
ARTICLES  ?= 100000
bench-corpus: $(STAMP)
	$(BIN)/python -m benchmarks.corpus --articles $(ARTICLES) --folder $(BENCH_DIR)
# Auto-tag of 6,000 passages over 2,000 generated articles: the GUI-thread stall.
bench-autotag: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks.autotag_insert
# The agreement report for 3 analysts derived from the 100k corpus (a copy).
bench-agreement: $(STAMP)
	$(BIN)/python -m benchmarks.agreement_report
# Batch import of a news-shaped JSONL (20,000 and 100,000 rows, 30 % wire
# copies, generated into $(BENCH_DIR)) beside a bare sqlite-utils insert with FTS5.
IMPORT_ROWS ?= 20000 100000
bench-import: $(STAMP)
	$(BIN)/python -m benchmarks.import_speed --rows $(IMPORT_ROWS) --folder $(BENCH_DIR)
bench-scale: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks.scale --articles $(ARTICLES) --folder $(BENCH_DIR)

# The team hub (issue 19): 20 analysts × 1,000 passages through a throwaway
# PostgreSQL cluster, then the first sync of the 100k corpus when it exists.
bench-hub: $(STAMP) postgres-deps
	$(BIN)/python -m benchmarks.hub_sync analysts
	$(BIN)/python -m benchmarks.hub_sync analysts --passages 100 --per-round 5 --pause 1
	@if [ -f $(BENCH_DIR)/corpus-100000.db ]; then \
		$(BIN)/python -m benchmarks.hub_sync first-sync --corpus $(BENCH_DIR)/corpus-100000.db \
		--folder $(BENCH_DIR); fi

$(STAMP).bench: $(STAMP) pyproject.toml constraints.txt
	$(PIP) install --quiet -c constraints.txt -e '.[bench]'
	touch $@

install: $(STAMP)
install-test: $(STAMP).test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(VENV)/bin/python pyproject.toml constraints.txt
	$(PIP) install --quiet -c constraints.txt -e .
	touch $@

$(STAMP).test: $(STAMP) pyproject.toml constraints.txt
	$(PIP) install --quiet -c constraints.txt -e '.[test]'
	touch $@

# Qt's X11 plugin needs a few XCB libraries that minimal Debian/Ubuntu
# systems lack; `make run` calls this only when Qt cannot load that plugin.
XCB_PACKAGES := libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 \
	libxcb-render-util0 libxcb-xkb1 libxkbcommon-x11-0 libxcb-shape0 \
	libxcb-randr0 libxcb-xinerama0 libegl1 libgl1 libfontconfig1 libdbus-1-3
system-deps:
	@if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && apt-get install -y -qq $(XCB_PACKAGES) >/dev/null; \
	elif command -v apt-get >/dev/null; then \
		echo "Qt needs: sudo apt-get install $(XCB_PACKAGES)"; exit 1; \
	else echo "Qt's xcb platform plugin cannot load; install the XCB libraries for your system."; exit 1; fi

# The team-hub tests start a throwaway PostgreSQL cluster (initdb in a
# temporary folder): install Debian's server when its binaries are missing.
postgres-deps:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	elif command -v apt-get >/dev/null; then \
		echo "The hub tests need PostgreSQL: sudo apt-get install postgresql"; exit 1; \
	else echo "The hub tests need PostgreSQL 15 or newer (initdb, postgres)."; exit 1; fi

# A screenshot needs a virtual X server: install Debian's when xvfb-run is missing.
xvfb-deps:
	@if command -v xvfb-run >/dev/null; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xvfb xauth >/dev/null; \
	elif command -v apt-get >/dev/null; then \
		echo "Screenshots need Xvfb: sudo apt-get install xvfb xauth"; exit 1; \
	else echo "Screenshots need Xvfb (xvfb-run)."; exit 1; fi

# A screenshot of the main window on the seeds, for the README.
screenshot: $(STAMP) xvfb-deps
	@xvfb-run -a $(BIN)/python -m desktop.qt_check || $(MAKE) --no-print-directory system-deps
	xvfb-run -a -s "-screen 0 1600x1000x24" $(BIN)/python -m desktop.gui.screenshot docs/screenshot.png

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
