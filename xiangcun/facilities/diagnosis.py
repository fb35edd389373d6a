"""Diagnosis of the status quo: who is how far from a facility, which share of each cohort lies within
the service rule, which schools have 大班额/超大班额 classes and which stand half empty, which clinics
and elderly centres are over or under capacity."""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from xiangcun.divisions.models import Division, Level
from xiangcun.divisions.scoping import subtree_q

from . import rules, travel
from .models import COHORTS, Cohort, Facility, FacilityType
from .rules import Service

NORMAL, LARGE, BIG, SUPER = "normal", "large", "big", "super"
CLASS_LABELS = {NORMAL: "正常", LARGE: "大班", BIG: "大班额", SUPER: "超大班额"}


def class_category(size: float, big_min: float, super_min: float, limit: float) -> str:
    """The category of a class of `size` pupils: 超大班额 from `super_min`, 大班额 from `big_min`,
    大班 above the standard `limit`, else normal."""
    if size >= super_min:
        return SUPER
    if size >= big_min:
        return BIG
    if size > limit:
        return LARGE
    return NORMAL


@dataclass
class Demand:
    villages: list  # Division rows with coordinates
    cohorts: dict  # village pk -> {cohort field: count}
    points: np.ndarray  # (n, 2) lon/lat

    def weights(self, cohort: str) -> np.ndarray:
        return np.array([self.cohorts.get(v.pk, {}).get(cohort, 0) for v in self.villages], dtype=float)


def villages_in(scope: Division) -> list[Division]:
    return list(Division.objects.subtree(scope).filter(level=Level.VILLAGE, valid_to__isnull=True,
                                                       lon__isnull=False, lat__isnull=False).order_by("path"))


def latest_year(scope: Division) -> int | None:
    row = Cohort.objects.filter(subtree_q(scope, "unit__path")).order_by("-year").values_list("year", flat=True).first()
    return row


def counted(rows) -> list:
    """The cohort rows (of one year) that count: a village's own row, or, when the village has none,
    the rows of its villager groups. Rows of groups whose village has a row of its own are left out,
    so nobody is counted twice."""
    rows = list(rows)
    villages = {c.unit_id for c in rows if c.unit.level == Level.VILLAGE}
    return [c for c in rows if c.unit.level == Level.VILLAGE
            or (c.unit.level == Level.GROUP and c.unit.parent_id not in villages)]


def village_of(c: Cohort) -> int:
    return c.unit.parent_id if c.unit.level == Level.GROUP else c.unit_id


def demand(scope: Division, year: int | None) -> Demand:
    """Villages of `scope` with their cohorts in `year` (see `counted`: a village's groups add up when
    the village itself has no row for that year)."""
    villages = villages_in(scope)
    by_pk = {v.pk: v for v in villages}
    cohorts: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    fields = [f for f, _ in COHORTS]
    rows = Cohort.objects.filter(subtree_q(scope, "unit__path"), year=year).select_related("unit")
    for c in counted(rows):
        if village_of(c) in by_pk:
            for f in fields:
                cohorts[village_of(c)][f] += getattr(c, f)
    points = np.array([[v.lon, v.lat] for v in villages], dtype=float).reshape(-1, 2)
    return Demand(villages, {pk: dict(v) for pk, v in cohorts.items()}, points)


@dataclass
class SchoolLoad:
    load: float = 0
    classes: int = 0
    capacity: float = 0
    by_category: dict = field(default_factory=lambda: {NORMAL: 0, LARGE: 0, BIG: 0, SUPER: 0})
    max_class: float = 0


