"""MILP formulations: capacitated location, maximal covering, set covering, p-center, consolidation.

All models are MILPs solved by HiGHS. Demand-site pairs whose cost is infinite (unreachable) or above
a model's travel limit are never created, so the models stay sparse.
"""

from __future__ import annotations

import math
import time
from types import SimpleNamespace

import numpy as np
import scipy.sparse as sp

from . import validate as V
from .errors import InfeasibleError, InputError, SolverError
from .milp import solve_milp
from .result import LocateResult, assignment_stats


def _prep(costs, weights, required, forbidden, *, allow_unreachable=True):
    C = V.cost_matrix(costs, allow_inf=allow_unreachable)
    C = np.asarray(C, dtype=np.float64)
    n, m = C.shape
    w = V.weights(weights, n)
    req = V.index_set(required, m, name="必须保留的设施")
    forb = V.index_set(forbidden, m, name="禁止使用的候选点")
    both = np.intersect1d(req, forb)
    if both.size:
        raise InputError(f"候选点 {V._list(both)} 同时被指定为必须保留和禁止使用")
    allowed = np.ones(m, dtype=bool)
    allowed[forb] = False
    return C, w, req, forb, allowed


def _deadline(time_limit):
    if time_limit is None:
        return None
    return V.positive_number(time_limit, name="时间限制")


def _nearest_open(C: np.ndarray, sites: np.ndarray, limit: float = math.inf):
    """Nearest open site per demand (-1 if none within ``limit``, or none reachable: inf)."""
    n = C.shape[0]
    if len(sites) == 0:
        return np.full(n, -1, dtype=np.int64)
    sub = C[:, sites]
    a = np.argmin(sub, axis=1)
    best = sub[np.arange(n), a]
    out = sites[a].astype(np.int64)
    out[~(np.isfinite(best) & (best <= limit))] = -1
    return out


def _status(sol) -> str:
    if sol.status == "optimal":
        return "optimal"
    if sol.has_solution:
        return "feasible"
    return sol.status


def _no_solution(sol, what: str, time_limit) -> SolverError:
    """The error for a MILP that came back without any feasible solution (not proven infeasible)."""
    if sol.status == "time_limit":
        lim = f"（{time_limit:g} 秒）" if time_limit is not None else ""
        return SolverError(f"{what}已达到时间限制{lim}，仍未找到可行方案；请延长时间限制后重试")
    return SolverError(f"{what}求解器没有返回可行方案（求解状态：{sol.status}）")


