"""The service network (便民服务中心、站、室): coverage of villages, and keeping the points."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from xiangcun.core import audit
from xiangcun.divisions.models import Division, Level
from xiangcun.divisions.scoping import in_scope

from .errors import CaseError
from .models import (
    PointKind,
    ServicePoint,
)
from .permissions import may_edit_catalogue

DETOUR = 1.4  # road distance ≈ straight line × 1.4 in mountain valleys (a default; the page lets one change it)


def distance_km(lon1, lat1, lon2, lat2) -> float:
    r = 6371.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


@dataclass
class Coverage:
    village: Division
    nearest: ServicePoint | None
    km: float | None  # travel distance estimate
    served_by: list[str]

    @property
    def gap(self) -> bool:
        return self.km is None or self.km > self.limit

    limit: float = 0.0


def coverage(villages, points, max_km: float = 5.0, detour: float = DETOUR) -> list[Coverage]:
    """For every current village: the nearest active service point and the estimated travel distance
    (straight line × detour factor); a village beyond `max_km` from every point is a gap."""
    points = [p for p in points if p.is_active and p.lat is not None]
    served: dict[int, list[str]] = {}
    for p in points:
        for vid in getattr(p, "village_ids", []):
            served.setdefault(vid, []).append(p.name)
    out = []
    for v in villages:
        best, best_km = None, None
        if v.lat is not None:
            for p in points:
                km = distance_km(v.lon, v.lat, p.lon, p.lat) * detour
                if best_km is None or km < best_km:
                    best, best_km = p, km
        out.append(Coverage(v, best, None if best_km is None else round(best_km, 2), served.get(v.pk, []),
                            limit=max_km))
    return out


def network_points(user):
    points = list(ServicePoint.objects.visible_to(user).select_related("unit").prefetch_related("villages"))
    for p in points:
        p.village_ids = [v.pk for v in p.villages.all()]
    return points


KIND_COLORS = {PointKind.CENTRE: "#1f4e79", PointKind.STATION: "#6a3d9a", PointKind.ROOM: "#2e7d32",
               PointKind.POINT: "#17a2b8"}



# where a point may lie: the extent of China (WGS 84), so a typo or swapped coordinates are caught
LON_RANGE, LAT_RANGE = (73.0, 136.0), (3.0, 54.0)
POINT_LEVEL = {PointKind.CENTRE: Level.TOWNSHIP, PointKind.STATION: Level.TOWNSHIP,
               PointKind.ROOM: Level.VILLAGE, PointKind.POINT: Level.VILLAGE}


def point_townships(unit: Division, day: dt.date | None = None) -> list[Division]:
    """The current township(s) a service point at `unit` belongs to: the township itself or the village's
    township; for an abolished unit, those that took it over."""
    from xiangcun.divisions.services import successors_on

    out = []
    for u in successors_on(unit, day or timezone.localdate()):
        t = u if u.level == Level.TOWNSHIP else u.parent
        if t is not None and t.level == Level.TOWNSHIP and t not in out:
            out.append(t)
    return out


def point_problems(user, *, kind: str, unit: Division | None, lon, lat, villages=(), name: str = "",
                   pk: int | None = None) -> dict[str, str]:
    """What is wrong with a service point ({field: Chinese message}); empty when it may be saved."""
    errors = {}
    if unit is None:
        errors["unit"] = "请选择所在单位"
    elif not in_scope(user, unit):
        errors["unit"] = f"{unit.name}不在您的管辖范围内"
    elif kind in POINT_LEVEL and unit.level != POINT_LEVEL[kind]:
        where = "乡镇(街道)" if POINT_LEVEL[kind] == Level.TOWNSHIP else "村(社区)"
        errors["unit"] = f"{PointKind(kind).label}应设在{where},{unit.name}是{unit.get_level_display()}单位"
    elif kind == PointKind.CENTRE and unit.valid_to is not None:
        errors["unit"] = f"{unit.name}已撤并:撤并乡镇保留的网点请登记为便民服务站"
    elif name and ServicePoint.objects.filter(unit=unit, name=name.strip()).exclude(pk=pk).exists():
        errors["name"] = f"{unit.name}已有名为“{name.strip()}”的网点"
    if (lon is None) != (lat is None):
        errors["lat" if lat is None else "lon"] = "经度和纬度须同时填写(或都不填)"
    if lon is not None and not LON_RANGE[0] <= lon <= LON_RANGE[1]:
        errors["lon"] = f"经度 {lon:g} 超出范围:应在 {LON_RANGE[0]:g} 至 {LON_RANGE[1]:g} 之间(东经,中国境内)"
    if lat is not None and not LAT_RANGE[0] <= lat <= LAT_RANGE[1]:
        errors["lat"] = f"纬度 {lat:g} 超出范围:应在 {LAT_RANGE[0]:g} 至 {LAT_RANGE[1]:g} 之间(北纬,中国境内)"
    villages = list(villages)
    gone = [v.name for v in villages if v.level != Level.VILLAGE or v.valid_to is not None]
    outside = [v.name for v in villages if not in_scope(user, v)]
    if gone:
        errors["villages"] = f"服务村只能选现有的村(社区):{'、'.join(gone)}"
    elif outside:
        errors["villages"] = f"{'、'.join(outside)}不在您的管辖范围内"
    elif villages and unit is not None and "unit" not in errors:
        townships = point_townships(unit)
        away = [v.name for v in villages if v.parent_id not in {t.pk for t in townships}]
        if away:
            here = "、".join(t.name for t in townships) or unit.name
            errors["villages"] = f"{'、'.join(away)}不在本网点所在乡镇({here})范围内,不能由本网点服务"
    return errors


@transaction.atomic
def save_point(user, point: ServicePoint, villages) -> ServicePoint:
    """Create or change a service point and the villages it serves; refused (CaseError, nothing saved)
    unless the user keeps the network and everything is valid and inside their jurisdiction. Audited:
    the change of the record, with the served villages when they change."""
    if not may_edit_catalogue(user):
        raise CaseError("只有改革办(政务服务管理部门)和管理员可以维护服务网络")
    villages = sorted(villages, key=lambda v: v.path)
    errors = point_problems(user, kind=point.kind, unit=point.unit if point.unit_id else None, lon=point.lon,
                            lat=point.lat, villages=villages, name=point.name, pk=point.pk)
    if errors:
        raise CaseError(";".join(errors.values()))
    created = point.pk is None
    before = set() if created else set(point.villages.values_list("pk", flat=True))
    data = {"villages": [v.name for v in villages]} if before != {v.pk for v in villages} else {}
    if data:  # the served villages are not a field of the record: the entry carries them
        with audit.as_action("create" if created else "update", data, actor=user):
            point.save()
    else:
        point.save()
    point.villages.set(villages)
    return point


@transaction.atomic
def set_point_active(user, point: ServicePoint, active: bool, reason: str = "") -> ServicePoint:
    """停用 a service point (with a reason) or 恢复启用 it; points are never deleted. Audited."""
    if not may_edit_catalogue(user):
        raise CaseError("只有改革办(政务服务管理部门)和管理员可以维护服务网络")
    point = ServicePoint.objects.select_for_update().get(pk=point.pk)
    reason = (reason or "").strip()
    if point.is_active == active:
        raise CaseError(f"{point.name}{'在用' if active else '已停用'},无需重复操作")
    if not active and not reason:
        raise CaseError("停用网点须写明原因(如 撤并后停止服务、并入某便民服务中心)")
    point.is_active = active
    with audit.as_action("point.restore" if active else "point.deactivate", {"reason": reason} if reason else {},
                         actor=user):
        point.save(update_fields=["is_active"])
    return point

