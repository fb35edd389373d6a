"""Exact and heuristic p-median solvers.

Exact method — a truncated *radius* (covering) formulation solved by HiGHS with row generation
(Cornuéjols, Nemhauser & Wolsey 1980; Elloumi 2010; García, Labbé & Marín 2011). For demand point
``i`` let ``D_i^1 < D_i^2 < ... < D_i^{L_i}`` be its distinct costs to the allowed sites and
``G_i^k`` the sites at cost ``D_i^k``. With ``y_j`` = site ``j`` open and ``z_i^k`` = "``i`` is not
served within ``D_i^k``"::

    min  sum_i w_i (D_i^1 + sum_k (D_i^{k+1} - D_i^k) z_i^k)
    s.t. z_i^1 + sum_{j in G_i^1} y_j >= 1
         z_i^k - z_i^{k-1} + sum_{j in G_i^k} y_j >= 0      (k >= 2, chained form: O(m) nonzeros per i)
         sum_j y_j = p,  y binary,  z >= 0

Its LP relaxation equals that of the classical assignment model, but it can be *truncated*: keeping
only the first ``K_i`` levels of each demand point is a relaxation (beyond ``D_i^{K_i}`` the cost is
under-estimated by ``D_i^{K_i+1}``), hence a valid lower bound. When the truncated optimum serves every
demand point within its kept levels it is optimal for the full problem; otherwise the offending demand
points get more levels and the model is solved again. Starting from a near-optimal heuristic solution
the kept levels are a small fraction of ``n × m``.

Heuristic method — greedy + fast interchange + seeded perturbation for the upper bound, and
Lagrangian relaxation (subgradient) for the lower bound, on ``K``-nearest lists so that memory stays
``O(n K)`` beside the (float32) cost matrix.
"""

from __future__ import annotations

import math
import time

import numpy as np
import scipy.sparse as sp

from . import validate as V
from .errors import InfeasibleError, SolverError
from .benders import lp_bound as benders_lp_bound
from .heuristics import (
    NeighbourLists,
    SwapSearch,
    iterated_local_search,
    lagrangian_bound,
    pmedian_cost,
)
from .milp import solve_milp
from .result import LocateResult, assignment_stats, relative_gap

EXACT_CELL_LIMIT = 4_000_000  # n*m above which method="auto" uses the heuristic


def solve_pmedian(
    costs,
    p: int,
    weights=None,
    *,
    required=None,
    forbidden=None,
    method: str = "auto",
    time_limit: float | None = None,
    mip_gap: float = 1e-7,
    seed: int = 0,
    allow_unreachable: bool = False,
    neighbours: int | None = None,
    verbose: bool = False,
) -> LocateResult:
    """Weighted p-median: open exactly ``p`` sites minimising ``sum_i w_i min_j d_ij``.

    ``required`` sites must stay open, ``forbidden`` sites may not be used. ``method`` is
    ``"exact"`` (truncated radius MILP, proven optimum unless the time limit stops it), ``"heuristic"``
    (local search + Lagrangian lower bound) or ``"auto"``. ``time_limit`` in seconds (None: no limit
    for exact, 60 s for heuristic). With ``allow_unreachable``, ``inf`` costs mark pairs that cannot be
    served.
    """
    t0 = time.perf_counter()
    C = V.cost_matrix(costs, allow_inf=allow_unreachable)
    if C.dtype not in (np.float32, np.float64):
        C = C.astype(np.float64)
    n, m = C.shape
    w = V.weights(weights, n)
    req = V.index_set(required, m, name="必须保留的设施")
    forb = V.index_set(forbidden, m, name="禁止使用的候选点")
    p = V.facility_count(p, m, req, forb)
    allowed = np.ones(m, dtype=bool)
    allowed[forb] = False
    if allow_unreachable:
        dead = ~np.isfinite(C[:, allowed]).any(axis=1)
        if dead.any():
            raise InfeasibleError(
                f"需求点 {V._list(np.flatnonzero(dead) + 1)} 无法到达任何可用候选点"
            )
    if method not in ("auto", "exact", "heuristic"):
        raise V.InputError(f"未知的求解方法 {method!r}（可选 auto、exact、heuristic）")
    if method == "auto":
        method = "exact" if n * m <= EXACT_CELL_LIMIT else "heuristic"
    if time_limit is not None:
        time_limit = V.positive_number(time_limit, name="时间限制")
    if method == "exact":
        deadline = t0 + time_limit if time_limit is not None else math.inf
        sites, obj, lb, status, info = _exact(C, w, p, allowed, req, deadline, mip_gap, seed, verbose)
    else:
        deadline = t0 + (time_limit if time_limit is not None else 60.0)
        sites, obj, lb, status, info = _heuristic(C, w, p, allowed, req, deadline, seed, neighbours)
    obj2, assignment, travel = pmedian_cost(C, w, sites)
    if not math.isfinite(obj2):
        raise InfeasibleError(f"在 p={p} 的限制下，无法让所有需求点都到达一个开放设施（存在不可达的需求点）")
    _, loads = assignment_stats(C, w, assignment, m)
    info["method"] = method
    return LocateResult(
        model="p-median",
        status=status,
        sites=np.sort(sites),
        assignment=assignment,
        objective=obj2,
        lower_bound=min(lb, obj2),
        seconds=time.perf_counter() - t0,
        travel=travel.astype(np.float64),
        loads=loads,
        extra={"solver": info},
    )


