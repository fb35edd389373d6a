"""Planning rules as versioned parameters (DOMAIN.md, "Numbers and rules"): the defaults below seed the
table; people change a rule by adding a value valid from a date, so earlier diagnoses stay explainable."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from xiangcun.core import audit

from .models import Rule

DEFAULT_FROM = dt.date(2016, 1, 1)

# key: (label, default, source)
RULES = {
    "class.big_min": ("大班额下限(人/班)", 56, "教育部统计口径:56–65 人为大班额"),
    "class.super_min": ("超大班额下限(人/班)", 66, "教育部统计口径:66 人及以上为超大班额"),
    "class.limit.primary": ("小学标准班额(人/班)", 45, "建标109-2008 完全小学每班 45 人"),
    "class.limit.junior": ("初中标准班额(人/班)", 50, "建标109-2008 初中每班 50 人"),
    "class.limit.kindergarten": ("幼儿园标准班额(人/班)", 30, "幼儿园工作规程(大班 35、中班 30、小班 25)"),
    "class.limit.senior": ("高中标准班额(人/班)", 50, "普通高中办学标准"),
    "idle.share": ("利用不足判定:负荷低于容量的比例", Decimal("0.6"), "低于 60% 视为闲置较多"),
    "radius.primary_km": ("小学服务半径(公里)", Decimal("2.5"), "农村小学低年级 2.5 公里(重庆研究 2022)"),
    "radius.junior_km": ("初中服务半径(公里)", 5, "农村初中 5 公里(重庆研究 2022)"),
    "reach.kindergarten": ("幼儿园出行时间标准(分钟)", 20, "就近入园"),
    "reach.primary": ("小学出行时间标准(分钟)", 30, "1–3 年级走读,单程不超过 30 分钟"),
    "reach.junior": ("初中出行时间标准(分钟)", 45, "可寄宿,单程不超过 45 分钟"),
    "reach.senior": ("高中出行时间标准(分钟)", 90, "县城集中办学"),
    "reach.health": ("卫生院出行时间标准(分钟)", 30, "30 分钟医疗服务圈"),
    "reach.village_health": ("村卫生室出行时间标准(分钟)", 15, "15 分钟基层医疗卫生服务圈:15 分钟内到村卫生室或乡镇卫生院"),
    "reach.elderly": ("养老机构出行时间标准(分钟)", 45, "片区化养老,片区内 45 分钟"),
    "reach.village_elderly": ("村级互助养老点出行时间标准(分钟)", 15,
                              "暂定值:未见互助养老点出行时间的规定,参照“15 分钟养老服务圈”,请民政部门确认后调整"),
    "health.beds_per_1000": ("卫生院床位需求(张/千人)", Decimal("1.2"), "乡镇卫生院床位配置参考"),
    "elderly.place_rate": ("机构养老需求(占 65 岁及以上人口比例)", Decimal("0.04"), "机构养老床位需求参考 3%–5%"),
}


def value(key: str, on: dt.date | None = None) -> float:
    """The rule's value valid on `on` (today by default); the seeded default if none is stored."""
    return float(Rule.value_on(key, on or dt.date.today(), default=RULES[key][1]))


def table(on: dt.date | None = None) -> list[dict]:
    """Every rule with its current value and its history, for the rules page."""
    on = on or dt.date.today()
    rows = Rule.histories()
    out = []
    for key, (label, default, source) in RULES.items():
        history = rows.get(key, [])
        current = Rule.valid_in(history, on)
        out.append({"key": key, "label": label, "value": float(current.value) if current else float(default),
                    "source": current.note if current and current.note else source, "history": history,
                    "default": default})
    return out


@transaction.atomic
def set_value(key: str, value, valid_from: dt.date, note: str, user) -> Rule:
    if key not in RULES:
        raise ValueError("未知的规则")
    rule = Rule.record(key, Decimal(str(value)), valid_from, note, user)
    audit.log_event(rule, "facility.rule", data={"value": str(value), "valid_from": str(valid_from)})
    return rule


@dataclass(frozen=True)
class Service:
    """What a plan is about: the facility types that serve a cohort, and how capacity is counted."""

    key: str
    label: str
    family: str
    types: tuple[str, ...]
    cohort: str
    grades: tuple[int, ...] = ()
    capacity: str = "classes"  # classes | beds | none (a covering service: only travel counts)
    # types that serve the cohort too but that a plan of this service neither closes nor counts as
    # its own (卫生院 give the villages around them basic care; a 村卫生室 plan keeps them as they are)
    fixed: tuple[str, ...] = ()
    fixed_name: str = ""  # the fixed types in one word
    village_level: bool = False  # the village tier: its rule is every village within reach of one
    village_tier: str = ""  # of a township-level service: the key of its village tier

    @property
    def cohort_label(self) -> str:
        from .models import COHORTS

        return dict(COHORTS)[self.cohort]

    @property
    def all_types(self) -> tuple[str, ...]:
        return self.types + self.fixed

    @property
    def type_label(self) -> str:
        """The service's own facility types in words (村卫生室, 村级互助养老点 …)."""
        from .models import FacilityType

        return "、".join(FacilityType(t).label for t in self.types)

    @property
    def fixed_label(self) -> str:
        from .models import FacilityType

        return self.fixed_name or "、".join(FacilityType(t).label for t in self.fixed)


SERVICES = {
    "kindergarten": Service("kindergarten", "学前教育(幼儿园)", "school", ("kindergarten",), "age_3_5", (0,)),
    "primary": Service("primary", "小学(含教学点、九年一贯制)", "school", ("primary", "teaching_point", "nine_year"),
                       "age_6_11", (1, 2, 3, 4, 5, 6)),
    "junior": Service("junior", "初中(含九年一贯制)", "school", ("junior", "nine_year"), "age_12_14", (7, 8, 9)),
    "senior": Service("senior", "高中", "school", ("senior",), "age_15_17", (10, 11, 12)),
    "health": Service("health", "卫生院(县级医院、中心卫生院、乡镇卫生院)", "health",
                      ("county_hospital", "central_clinic", "township_clinic"), "total", capacity="beds",
                      village_tier="village_health"),
    "village_health": Service("village_health", "村卫生室(卫生院计入覆盖)", "health", ("village_clinic",), "total",
                              capacity="none", fixed=("central_clinic", "township_clinic"), fixed_name="卫生院", village_level=True),
    "elderly": Service("elderly", "机构养老(特困供养、区域中心、敬老院)", "elderly",
                       ("county_welfare", "regional_centre", "township_home"), "age_65_plus", capacity="beds",
                       village_tier="village_elderly"),
    "village_elderly": Service("village_elderly", "村级互助养老点", "elderly", ("village_point",), "age_65_plus",
                               capacity="none", village_level=True),
}


def service_of(key: str) -> Service:
    return SERVICES.get(key) or SERVICES["primary"]


def class_limit(service: Service, on=None) -> float:
    level = {"kindergarten": "kindergarten", "junior": "junior", "senior": "senior"}.get(service.key, "primary")
    return value(f"class.limit.{level}", on)


def reach(service: Service, on=None) -> float:
    return value(f"reach.{service.key}", on)


def demand_factor(service: Service, on=None) -> float:
    """How many places one person of the cohort needs (1 for pupils; a rate for beds)."""
    if service.key == "health":
        return value("health.beds_per_1000", on) / 1000.0
    if service.key == "elderly":
        return value("elderly.place_rate", on)
    return 1.0
