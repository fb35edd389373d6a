# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
ECHARTS := node_modules/echarts/dist/echarts.min.js
HOST ?= 127.0.0.1:8000

.PHONY: run dev test install install-test serve bench clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("xiangcun 需要 Python 3.11 或更新版本" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade "pip>=25.3"

# pip >= 25.3 for --build-constraint: the xstatic sdists still need setuptools < 81 to build.
# `make run` installs only what running needs; `make test` adds the test extras (pytest, playwright, schemathesis).
$(STAMP): pyproject.toml build-constraints.txt | $(BIN)/python
	$(BIN)/pip install -q --build-constraint build-constraints.txt -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install -q --build-constraint build-constraints.txt -e '.[test]'
	touch $@

$(ECHARTS): package.json package-lock.json
	@command -v npm >/dev/null || { echo "需要 Node.js 和 npm 来安装 ECharts(见 README)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(STAMP) $(ECHARTS)

install-test: install $(TEST_STAMP)

# Creates the venv, installs, migrates, loads the demo county, starts a job worker and serves on HOST
# with the production server (gunicorn, several processes); default 127.0.0.1:8000, e.g.
# `make run HOST=0.0.0.0:8080` (add the address to XIANGCUN_ALLOWED_HOSTS).
run: install
	$(BIN)/xiangcun migrate --noinput -v0
	$(BIN)/xiangcun demo
	@echo "xiangcun 正在运行:http://$(HOST)/  (Ctrl-C 停止)"
	$(BIN)/xiangcun worker --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/xiangcun serve --bind $(HOST)

# Development only: Django's auto-reloading development server (never for users).
dev: install
	$(BIN)/xiangcun migrate --noinput -v0
	$(BIN)/xiangcun worker --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	XIANGCUN_DEBUG=true $(BIN)/xiangcun runserver $(HOST)

# The linter, then the whole suite on SQLite on every core (CI also runs it on PostgreSQL: see .ci/run).
# A file's tests stay together on one worker, in order (--dist loadfile); a transactional test's flush is
# followed by post_migrate, which seeds the indicator catalogue again (indicators.apps.seed_empty_catalogue).
PYTEST_PARALLEL ?= -n auto --dist loadfile
test: install-test
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_PARALLEL)

bench: install-test
	$(BIN)/python benchmarks/divisions.py

clean:
	rm -rf $(VENV) node_modules staticfiles
