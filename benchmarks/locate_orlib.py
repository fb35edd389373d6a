"""Benchmark: OR-Library p-median instances solved to proven optimality (objective == lower bound).

Runs every ``pmedN.txt`` present in the data directory (``/work/shared/data/orlib`` holds pmed1–20;
pmed21–40 are not in it) in a random order drawn each run, prints each instance's time with the
1-minute load average, then the total, the median and the maximum. spopt's ``PMedian`` + PuLP/HiGHS
runs on the first instance of that order, capped at ``--spopt-limit`` seconds.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import time

import numpy as np
from locate_common import ROOT, distribution, load_average, machine, update_block, uptime

from xiangcun.locate.orlib import read_optima, read_pmed
from xiangcun.locate.pmedian import solve_pmedian

SPOPT_CHILD = r"""
import json, sys, time
sys.path.insert(0, {root!r})
import numpy as np, pulp
from xiangcun.locate.orlib import read_pmed
from spopt.locate import PMedian
inst = read_pmed({path!r})
t = time.perf_counter()
model = PMedian.from_cost_matrix(inst.costs, np.ones(inst.n), p_facilities=inst.p, name="bench")
model = model.solve(pulp.HiGHS(msg=False, timeLimit={limit}))
obj = float(pulp.value(model.problem.objective))
print(json.dumps({{"seconds": time.perf_counter() - t, "objective": obj}}))
"""


def main() -> None:
    import json
    import subprocess
    import sys

    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT.parent / "shared/data/orlib"))
    ap.add_argument("--spopt-limit", type=float, default=60.0)
    ap.add_argument("--no-spopt", action="store_true")
    ap.add_argument("--no-doc", action="store_true")
    args = ap.parse_args()
    opt = read_optima(f"{args.data}/pmedopt.txt")
    paths = sorted(glob.glob(f"{args.data}/pmed*.txt"), key=lambda s: int(re.findall(r"\d+", os.path.basename(s))[0] if re.findall(r"\d+", os.path.basename(s)) else 0))
    paths = [q for q in paths if re.fullmatch(r"pmed\d+\.txt", os.path.basename(q))]
    present = [int(re.findall(r"\d+", os.path.basename(q))[0]) for q in paths]
    missing = [k for k in range(1, 41) if k not in present]
    order = list(np.random.default_rng().permutation(len(paths)))
    start_uptime = uptime()
    print(start_uptime, flush=True)
    print(f"order: {[os.path.basename(paths[k]) for k in order]}; absent: pmed{missing}", flush=True)
    rows = []
    for k in order:
        inst = read_pmed(paths[k])
        load = load_average()
        t, c = time.perf_counter(), time.process_time()
        r = solve_pmedian(inst.costs, inst.p, method="exact")
        dt, cpu = time.perf_counter() - t, time.process_time() - c
        ok = r.objective == opt[inst.name] and r.lower_bound == r.objective
        rows.append((present[k], inst.name, inst.n, inst.p, opt[inst.name], r.objective, r.lower_bound, dt,
                     cpu, load, ok))
        print(f"{inst.name:7s} n={inst.n} p={inst.p:3d} opt={opt[inst.name]:.0f} obj={r.objective:.0f} "
              f"lb={r.lower_bound:.0f} {dt:6.2f}s cpu {cpu:6.2f}s (load {load}) {'OK' if ok else 'MISMATCH'}",
              flush=True)
    times = [r[7] for r in rows]
    cpus = [r[8] for r in rows]
    n_ok = sum(r[-1] for r in rows)
    summary = (f"{n_ok}/{len(rows)} proven optimal; total {sum(times):.1f} s wall, {sum(cpus):.1f} s CPU; "
               f"wall {distribution(times)}")
    print(summary, flush=True)
    spopt = None
    if not args.no_spopt and rows:
        first = paths[order[0]]
        code = SPOPT_CHILD.format(root=str(ROOT), path=first, limit=args.spopt_limit)
        load = load_average()
        t = time.perf_counter()
        try:
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 timeout=args.spopt_limit + 120)
            spopt = json.loads(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else None
        except (subprocess.TimeoutExpired, IndexError, ValueError):
            spopt = None
        if spopt is None:
            spopt = {"seconds": time.perf_counter() - t}
        spopt["instance"] = os.path.basename(first)[:-4]
        spopt["load"] = load
        print(f"spopt PMedian + PuLP/HiGHS: {spopt}", flush=True)
    if args.no_doc:
        return
    names = ", ".join(f"pmed{k}" for k in present) if len(present) < 5 else f"pmed{min(present)}–{max(present)}"
    body = [
        f"### OR-Library {names} (exact)",
        "",
        f"Machine: {machine()}. Command: `python benchmarks/locate_orlib.py` (same solver as "
        f"`xiangcun locate orlib`; instances in a random order). `uptime` at the start: `{start_uptime}`. "
        + (f"pmed{missing[0]}–{missing[-1]} are not in `../shared/data/orlib`, so they are not measured."
           if missing else ""),
        "",
        "| instance | n | p | optimum (pmedopt.txt) | objective | lower bound | seconds | CPU s | load (1 min) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for _, name, n, p, o, obj, lb, dt, cpu, load, _ok in sorted(rows):
        body.append(f"| {name} | {n} | {p} | {o:.0f} | {obj:.0f} | {lb:.0f} | {dt:.2f} | {cpu:.2f} | {load} |")
    if spopt is not None:
        if "objective" in spopt:
            sp = (f"spopt `PMedian` + PuLP/HiGHS on {spopt['instance']} (the first of this run's order, "
                  f"capped at {args.spopt_limit:.0f} s): objective {spopt['objective']:.0f} in "
                  f"{spopt['seconds']:.1f} s (load {spopt['load']}).")
        else:
            sp = (f"spopt `PMedian` + PuLP/HiGHS on {spopt['instance']}: no result within "
                  f"{args.spopt_limit:.0f} s (load {spopt['load']}).")
        body += ["", sp]
    body += ["", f"**{summary}.** `uptime` at the end: `{uptime()}`."]
    update_block("orlib", "\n".join(body))


if __name__ == "__main__":
    main()
