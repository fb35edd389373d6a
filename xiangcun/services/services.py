"""Domain operations of the convenience-services module: the one place cases change.

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
import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from xiangcun.core import audit
from xiangcun.core.validators import id_number as check_id_number
from xiangcun.core.validators import mobile as check_mobile
from xiangcun.divisions.models import Division, Kind, Level

from . import rollup
from .models import (
    DONE, OPEN, Case, CaseStep, Delivery, Holiday, ItemLevel, ItemList, PointKind, ServiceItem, ServicePoint, Status,
    UnitType,
)


class CaseError(Exception):
    """A refused operation (on a case, an item list, a service point); the message is Chinese and says
    what to do."""


class CaseConflict(CaseError):
    """Someone else advanced the case first."""


# --- roles ---------------------------------------------------------------------------------------

def _role(user):
    from xiangcun.accounts.models import Role

    return Role, getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None


def is_agent(user) -> bool:
    Role, role = _role(user)
    return role == Role.VILLAGE_AGENT


def is_township(user) -> bool:
    Role, role = _role(user)
    return role == Role.TOWNSHIP


def is_department(user) -> bool:
    Role, role = _role(user)
    return role == Role.DEPARTMENT


def may_take_cases(user) -> bool:
    """Village agents take cases at their window."""
    return is_agent(user)


def may_handle(user) -> bool:
    """Those a case may be forwarded to: township staff and county departments (administrators too)."""
    return is_township(user) or is_department(user) or getattr(user, "is_administrator", False)


def may_work_cases(user) -> bool:
    return may_take_cases(user) or may_handle(user)


def may_see_full_pii(user) -> bool:
    """The agent who serves the resident and the staff handling the case see the resident in full."""
    return may_work_cases(user)


def may_edit_catalogue(user) -> bool:
    """The 政务服务 office: the reform office and administrators keep items, lists, network, holidays."""
    from xiangcun.accounts.models import Role

    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_administrator or user.role == Role.REFORM_OFFICE


# --- working days ------------------------------------------------------------------------------------

class Calendar:
    """Working days: Monday–Friday, minus holidays, plus 调休 working weekends."""

    def __init__(self, holidays: dict[dt.date, bool] | None = None):
        if holidays is None:
            holidays = dict(Holiday.objects.values_list("date", "is_workday"))
        self.off = {d for d, work in holidays.items() if not work}
        self.on = {d for d, work in holidays.items() if work}

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.on:
            return True
        return day.weekday() < 5 and day not in self.off

    def add(self, start: dt.date, days: int) -> dt.date:
        """The date `days` working days after `start` (the day of intake does not count)."""
        day = start
        while days > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                days -= 1
        return day

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when finished the same day)."""
        if end <= start:
            return 0
        n, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            n += self.is_working_day(day)
        return n


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


# --- intake ------------------------------------------------------------------------------------------

def in_force(lst, day: dt.date) -> bool:
    return lst.effective_from <= day and (lst.effective_to is None or lst.effective_to > day)


def governing_lists(lists, village: Division, day: dt.date) -> list:
    """Of `lists`, those that say what the window of `village` may take on `day`: the lists for the
    village itself in force that day; else the village-type (村(社区)) lists in force whose unit is the
    nearest ancestor of the village that has one (a county's list for its villages), else the
    nationwide ones (no unit). Empty when no list is in force: then the catalogue applies."""
    live = [lst for lst in lists if in_force(lst, day)]
    own = [lst for lst in live if lst.unit_id == village.pk]
    if own:
        return own
    depth = {pk: i for i, pk in enumerate(village.depth_ids)}
    typed = [lst for lst in live if lst.unit_type == UnitType.VILLAGE and (lst.unit_id is None or lst.unit_id in depth)]
    nearest = max((depth.get(lst.unit_id, -1) for lst in typed), default=None)
    return [lst for lst in typed if depth.get(lst.unit_id, -1) == nearest]


