import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from xiangcun.locate import (
    InfeasibleError,
    InputError,
    SolverError,
    solve_capacitated,
    solve_consolidation,
    solve_lscp,
    solve_mclp,
    solve_pcenter,
)


def transport_cost(C, w, Q, S, limit=np.inf):
    """Min-cost fractional assignment of demand w to open sites S with capacities Q (LP)."""
    n = len(w)
    S = list(S)
    k = len(S)
    c = (w[:, None] * C[:, S]).reshape(-1)
    bounds = [(0, 0) if C[i, S[j]] > limit else (0, 1) for i in range(n) for j in range(k)]
    A_eq = np.zeros((n, n * k))
    for i in range(n):
        A_eq[i, i * k:(i + 1) * k] = 1
    A_ub = np.zeros((k, n * k))
    for j in range(k):
        A_ub[j, j::k] = w
    res = linprog(c, A_ub=A_ub, b_ub=np.asarray(Q)[S], A_eq=A_eq, b_eq=np.ones(n), bounds=bounds,
                  method="highs")
    return res.fun if res.status == 0 else np.inf


def single_source_cost(C, w, Q, S, limit=np.inf):
    best = np.inf
    S = list(S)
    for a in itertools.product(S, repeat=len(w)):
        load = np.zeros(C.shape[1])
        ok = True
        for i, j in enumerate(a):
            if C[i, j] > limit:
                ok = False
                break
            load[j] += w[i]
        if ok and np.all(load <= Q + 1e-9):
            best = min(best, float(sum(w[i] * C[i, j] for i, j in enumerate(a))))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_capacitated_pmedian_brute_force(seed):
    rng = np.random.default_rng(seed)
    n, m, p = 7, 5, 2
    C = rng.integers(1, 20, (n, m)).astype(float)
    w = rng.integers(1, 4, n).astype(float)
    Q = rng.integers(5, 12, m).astype(float)
    best = min(transport_cost(C, w, Q, S) for S in itertools.combinations(range(m), p))
    if not np.isfinite(best):
        with pytest.raises(InfeasibleError):
            solve_capacitated(C, Q, w, p=p)
        return
    r = solve_capacitated(C, Q, w, p=p)
    assert r.objective == pytest.approx(best, rel=1e-6)
    assert np.all(r.loads <= Q + 1e-6)
    assert r.utilisation[r.sites].max() <= 1 + 1e-6


@pytest.mark.parametrize("seed", range(4))
def test_single_source_cflp_brute_force(seed):
    rng = np.random.default_rng(10 + seed)
    n, m = 5, 3
    C = rng.integers(1, 20, (n, m)).astype(float)
    w = rng.integers(1, 4, n).astype(float)
    Q = rng.integers(4, 9, m).astype(float)
    f = rng.integers(0, 15, m).astype(float)
    best = np.inf
    for k in range(1, m + 1):
        for S in itertools.combinations(range(m), k):
            best = min(best, single_source_cost(C, w, Q, S) + f[list(S)].sum())
    r = solve_capacitated(C, Q, w, fixed_costs=f, single_source=True)
    assert r.objective == pytest.approx(best, rel=1e-6)
    # single source: every demand point is on exactly one site
    assert r.allocation is None
    assert np.all(np.bincount(r.assignment, weights=w, minlength=m) <= Q + 1e-9)


def test_capacity_errors():
    C = np.ones((3, 2))
    with pytest.raises(InfeasibleError, match="总容量 4 小于总需求 6"):
        solve_capacitated(C, [2, 2], [2, 2, 2], p=2)
    with pytest.raises(InfeasibleError, match="单一来源"):
        solve_capacitated(C, [3, 3], [4, 1, 1], p=2, single_source=True)
    with pytest.raises(InputError, match="设施容量第 1 个值为负数"):
        solve_capacitated(C, [-1, 2], p=1)


