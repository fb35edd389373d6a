"""Benders cutting planes for the LP relaxation of the p-median problem.

Projecting the assignment variables out of the classical formulation gives, for every demand point
``i`` and every threshold ``v``, the valid inequality (Duran-Mateluna, Ales & Elloumi 2023)::

    theta_i >= v - sum_j max(0, v - d_ij) y_j

The master ``min sum_i w_i theta_i, sum_j y_j = p, 0 <= y <= 1`` with these cuts has the LP bound of
the classical model as its optimum; the most violated cut for a point ``y`` is the one at the
distance where the cumulative ``y`` of ``i``'s nearest sites first reaches 1 (closed form, vectorised
over all demand points). Separation uses the in-out stabilisation of Ben-Ameur & Neto.
The master has ``m + n`` columns instead of ``n m``.
"""

from __future__ import annotations

import math
import time

import numpy as np

from .milp import _new_highs


class SortedCosts:
    """Per-demand costs sorted ascending over the allowed sites (n x m_allowed)."""

    def __init__(self, C: np.ndarray, allowed: np.ndarray):
        idx = np.flatnonzero(allowed)
        A = np.array(C[:, idx], dtype=np.float64)
        bad = ~np.isfinite(A)
        if bad.any():
            # unreachable pairs: a large finite cost keeps the master a relaxation (valid bound)
            fin = A[~bad]
            A[bad] = 10.0 * ((fin.max() if fin.size else 1.0) * A.shape[0] + 1.0)
        order = np.argsort(A, axis=1, kind="stable")
        self.vals = np.take_along_axis(A, order, axis=1)
        self.sites = idx[order].astype(np.int32)

    def cuts(self, y: np.ndarray):
        """Closed-form subproblem at ``y``: (phi, v, t) with phi_i the LP assignment cost of ``i``,
        v_i the cut threshold and t_i the number of sites strictly cheaper than v_i."""
        ys = y[self.sites]
        cum = np.cumsum(ys, axis=1)
        n, K = ys.shape
        reach = cum >= 1.0 - 1e-9
        reach[:, -1] = True
        t = reach.argmax(axis=1)
        v = self.vals[np.arange(n), t]
        below = self.vals < v[:, None]
        phi = v - np.where(below, (v[:, None] - self.vals) * ys, 0.0).sum(axis=1)
        return phi, v, below

    def rows(self, sel: np.ndarray, v: np.ndarray, below: np.ndarray, n_sites: int):
        """CSR pieces of the cuts of demand points ``sel``: theta_i + sum a_ij y_j >= v_i."""
        b = below[sel]
        cnt = b.sum(axis=1)
        starts = np.concatenate([[0], np.cumsum(cnt + 1)]).astype(np.int32)
        rr, cc = np.nonzero(b)
        coef = (v[sel][rr] - self.vals[sel][rr, cc])
        site = self.sites[sel][rr, cc]
        # assemble row by row: theta column first, then the site columns
        total = int(starts[-1])
        index = np.empty(total, dtype=np.int32)
        value = np.empty(total, dtype=np.float64)
        theta_pos = starts[:-1]
        index[theta_pos] = n_sites + sel
        value[theta_pos] = 1.0
        # positions for the site entries
        offs = np.repeat(starts[:-1] + 1, cnt) + (np.arange(len(rr)) - np.repeat(np.cumsum(cnt) - cnt, cnt))
        index[offs] = site
        value[offs] = coef
        return starts, index, value


