"""Thin wrapper around HiGHS (``highspy``) for sparse MILPs built with numpy/scipy."""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .errors import SolverError

_BANNER_SHOWN = False


def _new_highs():
    """Create a Highs instance; the first one prints a banner on fd 1, which we swallow so that
    command-line JSON output stays clean."""
    global _BANNER_SHOWN
    import highspy

    if _BANNER_SHOWN:
        return highspy.Highs()
    _BANNER_SHOWN = True
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:
        return highspy.Highs()
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return h


@dataclass
class MilpSolution:
    status: str  # "optimal", "time_limit", "infeasible", "unbounded", "other"
    x: np.ndarray | None
    objective: float  # incumbent objective (nan when no solution)
    bound: float  # proven dual bound (for minimisation a lower bound)
    seconds: float
    has_solution: bool
    reduced_costs: np.ndarray | None = None  # LPs only


def solve_milp(
    c: np.ndarray,
    A: sp.spmatrix,
    row_lo: np.ndarray,
    row_hi: np.ndarray,
    col_lo: np.ndarray,
    col_hi: np.ndarray,
    integer: np.ndarray | None = None,
    *,
    offset: float = 0.0,
    maximize: bool = False,
    time_limit: float | None = None,
    mip_rel_gap: float = 1e-9,
    mip_abs_gap: float = 1e-9,
    start: np.ndarray | None = None,
    threads: int | None = None,
    cutoff: float | None = None,
    options: dict | None = None,
    verbose: bool = False,
) -> MilpSolution:
    """Solve ``min/max c x + offset`` s.t. ``row_lo <= A x <= row_hi``, ``col_lo <= x <= col_hi``.

    ``integer`` is a boolean mask of integer columns (None: pure LP). ``start`` is an optional feasible
    (or partial) starting point handed to HiGHS.
    """
    import highspy

    t0 = time.perf_counter()
    n_col = int(len(c))
    A = sp.csr_matrix(A, dtype=np.float64)
    n_row = int(A.shape[0])
    if A.shape[1] != n_col:
        raise SolverError(f"内部错误：约束矩阵列数 {A.shape[1]} 与变量数 {n_col} 不一致")
    A.sum_duplicates()
    h = _new_highs()
    h.setOptionValue("output_flag", bool(verbose))
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    if time_limit is not None and math.isfinite(time_limit):
        h.setOptionValue("time_limit", max(0.01, float(time_limit)))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    h.setOptionValue("mip_abs_gap", float(mip_abs_gap))
    for key, val in (options or {}).items():
        h.setOptionValue(key, val)
    if cutoff is not None and math.isfinite(cutoff):
        # only solutions strictly better than the cutoff are of interest (prunes the search)
        h.setOptionValue("objective_bound", float(cutoff))
    inf = highspy.kHighsInf

    def to_h(a):
        a = np.array(a, dtype=np.float64)
        a[a == np.inf] = inf
        a[a == -np.inf] = -inf
        return a

    if integer is None:
        integ = np.zeros(n_col, dtype=np.int32)
    else:
        integ = np.asarray(integer, dtype=bool).astype(np.int32)
    status = h.passModel(
        n_col,
        n_row,
        int(A.nnz),
        2,  # row-wise
        -1 if maximize else 1,
        float(offset),
        np.asarray(c, dtype=np.float64),
        to_h(np.asarray(col_lo, dtype=np.float64)),
        to_h(np.asarray(col_hi, dtype=np.float64)),
        to_h(np.asarray(row_lo, dtype=np.float64)),
        to_h(np.asarray(row_hi, dtype=np.float64)),
        A.indptr.astype(np.int32),
        A.indices.astype(np.int32),
        A.data.astype(np.float64),
        integ,
    )
    if status == highspy.HighsStatus.kError:
        raise SolverError("HiGHS 拒绝了模型（内部错误）")
    if start is not None and integer is not None:
        start = np.asarray(start, dtype=np.float64)
        idx = np.flatnonzero(np.isfinite(start)).astype(np.int32)
        h.setSolution(int(len(idx)), idx, start[idx])
    h.run()
    ms = h.getModelStatus()
    info = h.getInfo()
    M = highspy.HighsModelStatus
    if ms == M.kOptimal:
        st = "optimal"
    elif ms in (M.kTimeLimit, M.kIterationLimit, M.kInterrupt, M.kSolutionLimit):
        st = "time_limit"
    elif ms == M.kInfeasible:
        st = "infeasible"
    elif ms in (M.kUnbounded, M.kUnboundedOrInfeasible):
        st = "unbounded" if ms == M.kUnbounded else "infeasible"
    else:
        st = "other"
    has_sol = info.primal_solution_status == 2  # kSolutionStatusFeasible
    hsol = h.getSolution()
    x = np.asarray(hsol.col_value, dtype=np.float64) if has_sol else None
    rc = None
    if has_sol and not np.any(integ) and hsol.dual_valid:
        rc = np.asarray(hsol.col_dual, dtype=np.float64)
    obj = float(info.objective_function_value) if has_sol else math.nan
    if integer is not None and np.any(integ):
        bound = float(info.mip_dual_bound)
    else:
        bound = obj if st == "optimal" else (-math.inf if not maximize else math.inf)
    if st == "optimal" and integer is not None and np.any(integ) and not math.isfinite(bound):
        bound = obj
    return MilpSolution(st, x, obj, bound, time.perf_counter() - t0, has_sol, rc)
