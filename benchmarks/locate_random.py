"""Benchmark: random Euclidean p-median, the distribution over seeds drawn at random on every run.

Instance family: demand points and sites uniform on [0,100]^2, weights integers 1–100,
``numpy.random.default_rng(seed)``. Sizes (default all three): n=1000/m=100/p=10,
n=2000/m=200/p=20 (exact, no time limit) and n=5000/m=500/p=50 (exact with a time limit, default
60 s: a proven gap where optimality is not reached). ``--seeds`` (default 10) seeds are drawn at random
and printed; every seed's time is printed with the 1-minute load average, then the median and the
maximum. spopt's ``PMedian`` (PuLP + HiGHS and PuLP + CBC) runs on the first seed of the two smaller
sizes in a subprocess capped at ``--spopt-limit`` seconds (a benchmark-only dependency: the ``bench``
extra). ``--seed`` repeats given seeds (for reproducing a reported run).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import numpy as np
from locate_common import distribution, load_average, machine, random_seeds, update_block, uptime
from scipy.spatial.distance import cdist

from xiangcun.locate.pmedian import solve_pmedian

SIZES = {"1000": (1000, 100, 10, None), "2000": (2000, 200, 20, None), "5000": (5000, 500, 50, 60.0)}


def instance(seed: int, n: int = 2000, m: int = 200):
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, 100, (n, 2))
    sites = rng.uniform(0, 100, (m, 2))
    w = rng.integers(1, 101, n).astype(float)
    return cdist(demand, sites), w


SPOPT_CHILD = r"""
import json, sys, time
sys.path.insert(0, {root!r})
sys.path.insert(0, {bench!r})
import numpy as np, pulp
from locate_random import instance
from spopt.locate import PMedian
C, w = instance({seed}, {n}, {m})
t = time.perf_counter()
model = PMedian.from_cost_matrix(C, w, p_facilities={p}, name="bench")
solver = {solver}
model = model.solve(solver)
obj = float(pulp.value(model.problem.objective))
print(json.dumps({{"seconds": time.perf_counter() - t, "objective": obj,
                  "status": pulp.LpStatus[model.problem.status]}}))