def village_lists(village: Division, day: dt.date) -> list:
    """The item lists governing the window of `village` on `day` (see governing_lists)."""
    from django.db.models import Q

    candidates = (ItemList.objects
                  .filter(Q(unit_id__in=village.depth_ids) | Q(unit__isnull=True, unit_type=UnitType.VILLAGE))
                  .filter(effective_from__lte=day).filter(Q(effective_to__isnull=True) | Q(effective_to__gt=day)))
    return governing_lists(candidates, village, day)


def items_for_village(village: Division | None = None, day: dt.date | None = None):
    """Items a village agent may take: in use and 可代办, and — when an item list governs the village's
    window that day — on that list."""
    qs = ServiceItem.objects.filter(is_active=True, proxy_allowed=True)
    if village is not None:
        lists = village_lists(village, day or timezone.localdate())
        if lists:
            qs = qs.filter(pk__in=ItemList.items.through.objects.filter(itemlist__in=lists).values("serviceitem"))
    return qs


def not_on_list(item: ServiceItem, village: Division, lists) -> str:
    names = "、".join(str(lst) for lst in lists)
    return f"事项“{item.name}”不在{village.name}现行的便民服务事项清单中,不能在村级窗口受理(现行清单:{names})"


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
    if not Division.objects.visible_to(user).filter(pk=village.pk).exists():
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
    name = (resident_name or "").strip()
    if not name:
        raise CaseError("请填写申请人姓名")
    try:
        id_no = check_id_number(resident_id_number)
        phone = check_mobile(resident_phone) if (resident_phone or "").strip() else ""
    except ValidationError as exc:
        raise CaseError(exc.messages[0]) from None
    materials = list(materials or [])
    unknown = [m for m in materials if m not in item.material_list]
    if unknown:
        raise CaseError(f"“{unknown[0]}”不是该事项的申请材料")
    cal = cal or Calendar()
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


# --- the state machine ------------------------------------------------------------------------------

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
EVENTS.update({"point.deactivate": "网点停用", "point.restore": "网点恢复启用"})
EVENT_LABELS = {"item": "事项", "village": "受理村", "from": "原状态", "to": "新状态", "handler": "承办单位",
                "result": "办理结果", "delivery": "送达方式", "missing": "需补正材料", "reason": "原因",
                "trips": "跑动次数", "on_time": "按时办结", "items": "事项", "villages": "服务村(社区)"}


def _in_scope(user, case: Case) -> bool:
    return Case.objects.visible_to(user).filter(pk=case.pk).exists()


def is_handler(user, case: Case) -> bool:
    """Whether `user` is whom the case was forwarded to."""
    if getattr(user, "is_administrator", False):
        return True
    if case.handler_level == ItemLevel.TOWNSHIP:
        return is_township(user) and case.handler_unit_id is not None and \
            Division.objects.visible_to(user).filter(pk=case.handler_unit_id).exists()
    if case.handler_level == ItemLevel.COUNTY:
        return is_department(user) and user.department == case.handler_department and _in_scope(user, case)
    return False


def may_apply(user, case: Case, action: str) -> bool:
    step = TRANSITIONS[action]
    agent = is_agent(user) and _in_scope(user, case)
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
    cal = cal or Calendar()
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


# --- queues ---------------------------------------------------------------------------------------------

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


# --- the service network and its gaps ---------------------------------------------------------------

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


# --- item lists -------------------------------------------------------------------------------------------

@transaction.atomic
def new_list_version(lst, effective_from: dt.date | None, item_ids: list[int], document: str = ""):
    """Publish the next version of a list with `item_ids`, effective from a date; the current version
    ends that day. Refuses an empty list or a date not after the current version's start."""
    from .models import ItemList

    if effective_from is None:
        raise CaseError("请填写新版本的生效日期")
    current = ItemList.objects.select_for_update().filter(name=lst.name).order_by("-version").first()
    if effective_from <= current.effective_from:
        raise CaseError(f"新版本的生效日期应晚于第{current.version}版的生效日期 {current.effective_from:%Y-%m-%d}")
    items = list(ServiceItem.objects.filter(pk__in=item_ids))
    if not items:
        raise CaseError("清单至少应包含一个事项")
    new = ItemList.objects.create(name=current.name, unit_type=current.unit_type, unit=current.unit,
                                  version=current.version + 1, effective_from=effective_from,
                                  document=(document or "").strip()[:100])
    new.items.set(items)
    if current.effective_to is None or current.effective_to > effective_from:
        current.effective_to = effective_from
        current.save(update_fields=["effective_to"])
    return new


