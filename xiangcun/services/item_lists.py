"""Item lists (便民服务事项清单): which items a village's window may take on a day, and list versions."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from xiangcun.core import audit
from xiangcun.divisions.models import Division, Kind, Level
from xiangcun.divisions.scoping import in_scope

from .errors import CaseError
from .models import (
    ItemList,
    ServiceItem,
    UnitType,
)
from .permissions import may_edit_catalogue


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
    if not in_scope(user, unit):
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



