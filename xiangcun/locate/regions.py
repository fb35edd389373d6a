"""Contiguity-constrained p-median zoning ("p-regions"): planning zones (片区) around centres.

Django-free: arrays in, a :class:`RegionsResult` out. Given ``n`` units (populations, an adjacency
graph, travel costs ``costs[i, j]`` from unit ``i`` to unit ``j``), eligible centres and ``p``, build
``p`` zones minimising ``sum_i pop_i * costs[i, centre(i)]`` such that

* every zone is contiguous on the adjacency graph and contains its centre,
* every zone's population lies within ``[min_pop, max_pop]``,
* required centres are open, forbidden ones are not.

Exact method: the p-median MILP (``x[i, j]`` unit ``i`` in the zone of centre ``j``, ``x[j, j]`` = the
centre is open) on HiGHS, with the population bounds, and connectivity cuts ``x[i, j] <= sum_{k in N(S)} x[k, j]`` (for
every unit ``i`` of a piece ``S`` of a zone cut off from its centre, ``N(S)`` the units next to ``S``)
added in a loop until every zone is contiguous (adding the single-unit cuts for every pair up front
made the LP twice as large and the solve no faster). Before the MILP: the heuristic's zoning is
compared with the p-median bound (when equal, it is optimal) and the LP relaxation's reduced costs
remove pairs that cannot be in a better zoning. Each MILP is a relaxation, so its dual
bound is a proven lower bound; the answer is optimal when the last MILP was solved to optimality.

Heuristic method (large instances): centres from a p-median per connected part of the map,
contiguous growth of zones from the centres along the adjacency graph, then local moves of border
units and re-centring, repeated from several starts; the lower bound is the p-median bound (the
problem without contiguity and population bounds), which holds for every zoning.

Islands and disconnected valleys: the adjacency graph may have several connected parts (a unit with
no neighbour is a part of its own). A zone never spans two parts, so every part needs at least one
zone with an eligible centre inside it; the engine works out how many zones each part can hold and
says in Chinese which part makes the problem infeasible.
"""

from __future__ import annotations

import heapq
import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from . import validate as V
from .errors import InfeasibleError, InputError
from .milp import solve_milp
from .pmedian import _MILP_OPTIONS
from .result import relative_gap

EXACT_UNIT_LIMIT = 400  # "auto" uses the exact MILP up to this many units


class ZoningError(InfeasibleError):
    """The zoning problem has no solution (the message says which unit or part is the cause)."""


