"""Benchmark: province-scale p-median, n=35,000, m=3,000, p=300 (heuristic + Lagrangian bound).

Points uniform on [0,100]^2, weights 1–100, float32 cost matrix; ``--seeds`` instances (default 3)
whose seeds are drawn at random each run and printed. Reports per seed the objective, proven lower
bound, gap, time and the load average, then the median and the maximum, and the peak memory (the
process's max RSS, matrix included). spopt is not run at this size (its n×m PuLP model has 105
million assignment variables).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from locate_common import distribution, load_average, machine, peak_rss_gib, random_seeds, update_block, uptime
from scipy.spatial.distance import cdist

from xiangcun.locate.pmedian import solve_pmedian


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=35_000)
    ap.add_argument("--m", type=int, default=3_000)
    ap.add_argument("--p", type=int, default=300)
    ap.add_argument("--time-limit", type=float, default=115.0)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--seed", type=int, action="append", help="repeat a given seed instead")
    ap.add_argument("--no-doc", action="store_true")
    args = ap.parse_args()
    seeds = args.seed or random_seeds(args.seeds)
    start_uptime = uptime()
    print(f"seeds: {seeds}\n{start_uptime}", flush=True)
    rows = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        demand = rng.uniform(0, 100, (args.n, 2))
        sites = rng.uniform(0, 100, (args.m, 2))
        w = rng.integers(1, 101, args.n).astype(float)
        t = time.perf_counter()
        C = np.empty((args.n, args.m), dtype=np.float32)
        for i in range(0, args.n, 5000):
            C[i:i + 5000] = cdist(demand[i:i + 5000], sites)
        t_matrix = time.perf_counter() - t
        load = load_average()
        t = time.perf_counter()
        r = solve_pmedian(C, args.p, w, method="heuristic", time_limit=args.time_limit, seed=0)
        dt = time.perf_counter() - t
        info = r.extra["solver"]
        rows.append((seed, r, dt, t_matrix, load, info))
        print(f"seed {seed}: objective {r.objective:.1f} lower bound {r.lower_bound:.1f} gap {r.gap:.4%} "
              f"solve {dt:.1f}s matrix {t_matrix:.1f}s (load {load}) {info}", flush=True)
        del C
    rss = peak_rss_gib()
    gaps = [r.gap for _, r, _, _, _, _ in rows]
    summary = (f"gap median {float(np.median(gaps)):.2%}, max {max(gaps):.2%}; solve time "
               f"{distribution([dt for _, _, dt, _, _, _ in rows])}; peak RSS {rss:.2f} GiB")
    print(summary, flush=True)
    if args.no_doc:
        return
    body = [
        f"### Province scale: n={args.n:,}, m={args.m:,}, p={args.p}",
        "",
        f"Machine: {machine()}. Command: `python benchmarks/locate_province.py --seeds {len(seeds)}` "
        f"(time limit {args.time_limit:.0f} s, float32 cost matrix, seeds drawn at random: {seeds}). "
        f"`uptime` at the start: `{start_uptime}`.",
        "",
        "| seed | objective | lower bound (Lagrangian) | gap | solve seconds | matrix seconds | load (1 min) |",
        "|---|---|---|---|---|---|---|",
    ]
    for seed, r, dt, tm, load, _info in rows:
        body.append(f"| {seed} | {r.objective:.1f} | {r.lower_bound:.1f} | {r.gap:.2%} | {dt:.1f} | {tm:.1f} | {load} |")
    info = rows[-1][5]
    body += [
        "",
        f"**{summary}.** `uptime` at the end: `{uptime()}`.",
        "",
        f"Phases (last seed): neighbour lists {info['list_seconds']} s (K={info['neighbours']}), greedy + "
        f"fast interchange + perturbation {info['local_search_seconds']} s ({info['swaps']} swaps), "
        f"Lagrangian subgradient {info['lagrangian_seconds']} s. spopt was not run at this size "
        "(its n×m PuLP model has 105 million assignment variables).",
    ]
    update_block("province", "\n".join(body))


if __name__ == "__main__":
    main()