# --------------------------------------------------------------------------- capacitated
def solve_capacitated(
    costs,
    capacities,
    weights=None,
    *,
    p: int | None = None,
    fixed_costs=None,
    single_source: bool = False,
    required=None,
    forbidden=None,
    max_cost: float | None = None,
    time_limit: float | None = None,
    mip_gap: float = 1e-7,
) -> LocateResult:
    """Capacitated facility location / capacitated p-median.

    Minimise ``sum w_i d_ij x_ij + sum f_j y_j`` where ``x_ij`` is the share of demand ``i`` served by
    site ``j`` and ``sum_i w_i x_ij <= Q_j y_j``. With ``p`` exactly ``p`` sites open (capacitated
    p-median); with ``fixed_costs`` the number of sites is free (CFLP). ``single_source`` makes every
    demand point use one site. ``max_cost`` forbids assignments above that travel cost.
    """
    t0 = time.perf_counter()
    C, w, req, forb, allowed = _prep(costs, weights, required, forbidden)
    n, m = C.shape
    Q = V.site_values(capacities, m, name="设施容量")
    f = V.site_values(fixed_costs, m, name="设施固定成本", default=0.0)
    if p is not None:
        p = V.facility_count(p, m, req, forb)
    elif fixed_costs is None:
        raise InputError("容量约束模型需要给出设施数 p 或设施固定成本 fixed_costs")
    limit = math.inf if max_cost is None else V.positive_number(max_cost, name="最大出行费用", allow_zero=True)
    # feasibility checks that name the problem
    total = float(w.sum())
    usable = allowed & (Q > 0)
    if p is None:
        cap_max = float(Q[usable].sum())
    else:
        cap_max = float(np.sort(Q[allowed])[::-1][:p].sum())
    if cap_max + 1e-9 < total:
        what = f"容量最大的 {p} 个设施" if p is not None else "全部可用设施"
        raise InfeasibleError(f"{what}总容量 {cap_max:g} 小于总需求 {total:g}，无法容纳全部需求")
    ok = np.isfinite(C) & (C <= limit) & allowed[None, :]
    dead = ~ok.any(axis=1) & (w > 0)
    if dead.any():
        raise InfeasibleError(f"需求点 {V._list(np.flatnonzero(dead) + 1)} 在出行限制内没有任何可用设施")
    if single_source:
        too_big = np.flatnonzero((w[:, None] > np.where(ok, Q[None, :], -1)).all(axis=1) & (w > 0))
        if too_big.size:
            raise InfeasibleError(
                f"单一来源分配下，需求点 {V._list(too_big + 1)} 的需求超过了任何可达设施的容量"
            )
    ii, jj = np.nonzero(ok & (w[:, None] > 0))
    k = len(ii)
    cost = np.concatenate([f, w[ii] * C[ii, jj]])
    # rows: assignment (n_pos), link (k), capacity (m), cardinality (0/1)
    pos = np.flatnonzero(w > 0)
    row_of = np.full(n, -1)
    row_of[pos] = np.arange(len(pos))
    xcol = m + np.arange(k)
    r_assign = (row_of[ii], xcol, np.ones(k))
    base = len(pos)
    r_link = (np.concatenate([base + np.arange(k), base + np.arange(k)]),
              np.concatenate([xcol, jj]), np.concatenate([np.ones(k), -np.ones(k)]))
    base2 = base + k
    r_cap = (np.concatenate([base2 + jj, base2 + np.arange(m)]),
             np.concatenate([xcol, np.arange(m)]), np.concatenate([w[ii], -Q]))
    n_rows = base2 + m + (1 if p is not None else 0)
    rows = [r_assign[0], r_link[0], r_cap[0]]
    cols = [r_assign[1], r_link[1], r_cap[1]]
    vals = [r_assign[2], r_link[2], r_cap[2]]
    if p is not None:
        rows.append(np.full(m, n_rows - 1))
        cols.append(np.arange(m))
        vals.append(np.ones(m))
    A = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                      shape=(n_rows, m + k))
    lo = np.concatenate([np.ones(base), np.full(k, -np.inf), np.full(m, -np.inf)])
    hi = np.concatenate([np.ones(base), np.zeros(k), np.zeros(m)])
    if p is not None:
        lo = np.append(lo, p)
        hi = np.append(hi, p)
    col_lo = np.zeros(m + k)
    col_hi = np.ones(m + k)
    col_hi[:m][~allowed] = 0
    col_lo[:m][req] = 1
    integer = np.zeros(m + k, dtype=bool)
    integer[:m] = True
    if single_source:
        integer[m:] = True
    sol = solve_milp(cost, A, lo, hi, col_lo, col_hi, integer, time_limit=_deadline(time_limit),
                     mip_rel_gap=mip_gap)
    if not sol.has_solution:
        if sol.status == "infeasible":
            raise InfeasibleError("容量约束模型无可行解：在容量和出行限制下无法分配全部需求")
        raise _no_solution(sol, "容量约束模型", time_limit)
    y = np.round(sol.x[:m]) > 0.5
    sites = np.flatnonzero(y)
    x = sol.x[m:]
    share = np.zeros((n, m))
    share[ii, jj] = np.clip(x, 0, 1)
    assignment = np.where(w > 0, np.argmax(share, axis=1), _nearest_open(C, sites))
    travel, _ = assignment_stats(C, w, assignment, m)
    loads = np.bincount(jj, weights=w[ii] * x, minlength=m)
    alloc = [(int(i), int(j), float(v)) for i, j, v in zip(ii, jj, x) if v > 1e-9]
    extra = {"fixed_cost": float(f[sites].sum()), "travel_cost": float(np.dot(w[ii] * C[ii, jj], x))}
    return LocateResult(
        model="capacitated", status=_status(sol), sites=sites, assignment=assignment,
        objective=sol.objective, lower_bound=min(sol.bound, sol.objective), seconds=time.perf_counter() - t0,
        travel=travel, loads=loads, capacities=Q, allocation=None if single_source else alloc, extra=extra,
    )