# --------------------------------------------------------------------------- result
@dataclass
class RegionsResult:
    """A zoning. ``assignment[i]`` is the centre unit of unit ``i``'s zone; ``centres`` the open
    centres (sorted); ``objective`` = ``sum pop_i * costs[i, assignment[i]]``; ``lower_bound`` a proven
    bound on the optimum."""

    status: str  # "optimal" or "feasible"
    method: str
    centres: np.ndarray
    assignment: np.ndarray
    objective: float
    lower_bound: float
    seconds: float
    populations: dict[int, float]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def gap(self) -> float:
        return relative_gap(self.objective, self.lower_bound)

    def zones(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {int(c): [] for c in self.centres}
        for i, c in enumerate(self.assignment):
            out[int(c)].append(i)
        return out

    def to_dict(self, ids=None) -> dict[str, Any]:
        def uid(i):
            return int(i) if ids is None else ids[int(i)]

        return {
            "status": self.status,
            "method": self.method,
            "objective": float(self.objective),
            "lower_bound": float(self.lower_bound),
            "gap": float(self.gap),
            "seconds": round(float(self.seconds), 4),
            "zones": [
                {"centre": uid(c), "members": [uid(i) for i in members],
                 "population": float(self.populations[c])}
                for c, members in self.zones().items()
            ],
            **{k: v for k, v in self.extra.items() if isinstance(v, (int, float, str, bool))},
        }


# --------------------------------------------------------------------------- graph helpers
def neighbour_lists(adjacency, n: int) -> list[np.ndarray]:
    """Neighbour index arrays from (i, j) pairs, a dict {i: [neighbours]} or an n×n (sparse) matrix."""
    if isinstance(adjacency, list) and len(adjacency) == n and adjacency and \
            all(isinstance(v, np.ndarray) and v.dtype.kind == "i" for v in adjacency):
        return adjacency  # already neighbour lists
    if isinstance(adjacency, dict):
        pairs = [(i, k) for i, v in adjacency.items() for k in v]
    elif sp.issparse(adjacency) or (isinstance(adjacency, np.ndarray) and adjacency.ndim == 2
                                    and adjacency.shape == (n, n) and n > 2):
        A = sp.csr_matrix(adjacency)
        pairs = np.column_stack(A.nonzero())
    else:
        try:
            pairs = list(adjacency)
        except TypeError:
            raise InputError("邻接关系应为 (i, j) 对的列表、{单元: 邻居列表} 或 n × n 矩阵") from None
    try:
        pairs = np.asarray(pairs, dtype=np.float64).reshape(-1, 2) if len(pairs) else np.zeros((0, 2))
    except (TypeError, ValueError):
        raise InputError("邻接关系应为 (i, j) 对的列表、{单元: 邻居列表} 或 n × n 矩阵") from None
    if pairs.size:
        if not np.isfinite(pairs).all() or (pairs != np.round(pairs)).any():
            raise InputError("邻接关系中含有非整数的单元编号")
        pairs = pairs.astype(np.int64)
        bad = (pairs < 0) | (pairs >= n)
        if bad.any():
            r = int(np.flatnonzero(bad.any(axis=1))[0])
            raise InputError(f"邻接关系第 {r + 1} 项 {tuple(int(v) for v in pairs[r])} 的单元编号超出范围 0–{n - 1}")
        pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    sets: list[set[int]] = [set() for _ in range(n)]
    for a, b in pairs:
        sets[int(a)].add(int(b))
        sets[int(b)].add(int(a))
    return [np.array(sorted(s), dtype=np.int64) for s in sets]


def delaunay_adjacency(xy) -> list[tuple[int, int]]:
    """Adjacency pairs of points by Delaunay triangulation (the fallback where units have no boundary:
    neighbouring Voronoi cells). Fewer than 3 points, or points on one line, are joined in order."""
    xy = np.asarray(xy, dtype=np.float64)
    n = len(xy)
    if n < 2:
        return []
    order = np.lexsort((xy[:, 1], xy[:, 0]))
    chain = [(int(order[k]), int(order[k + 1])) for k in range(n - 1)]
    if n < 3:
        return chain
    from scipy.spatial import Delaunay, QhullError

    try:
        tri = Delaunay(xy)
    except (QhullError, ValueError):
        return chain
    edges = set()
    for a, b, c in tri.simplices:
        for u, v in ((a, b), (b, c), (a, c)):
            edges.add((int(min(u, v)), int(max(u, v))))
    return sorted(edges)


def components(nbrs: list[np.ndarray], members=None) -> list[list[int]]:
    """Connected parts of the graph (restricted to ``members`` if given), each sorted."""
    n = len(nbrs)
    inside = np.ones(n, dtype=bool) if members is None else np.zeros(n, dtype=bool)
    if members is not None:
        inside[list(members)] = True
    seen = np.zeros(n, dtype=bool)
    out = []
    for s in np.flatnonzero(inside):
        if seen[s]:
            continue
        seen[s] = True
        part, queue = [], deque([int(s)])
        while queue:
            u = queue.popleft()
            part.append(u)
            for v in nbrs[u]:
                if inside[v] and not seen[v]:
                    seen[v] = True
                    queue.append(int(v))
        out.append(sorted(part))
    return out


def _connected_without(nbrs, label, zone, start, removed) -> bool:
    """Is the zone ``zone`` (label == zone) still connected when unit ``removed`` leaves it?"""
    size = int(np.count_nonzero(label == zone)) - 1
    if size <= 0:
        return True
    seen = {start}
    queue = deque([start])
    while queue:
        u = queue.popleft()
        for v in nbrs[u]:
            v = int(v)
            if v != removed and v not in seen and label[v] == zone:
                seen.add(v)
                queue.append(v)
    return len(seen) == size


def check_move(assignment, adjacency, unit: int, to_centre: int, names=None) -> None:
    """Refuse (``ZoningError``, Chinese) moving ``unit`` into the zone of ``to_centre`` when the
    result would not be contiguous: the unit is a centre, it does not touch the target zone, or
    its zone would fall apart without it."""
    a = np.asarray(assignment, dtype=np.int64)
    n = len(a)
    nbrs = neighbour_lists(adjacency, n)

    def nm(i):
        return names[i] if names is not None else f"单元 {i}"

    if not 0 <= unit < n or to_centre not in set(a.tolist()):
        raise InputError("要调整的单元或目标片区不存在")
    here = int(a[unit])
    if here == to_centre:
        raise ZoningError(f"{nm(unit)}已经在该片区中")
    if unit == here:
        raise ZoningError(f"{nm(unit)}是本片区的中心，不能调出；请先更换中心")
    if not any(a[v] == to_centre for v in nbrs[unit]):
        raise ZoningError(f"{nm(unit)}与目标片区（中心{nm(to_centre)}）不相邻，调入后片区不连片")
    if not _connected_without(nbrs, a, here, here, unit):
        raise ZoningError(f"调出{nm(unit)}后，原片区（中心{nm(here)}）会被分割成互不相连的几块")


def contiguity_violations(assignment, nbrs) -> int:
    """Number of zones whose members are not one connected piece containing the centre."""
    a = np.asarray(assignment)
    bad = 0
    for c in np.unique(a):
        parts = components(nbrs, np.flatnonzero(a == c))
        if len(parts) != 1 or c not in parts[0]:
            bad += 1
    return bad


# --------------------------------------------------------------------------- problem
@dataclass
class _Problem:
    C: np.ndarray
    w: np.ndarray
    nbrs: list[np.ndarray]
    eligible: np.ndarray  # bool[n]
    required: np.ndarray
    p: int
    lo: float
    hi: float
    part_of: np.ndarray  # part index of every unit
    parts: list[list[int]]
    kmin: np.ndarray  # zones per part
    kmax: np.ndarray
    names: list[str] | None

    @property
    def n(self):
        return len(self.w)

    def name(self, i):
        return self.names[i] if self.names is not None else f"单元 {i}"


def _prepare(costs, population, adjacency, p, eligible, required, forbidden, min_pop, max_pop, names,
             coordinates):
    w = np.asarray(population if population is not None else [], dtype=np.float64).reshape(-1)
    n = len(w)
    if n == 0:
        raise InputError("没有任何单元")
    w = V.weights(w, n, name="单元人口")
    if costs is None:
        if coordinates is None:
            raise InputError("需要出行费用矩阵或单元坐标")
        from .costs import coordinate_costs, euclidean_costs

        xy = np.asarray(coordinates, dtype=np.float64)
        if xy.shape != (n, 2):
            raise InputError(f"坐标应为 {n} × 2 的数组")
        lonlat = np.all(np.abs(xy[:, 0]) <= 180) and np.all(np.abs(xy[:, 1]) <= 90) and np.ptp(xy[:, 0]) < 30
        C = coordinate_costs(xy, xy) if lonlat else euclidean_costs(xy, xy)
    else:
        C = V.cost_matrix(costs, name="出行费用矩阵")
    if C.shape != (n, n):
        raise InputError(f"出行费用矩阵应为 {n} × {n}（单元 × 单元），实际为 {C.shape[0]} × {C.shape[1]}")
    nbrs = neighbour_lists(adjacency, n)
    el = np.ones(n, dtype=bool)
    if eligible is not None:
        el[:] = False
        el[V.index_set(eligible, n, name="可作中心的单元")] = True
    req = V.index_set(required, n, name="必须作中心的单元")
    forb = V.index_set(forbidden, n, name="禁止作中心的单元")
    both = np.intersect1d(req, forb)
    if both.size:
        raise InputError(f"{_names(both, names)}同时被指定为必须作中心和禁止作中心")
    not_el = req[~el[req]]
    if not_el.size:
        raise InputError(f"{_names(not_el, names)}被指定为必须作中心，但不在可作中心的单元中")
    el[forb] = False
    if isinstance(p, bool):
        raise InputError(f"片区数 p 必须是正整数，实际为 {p!r}")
    try:
        fp = float(p)
    except (TypeError, ValueError):
        raise InputError(f"片区数 p 必须是正整数，实际为 {p!r}") from None
    if not fp.is_integer() or fp < 1:
        raise InputError(f"片区数 p 必须是正整数，实际为 {p!r}")
    p = int(fp)
    n_el = int(el.sum())
    if p > n_el:
        raise ZoningError(f"片区数 {p} 多于可作中心的单元数 {n_el}")
    if len(req) > p:
        raise ZoningError(f"必须作中心的单元有 {len(req)} 个，多于片区数 {p}")
    lo = 0.0 if min_pop is None else V.positive_number(min_pop, name="片区人口下限", allow_zero=True)
    hi = math.inf if max_pop is None else V.positive_number(max_pop, name="片区人口上限")
    if lo > hi:
        raise InputError(f"片区人口下限 {_n(lo)} 大于上限 {_n(hi)}")
    big = np.flatnonzero(w > hi)
    if big.size:
        raise ZoningError(f"{_names(big, names)}的人口 {_n(w[big[0]])} 已超过片区人口上限 {_n(hi)}")
    parts = components(nbrs)
    part_of = np.empty(n, dtype=np.int64)
    for k, part in enumerate(parts):
        part_of[part] = k
    kmin = np.zeros(len(parts), dtype=np.int64)
    kmax = np.zeros(len(parts), dtype=np.int64)
    for k, part in enumerate(parts):
        pop = float(w[part].sum())
        cen = int(el[part].sum())
        n_req = int(np.isin(req, part).sum())
        where = _part_label(part, names, len(parts))
        if cen == 0:
            raise ZoningError(f"{where}与其他单元不相连，且其中没有可作中心的单元，无法单独成片")
        need = max(1, n_req, math.ceil(pop / hi - 1e-9) if math.isfinite(hi) else 1)
        most = min(cen, len(part), math.floor(pop / lo + 1e-9) if lo > 0 else len(part))
        if need > most:
            if len(parts) == 1:
                where = "全部单元"
            if lo > 0 and pop < lo:
                if len(parts) == 1:
                    raise ZoningError(f"全部单元的人口合计 {_n(pop)}，低于片区人口下限 {_n(lo)}，无法划分片区")
                raise ZoningError(f"{where}与其他单元不相连，人口 {_n(pop)} 低于片区人口下限 {_n(lo)}，无法单独成片")
            raise ZoningError(
                f"{where}（人口 {_n(pop)}，可作中心 {cen} 个）无法分成满足人口上下限 {_n(lo)}–{_n(hi)} 的片区"
            )
        kmin[k], kmax[k] = need, most
    if kmin.sum() > p:
        raise ZoningError(
            f"地图由 {len(parts)} 块互不相连的部分组成（含孤立单元），按人口上限和必须作中心的单元"
            f"至少需要 {int(kmin.sum())} 个片区，多于片区数 {p}"
        )
    if kmax.sum() < p:
        raise ZoningError(
            f"按人口下限和可作中心的单元，最多只能划分 {int(kmax.sum())} 个片区，少于片区数 {p}"
        )
    C = np.asarray(C, dtype=np.float64)
    return _Problem(C, w, nbrs, el, req, p, lo, hi, part_of, parts, kmin, kmax,
                    list(names) if names is not None else None)


def _n(v: float) -> str:
    """A number as a planner writes it: 12000, 1.5 (no exponent)."""
    if not math.isfinite(v):
        return "不限"
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.2f}".rstrip("0").rstrip(".")


