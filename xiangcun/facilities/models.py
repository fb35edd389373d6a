"""Facilities (schools, clinics, elderly care), village demand by cohort, county travel settings,
candidate sites, versioned planning rules and layout scenarios with their solved runs."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from xiangcun.core.ledger import LedgerModel, LiveManager
from xiangcun.core.models import DatedParameter, dated_parameter
from xiangcun.divisions.scoping import ScopedLedgerQuerySet, ScopedQuerySet


class Family(models.TextChoices):
    SCHOOL = "school", "教育"
    HEALTH = "health", "医疗卫生"
    ELDERLY = "elderly", "养老服务"


class FacilityType(models.TextChoices):
    KINDERGARTEN = "kindergarten", "幼儿园"
    PRIMARY = "primary", "小学"
    TEACHING_POINT = "teaching_point", "教学点"
    JUNIOR = "junior", "初中"
    NINE_YEAR = "nine_year", "九年一贯制学校"
    SENIOR = "senior", "高中"
    COUNTY_HOSPITAL = "county_hospital", "县级医院"
    CENTRAL_CLINIC = "central_clinic", "中心卫生院"
    TOWNSHIP_CLINIC = "township_clinic", "乡镇卫生院"
    VILLAGE_CLINIC = "village_clinic", "村卫生室"
    COUNTY_WELFARE = "county_welfare", "县级特困供养机构"
    REGIONAL_CENTRE = "regional_centre", "区域养老服务中心"
    TOWNSHIP_HOME = "township_home", "乡镇敬老院"
    VILLAGE_POINT = "village_point", "村级互助养老点"


FAMILY_OF = {
    **{t: Family.SCHOOL for t in ("kindergarten", "primary", "teaching_point", "junior", "nine_year", "senior")},
    **{t: Family.HEALTH for t in ("county_hospital", "central_clinic", "township_clinic", "village_clinic")},
    **{t: Family.ELDERLY for t in ("county_welfare", "regional_centre", "township_home", "village_point")},
}


class Condition(models.TextChoices):
    GOOD = "good", "良好"
    FAIR = "fair", "一般"
    POOR = "poor", "较差"
    UNSAFE = "unsafe", "危房"


class Facility(LedgerModel):
    """A school, clinic or elderly-care facility standing in a unit (usually a village or township seat)."""

    unit = models.ForeignKey("divisions.Division", verbose_name="所在单位", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("名称", max_length=100)
    type = models.CharField("类型", max_length=20, choices=FacilityType.choices, db_index=True)
    lon = models.FloatField("经度", null=True, blank=True, help_text="留空则取所在单位的位置")
    lat = models.FloatField("纬度", null=True, blank=True)
    classes = models.PositiveIntegerField("班级数", default=0, help_text="学校:现有教学班数")
    enrolment = models.PositiveIntegerField("在校生/在园幼儿", default=0)
    beds = models.PositiveIntegerField("床位/养老床位", default=0)
    occupancy = models.PositiveIntegerField("在住/日均住院人数", default=0)
    staff = models.PositiveIntegerField("教职工/医护/护理人员", default=0)
    condition = models.CharField("房屋状况", max_length=10, choices=Condition.choices, default=Condition.GOOD)
    built_year = models.PositiveIntegerField("建成年份", null=True, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LiveManager.from_queryset(ScopedLedgerQuerySet)()
    scope_fields = ("unit__path",)
    all_with_deleted = models.Manager.from_queryset(ScopedLedgerQuerySet)()

    class Meta:
        verbose_name = "公共服务设施"
        verbose_name_plural = "公共服务设施"
        ordering = ["unit__path", "type", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], condition=models.Q(is_deleted=False),
                                               name="facility_unit_name")]

    def __str__(self):
        return self.name

    @property
    def family(self) -> str:
        return FAMILY_OF[self.type]

    @property
    def point(self) -> tuple[float, float] | None:
        if self.lon is not None and self.lat is not None:
            return self.lon, self.lat
        if self.unit.lon is not None and self.unit.lat is not None:
            return self.unit.lon, self.unit.lat
        return None


class SchoolGrade(models.Model):
    """Enrolment of one grade of a school: classes and pupils (0 = 学前, 1–6 小学, 7–9 初中, 10–12 高中)."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="grades")
    grade = models.PositiveSmallIntegerField("年级")
    classes = models.PositiveIntegerField("班级数")
    pupils = models.PositiveIntegerField("学生数")

    class Meta:
        verbose_name = "分年级在校生"
        verbose_name_plural = "分年级在校生"
        ordering = ["facility", "grade"]
        constraints = [models.UniqueConstraint(fields=["facility", "grade"], name="school_grade_unique")]

    def __str__(self):
        return f"{self.facility.name} {grade_label(self.grade)}"


def grade_label(grade: int) -> str:
    if grade == 0:
        return "学前"
    if grade <= 6:
        return f"小学{grade}年级"
    if grade <= 9:
        return f"初中{grade - 6}年级"
    return f"高中{grade - 9}年级"


COHORTS = (("age_3_5", "3–5岁"), ("age_6_11", "6–11岁"), ("age_12_14", "12–14岁"), ("age_15_17", "15–17岁"),
           ("age_65_plus", "65岁及以上"), ("total", "总人口"))


