"""Where units are: GeoJSON import, feature collections for maps, and generated demo geometry.

Geometry is optional (no tile server or GIS database is assumed): a polygon per unit as a GeoJSON
dict, and a representative point (lon, lat) that planning uses as the unit's location.
"""
from __future__ import annotations

import json
import math
import random

from django.db import transaction
from shapely.geometry import MultiPoint, Point, Polygon, mapping, shape
from shapely.ops import unary_union, voronoi_diagram

from . import services
from .models import Division, Level


class GeoError(Exception):
    pass


def _set_shape(division: Division, geom) -> None:
    point = geom.representative_point()
    division.geometry = mapping(geom.simplify(0.0005, preserve_topology=True))
    division.lon, division.lat = round(point.x, 6), round(point.y, 6)


@transaction.atomic
def import_geojson(data: bytes | str, units, match: str = "code") -> dict:
    """Set the geometry of units from a GeoJSON FeatureCollection, matching properties.code (12
    digits) or properties.name among `units`. Every feature is checked first; nothing is written
    if any feature is unreadable or matches no unit."""
    try:
        collection = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise GeoError("不是有效的 GeoJSON 文件") from None
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list):
        raise GeoError("GeoJSON 应为 FeatureCollection")
    by_key = {}
    for d in units.filter(valid_to__isnull=True):
        by_key.setdefault(d.code if match == "code" else d.name, []).append(d)
    errors, updates = [], []
    for i, feature in enumerate(features, start=1):
        key = str((feature.get("properties") or {}).get(match, "")).strip()
        try:
            geom = shape(feature["geometry"])
            if geom.is_empty or not geom.is_valid:
                raise ValueError
        except Exception:
            errors.append(f"第 {i} 个要素({key or '无名称'}):几何图形无效")
            continue
        hits = by_key.get(key, [])
        if len(hits) != 1:
            errors.append(f"第 {i} 个要素:{'找不到' if not hits else '有多个'}{'代码' if match == 'code' else '名称'}为“{key}”的现有单位")
            continue
        updates.append((hits[0], geom))
    if errors:
        raise GeoError("\n".join(errors))
    for division, geom in updates:
        _set_shape(division, geom)
        division.save(update_fields=["geometry", "lon", "lat"])
    return {"updated": len(updates)}


def feature_collection(units) -> dict:
    """A GeoJSON FeatureCollection of units that have geometry (properties: id, name, code, level)."""
    features = [
        {"type": "Feature", "geometry": d.geometry,
         "properties": {"id": d.pk, "name": d.name, "code": d.code, "level": d.level, "current": d.valid_to is None}}
        for d in units.exclude(geometry=None).only("id", "name", "code", "level", "valid_to", "geometry")
    ]
    return {"type": "FeatureCollection", "features": features}


# --- demo geometry -------------------------------------------------------------------------------

def _county_outline(cx, cy, rng) -> Polygon:
    pts = []
    for k in range(36):
        a = 2 * math.pi * k / 36
        r = 0.42 * (1 + 0.25 * math.sin(3 * a + 1) + 0.1 * rng.uniform(-1, 1))
        pts.append((cx + r * math.cos(a) * 1.2, cy + r * math.sin(a)))
    return Polygon(pts)


def _within(points: dict, area: Polygon, cx: float, cy: float) -> dict:
    """The points, drawn towards the seat (cx, cy) just enough for all of them to lie in `area`.

    A village outside the outline would get a Voronoi cell that misses the county (an empty
    polygon, or one that is not where the village is); a long valley is shortened instead. The
    valley shrinks as a whole, so its villages stay distinct and in order."""
    factor = 1.0
    for _ in range(60):
        moved = {k: Point(cx + (x - cx) * factor, cy + (y - cy) * factor) for k, (x, y) in points.items()}
        if all(area.contains(p) for p in moved.values()):
            return moved
        factor *= 0.9
    raise GeoError("无法在县域轮廓内布置示例村位置")


@transaction.atomic
def generate_demo_geometry(county: Division, seed: int = 513201) -> int:
    """Generated polygons for a county as it stood at its baseline: villages are Voronoi cells around
    points strung along valleys from the county seat; townships and the county are their unions.
    Units that merged keep their old cells; their successors get the union. Returns units updated."""
    rng = random.Random(seed)
    start = county.valid_from
    cx, cy = 102.22, 31.90  # 马尔康 (the demo's real location)
    outline = _county_outline(cx, cy, rng)
    townships = [v for v in services.versions_on(start, county) if v.level == Level.TOWNSHIP]
    if not townships:
        return 0
    cells, n = {}, len(townships)
    for t_index, tv in enumerate(sorted(townships, key=lambda v: v.code)):
        # each township lies along a valley radiating from the seat
        angle = 2 * math.pi * t_index / n + rng.uniform(-0.15, 0.15)
        dist = 0.05 + 0.3 * rng.random() if t_index else 0.0
        tx, ty = cx + dist * math.cos(angle) * 1.2, cy + dist * math.sin(angle)
        villages = [v for v in services.versions_on(start, tv.division) if v.level == Level.VILLAGE]
        valley = {}
        for j, vv in enumerate(sorted(villages, key=lambda v: v.code)):
            step = 0.012 * (j + 1)
            px = tx + step * math.cos(angle + rng.uniform(-0.6, 0.6)) * 1.2
            py = ty + step * math.sin(angle + rng.uniform(-0.6, 0.6))
            valley[vv.division_id] = (px, py)
        cells.update(_within(valley, outline, cx, cy))
    points = MultiPoint(list(cells.values()))
    regions = voronoi_diagram(points, envelope=outline.buffer(0.5))
    by_point = {}
    for region in regions.geoms:
        for pk, pt in cells.items():
            if pk not in by_point and region.contains(pt):
                by_point[pk] = region.intersection(outline)
    updated = 0
    units = {d.pk: d for d in Division.objects.subtree(county)}
    for pk, geom in by_point.items():
        _set_shape(units[pk], geom)
        updated += 1
    today = services.dt.date.today()
    # the villages that took over merged ones cover their predecessors' cells too
    covers: dict[int, list] = {}
    for pk, cell in by_point.items():
        for successor in services.successors_on(units[pk], today):
            covers.setdefault(successor.pk, []).append(cell)
    for pk, parts in covers.items():
        if len(parts) > 1 or pk not in by_point:
            _set_shape(units[pk], unary_union(parts))
            updated += 1
    for d in units.values():
        if d.level == Level.TOWNSHIP:
            when = d.valid_to - services.dt.timedelta(days=1) if d.valid_to else today
            parts = [units[v.division_id].geometry for v in services.versions_on(when, d) if v.level == Level.VILLAGE]
            parts = [shape(g) for g in parts if g]
            if parts:
                _set_shape(d, unary_union(parts))
                updated += 1
    _set_shape(units[county.pk], outline)
    for d in units.values():
        if d.geometry is not None:
            d.save(update_fields=["geometry", "lon", "lat"])
    return updated + 1