@pytest.mark.parametrize("seed", range(6))
def test_mclp_brute_force(seed):
    rng = np.random.default_rng(20 + seed)
    n, m, p = 12, 6, 2
    C = rng.uniform(0, 10, (n, m))
    w = rng.integers(1, 10, n).astype(float)
    thr = 4.0
    best = max(float(w[(C[:, list(S)] <= thr).any(1)].sum()) for S in itertools.combinations(range(m), p))
    r = solve_mclp(C, thr, p, w)
    assert r.objective == pytest.approx(best)
    assert r.lower_bound == pytest.approx(best)  # upper bound for maximisation
    assert len(r.sites) == p


@pytest.mark.parametrize("seed", range(6))
def test_lscp_brute_force_and_uncoverable(seed):
    rng = np.random.default_rng(30 + seed)
    n, m = 10, 6
    C = rng.uniform(0, 10, (n, m))
    thr = 3.5
    cov = C <= thr
    coverable = cov.any(1)
    best = None
    for k in range(0, m + 1):
        for S in itertools.combinations(range(m), k):
            if np.all(cov[coverable][:, list(S)].any(1)) if k else not coverable.any():
                best = k
                break
        if best is not None:
            break
    r = solve_lscp(C, thr)
    assert r.objective == best
    assert sorted(r.extra["uncovered"].tolist()) == np.flatnonzero(~coverable).tolist()


@pytest.mark.parametrize("seed", range(6))
def test_pcenter_brute_force(seed):
    rng = np.random.default_rng(40 + seed)
    n, m, p = 10, 6, 2
    C = rng.integers(1, 50, (n, m)).astype(float)
    best = min(float(C[:, list(S)].min(1).max()) for S in itertools.combinations(range(m), p))
    r = solve_pcenter(C, p)
    assert r.objective == best
    assert r.lower_bound == best
    assert len(r.sites) == p


def brute_consolidation(C, w, Q, ex, fo, fc, E, fe, limit):
    m = C.shape[1]
    best = np.inf
    for y in itertools.product([0, 1], repeat=m):
        for e in itertools.product([0, 1], repeat=m):
            if any(e[j] and (not y[j] or E[j] == 0) for j in range(m)):
                continue
            S = [j for j in range(m) if y[j]]
            if not S:
                continue
            cap = np.array([Q[j] + (E[j] if e[j] else 0) for j in range(m)])
            t = transport_cost(C, w, cap, S, limit)
            fixed = sum(fo[j] for j in S) + sum(fc[j] for j in range(m) if ex[j] and not y[j])
            fixed += sum(fe[j] for j in range(m) if e[j])
            best = min(best, t + fixed)
    return best


@pytest.mark.parametrize("seed", range(4))
def test_consolidation_brute_force(seed):
    rng = np.random.default_rng(50 + seed)
    n, m = 6, 4
    C = rng.integers(1, 20, (n, m)).astype(float)
    w = rng.integers(1, 5, n).astype(float)
    Q = rng.integers(3, 9, m).astype(float)
    ex = [True, True, False, False]
    fo = [8.0, 6.0, 25.0, 30.0]
    fc = [3.0, 3.0, 0.0, 0.0]
    E = [4.0, 0.0, 3.0, 0.0]
    fe = [5.0, 0.0, 4.0, 0.0]
    limit = 17.0
    best = brute_consolidation(C, w, Q, ex, fo, fc, E, fe, limit)
    if not np.isfinite(best):
        with pytest.raises(InfeasibleError):
            solve_consolidation(C, w, capacities=Q, existing=ex, open_costs=fo, close_costs=fc,
                                expand_capacity=E, expand_costs=fe, max_cost=limit)
        return
    r = solve_consolidation(C, w, capacities=Q, existing=ex, open_costs=fo, close_costs=fc,
                            expand_capacity=E, expand_costs=fe, max_cost=limit)
    assert r.objective == pytest.approx(best, rel=1e-6)
    assert np.nanmax(r.travel) <= limit
    assert np.all(r.loads <= r.capacities + 1e-6)
    statuses = {row["site"]: row["status"] for row in r.extra["site_status"]}
    assert set(statuses) >= {0, 1}
    assert all(s in ("keep", "expand", "close", "new", "new+expand") for s in statuses.values())