def lp_bound(
    C: np.ndarray,
    w: np.ndarray,
    p: int,
    allowed: np.ndarray,
    required: np.ndarray,
    y_start: np.ndarray,
    *,
    deadline: float = math.inf,
    tol: float = 1e-9,
    max_iter: int = 200,
):
    """Solve the p-median LP relaxation by Benders cuts.

    Returns ``(bound, y, reduced_costs, radius, info)`` where ``radius[i]`` is the largest cost the
    LP solution uses for demand point ``i``; ``bound`` is a valid lower bound on the p-median
    optimum even when stopped early (it is the optimum of a relaxation of the LP).
    """
    import highspy

    n, m = C.shape
    sc = SortedCosts(C, allowed)
    h = _new_highs()
    h.setOptionValue("output_flag", False)
    inf = highspy.kHighsInf
    lo = np.zeros(m + n)
    hi = np.concatenate([np.where(allowed, 1.0, 0.0), np.full(n, inf)])
    lo[required] = 1.0
    cost = np.concatenate([np.zeros(m), w])
    h.addVars(m + n, lo, hi)
    h.changeColsCost(m + n, np.arange(m + n, dtype=np.int32), cost)
    h.addRows(1, np.array([p], float), np.array([p], float), m,
              np.array([0], np.int32), np.arange(m, dtype=np.int32), np.ones(m))
    active = w > 0
    n_cuts = 0
    cut_owner: list[np.ndarray] = []  # demand point of each cut row (rows after the cardinality row)
    cut_level: list[np.ndarray] = []  # its threshold v

    def add(y_pt, mask):
        nonlocal n_cuts
        phi, v, below = sc.cuts(y_pt)
        sel = np.flatnonzero(mask & active)
        if sel.size:
            starts, index, value = sc.rows(sel, v, below, m)
            h.addRows(len(sel), v[sel], np.full(len(sel), inf), len(index), starts[:-1], index, value)
            n_cuts += len(sel)
            cut_owner.append(sel)
            cut_level.append(v[sel])
        return phi

    # initial cuts: at the heuristic solution and at the uniform point
    add(y_start.astype(float), np.ones(n, bool))
    uni = np.where(allowed, p / max(1, allowed.sum()), 0.0)
    uni[required] = 1.0
    add(uni, np.ones(n, bool))
    core = 0.5 * (y_start + uni)
    best_ub = math.inf
    bound = -math.inf
    alpha = 0.5
    it = 0
    y = y_start.astype(float)
    rc = None
    row_dual = None
    while it < max_iter and time.perf_counter() < deadline:
        it += 1
        if math.isfinite(deadline):
            # one master LP may be long at n=5000 on a loaded machine: it gets only the time left
            h.setOptionValue("time_limit", max(0.01, deadline - time.perf_counter()))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        sol = h.getSolution()
        x = np.asarray(sol.col_value)
        y, theta = x[:m], x[m:]
        rc = np.asarray(sol.col_dual)[:m]
        row_dual = np.asarray(sol.row_dual)
        bound = max(bound, float(h.getInfo().objective_function_value))
        phi_y, _, _ = sc.cuts(y)
        lp_ub = float(w @ phi_y)
        if lp_ub < best_ub:
            best_ub = lp_ub
        if best_ub - bound <= tol * max(1.0, abs(best_ub)):
            break
        # in-out separation point
        sep = alpha * y + (1 - alpha) * core
        phi_s, v_s, below_s = sc.cuts(sep)
        lhs = theta + np.where(below_s, (v_s[:, None] - sc.vals) * y[sc.sites], 0.0).sum(axis=1)
        viol = lhs < v_s - 1e-9 * np.maximum(1.0, v_s)
        if not (viol & active).any():
            viol = theta < phi_y - 1e-9 * np.maximum(1.0, phi_y)
            if not (viol & active).any():
                break
            add(y, viol)
            alpha = 1.0
        else:
            sel = np.flatnonzero(viol & active)
            starts, index, value = sc.rows(sel, v_s, below_s, m)
            h.addRows(len(sel), v_s[sel], np.full(len(sel), inf), len(index), starts[:-1], index, value)
            n_cuts += len(sel)
            cut_owner.append(sel)
            cut_level.append(v_s[sel])
        core = 0.5 * (core + y)
    info = {"benders_iterations": it, "cuts": n_cuts}
    radius = sc.cuts(y)[1] if y is not None else None
    lam = None
    if row_dual is not None and cut_owner:
        # Lagrangian multipliers of the assignment constraints (weighted costs) from the cut duals:
        # lambda_i = sum over i's cuts of dual * threshold (the dual of sum_j x_ij = 1)
        # the duals are those of the last solve: cuts added after it (the loop stopped on time or
        # on its iteration count) have none
        k = len(row_dual) - 1
        owner = np.concatenate(cut_owner)[:k]
        level = np.concatenate(cut_level)[:k]
        duals = np.abs(row_dual[1 : 1 + len(owner)])
        lam = np.bincount(owner, weights=duals * level, minlength=n)
    info["multipliers"] = lam
    return bound, y, rc, radius, info
