"""Travel costs: from coordinates (great circle, detour factor, speed) or a road network.

Road networks come as GeoJSON ``LineString`` / ``MultiLineString`` features. Line vertices that share a
coordinate (to ~1 cm) become one graph node; each segment is an edge whose travel time is its
great-circle length divided by the feature's speed (a numeric property, or a speed looked up from its
road class). Points are snapped to the nearest point on the nearest road segment (candidates from a
``scipy.spatial.cKDTree`` of points along the segments, exact point-to-segment distances in a metric
projection centred on each point); the snap distance is added at an access speed and the point enters
the network there, with the part of the segment's travel time to either end (one-way segments only
forwards). Shortest paths use ``scipy.sparse.csgraph.dijkstra`` from the sites, in chunks, so memory
stays bounded. Pairs in different components get ``inf`` and are reported, never silently assigned.
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
_KM_PER_DEGREE = math.pi / 180.0 * EARTH_RADIUS_KM

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


#: a point within this distance (km, 1 mm) of a segment end is at that road vertex
_AT_VERTEX_KM = 1e-6


@dataclass
class Snap:
    """Points snapped to the nearest point on the nearest road segment.

    ``segment`` indexes the network's segments (``seg_u[k]`` → ``seg_v[k]``, the GeoJSON drawing
    order); ``fraction`` is the position of the snap point from ``seg_u`` (0) to ``seg_v`` (1); ``km``
    the straight-line distance from the point to the road; ``lonlat`` the snap point. The travel
    times (minutes) along the segment between the snap point and its ends are ``to_u``/``to_v``
    (leaving) and ``from_u``/``from_v`` (arriving); ``inf`` where a one-way segment forbids it.
    """

    segment: np.ndarray
    fraction: np.ndarray
    km: np.ndarray
    lonlat: np.ndarray
    u: np.ndarray
    v: np.ndarray
    to_u: np.ndarray
    to_v: np.ndarray
    from_u: np.ndarray
    from_v: np.ndarray


class RoadNetwork:
    """A road graph with travel times in minutes on its edges."""

    #: segment pieces looked at first when snapping a point (farther ones only when they could be nearer)
    snap_neighbours = 8

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
        # the segments themselves (for snapping), as drawn
        self.seg_u = np.asarray(u, dtype=np.int64)
        self.seg_v = np.asarray(v, dtype=np.int64)
        self.seg_minutes = np.asarray(minutes, dtype=np.float64)
        self.seg_oneway = oneway
        self._cos0 = math.cos(float(np.radians(np.mean(self.nodes[:, 1]))))
        self._scale = np.array([self._cos0, 1.0]) * _KM_PER_DEGREE
        self._index = None

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
    ) -> RoadNetwork:
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
    def _segment_index(self):
        """Every segment cut into equal pieces of at most about the median segment length: a KD-tree of
        the piece midpoints (network-wide projection, km), each piece's segment, and the largest
        half-length of a piece."""
        if self._index is None:
            xy = self.nodes * self._scale
            a, b = xy[self.seg_u], xy[self.seg_v]
            length = np.hypot(*(b - a).T)
            pos = length[length > 0]
            # pieces of about the median segment length, at most ~4 pieces per segment on average
            step = max(float(np.median(pos)) if pos.size else 1e-3, float(length.sum()) / (3 * len(length)), 1e-6)
            pieces = np.maximum(1, np.ceil(length / step)).astype(np.int64)
            seg = np.repeat(np.arange(len(length)), pieces)
            k = np.arange(len(seg)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
            f = ((k + 0.5) / pieces[seg])[:, None]
            mid = a[seg] + f * (b - a)[seg]
            self._index = (cKDTree(mid), seg, float((length / pieces).max()) / 2)
        return self._index

    def _nearest_segments(self, pts, point, seg):
        """For candidate pairs (``point[k]``, ``seg[k]``): each point's nearest candidate segment, the
        position on it and the distance (km) in an equirectangular projection centred on the point."""
        P = pts[point]
        kx = np.cos(np.radians(P[:, 1])) * _KM_PER_DEGREE
        a = self.nodes[self.seg_u[seg]] - P
        b = self.nodes[self.seg_v[seg]] - P
        ax, ay, bx, by = a[:, 0] * kx, a[:, 1] * _KM_PER_DEGREE, b[:, 0] * kx, b[:, 1] * _KM_PER_DEGREE
        dx, dy = bx - ax, by - ay
        den = dx * dx + dy * dy
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(den > 0, np.clip(-(ax * dx + ay * dy) / den, 0.0, 1.0), 0.0)
        d = np.hypot(ax + t * dx, ay + t * dy)
        # per point the nearest; ties (a point at a shared vertex) go to the faster segment
        order = np.lexsort((self.seg_minutes[seg], d, point))
        first = np.ones(len(order), dtype=bool)
        first[1:] = point[order[1:]] != point[order[:-1]]
        best = order[first]
        n = len(pts)
        out_seg = np.full(n, -1, dtype=np.int64)
        out_t = np.zeros(n)
        out_d = np.full(n, np.inf)
        out_seg[point[best]], out_t[point[best]], out_d[point[best]] = seg[best], t[best], d[best]
        return out_seg, out_t, out_d

    def snap(self, lonlat) -> Snap:
        """The nearest point on the nearest road segment of each point (lon/lat)."""
        pts = np.asarray(lonlat, dtype=np.float64).reshape(-1, 2)
        n = len(pts)
        tree, piece_seg, half = self._segment_index()
        g = pts * self._scale
        k = min(self.snap_neighbours, tree.n)
        dist, idx = tree.query(g, k=k)
        dist, idx = dist.reshape(n, k), idx.reshape(n, k)
        seg, t, km = self._nearest_segments(pts, np.repeat(np.arange(n), k), piece_seg[idx.ravel()])
        if k < tree.n:
            # A nearer segment has a piece within (distance + half a piece) of the point, measured in
            # the network-wide projection, which stretches east-west distances by at most cos0/cos(lat).
            stretch = np.maximum(1.0, self._cos0 / np.maximum(np.cos(np.radians(pts[:, 1])), 1e-12))
            radius = km * stretch * (1 + 1e-9) + half + 1e-9
            todo = np.flatnonzero(dist[:, -1] <= radius)
            if todo.size:
                lists = tree.query_ball_point(g[todo], radius[todo])
                cnt = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
                more = np.concatenate([np.asarray(x, dtype=np.int64) for x in lists])
                s2, t2, d2 = self._nearest_segments(pts, np.repeat(todo, cnt), piece_seg[more])
                better = d2 < km
                seg[better], t[better], km[better] = s2[better], t2[better], d2[better]
        u, v = self.seg_u[seg], self.seg_v[seg]
        w = self.seg_minutes[seg]
        length_km = np.hypot((self.nodes[v, 0] - self.nodes[u, 0]) * np.cos(np.radians(pts[:, 1])),
                             self.nodes[v, 1] - self.nodes[u, 1]) * _KM_PER_DEGREE
        two_way = ~self.seg_oneway[seg]
        at_u = t * length_km <= _AT_VERTEX_KM
        at_v = (1 - t) * length_km <= _AT_VERTEX_KM
        return Snap(
            segment=seg, fraction=t, km=km,
            lonlat=self.nodes[u] + t[:, None] * (self.nodes[v] - self.nodes[u]),
            u=u, v=v,
            to_u=np.where(two_way | at_u, t * w, np.inf), to_v=(1 - t) * w,
            from_u=t * w, from_v=np.where(two_way | at_v, (1 - t) * w, np.inf),
        )

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

        Every point enters the road network at the nearest point of the nearest segment
        (:meth:`snap`); the snap distance on both ends is covered at ``access_speed_kmh``. Points
        farther than ``max_snap_km`` from any road are unreachable. ``limit`` (minutes) prunes the
        searches: pairs farther apart get ``inf``.
        """
        d = _lonlat(demand_lonlat, "需求点")
        s = _lonlat(site_lonlat, "候选点")
        acc = V.positive_number(access_speed_kmh, name="接驳速度")
        ds = self.snap(d)
        ss = self.snap(s)
        dkm, skm = ds.km, ss.km
        d_acc = dkm / acc * 60.0
        s_acc = skm / acc * 60.0
        n, m = len(d), len(s)
        out = np.full((n, m), np.inf, dtype=dtype)
        V_ = len(self.nodes)
        # one search per distinct site position, from a node of its own that only the two ends of
        # its segment lead to (on the reversed graph: that node leads to them)
        pos, s_inv = np.unique(np.column_stack([ss.segment, ss.fraction]), axis=0, return_inverse=True)
        s_inv = s_inv.reshape(-1)
        first = np.zeros(len(pos), dtype=np.int64)
        first[s_inv[::-1]] = np.arange(m)[::-1]
        K = len(pos)
        src_nodes = V_ + np.arange(K)
        su, sv, fu, fv = ss.u[first], ss.v[first], ss.from_u[first], ss.from_v[first]
        use_v = np.isfinite(fv) & (sv != su)
        gt = self._reverse().tocoo()
        G = sp.csr_matrix(
            (np.concatenate([gt.data, np.maximum(fu, 1e-9), np.maximum(fv[use_v], 1e-9)]),
             (np.concatenate([gt.row, src_nodes, src_nodes[use_v]]), np.concatenate([gt.col, su, sv[use_v]]))),
            shape=(V_ + K, V_ + K),
        )
        per = max(1, int(chunk_bytes // (8 * (V_ + K))))
        lim = np.inf if limit is None else float(limit)
        for c0 in range(0, K, per):
            src = src_nodes[c0 : c0 + per]
            # travel from demand to site: on the reversed graph search from the sites
            D = dijkstra(G, directed=True, indices=src, limit=lim)
            cols_ = np.flatnonzero((s_inv >= c0) & (s_inv < c0 + len(src)))
            for j in cols_:
                row = D[s_inv[j] - c0]
                out[:, j] = (np.minimum(row[ds.u] + ds.to_u, row[ds.v] + ds.to_v) + d_acc + s_acc[j]).astype(dtype)
        self._same_segment(out, ds, ss, d_acc, s_acc)
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
            demand_component=self.component[ds.u],
            site_component=self.component[ss.u],
            n_components=int(self.n_components),
            unreachable_demand=np.flatnonzero(~fin.any(axis=1)),
            unreachable_sites=np.flatnonzero(~fin.any(axis=0)),
            unreachable_pairs=int((~fin).sum()),
            stats={"nodes": int(V_), "edges": int(self.n_edges)},
        )

    def _same_segment(self, out, ds, ss, d_acc, s_acc):
        """Demand and site on the same segment: also straight along it (forwards, or both ways)."""
        order = np.argsort(ds.segment, kind="stable")
        lo = np.searchsorted(ds.segment[order], ss.segment, side="left")
        hi = np.searchsorted(ds.segment[order], ss.segment, side="right")
        for k in np.unique(ss.segment[hi > lo]):
            j = np.flatnonzero(ss.segment == k)
            i = order[lo[j[0]]:hi[j[0]]]
            gap = ss.fraction[j][None, :] - ds.fraction[i][:, None]  # > 0: the site lies forwards
            ok = (gap >= 0) | (not self.seg_oneway[k])
            if not ok.all():  # backwards on a one-way segment only between (nearly) the same points
                km = great_circle_km(self.nodes[self.seg_u[k]][None], self.nodes[self.seg_v[k]][None])[0, 0]
                ok |= np.abs(gap) * km <= _AT_VERTEX_KM
            direct = np.where(ok, np.abs(gap) * self.seg_minutes[k], np.inf)
            direct += d_acc[i][:, None] + s_acc[j][None, :]
            out[np.ix_(i, j)] = np.minimum(out[np.ix_(i, j)], direct.astype(out.dtype))

    def _reverse(self):
        if not hasattr(self, "_gt"):
            self._gt = self.graph.T.tocsr()
        return self._gt