def _names(idx, names, limit=5):
    idx = [int(i) for i in idx]
    if names is None:
        s = "单元 " + "、".join(str(i) for i in idx[:limit])
    else:
        s = "、".join(str(names[i]) for i in idx[:limit])
    return s + (f" 等 {len(idx)} 个" if len(idx) > limit else "")


def _part_label(part, names, n_parts):
    if len(part) == 1:
        return f"孤立单元{names[part[0]]}" if names is not None else f"孤立单元 {part[0]}"
    return f"由{_names(part, names, 3)}组成的一块（{len(part)} 个单元）"


# --------------------------------------------------------------------------- public entry
def solve_regions(
    costs,
    population,
    adjacency,
    p: int,
    *,
    eligible=None,
    required=None,
    forbidden=None,
    min_pop: float | None = None,
    max_pop: float | None = None,
    method: str = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    names=None,
    coordinates=None,
) -> RegionsResult:
    """Build ``p`` contiguous zones minimising population-weighted travel to each zone's centre.

    ``costs``: n×n travel costs between units (None: computed from ``coordinates``, lon/lat in km or
    plane distances). ``adjacency``: (i, j) pairs, neighbour lists or an n×n matrix. ``eligible``,
    ``required``, ``forbidden``: unit indices. ``names`` (optional) name units in error messages.
    ``method``: "exact", "heuristic" or "auto" (exact up to ``EXACT_UNIT_LIMIT`` units).
    Raises :class:`ZoningError` (Chinese) when no zoning exists.
    """
    t0 = time.perf_counter()
    if method not in ("auto", "exact", "heuristic"):
        raise InputError(f"未知的求解方法 {method!r}（可选 auto、exact、heuristic）")
    if time_limit is not None:
        time_limit = V.positive_number(time_limit, name="时间限制")
    P = _prepare(costs, population, adjacency, p, eligible, required, forbidden, min_pop, max_pop, names,
                 coordinates)
    if method == "auto":
        method = "exact" if P.n <= EXACT_UNIT_LIMIT else "heuristic"
    budget = time_limit if time_limit is not None else (120.0 if method == "heuristic" else math.inf)
    deadline = t0 + budget
    if method == "exact":
        heur_deadline = t0 + min(budget * 0.2, 2.0 + P.n / 100)
        best = _heuristic(P, heur_deadline, seed, rounds=3)
        label, lb, status, info = _exact(P, best, _pmedian_bound(P, deadline), deadline)
    else:
        label = _heuristic(P, deadline, seed)
        lb, info = _pmedian_bound(P, deadline), {}
        status = "feasible"
    if label is None:
        raise ZoningError("在时间限制内没有找到满足人口上下限的连片方案；请放宽人口上下限或延长时间限制")
    obj = _cost(P, label)
    if status == "optimal":
        lb = obj if lb > obj or relative_gap(obj, lb) < 1e-6 else lb
    lb = min(lb, obj)
    centres = np.unique(label)
    pops = {int(c): float(P.w[label == c].sum()) for c in centres}
    return RegionsResult(status, method, centres, label.copy(), obj, lb, time.perf_counter() - t0, pops,
                         extra=info)


