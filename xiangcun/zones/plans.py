"""Village types and the plan register (issue #19, 村庄分类与规划覆盖): a unit's designation over time, the plans
of the register, the 应编尽编 coverage per township and the overdue plans. Views, the demo and the follow-hook
call these."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q

from xiangcun.divisions.models import Division, Kind, Level
from xiangcun.divisions.scoping import ensure_in_scope, subtree_q

from .errors import ZoneError
from .models import TOWNSHIP_TYPES, VILLAGE_TYPES, Designation, Plan, PlanKind, PlanStage, SchemeLevel, Zone

DESIGNATION_COLUMNS = ("乡镇", "单位", "层级", "现行分类", "功能类型", "起始日期", "依据/说明")
PLAN_COLUMNS = ("规划名称", "规划类型", "规划单位或片区", "阶段", "计划批复日期", "批复文号", "批复日期", "规划期限(年)",
                "是否逾期")
COVERAGE_COLUMNS = ("乡镇", "乡镇国土空间总体规划", "建制村数", "已批复村庄规划的建制村数", "覆盖率(%)", "未覆盖的建制村")


def designable(unit: Division) -> bool:
    return unit.valid_to is None and (unit.level == Level.TOWNSHIP or unit.kind == Kind.VILLAGE)


@transaction.atomic
def designate(user, unit: Division, category: str, valid_from: dt.date, function: str = "",
              note: str = "") -> Designation:
    """Give the unit a designation from valid_from; the one in force then ends on that date, later ones are
    refused. Raises ZoneError with every problem named (field → message)."""
    ensure_in_scope(user, unit)
    errors = {}
    if not designable(unit):
        errors["unit"] = f"{unit.name}不是现行的乡镇或建制村,不能设定分类"
    elif unit.level == Level.TOWNSHIP:
        if category not in TOWNSHIP_TYPES:
            errors["category"] = f"{unit.name}是乡镇,类型应为中心镇、一般镇或特色镇"
        if function:
            errors["function"] = "功能类型(景区村/城郊村/集镇村/农业村)只适用于建制村"
    elif category not in VILLAGE_TYPES:
        errors["category"] = f"{unit.name}是建制村,分类应为集聚提升类、城郊融合类、特色保护类或搬迁撤并类"
    later = Designation.objects.filter(unit=unit, valid_from__gte=valid_from).order_by("valid_from").first()
    if later:
        errors["valid_from"] = (f"{unit.name}已有{later.valid_from:%Y-%m-%d}起的分类({later.get_category_display()}),"
                                f"新分类的起始日期须晚于它")
    if errors:
        raise ZoneError("；".join(errors.values()), fields=errors)
    for prev in Designation.objects.filter(unit=unit, valid_from__lt=valid_from).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=valid_from)):
        prev.valid_to = valid_from
        prev.save()
    return Designation.objects.create(unit=unit, category=category, function=function, valid_from=valid_from,
                                      note=note, created_by=user)


def current_designations(units, on: dt.date | None = None) -> dict[int, Designation]:
    """unit pk → the designation in force on the date (today by default)."""
    on = on or dt.date.today()
    rows = Designation.objects.filter(unit__in=units, valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=on)).order_by("valid_from")
    return {d.unit_id: d for d in rows}


def close_designations(unit: Division, when: dt.date) -> None:
    """Follow-hook part: a closed unit's designation ends on the day it closes."""
    for d in Designation.objects.filter(unit=unit).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=when)):
        if d.valid_from >= when:
            continue
        d.valid_to = when
        d.save()


def units_of(place: Division):
    """Current townships and 建制村 under a place (county or township), in tree order."""
    return (Division.objects.current().filter(subtree_q(place)).filter(
        Q(level=Level.TOWNSHIP) | Q(level=Level.VILLAGE, kind=Kind.VILLAGE)).select_related("parent")
        .order_by("path"))


