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

Its LP relaxation equals that of the classical assignment model. The exact method (1) finds an
incumbent by local search, (2) solves the LP by Benders cuts (``benders.py``), whose cut duals give
Lagrangian multipliers of the assignment constraints, (3) applies Lagrangian reduced-cost tests
(:func:`_lagrangian_reduction`): sites that cannot be closed/opened in a better solution are fixed,
and demand-site pairs that cannot occur in one are eliminated, and (4) solves the radius model on the
remaining pairs with a *subset* of each point's distinct cost levels (García, Labbé & Marín 2011):
every level up to the incumbent's/LP's radius plus a sparse tail at doubling gaps. Using a subset of
levels is a relaxation (a cost between two kept levels is rounded down); when the relaxed optimum is
charged its true cost for every point it is optimal, otherwise the levels around the offending
points' true costs are added and the model is solved again.

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
from .benders import lp_bound as benders_lp_bound
from .errors import InfeasibleError, SolverError
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
# The MILP starts from a near-optimal incumbent and an objective cutoff: its job is the proof, so
# HiGHS's primal heuristics (sub-MIPs that cost more time than the proof itself) are switched off.
_MILP_OPTIONS = {
    "mip_allow_restart": False,
    "mip_heuristic_effort": 0.0,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_root_reduced_cost": False,
    "mip_heuristic_run_feasibility_jump": False,
    "mip_heuristic_run_zi_round": False,
    "mip_heuristic_run_shifting": False,
}


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


def _build_subset(lv: _Levels, w: np.ndarray, KM: np.ndarray, p: int, m: int, allowed, req):
    """Radius model on a subset of each demand point's distinct cost levels (García, Labbé & Marín
    2011: reduction of distinct distances). ``KM[i, k]`` marks level ``k`` of point ``i`` as kept;
    level 0 is always kept. With kept levels ``s_0 = 0 < s_1 < ... < s_{T-1}`` and
    ``z_t`` = "not served within ``D^{s_t}``" the cost is ``D^0 + sum_t (b_t - b_{t-1}) z_t`` with
    ``b_t = D^{s_t + 1}`` (``b_{-1} = D^0``): a cost served between two kept levels is rounded down to
    the next level above the lower one, so the model is a relaxation, exact for every point whose
    served level ``l`` has ``l = 0`` or ``l - 1`` kept."""
    L = lv.L
    Lmax = KM.shape[1]
    ks = np.arange(Lmax)
    KM = KM & (ks[None, :] < L[:, None])
    KM[:, 0] = True
    T = KM.sum(axis=1)
    row_off = np.concatenate([[0], np.cumsum(T)])
    n_rows = int(row_off[-1]) + 1
    # rank of each kept level among the kept ones, and the row a level's sites go to
    ckept = np.cumsum(KM, axis=1)
    before = ckept - KM  # kept levels strictly below k = row index of level k
    ii_k, kk = np.nonzero(KM)  # kept (i, level) pairs in row-major order: t = position within row i
    t_k = before[ii_k, kk]
    has_z = kk < (L[ii_k] - 1)
    zi = ii_k[has_z]
    zt = t_k[has_z]
    zlev = kk[has_z]
    n_z = int(has_z.sum())
    zcol = m + np.arange(n_z)
    r1 = row_off[zi] + zt
    nxt = zt + 1 < T[zi]
    r2 = r1[nxt] + 1
    # y entries: finite sorted positions whose level is at or below the last kept level
    lev = lv.lev
    fin = lev < Lmax
    levc = np.where(fin, lev, 0)
    last_kept = np.take_along_axis(np.where(KM, ks[None, :], -1), np.argmax(
        np.where(KM, ks[None, :], -1), axis=1)[:, None], axis=1)[:, 0]
    mask = fin & (levc <= last_kept[:, None])
    ii, qq = np.nonzero(mask)
    y_rows = row_off[ii] + before[ii, levc[ii, qq]]
    y_cols = lv.sites[ii, qq]
    rows = np.concatenate([y_rows, r1, r2, np.full(m, n_rows - 1)])
    cols = np.concatenate([y_cols, zcol, zcol[nxt], np.arange(m)])
    vals = np.concatenate([np.ones(len(y_rows)), np.ones(n_z), -np.ones(int(nxt.sum())), np.ones(m)])
    n_cols = m + n_z
    A = sp.csr_matrix((vals, (rows, cols)), shape=(n_rows, n_cols))
    row_lo = np.zeros(n_rows)
    row_lo[row_off[:-1]] = 1.0
    row_hi = np.full(n_rows, np.inf)
    row_lo[-1] = row_hi[-1] = p
    b = lv.D[lv.lvl_off[zi] + zlev + 1]
    prev_b = np.empty(n_z)
    first = zt == 0
    prev_b[first] = lv.D[lv.lvl_off[zi[first]]]
    prev_b[~first] = b[np.flatnonzero(~first) - 1]
    c = np.zeros(n_cols)
    c[zcol] = w[zi] * (b - prev_b)
    offset = float(np.dot(w, lv.D[lv.lvl_off[:-1]]))
    col_lo = np.zeros(n_cols)
    col_hi = np.ones(n_cols)
    col_hi[:m][~allowed] = 0.0
    col_lo[:m][req] = 1.0
    col_hi[m:] = np.inf
    integer = np.zeros(n_cols, dtype=bool)
    integer[:m] = True
    return dict(c=c, A=A, row_lo=row_lo, row_hi=row_hi, col_lo=col_lo, col_hi=col_hi,
                integer=integer, offset=offset), zi, zlev, zcol


