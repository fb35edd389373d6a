"""Operations on the register of bodies: the forms, the import, the demo and the merger hook all go through here."""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from xiangcun.core import audit
from xiangcun.divisions.levels import Level
from xiangcun.divisions.scoping import ensure_in_scope

from .models import Body, BodyKind

EVENTS = {"body.closed": "机构随区划撤销"}
EVENT_LABELS = {"successor": "承接机构", "unit": "撤销的区划", "when": "撤销日期"}

# the full names of the usual county departments, by the short name users and rules know them by
DEPARTMENT_NAMES = {
    "改革办": "两项改革工作领导小组办公室",
    "财政": "财政局", "民政": "民政局", "教育": "教育局", "卫健": "卫生健康局", "交通": "交通运输局",
    "自然资源": "自然资源局", "农业农村": "农业农村局", "政务服务": "政务服务管理局", "委编办": "委编办",
    "司法": "司法局", "住建": "住房和城乡建设局", "水务": "水务局", "应急": "应急管理局", "市场监管": "市场监督管理局",
    "人社": "人力资源和社会保障局", "残联": "残疾人联合会", "国资": "国有资产管理中心", "供销社": "供销合作社联合社",
    "统计": "统计局", "公安": "公安局", "文旅": "文化体育和旅游局", "生态环境": "生态环境局", "乡村振兴": "乡村振兴局",
}
# county bodies whose name does not read "<county><department>"
_PREFIXED = {"委编办": "中共{county}委机构编制委员会办公室"}


def county_of(unit):
    """The county-level unit at or above `unit` (None above county level)."""
    if unit is None:
        return None
    if unit.level == Level.COUNTY:
        return unit
    if unit.level < Level.COUNTY:
        return None
    return next((a for a in unit.ancestors() if a.level == Level.COUNTY), None)


def department_name(county, short_name: str) -> str:
    if short_name in _PREFIXED:
        return _PREFIXED[short_name].format(county=county.name)
    return f"{county.name}{DEPARTMENT_NAMES.get(short_name, short_name)}"


def department_body(county, short_name: str, *, create: bool = True) -> Body | None:
    """The county's department of that short name ("财政" → 马尔康市财政局), registered if the county has none yet."""
    body = (Body.objects.filter(kind=BodyKind.COUNTY_DEPARTMENT, unit=county, short_name=short_name, valid_to__isnull=True)
            .order_by("pk").first())
    if body is None and create:
        body = Body.objects.create(kind=BodyKind.COUNTY_DEPARTMENT, unit=county, short_name=short_name,
                                   name=department_name(county, short_name))
    return body


def save_body(user, body: Body) -> Body:
    """Create or change a body: it must hang on a unit in the user's jurisdiction (its old unit too)."""
    with transaction.atomic():
        if body.pk:
            old = Body.objects.select_related("unit").get(pk=body.pk)
            ensure_in_scope(user, old.unit)
        ensure_in_scope(user, body.unit)
        body.full_clean()
        body.save()
    return body


def _matching(body: Body, successor_unit) -> Body:
    """The successor unit's body that does the same work: same kind and short name, else same kind and the same
    name after the unit's name; registered on the successor unit if it has none (so the work has somewhere to go)."""
    candidates = Body.objects.filter(unit=successor_unit, kind=body.kind, valid_to__isnull=True)
    if body.short_name:
        match = candidates.filter(short_name=body.short_name).order_by("pk").first()
        if match:
            return match
    tail = body.name[len(body.unit.name):] if body.name.startswith(body.unit.name) else body.name
    match = candidates.filter(name=successor_unit.name + tail).first() or (
        candidates.order_by("pk").first() if body.kind in (BodyKind.TOWNSHIP_GOVERNMENT, BodyKind.VILLAGE_COMMITTEE) else None)
    if match:
        return match
    parent = _matching(body.parent, successor_unit) if body.parent_id and body.parent.unit_id == body.unit_id else None
    return Body.objects.create(name=successor_unit.name + tail, short_name=body.short_name, kind=body.kind, unit=successor_unit,
                               parent=parent, valid_from=body.valid_to, note=f"由{body.name}撤销时建立,承接其工作")


def follow_closed_unit(unit, when: dt.date) -> None:
    """A unit ended (merged, split, abolished): its bodies close on the same day and name the matching body of
    the unit that took it over (the first successor of a split), so their open work is shown passing on."""
    from xiangcun.divisions.services import successors_on

    bodies = list(Body.objects.filter(unit=unit, valid_to__isnull=True).select_related("unit", "parent").order_by("pk"))
    if not bodies:
        return
    heirs = [s for s in successors_on(unit, when) if s.pk != unit.pk]
    heir_unit = heirs[0] if heirs else None
    for body in sorted(bodies, key=lambda b: b.parent_id is not None):  # parents first: children can then match them
        body.valid_to = when
        if heir_unit is not None:
            body.successor = _matching(body, heir_unit)
        body.save()
        audit.log_event(body, "body.closed", data={"unit": unit.name, "when": when.isoformat(),
                                                    "successor": body.successor.name if body.successor_id else "—"})


def main_body(unit) -> Body | None:
    """The body that speaks for a unit: a township's government, a village's 两委 (None for a county)."""
    kind = {Level.TOWNSHIP: BodyKind.TOWNSHIP_GOVERNMENT, Level.VILLAGE: BodyKind.VILLAGE_COMMITTEE}.get(unit.level)
    if kind is None:
        return None
    return Body.objects.filter(unit=unit, kind=kind, valid_to__isnull=True).order_by("pk").first()
