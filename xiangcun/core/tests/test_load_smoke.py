"""The load test's smoke run: two `xiangcun serve` instances sharing Redis, a job worker, Locust users of
every role for a few seconds. No request may fail and every write the clients were told of must be in the
database once (benchmarks/load.py checks and exits non-zero otherwise)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.load
def test_the_load_smoke_run_has_no_error_and_loses_no_write():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "load.py"), "--smoke"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "no write lost or doubled" in proc.stdout
    assert "failures 0 of" in proc.stdout
