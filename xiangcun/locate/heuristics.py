"""p-median heuristics and Lagrangian lower bounds (numpy-vectorised).

* :class:`SwapSearch` — greedy construction followed by vertex substitution (Teitz–Bart) with the
  fast-interchange bookkeeping of Whitaker / Resende & Werneck (gain, loss and the sparse ``extra``
  matrix updated incrementally for the demand points a swap affects), plus a seeded perturbation
  (iterated local search).
* :func:`lagrangian_bound` — Lagrangian relaxation of the assignment constraints solved by
  subgradient optimisation; every value it returns is a valid lower bound.

Both work on per-demand lists of the ``K`` cheapest allowed sites (weighted costs ``w_i * d_ij``),
falling back to the full cost row for the rare demand points that have fewer than two open sites in
their list, so memory stays ``O(n K)`` besides the cost matrix itself.
"""

from __future__ import annotations

import math
import time

import numpy as np


class NeighbourLists:
    """For each demand point, its ``K`` cheapest allowed sites sorted by weighted cost."""

    def __init__(self, costs: np.ndarray, w: np.ndarray, allowed: np.ndarray, K: int | None = None):
        n, m = costs.shape
        self.costs = costs  # unweighted, may be float32; +inf = unreachable
        self.w = np.asarray(w, dtype=np.float64)
        self.allowed = np.asarray(allowed, dtype=bool)
        self.n, self.m = n, m
        n_allowed = int(self.allowed.sum())
        K = n_allowed if K is None else max(2, min(int(K), n_allowed))
        self.K = K
        self.full = K >= n_allowed
        finite = costs[np.isfinite(costs)]
        cmax = float(finite.max()) if finite.size else 1.0
        # penalty standing in for "unreachable": larger than any finite total objective
        self.penalty = 10.0 * (cmax * float(self.w.sum()) + 1.0) + 1.0
        self.site = np.empty((n, K), dtype=np.int32)
        self.cost = np.empty((n, K), dtype=np.float64)
        allowed_idx = np.flatnonzero(self.allowed)
        chunk = max(1, int(2_000_000 // max(1, len(allowed_idx))))
        for s in range(0, n, chunk):
            e = min(n, s + chunk)
            block = self.dense_rows(np.arange(s, e))[:, allowed_idx]
            if self.full:
                order = np.argsort(block, axis=1, kind="stable")
            else:
                part = np.argpartition(block, K - 1, axis=1)[:, :K]
                vals = np.take_along_axis(block, part, axis=1)
                order = np.take_along_axis(part, np.argsort(vals, axis=1, kind="stable"), axis=1)
            self.site[s:e] = allowed_idx[order]
            self.cost[s:e] = np.take_along_axis(block, order, axis=1)
        # largest cost in the list: every site outside the list costs at least this much
        self.cap = self.cost[:, -1].copy()

    def dense_rows(self, rows: np.ndarray) -> np.ndarray:
        """Weighted cost rows (float64); disallowed sites +inf, unreachable pairs -> penalty."""
        block = np.asarray(self.costs[rows], dtype=np.float64) * self.w[rows, None]
        block[~np.isfinite(block)] = self.penalty
        block[np.isnan(block)] = self.penalty  # 0 * inf
        block[:, ~self.allowed] = np.inf
        return block

    def dense_col(self, j: int) -> np.ndarray:
        col = np.asarray(self.costs[:, j], dtype=np.float64) * self.w
        col[~np.isfinite(col)] = self.penalty
        return col


class SwapSearch:
    """Greedy + fast-interchange local search for the p-median problem on weighted costs."""

    def __init__(self, nl: NeighbourLists, p: int, required: np.ndarray, seed: int = 0):
        self.nl = nl
        self.p = p
        self.required = np.zeros(nl.m, dtype=bool)
        self.required[required] = True
        self.rng = np.random.default_rng(seed)
        self.open = np.zeros(nl.m, dtype=bool)
        n = nl.n
        self.d1 = np.zeros(n)
        self.d2 = np.zeros(n)
        self.f1 = np.zeros(n, dtype=np.int64)
        self.f2 = np.zeros(n, dtype=np.int64)
        self.pos1 = np.zeros(n, dtype=np.int64)
        self.pos2 = np.zeros(n, dtype=np.int64)
        self.fb = np.zeros(n, dtype=bool)  # row handled with its dense cost row
        self.swaps = 0

    # ----------------------------------------------------------------- construction
    def greedy(self, initial: np.ndarray | None = None) -> None:
        """Greedy add (exact with full lists; capped by the list horizon otherwise)."""
        nl = self.nl
        n, K, m = nl.n, nl.K, nl.m
        self.open[:] = False
        start = np.flatnonzero(self.required) if initial is None else np.asarray(initial)
        if initial is not None and len(initial) == self.p:
            self.open[start] = True
            return
        # d1: current cost; rows with nothing open use the list horizon (or penalty for full lists)
        horizon = np.full(n, nl.penalty) if nl.full else nl.cap.copy()
        d1 = horizon.copy()
        pos1 = np.full(n, K)
        cols = np.arange(K)

        def contrib(rows, sign, gain):
            width = int(pos1[rows].max()) if rows.size else 0
            if width == 0:
                return
            S = nl.site[rows, :width]
            C = nl.cost[rows, :width]
            mk = (cols[:width] < pos1[rows, None]) & (C < d1[rows, None])
            gain += sign * np.bincount(
                S[mk], weights=(d1[rows, None] - C)[mk], minlength=m
            )

        gain = np.zeros(m)
        allrows = np.arange(n)
        contrib(allrows, 1.0, gain)

        def open_site(j):
            self.open[j] = True
            hit = nl.site == j  # n x K
            has = hit.any(axis=1)
            pj = hit.argmax(axis=1)
            rows = np.flatnonzero(has & (pj < pos1))
            if rows.size == 0:
                return
            contrib(rows, -1.0, gain)
            pos1[rows] = pj[rows]
            d1[rows] = nl.cost[rows, pj[rows]]
            contrib(rows, 1.0, gain)

        for j in start:
            open_site(int(j))
        blocked = ~nl.allowed
        while int(self.open.sum()) < self.p:
            g = np.where(self.open | blocked, -np.inf, gain)
            j = int(np.argmax(g))
            open_site(j)

    # ----------------------------------------------------------------- state
    def _state(self, rows: np.ndarray) -> None:
        nl = self.nl
        if rows.size == 0:
            return
        on = self.open[nl.site[rows]]
        first = on.argmax(axis=1)
        has1 = on[np.arange(len(rows)), first]
        on[np.arange(len(rows)), first] = False
        second = on.argmax(axis=1)
        has2 = on[np.arange(len(rows)), second]
        if nl.full:
            ok = has1  # full list: a missing second open site only when p == 1
        else:
            ok = has2
        r_ok = rows[ok]
        self.fb[rows] = ~ok
        self.pos1[r_ok] = first[ok]
        self.f1[r_ok] = nl.site[r_ok, first[ok]]
        self.d1[r_ok] = nl.cost[r_ok, first[ok]]
        sec_ok = ok & has2
        r2 = rows[sec_ok]
        self.pos2[r2] = second[sec_ok]
        self.f2[r2] = nl.site[r2, second[sec_ok]]
        self.d2[r2] = nl.cost[r2, second[sec_ok]]
        r_no2 = rows[ok & ~has2]  # only with full lists and one open site
        self.pos2[r_no2] = nl.K
        self.f2[r_no2] = -1
        self.d2[r_no2] = nl.penalty * 2
        r_fb = rows[~ok]
        if r_fb.size:
            for s in range(0, len(r_fb), 256):
                rr = r_fb[s : s + 256]
                D = nl.dense_rows(rr)
                D[:, ~self.open] = np.inf
                a = np.argmin(D, axis=1)
                self.f1[rr] = a
                self.d1[rr] = D[np.arange(len(rr)), a]
                D[np.arange(len(rr)), a] = np.inf
                b = np.argmin(D, axis=1)
                self.f2[rr] = b
                d2 = D[np.arange(len(rr)), b]
                self.d2[rr] = np.where(np.isfinite(d2), d2, nl.penalty * 2)

    def _contrib(self, rows: np.ndarray, sign: float) -> None:
        nl = self.nl
        m, p = nl.m, self.p
        if rows.size == 0:
            return
        d1, d2, f1 = self.d1, self.d2, self.f1
        self.loss += sign * np.bincount(f1[rows], weights=d2[rows] - d1[rows], minlength=m)
        lr = rows[~self.fb[rows]]
        if lr.size:
            width = int(self.pos2[lr].max()) + 1
            width = min(width, nl.K)
            S = nl.site[lr, :width]
            C = nl.cost[lr, :width]
            cols = np.arange(width)
            p1 = self.pos1[lr, None]
            mg = cols < p1
            self.gain += sign * np.bincount(
                S[mg], weights=(d1[lr, None] - C)[mg], minlength=m
            )
            me = (cols < self.pos2[lr, None]) & (cols != p1)
            slot = np.broadcast_to(self.slot[f1[lr]][:, None], S.shape)
            val = d2[lr, None] - np.maximum(C, d1[lr, None])
            self.extra += sign * np.bincount(
                (S[me].astype(np.int64) * p + slot[me]), weights=val[me], minlength=m * p
            )
        fr = rows[self.fb[rows]]
        for s in range(0, len(fr), 256):
            rr = fr[s : s + 256]
            D = nl.dense_rows(rr)
            D[:, self.open] = np.inf
            r_idx, g_idx = np.nonzero(D < d1[rr, None])
            self.gain += sign * np.bincount(
                g_idx, weights=d1[rr][r_idx] - D[r_idx, g_idx], minlength=m
            )
            r_idx, g_idx = np.nonzero(D < d2[rr, None])
            val = d2[rr][r_idx] - np.maximum(D[r_idx, g_idx], d1[rr][r_idx])
            self.extra += sign * np.bincount(
                g_idx.astype(np.int64) * p + self.slot[f1[rr][r_idx]], weights=val, minlength=m * p
            )

    def _rebuild(self) -> None:
        nl = self.nl
        m, p = nl.m, self.p
        open_idx = np.flatnonzero(self.open)
        self.slot = np.zeros(m, dtype=np.int64)
        self.slot[open_idx] = np.arange(len(open_idx))
        self.gain = np.zeros(m)
        self.loss = np.zeros(m)
        self.extra = np.zeros(m * p)
        rows = np.arange(nl.n)
        for s in range(0, nl.n, 50_000):
            self._state(rows[s : s + 50_000])
        for s in range(0, nl.n, 50_000):
            self._contrib(rows[s : s + 50_000], 1.0)

    @property
    def objective(self) -> float:
        return float(self.d1.sum())

    # ----------------------------------------------------------------- local search
    def local_search(self, deadline: float = math.inf, max_swaps: int | None = None) -> None:
        nl = self.nl
        m, p = nl.m, self.p
        if p >= int(nl.allowed.sum()):
            self._rebuild()
            return
        self._rebuild()
        since_rebuild = 0
        count = 0
        blocked = ~nl.allowed
        while time.perf_counter() < deadline and (max_swaps is None or count < max_swaps):
            open_idx = np.flatnonzero(self.open)
            gain = np.where(self.open | blocked, -np.inf, self.gain)
            loss = self.loss[open_idx].copy()
            loss[self.required[open_idx]] = np.inf
            E = self.extra.reshape(m, p)[:, self.slot[open_idx]]
            profit = gain[:, None] - loss[None, :] + E
            k = int(np.argmax(profit))
            g, fi = divmod(k, len(open_idx))
            best = profit[g, fi]
            tol = 1e-9 * max(1.0, abs(self.objective))
            if not (best > tol):
                break
            f = int(open_idx[fi])
            before = self.objective
            self.swap(g, f)
            count += 1
            since_rebuild += 1
            if since_rebuild >= 200:
                self._rebuild()
                since_rebuild = 0
            if self.objective > before - tol * 0.5:
                # numerical drift made the move useless: resync and continue (or stop)
                self._rebuild()
                since_rebuild = 0
                if self.objective > before - tol * 0.5:
                    break
        self.swaps += count

    def swap(self, g: int, f: int) -> None:
        nl = self.nl
        cg = nl.dense_col(g)
        rows = np.flatnonzero((self.f1 == f) | (self.f2 == f) | (cg <= self.d2) | self.fb)
        self._contrib(rows, -1.0)
        self.open[f] = False
        self.open[g] = True
        s = self.slot[f]
        self.slot[g] = s
        self.extra.reshape(nl.m, self.p)[:, s] = 0.0
        self._state(rows)
        self._contrib(rows, 1.0)

    # ----------------------------------------------------------------- iterated local search
    def perturb(self, k: int) -> None:
        """Replace ``k`` random non-required open sites by random closed allowed sites."""
        open_free = np.flatnonzero(self.open & ~self.required)
        closed = np.flatnonzero(~self.open & self.nl.allowed)
        k = min(k, len(open_free), len(closed))
        if k <= 0:
            return
        out = self.rng.choice(open_free, size=k, replace=False)
        # insert near the removed ones: a random site among the 2k+5 closest closed ones to a removed site
        inn = self.rng.choice(closed, size=k, replace=False)
        self.open[out] = False
        self.open[inn] = True

    def solution(self) -> np.ndarray:
        return np.flatnonzero(self.open)


def pmedian_cost(costs: np.ndarray, w: np.ndarray, sites: np.ndarray):
    """Exact weighted p-median cost of a site set: (objective, assignment, travel)."""
    n = costs.shape[0]
    assignment = np.empty(n, dtype=np.int64)
    travel = np.empty(n, dtype=np.float64)
    sites = np.asarray(sites, dtype=np.int64)
    chunk = max(1, int(4_000_000 // max(1, len(sites))))
    for s in range(0, n, chunk):
        e = min(n, s + chunk)
        block = np.asarray(costs[s:e][:, sites], dtype=np.float64)
        a = np.argmin(block, axis=1)
        assignment[s:e] = sites[a]
        travel[s:e] = block[np.arange(e - s), a]
    with np.errstate(invalid="ignore"):
        obj = float(np.dot(w, travel)) if np.all(np.isfinite(travel)) else math.inf
    return obj, assignment, travel


def iterated_local_search(
    nl: NeighbourLists,
    p: int,
    required: np.ndarray,
    *,
    seed: int = 0,
    rounds: int = 0,
    deadline: float = math.inf,
    initial: np.ndarray | None = None,
) -> tuple[np.ndarray, float, SwapSearch]:
    """Greedy + local search, then ``rounds`` seeded perturbation/local-search rounds."""
    ss = SwapSearch(nl, p, required, seed=seed)
    ss.greedy(initial)
    ss.local_search(deadline)
    best_sites, best_obj = ss.solution(), ss.objective
    k = max(1, min(p // 10 + 1, 5))
    for _ in range(rounds):
        if time.perf_counter() >= deadline:
            break
        ss.perturb(k)
        ss.local_search(deadline)
        if ss.objective < best_obj - 1e-9 * max(1.0, abs(best_obj)):
            best_sites, best_obj = ss.solution(), ss.objective
        else:
            ss.open[:] = False
            ss.open[best_sites] = True
            ss._rebuild()
    return best_sites, best_obj, ss


def lagrangian_bound(
    nl: NeighbourLists,
    p: int,
    required: np.ndarray,
    upper_bound: float,
    *,
    lam0: np.ndarray,
    max_iter: int = 2000,
    deadline: float = math.inf,
    target_gap: float = 0.0,
    stall: int = 30,
    theta0: float = 2.0,
) -> tuple[float, np.ndarray, np.ndarray]:
    """Subgradient optimisation of the Lagrangian dual of the p-median assignment constraints.

    Returns (best bound, best multipliers, the site set of the Lagrangian solution at the best bound). Multipliers
    are kept within the list horizon so sites outside a demand point's list contribute nothing, which
    keeps each bound exact for the full problem.
    """
    n, m, _K = nl.n, nl.m, nl.K
    cap = np.minimum(nl.cap, nl.penalty * 0.5)
    lam = np.clip(np.asarray(lam0, dtype=np.float64), 0.0, cap)
    req_mask = np.zeros(m, dtype=bool)
    req_mask[required] = True
    free = np.flatnonzero(nl.allowed & ~req_mask)
    n_free = p - int(req_mask.sum())
    best, best_lam = -math.inf, lam.copy()
    best_Y = np.zeros(0, dtype=np.int64)
    theta = float(theta0)
    no_improve = 0
    Y = np.zeros(0, dtype=np.int64)
    for it in range(max_iter):
        # the first iteration always runs: its value is a valid bound, so a caller whose time is
        # already spent still gets a finite lower bound (and hence a gap)
        if it > 0 and time.perf_counter() >= deadline:
            break
        mk = nl.cost < lam[:, None]
        rows, cols_ = np.nonzero(mk)
        vals = nl.cost[rows, cols_] - lam[rows]
        S = nl.site[rows, cols_]
        rho = np.bincount(S, weights=vals, minlength=m)
        if n_free > 0:
            rf = rho[free]
            sel = free[np.argpartition(rf, n_free - 1)[:n_free]] if n_free < len(free) else free
        else:
            sel = np.zeros(0, dtype=np.int64)
        Y = np.concatenate([np.flatnonzero(req_mask), sel])
        L = float(lam.sum() + rho[Y].sum())
        if L > best + 1e-12 * max(1.0, abs(L)):
            best, best_lam, best_Y = L, lam.copy(), Y
            no_improve = 0
        else:
            no_improve += 1
            if no_improve >= stall:
                theta *= 0.5
                no_improve = 0
        if upper_bound - best <= target_gap * abs(upper_bound):
            break
        inY = np.zeros(m, dtype=bool)
        inY[Y] = True
        cnt = np.bincount(rows[inY[S]], minlength=n)
        g = 1.0 - cnt
        # components that cannot move (clipped at a bound) are dropped from the direction
        g[(lam <= 0) & (g < 0)] = 0.0
        g[(lam >= cap) & (g > 0)] = 0.0
        norm = float(g @ g)
        if norm == 0.0:
            break  # the Lagrangian solution is feasible: bound is optimal
        step = theta * max(upper_bound - L, 1e-9 * max(1.0, abs(upper_bound))) / norm
        lam = np.clip(lam + step * g, 0.0, cap)
        if theta < 1e-5:
            break
    return best, best_lam, best_Y