"""


def run_spopt(seed: int, n: int, m: int, p: int, solver: str, limit: float) -> dict:
    from locate_common import ROOT

    solvers = {
        "cbc": f"pulp.PULP_CBC_CMD(msg=False, timeLimit={limit})",
        "highs": f"pulp.HiGHS(msg=False, timeLimit={limit})",
    }
    code = SPOPT_CHILD.format(root=str(ROOT), bench=str(ROOT / "benchmarks"), seed=seed, n=n, m=m, p=p,
                              solver=solvers[solver])
    t = time.perf_counter()
    load = load_average()
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=limit + 120)
    except subprocess.TimeoutExpired:
        return {"finished": False, "seconds": time.perf_counter() - t, "load": load}
    if out.returncode != 0:
        return {"finished": False, "seconds": time.perf_counter() - t, "error": out.stderr[-500:],
                "load": load}
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["finished"] = res["status"] == "Optimal" and res["seconds"] < limit
    res["load"] = load
    return res


def spopt_row(name: str, seed: int, res: dict, limit: float) -> str:
    if res.get("finished"):
        return f"| {name} | {seed} | {res['objective']:.4f} | – | – | optimal | {res['seconds']:.1f} | – | {res['load']} |"
    if "objective" in res:
        # PuLP labels a time-limited run "Optimal"; it returns the incumbent it had at the limit
        return (f"| {name} | {seed} | {res['objective']:.4f} (incumbent at the limit) | – | – | "
                f"not solved within {limit:.0f} s | {res['seconds']:.1f} | – | {res['load']} |")
    return (f"| {name} | {seed} | – | – | – | not solved within {limit:.0f} s | > {limit:.0f} | – | "
            f"{res['load']} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,2000,5000", help="comma list of " + ", ".join(SIZES))
    ap.add_argument("--seeds", type=int, default=10, help="number of seeds drawn at random")
    ap.add_argument("--seed", type=int, action="append", help="repeat a given seed instead")
    ap.add_argument("--time-limit", type=float, default=None, help="override the per-size limit")
    ap.add_argument("--spopt-limit", type=float, default=120.0)
    ap.add_argument("--no-spopt", action="store_true")
    ap.add_argument("--no-doc", action="store_true")
    args = ap.parse_args()
    seeds = args.seed or random_seeds(args.seeds)
    print(f"seeds: {seeds}", flush=True)
    start_uptime = uptime()
    print(start_uptime, flush=True)
    body = [
        "### Random Euclidean p-median: distribution over random seeds",
        "",
        f"Machine: {machine()}. Command: `python benchmarks/locate_random.py {' '.join(sys.argv[1:])}`. Points and sites uniform on [0,100]², weights 1–100, "
        f"`numpy.random.default_rng(seed)`; seeds drawn at random by this run: {seeds}. "
        f"`uptime` at the start: `{start_uptime}`.",
        "",
    ]
    for key in args.sizes.split(","):
        n, m, p, limit = SIZES[key]
        if args.time_limit is not None:
            limit = args.time_limit
        rows, times, cpus = [], [], []
        for seed in seeds:
            C, w = instance(seed, n, m)
            load = load_average()
            t, c = time.perf_counter(), time.process_time()
            r = solve_pmedian(C, p, w, method="exact", time_limit=limit)
            dt, cpu = time.perf_counter() - t, time.process_time() - c
            times.append(dt)
            cpus.append(cpu)
            rows.append((seed, r, dt, load, cpu))
            print(f"n={n} m={m} p={p} seed {seed}: objective {r.objective:.4f} lower bound "
                  f"{r.lower_bound:.4f} gap {r.gap:.1e} {r.status} {dt:.2f}s cpu {cpu:.2f}s "
                  f"(load {load})", flush=True)
        n_opt = sum(r.status == "optimal" for _, r, _, _, _ in rows)
        worst_gap = max(r.gap for _, r, _, _, _ in rows)
        summary = (f"wall {distribution(times)}; CPU {distribution(cpus)}; {n_opt}/{len(rows)} proven optimal; largest gap {worst_gap:.2e}")
        print(f"n={n}: {summary}", flush=True)
        spopt = {}
        if not args.no_spopt and n <= 2000:
            for solver in ("highs", "cbc"):
                res = run_spopt(seeds[0], n, m, p, solver, args.spopt_limit)
                spopt[solver] = res
                print(f"n={n} spopt PMedian + PuLP/{solver} on seed {seeds[0]}: {res}", flush=True)
        body += [
            f"#### n={n}, m={m}, p={p}" + (f" (time limit {limit:.0f} s)" if limit else " (no time limit)"),
            "",
            "| solver | seed | objective | lower bound | gap | status | seconds | CPU s | load (1 min) |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for seed, r, dt, load, cpu in rows:
            body.append(f"| xiangcun.locate (exact) | {seed} | {r.objective:.4f} | {r.lower_bound:.4f} | "
                        f"{r.gap:.1e} | {r.status} | {dt:.2f} | {cpu:.2f} | {load} |")
        for solver, res in spopt.items():
            body.append(spopt_row(f"spopt PMedian + PuLP/{'HiGHS' if solver == 'highs' else 'CBC'}",
                                  seeds[0], res, args.spopt_limit))
        body += ["", f"**xiangcun: {summary}.**", ""]
        if not args.no_doc:  # written after every size, so a long run keeps what it measured
            update_block("random", "\n".join(body + [f"`uptime` now: `{uptime()}`."]))
    body += [
        f"`uptime` at the end: `{uptime()}`. spopt runs in a subprocess on the first seed (build + "
        f"solve timed; PuLP solver time limit {args.spopt_limit:.0f} s; not run at n=5000). Our seconds "
        "include the local search, the Benders LP, the Lagrangian reductions and the MILP. Gap ≤ 1e-7 "
        "is HiGHS's relative tolerance (`mip_gap=1e-7`); integer data would be proven exactly.",
    ]
    if not args.no_doc:
        update_block("random", "\n".join(body))


if __name__ == "__main__":
    main()