def test_consolidation_names_unreachable_demand():
    C = np.array([[1.0, 2], [50, 60]])
    with pytest.raises(InfeasibleError, match="需求点 2 在最大出行时间 30"):
        solve_consolidation(C, capacities=[5, 5], existing=[0], max_cost=30)


# --------------------------------------------------------------------------- time limits
def no_incumbent(monkeypatch):
    """Make every MILP come back as HiGHS does when the time limit binds before any solution."""
    from xiangcun.locate import formulations
    from xiangcun.locate.milp import MilpSolution

    calls = []

    def fake(c, *args, maximize=False, **kwargs):
        calls.append(kwargs)
        return MilpSolution("time_limit", None, float("nan"), float("inf") if maximize else -float("inf"),
                            0.01, False)

    monkeypatch.setattr(formulations, "solve_milp", fake)
    return calls


def covering_instance(seed, n=14, m=7):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 10, (n, m)), rng.integers(1, 10, n).astype(float)


@pytest.mark.parametrize("seed", range(4))
def test_lscp_time_limit_without_incumbent_returns_greedy_cover(monkeypatch, seed):
    C, w = covering_instance(60 + seed)
    thr = 3.5
    cov = C <= thr
    coverable = cov.any(1)
    best = min(k for k in range(C.shape[1] + 1) for S in itertools.combinations(range(C.shape[1]), k)
               if cov[coverable][:, list(S)].any(1).all())
    calls = no_incumbent(monkeypatch)
    r = solve_lscp(C, thr, w, time_limit=1)
    assert calls and calls[0]["start"] is not None  # the greedy cover is offered to HiGHS as a start
    assert r.status == "time_limit" and r.extra["incumbent"] == "greedy"
    assert r.extra["covered"][coverable].all()  # a feasible cover
    assert r.lower_bound <= best <= r.objective == len(r.sites)
    assert np.isfinite(r.gap)
    assert sorted(r.extra["uncovered"].tolist()) == np.flatnonzero(~coverable).tolist()


def test_greedy_cover_and_its_bound_by_hand():
    from xiangcun.locate.formulations import _cover_bound, _greedy_cover

    # rows 0-3; site 0 covers {0,1,2}, site 1 {2,3}, site 2 {3}, site 3 {0} (cost 5)
    cov = np.array([[1, 0, 0, 1], [1, 0, 0, 0], [1, 1, 0, 0], [0, 1, 1, 0]], dtype=bool)
    sc = np.array([1.0, 1.0, 1.0, 5.0])
    assert _greedy_cover(cov, sc, np.array([], dtype=int)).tolist() == [0, 1]
    # rows 1 (only site 0) and 3 (sites 1, 2) have disjoint covering sets: bound 1 + 1
    assert _cover_bound(cov, sc, np.array([], dtype=int)) == 2
    # a required site that makes another redundant: site 3 covers row 0, site 0 is still needed
    assert _greedy_cover(cov, sc, np.array([3])).tolist() == [0, 1, 3]
    assert _cover_bound(cov, sc, np.array([3])) == 5 + 1 + 1


@pytest.mark.parametrize("seed", range(4))
def test_mclp_time_limit_without_incumbent_returns_greedy(monkeypatch, seed):
    C, w = covering_instance(70 + seed)
    thr, p = 3.0, 2
    no_incumbent(monkeypatch)
    r = solve_mclp(C, thr, p, w, required=[1], time_limit=1)
    assert r.status == "time_limit" and r.extra["incumbent"] == "greedy"
    assert len(r.sites) == p and 1 in r.sites
    assert r.objective == pytest.approx(float(w[(C[:, r.sites] <= thr).any(1)].sum()))
    best_req = max(float(w[(C[:, [1, j]] <= thr).any(1)].sum()) for j in range(C.shape[1]) if j != 1)
    assert r.objective <= best_req <= r.lower_bound  # an upper bound for maximisation
    assert np.isfinite(r.gap)


