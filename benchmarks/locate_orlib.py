"""Benchmark: OR-Library pmed1–20 solved to proven optimality (objective == lower bound)."""

from __future__ import annotations

import argparse
import time

from locate_common import ROOT, machine, update_block

from xiangcun.locate.orlib import read_optima, read_pmed
from xiangcun.locate.pmedian import solve_pmedian


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT.parent / "shared/data/orlib"))
    ap.add_argument("--no-doc", action="store_true")
    args = ap.parse_args()
    opt = read_optima(f"{args.data}/pmedopt.txt")
    rows = []
    total = 0.0
    for k in range(1, 21):
        inst = read_pmed(f"{args.data}/pmed{k}.txt")
        t = time.perf_counter()
        r = solve_pmedian(inst.costs, inst.p, method="exact")
        dt = time.perf_counter() - t
        total += dt
        ok = r.objective == opt[inst.name] and r.lower_bound == r.objective
        rows.append((inst.name, inst.n, inst.p, opt[inst.name], r.objective, r.lower_bound, dt, ok))
        print(f"{inst.name:7s} n={inst.n} p={inst.p:3d} opt={opt[inst.name]:.0f} obj={r.objective:.0f} "
              f"lb={r.lower_bound:.0f} {dt:6.2f}s {'OK' if ok else 'MISMATCH'}", flush=True)
    n_ok = sum(r[-1] for r in rows)
    print(f"total {total:.1f}s, {n_ok}/20 optimal")
    if args.no_doc:
        return
    body = [
        "### OR-Library pmed1–20 (exact)",
        "",
        f"Machine: {machine()}. Command: `python benchmarks/locate_orlib.py` "
        "(same solver as `xiangcun locate orlib`).",
        "",
        "| instance | n | p | optimum (pmedopt.txt) | objective | lower bound | seconds |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, n, p, o, obj, lb, dt, ok in rows:
        body.append(f"| {name} | {n} | {p} | {o:.0f} | {obj:.0f} | {lb:.0f} | {dt:.2f} |")
    body += ["", f"**{n_ok}/20 reproduced with objective = lower bound; total {total:.1f} s.**"]
    update_block("orlib", "\n".join(body))


if __name__ == "__main__":
    main()
