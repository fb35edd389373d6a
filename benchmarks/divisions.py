"""Benchmarks of the divisions module, each backend in its own process:

- import of a full national NBS edition (2020, 678,957 rows) — target under 30 s, with peak memory;
- reconciliation of Sichuan (51) 2019 → 2020 and of the whole country, with proposals per type.

Usage: python benchmarks/divisions.py [--backends sqlite,postgresql] [--no-write]
Prints one JSON line per measurement and rewrites the "区划 (divisions)" section of docs/benchmarks.md.
"""
import argparse
import datetime as dt
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402

NBS = _django.ROOT.parent / "shared" / "data" / "nbs"
REF = {2019: dt.date(2019, 10, 31), 2020: dt.date(2020, 6, 30)}


def child(backend: str) -> list[dict]:
    _django.setup(backend)
    from xiangcun.divisions import services

    out = []
    t = time.perf_counter()
    result = services.import_edition(NBS / "2020.csv.gz", 2020, REF[2020])
    out.append({"bench": "import_national", "backend": backend, "rows": result.added,
                "seconds": round(time.perf_counter() - t, 1), "peak_mb": round(_django.peak_mb())})
    t = time.perf_counter()
    again = services.import_edition(NBS / "2020.csv.gz", 2020, REF[2020])
    out.append({"bench": "reimport_national", "backend": backend, "rows_added": again.added,
                "seconds": round(time.perf_counter() - t, 1)})
    services.import_edition(NBS / "2019.csv.gz", 2019, REF[2019])
    from xiangcun.divisions.models import Edition

    e19, e20 = Edition.objects.get(year=2019), Edition.objects.get(year=2020)
    for scope, label in (("51", "sichuan"), ("", "national")):
        t = time.perf_counter()
        run = services.run_reconciliation(e19, e20, scope)
        out.append({"bench": f"reconcile_{label}_2019_2020", "backend": backend,
                    "seconds": round(time.perf_counter() - t, 1), "peak_mb": round(_django.peak_mb()),
                    "counts": run.counts})
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child), ensure_ascii=False))
        return
    results = []
    for backend in args.backends.split(","):
        proc = subprocess.run([sys.executable, __file__, "--child", backend], capture_output=True, text=True)
        if proc.returncode:
            sys.exit(proc.stderr)
        rows = json.loads(proc.stdout.strip().splitlines()[-1])
        for r in rows:
            print(json.dumps(r, ensure_ascii=False))
        results += rows
    if not args.no_write:
        _django.write_section("区划 (divisions)", render(results))


TYPES = ["unchanged", "rename", "township_to_town", "to_subdistrict", "recode", "transfer", "merge", "split",
         "abolish", "establish"]


def render(results) -> str:
    lines = [
        "## 区划 (divisions)", "",
        f"Measured {dt.date.today()} on this project's machine (2 cores, {platform.python_implementation()} "
        f"{platform.python_version()}), `python benchmarks/divisions.py`. Peak memory is the process's maximum RSS.",
        "", "| measurement | backend | time (s) | peak memory (MB) | detail |", "|---|---|---|---|---|",
    ]
    for r in results:
        detail = ""
        if "rows" in r:
            detail = f"{r['rows']:,} rows"
        elif "rows_added" in r:
            detail = f"{r['rows_added']} rows added (re-import changes nothing)"
        lines.append(f"| {r['bench']} | {r['backend']} | {r['seconds']} | {r.get('peak_mb', '')} | {detail} |")
    recon = [r for r in results if r["bench"].startswith("reconcile")]
    if recon:
        lines += ["", "Proposals per type (2019 → 2020 editions):", "",
                  "| scope | backend | " + " | ".join(TYPES) + " |", "|---|---|" + "---|" * len(TYPES)]
        for r in recon:
            lines.append(f"| {r['bench'].split('_')[1]} | {r['backend']} | "
                         + " | ".join(str(r["counts"].get(t, 0)) for t in TYPES) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
