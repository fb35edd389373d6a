# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ECHARTS := node_modules/echarts/dist/echarts.min.js
HOST ?= 127.0.0.1:8000

.PHONY: run test install serve bench clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("xiangcun 需要 Python 3.11 或更新版本" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade "pip>=25.3"

# pip >= 25.3 for --build-constraint: the xstatic sdists still need setuptools < 81 to build.
$(STAMP): pyproject.toml build-constraints.txt | $(BIN)/python
	$(BIN)/pip install -q --build-constraint build-constraints.txt -e '.[test]'
	touch $@

$(ECHARTS): package.json package-lock.json
	@command -v npm >/dev/null || { echo "需要 Node.js 和 npm 来安装 ECharts(见 README)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(STAMP) $(ECHARTS)

# Creates the venv, installs, migrates, loads the demo county, starts a job worker and serves.
run: install
	$(BIN)/xiangcun migrate --noinput -v0
	$(BIN)/xiangcun demo
	@echo "xiangcun 正在运行:http://$(HOST)/  (Ctrl-C 停止)"
	$(BIN)/xiangcun worker --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/xiangcun runserver --noreload $(HOST)

# The whole suite on SQLite (CI also runs it on PostgreSQL: see .ci/run).
test: install
	$(BIN)/pytest

bench: install
	$(BIN)/python benchmarks/divisions.py

clean:
	rm -rf $(VENV) node_modules staticfiles
