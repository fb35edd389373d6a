"""Travel costs: from coordinates (great circle, detour factor, speed) or a road network.

Road networks come as GeoJSON ``LineString`` / ``MultiLineString`` features. Line vertices that share a
coordinate (to ~1 cm) become one graph node; each segment is an edge whose travel time is its
great-circle length divided by the feature's speed (a numeric property, or a speed looked up from its
road class). Points are snapped to the nearest road vertex (``scipy.spatial.cKDTree``) and the snap
distance is added at an access speed; shortest paths use ``scipy.sparse.csgraph.dijkstra`` from the
sites, in chunks, so memory stays bounded. Pairs in different components get ``inf`` and are
reported, never silently assigned.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from . import validate as V
from .errors import InputError, NetworkError

EARTH_RADIUS_KM = 6371.0088

#: default speeds (km/h) by road class: OpenStreetMap ``highway`` values and Chinese road grades
DEFAULT_CLASS_SPEEDS = {
    "motorway": 100, "trunk": 80, "primary": 60, "secondary": 50, "tertiary": 40,
    "unclassified": 30, "residential": 25, "service": 15, "track": 15, "path": 5,
    "高速公路": 100, "高速": 100, "国道": 70, "省道": 60, "县道": 45, "乡道": 35, "村道": 25,
}


def _lonlat(points, name: str) -> np.ndarray:
    try:
        arr = np.asarray(points, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{name}坐标无法解析为数值") from None
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise InputError(f"{name}坐标应为 N × 2 的（经度, 纬度）数组")
    if arr.shape[0] == 0:
        raise InputError(f"{name}为空")
    bad = ~np.isfinite(arr).all(axis=1)
    if bad.any():
        raise InputError(f"{name}第 {int(np.flatnonzero(bad)[0]) + 1} 个点的坐标为 NaN 或无穷大")
    out = (np.abs(arr[:, 0]) > 180) | (np.abs(arr[:, 1]) > 90)
    if out.any():
        i = int(np.flatnonzero(out)[0])
        raise InputError(f"{name}第 {i + 1} 个点的坐标 ({arr[i, 0]}, {arr[i, 1]}) 超出经纬度范围")
    return arr


def great_circle_km(a: np.ndarray, b: np.ndarray, *, dtype=np.float64) -> np.ndarray:
    """Haversine distances (km) between lon/lat points ``a`` (n×2) and ``b`` (m×2)."""
    la1 = np.radians(a[:, 1])[:, None]
    la2 = np.radians(b[:, 1])[None, :]
    dlat = la2 - la1
    dlon = np.radians(b[:, 0])[None, :] - np.radians(a[:, 0])[:, None]
    h = np.sin(dlat / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin(dlon / 2) ** 2
    return (2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))).astype(dtype, copy=False)


def coordinate_costs(
    demand_lonlat,
    site_lonlat,
    *,
    detour: float = 1.0,
    speed_kmh: float | None = None,
    dtype=np.float64,
) -> np.ndarray:
    """Cost matrix from coordinates: great-circle km × ``detour`` (≥ 1), or minutes if ``speed_kmh``."""
    d = _lonlat(demand_lonlat, "需求点")
    s = _lonlat(site_lonlat, "候选点")
    det = V.positive_number(detour, name="绕行系数")
    if det < 1:
        raise InputError(f"绕行系数应不小于 1，实际为 {detour}")
    out = np.empty((len(d), len(s)), dtype=dtype)
    chunk = max(1, 4_000_000 // len(s))
    factor = det
    if speed_kmh is not None:
        factor = det * 60.0 / V.positive_number(speed_kmh, name="速度")
    for i in range(0, len(d), chunk):
        out[i : i + chunk] = great_circle_km(d[i : i + chunk], s) * factor
    return out


def euclidean_costs(a, b, *, dtype=np.float64) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    from scipy.spatial.distance import cdist

    return cdist(a, b).astype(dtype, copy=False)


@dataclass
class TravelMatrix:
    """Shortest-path travel times (minutes) with a reachability report."""

    costs: np.ndarray  # n x m, inf where unreachable
    demand_snap_km: np.ndarray
    site_snap_km: np.ndarray
    demand_component: np.ndarray
    site_component: np.ndarray
    n_components: int
    unreachable_demand: np.ndarray  # demand points that reach no site
    unreachable_sites: np.ndarray  # sites that no demand point reaches
    unreachable_pairs: int
    stats: dict = field(default_factory=dict)

    def report(self) -> dict:
        return {
            "components": int(self.n_components),
            "unreachable_pairs": int(self.unreachable_pairs),
            "unreachable_demand": self.unreachable_demand.tolist(),
            "unreachable_sites": self.unreachable_sites.tolist(),
            "max_demand_snap_km": float(self.demand_snap_km.max()) if len(self.demand_snap_km) else 0.0,
            "max_site_snap_km": float(self.site_snap_km.max()) if len(self.site_snap_km) else 0.0,
            **self.stats,
        }


class RoadNetwork:
    """A road graph with travel times in minutes on its edges."""

    def __init__(self, nodes: np.ndarray, u: np.ndarray, v: np.ndarray, minutes: np.ndarray,
                 oneway: np.ndarray | None = None):
        if len(nodes) == 0 or len(u) == 0:
            raise NetworkError("道路网络为空（没有任何道路线段）")
        self.nodes = np.asarray(nodes, dtype=np.float64)
        V_ = len(self.nodes)
        oneway = np.zeros(len(u), dtype=bool) if oneway is None else np.asarray(oneway, dtype=bool)
        # both directions unless one-way; explicit tiny weight for zero-length segments
        uu = np.concatenate([u, v[~oneway]])
        vv = np.concatenate([v, u[~oneway]])
        ww = np.concatenate([minutes, minutes[~oneway]])
        ww = np.maximum(ww, 1e-9)
        keep = uu != vv
        uu, vv, ww = uu[keep], vv[keep], ww[keep]
        # parallel edges: keep the fastest
        order = np.lexsort((ww, vv, uu))
        uu, vv, ww = uu[order], vv[order], ww[order]
        first = np.ones(len(uu), dtype=bool)
        first[1:] = (uu[1:] != uu[:-1]) | (vv[1:] != vv[:-1])
        self.graph = sp.csr_matrix((ww[first], (uu[first], vv[first])), shape=(V_, V_))
        self.n_edges = int(first.sum())
        self.n_components, self.component = connected_components(self.graph, directed=True,
                                                                  connection="weak")
        lat0 = float(np.radians(np.mean(self.nodes[:, 1])))
        self._scale = np.array([math.cos(lat0), 1.0]) * (math.pi / 180.0 * EARTH_RADIUS_KM)
        self._tree = cKDTree(self.nodes * self._scale)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_geojson(
        cls,
        data,
        *,
        speed_field: str = "speed",
        class_field: str = "highway",
        class_speeds: dict | None = None,
        default_speed: float | None = None,
        oneway_field: str | None = "oneway",
    ) -> "RoadNetwork":
        """Build from a GeoJSON FeatureCollection (dict, JSON text or file path)."""
        if isinstance(data, (str, Path)) and not str(data).lstrip().startswith("{"):
            try:
                data = json.loads(Path(data).read_text(encoding="utf-8"))
            except OSError as exc:
                raise NetworkError(f"无法读取道路文件 {data}：{exc.strerror or exc}") from None
            except json.JSONDecodeError as exc:
                raise NetworkError(f"道路文件不是合法的 GeoJSON：{exc}") from None
        elif isinstance(data, str):
            try:
                data = json.loads(data)
            except json.JSONDecodeError as exc:
                raise NetworkError(f"道路数据不是合法的 GeoJSON：{exc}") from None
        feats = data.get("features") if isinstance(data, dict) else None
        if not feats:
            raise NetworkError("道路 GeoJSON 中没有任何要素（features 为空）")
        speeds = dict(DEFAULT_CLASS_SPEEDS)
        if class_speeds:
            speeds.update(class_speeds)
        coords_list, seg_speed, seg_oneway, lens = [], [], [], []
        for k, f in enumerate(feats):
            geom = (f or {}).get("geometry") or {}
            props = (f or {}).get("properties") or {}
            gtype = geom.get("type")
            if gtype == "LineString":
                parts = [geom.get("coordinates") or []]
            elif gtype == "MultiLineString":
                parts = geom.get("coordinates") or []
            else:
                continue  # points / polygons are not roads
            spd = props.get(speed_field)
            if spd is None and class_field in props:
                spd = speeds.get(str(props[class_field]))
            if spd is None:
                spd = default_speed
            try:
                spd = float(spd) if spd is not None else math.nan
            except (TypeError, ValueError):
                spd = math.nan
            if not (spd > 0 and math.isfinite(spd)):
                raise NetworkError(
                    f"第 {k + 1} 条道路要素没有可用的速度（{speed_field}={props.get(speed_field)!r}，"
                    f"{class_field}={props.get(class_field)!r}）；请提供速度或道路等级，或设置默认速度"
                )
            ow = bool(props.get(oneway_field) in (True, "yes", "true", "1", 1)) if oneway_field else False
            for part in parts:
                arr = np.asarray(part, dtype=np.float64)
                if arr.ndim != 2 or arr.shape[0] < 2:
                    continue
                arr = arr[:, :2]
                coords_list.append(arr)
                seg_speed.append(np.full(len(arr) - 1, spd))
                seg_oneway.append(np.full(len(arr) - 1, ow))
                lens.append(len(arr))
        if not coords_list:
            raise NetworkError("道路 GeoJSON 中没有 LineString/MultiLineString 线段")
        allc = np.concatenate(coords_list)
        _lonlat(allc, "道路")
        key = np.round(allc * 1e7).astype(np.int64)
        nodes_key, inv = np.unique(key, axis=0, return_inverse=True)
        inv = inv.reshape(-1)
        nodes = nodes_key.astype(np.float64) / 1e7
        lens = np.asarray(lens)
        ends = np.cumsum(lens)
        last = np.zeros(len(allc), dtype=bool)
        last[ends - 1] = True  # a segment starts at every vertex but the last of its line
        seg_from = np.flatnonzero(~last)
        u = inv[seg_from]
        v = inv[seg_from + 1]
        a, b = allc[seg_from], allc[seg_from + 1]
        la1, la2 = np.radians(a[:, 1]), np.radians(b[:, 1])
        h = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin(np.radians(b[:, 0] - a[:, 0]) / 2) ** 2
        km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
        spd = np.concatenate(seg_speed)
        ow = np.concatenate(seg_oneway)
        return cls(nodes, u, v, km / spd * 60.0, ow)

    # ------------------------------------------------------------------ queries
    def snap(self, lonlat) -> tuple[np.ndarray, np.ndarray]:
        """Nearest road vertex of each point and the straight-line distance (km) to it."""
        pts = np.asarray(lonlat, dtype=np.float64)
        dist, idx = self._tree.query(pts * self._scale)
        return idx.astype(np.int64), dist

    def travel_matrix(
        self,
        demand_lonlat,
        site_lonlat,
        *,
        access_speed_kmh: float = 5.0,
        max_snap_km: float | None = None,
        limit: float | None = None,
        dtype=np.float32,
        chunk_bytes: int = 256 * 2**20,
    ) -> TravelMatrix:
        """Shortest-path travel times (minutes) from every demand point to every site.

        The snap distance on both ends is covered at ``access_speed_kmh``. Points farther than
        ``max_snap_km`` from any road are unreachable. ``limit`` (minutes) prunes the searches: pairs
        farther apart get ``inf``.
        """
        d = _lonlat(demand_lonlat, "需求点")
        s = _lonlat(site_lonlat, "候选点")
        acc = V.positive_number(access_speed_kmh, name="接驳速度")
        dn, dkm = self.snap(d)
        sn, skm = self.snap(s)
        d_acc = dkm / acc * 60.0
        s_acc = skm / acc * 60.0
        n, m = len(d), len(s)
        out = np.full((n, m), np.inf, dtype=dtype)
        V_ = len(self.nodes)
        uniq_s, s_inv = np.unique(sn, return_inverse=True)
        per = max(1, int(chunk_bytes // (8 * V_)))
        lim = np.inf if limit is None else float(limit)
        for c0 in range(0, len(uniq_s), per):
            src = uniq_s[c0 : c0 + per]
            # travel from demand to site: on the reversed graph search from the sites
            D = dijkstra(self._reverse(), directed=True, indices=src, limit=lim)
            cols = np.flatnonzero(np.isin(s_inv, np.arange(c0, c0 + len(src))))
            for j in cols:
                out[:, j] = (D[s_inv[j] - c0, dn] + d_acc + s_acc[j]).astype(dtype)
        if max_snap_km is not None:
            out[dkm > max_snap_km, :] = np.inf
            out[:, skm > max_snap_km] = np.inf
        if limit is not None:
            out[out > lim] = np.inf
        fin = np.isfinite(out)
        return TravelMatrix(
            costs=out,
            demand_snap_km=dkm,
            site_snap_km=skm,
            demand_component=self.component[dn],
            site_component=self.component[sn],
            n_components=int(self.n_components),
            unreachable_demand=np.flatnonzero(~fin.any(axis=1)),
            unreachable_sites=np.flatnonzero(~fin.any(axis=0)),
            unreachable_pairs=int((~fin).sum()),
            stats={"nodes": int(V_), "edges": int(self.n_edges)},
        )

    def _reverse(self):
        if not hasattr(self, "_gt"):
            self._gt = self.graph.T.tocsr()
        return self._gt
