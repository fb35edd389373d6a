"""Proxy-service cases (代办件): intake, the workflow, deadlines and queues — the one place cases change.

Item lists are in item_lists.py, the service network in service_network.py, the error class in errors.py.

The case workflow is one state machine (`TRANSITIONS`, applied by `transition`):

    受理 → 转办 → 办理中 → 办结 → 送达 → 归档
    转办/办理中 → 退回补正 → (补正) 转办          受理/转办 → 不予受理

Each step names who may take it (the village agent of the case's village, the township staff or
county department the case was forwarded to), is applied with a guarded UPDATE on the case's
`version` (two people advancing the same case: the second gets a clear message, nothing is applied
twice), and is recorded as a CaseStep and as a named audit event ("case.forward" …).
Deadlines count working days: weekends and the Holiday calendar (with 调休 working weekends).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from xiangcun.core import audit
from xiangcun.core.validators import id_number as check_id_number
from xiangcun.core.validators import mobile as check_mobile
from xiangcun.divisions.models import Division, Level
from xiangcun.divisions.scoping import in_scope

from . import rollup
from .calendar import Calendar
from .errors import CaseConflict, CaseError
from .item_lists import not_on_list, village_lists
from .models import (
    DONE,
    OPEN,
    Case,
    CaseStep,
    Delivery,
    ItemLevel,
    ItemList,
    ServiceItem,
    Status,
)
from .permissions import is_agent, is_department, is_township

NEARLY_DUE = 2  # working days left when a case is flagged 即将到期


def deadline_flag(case: Case, cal: Calendar, today: dt.date | None = None) -> str:
    """"overdue" (逾期), "nearly" (即将到期), "" — for open cases; closed ones by their result."""
    today = today or timezone.localdate()
    if case.status in DONE:
        return "" if case.on_time else "late"
    if case.status not in OPEN or case.status == Status.RETURNED:
        return ""
    if today > case.due_date:
        return "overdue"
    if cal.between(today, case.due_date) <= NEARLY_DUE:
        return "nearly"
    return ""


FLAG_LABELS = {"overdue": "已逾期", "nearly": "即将到期", "late": "超期办结"}

# Checks a higher module adds before a case may be completed (办结): fn(case) -> a Chinese reason, or None.
# The 前置审查 module (prereview, listed after services) registers one in its AppConfig.ready(): a 宅基地建房
# case is not completed before its site's pre-review is approved. Services never imports those modules.
_COMPLETION_CHECKS: list = []


def register_completion_check(fn) -> None:
    """Add a check run before every 办结 (idempotent: the same function is registered once)."""
    if fn not in _COMPLETION_CHECKS:
        _COMPLETION_CHECKS.append(fn)


def completion_blockers(case: Case) -> list[str]:
    """Why `case` may not be completed now, by the registered checks (empty: nothing stands in the way)."""
    return [reason for fn in _COMPLETION_CHECKS if (reason := fn(case))]



def _number(village: Division, when: dt.datetime) -> str:
    prefix = f"DB{when:%Y%m%d}{village.pk:06d}"
    n = Case.objects.filter(number__startswith=prefix).count() + 1
    return f"{prefix}{n:03d}"


@transaction.atomic
def take_case(user, village: Division, item: ServiceItem, resident_name: str, resident_id_number: str,
              resident_phone: str = "", materials: list[str] | None = None, when: dt.datetime | None = None,
              cal: Calendar | None = None) -> Case:
    """受理: a village agent takes a resident's request at the window of their village."""
    if not is_agent(user):
        raise CaseError("只有村代办员可以受理代办件")
    if village.level != Level.VILLAGE or village.valid_to is not None:
        raise CaseError("请选择现有的村(社区)")
    if not in_scope(user, village):
        raise CaseError(f"{village.name}不在您的管辖范围内")
    if not item.is_active:
        raise CaseError(f"事项“{item.name}”已停用")
    if not item.proxy_allowed:
        raise CaseError(f"事项“{item.name}”不可代办,请引导群众到{item.get_level_display()}办理")
    when = when or timezone.now()
    day = timezone.localdate(when) if timezone.is_aware(when) else when.date()
    lists = village_lists(village, day)
    if lists and not ItemList.items.through.objects.filter(itemlist__in=lists, serviceitem=item).exists():
        raise CaseError(not_on_list(item, village, lists))
    # every field is checked, so the window sees all that is wrong at once, each beside its field
    problems: dict[str, str] = {}
    name = (resident_name or "").strip()
    if not name:
        problems["resident_name"] = "请填写申请人姓名"
    id_no = phone = ""
    try:
        id_no = check_id_number(resident_id_number)
    except ValidationError as exc:
        problems["resident_id_number"] = exc.messages[0]
    try:
        phone = check_mobile(resident_phone) if (resident_phone or "").strip() else ""
    except ValidationError as exc:
        problems["resident_phone"] = exc.messages[0]
    materials = list(materials or [])
    unknown = [m for m in materials if m not in item.material_list]
    if unknown:
        problems["materials"] = "、".join(f"“{m}”" for m in unknown) + "不是该事项的申请材料"
    if problems:
        raise CaseError(";".join(problems.values()), fields=problems)
    cal = cal or Calendar.for_unit(village)
    case = Case(number=_number(village, when), village=village, unit_path=village.path, item=item,
                resident_name=name, resident_id_number=id_no, resident_phone=phone, materials_received=materials,
                taken_by=user, intake_at=when, intake_date=day, due_date=cal.add(day, item.time_limit))
    case.save()
    rollup.added(case)
    CaseStep.objects.create(case=case, action="take", to_status=Status.RECEIVED, at=when, actor=user)
    audit.log_event(case, "case.take", {"item": item.name, "village": village.name}, actor=user)
    return case


