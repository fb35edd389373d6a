"""Demo data of the zones module: a township-level zoning of the demo county (4 zones) proposed by the
engine, kept as a draft for the reform office to adjust; the townships' and (in two townships) the villages'
designations; the plan register (every township's 总体规划 at some stage, village plans in two townships, one
plan overdue). Idempotent."""
import datetime as dt
from decimal import Decimal

from xiangcun.accounts.models import User
from xiangcun.divisions.models import Division, Kind, Level

from . import farmland, plans, services
from .errors import ZoneError
from .geometry import current_units, populations
from .models import (
    Designation,
    FarmlandTarget,
    Patch,
    PatchKind,
    PatchStatus,
    Plan,
    PlanKind,
    PlanStage,
    SchemeLevel,
    VillageFunction,
    VillageType,
    Zone,
    ZoningScheme,
)

DEMO_NAME = "乡镇级片区划分方案(草案)"


def load_module(county: Division, log=print) -> None:
    load_zoning(county, log)
    load_plans(county, log)
    load_farmland(county, log)


def load_zoning(county: Division, log=print) -> None:
    name = f"{county.name}{DEMO_NAME}"
    if ZoningScheme.objects.filter(county=county, name=name).exists():
        return
    townships = current_units(county, 4)
    if len(townships) < 4:
        return
    total = sum(populations(townships).values())
    office = User.objects.filter(username="gaigeban").first()
    scheme = services.propose(office, county, SchemeLevel.TOWNSHIP, 4, name=name,
                              min_pop=int(total / 4 * 0.5) or None, time_limit=20)
    log(f"生成片区方案“{scheme.name}”:{scheme.zones.count()} 个片区")


VILLAGE_CYCLE = [(VillageType.CLUSTER, VillageFunction.FARMING), (VillageType.SUBURBAN, VillageFunction.SUBURB),
                 (VillageType.HERITAGE, VillageFunction.SCENIC), (VillageType.CLUSTER, VillageFunction.MARKET),
                 (VillageType.RELOCATION, VillageFunction.FARMING)]
STAGE_CYCLE = [PlanStage.APPROVED, PlanStage.PUBLICITY, PlanStage.DRAFTING, PlanStage.STARTED]


def load_plans(county: Division, log=print) -> None:
    """Designations and the plan register of the county (skipped when any designation exists there)."""
    townships = current_units(county, Level.TOWNSHIP)
    if not townships or Designation.objects.filter(unit__in=townships).exists():
        return
    centres = set(Zone.objects.filter(scheme__county=county, scheme__level=SchemeLevel.TOWNSHIP)
                  .values_list("centre_id", flat=True))
    start = dt.date(2021, 6, 1)
    for i, t in enumerate(townships):
        category = (VillageType.CENTRAL_TOWN if t.pk in centres
                    else VillageType.FEATURED_TOWN if i % 3 == 1 else VillageType.ORDINARY_TOWN)
        plans.designate(None, t, category, start, note="县委、县政府关于乡镇分类的意见")
    villages = 0
    for t in townships[:2]:
        for j, v in enumerate(Division.objects.current().filter(parent=t, kind=Kind.VILLAGE).order_by("code")):
            category, function = VILLAGE_CYCLE[j % len(VILLAGE_CYCLE)]
            plans.designate(None, v, category, start, function=function, note="村庄分类布局规划")
            villages += 1
    today = dt.date.today()
    for i, t in enumerate(townships):
        stage = STAGE_CYCLE[i % len(STAGE_CYCLE)]
        approved = stage == PlanStage.APPROVED
        plans.save_plan(None, Plan(
            kind=PlanKind.TOWNSHIP, name=f"{t.name}国土空间总体规划(2021—2035年)", unit=t, stage=stage,
            target_date=today - dt.timedelta(days=30) if stage == PlanStage.DRAFTING else dt.date(today.year + 1, 6, 30),
            document=f"马府函〔2024〕{10 + i}号" if approved else "", approved_on=dt.date(2024, 3, 1) if approved else None,
            term_years=15 if approved else None))
    plans_made = len(townships)
    for k, t in enumerate(townships[:2]):
        for j, v in enumerate(Division.objects.current().filter(parent=t, kind=Kind.VILLAGE).order_by("code")):
            approved = j % 3 != 2 if k == 0 else j == 0
            plans.save_plan(None, Plan(
                kind=PlanKind.VILLAGE, name=f"{v.name}实用性村庄规划", unit=v,
                stage=PlanStage.APPROVED if approved else PlanStage.DRAFTING, target_date=dt.date(2025, 12, 31),
                document=f"马府函〔2025〕{40 + plans_made}号" if approved else "",
                approved_on=dt.date(2025, 5, 20) if approved else None, term_years=10 if approved else None))
            plans_made += 1
    log(f"登记村镇分类:{len(townships)} 个乡镇、{villages} 个建制村;规划台账 {plans_made} 项")