# --------------------------------------------------------------------------- covering
def _coverage(C, threshold, allowed):
    return (C <= threshold) & allowed[None, :]


class _Cover:
    """A 0/1 coverage matrix (rows: demand, columns: sites) in both sparse orientations, with the
    state of a greedy: open sites, uncovered rows and each site's gain (the ``value`` of the uncovered
    rows it covers). Used for the heuristics and bounds behind the covering models' time limits."""

    def __init__(self, cov, value=None):
        self.rows = sp.csr_matrix(cov, dtype=np.int8)  # demand -> sites
        self.rows.sum_duplicates()
        self.cols = self.rows.T.tocsr()  # site -> demand
        self.k, self.m = self.rows.shape
        self.value = np.ones(self.k) if value is None else np.asarray(value, dtype=np.float64)
        self.gain = self.cols @ self.value
        self.uncovered = np.ones(self.k, dtype=bool)
        self.is_open = np.zeros(self.m, dtype=bool)

    def sites_of(self, i):
        r = self.rows
        return r.indices[r.indptr[i]:r.indptr[i + 1]]

    def demand_of(self, sites):
        """The rows covered by any of ``sites`` (with repeats)."""
        return self.cols[np.asarray(sites, dtype=np.int64)].indices

    def take(self, sites):
        """Open ``sites``: their rows become covered and stop counting in every site's gain."""
        rows = np.unique(self.demand_of(sites))
        rows = rows[self.uncovered[rows]]
        self.uncovered[rows] = False
        sub = self.rows[rows]
        self.gain -= np.bincount(sub.indices, weights=np.repeat(self.value[rows], np.diff(sub.indptr)),
                                 minlength=self.m)
        self.is_open[sites] = True


def _greedy_cover(cov, sc, req):
    """Greedy weighted set cover (cheapest cost per newly covered row first, the required sites
    open from the start), then redundant sites dropped. Every row of ``cov`` must be coverable."""
    G = _Cover(cov)
    G.take(req)
    cost = np.maximum(sc, 1e-12)
    order = []
    while G.uncovered.any():
        ratio = np.where(~G.is_open & (G.gain > 0.5), G.gain / cost, -1.0)
        j = int(np.argmax(ratio))
        if ratio[j] < 0:  # a row no site covers: cannot happen for the rows we are given
            raise SolverError("内部错误：贪心覆盖遇到无法覆盖的需求点")
        order.append(j)
        G.take([j])
    # drop sites whose rows are all covered by other open sites (latest, least useful first)
    n_open = np.bincount(G.demand_of(np.flatnonzero(G.is_open)), minlength=G.k)
    for j in reversed(order):
        rows = G.demand_of([j])
        if rows.size == 0 or (n_open[rows] >= 2).all():
            G.is_open[j] = False
            n_open[rows] -= 1
    return np.flatnonzero(G.is_open)


def _cover_bound(cov, sc, req) -> float:
    """A proven lower bound on the cost of covering every row of ``cov``: the required sites plus,
    for rows (not covered by them) with pairwise disjoint covering sets, the cheapest site of each."""
    G = _Cover(cov)
    bound = float(sc[req].sum())
    rows = np.setdiff1d(np.arange(G.k), G.demand_of(req))
    if rows.size == 0:
        return bound
    deg = np.diff(G.rows.indptr)[rows]
    used = np.zeros(G.m, dtype=bool)
    used[req] = True
    for i in rows[np.argsort(deg, kind="stable")]:
        js = G.sites_of(i)
        if not used[js].any():
            used[js] = True
            bound += float(sc[js].min())
    return bound


