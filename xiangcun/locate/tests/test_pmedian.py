import itertools

import numpy as np
import pytest

from xiangcun.locate import InfeasibleError, InputError, solve_pmedian
from xiangcun.locate.orlib import read_optima, read_pmed


def brute(C, w, p, required=(), forbidden=()):
    m = C.shape[1]
    allowed = [j for j in range(m) if j not in forbidden]
    best = np.inf
    for S in itertools.combinations(allowed, p):
        if not set(required) <= set(S):
            continue
        with np.errstate(invalid="ignore"):
            best = min(best, float((w * C[:, list(S)].min(1)).sum()))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_exact_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(4, 14)), int(rng.integers(3, 9))
    C = rng.integers(0, 30, size=(n, m)).astype(float) if seed % 2 else rng.uniform(0, 10, (n, m))
    w = rng.integers(1, 6, size=n).astype(float)
    p = int(rng.integers(1, m))
    r = solve_pmedian(C, p, w, method="exact")
    best = brute(C, w, p)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(best, rel=1e-9, abs=1e-9)
    assert r.lower_bound == pytest.approx(best, rel=1e-6, abs=1e-9)
    assert len(r.sites) == p
    # per-demand travel and loads are consistent with the assignment
    assert np.allclose(r.travel, C[np.arange(n), r.assignment])
    assert r.loads.sum() == pytest.approx(w.sum())
    assert set(np.flatnonzero(r.loads)) <= set(r.sites)


@pytest.mark.parametrize("seed", range(6))
def test_required_and_forbidden(seed):
    rng = np.random.default_rng(100 + seed)
    n, m = 10, 7
    C = rng.integers(1, 40, size=(n, m)).astype(float)
    w = rng.integers(1, 4, size=n).astype(float)
    req, forb = [int(seed % m)], [int((seed + 3) % m)]
    r = solve_pmedian(C, 3, w, required=req, forbidden=forb)
    assert r.objective == pytest.approx(brute(C, w, 3, req, forb))
    assert req[0] in r.sites and forb[0] not in r.sites


@pytest.mark.parametrize("seed", range(4))
def test_heuristic_bounds_bracket_optimum(seed):
    rng = np.random.default_rng(200 + seed)
    C = rng.uniform(0, 100, (40, 9))
    w = rng.integers(1, 100, 40).astype(float)
    best = brute(C, w, 3)
    r = solve_pmedian(C, 3, w, method="heuristic", time_limit=0.6, seed=seed)
    assert r.lower_bound <= best + 1e-6 <= r.objective + 2e-6
    # the Lagrangian dual equals the LP bound: compare with the LP relaxation from Benders cuts
    from xiangcun.locate.benders import lp_bound

    y = np.zeros(C.shape[1])
    y[r.sites] = 1
    lp = lp_bound(C, w, 3, np.ones(C.shape[1], bool), np.zeros(0, int), y)[0]
    assert r.lower_bound >= lp * (1 - 1e-3)
    r2 = solve_pmedian(C, 3, w, method="heuristic", time_limit=0.6, seed=seed)
    assert list(r2.sites) == list(r.sites)  # deterministic for a seed


def test_heuristic_with_short_lists_gives_valid_bound():
    rng = np.random.default_rng(7)
    pts, sites = rng.uniform(0, 100, (300, 2)), rng.uniform(0, 100, (40, 2))
    C = np.sqrt(((pts[:, None] - sites[None]) ** 2).sum(-1)).astype(np.float32)
    exact = solve_pmedian(C.astype(float), 6, method="exact")
    h = solve_pmedian(C, 6, method="heuristic", neighbours=8, time_limit=3)
    assert h.lower_bound <= exact.objective * (1 + 1e-6)
    assert h.objective >= exact.objective * (1 - 1e-6)
    assert h.gap < 0.03


def test_unreachable_pairs_are_never_used():
    C = np.array([[1.0, np.inf, 5], [np.inf, 2, 3], [4, np.inf, np.inf]])
    r = solve_pmedian(C, 2, allow_unreachable=True)
    assert np.isfinite(r.travel).all()
    assert r.objective == pytest.approx(1 + 2 + 4)
    with pytest.raises(InputError, match="无穷大"):
        solve_pmedian(C, 2)
    with pytest.raises(InfeasibleError):
        solve_pmedian(C, 1, allow_unreachable=True)


@pytest.mark.parametrize(
    "costs,p,match",
    [
        ([[1, float("nan")], [2, 3]], 1, "第 1 行第 2 列为 NaN"),
        ([[1, -2], [2, 3]], 1, "第 1 行第 2 列为负数"),
        ([[1, 2], [2, 3]], 3, "大于候选点总数"),
        ([[1, 2], [2, 3]], 0, "正整数"),
        (np.zeros((0, 3)), 1, "没有任何需求点"),
        (np.zeros((3, 0)), 1, "没有任何候选点"),
        ([1, 2, 3], 1, "二维"),
    ],
)
def test_bad_input(costs, p, match):
    with pytest.raises(InputError, match=match):
        solve_pmedian(costs, p)