# (耕地保有量 target, actual, 永久基本农田 target, actual) per township, in 亩; the third falls short
FARMLAND = [(12600, 12810.5, 9800, 9850), (8400, 8460, 6500, 6512.3), (10200, 9930, 7600, 7480),
            (6900, 7020, 5100, 5100), (5300, 5290, 4000, 4060)]
PATCH_CYCLE = [  # (kind, status, days found before today, deadline days from found)
    (PatchKind.OCCUPATION, PatchStatus.PENDING, 40, 90), (PatchKind.NON_GRAIN, PatchStatus.RECTIFYING, 120, 90),
    (PatchKind.BASIC_NONFARM, PatchStatus.RECTIFIED, 200, 180), (PatchKind.OCCUPATION, PatchStatus.CLOSED, 300, 120),
    (PatchKind.NON_GRAIN, PatchStatus.PENDING, 150, 60), (PatchKind.OTHER, PatchStatus.RECTIFYING, 60, 120)]
PATCH_STEPS = {PatchStatus.PENDING: [], PatchStatus.RECTIFYING: [PatchStatus.RECTIFYING],
               PatchStatus.RECTIFIED: [PatchStatus.RECTIFIED],
               PatchStatus.CLOSED: [PatchStatus.RECTIFIED, PatchStatus.CLOSED]}


def load_farmland(county: Division, log=print) -> None:
    """耕地保护: five townships' targets and actuals for this year and last (one short of its targets), and ten
    图斑 on villages of three townships at every rectification step, two of them overdue (skipped when the
    county has any farmland figures)."""
    townships = current_units(county, Level.TOWNSHIP)
    if not townships or FarmlandTarget.objects.filter(unit__in=townships).exists():
        return
    today = dt.date.today()
    for t, (ct, ca, bt, ba) in zip(townships, FARMLAND, strict=False):
        for year, factor in ((today.year - 1, 0.995), (today.year, 1)):
            farmland.save_target(None, t, year, {
                "cultivated_target": Decimal(str(ct)), "cultivated_actual": Decimal(str(round(ca * factor, 2))),
                "basic_target": Decimal(str(bt)), "basic_actual": Decimal(str(round(ba * factor, 2)))},
                note="县自然资源局下达")
    made = 0
    villages = [v for t in townships[:3] for v in Division.objects.current().filter(parent=t, kind=Kind.VILLAGE)
                .order_by("code")[:4]]
    for i, v in enumerate(villages[:10]):
        place = v if v.lon is not None else v.parent
        if place.lon is None:
            continue
        kind, status, found_ago, term = PATCH_CYCLE[i % len(PATCH_CYCLE)]
        found = today - dt.timedelta(days=found_ago)
        patch = Patch(number=f"{county.code[:6]}-{today.year}-{i + 1:03d}", unit=v, kind=kind,
                      area=Decimal(str(round(0.8 + 1.7 * i, 2))), found_on=found, deadline=found + dt.timedelta(days=term))
        d = 0.0004
        square = {"type": "Polygon", "coordinates": [[[place.lon - d, place.lat - d], [place.lon + d, place.lat - d],
                                                       [place.lon + d, place.lat + d], [place.lon - d, place.lat + d],
                                                       [place.lon - d, place.lat - d]]]}
        if i % 3 == 0:  # every third with its outline
            try:
                farmland.save_patch(None, patch, square)
            except ZoneError:  # a village point near the county line: recorded by its point alone
                patch.geometry = patch.lon = patch.lat = None
        if patch.pk is None:
            patch.lon, patch.lat = place.lon, place.lat
            farmland.save_patch(None, patch)
        for step in PATCH_STEPS[status]:
            farmland.change_status(None, patch, step, note="已拆除违法建筑,恢复耕种条件" if step != PatchStatus.CLOSED else "",
                                   rectified_on=min(today, found + dt.timedelta(days=30)))
        made += 1
    log(f"耕地保护:{min(len(townships), len(FARMLAND))} 个乡镇两年的任务和实有面积;违法用地图斑 {made} 个")