# --------------------------------------------------------------------------- heuristic
def _cost(P: _Problem, label) -> float:
    return float((P.w * P.C[np.arange(P.n), label]).sum())


def _violation(P: _Problem, pops) -> float:
    return float(sum(max(0.0, P.lo - v) + max(0.0, v - P.hi) for v in pops.values()))


def _zone_counts(P: _Problem, rng) -> np.ndarray:
    """Zones per connected part: the minimum, then the rest to the parts with most people per zone."""
    k = P.kmin.copy()
    pops = np.array([P.w[part].sum() for part in P.parts]) + 1e-9
    while k.sum() < P.p:
        score = np.where(k < P.kmax, pops / k * (1 + 0.05 * rng.random(len(k))), -1)
        k[int(np.argmax(score))] += 1
    return k


def _initial_centres(P: _Problem, rng) -> np.ndarray:
    from .pmedian import solve_pmedian

    centres = []
    for part, k in zip(P.parts, _zone_counts(P, rng)):
        part = np.asarray(part)
        cand = part[P.eligible[part]]
        req = [int(np.flatnonzero(cand == r)[0]) for r in P.required if r in set(cand.tolist())]
        if k >= len(cand):
            centres.extend(cand.tolist())
            continue
        sub = P.C[np.ix_(part, cand)]
        noise = 1 + 0.1 * rng.random(len(part))
        r = solve_pmedian(sub, int(k), P.w[part] * noise + 1e-9, required=req, method="heuristic",
                          time_limit=max(0.05, min(2.0, len(part) * len(cand) / 2e5)),
                          seed=int(rng.integers(1 << 30)))
        centres.extend(cand[r.sites].tolist())
    return np.array(sorted(centres), dtype=np.int64)