def missing_materials(case: Case) -> list[str]:
    return [m for m in case.item.material_list if m not in case.materials_received]



@dataclass(frozen=True)
class Transition:
    label: str
    sources: tuple
    target: str
    by: str  # "agent" (the case's village agent), "handler" (whom it was forwarded to), "either"


TRANSITIONS = {
    "forward": Transition("转办", (Status.RECEIVED,), Status.FORWARDED, "agent"),
    "start": Transition("开始办理", (Status.FORWARDED,), Status.PROCESSING, "handler"),
    "complete": Transition("办结", (Status.PROCESSING,), Status.COMPLETED, "handler"),
    "deliver": Transition("送达", (Status.COMPLETED,), Status.DELIVERED, "agent"),
    "archive": Transition("归档", (Status.DELIVERED,), Status.ARCHIVED, "agent"),
    "return": Transition("退回补正", (Status.FORWARDED, Status.PROCESSING), Status.RETURNED, "handler"),
    "resubmit": Transition("补正后重新转办", (Status.RETURNED,), Status.FORWARDED, "agent"),
    "reject": Transition("不予受理", (Status.RECEIVED, Status.FORWARDED), Status.REJECTED, "either"),
}
EVENTS = {f"case.{name}": f"代办件{t.label}" for name, t in TRANSITIONS.items()}
EVENTS["case.take"] = "代办件受理"
EVENTS.update({"point.deactivate": "网点停用", "point.restore": "网点恢复启用", "case.demo": "批量生成演示代办件"})
EVENT_LABELS = {"item": "事项", "village": "受理村", "from": "原状态", "to": "新状态", "handler": "承办单位",
                "result": "办理结果", "delivery": "送达方式", "missing": "需补正材料", "reason": "原因",
                "trips": "跑动次数", "on_time": "按时办结", "items": "事项", "villages": "服务村(社区)"}


def is_handler(user, case: Case) -> bool:
    """Whether `user` is whom the case was forwarded to."""
    if getattr(user, "is_administrator", False):
        return True
    if case.handler_level == ItemLevel.TOWNSHIP:
        return is_township(user) and case.handler_unit_id is not None and \
            Division.objects.visible_to(user).filter(pk=case.handler_unit_id).exists()
    if case.handler_level == ItemLevel.COUNTY:
        return is_department(user) and user.department == case.handler_department and in_scope(user, case.unit_path)
    return False


def may_see_resident(user, case: Case) -> bool:
    """Whether `user` may see the case's resident in full (name, 身份证号, phone): only the agent who took
    the case and the body it is forwarded to (is_handler: the township centre or the county department;
    administrators act for any handler). Everyone else who may read the case sees it masked."""
    if is_agent(user):
        return case.taken_by_id == user.pk and in_scope(user, case.unit_path)
    if case.handler_level not in (ItemLevel.TOWNSHIP, ItemLevel.COUNTY) and not getattr(user, "is_administrator", False):
        return False
    return is_handler(user, case)


def may_apply(user, case: Case, action: str) -> bool:
    step = TRANSITIONS[action]
    agent = is_agent(user) and in_scope(user, case.unit_path)
    if step.by == "agent":
        return agent
    if step.by == "handler":
        return is_handler(user, case)
    return agent or is_handler(user, case)


def available(user, case: Case) -> list[tuple[str, Transition]]:
    return [(name, t) for name, t in TRANSITIONS.items() if case.status in t.sources and may_apply(user, case, name)]


def _handler_for(case: Case) -> tuple[str, Division | None, str]:
    """Where a case is forwarded: the township centre over its village, or the item's county department.
    Village-level items are handled at the township centre too (the agent only takes them)."""
    if case.item.level == ItemLevel.COUNTY:
        return ItemLevel.COUNTY, None, case.item.department
    village = case.village
    township = village.parent
    if village.valid_to is not None or (township and township.valid_to is not None):
        from xiangcun.divisions.services import successors_on

        found = successors_on(village, timezone.localdate())
        township = found[0].parent if found else township
    return ItemLevel.TOWNSHIP, township, ""