def facility_load(f: Facility, service: Service, limit: float, big_min: float, super_min: float,
                  grades=None) -> SchoolLoad:
    """Load and capacity of a facility for a service: pupils and classes × limit in the service's
    grades (whole school if no grade rows), or occupancy and beds."""
    out = SchoolLoad()
    if service.capacity == "beds":
        out.load, out.capacity = f.occupancy, f.beds
        return out
    if service.capacity == "none":
        return out
    grades = list(f.grades.all()) if grades is None else grades
    rows = [g for g in grades if g.grade in service.grades] if grades else []
    if not rows and not grades:
        rows = [type("G", (), {"classes": f.classes, "pupils": f.enrolment})()] if f.classes else []
        if not rows:
            out.load = f.enrolment
    for g in rows:
        out.load += g.pupils
        out.classes += g.classes
        if g.classes:
            size = g.pupils / g.classes
            out.by_category[class_category(size, big_min, super_min, limit)] += g.classes
            out.max_class = max(out.max_class, size)
    out.capacity = out.classes * limit
    return out


def facilities_for(scope: Division, service: Service):
    return list(Facility.objects.filter(subtree_q(scope, "unit__path"), type__in=service.all_types)
                .select_related("unit").prefetch_related("grades").order_by("unit__path", "name"))


def diagnose(scope: Division, service: Service, year: int | None) -> dict:
    """Everything the diagnosis page shows for one service in one scope."""
    limit = rules.class_limit(service)
    big_min, super_min = rules.value("class.big_min"), rules.value("class.super_min")
    idle_share = rules.value("idle.share")
    reach = rules.reach(service)
    setting = travel.setting_for(scope)
    dem = demand(scope, year)
    facilities = [f for f in facilities_for(scope, service) if f.point is not None]
    points = np.array([f.point for f in facilities], dtype=float).reshape(-1, 2)
    minutes = travel.matrix(setting, dem.points, points)
    km = travel.distance_km(setting, dem.points, points)
    radius_km = {"primary": rules.value("radius.primary_km"), "junior": rules.value("radius.junior_km")}.get(service.key)

    villages = []
    if len(facilities):
        nearest = np.argmin(minutes, axis=1)
        best = minutes[np.arange(len(nearest)), nearest]
    else:
        nearest, best = np.full(len(dem.villages), -1), np.full(len(dem.villages), np.inf)
    for i, v in enumerate(dem.villages):
        j = int(nearest[i]) if len(facilities) else -1
        t = float(best[i])
        d = float(km[i, j]) if j >= 0 else math.inf
        villages.append({
            "village": v, "township": v.parent, "facility": facilities[j] if j >= 0 else None,
            "minutes": t if math.isfinite(t) else None, "km": d if math.isfinite(d) else None,
            "within": math.isfinite(t) and t <= reach,
            "within_radius": radius_km is not None and math.isfinite(d) and d <= radius_km,
            "cohorts": dem.cohorts.get(v.pk, {}), "demand": dem.cohorts.get(v.pk, {}).get(service.cohort, 0),
        })

    shares = []
    for fname, label in COHORTS:
        w = dem.weights(fname)
        total = float(w.sum())
        inside = float(sum(w[i] for i, r in enumerate(villages) if r["within"]))
        row = {"cohort": fname, "label": label, "total": int(total), "within": int(inside),
               "share": inside / total if total else None, "main": fname == service.cohort}
        if radius_km is not None:
            inr = float(sum(w[i] for i, r in enumerate(villages) if r["within_radius"]))
            row["share_radius"] = inr / total if total else None
        shares.append(row)

    w = dem.weights(service.cohort)
    finite = np.array([r["minutes"] is not None for r in villages], dtype=bool)
    avg = float(np.dot(w[finite], best[finite]) / w[finite].sum()) if finite.any() and w[finite].sum() else None
    worst = float(best[finite & (w > 0)].max()) if (finite & (w > 0)).any() else None

    served = defaultdict(int)  # facility index -> villages for which it is the nearest, within the rule
    for r in villages:
        if r["within"] and r["facility"] is not None:
            served[r["facility"].pk] += 1
    rows = []
    for f in facilities:
        load = facility_load(f, service, limit, big_min, super_min)
        util = load.load / load.capacity if load.capacity else None
        over = bool(util is not None and util > 1) or load.by_category[BIG] + load.by_category[SUPER] > 0
        under = util is not None and util < idle_share and not over
        rows.append({"facility": f, "load": load, "utilisation": util, "over": over, "under": under,
                     "idle": max(0.0, load.capacity - load.load), "served": served[f.pk],
                     "fixed": f.type in service.fixed})
    crowded = sorted([r for r in rows if r["over"]], key=lambda r: -(r["utilisation"] or 0))
    underused = sorted([r for r in rows if r["under"]], key=lambda r: r["utilisation"] or 0)
    totals = {
        "facilities": len(rows), "load": sum(r["load"].load for r in rows),
        "capacity": sum(r["load"].capacity for r in rows), "idle": sum(r["idle"] for r in rows),
        "big_classes": sum(r["load"].by_category[BIG] for r in rows),
        "super_classes": sum(r["load"].by_category[SUPER] for r in rows),
        "classes": sum(r["load"].classes for r in rows),
        "over": len(crowded), "under": len(underused),
        "own": sum(1 for r in rows if not r["fixed"]), "fixed": sum(1 for r in rows if r["fixed"]),
    }
    # the village tier's rule: every village within reach of one (a count of villages, not of people)
    cover = {"within": sum(1 for r in villages if r["within"]), "total": len(villages),
             "outside": [r for r in villages if not r["within"]]}
    main = next(s for s in shares if s["main"])
    gaps = coverage_gaps(scope, service)
    return {
        "service": service, "scope": scope, "year": year, "reach": reach, "radius_km": radius_km, "limit": limit,
        "big_min": big_min, "super_min": super_min, "idle_share": idle_share, "setting": setting,
        "villages": villages, "shares": shares, "facilities": rows, "crowded": crowded, "underused": underused,
        "totals": totals, "average": avg, "worst": worst, "share": main["share"], "gaps": gaps, "cover": cover,
        "unplaced": len([f for f in facilities_for(scope, service) if f.point is None]),
    }


