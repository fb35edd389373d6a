"""`make run` installs only what running needs and serves on HOST; `make test` adds the test extras."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest


def _env():
    """Not a sub-make of `make test` (which would print "Entering directory" lines)."""
    return {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}

ROOT = Path(__file__).resolve().parents[3]


def dry_run(tmp_path, *args):
    if shutil.which("make") is None:
        pytest.skip("没有 make")
    for name in ("Makefile", "pyproject.toml", "build-constraints.txt", "package.json", "package-lock.json"):
        shutil.copy(ROOT / name, tmp_path / name)  # a fresh clone: no .venv, no node_modules
    return subprocess.run(["make", "-n", "--no-print-directory", *args], cwd=tmp_path, capture_output=True, text=True,
                          check=True, env=_env()).stdout


def test_make_run_installs_no_test_extras_and_serves_on_host(tmp_path):
    commands = dry_run(tmp_path, "run", "HOST=0.0.0.0:8080")
    installs = [line for line in commands.splitlines() if "pip install" in line and "-e" in line]
    assert installs and not any("[test]" in line for line in installs), installs
    assert "serve --bind 0.0.0.0:8080" in commands and "runserver" not in commands


def test_make_test_installs_the_test_extras(tmp_path):
    commands = dry_run(tmp_path, "test")
    assert "-e '.[test]'" in commands
    last = commands.rstrip().splitlines()
    assert last[-2] == ".venv/bin/ruff check ."  # the linter first
    assert last[-1].startswith(".venv/bin/pytest -n auto")  # then the suite, on every core


def test_the_readme_says_how_to_serve_on_another_address():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run HOST=0.0.0.0:" in readme and "XIANGCUN_ALLOWED_HOSTS=" in readme