def list_on(name: str, day: dt.date):
    """The version of a list in force on `day`."""
    from django.db.models import Q

    from .models import ItemList

    return (ItemList.objects.filter(name=name, effective_from__lte=day)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=day)).order_by("-version").first())


def _inside(user, unit: Division) -> bool:
    return Division.objects.visible_to(user).filter(pk=unit.pk).exists()


def list_types_for(unit: Division) -> tuple:
    """The unit types a list for this one township or village may have."""
    if unit.level == Level.VILLAGE:
        return (UnitType.VILLAGE,)
    if unit.kind == Kind.SUBDISTRICT:
        return (UnitType.SUBDISTRICT,)
    return (UnitType.TOWNSHIP, UnitType.KEY_TOWN)


def list_problems(user, *, name: str, unit_type: str, unit: Division | None) -> dict[str, str]:
    """What is wrong with a new item list ({field: Chinese message}); empty when it may be created.

    A list is for one township or village (its type must match the unit), or for every unit of a type
    in a county (or a wider area) — or, for administrators only, nationwide (no unit)."""
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "请填写清单名称"
    elif ItemList.objects.filter(name=name).exists():
        errors["name"] = f"已有名为“{name}”的清单;要调整它的事项或生效日期,请在该清单页发布新版本"
    if unit_type not in UnitType.values:
        errors["unit_type"] = "请选择适用单位类型"
    if unit is None:
        if not getattr(user, "sees_everything", False):
            errors["unit"] = "请选择适用单位:某个乡镇(街道)、村(社区),或本辖区(辖区内该类单位通用)"
        return errors
    if not _inside(user, unit):
        errors["unit"] = f"{unit.name}不在您的管辖范围内"
    elif unit.valid_to is not None:
        errors["unit"] = f"{unit.name}已撤并,不能为其编制清单"
    elif unit.level > Level.VILLAGE:
        errors["unit"] = "清单的适用单位应为乡镇(街道)、村(社区)或一个辖区"
    elif unit.level >= Level.TOWNSHIP and unit_type in UnitType.values and unit_type not in list_types_for(unit):
        errors["unit_type"] = (f"{unit.name}是{unit.get_kind_display()},适用单位类型应为"
                               + "或".join(f"“{UnitType(t).label}”" for t in list_types_for(unit)))
    return errors


@transaction.atomic
def create_list(user, *, name: str, unit_type: str, unit: Division | None, effective_from: dt.date | None,
                document: str = "", items=()) -> ItemList:
    """新建清单: the first version of a list for a unit type in an area, or for one unit; audited (with
    its items). Items can then be added by the catalogue import (所属清单) or a new version."""
    if not may_edit_catalogue(user):
        raise CaseError("只有改革办(政务服务管理部门)和管理员可以编制事项清单")
    errors = list_problems(user, name=name, unit_type=unit_type, unit=unit)
    if effective_from is None:
        errors["effective_from"] = "请填写生效日期"
    if errors:
        raise CaseError(";".join(errors.values()))
    items = list(items)
    lst = ItemList(name=name.strip(), unit_type=unit_type, unit=unit, version=1, effective_from=effective_from,
                   document=(document or "").strip()[:100])
    with audit.as_action("create", {"items": [i.name for i in items]} if items else {}, actor=user):
        lst.save()
    lst.items.set(items)
    return lst


# --- keeping the service network ------------------------------------------------------------------------

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
    elif not _inside(user, unit):
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
    inside = set(Division.objects.visible_to(user).filter(pk__in=[v.pk for v in villages]).values_list("pk", flat=True))
    outside = [v.name for v in villages if v.pk not in inside]
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