def _greedy_mclp(cov, w, p, req, allowed):
    """Greedy maximal covering: the required sites, then the site covering the most uncovered weight,
    until ``p`` sites are open (sites that add nothing fill up the count)."""
    G = _Cover(cov, w)
    G.take(req)
    while G.is_open.sum() < p:
        G.take([int(np.argmax(np.where(allowed & ~G.is_open, G.gain, -1.0)))])
    return np.flatnonzero(G.is_open)


def solve_mclp(
    costs,
    threshold: float,
    p: int,
    weights=None,
    *,
    required=None,
    forbidden=None,
    time_limit: float | None = None,
) -> LocateResult:
    """Maximal covering: open ``p`` sites maximising the weighted demand within ``threshold``."""
    t0 = time.perf_counter()
    C, w, req, forb, allowed = _prep(costs, weights, required, forbidden)
    n, m = C.shape
    thr = V.positive_number(threshold, name="覆盖半径", allow_zero=True)
    p = V.facility_count(p, m, req, forb)
    cov = _coverage(C, thr, allowed)
    coverable = cov.any(axis=1) & (w > 0)
    idx = np.flatnonzero(coverable)
    ii, jj = np.nonzero(cov[idx])
    k = len(idx)
    # vars: y (m), c (k)  — c_i <= sum_{j covers i} y_j
    rows = np.concatenate([np.arange(k), ii, np.full(m, k)])
    cols = np.concatenate([m + np.arange(k), jj, np.arange(m)])
    vals = np.concatenate([np.ones(k), -np.ones(len(ii)), np.ones(m)])
    A = sp.csr_matrix((vals, (rows, cols)), shape=(k + 1, m + k))
    lo = np.concatenate([np.full(k, -np.inf), [p]])
    hi = np.concatenate([np.zeros(k), [p]])
    c = np.concatenate([np.zeros(m), w[idx]])
    col_lo = np.zeros(m + k)
    col_hi = np.ones(m + k)
    col_hi[:m][~allowed] = 0
    col_lo[:m][req] = 1
    integer = np.zeros(m + k, dtype=bool)
    integer[:m] = True
    greedy = _greedy_mclp(cov[idx], w[idx], p, req, allowed)
    start = np.zeros(m + k)
    start[greedy] = 1.0
    start[m:] = cov[idx][:, greedy].any(axis=1)
    tl = _deadline(time_limit)
    sol = solve_milp(c, A, lo, hi, col_lo, col_hi, integer, maximize=True, time_limit=tl, start=start)
    g_obj = float(w[cov[:, greedy].any(axis=1)].sum())
    extra = {}
    if sol.has_solution:
        sites = np.flatnonzero(np.round(sol.x[:m]) > 0.5)
        status = _status(sol)
    elif sol.status == "time_limit":
        # no incumbent from HiGHS in time: report the greedy cover with a proven upper bound
        sites, status = greedy, "time_limit"
        extra["incumbent"] = "greedy"
    else:
        raise _no_solution(sol, "最大覆盖模型", tl)
    covered = cov[:, sites].any(axis=1)
    obj = float(w[covered].sum())
    if g_obj > obj:
        sites, covered, obj = greedy, cov[:, greedy].any(axis=1), g_obj
    # upper bound without the solver: all coverable weight, and the required sites plus the p
    # others that cover the most weight each
    site_w = np.asarray(cov[idx].T @ w[idx], dtype=np.float64).ravel()
    others = np.sort(np.where(allowed, site_w, 0.0)[np.setdiff1d(np.arange(m), req)])[::-1]
    ub = min(float(w[idx].sum()), float(site_w[req].sum() + others[: p - len(req)].sum()))
    if math.isfinite(sol.bound):
        ub = min(ub, sol.bound)
    assignment = _nearest_open(C, sites)
    travel, loads = assignment_stats(C, w, assignment, m)
    total = float(w.sum())
    return LocateResult(
        model="mclp", status=status, sites=sites, assignment=assignment, objective=obj,
        lower_bound=max(ub, obj), seconds=time.perf_counter() - t0, travel=travel, loads=loads,
        maximize=True,
        extra={
            "covered": covered,
            "covered_weight": obj,
            "total_weight": total,
            "coverage": obj / total if total > 0 else 1.0,
            "uncoverable": np.flatnonzero(~cov.any(axis=1)),
            **extra,
        },
    )