@transaction.atomic
def save_plan(user, plan: Plan) -> Plan:
    """Check and save a plan of the register; every problem at once (ZoneError with fields)."""
    errors = {}
    if bool(plan.unit_id) == bool(plan.zone_id):
        errors["unit"] = "请选择规划单位或规划片区中的一个"
    elif plan.unit_id:
        want = Level.TOWNSHIP if plan.kind == PlanKind.TOWNSHIP else Level.VILLAGE
        if plan.unit.level != want:
            errors["unit"] = (f"{plan.unit.name}不是{'乡镇' if want == Level.TOWNSHIP else '村'},"
                              f"不能编制{plan.get_kind_display()}")
        else:
            ensure_in_scope(user, plan.unit)
    else:
        want = SchemeLevel.TOWNSHIP if plan.kind == PlanKind.TOWNSHIP else SchemeLevel.VILLAGE
        if plan.zone.scheme.level != want:
            errors["zone"] = f"{plan.zone.name}是{plan.zone.scheme.get_level_display()},不能编制{plan.get_kind_display()}"
        else:
            ensure_in_scope(user, plan.zone.scheme.county)
    if plan.stage == PlanStage.APPROVED:
        if not plan.document.strip():
            errors["document"] = "已批复的规划须填写批复文号"
        if not plan.approved_on:
            errors["approved_on"] = "已批复的规划须填写批复日期"
        if not plan.term_years:
            errors["term_years"] = "已批复的规划须填写规划期限"
    if errors:
        raise ZoneError("；".join(errors.values()), fields=errors)
    if plan.created_by_id is None and user is not None:
        plan.created_by = user
    plan.save()
    return plan


def covered_villages(villages) -> set[int]:
    """Pks of the villages with an approved 实用性村庄规划, on the village itself or on a village zone holding it."""
    pks = [v.pk for v in villages]
    approved = Plan.objects.filter(kind=PlanKind.VILLAGE, stage=PlanStage.APPROVED)
    direct = set(approved.filter(unit__in=pks).values_list("unit_id", flat=True))
    zoned = set(Zone.objects.filter(plans__in=approved, members__in=pks).values_list("members", flat=True))
    return direct | (zoned & set(pks))


def coverage(user, place: Division) -> list[dict]:
    """Per current township under the place: its 建制村, those covered by an approved village plan, the rate,
    and whether the township's own 总体规划 is approved. `user` None: the system (demo, commands), unscoped."""
    units = Division.objects.all() if user is None else Division.objects.visible_to(user)
    townships = list(units.current().filter(subtree_q(place), level=Level.TOWNSHIP)
                     .order_by("path"))
    villages = list(Division.objects.current().filter(level=Level.VILLAGE, kind=Kind.VILLAGE,
                                                      parent__in=townships).order_by("code", "name"))
    covered = covered_villages(villages)
    approved = Plan.objects.filter(kind=PlanKind.TOWNSHIP, stage=PlanStage.APPROVED)
    town_ok = set(approved.filter(unit__in=townships).values_list("unit_id", flat=True))
    town_ok |= set(Zone.objects.filter(plans__in=approved, members__in=townships).values_list("members", flat=True))
    out = []
    for t in townships:
        mine = [v for v in villages if v.parent_id == t.pk]
        done = [v for v in mine if v.pk in covered]
        out.append({"township": t, "villages": len(mine), "covered": len(done),
                    "rate": round(100 * len(done) / len(mine), 1) if mine else None,
                    "missing": [v for v in mine if v.pk not in covered], "township_plan": t.pk in town_ok})
    return out


def coverage_rows(rows):
    for r in rows:
        yield [r["township"].name, "已批复" if r["township_plan"] else "未批复", r["villages"], r["covered"],
               r["rate"] if r["rate"] is not None else "", "、".join(v.name for v in r["missing"])]


def plan_rows(plans, today):
    for p in plans:
        yield [p.name, p.get_kind_display(), str(p.place), p.get_stage_display(), p.target_date, p.document,
               p.approved_on, p.term_years, "逾期" if p.is_overdue(today) else ""]


def designation_rows(units, current):
    for u in units:
        d = current.get(u.pk)
        township = u.name if u.level == Level.TOWNSHIP else (u.parent.name if u.parent_id else "")
        yield [township, u.name, "乡镇" if u.level == Level.TOWNSHIP else "建制村",
               d.get_category_display() if d else "未分类", d.get_function_display() if d and d.function else "",
               d.valid_from if d else None, d.note if d else ""]