def _grow(P: _Problem, centres) -> np.ndarray:
    """Contiguous zones grown from the centres along the graph, cheapest unit first, keeping to the
    population ceiling while another zone can take the unit."""
    n = P.n
    label = np.full(n, -1, dtype=np.int64)
    pop = {int(c): 0.0 for c in centres}
    heap = []
    for c in centres:
        label[c] = c
        pop[int(c)] += P.w[c]
    for c in centres:
        for v in P.nbrs[c]:
            if label[v] < 0:
                heapq.heappush(heap, (P.C[v, c], int(v), int(c)))
    deferred = []
    while heap or deferred:
        if not heap:
            # only over-full zones could take what is left: let them
            for item in deferred:
                heapq.heappush(heap, (item[0], item[1], item[2], True))
            deferred = []
        item = heapq.heappop(heap)
        _, i, c = item[:3]
        if label[i] >= 0:
            continue
        if len(item) == 3 and pop[c] + P.w[i] > P.hi:
            deferred.append(item)
            continue
        label[i] = c
        pop[c] += P.w[i]
        for v in P.nbrs[i]:
            if label[v] < 0:
                heapq.heappush(heap, (P.C[v, c], int(v), c))
    return label


def _improve(P: _Problem, label, deadline) -> np.ndarray:
    """Local search on cost + penalty × population violation: move border units, re-centre zones."""
    label = label.copy()
    penalty = (float(P.C.max()) + 1.0) * 10.0
    pops: dict[int, float] = {}
    for c in np.unique(label):
        pops[int(c)] = float(P.w[label == c].sum())

    def viol(v):
        return max(0.0, P.lo - v) + max(0.0, v - P.hi)

    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        for i in range(P.n):
            a = int(label[i])
            if i == a:
                continue
            targets = {int(label[v]) for v in P.nbrs[i]} - {a}
            best, best_b = -1e-9, None
            for b in targets:
                d = P.w[i] * (P.C[i, b] - P.C[i, a])
                d += penalty * (viol(pops[a] - P.w[i]) + viol(pops[b] + P.w[i]) - viol(pops[a]) - viol(pops[b]))
                if d < best:
                    best, best_b = d, b
            if best_b is not None and _connected_without(P.nbrs, label, a, a, i):
                label[i] = best_b
                pops[a] -= P.w[i]
                pops[best_b] += P.w[i]
                improved = True
        # re-centre: the best eligible member of each zone (membership unchanged: still contiguous)
        fixed = set(P.required.tolist())
        for c in list(pops):
            if c in fixed:
                continue
            members = np.flatnonzero(label == c)
            cand = members[P.eligible[members]]
            cost = P.w[members] @ P.C[np.ix_(members, cand)]
            j = int(cand[int(np.argmin(cost))])
            if j != c and cost.min() < P.w[members] @ P.C[members, c] - 1e-9 and j not in pops:
                label[members] = j
                pops[j] = pops.pop(c)
                improved = True
    return label