def solve_lscp(
    costs,
    threshold: float,
    weights=None,
    *,
    site_costs=None,
    required=None,
    forbidden=None,
    time_limit: float | None = None,
) -> LocateResult:
    """Location set covering: fewest (or cheapest) sites so that all coverable demand is within
    ``threshold``. Demand that no allowed site can cover is reported in ``extra["uncovered"]``."""
    t0 = time.perf_counter()
    C, w, req, forb, allowed = _prep(costs, weights, required, forbidden)
    n, m = C.shape
    thr = V.positive_number(threshold, name="覆盖半径", allow_zero=True)
    sc = V.site_values(site_costs, m, name="设施成本", default=1.0)
    cov = _coverage(C, thr, allowed)
    coverable = cov.any(axis=1)
    tl = _deadline(time_limit)
    rows = cov[coverable]
    greedy = _greedy_cover(rows, sc, req)
    sites, obj, bound, status = _set_cover(rows, sc, allowed, req, tl, start=greedy)
    extra = {}
    if sites is None:
        if status != "time_limit":
            raise _no_solution(SimpleNamespace(status=status), "集合覆盖模型", tl)
        # no incumbent from HiGHS in time: report the greedy cover
        sites, obj, status = greedy, float(sc[greedy].sum()), "time_limit"
        extra["incumbent"] = "greedy"
    if status != "optimal":  # the solver's bound may be missing (-inf) when it stopped early
        bound = min(obj, max(bound, _cover_bound(rows, sc, req)))
    assignment = _nearest_open(C, sites)
    travel, loads = assignment_stats(C, w, assignment, m)
    uncovered = np.flatnonzero(~coverable)
    return LocateResult(
        model="lscp", status=status, sites=sites, assignment=assignment, objective=obj,
        lower_bound=bound, seconds=time.perf_counter() - t0, travel=travel, loads=loads,
        extra={
            "uncovered": uncovered,
            "uncovered_weight": float(w[uncovered].sum()),
            "covered": cov[:, sites].any(axis=1),
            **extra,
        },
    )


def _set_cover(cov, sc, allowed, req, time_limit, max_sites=None, start=None):
    """min sum c_j y_j s.t. every row of ``cov`` has an open site. Returns sites, obj, bound, status;
    sites is None (obj inf) when the solver has no solution (infeasible, or out of time)."""
    k, m = cov.shape
    if k == 0:
        sites = np.sort(req)
        obj = float(sc[sites].sum())
        return sites, obj, obj, "optimal"
    ii, jj = np.nonzero(cov)
    A = sp.csr_matrix((np.ones(len(ii)), (ii, jj)), shape=(k, m))
    lo = np.ones(k)
    hi = np.full(k, np.inf)
    if max_sites is not None:
        A = sp.vstack([A, sp.csr_matrix(np.ones((1, m)))]).tocsr()
        lo = np.append(lo, -np.inf)
        hi = np.append(hi, max_sites)
    col_lo = np.zeros(m)
    col_hi = np.where(allowed, 1.0, 0.0)
    col_lo[req] = 1
    y0 = None
    if start is not None:
        y0 = np.zeros(m)
        y0[start] = 1.0
    sol = solve_milp(sc, A, lo, hi, col_lo, col_hi, np.ones(m, dtype=bool), time_limit=time_limit, start=y0)
    if not sol.has_solution:
        return None, math.inf, sol.bound, sol.status
    sites = np.flatnonzero(np.round(sol.x) > 0.5)
    return sites, float(sc[sites].sum()), min(sol.bound, float(sc[sites].sum())), _status(sol)


