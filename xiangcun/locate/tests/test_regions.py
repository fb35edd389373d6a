"""Contiguity-constrained p-median zoning: every zone of every proposal is checked here with a BFS
that does not use the engine's own graph code."""

import itertools
from collections import deque

import numpy as np
import pytest
from scipy.spatial import Delaunay

from xiangcun.locate.regions import ZoningError, check_move, solve_regions


def planar(seed, n):
    rng = np.random.default_rng(seed)
    xy = rng.random((n, 2)) * 100
    edges = set()
    for a, b, c in Delaunay(xy).simplices:
        for u, v in ((a, b), (b, c), (a, c)):
            edges.add((int(min(u, v)), int(max(u, v))))
    C = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    w = rng.integers(100, 3000, n).astype(float)
    return xy, sorted(edges), C, w


def bfs_connected(members, edges):
    members = set(members)
    nb = {u: set() for u in members}
    for a, b in edges:
        if a in members and b in members:
            nb[a].add(b)
            nb[b].add(a)
    start = next(iter(members))
    seen, queue = {start}, deque([start])
    while queue:
        for v in nb[queue.popleft()]:
            if v not in seen:
                seen.add(v)
                queue.append(v)
    return seen == members


def assert_valid(r, edges, w, p, lo=0.0, hi=np.inf, required=(), forbidden=()):
    zones = {}
    for i, c in enumerate(r.assignment):
        zones.setdefault(int(c), []).append(i)
    assert len(zones) == p
    for c, members in zones.items():
        assert c in members, f"centre {c} outside its own zone"
        assert bfs_connected(members, edges), f"zone of centre {c} is not contiguous: {members}"
        pop = w[members].sum()
        assert lo - 1e-6 <= pop <= hi + 1e-6
    assert set(required) <= set(zones)
    assert not set(forbidden) & set(zones)
    assert r.lower_bound <= r.objective + 1e-6


@pytest.mark.parametrize("seed", range(5))
def test_every_zone_contiguous_within_bounds_exact_not_worse_than_heuristic(seed):
    n, p = 45, 4
    _, edges, C, w = planar(seed, n)
    lo, hi = 0.5 * w.sum() / p, 1.5 * w.sum() / p
    rng = np.random.default_rng(seed)
    req = [int(rng.integers(n))]
    forb = [int(v) for v in rng.choice([i for i in range(n) if i != req[0]], 5, replace=False)]
    kw = dict(min_pop=lo, max_pop=hi, required=req, forbidden=forb)
    exact = solve_regions(C, w, edges, p, method="exact", time_limit=30, **kw)
    heur = solve_regions(C, w, edges, p, method="heuristic", time_limit=0.5, seed=seed, **kw)
    for r in (exact, heur):
        assert_valid(r, edges, w, p, lo, hi, req, forb)
        travel = C[np.arange(n), r.assignment]
        assert r.objective == pytest.approx(float(w @ travel))
    assert exact.status == "optimal" and exact.gap < 1e-6
    assert exact.objective <= heur.objective + 1e-6
    assert heur.lower_bound <= exact.objective + 1e-6


def brute(C, w, edges, p, lo, hi, eligible):
    n = len(w)
    best = np.inf
    for S in itertools.combinations(eligible, p):
        others = [i for i in range(n) if i not in S]
        for choice in itertools.product(S, repeat=len(others)):
            label = np.empty(n, dtype=int)
            label[list(S)] = S
            label[others] = choice
            cost = float(w @ C[np.arange(n), label])
            if cost >= best:
                continue
            ok = True
            for c in S:
                members = np.flatnonzero(label == c)
                if not (lo <= w[members].sum() <= hi and bfs_connected(members.tolist(), edges)):
                    ok = False
                    break
            if ok:
                best = cost
    return best


@pytest.mark.parametrize("seed", range(8))
def test_exact_equals_brute_force_on_tiny_instances(seed):
    rng = np.random.default_rng(50 + seed)
    n = 8
    xy, edges, _, _ = planar(50 + seed, n)
    # costs unrelated to the geometry, so the plain p-median is often not contiguous
    C = rng.integers(1, 40, (n, n)).astype(float)
    np.fill_diagonal(C, 0)
    w = rng.integers(1, 10, n).astype(float)
    p = 2 + seed % 2
    lo, hi = (w.sum() / p * 0.5, w.sum() / p * 1.5) if seed % 3 else (0.0, np.inf)
    eligible = sorted(rng.choice(n, 6, replace=False).tolist())
    best = brute(C, w, edges, p, lo, hi, eligible)
    if not np.isfinite(best):
        with pytest.raises(ZoningError):
            solve_regions(C, w, edges, p, min_pop=lo, max_pop=hi if np.isfinite(hi) else None,
                          eligible=eligible, method="exact")
        return
    r = solve_regions(C, w, edges, p, min_pop=lo, max_pop=hi if np.isfinite(hi) else None,
                      eligible=eligible, method="exact")
    assert r.status == "optimal"
    assert r.objective == pytest.approx(best)
    assert_valid(r, edges, w, p, lo, hi)
    assert set(r.centres) <= set(eligible)


