"""Data elements (the catalogue), their values per unit and period, the collective-economy ledger,
versioned parameters and targets.

A DataElement is what is measured (code, name, unit, value type, the level it is collected at, its
period type, how it aggregates up the tree); a DataValue is one measurement for one unit and one
period. Computed indicators are elements with a `formula` over other elements' codes (formula.py);
they have no values of their own. Aggregation up the tree and through mergers is in aggregate.py.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.conf import settings
from django.db import models

from xiangcun.collective.models import EconomyClass  # the classification is the collective economy's
from xiangcun.core.models import DatedParameter, dated_parameter
from xiangcun.divisions.models import Division
from xiangcun.divisions.scoping import ScopedQuerySet

CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]{1,39}$")
PERIOD_RE = re.compile(r"^(\d{4})(?:Q([1-4])|-(0[1-9]|1[0-2]))?$")


class ValueType(models.TextChoices):
    BOOL = "bool", "是/否"
    NUMBER = "number", "数值"
    PERCENT = "percent", "百分比"
    CHOICE = "choice", "选项"
    TEXT = "text", "文字"


class CollectionLevel(models.IntegerChoices):
    COUNTY = 3, "县级"
    TOWNSHIP = 4, "乡镇"
    VILLAGE = 5, "村(社区)"


class PeriodType(models.TextChoices):
    YEAR = "year", "年"
    QUARTER = "quarter", "季度"
    MONTH = "month", "月"


class Aggregation(models.TextChoices):
    SUM = "sum", "求和"
    MEAN = "mean", "平均"
    WEIGHTED_MEAN = "weighted_mean", "加权平均"
    COUNT_YES = "count_yes", "计“是”的个数"
    SHARE_YES = "share_yes", "“是”的占比"
    NONE = "none", "不汇总"


class Category(models.TextChoices):
    PLANNING = "planning", "规划编制"
    INFRASTRUCTURE = "infrastructure", "基础设施"
    ENVIRONMENT = "environment", "人居环境"
    SAFETY = "safety", "农房安全"
    INDUSTRY = "industry", "特色产业"
    COLLECTIVE = "collective", "集体经济"
    TALENT = "talent", "人才回引"
    AGRICULTURE = "agriculture", "经营主体"
    BASIC = "basic", "基本情况"


class Source(models.TextChoices):
    ENTRY = "entry", "填报"
    COLLECTIVE = "collective", "集体经济台账"
    ASSETS = "assets", "公有资产台账"


YEARS = (1900, 2100)  # the years a period may name: 0000 or 9999 is a typo, and dates cannot hold year 0


def _period_match(period: str):
    m = PERIOD_RE.match(period or "")
    return m if m and YEARS[0] <= int(m.group(1)) <= YEARS[1] else None


def period_type_of(period: str) -> str | None:
    m = _period_match(period)
    if not m:
        return None
    return PeriodType.QUARTER if m.group(2) else PeriodType.MONTH if m.group(3) else PeriodType.YEAR


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """(first day, last day) of a period "2022", "2022Q3" or "2022-05"."""
    m = _period_match(period)
    if not m:
        raise ValueError(f"期间“{period}”格式不对,应如 2022、2022Q3 或 2022-05")
    year = int(m.group(1))
    if m.group(2):
        q = int(m.group(2))
        start = dt.date(year, 3 * q - 2, 1)
        end = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1)
    elif m.group(3):
        month = int(m.group(3))
        start = dt.date(year, month, 1)
        end = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    else:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return start, end


def period_label(period: str) -> str:
    m = PERIOD_RE.match(period or "")
    if not m:
        return period
    if m.group(2):
        return f"{m.group(1)}年第{m.group(2)}季度"
    if m.group(3):
        return f"{m.group(1)}年{int(m.group(3))}月"
    return f"{m.group(1)}年"


class DataElementQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def entered(self):
        """Elements people type in (not computed, not synced from the collective-economy ledger)."""
        return self.filter(formula="", source=Source.ENTRY)


class DataElement(models.Model):
    code = models.CharField("代码", max_length=40, unique=True, help_text="大写字母、数字和下划线,如 ROAD_HARD;公式中用它引用指标")
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=30, blank=True)
    unit = models.CharField("计量单位", max_length=20, blank=True)
    value_type = models.CharField("值类型", max_length=10, choices=ValueType.choices, default=ValueType.NUMBER)
    choices = models.JSONField("选项", default=list, blank=True, help_text="选项类指标的可选值")
    level = models.PositiveSmallIntegerField("采集层级", choices=CollectionLevel.choices, default=CollectionLevel.VILLAGE)
    period_type = models.CharField("期间类型", max_length=10, choices=PeriodType.choices, default=PeriodType.YEAR)
    aggregation = models.CharField("汇总方式", max_length=20, choices=Aggregation.choices, default=Aggregation.SUM)
    weight = models.ForeignKey("self", verbose_name="权重指标", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", help_text="加权平均时用作权重的指标(如人口)")
    category = models.CharField("类别", max_length=20, choices=Category.choices, default=Category.BASIC)
    formula = models.CharField("计算公式", max_length=300, blank=True,
                               help_text="计算指标的公式,如 100 * ROAD_HARD / N_VILLAGES;留空为填报指标")
    source = models.CharField("数据来源", max_length=20, choices=Source.choices, default=Source.ENTRY)
    not_above = models.ForeignKey("self", verbose_name="不大于", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", help_text="部分不能大于整体:同一单位、同一期间本指标不能大于所选指标"
                                                              "(如卫生厕所户数不大于户籍户数)")
    min_value = models.DecimalField("最小值", max_digits=18, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField("最大值", max_digits=18, decimal_places=4, null=True, blank=True)
    higher_is_better = models.BooleanField("越大越好", default=True)
    is_key = models.BooleanField("驾驶舱重点指标", default=False)
    description = models.CharField("说明", max_length=300, blank=True)
    order = models.PositiveIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    objects = DataElementQuerySet.as_manager()

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标"
        ordering = ["order", "code"]

    def __str__(self):
        return self.name

    @property
    def is_computed(self) -> bool:
        return bool(self.formula)

    @property
    def is_numeric(self) -> bool:
        return self.value_type in (ValueType.NUMBER, ValueType.PERCENT, ValueType.BOOL)

    @property
    def label(self) -> str:
        return f"{self.name}({self.unit})" if self.unit else self.name


class DataValue(models.Model):
    """One value of one element for one unit and period. Booleans are stored as 1/0 in `number`."""

    element = models.ForeignKey(DataElement, verbose_name="指标", on_delete=models.PROTECT, related_name="values")
    unit = models.ForeignKey(Division, verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    period = models.CharField("期间", max_length=7, db_index=True)
    number = models.DecimalField("数值", max_digits=18, decimal_places=4, null=True, blank=True)
    text = models.CharField("文字", max_length=200, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("unit__path",)

    class Meta:
        verbose_name = "指标值"
        verbose_name_plural = "指标值"
        constraints = [models.UniqueConstraint(fields=["element", "unit", "period"], name="indicator_value_unique")]
        indexes = [models.Index(fields=["element", "period"], name="indicator_value_elem_period")]

    def __str__(self):
        return f"{self.unit.name} {period_label(self.period)} {self.element.name}:{self.display}"

    @property
    def display(self) -> str:
        return display_value(self.element, self.number, self.text)


def display_value(element: DataElement, number, text="") -> str:
    if element.value_type == ValueType.BOOL:
        return "" if number is None else ("是" if number else "否")
    if element.value_type in (ValueType.CHOICE, ValueType.TEXT):
        return text
    if number is None:
        return ""
    n = Decimal(number).normalize()
    return f"{n:f}"


def number_text(value, unit: str = "", places: int = 4) -> str:
    """A number as people write it: no trailing zeros, no exponent, thousands separated, followed by its
    unit — Decimal("100.0000") is "100", 191.66666 is "191.6667", 12500.5 万元 is "12,500.5万元"."""
    if value is None:
        return "—"
    text = f"{Decimal(str(value)):,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return ("0" if text in ("-0", "") else text) + (unit or "")


class Parameter(dated_parameter("参数", max_digits=18, decimal_places=4)):
    """A rule value that changes over time (e.g. the 薄弱村 threshold): the row valid on a date wins."""

    class Meta(DatedParameter.Meta):
        verbose_name = "参数"
        verbose_name_plural = "参数"
        constraints = [models.UniqueConstraint(fields=["key", "valid_from"], name="indicator_parameter_unique")]


class OrgForm(models.TextChoices):
    SHARE_COOP = "share_coop", "股份经济合作社"
    ECON_COOP = "econ_coop", "经济合作社"
    NONE = "none", "未成立"


class IntegrationMode(models.TextChoices):
    DIRECT = "direct", "直接合并"
    SHARES = "shares", "股份合作"
    JOINT = "joint", "联合经营"
    GRADUAL = "gradual", "逐步过渡"
    NOT_MERGED = "", "未合并/不适用"




class CollectiveEconomy(models.Model):
    """A village's collective economy in one year (amounts in yuan)."""

    village = models.ForeignKey(Division, verbose_name="村(社区)", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    total_income = models.DecimalField("总收入(元)", max_digits=14, decimal_places=2, default=0)
    business_income = models.DecimalField("经营收入(元)", max_digits=14, decimal_places=2, default=0)
    contract_income = models.DecimalField("发包及上交收入(元)", max_digits=14, decimal_places=2, default=0)
    investment_income = models.DecimalField("投资收益(元)", max_digits=14, decimal_places=2, default=0)
    other_income = models.DecimalField("其他收入(元)", max_digits=14, decimal_places=2, default=0)
    assets = models.DecimalField("资产总额(元)", max_digits=14, decimal_places=2, default=0)
    liabilities = models.DecimalField("负债总额(元)", max_digits=14, decimal_places=2, default=0)
    org_form = models.CharField("组织形式", max_length=20, choices=OrgForm.choices, default=OrgForm.NONE)
    integration_mode = models.CharField("合并后整合方式", max_length=20, choices=IntegrationMode.choices, blank=True)
    classification = models.CharField("类别", max_length=10, choices=EconomyClass.choices, editable=False)
    threshold = models.DecimalField("薄弱村标准(元)", max_digits=14, decimal_places=2, editable=False, default=0)
    note = models.CharField("备注", max_length=200, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("village__path",)

    class Meta:
        verbose_name = "村集体经济"
        verbose_name_plural = "村集体经济"
        ordering = ["village__path", "-year"]
        constraints = [models.UniqueConstraint(fields=["village", "year"], name="collective_economy_unique")]

    def __str__(self):
        return f"{self.village.name} {self.year}年集体经济"

    @property
    def operating_income(self) -> Decimal:
        """经营性收入 = 经营收入 + 发包及上交收入 + 投资收益 + 其他(经营性)收入."""
        return (self.business_income or 0) + (self.contract_income or 0) + (self.investment_income or 0) + (self.other_income or 0)

    @property
    def net_assets(self) -> Decimal:
        return (self.assets or 0) - (self.liabilities or 0)


class Comparison(models.TextChoices):
    AT_LEAST = "ge", "不低于"
    AT_MOST = "le", "不高于"


class Target(models.Model):
    """A 目标考核 target: a unit shall reach `value` of an element in a period, by `due_date`."""

    unit = models.ForeignKey(Division, verbose_name="考核单位", on_delete=models.PROTECT, related_name="+")
    element = models.ForeignKey(DataElement, verbose_name="指标", on_delete=models.PROTECT, related_name="targets")
    period = models.CharField("期间", max_length=7)
    comparison = models.CharField("要求", max_length=2, choices=Comparison.choices, default=Comparison.AT_LEAST)
    value = models.DecimalField("目标值", max_digits=18, decimal_places=4)
    baseline = models.DecimalField("基期值", max_digits=18, decimal_places=4, null=True, blank=True)
    start_date = models.DateField("起始日期")
    due_date = models.DateField("完成时限")
    owner = models.CharField("责任单位/责任人", max_length=100)
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("unit__path",)

    class Meta:
        verbose_name = "考核目标"
        verbose_name_plural = "考核目标"
        ordering = ["due_date", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["unit", "element", "period"], name="indicator_target_unique")]

    def __str__(self):
        return f"{self.unit.name} {period_label(self.period)} {self.element.name} {self.requirement}"

    @property
    def requirement(self) -> str:
        """“不低于100%”: the comparison and the value with the element's unit, without trailing zeros."""
        return f"{self.get_comparison_display()}{number_text(self.value, self.element.unit)}"