def _heuristic(P: _Problem, deadline, seed, rounds: int | None = None):
    """Best contiguous zoning within the population bounds found from several starts (None: none)."""
    rng = np.random.default_rng(seed)
    best, best_cost = None, math.inf
    r = 0
    while time.perf_counter() < deadline or best is None:
        if rounds is not None and r >= rounds and best is not None:
            break
        if r >= 50 and best is None:
            break
        centres = _initial_centres(P, rng) if r == 0 or best is None or r % 2 else _perturb(P, best, rng)
        label = _improve(P, _grow(P, centres), deadline if best is not None else math.inf)
        # a re-grow from the improved centres often shortens zones further
        label2 = _improve(P, _grow(P, np.unique(label)), deadline if best is not None else math.inf)
        for lab in (label, label2):
            pops = {int(c): float(P.w[lab == c].sum()) for c in np.unique(lab)}
            if _violation(P, pops) <= 1e-9 and len(pops) == P.p:
                cost = _cost(P, lab)
                if cost < best_cost - 1e-9:
                    best, best_cost = lab.copy(), cost
        r += 1
    return best


def _perturb(P: _Problem, label, rng) -> np.ndarray:
    """Replace one or two centres (not required ones) by a random eligible unit of the same part."""
    centres = set(np.unique(label).tolist())
    fixed = set(P.required.tolist())
    movable = [c for c in centres if c not in fixed]
    for _ in range(min(2, len(movable))):
        c = movable[int(rng.integers(len(movable)))]
        part = np.asarray(P.parts[P.part_of[c]])
        cand = [int(j) for j in part[P.eligible[part]] if j not in centres]
        if cand:
            centres.discard(c)
            centres.add(cand[int(rng.integers(len(cand)))])
    return np.array(sorted(centres), dtype=np.int64)