@transaction.atomic
def transition(case: Case | int, action: str, user, *, version: int | None = None, result: str = "",
               reason: str = "", missing: str = "", delivery: str = "", in_person: bool = True,
               when: dt.datetime | None = None, cal: Calendar | None = None) -> Case:
    """Apply one step of the workflow to `case` by `user`; refuse anything not allowed, changing nothing.

    `version` is the version the user saw; if the case has moved on since, CaseConflict. The row is
    locked (PostgreSQL) and the UPDATE is guarded by the version (SQLite too), so of two concurrent
    calls exactly one succeeds."""
    step = TRANSITIONS.get(action)
    if step is None:
        raise CaseError("未知的办理操作")
    pk = case.pk if isinstance(case, Case) else case
    case = Case.objects.select_for_update().select_related("item", "village").filter(pk=pk).first()
    if case is None:
        raise CaseError("代办件不存在")
    if version is not None and case.version != version:
        raise CaseConflict(f"该件已被他人处理(现为“{case.get_status_display()}”),您的操作未执行,请刷新后再看")
    if case.status not in step.sources:
        raise CaseError(f"“{step.label}”不适用于状态为“{case.get_status_display()}”的代办件")
    if not may_apply(user, case, action):
        raise CaseError(f"您不能对该件执行“{step.label}”")
    counted = rollup.contribution(case)
    when = when or timezone.now()
    cal = cal or Calendar.for_unit(case.village)
    day = timezone.localdate(when) if timezone.is_aware(when) else when.date()
    result, reason, missing = (result or "").strip(), (reason or "").strip(), (missing or "").strip()
    changes: dict = {"status": step.target}
    data: dict = {"from": case.get_status_display(), "to": Status(step.target).label}
    note = ""
    if action == "forward":
        level, unit, dept = _handler_for(case)
        changes.update(handler_level=level, handler_unit=unit, handler_department=dept, forwarded_at=when)
        data["handler"] = note = unit.name + "便民服务中心" if unit else dept
    elif action == "start":
        changes["started_at"] = when
    elif action == "complete":
        if not result:
            raise CaseError("办结须填写办理结果")
        blockers = completion_blockers(case)
        if blockers:
            raise CaseError(";".join(blockers))
        used = cal.between(case.intake_date, day)
        changes.update(result=result[:300], completed_at=when, closed_at=when, working_days=used,
                       on_time=day <= case.due_date)
        data.update(result=result, on_time="是" if day <= case.due_date else "否")
        note = result
    elif action == "deliver":
        if delivery not in Delivery.values:
            raise CaseError("送达须选择送达方式")
        trips = case.trips + (1 if delivery == Delivery.WINDOW else 0)
        changes.update(delivered_at=when, delivery_method=delivery, trips=trips)
        data.update(delivery=Delivery(delivery).label, trips=trips)
        note = Delivery(delivery).label
    elif action == "archive":
        if case.delivered_at is None or not case.delivery_method:
            raise CaseError("没有送达记录的代办件不能归档,请先登记送达")
        changes["archived_at"] = when
    elif action == "return":
        if not missing or not reason:
            raise CaseError("退回补正须写明缺少的材料和原因")
        changes.update(missing_materials=missing[:300], reason=reason[:300], returned_count=case.returned_count + 1)
        data.update(missing=missing, reason=reason)
        note = f"缺:{missing};{reason}"
    elif action == "resubmit":
        # the clock restarts on the day the complete materials arrive (补正 time is not counted)
        changes.update(due_date=cal.add(day, case.item.time_limit), forwarded_at=when,
                       trips=case.trips + (1 if in_person else 0))
        data["trips"] = changes["trips"]
        note = "群众到场补交材料" if in_person else "材料通过网上或代办员补齐"
    elif action == "reject":
        if not reason:
            raise CaseError("不予受理须写明原因")
        changes.update(reason=reason[:300], closed_at=when)
        data["reason"] = note = reason
    updated = Case.objects.filter(pk=case.pk, version=case.version, status=case.status).update(
        version=F("version") + 1, **changes)
    if updated != 1:
        raise CaseConflict("该件已被他人处理,您的操作未执行,请刷新后再看")
    CaseStep.objects.create(case=case, action=action, from_status=case.status, to_status=step.target, at=when,
                            actor=user, note=note[:300])
    case.refresh_from_db()
    rollup.changed(counted, case)
    audit.log_event(case, f"case.{action}", data, actor=user)
    return case



def queue(user, qs=None):
    """The cases waiting on `user`'s role: an agent's village cases, what was forwarded to a township's
    centre or a county department; the reform office and analysts see everything in scope."""
    qs = Case.objects.visible_to(user) if qs is None else qs
    if is_agent(user):
        return qs
    if is_township(user):
        townships = Division.objects.visible_to(user).filter(level=Level.TOWNSHIP)
        return qs.filter(handler_level=ItemLevel.TOWNSHIP, handler_unit__in=townships)
    if is_department(user):
        return qs.filter(handler_level=ItemLevel.COUNTY, handler_department=user.department)
    return qs


def waiting_on(user) -> tuple:
    """The statuses in which a case waits for `user`'s role to act."""
    if is_agent(user):
        return (Status.RECEIVED, Status.COMPLETED, Status.DELIVERED, Status.RETURNED)
    if is_township(user) or is_department(user):
        return (Status.FORWARDED, Status.PROCESSING)
    return OPEN



