"""Demo register of bodies for the demo county: its county departments, each township's party and government
offices with their internal offices and 事业 bodies, each village's 两委; the townships the reform abolished keep
their bodies, closed on the day of the merger and handed on to the successor's (through the merger hook).

Idempotent: bodies are found by unit and name. The demo command puts the demo logins in their bodies.
"""
from django.db import transaction

from xiangcun.core import audit
from xiangcun.divisions.levels import Level
from xiangcun.divisions.models import Division
from xiangcun.divisions.scoping import subtree_q

from . import services
from .models import Body, BodyKind

DEPARTMENTS = ("改革办", "委编办", "财政", "民政", "教育", "卫健", "交通", "自然资源", "农业农村", "政务服务", "司法",
               "住建", "水务", "应急", "市场监管", "人社", "残联", "供销社", "乡村振兴")
# the offices and 事业 bodies of every township (the reform's "一办一中心" pattern, in plausible wording)
TOWNSHIP_OFFICES = (
    ("党政综合办公室", BodyKind.TOWNSHIP_OFFICE),
    ("社会事务办公室", BodyKind.TOWNSHIP_OFFICE),
    ("综合行政执法办公室", BodyKind.TOWNSHIP_OFFICE),
    ("经济发展办公室", BodyKind.TOWNSHIP_OFFICE),
    ("便民服务中心", BodyKind.TOWNSHIP_INSTITUTION),
    ("农业综合服务中心", BodyKind.TOWNSHIP_INSTITUTION),
)


def _body(unit, name, kind, **extra):
    body = Body.objects.filter(unit=unit, name=name).first()
    if body is None:
        body = Body.objects.create(unit=unit, name=name, kind=kind, **extra)
    return body


def _township(unit):
    gov = _body(unit, f"{unit.name}人民政府", BodyKind.TOWNSHIP_GOVERNMENT, short_name="政府", valid_from=unit.valid_from)
    for name, kind in TOWNSHIP_OFFICES:
        _body(unit, f"{unit.name}{name}", kind, parent=gov, short_name=name, valid_from=unit.valid_from)


def _village(unit):
    committee = "居民委员会" if unit.name.endswith("社区") else "村民委员会"
    _body(unit, f"{unit.name}{committee}", BodyKind.VILLAGE_COMMITTEE, short_name="两委", valid_from=unit.valid_from)


@transaction.atomic
def load_module(county: Division, log=print) -> None:
    if Body.objects.filter(subtree_q(county, "unit__path"), kind=BodyKind.TOWNSHIP_OFFICE).exists():
        return
    with audit.batch():
        for short in DEPARTMENTS:
            services.department_body(county, short)
        units = Division.objects.subtree(county).filter(level__in=(Level.TOWNSHIP, Level.VILLAGE)).order_by("path")
        current = [u for u in units if u.valid_to is None]
        for unit in current:
            (_township if unit.level == Level.TOWNSHIP else _village)(unit)
        # abolished units: their bodies existed until the merger, then passed their work on
        closed = sorted((u for u in units if u.valid_to is not None), key=lambda u: (u.valid_to, u.level))
        for unit in closed:
            (_township if unit.level == Level.TOWNSHIP else _village)(unit)
            services.follow_closed_unit(unit, unit.valid_to)
    bodies = Body.objects.filter(subtree_q(county, "unit__path"))
    log(f"机构名录:{bodies.count()} 个机构(其中随撤并撤销 {bodies.filter(valid_to__isnull=False).count()} 个)")