def _pmedian_bound(P: _Problem, deadline) -> float:
    """Lower bound of the p-median over eligible centres (no contiguity, no population bounds),
    travel only within a connected part: every feasible zoning is such a p-median solution."""
    from .pmedian import solve_pmedian

    cand = np.flatnonzero(P.eligible)
    C = P.C[:, cand].copy()
    C[P.part_of[:, None] != P.part_of[cand][None, :]] = np.inf
    req = [int(np.flatnonzero(cand == r)[0]) for r in P.required]
    left = max(1.0, deadline - time.perf_counter())
    left = left if math.isfinite(left) else None
    r = solve_pmedian(C, P.p, P.w, required=req, method="auto" if P.n <= EXACT_UNIT_LIMIT else "heuristic",
                      time_limit=left, allow_unreachable=True)
    return float(r.lower_bound)


# --------------------------------------------------------------------------- exact
def _exact(P: _Problem, incumbent, bound0, deadline):
    n = P.n
    if incumbent is not None and _cost(P, incumbent) <= bound0 + 1e-9 * max(1.0, abs(bound0)):
        # the p-median optimum is already contiguous and within the bounds
        return incumbent, bound0, "optimal", {"rounds": 0, "cuts": 0}
    ii, jj = [], []
    cand = np.flatnonzero(P.eligible)
    for j in cand:
        same = np.flatnonzero(P.part_of == P.part_of[j])
        ii.append(same)
        jj.append(np.full(len(same), j))
    ii = np.concatenate(ii)
    jj = np.concatenate(jj)
    k = len(ii)
    col = {(int(a), int(b)): t for t, (a, b) in enumerate(zip(ii, jj))}
    centre_col = np.array([col[(int(j), int(j))] for j in cand])
    cost = P.w[ii] * P.C[ii, jj]
    rows_r, rows_c, rows_v, lo, hi = [], [], [], [], []
    r = 0
    # every unit in exactly one zone
    rows_r.append(ii)
    rows_c.append(np.arange(k))
    rows_v.append(np.ones(k))
    lo += [1.0] * n
    hi += [1.0] * n
    r = n
    # x[i,j] <= x[j,j]
    off = ii != jj
    t = np.flatnonzero(off)
    cc = np.array([col[(int(j), int(j))] for j in jj[t]])
    rows_r += [r + np.arange(len(t)), r + np.arange(len(t))]
    rows_c += [t, cc]
    rows_v += [np.ones(len(t)), -np.ones(len(t))]
    lo += [-np.inf] * len(t)
    hi += [0.0] * len(t)
    r += len(t)
    # exactly p centres
    rows_r.append(np.full(len(cand), r))
    rows_c.append(centre_col)
    rows_v.append(np.ones(len(cand)))
    lo.append(P.p)
    hi.append(P.p)
    r += 1
    # population bounds: lo*x[j,j] <= sum_i w_i x[i,j] <= hi*x[j,j]
    for bound, sign in ((P.hi, 1), (P.lo, -1)):
        if (sign == 1 and not math.isfinite(bound)) or (sign == -1 and bound <= 0):
            continue
        for j in cand:
            mem = np.flatnonzero(jj == j)
            vals = P.w[ii[mem]].astype(np.float64)
            vals[ii[mem] == j] -= bound
            rows_r.append(np.full(len(mem), r))
            rows_c.append(mem)
            rows_v.append(vals * sign)
            lo.append(-np.inf)
            hi.append(0.0)
            r += 1
    col_lo = np.zeros(k)
    col_hi = np.ones(k)
    col_lo[[col[(int(j), int(j))] for j in P.required]] = 1.0

    def start_of(label):
        x = np.zeros(k)
        for i, c in enumerate(label):
            x[col[(i, int(c))]] = 1.0
        return x

    best = incumbent
    best_cost = _cost(P, best) if best is not None else math.inf
    bound = bound0
    if best is not None:
        # reduced-cost fixing from the LP relaxation: a pair whose LP reduced cost alone lifts the
        # bound above the incumbent cannot be in a better zoning
        A = sp.csr_matrix((np.concatenate(rows_v), (np.concatenate(rows_r), np.concatenate(rows_c))),
                          shape=(r, k))
        left = deadline - time.perf_counter()
        lp = solve_milp(cost, A, np.array(lo), np.array(hi), col_lo, col_hi, None,
                        time_limit=left if math.isfinite(left) else None)
        if lp.status == "optimal" and lp.reduced_costs is not None:
            bound = max(bound, lp.objective)
            col_hi[(lp.objective + lp.reduced_costs > best_cost + 1e-7 * max(1.0, best_cost))
                   & (col_lo == 0)] = 0.0
    status = "feasible"
    rounds = cuts = 0
    seen_cuts = set()
    while True:
        left = deadline - time.perf_counter()
        if left <= 0.05:
            break
        A = sp.csr_matrix((np.concatenate(rows_v), (np.concatenate(rows_r), np.concatenate(rows_c))),
                          shape=(r, k))
        sol = solve_milp(cost, A, np.array(lo), np.array(hi), col_lo, col_hi, np.ones(k, dtype=bool),
                         time_limit=left if math.isfinite(left) else None, mip_rel_gap=1e-7,
                         start=start_of(best) if best is not None else None,
                         options=_MILP_OPTIONS if best is not None else None)
        rounds += 1
        if sol.status == "infeasible":
            if best is None:
                raise ZoningError("不存在满足人口上下限且每个片区连片的方案；请放宽人口上下限或调整片区数")
            bound = best_cost
            status = "optimal"
            break
        if math.isfinite(sol.bound):
            bound = max(bound, sol.bound)
        if not sol.has_solution:
            break
        x = sol.x
        sel = np.flatnonzero(x > 0.5)
        label = np.empty(n, dtype=np.int64)
        label[ii[sel]] = jj[sel]
        new = 0
        for c in np.unique(label):
            for piece in components(P.nbrs, np.flatnonzero(label == c)):
                if c in piece:
                    continue
                inside = set(piece)
                border = sorted({int(v) for u in piece for v in P.nbrs[u] if int(v) not in inside})
                nb = [col[(v, int(c))] for v in border if (v, int(c)) in col]
                for i in piece:
                    key = (i, int(c), tuple(border))
                    if key in seen_cuts:
                        continue
                    seen_cuts.add(key)
                    rows_r.append(np.full(len(nb) + 1, r))
                    rows_c.append(np.array([col[(i, int(c))]] + nb))
                    rows_v.append(np.array([1.0] + [-1.0] * len(nb)))
                    lo.append(-np.inf)
                    hi.append(0.0)
                    r += 1
                    new += 1
        cuts += new
        if new == 0:
            cost_x = _cost(P, label)
            if cost_x < best_cost - 1e-9 or best is None:
                best, best_cost = label, cost_x
            if sol.status == "optimal":
                status = "optimal"
                bound = max(bound, min(sol.bound, best_cost))
            break
        # repair the relaxed answer into a contiguous zoning: grow from its centres
        repaired = _improve(P, _grow(P, np.unique(label)), deadline)
        pops = {int(c): float(P.w[repaired == c].sum()) for c in np.unique(repaired)}
        if _violation(P, pops) <= 1e-9 and len(pops) == P.p and contiguity_violations(repaired, P.nbrs) == 0:
            cost_r = _cost(P, repaired)
            if cost_r < best_cost - 1e-9:
                best, best_cost = repaired, cost_r
    if best is not None and bound >= best_cost * (1 - 1e-7) - 1e-9:
        status = "optimal"
    return best, bound, status, {"rounds": rounds, "cuts": cuts}