def test_bad_weights_and_sets():
    C = np.ones((3, 3))
    with pytest.raises(InputError, match="长度"):
        solve_pmedian(C, 1, [1, 2])
    with pytest.raises(InputError, match="第 2 个值为负数"):
        solve_pmedian(C, 1, [1, -1, 1])
    with pytest.raises(InputError, match="同时"):
        solve_pmedian(C, 1, required=[0], forbidden=[0])
    with pytest.raises(InputError, match="可用候选点"):
        solve_pmedian(C, 3, forbidden=[1])
    with pytest.raises(InputError, match="超出范围"):
        solve_pmedian(C, 1, required=[5])


@pytest.mark.parametrize("k", [1, 2, 4, 8, 15])
def test_orlib_optima(orlib_dir, k):
    opt = read_optima(orlib_dir / "pmedopt.txt")
    inst = read_pmed(orlib_dir / f"pmed{k}.txt")
    r = solve_pmedian(inst.costs, inst.p, method="exact")
    assert r.objective == opt[f"pmed{k}"]
    assert r.lower_bound == r.objective
    assert r.status == "optimal"


@pytest.mark.parametrize("seed", range(8))
def test_lagrangian_reduction_never_removes_an_optimal_solution(seed):
    # the reduced-cost tests of the exact solver: every site and assignment of an optimal solution
    # survives, the bound is valid, and at the optimum's value most pairs are eliminated
    from xiangcun.locate.pmedian import _lagrangian_reduction

    rng = np.random.default_rng(300 + seed)
    n, m, p = 30, 9, 3
    C = rng.uniform(0, 100, (n, m))
    w = rng.integers(1, 20, n).astype(float)
    best, best_S = np.inf, None
    for S in itertools.combinations(range(m), p):
        v = float((w * C[:, list(S)].min(1)).sum())
        if v < best:
            best, best_S = v, list(S)
    travel = C[:, best_S].min(1)
    assign = np.array(best_S)[C[:, best_S].argmin(1)]
    red = _lagrangian_reduction(C, w, p, np.ones(m, bool), np.zeros(0, int), travel, None,
                                best * (1 + 1e-12), np.inf)
    assert red["bound"] <= best * (1 + 1e-9)
    assert not red["closed"][best_S].any()
    assert red["pairs"][np.arange(n), assign].all()
    assert red["pairs"].sum() < n * m


def test_exact_random_euclidean_is_proven_optimal():
    # a mid-size instance of the benchmark family: the exact solver proves its optimum, and no
    # single swap (one site out, one in) improves it
    rng = np.random.default_rng()
    seed = int(rng.integers(0, 2**31))
    g = np.random.default_rng(seed)
    pts, sites = g.uniform(0, 100, (300, 2)), g.uniform(0, 100, (40, 2))
    C = np.sqrt(((pts[:, None] - sites[None]) ** 2).sum(-1))
    w = g.integers(1, 101, 300).astype(float)
    r = solve_pmedian(C, 6, w, method="exact")
    assert r.status == "optimal", f"seed {seed}"
    assert r.gap <= 1e-7, f"seed {seed}"
    S = list(r.sites)
    for out in S:
        for inn in set(range(40)) - set(S):
            T = [j for j in S if j != out] + [inn]
            assert float((w * C[:, T].min(1)).sum()) >= r.objective - 1e-6, f"seed {seed}"


def test_heuristic_out_of_time_still_proves_a_gap():
    # a time limit already spent by the list building and the greedy (as on a loaded machine at
    # province scale) still yields a plan with a finite, valid lower bound and gap
    rng = np.random.default_rng(11)
    C = rng.uniform(0, 100, (40, 9))
    w = rng.integers(1, 100, 40).astype(float)
    best = brute(C, w, 3)
    r = solve_pmedian(C, 3, w, method="heuristic", time_limit=1e-6)
    assert len(r.sites) == 3
    assert np.isfinite(r.lower_bound) and np.isfinite(r.gap)
    assert r.lower_bound <= best + 1e-6 <= r.objective + 2e-6


def test_benders_stopped_early_still_gives_multipliers():
    # stopping after cuts were added but before the master was solved again (iteration or time
    # limit) must not break the Lagrangian multipliers read from the last solve's duals
    from xiangcun.locate.benders import lp_bound

    rng = np.random.default_rng(5)
    C = rng.uniform(0, 100, (60, 12))
    w = rng.integers(1, 50, 60).astype(float)
    y = np.zeros(12)
    y[:3] = 1
    bound, _, _, _, info = lp_bound(C, w, 3, np.ones(12, bool), np.zeros(0, int), y, max_iter=1)
    lam = info["multipliers"]
    assert lam.shape == (60,) and np.all(np.isfinite(lam)) and np.all(lam >= 0)
    assert bound <= brute(C, w, 3) + 1e-6
