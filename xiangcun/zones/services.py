"""Domain operations of the zones module: propose a scheme by optimisation, move a unit between zones,
follow mergers. Views, jobs and the demo call these."""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from xiangcun.core import audit
from xiangcun.divisions import services as registry
from xiangcun.divisions.models import Division, Kind
from xiangcun.divisions.scoping import ensure_in_scope
from xiangcun.locate.errors import LocateError
from xiangcun.locate.regions import ZoningError, check_move, solve_regions

from . import farmland, plans
from .errors import ZoneError
from .geometry import current_units, unit_graph
from .models import SchemeLevel, SchemeStatus, Zone, ZoneMember, ZoneType, ZoningScheme

EVENTS = {
    "zones.propose": "按优化结果生成片区方案",
    "zones.move": "调整片区成员",
    "zones.follow": "区划调整后片区成员随之变更",
}
EVENT_LABELS = {
    "unit": "单位", "successor": "承继单位", "from_zone": "原片区", "to_zone": "新片区", "p": "片区数", "min_pop": "人口下限",
    "max_pop": "人口上限", "objective": "人口加权距离", "gap": "最优性差距", "status": "求解状态",
}
TOWN_KINDS = (Kind.TOWN, Kind.SUBDISTRICT)


def zone_type_for(centre: Division) -> str:
    return ZoneType.URBAN if centre.kind in TOWN_KINDS else ZoneType.AGRICULTURE


@transaction.atomic
def create_scheme(user, county: Division, name: str, level: str, zones: list[tuple[Division, list[Division]]],
                  date: dt.date | None = None, note: str = "", types: dict | None = None) -> ZoningScheme:
    """A draft scheme with the given zones [(centre, members)]; each unit in one zone, centres members."""
    ensure_in_scope(user, county)
    seen = set()
    for centre, members in zones:
        if centre not in members:
            raise ZoneError(f"片区中心{centre.name}不在该片区的成员中")
        for m in members:
            if m.pk in seen:
                raise ZoneError(f"{m.name}被划入了两个片区")
            seen.add(m.pk)
    scheme = ZoningScheme.objects.create(name=name, level=level, county=county, date=date or dt.date.today(),
                                         note=note, created_by=user)
    for centre, members in zones:
        zone = Zone.objects.create(scheme=scheme, name=f"{centre.name}片区", centre=centre,
                                   type=(types or {}).get(centre.pk, zone_type_for(centre)))
        for m in members:
            ZoneMember.objects.create(scheme=scheme, zone=zone, unit=m)
    return scheme


def propose(user, county: Division, level: str, p: int, *, name: str, min_pop=None, max_pop=None,
            time_limit: float = 20.0, report=lambda *a: None) -> ZoningScheme:
    """Run the zoning engine on the county's current units of the level and save the answer as a draft."""
    unit_level = 4 if level == SchemeLevel.TOWNSHIP else 5
    units = current_units(county, unit_level)
    if not units:
        raise ZoneError(f"{county.name}没有现行的{'乡镇' if unit_level == 4 else '村(社区)'}")
    report(0, 3, "读取单位、人口和边界")
    graph = unit_graph(units)
    report(1, 3, f"求解 {len(units)} 个单位分为 {p} 个片区")
    try:
        result = solve_regions(graph.costs, graph.population, graph.edges, p, min_pop=min_pop, max_pop=max_pop,
                               time_limit=time_limit, names=[u.name for u in units])
    except (ZoningError, LocateError) as exc:
        raise ZoneError(str(exc)) from None
    report(2, 3, "保存方案")
    zones = [(units[c], [units[i] for i in members]) for c, members in result.zones().items()]
    with transaction.atomic():
        scheme = create_scheme(user, county, name, level, zones,
                               note=f"优化生成:{p}个片区,人口加权平均距离"
                                    f"{result.objective / max(graph.population.sum(), 1):.1f}公里"
                                    + ("(已证明最优)" if result.status == "optimal"
                                       else f"(与下界差距{result.gap:.1%})"))
        audit.log_event(scheme, "zones.propose", data={
            "p": p, "min_pop": min_pop, "max_pop": max_pop, "objective": round(result.objective, 1),
            "gap": round(result.gap, 6), "status": "已证明最优" if result.status == "optimal" else "可行"})
    return scheme


