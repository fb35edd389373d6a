"""The common result object returned by every model."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np


def relative_gap(objective: float, lower_bound: float, *, maximize: bool = False) -> float:
    """Relative optimality gap ``|obj - bound| / max(|obj|, 1e-12)``; 0 when both are 0."""
    if not (math.isfinite(objective) and math.isfinite(lower_bound)):
        return math.inf
    diff = (lower_bound - objective) if maximize else (objective - lower_bound)
    diff = max(0.0, diff)
    if diff <= 1e-12 * max(1.0, abs(objective)):
        return 0.0
    return diff / max(abs(objective), 1e-12)


@dataclass
class LocateResult:
    """Result of a location model.

    ``assignment[i]`` is the site serving demand ``i`` (the site with the largest share when demand is
    split), ``-1`` when unassigned (e.g. not covered in MCLP). ``travel[i]`` is the travel cost from
    ``i`` to ``assignment[i]`` (NaN when unassigned). ``loads[j]`` is the weighted demand served by site
    ``j`` (all m sites, zero for closed ones). ``lower_bound`` is a proven bound on the optimum (an
    upper bound for maximisation models such as MCLP).
    """

    model: str
    status: str
    sites: np.ndarray
    assignment: np.ndarray
    objective: float
    lower_bound: float
    seconds: float
    travel: np.ndarray
    loads: np.ndarray
    capacities: np.ndarray | None = None
    maximize: bool = False
    allocation: list[tuple[int, int, float]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def gap(self) -> float:
        return relative_gap(self.objective, self.lower_bound, maximize=self.maximize)

    @property
    def utilisation(self) -> np.ndarray | None:
        if self.capacities is None:
            return None
        with np.errstate(divide="ignore", invalid="ignore"):
            u = np.where(self.capacities > 0, self.loads / self.capacities, np.nan)
        return u

    def to_dict(self, demand_ids=None, site_ids=None) -> dict[str, Any]:
        """JSON-serialisable dict (ids default to 0-based indices)."""

        def sid(j: int):
            return int(j) if site_ids is None else site_ids[int(j)]

        def did(i: int):
            return int(i) if demand_ids is None else demand_ids[int(i)]

        util = self.utilisation
        site_rows = []
        for j in self.sites:
            row: dict[str, Any] = {"site": sid(j), "load": _num(self.loads[j])}
            if self.capacities is not None:
                row["capacity"] = _num(self.capacities[j])
                row["utilisation"] = _num(util[j])
            site_rows.append(row)
        assignment = []
        for i, j in enumerate(self.assignment):
            assignment.append(
                {
                    "demand": did(i),
                    "site": None if j < 0 else sid(j),
                    "travel": None if j < 0 else _num(self.travel[i]),
                }
            )
        out: dict[str, Any] = {
            "model": self.model,
            "status": self.status,
            "objective": _num(self.objective),
            "lower_bound" if not self.maximize else "upper_bound": _num(self.lower_bound),
            "gap": _num(self.gap),
            "seconds": round(float(self.seconds), 4),
            "sites": [sid(j) for j in self.sites],
            "site_loads": site_rows,
            "assignment": assignment,
        }
        if self.allocation is not None:
            out["allocation"] = [
                {"demand": did(i), "site": sid(j), "share": _num(f)} for i, j, f in self.allocation
            ]
        for k, v in self.extra.items():
            out[k] = _jsonable(v, sid, did)
        return out


def _num(v):
    v = float(v)
    if math.isnan(v):
        return None
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v


def _jsonable(v, sid, did):
    if isinstance(v, np.ndarray):
        return [_jsonable(x, sid, did) for x in v.tolist()]
    if isinstance(v, dict):
        return {k: _jsonable(x, sid, did) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x, sid, did) for x in v]
    if isinstance(v, (float, np.floating)):
        return _num(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    return v


def assignment_stats(costs: np.ndarray, w: np.ndarray, assignment: np.ndarray, m: int):
    """Per-demand travel and per-site loads for a single-site assignment (-1 = unassigned)."""
    n = len(assignment)
    travel = np.full(n, np.nan)
    ok = assignment >= 0
    rows = np.flatnonzero(ok)
    travel[rows] = costs[rows, assignment[rows]]
    loads = np.bincount(assignment[ok], weights=w[ok], minlength=m).astype(np.float64)
    return travel, loads