def _lagrangian_reduction(C, w, p, allowed, req, ub_travel, lam0, threshold, deadline,
                          max_iter: int = 300):
    """Lagrangian relaxation of the assignment constraints (weighted costs ``W = w_i d_ij``),
    started from the LP multipliers and improved by subgradient steps, then reduced-cost tests
    (Beasley 1993; Avella, Sassano & Vasil'ev 2007) against ``threshold`` (a solution has to be at
    or below it to matter):

    * site ``j`` outside the Lagrangian set ``Y`` is closed when ``L + rho_j - rho_(p) > threshold``;
      a site in ``Y`` is open when ``L - rho_j + rho_(p+1) > threshold``;
    * pair ``(i, j)`` is dropped when ``L + max(0, W_ij - lambda_i) + [j not in Y](rho_j - rho_(p))``
      exceeds the threshold: no solution at or below the threshold assigns ``i`` to ``j``.

    ``L`` is a valid lower bound for every multiplier vector."""
    n, m = C.shape
    idx = np.flatnonzero(allowed)
    W = np.asarray(C[:, idx], dtype=np.float64) * w[:, None]
    big = ~np.isfinite(W)
    if big.any():
        W[big] = np.inf
    reqm = np.zeros(m, dtype=bool)
    reqm[req] = True
    req_loc = reqm[idx]
    n_free = p - int(req_loc.sum())
    free_loc = np.flatnonzero(~req_loc)

    def evaluate(lam):
        R = np.minimum(W - lam[:, None], 0.0)
        rho = R.sum(axis=0)
        order = free_loc[np.argsort(rho[free_loc], kind="stable")]
        sel = order[:n_free]
        inY = req_loc.copy()
        inY[sel] = True
        L = float(lam.sum() + rho[inY].sum())
        return L, rho, inY, order

    # every multiplier vector >= 0 gives a valid bound; beyond a row's largest finite cost a
    # multiplier gains nothing, so they are kept within it (finite, well-scaled arithmetic)
    row_cap = np.where(np.isfinite(W), W, -np.inf).max(axis=1)
    row_cap = np.where(np.isfinite(row_cap), row_cap, 0.0)
    wt = w * np.where(np.isfinite(ub_travel), ub_travel, 0.0)
    cands = [] if lam0 is None else [np.asarray(lam0, dtype=np.float64)]
    cands.append(wt)
    cands = [np.clip(np.nan_to_num(c, nan=0.0, posinf=0.0), 0.0, row_cap) for c in cands]
    best = None
    for lam in cands:
        L, rho, inY, order = evaluate(lam)
        if best is None or L > best[0]:
            best = (L, lam, rho, inY, order)
    L, lam, rho, inY, order = best
    ub = threshold
    theta = 0.1 if lam0 is not None else 1.0
    stall = 0
    for _ in range(max_iter):
        if time.perf_counter() >= deadline or L >= threshold:
            break
        cnt = ((W < lam[:, None]) & inY[None, :]).sum(axis=1)
        g = 1.0 - cnt
        g[(lam <= 0) & (g < 0)] = 0.0
        g[(lam >= row_cap) & (g > 0)] = 0.0
        norm = float(g @ g)
        if norm == 0.0:
            break
        lam_new = np.clip(lam + theta * max(ub - L, 1e-9 * abs(ub)) / norm * g, 0.0, row_cap)
        res = evaluate(lam_new)
        lam = lam_new
        if res[0] > best[0]:
            best = (res[0], lam_new, *res[1:])
            stall = 0
        else:
            stall += 1
            if stall >= 10:
                theta *= 0.5
                stall = 0
                lam = best[1]
                if theta < 1e-4:
                    break
        L = res[0]
    L, lam, rho, inY, order = best
    closed = np.zeros(m, dtype=bool)
    opened = np.zeros(m, dtype=bool)
    pairs = np.zeros((n, m), dtype=bool)
    tol = 1e-9 * max(1.0, abs(threshold))
    if 0 < n_free < len(free_loc):
        rho_p = rho[order[n_free - 1]]
        rho_next = rho[order[n_free]]
        extra = np.where(inY, 0.0, np.maximum(rho - rho_p, 0.0))
        closed_loc = ~inY & (L + extra > threshold + tol)
        opened_loc = inY & ~req_loc & (L - rho + rho_next > threshold + tol)
    else:
        extra = np.zeros(len(idx))
        closed_loc = np.zeros(len(idx), dtype=bool)
        opened_loc = np.zeros(len(idx), dtype=bool)
    closed[idx[closed_loc]] = True
    opened[idx[opened_loc]] = True
    keep = (L + np.maximum(W - lam[:, None], 0.0) + extra[None, :] <= threshold + tol) & np.isfinite(W)
    keep[:, closed_loc] = False
    pairs[:, idx] = keep
    return {"bound": L, "closed": closed, "open": opened, "pairs": pairs}


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
    stats = {"milp_solves": 0, "fixed_sites": 0, "models": []}
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
    lam0 = binfo.pop("multipliers", None)
    stats.pop("multipliers", None)
    cur = allowed.copy()
    iterations = 0
    if lb >= threshold:
        status = "optimal"
    else:
        t1 = time.perf_counter()
        red = _lagrangian_reduction(C, w, p, cur, req, ub_travel, lam0, threshold, deadline)
        stats["lagrangian_seconds"] = round(time.perf_counter() - t1, 4)
        stats["lagrangian_bound"] = red["bound"]
        lb = max(lb, math.ceil(red["bound"] - 1e-6) if integral else red["bound"])
        stats["fixed_sites"] = int(red["closed"].sum())
        stats["fixed_open"] = int(red["open"].sum())
        stats["kept_pairs"] = int(red["pairs"].sum())
        cur &= ~red["closed"]
        req_all = np.union1d(req, np.flatnonzero(red["open"])).astype(np.int64)
        Cr = np.where(red["pairs"], C, np.inf)
        lv = _Levels(Cr, cur)
        if lb >= threshold or int(cur.sum()) < p or bool((lv.L == 0).any()):
            # every solution better than the threshold would need an eliminated site or pair
            status = "optimal"
    K = None
    while status != "optimal":
        iterations += 1
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            break
        if K is None:
            # levels up to the incumbent's and the LP's radius plus two; beyond them a demand point
            # is charged its next kept level (a relaxation, repaired below when the optimum uses it)
            served = lv.level_of(ub_travel)
            if lp_radius is not None:
                served = np.maximum(served, lv.level_of(lp_radius))
            K = np.maximum(1, np.minimum(served + 2, lv.L))
            Lmax = int(lv.L.max())
            ks = np.arange(Lmax)
            KM = ks[None, :] < K[:, None]
            beyond = ks[None, :] - K[:, None] + 1  # 1, 2, ... past the prefix
            KM |= (beyond > 0) & ((beyond & (beyond - 1)) == 0)  # a sparse tail at doubling gaps
            KM |= ks[None, :] == (lv.L[:, None] - 1)
        model, zi, zk, zcol = _build_subset(lv, w, KM, p, m, cur, req_all)
        stats["models"].append(
            {"rows": int(model["A"].shape[0]), "cols": int(model["A"].shape[1]),
             "nonzeros": int(model["A"].nnz), "sites": int(cur.sum())}
        )
        start = None
        if cur[best_sites].all() and np.isin(req_all, best_sites).all():
            _, _, bt = pmedian_cost(Cr, w, best_sites)
            if np.isfinite(bt).all():
                start = np.zeros(len(model["c"]))
                start[best_sites] = 1.0
                sl = lv.level_of(bt)
                start[zcol] = (sl[zi] > zk).astype(float)
        sol = solve_milp(
            model["c"], model["A"], model["row_lo"], model["row_hi"], model["col_lo"],
            model["col_hi"], model["integer"], offset=model["offset"],
            time_limit=None if math.isinf(remaining) else remaining,
            mip_rel_gap=mip_gap, mip_abs_gap=(1.0 - 1e-6) if integral else 1e-9,
            start=start, verbose=verbose, cutoff=threshold + (1.0 - 2e-6 if integral else 0.0),
            options=_MILP_OPTIONS,
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
            # a better incumbent: tighten the threshold (eliminations made for the old one stay valid)
            threshold = (ub - 1.0 + 1e-6) if integral else ub * (1.0 - max(mip_gap, 1e-9))
        if relative_gap(ub, lb) <= max(mip_gap, 1e-9) or (integral and ub - lb < 1 - 1e-6):
            status = "optimal"
            break
        if sol.status != "optimal":
            break
        _, _, travel_r = pmedian_cost(Cr, w, sites)
        lev_true = lv.level_of(travel_r)
        exact_rows = (lev_true == 0) | KM[np.arange(n), np.maximum(lev_true - 1, 0)]
        if exact_rows.all():
            # the relaxed optimum costs what it claims for every demand point: true optimum
            lb = max(lb, min(obj, threshold) if obj > ub else obj)
            status = "optimal"
            break
        bad = np.flatnonzero(~exact_rows)
        for d in (-2, -1, 0, 1):  # refine around the level each offending point is served at
            KM[bad, np.clip(lev_true[bad] + d, 0, lv.L[bad] - 1)] = True
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
    # the shares of the time limit count from the end of the list building (which may itself take
    # a good part of it on a loaded machine), so the Lagrangian bound always gets its share
    t_base = time.perf_counter()
    total = max(deadline - t_base, 0.0)
    ss.local_search(t_base + 0.3 * total)
    best_sites, ub = ss.solution(), ss.objective
    t_ls = time.perf_counter() - t0 - t_lists
    lam = 0.5 * (ss.d1 + np.minimum(ss.d2, nl.cap))
    lb = -math.inf
    t_lag = 0.0
    swaps = ss.swaps
    for frac in (0.55, 0.8):
        t1 = time.perf_counter()
        bnd, lam, Y = lagrangian_bound(nl, p, req, ub, lam0=lam, deadline=t_base + frac * total,
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