# --------------------------------------------------------------------------- p-center
def solve_pcenter(
    costs,
    p: int,
    weights=None,
    *,
    required=None,
    forbidden=None,
    time_limit: float | None = None,
) -> LocateResult:
    """p-center: open ``p`` sites minimising the largest travel cost of any demand point with positive
    weight. Exact by bisection over the distinct costs with a set-covering feasibility MILP."""
    t0 = time.perf_counter()
    C, w, req, forb, allowed = _prep(costs, weights, required, forbidden)
    n, m = C.shape
    p = V.facility_count(p, m, req, forb)
    tl = _deadline(time_limit)
    deadline = math.inf if tl is None else t0 + tl
    act = w > 0 if (w > 0).any() else np.ones(n, dtype=bool)
    Ca = C[act][:, allowed]
    dead = ~np.isfinite(Ca).any(axis=1)
    if dead.any():
        raise InfeasibleError(f"需求点 {V._list(np.flatnonzero(act)[dead] + 1)} 无法到达任何可用候选点")
    # lower bound: every demand point needs at least its nearest allowed site
    cand = np.unique(Ca[np.isfinite(Ca)])
    lo_val = float(np.max(np.min(Ca, axis=1)))
    cand = cand[cand >= lo_val]
    Cact = C[act]
    # feasible upper end: a greedy farthest-first solution gives a quick upper bound (and the
    # incumbent if the time limit stops the bisection before any MILP has an answer)
    best_sites, best_r = _greedy_center(Cact, allowed, req, p)
    if not math.isfinite(best_r):
        best_sites = None
    lo_i, hi_i = 0, int(np.searchsorted(cand, best_r, side="left")) - 1
    timed_out = False
    proven_lb = lo_val
    sc = np.ones(m)
    while lo_i <= hi_i:
        if time.perf_counter() >= deadline:
            timed_out = True
            break
        mid = (lo_i + hi_i) // 2
        r = float(cand[mid])
        cov = (Cact <= r) & allowed[None, :]
        rem = None if math.isinf(deadline) else max(0.01, deadline - time.perf_counter())
        sites, cnt, bnd, st = _set_cover(cov, sc, allowed, req, rem, max_sites=p)
        if sites is not None and len(sites) <= p:
            best_sites, best_r = sites, r
            hi_i = mid - 1
        elif st in ("infeasible",) or (sites is None and st == "optimal"):
            proven_lb = max(proven_lb, float(cand[mid + 1]) if mid + 1 < len(cand) else r)
            lo_i = mid + 1
        elif st == "time_limit":
            timed_out = True
            break
        else:
            raise _no_solution(SimpleNamespace(status=st), "p-中心模型", tl)
    if best_sites is None:
        if timed_out:
            raise _no_solution(SimpleNamespace(status="time_limit"), "p-中心模型", tl)
        raise InfeasibleError(f"在 p={p} 的限制下找不到能到达全部需求点的方案")
    status = "time_limit" if timed_out else "optimal"
    # top up to exactly p sites (extra sites never increase the radius): add cheapest-to-add
    sites = list(best_sites)
    if len(sites) < p:
        free = [j for j in np.flatnonzero(allowed) if j not in set(sites)]
        sites += free[: p - len(sites)]
    sites = np.sort(np.array(sites, dtype=np.int64))
    assignment = _nearest_open(C, sites)
    travel, loads = assignment_stats(C, w, assignment, m)
    obj = float(np.max(travel[act])) if act.any() else float(np.max(travel))
    return LocateResult(
        model="p-center", status=status, sites=sites, assignment=assignment, objective=obj,
        lower_bound=obj if status == "optimal" else min(proven_lb, obj), seconds=time.perf_counter() - t0,
        travel=travel, loads=loads,
    )


def _greedy_center(C, allowed, req, p):
    """Farthest-first p-center heuristic: open the required sites, then repeatedly the site nearest to
    the demand point farthest from every open site. Returns the sites and their radius."""
    n, m = C.shape
    is_open = np.zeros(m, dtype=bool)
    is_open[req] = True
    d = C[:, req].min(axis=1) if len(req) else np.full(n, np.inf)
    while is_open.sum() < p:
        i = int(np.argmax(d))
        row = np.where(allowed & ~is_open, C[i], np.inf)
        j = int(np.argmin(row))
        if not row[j] < d[i]:  # nothing more can serve the farthest point better
            break
        is_open[j] = True
        d = np.minimum(d, C[:, j])
    return np.flatnonzero(is_open), float(d.max())


