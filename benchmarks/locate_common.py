"""Shared helpers for the locate benchmarks: machine info and updating our part of docs/benchmarks.md.

Only the section under ``## 选址引擎 (locate)`` is touched; inside it each benchmark owns the block
between ``<!-- locate:NAME -->`` and ``<!-- /locate:NAME -->``.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## 选址引擎 (locate)"
ORDER = ["orlib", "random", "province", "road"]
INTRO = (
    "Measured by `benchmarks/locate_*.py` (each script rewrites only its own block below). "
    "Times are wall-clock seconds on the machine named in each block."
)


def machine() -> str:
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem = float("nan")
    return (f"{_dt.date.today().isoformat()}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, "
            f"Python {platform.python_version()}, {platform.machine()}")


def update_block(name: str, body: str) -> None:
    DOC.parent.mkdir(parents=True, exist_ok=True)
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    lines = text.splitlines()
    start = next((k for k, ln in enumerate(lines) if ln.strip() == HEADING), None)
    if start is None:
        section = ""
        before, after = text.rstrip("\n") + "\n\n", ""
    else:
        end = next((k for k in range(start + 1, len(lines)) if lines[k].startswith("## ")), len(lines))
        before = "\n".join(lines[:start]) + ("\n" if start else "")
        section = "\n".join(lines[start + 1:end])
        after = "\n".join(lines[end:])
        after = ("\n" + after + ("\n" if not after.endswith("\n") else "")) if after else ""
    blocks = dict(re.findall(r"<!-- locate:(\w+) -->\n(.*?)<!-- /locate:\1 -->", section, flags=re.S))
    blocks[name] = body.rstrip("\n") + "\n"
    parts = [HEADING, "", INTRO, ""]
    for key in ORDER + sorted(k for k in blocks if k not in ORDER):
        if key in blocks:
            parts += [f"<!-- locate:{key} -->", blocks[key].rstrip("\n"), f"<!-- /locate:{key} -->", ""]
    DOC.write_text(before + "\n".join(parts).rstrip("\n") + "\n" + after, encoding="utf-8")


def peak_rss_gib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def random_seeds(count: int) -> list[int]:
    """Seeds drawn at random on every run (never a hand-picked easy one); the caller prints them."""
    import numpy as np

    return [int(s) for s in np.random.default_rng().integers(0, 2**31 - 1, size=count)]


def load_average() -> str:
    """The 1-minute load average (``uptime``), recorded beside every timing."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


def uptime() -> str:
    import subprocess

    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "load average " + load_average()


def distribution(times) -> str:
    import numpy as np

    t = np.asarray(list(times), dtype=float)
    if not t.size:
        return "no runs"
    return f"median {np.median(t):.2f} s, max {t.max():.2f} s, min {t.min():.2f} s over {t.size} runs"
