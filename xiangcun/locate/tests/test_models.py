import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from xiangcun.locate import (
    InfeasibleError,
    InputError,
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