def test_cut_loop_repairs_a_non_contiguous_pmedian():
    # a path 0-1-2-3-4; unit 4 is "close" to centre 0 by cost but only reachable through 1..3
    edges = [(0, 1), (1, 2), (2, 3), (3, 4)]
    C = np.array([[0, 5, 5, 5, 9],
                  [5, 0, 5, 5, 9],
                  [9, 9, 0, 1, 1],
                  [9, 9, 1, 0, 1],
                  [1, 9, 9, 9, 0]], dtype=float)
    w = np.array([1, 1, 1, 1, 10], dtype=float)
    r = solve_regions(C, w, edges, 2, eligible=[0, 2], method="exact")
    assert r.status == "optimal"
    assert r.assignment.tolist() == [0, 0, 2, 2, 2]
    assert r.extra["cuts"] > 0


def test_island_gets_its_own_zone_and_a_centreless_island_is_refused():
    _, edges, C, w = planar(7, 20)
    # unit 20 is an island (a valley with no road to the rest)
    C2 = np.pad(C, ((0, 1), (0, 1)), constant_values=50.0)
    C2[20, 20] = 0
    w2 = np.append(w, 500.0)
    r = solve_regions(C2, w2, edges, 3)
    assert r.assignment[20] == 20
    assert_valid(r, edges, w2, 3)
    names = [f"村{i}" for i in range(21)]
    with pytest.raises(ZoningError, match="孤立单元村20与其他单元不相连，且其中没有可作中心的单元"):
        solve_regions(C2, w2, edges, 3, forbidden=[20], names=names)
    with pytest.raises(ZoningError, match="至少需要 2 个片区，多于片区数 1"):
        solve_regions(C2, w2, edges, 1)


def test_clear_errors_for_impossible_inputs():
    _, edges, C, w = planar(3, 12)
    with pytest.raises(ZoningError, match="片区数 5 多于可作中心的单元数 4"):
        solve_regions(C, w, edges, 5, eligible=[0, 1, 2, 3])
    with pytest.raises(ZoningError, match="最多只能划分"):
        solve_regions(C, w, edges, 4, min_pop=w.sum() / 3)
    with pytest.raises(ZoningError, match="已超过片区人口上限"):
        solve_regions(C, w, edges, 4, max_pop=w.max() - 1)
    with pytest.raises(ValueError, match="片区人口下限 .* 大于上限"):
        solve_regions(C, w, edges, 2, min_pop=10, max_pop=5)
    with pytest.raises(ValueError, match="同时被指定为必须作中心和禁止作中心"):
        solve_regions(C, w, edges, 2, required=[1], forbidden=[1])
    with pytest.raises(ValueError, match="超出范围"):
        solve_regions(C, w, [(0, 99)], 2)


def test_coordinates_instead_of_costs():
    xy, edges, C, w = planar(11, 30)
    a = solve_regions(None, w, edges, 3, coordinates=xy + 1000)  # plane coordinates
    b = solve_regions(C, w, edges, 3)
    assert a.objective == pytest.approx(b.objective)


def test_check_move_refuses_what_breaks_contiguity():
    edges = [(0, 1), (1, 2), (2, 3), (3, 4), (1, 3)]
    label = [0, 0, 0, 4, 4]
    names = ["甲村", "乙村", "丙村", "丁村", "戊村"]
    check_move(label, edges, 2, 4, names)  # 丙村 on the border: fine
    with pytest.raises(ZoningError, match="调出乙村后，原片区（中心甲村）会被分割"):
        check_move(label, edges, 1, 4, names)
    with pytest.raises(ZoningError, match="甲村是本片区的中心"):
        check_move(label, edges, 0, 4, names)
    with pytest.raises(ZoningError, match="乙村与目标片区（中心戊村）不相邻"):
        check_move([0, 0, 0, 0, 4], edges[:4], 1, 4, names)
