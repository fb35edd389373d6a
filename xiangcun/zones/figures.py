"""Per-zone figures read live from the other modules: population (registry), villages, assets, service
points and facilities in the member units' areas (their subtrees and the units merged into them)."""
from __future__ import annotations

import operator
from functools import reduce

from django.db.models import Q

from xiangcun.assets.models import Asset
from xiangcun.divisions.models import Division, Level
from xiangcun.divisions.scoping import area_q
from xiangcun.facilities.models import Facility
from xiangcun.services.models import ServicePoint

from .geometry import populations
from .models import ZoningScheme

COLUMNS = ("片区", "类型", "中心", "成员单位数", "成员单位", "人口", "建制村(社区)数", "公有资产(项)", "便民服务点(个)",
           "公共服务设施(个)")


def _any_area(units, field):
    return reduce(operator.or_, (area_q(u, field) for u in units), Q(pk__in=[]))


def zone_rows(scheme: ZoningScheme) -> list[dict]:
    zones = list(scheme.zones.select_related("centre").prefetch_related("memberships__unit").order_by("id"))
    all_units = [m.unit for z in zones for m in z.memberships.all()]
    pops = populations(all_units)
    out = []
    for z in zones:
        units = sorted((m.unit for m in z.memberships.all()), key=lambda u: (u.code, u.name))
        if units:
            villages = Division.objects.current().filter(_any_area(units, "path"), level=Level.VILLAGE).count()
            assets = Asset.objects.filter(_any_area(units, "custodian_path")).count()
            points = ServicePoint.objects.filter(_any_area(units, "unit__path")).count()
            facilities = Facility.objects.filter(_any_area(units, "unit__path")).count()
        else:
            villages = assets = points = facilities = 0
        out.append({"zone": z, "units": units, "population": sum(pops[u.pk] for u in units),
                    "villages": villages, "assets": assets, "points": points, "facilities": facilities})
    return out


def export_rows(rows):
    for r in rows:
        z = r["zone"]
        yield [z.name, z.get_type_display(), z.centre.name, len(r["units"]), "、".join(u.name for u in r["units"]),
               r["population"], r["villages"], r["assets"], r["points"], r["facilities"]]