def scheme_units(scheme: ZoningScheme):
    """(memberships in unit order, UnitGraph of the member units)."""
    rows = list(ZoneMember.objects.filter(scheme=scheme).select_related("unit", "zone").order_by("unit__code",
                                                                                                   "unit__name"))
    return rows, unit_graph([m.unit for m in rows])


@transaction.atomic
def move_unit(user, scheme: ZoningScheme, unit: Division, to_zone: Zone) -> None:
    """Move a unit into another zone of the scheme; refused (ZoneError) when the scheme is approved or when
    either zone would stop being one contiguous piece."""
    ensure_in_scope(user, scheme.county)
    if scheme.status == SchemeStatus.APPROVED:
        raise ZoneError(f"方案“{scheme.name}”已批复({scheme.document}),不能再调整片区成员")
    if to_zone.scheme_id != scheme.pk:
        raise ZoneError("目标片区不属于该方案")
    rows, graph = scheme_units(scheme)
    index = {m.unit_id: i for i, m in enumerate(rows)}
    if unit.pk not in index:
        raise ZoneError(f"{unit.name}不在该方案的任何片区中")
    centre_of = {z.pk: index[z.centre_id] for z in scheme.zones.all()}
    label = [centre_of[m.zone_id] for m in rows]
    try:
        check_move(label, graph.edges, index[unit.pk], centre_of[to_zone.pk], names=[m.unit.name for m in rows])
    except ZoningError as exc:
        raise ZoneError(str(exc)) from None
    member = rows[index[unit.pk]]
    from_zone = member.zone
    member.zone = to_zone
    member.save()
    audit.log_event(scheme, "zones.move", data={"unit": unit.pk, "from_zone": from_zone.pk, "to_zone": to_zone.pk})


def follow_closed_unit(unit: Division, when: dt.date) -> None:
    """Follow-hook unit_closed: in every scheme, a closed unit's place passes to its successor (which joins
    the closed unit's zone unless it is in a zone of that scheme already); a closed centre hands the centre
    over too. Closings dated in the future wait. The unit's designation (村镇分类) ends on the closing day; its
    farmland figures and 图斑 pass to the successor (farmland.follow_closed_unit)."""
    plans.close_designations(unit, when)
    if when > dt.date.today():
        return
    farmland.follow_closed_unit(unit, when)
    rows = list(ZoneMember.objects.filter(unit=unit).select_related("zone", "scheme"))
    if not rows:
        return
    successors = [s for s in registry.successors_on(unit, when) if s.pk != unit.pk]
    for m in rows:
        zone = m.zone
        target = next((s for s in successors if s.level == unit.level), None)
        m.delete()
        audit.log_event(m.scheme, "zones.follow", data={"unit": unit.pk, "to_zone": zone.pk,
                                                         "successor": target.pk if target else None})
        if target is None:
            continue
        if not ZoneMember.objects.filter(scheme=m.scheme, unit=target).exists():
            ZoneMember.objects.create(scheme=m.scheme, zone=zone, unit=target)
        if zone.centre_id == unit.pk:
            left = list(zone.memberships.select_related("unit").order_by("unit__code"))
            if any(x.unit_id == target.pk for x in left):
                zone.centre = target
            elif left:
                zone.centre = left[0].unit
            elif zone.plans.exists():  # emptied, but its plans stay on the register with it
                continue
            else:  # its only unit went to a unit of another zone: the zone ends
                zone.delete()
                continue
            zone.save()