@pytest.mark.parametrize("seed", range(4))
def test_pcenter_time_limit_without_incumbent_returns_greedy(monkeypatch, seed):
    rng = np.random.default_rng(80 + seed)
    C = rng.integers(1, 50, (10, 6)).astype(float)
    p = 2
    best = min(float(C[:, list(S)].min(1).max()) for S in itertools.combinations(range(6), p))
    no_incumbent(monkeypatch)
    r = solve_pcenter(C, p, time_limit=1)
    # optimal only when the greedy radius meets the nearest-site bound without any MILP
    assert r.status == ("optimal" if r.objective == r.lower_bound else "time_limit")
    assert len(r.sites) == p
    assert r.objective == float(C[:, r.sites].min(1).max())
    assert r.lower_bound <= best <= r.objective


def test_pcenter_timeout_is_not_reported_as_infeasible(monkeypatch):
    # site 1 alone reaches demand 2: the greedy (p=1) cannot serve everyone, and the MILP runs out of
    # time. That is a time-limit error, not a claim that no solution exists.
    C = np.array([[1.0, 2.0], [1.0, 3.0], [np.inf, 4.0]])
    no_incumbent(monkeypatch)
    monkeypatch.setattr("xiangcun.locate.formulations._greedy_center", lambda *a: (np.array([0]), np.inf))
    with pytest.raises(SolverError, match="已达到时间限制（1 秒），仍未找到可行方案；请延长时间限制"):
        solve_pcenter(C, 1, time_limit=1)


def test_pcenter_names_demand_that_no_allowed_site_reaches():
    C = np.array([[1.0, 2.0], [np.inf, 3.0]])
    with pytest.raises(InfeasibleError, match="需求点 2 无法到达任何可用候选点"):
        solve_pcenter(C, 1, forbidden=[1])
    r = solve_pcenter(C, 1)
    assert r.sites.tolist() == [1] and r.objective == 3


def test_capacitated_models_time_limit_error(monkeypatch):
    no_incumbent(monkeypatch)
    C = np.array([[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(SolverError, match="容量约束模型已达到时间限制（2 秒），仍未找到可行方案；请延长时间限制后重试"):
        solve_capacitated(C, [5, 5], p=1, time_limit=2)
    with pytest.raises(SolverError, match="布局调整模型已达到时间限制（2 秒）.*请延长时间限制"):
        solve_consolidation(C, capacities=[5, 5], existing=[0], time_limit=2)


def test_covering_models_under_a_real_tiny_time_limit():
    # large enough that HiGHS rarely finishes in 10 ms; whatever happens, the results must be valid
    rng = np.random.default_rng(0)
    pts, st = rng.uniform(0, 100, (2000, 2)), rng.uniform(0, 100, (400, 2))
    C = np.sqrt(((pts[:, None] - st[None]) ** 2).sum(-1))
    r = solve_lscp(C, 8.0, time_limit=0.01)
    assert r.extra["covered"][(C <= 8.0).any(1)].all()
    assert r.lower_bound <= r.objective == len(r.sites)
    r = solve_mclp(C, 8.0, 40, time_limit=0.01)
    assert len(r.sites) == 40 and r.objective <= r.lower_bound
    r = solve_pcenter(C, 40, time_limit=0.01)
    assert len(r.sites) == 40 and r.lower_bound <= r.objective == pytest.approx(C[:, r.sites].min(1).max())


def test_demand_that_reaches_no_open_site_is_unassigned_not_given_inf_travel():
    # inf = unreachable (e.g. another road component): such demand is reported, never assigned
    C = np.array([[1.0, 9.0], [np.inf, 2.0], [3.0, np.inf]])
    r = solve_mclp(C, 2.5, 1, [1, 5, 1])
    assert r.sites.tolist() == [1]
    assert r.assignment.tolist() == [1, 1, -1]
    assert np.isnan(r.travel[2]) and r.loads.tolist() == [0, 6]
    assert r.to_dict()["assignment"][2] == {"demand": 2, "site": None, "travel": None}
    r = solve_lscp(C, 1.5)
    assert r.sites.tolist() == [0] and r.assignment.tolist() == [0, -1, 0]
    assert r.loads.tolist() == [2, 0] and r.extra["uncovered"].tolist() == [1, 2]  # beyond 1.5