def _integral(C: np.ndarray, w: np.ndarray) -> bool:
    fin = C[np.isfinite(C)]
    return bool(np.all(fin == np.round(fin)) and np.all(w == np.round(w)))


# --------------------------------------------------------------------------- exact
class _Levels:
    """Per-demand sorted costs and distinct cost levels over the allowed sites."""

    def __init__(self, C: np.ndarray, allowed: np.ndarray):
        idx = np.flatnonzero(allowed)
        A = np.asarray(C[:, idx], dtype=np.float64)
        order = np.argsort(A, axis=1, kind="stable")
        self.vals = np.take_along_axis(A, order, axis=1)
        self.sites = idx[order]
        fin = np.isfinite(self.vals)
        new = np.ones_like(fin)
        new[:, 1:] = self.vals[:, 1:] != self.vals[:, :-1]
        new &= fin
        self.lev = np.cumsum(new, axis=1) - 1  # level of each sorted position
        self.lev[~fin] = np.iinfo(self.lev.dtype).max // 4
        self.L = new.sum(axis=1)  # number of finite levels
        # level values, flattened
        self.lvl_off = np.concatenate([[0], np.cumsum(self.L)])
        self.D = self.vals[new]  # row-major => levels of row i at lvl_off[i]:lvl_off[i+1]

    def level_of(self, cost: np.ndarray) -> np.ndarray:
        """Index of the first level >= cost per demand point (L_i when beyond every level)."""
        cost = np.asarray(cost, dtype=np.float64)
        t = (self.vals < cost[:, None]).sum(axis=1)  # positions strictly cheaper
        prev = np.where(t > 0, self.lev[np.arange(len(t)), np.maximum(t - 1, 0)] + 1, 0)
        return np.minimum(prev, self.L).astype(np.int64)


def _build_truncated(lv: _Levels, w: np.ndarray, K: np.ndarray, p: int, m: int, allowed, req):
    n = len(K)
    L = lv.L
    R = K.copy()  # rows per demand point
    Z = np.where(K < L, K, L - 1)  # z variables per demand point
    row_off = np.concatenate([[0], np.cumsum(R)])
    z_off = m + np.concatenate([[0], np.cumsum(Z)])
    n_rows = int(row_off[-1]) + 1  # + cardinality row
    n_cols = int(z_off[-1])
    # y entries
    mask = lv.lev < K[:, None]
    ii, tt = np.nonzero(mask)
    y_rows = row_off[ii] + lv.lev[ii, tt]
    y_cols = lv.sites[ii, tt]
    # z entries
    zi = np.repeat(np.arange(n), Z)
    zk = np.arange(int(Z.sum())) - np.repeat(z_off[:-1] - m, Z)
    zcol = z_off[zi] + zk
    r1 = row_off[zi] + zk
    has_next = zk + 1 < R[zi]
    r2 = r1[has_next] + 1
    rows = np.concatenate([y_rows, r1, r2, np.full(m, n_rows - 1)])
    cols = np.concatenate([y_cols, zcol, zcol[has_next], np.arange(m)])
    vals = np.concatenate(
        [np.ones(len(y_rows)), np.ones(len(r1)), -np.ones(int(has_next.sum())), np.ones(m)]
    )
    A = sp.csr_matrix((vals, (rows, cols)), shape=(n_rows, n_cols))
    row_lo = np.zeros(n_rows)
    row_lo[row_off[:-1]] = 1.0
    row_hi = np.full(n_rows, np.inf)
    row_lo[-1] = row_hi[-1] = p
    c = np.zeros(n_cols)
    Dk = lv.D[lv.lvl_off[zi] + zk]
    Dk1 = lv.D[lv.lvl_off[zi] + zk + 1]
    c[zcol] = w[zi] * (Dk1 - Dk)
    offset = float(np.dot(w, lv.D[lv.lvl_off[:-1]]))
    col_lo = np.zeros(n_cols)
    col_hi = np.ones(n_cols)
    col_hi[:m][~allowed] = 0.0
    col_lo[:m][req] = 1.0
    col_hi[m:] = np.inf
    integer = np.zeros(n_cols, dtype=bool)
    integer[:m] = True
    return dict(c=c, A=A, row_lo=row_lo, row_hi=row_hi, col_lo=col_lo, col_hi=col_hi,
                integer=integer, offset=offset), zi, zk, zcol