# --------------------------------------------------------------------------- consolidation
def solve_consolidation(
    costs,
    weights=None,
    *,
    capacities,
    existing,
    current_loads=None,
    open_costs=None,
    close_costs=None,
    expand_capacity=None,
    expand_costs=None,
    max_cost: float | None = None,
    travel_weight: float = 1.0,
    required=None,
    forbidden=None,
    max_sites: int | None = None,
    single_source: bool = False,
    time_limit: float | None = None,
    mip_gap: float = 1e-7,
) -> LocateResult:
    """Keep / close / expand existing facilities and build new ones.

    Minimise ``travel_weight * sum w_i d_ij x_ij + sum open_j y_j + sum_{existing} close_j (1 - y_j)
    + sum expand_j e_j`` subject to every demand point being served within ``max_cost`` (pairs above it
    are not allowed), ``sum_i w_i x_ij <= Q_j y_j + E_j e_j``, ``e_j <= y_j``. ``existing`` lists the
    sites that exist today (the others are candidate new sites); ``open_costs`` is the cost of keeping
    an existing site (e.g. annual operation) or of building a new one; ``close_costs`` the one-off cost
    of closing an existing site. Site statuses: keep, expand, close, new, unused.
    """
    t0 = time.perf_counter()
    C, w, req, forb, allowed = _prep(costs, weights, required, forbidden)
    n, m = C.shape
    Q = V.site_values(capacities, m, name="设施容量")
    ex_idx = V.index_set(existing, m, name="现有设施") if not (
        isinstance(existing, (list, np.ndarray)) and len(existing) == m
        and all(isinstance(v, (bool, np.bool_)) for v in existing)
    ) else np.flatnonzero(np.asarray(existing, dtype=bool))
    is_ex = np.zeros(m, dtype=bool)
    is_ex[ex_idx] = True
    cur = V.site_values(current_loads, m, name="现有负荷", default=0.0)
    fo = V.site_values(open_costs, m, name="开设/保留成本", default=0.0)
    fc = V.site_values(close_costs, m, name="关闭成本", default=0.0)
    E = V.site_values(expand_capacity, m, name="扩建容量", default=0.0)
    fe = V.site_values(expand_costs, m, name="扩建成本", default=0.0)
    tw = V.positive_number(travel_weight, name="出行费用权重", allow_zero=True)
    limit = math.inf if max_cost is None else V.positive_number(max_cost, name="最大出行时间", allow_zero=True)
    if max_sites is not None:
        max_sites = V.facility_count(max_sites, m, req, forb, name="设施数上限")
    total = float(w.sum())
    cap_max = float((Q + E)[allowed].sum())
    if cap_max + 1e-9 < total:
        raise InfeasibleError(f"全部可用设施（含扩建）总容量 {cap_max:g} 小于总需求 {total:g}，无法容纳全部需求")
    ok = np.isfinite(C) & (C <= limit) & allowed[None, :]
    dead = ~ok.any(axis=1) & (w > 0)
    if dead.any():
        raise InfeasibleError(
            f"需求点 {V._list(np.flatnonzero(dead) + 1)} 在最大出行时间 {limit:g} 内没有任何可用设施"
        )
    ii, jj = np.nonzero(ok & (w[:, None] > 0))
    k = len(ii)
    pos = np.flatnonzero(w > 0)
    row_of = np.full(n, -1)
    row_of[pos] = np.arange(len(pos))
    # columns: y (m), e (m), x (k)
    xcol = 2 * m + np.arange(k)
    ecol = m + np.arange(m)
    b1 = len(pos)
    b2 = b1 + k
    b3 = b2 + m
    b4 = b3 + m
    rows = [row_of[ii], b1 + np.arange(k), b1 + np.arange(k), b2 + jj, b2 + np.arange(m), b2 + np.arange(m),
            b3 + np.arange(m), b3 + np.arange(m)]
    cols = [xcol, xcol, jj, xcol, np.arange(m), ecol, ecol, np.arange(m)]
    vals = [np.ones(k), np.ones(k), -np.ones(k), w[ii], -Q, -E, np.ones(m), -np.ones(m)]
    lo = [np.ones(b1), np.full(k, -np.inf), np.full(m, -np.inf), np.full(m, -np.inf)]
    hi = [np.ones(b1), np.zeros(k), np.zeros(m), np.zeros(m)]
    n_rows = b4
    if max_sites is not None:
        rows.append(np.full(m, b4))
        cols.append(np.arange(m))
        vals.append(np.ones(m))
        lo.append([-np.inf])
        hi.append([max_sites])
        n_rows += 1
    A = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                      shape=(n_rows, 2 * m + k))
    cost = np.concatenate([fo - np.where(is_ex, fc, 0.0), fe, tw * w[ii] * C[ii, jj]])
    offset = float(fc[is_ex].sum())
    col_lo = np.zeros(2 * m + k)
    col_hi = np.ones(2 * m + k)
    col_hi[:m][~allowed] = 0
    col_hi[m:2 * m][E <= 0] = 0
    col_lo[:m][req] = 1
    integer = np.zeros(2 * m + k, dtype=bool)
    integer[: 2 * m] = True
    if single_source:
        integer[2 * m:] = True
    sol = solve_milp(cost, A, np.concatenate(lo), np.concatenate(hi), col_lo, col_hi, integer,
                     offset=offset, time_limit=_deadline(time_limit), mip_rel_gap=mip_gap)
    if not sol.has_solution:
        if sol.status == "infeasible":
            raise InfeasibleError("布局调整模型无可行解：在容量、扩建和最大出行时间限制下无法服务全部需求")
        raise _no_solution(sol, "布局调整模型", time_limit)
    y = np.round(sol.x[:m]) > 0.5
    e = (np.round(sol.x[m:2 * m]) > 0.5) & y
    x = np.clip(sol.x[2 * m:], 0, 1)
    sites = np.flatnonzero(y)
    share = np.zeros((n, m))
    share[ii, jj] = x
    assignment = np.where(w > 0, np.argmax(share, axis=1), _nearest_open(C, sites))
    travel, _ = assignment_stats(C, w, assignment, m)
    loads = np.bincount(jj, weights=w[ii] * x, minlength=m)
    cap_eff = Q + np.where(e, E, 0.0)
    status_of = []
    for j in range(m):
        if is_ex[j]:
            status_of.append("expand" if e[j] else ("keep" if y[j] else "close"))
        else:
            status_of.append(("new+expand" if e[j] else "new") if y[j] else "unused")
    travel_cost = float(np.dot(w[ii] * C[ii, jj], x))
    extra = {
        "site_status": [
            {
                "site": j, "status": status_of[j], "existing": bool(is_ex[j]),
                "capacity": float(cap_eff[j]) if y[j] else 0.0,
                "current_load": float(cur[j]), "load": float(loads[j]),
            }
            for j in range(m) if y[j] or is_ex[j]
        ],
        "kept": np.flatnonzero(is_ex & y & ~e), "expanded": np.flatnonzero(e),
        "closed": np.flatnonzero(is_ex & ~y), "new": np.flatnonzero(~is_ex & y),
        "travel_cost": travel_cost,
        "facility_cost": float(sol.objective - tw * travel_cost),
    }
    alloc = None if single_source else [(int(i), int(j), float(v)) for i, j, v in zip(ii, jj, x) if v > 1e-9]
    return LocateResult(
        model="consolidation", status=_status(sol), sites=sites, assignment=assignment,
        objective=sol.objective, lower_bound=min(sol.bound, sol.objective),
        seconds=time.perf_counter() - t0, travel=travel, loads=loads, capacities=cap_eff,
        allocation=alloc, extra=extra,
    )