class Cohort(models.Model):
    """Population of a village (or villager group) by age cohort in one year."""

    unit = models.ForeignKey("divisions.Division", verbose_name="村(社区)/村民小组", on_delete=models.PROTECT,
                             related_name="+")
    year = models.PositiveIntegerField("年度")
    age_3_5 = models.PositiveIntegerField("3–5岁", default=0)
    age_6_11 = models.PositiveIntegerField("6–11岁", default=0)
    age_12_14 = models.PositiveIntegerField("12–14岁", default=0)
    age_15_17 = models.PositiveIntegerField("15–17岁", default=0)
    age_65_plus = models.PositiveIntegerField("65岁及以上", default=0)
    total = models.PositiveIntegerField("总人口", default=0)
    source = models.CharField("来源", max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("unit__path",)

    class Meta:
        verbose_name = "分年龄段人口"
        verbose_name_plural = "分年龄段人口"
        ordering = ["unit__path", "-year"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="cohort_unit_year")]

    def __str__(self):
        return f"{self.unit.name} {self.year}年人口"


class TravelMode(models.TextChoices):
    STRAIGHT = "straight", "直线距离×绕行系数"
    ROAD = "road", "道路网络"


class TravelSetting(models.Model):
    """How travel time is measured in a county: straight line with a detour factor, or a road network."""

    county = models.OneToOneField("divisions.Division", verbose_name="县(市)", on_delete=models.PROTECT, related_name="+")
    mode = models.CharField("测算方式", max_length=10, choices=TravelMode.choices, default=TravelMode.STRAIGHT)
    detour = models.FloatField("绕行系数", default=1.4)
    speed_kmh = models.FloatField("平均车速(公里/小时)", default=30)
    access_speed_kmh = models.FloatField("到路网的步行速度(公里/小时)", default=5)
    roads = models.JSONField("道路网络(GeoJSON)", null=True, blank=True, editable=False)
    roads_name = models.CharField("道路文件", max_length=200, blank=True)
    roads_summary = models.CharField("道路网络概况", max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "出行测算设置"
        verbose_name_plural = "出行测算设置"

    def __str__(self):
        return f"{self.county.name}出行测算设置"


class CandidateSite(LedgerModel):
    """A place where a facility could be built or moved to (entered by hand or taken from idle assets)."""

    unit = models.ForeignKey("divisions.Division", verbose_name="所在单位", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("名称", max_length=100)
    lon = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    capacity = models.PositiveIntegerField("可容纳(班级/床位)", default=0)
    source = models.CharField("来源", max_length=20, default="manual",
                              choices=[("manual", "手工录入"), ("asset", "闲置公有资产")])
    asset_id = models.PositiveIntegerField("资产编号", null=True, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)

    objects = LiveManager.from_queryset(ScopedLedgerQuerySet)()
    scope_fields = ("unit__path",)
    all_with_deleted = models.Manager.from_queryset(ScopedLedgerQuerySet)()

    class Meta:
        verbose_name = "候选站点"
        verbose_name_plural = "候选站点"
        ordering = ["unit__path", "name"]

    def __str__(self):
        return self.name

    @property
    def point(self):
        if self.lon is not None and self.lat is not None:
            return self.lon, self.lat
        if self.unit.lon is not None:
            return self.unit.lon, self.unit.lat
        return None


class Rule(dated_parameter("规则", max_digits=12, decimal_places=3)):
    """A planning rule value valid from a date (class-size categories, service radii, …); the latest row
    valid on a date wins, so changing a rule keeps its history."""

    class Meta(DatedParameter.Meta):
        verbose_name = "布局规则"
        verbose_name_plural = "布局规则"
        constraints = [models.UniqueConstraint(fields=["key", "valid_from"], name="facility_rule_unique")]


class Model(models.TextChoices):
    CONSOLIDATE = "consolidate", "撤并整合(容量与出行上限)"
    ADD = "add", "新增 p 处(总出行最短)"
    COVER_ALL = "cover_all", "全覆盖(T 分钟内,设施最少)"
    COVER_MOST = "cover_most", "最大覆盖(p 处覆盖最多)"


class Scenario(models.Model):
    """A layout plan a planner sets up: which service, where, with which model and parameters."""

    name = models.CharField("方案名称", max_length=100)
    service = models.CharField("服务类别", max_length=20)
    scope = models.ForeignKey("divisions.Division", verbose_name="范围", on_delete=models.PROTECT, related_name="+")
    model = models.CharField("模型", max_length=20, choices=Model.choices, default=Model.CONSOLIDATE)
    params = models.JSONField("参数", default=dict)
    version = models.PositiveIntegerField("版本", default=1)
    year = models.PositiveIntegerField("人口年度")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name="创建人")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    adopted = models.BooleanField("已采纳", default=False)
    adopted_at = models.DateTimeField("采纳时间", null=True, blank=True)
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="采纳人")
    note = models.TextField("说明", blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("scope__path",)

    class Meta:
        verbose_name = "布局方案"
        verbose_name_plural = "布局方案"
        ordering = ["-created_at"]

    def __str__(self):
        return self.name

    @property
    def latest_run(self):
        return self.runs.order_by("-version", "-pk").first()


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    SOLVED = "solved", "已求解"
    FAILED = "failed", "失败"


class ScenarioRun(models.Model):
    """One solve of one version of a scenario: the parameters used and everything the result pages show."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="runs")
    version = models.PositiveIntegerField("版本")
    params = models.JSONField("参数", default=dict)
    status = models.CharField("状态", max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    result = models.JSONField("结果", null=True, blank=True)
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    solved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "方案求解"
        verbose_name_plural = "方案求解"
        ordering = ["scenario", "-version"]

    def __str__(self):
        return f"{self.scenario.name} 第{self.version}版"
