"""The writes of the facilities ledger (facilities, grades, cohorts,
candidate sites, travel settings). Views, imports and the demo call these."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from xiangcun.core import audit
from xiangcun.divisions.models import Division, Level
from xiangcun.divisions.scoping import ensure_in_scope

from .models import CandidateSite, Cohort, Facility, SchoolGrade, TravelSetting
from .permissions import may_edit_facility

OUTSIDE = "该单位不在您的管辖范围内"  # what a refused facility or cohort write says (403)
EVENTS = {"facility.rule": "调整布局规则", "facility.scenario.run": "求解布局方案", "facility.scenario.adopt": "采纳布局方案",
          "facility.roads": "导入道路网络", "facility.grades": "更新分年级在校生"}
EVENT_LABELS = {"value": "取值", "valid_from": "起始日期", "version": "版本"}




@transaction.atomic
def save_facility(user, facility: Facility) -> Facility:
    """Create or change a facility; it must stay inside the user's scope and family."""
    if not may_edit_facility(user, facility.type):
        raise PermissionDenied("您的部门不能维护该类设施")
    ensure_in_scope(user, facility.unit, message=OUTSIDE)
    facility.save()
    return facility


@transaction.atomic
def save_grades(user, facility: Facility, rows: list[tuple[int, int, int]]) -> None:
    """Replace the enrolment by grade ((grade, classes, pupils) rows); totals follow."""
    if not may_edit_facility(user, facility.type):
        raise PermissionDenied("您的部门不能维护该类设施")
    keep = set()
    for grade, classes, pupils in rows:
        SchoolGrade.objects.update_or_create(facility=facility, grade=grade, defaults={"classes": classes, "pupils": pupils})
        keep.add(grade)
    facility.grades.exclude(grade__in=keep).delete()
    all_rows = list(facility.grades.all())
    if all_rows:
        facility.classes = sum(g.classes for g in all_rows)
        facility.enrolment = sum(g.pupils for g in all_rows)
        facility.save()
    audit.log_event(facility, "facility.grades", data={g: f"{c}班{p}人" for g, c, p in rows})


@transaction.atomic
def save_cohort(user, unit: Division, year: int, values: dict, source: str = "") -> tuple[Cohort, str]:
    if unit.level not in (Level.VILLAGE, Level.GROUP):
        raise PermissionDenied("人口按村(社区)或村民小组填报")
    ensure_in_scope(user, unit, message=OUTSIDE)
    row = Cohort.objects.filter(unit=unit, year=year).first()
    if row and all(getattr(row, k) == v for k, v in values.items()):
        return row, "unchanged"
    created = row is None
    row = row or Cohort(unit=unit, year=year)
    for k, v in values.items():
        setattr(row, k, v)
    row.source = source or row.source
    row.save()
    return row, "created" if created else "updated"


@transaction.atomic
def save_travel(setting: TravelSetting, roads=None, roads_name="") -> TravelSetting:
    if roads is not None:
        from .travel import parse_roads

        _, summary = parse_roads(roads)
        setting.roads, setting.roads_name, setting.roads_summary = roads, roads_name, summary
    setting.save()
    if roads is not None:
        audit.log_event(setting, "facility.roads", data={"file": roads_name, "summary": setting.roads_summary})
    return setting


def idle_assets(scope: Division, user) -> list:
    """Idle public buildings from the asset ledger, when that module is installed."""
    try:
        from xiangcun.assets.services import idle_buildings
    except ImportError:
        return []
    try:
        return list(idle_buildings(scope, user=user))
    except TypeError:  # an older signature without `user`
        return [b for b in idle_buildings(scope)]


@transaction.atomic
def add_asset_candidates(scope: Division, user, capacity: int = 6) -> int:
    """Offer the scope's idle buildings as candidate sites (once each)."""
    added = 0
    for b in idle_assets(scope, user):
        if CandidateSite.objects.filter(source="asset", asset_id=b.id).exists():
            continue
        unit = Division.objects.filter(pk=b.custodian_id).first()
        if unit is None:
            continue
        CandidateSite.objects.create(unit=unit, name=b.name[:100], lon=b.lon, lat=b.lat, capacity=capacity,
                                     source="asset", asset_id=b.id,
                                     note=f"{b.category_label},{b.floor_area or '—'}㎡,台账号 {b.ledger_no}"[:300])
        added += 1
    return added