def _exact(C, w, p, allowed, req, deadline, mip_gap, seed, verbose):
    n, m = C.shape
    t0 = time.perf_counter()
    nl = NeighbourLists(C, w, allowed)
    rounds = 10 if n * m <= 1_000_000 else 3
    ub_sites, _, _ = iterated_local_search(nl, p, req, seed=seed, rounds=rounds, deadline=deadline)
    t_heur = time.perf_counter() - t0
    del nl
    ub, _, ub_travel = pmedian_cost(C, w, ub_sites)
    heur_obj = ub
    integral = _integral(C, w)
    # only solutions with objective below the threshold are searched for; the others cannot improve
    # the incumbent by more than the tolerance
    threshold = (ub - 1.0 + 1e-6) if integral else ub * (1.0 - max(mip_gap, 1e-9))
    lb = -math.inf
    status = "time_limit"
    best_sites = ub_sites
    stats = {"lp_solves": 0, "milp_solves": 0, "fixed_sites": 0, "models": []}
    # 1) LP relaxation by Benders cuts (m + n columns): bound, LP point and reduced costs
    y_h = np.zeros(m)
    y_h[ub_sites] = 1.0
    t1 = time.perf_counter()
    lp_lb, y_lp, rc, lp_radius, binfo = benders_lp_bound(C, w, p, allowed, req, y_h, deadline=deadline)
    stats.update(binfo)
    stats["lp_bound"] = lp_lb
    stats["benders_seconds"] = round(time.perf_counter() - t1, 4)
    lb = lp_lb if not integral else math.ceil(lp_lb - 1e-6)
    # the LP point often is (nearly) integral: use it to look for a better incumbent
    if y_lp is not None and np.isfinite(y_lp).all():
        top = np.argsort(-y_lp, kind="stable")[:p]
        if set(np.flatnonzero(y_lp > 0.5)) <= set(top):
            nl = NeighbourLists(C, w, allowed)
            cand, _, _ = iterated_local_search(nl, p, req, seed=seed, rounds=0, initial=np.sort(top),
                                               deadline=deadline)
            del nl
            c_obj = pmedian_cost(C, w, cand)[0]
            if c_obj < ub - 1e-9 * max(1.0, abs(ub)):
                ub, best_sites = c_obj, cand
                ub_travel = pmedian_cost(C, w, cand)[2]
    threshold = (ub - 1.0 + 1e-6) if integral else ub * (1.0 - max(mip_gap, 1e-9))
    cur = allowed.copy()
    if rc is not None and lp_lb < threshold:
        fix = cur & (y_lp < 1e-9) & (lp_lb + rc > threshold + 1e-9 * max(1.0, abs(ub)))
        fix[req] = False
        cur &= ~fix
        stats["fixed_sites"] += int(fix.sum())
    restricted_empty = int(cur.sum()) < p
    lv = _Levels(C, cur)
    restricted_empty = restricted_empty or bool((lv.L == 0).any())
    served = lv.level_of(ub_travel)
    if lp_radius is not None:
        # keep the levels the LP solution uses (plus one), and those of the incumbent
        served = np.maximum(served, lv.level_of(lp_radius))
    K = np.maximum(1, np.minimum(served + 2, lv.L))

    def run_lp(K):
        """Extend truncation until the LP relaxation no longer uses any truncated tail."""
        sol = None
        for _ in range(40):
            if time.perf_counter() >= deadline:
                return K, None
            model, zi, zk, zcol = _build_truncated(lv, w, K, p, m, cur, req)
            rem = deadline - time.perf_counter()
            sol = solve_milp(
                model["c"], model["A"], model["row_lo"], model["row_hi"], model["col_lo"],
                model["col_hi"], None, offset=model["offset"],
                time_limit=None if math.isinf(rem) else rem, verbose=verbose,
            )
            stats["lp_solves"] += 1
            if sol.status != "optimal":
                return K, None
            is_last = zk == (K[zi] - 1)
            last = np.zeros(n)
            last[zi[is_last]] = sol.x[zcol[is_last]]
            grow = (K < lv.L) & (last > 1e-7)
            if not grow.any():
                return K, sol
            K = np.where(grow, np.minimum(np.maximum(K + 2, (3 * K) // 2), lv.L), K)
        return K, None

    for _round in range(0 if (restricted_empty or lb >= threshold) else 3):
        K, lp = run_lp(K)
        if lp is None:
            break
        lp_bound = lp.objective
        lb = max(lb, min(threshold, lp_bound))
        if lp.reduced_costs is None or lp_bound >= threshold:
            break
        rc = lp.reduced_costs[:m]
        fix = cur & (lp.x[:m] < 1e-9) & (lp_bound + rc > threshold + 1e-9 * max(1.0, abs(ub)))
        fix[req] = False
        if not fix.any():
            break
        radius = lv.D[lv.lvl_off[:-1] + K - 1]  # keep at least the same radius
        cur = cur & ~fix
        stats["fixed_sites"] += int(fix.sum())
        if int(cur.sum()) < p:
            restricted_empty = True
            break
        lv = _Levels(C, cur)
        if (lv.L == 0).any():
            restricted_empty = True
            break
        K = np.maximum(1, np.array([
            int(np.searchsorted(lv.D[lv.lvl_off[i]:lv.lvl_off[i + 1]], radius[i], side="right"))
            for i in range(n)
        ]))
        K = np.minimum(K, lv.L)
    if restricted_empty or lb >= threshold:
        # every solution better than the threshold would need a fixed site: incumbent is optimal
        status = "optimal"
        lb = max(lb, threshold)
    iterations = 0
    while status != "optimal":
        iterations += 1
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            break
        model, zi, zk, zcol = _build_truncated(lv, w, K, p, m, cur, req)
        stats["models"].append(
            {"rows": int(model["A"].shape[0]), "cols": int(model["A"].shape[1]),
             "nonzeros": int(model["A"].nnz), "sites": int(cur.sum())}
        )
        start = None
        if cur[best_sites].all():
            start = np.zeros(len(model["c"]))
            start[best_sites] = 1.0
            _, _, bt = pmedian_cost(C, w, best_sites)
            sl = lv.level_of(bt)
            start[zcol] = (sl[zi] > zk).astype(float)
        sol = solve_milp(
            model["c"], model["A"], model["row_lo"], model["row_hi"], model["col_lo"],
            model["col_hi"], model["integer"], offset=model["offset"],
            time_limit=None if math.isinf(remaining) else remaining,
            mip_rel_gap=mip_gap, mip_abs_gap=(1.0 - 1e-6) if integral else 1e-9,
            start=start, verbose=verbose, cutoff=threshold + (1.0 - 2e-6 if integral else 0.0),
            options={"mip_allow_restart": False},
        )
        stats["milp_solves"] += 1
        if sol.status == "infeasible" and not sol.has_solution:
            # nothing beats the threshold: the incumbent is optimal within the tolerance
            lb = max(lb, threshold)
            status = "optimal"
            break
        if math.isfinite(sol.bound):
            bnd = min(sol.bound, threshold)
            lb = max(lb, math.ceil(bnd - 1e-6) if integral else bnd)
        if not sol.has_solution:
            break
        sites = np.flatnonzero(np.round(sol.x[:m]).astype(bool))
        if len(sites) != p:
            raise SolverError(f"内部错误：求解器返回 {len(sites)} 个设施（应为 {p} 个）")
        obj, _, travel = pmedian_cost(C, w, sites)
        if obj < ub - 1e-9 * max(1.0, abs(ub)):
            ub, best_sites = obj, sites
            # a better incumbent: tighten the threshold (fixings made for the old one stay valid)
            threshold = (ub - 1.0 + 1e-6) if integral else ub * (1.0 - max(mip_gap, 1e-9))
        if relative_gap(ub, lb) <= max(mip_gap, 1e-9) or (integral and ub - lb < 1 - 1e-6):
            status = "optimal"
            break
        if sol.status != "optimal":
            break
        lev_true = lv.level_of(travel)
        grow = lev_true >= K
        if not grow.any():
            # the truncated optimum serves everyone within the kept levels: true optimum
            lb = max(lb, min(obj, threshold) if obj > ub else obj)
            status = "optimal"
            break
        K = np.where(grow, np.minimum(np.maximum(lev_true + 2, 2 * K), lv.L), K)
    if status == "optimal":
        lb = ub if integral else min(ub, max(lb, threshold))
    info = {
        "heuristic_seconds": round(t_heur, 4),
        "heuristic_objective": float(heur_obj),
        "milp_iterations": iterations,
        **stats,
    }
    return best_sites, ub, lb, status, info


# --------------------------------------------------------------------------- heuristic
def _heuristic(C, w, p, allowed, req, deadline, seed, neighbours):
    """Greedy + fast interchange, then alternate Lagrangian subgradient (bound) with local search
    started from the Lagrangian site sets (upper bound), then seeded perturbation rounds."""
    n, m = C.shape
    t0 = time.perf_counter()
    total = deadline - t0
    n_allowed = int(allowed.sum())
    K = neighbours if neighbours is not None else max(32, int(math.ceil(6.0 * n_allowed / p)))
    K = min(K, n_allowed)
    nl = NeighbourLists(C, w, allowed, K)
    t_lists = time.perf_counter() - t0
    ss = SwapSearch(nl, p, req, seed=seed)
    ss.greedy()
    ss.local_search(t0 + 0.3 * total)
    best_sites, ub = ss.solution(), ss.objective
    t_ls = time.perf_counter() - t0 - t_lists
    lam = 0.5 * (ss.d1 + np.minimum(ss.d2, nl.cap))
    lb = -math.inf
    t_lag = 0.0
    swaps = ss.swaps
    for frac in (0.55, 0.8):
        t1 = time.perf_counter()
        bnd, lam, Y = lagrangian_bound(nl, p, req, ub, lam0=lam, deadline=t0 + frac * total,
                                       target_gap=1e-6, max_iter=100_000, stall=30, theta0=1.0)
        t_lag += time.perf_counter() - t1
        lb = max(lb, bnd)
        if relative_gap(ub, lb) <= 1e-6 or len(Y) != p:
            break
        # Lagrangian heuristic: local search from the Lagrangian site set
        t1 = time.perf_counter()
        cand = SwapSearch(nl, p, req, seed=seed)
        cand.greedy(np.sort(Y))
        cand.local_search(deadline)
        swaps += cand.swaps
        if cand.objective < ub - 1e-9 * max(1.0, abs(ub)):
            best_sites, ub = cand.solution(), cand.objective
        t_ls += time.perf_counter() - t1
    if time.perf_counter() < deadline and relative_gap(ub, lb) > 1e-6:
        t1 = time.perf_counter()
        sites, obj, ils = iterated_local_search(nl, p, req, seed=seed, rounds=1_000_000, deadline=deadline,
                                                initial=best_sites)
        swaps += ils.swaps
        if obj < ub:
            best_sites, ub = sites, obj
        t_ls += time.perf_counter() - t1
    status = "optimal" if relative_gap(ub, lb) <= 1e-6 else "feasible"
    info = {
        "neighbours": K,
        "list_seconds": round(t_lists, 3),
        "local_search_seconds": round(t_ls, 3),
        "swaps": swaps,
        "lagrangian_seconds": round(t_lag, 3),
    }
    return best_sites, ub, lb, status, info