def coverage_gaps(scope: Division, service: Service) -> list[Division]:
    """Units that lack their standard facility: townships without a 卫生院 (one per township), villages
    without a 卫生室 (one per village)."""
    if service.key == "health":
        level, types = Level.TOWNSHIP, (FacilityType.CENTRAL_CLINIC, FacilityType.TOWNSHIP_CLINIC)
    elif service.key == "village_health":
        level, types = Level.VILLAGE, (FacilityType.VILLAGE_CLINIC,)
    else:
        return []
    units = Division.objects.subtree(scope).filter(level=level, valid_to__isnull=True).order_by("path")
    have = Facility.objects.filter(subtree_q(scope, "unit__path"), type__in=types).values_list("unit__path", flat=True)
    have = list(have)
    return [u for u in units if not any(p.startswith(u.path) for p in have)]


def map_data(result: dict) -> tuple[dict, list]:
    """Choropleth values (minutes to the nearest facility per village) and facility markers."""
    values = {str(r["village"].pk): (round(r["minutes"], 1) if r["minutes"] is not None else None) for r in result["villages"]}
    points = []
    for r in result["facilities"]:
        f = r["facility"]
        lon, lat = f.point
        if result["service"].capacity == "none":
            points.append({"lon": lon, "lat": lat, "color": "#1565c0" if r["fixed"] else "#2e7d32", "radius": 6,
                           "label": f"{f.name}({f.get_type_display()}),{result['reach']:g} 分钟内为 {r['served']} 个村最近"})
            continue
        colour = "#c8102e" if r["over"] else ("#f0ad4e" if r["under"] else "#2e7d32")
        util = f"{r['utilisation'] * 100:.0f}%" if r["utilisation"] is not None else "—"
        points.append({"lon": lon, "lat": lat, "color": colour, "radius": 5 + min(9, math.sqrt(max(r["load"].load, 1)) / 3),
                       "label": f"{f.name}({f.get_type_display()}) 负荷 {r['load'].load:.0f} / 容量 {r['load'].capacity:.0f},{util}"})
    return values, points
