"""The units of a scheme as the engine sees them: populations, adjacency, travel costs."""
from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import reduce

import numpy as np
from shapely.geometry import shape
from shapely.strtree import STRtree

from xiangcun.divisions.models import Division
from xiangcun.divisions.scoping import subtree_q
from xiangcun.locate.costs import coordinate_costs
from xiangcun.locate.regions import delaunay_adjacency

from .errors import ZoneError


@dataclass
class UnitGraph:
    units: list[Division]
    population: np.ndarray
    edges: list[tuple[int, int]]
    costs: np.ndarray  # great-circle km between representative points
    from_boundaries: int  # edges found from boundaries (the rest from Delaunay on points)

    def index(self) -> dict[int, int]:
        return {u.pk: i for i, u in enumerate(self.units)}


def current_units(county: Division, level: int):
    return list(Division.objects.subtree(county).current().filter(level=level).order_by("code", "name"))


def populations(units) -> dict[int, int]:
    """Population per unit from the registry: the unit's own figure where it has one, else the sum over its
    current lower units (villages, villager groups), worked out bottom-up in one query."""
    units = list(units)
    if not units:
        return {}
    below = Division.objects.current().filter(reduce(operator.or_, (subtree_q(u) for u in units)))
    rows = {d.pk: d for d in below.only("id", "parent_id", "population")}
    children: dict[int, list[int]] = {}
    for d in rows.values():
        children.setdefault(d.parent_id, []).append(d.pk)
    memo: dict[int, int] = {}

    def pop(pk, own):
        if pk in memo:
            return memo[pk]
        value = own if own is not None else sum(pop(c, rows[c].population) for c in children.get(pk, ()))
        memo[pk] = int(value or 0)
        return memo[pk]

    return {u.pk: pop(u.pk, u.population) for u in units}


def unit_graph(units: list[Division]) -> UnitGraph:
    """Adjacency from boundaries (polygons that touch or overlap), Delaunay on the representative points for
    units without a boundary. A unit with neither a boundary nor a point is refused by name."""
    lost = [u.name for u in units if u.lon is None or u.lat is None]
    if lost:
        raise ZoneError(f"以下单位没有边界也没有坐标,无法判断相邻关系:{'、'.join(lost[:10])}"
                        + (f" 等 {len(lost)} 个" if len(lost) > 10 else ""))
    n = len(units)
    shapes = {}
    for i, u in enumerate(units):
        if u.geometry:
            try:
                g = shape(u.geometry)
                if not g.is_empty:
                    shapes[i] = g if g.is_valid else g.buffer(0)
            except Exception as exc:  # noqa: BLE001 — a broken boundary is named, not a 500
                raise ZoneError(f"{u.name}的边界数据无法读取({exc.__class__.__name__}),请重新导入该单位的边界") from None
    edges = set()
    keys = list(shapes)
    if keys:
        tree = STRtree([shapes[k] for k in keys])
        for a in keys:
            grown = shapes[a].buffer(1e-7)  # shared edges of simplified polygons may miss by a hair
            for b_pos in tree.query(grown, predicate="intersects"):
                b = keys[int(b_pos)]
                # neighbours share a stretch of border, not just a corner point
                if a < b and grown.intersection(shapes[b]).area > 1e-12:
                    edges.add((a, b))
    from_boundaries = len(edges)
    bare = [i for i in range(n) if i not in shapes]
    if bare:
        xy = np.array([[u.lon, u.lat] for u in units])
        for a, b in delaunay_adjacency(xy):
            if a in bare or b in bare:
                edges.add((min(a, b), max(a, b)))
    xy = np.array([[u.lon, u.lat] for u in units], dtype=float)
    costs = coordinate_costs(xy, xy)
    pops = populations(units)
    return UnitGraph(units, np.array([pops[u.pk] for u in units], dtype=float), sorted(edges), costs,
                     from_boundaries)
