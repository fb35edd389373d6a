"""Planning zones (片区): a zoning scheme of a county and its zones, each a contiguous group of units
around a centre (中心镇 / 中心村); the designation of villages and townships over time (村庄分类, 乡镇类型); the
plan register (乡镇国土空间总体规划, 实用性村庄规划)."""
from django.conf import settings
from django.db import models

from xiangcun.divisions.scoping import ScopedQuerySet


class SchemeLevel(models.TextChoices):
    TOWNSHIP = "township", "乡镇级片区"
    VILLAGE = "village", "村级片区"


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", "草案"
    APPROVED = "approved", "已批复"


class ZoneType(models.TextChoices):
    URBAN = "urban", "城镇发展"
    AGRICULTURE = "agriculture", "农业发展"
    ECOLOGY = "ecology", "生态保护"
    TOURISM = "tourism", "文旅融合"


class ZoningScheme(models.Model):
    name = models.CharField("方案名称", max_length=100)
    level = models.CharField("片区层级", max_length=20, choices=SchemeLevel.choices)
    status = models.CharField("状态", max_length=20, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT)
    document = models.CharField("批复文号", max_length=100, blank=True)
    date = models.DateField("编制日期")
    county = models.ForeignKey("divisions.Division", verbose_name="所属县(市、区)", on_delete=models.PROTECT,
                               related_name="+")
    note = models.CharField("说明", max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    # seen by the county's users and by every user one of whose units lies in one of its zones
    scope_fields = ("county__path", "zones__members__path")

    class Meta:
        verbose_name = "片区划分方案"
        verbose_name_plural = "片区划分方案"
        ordering = ["-date", "-id"]

    def __str__(self):
        return self.name

    @property
    def unit_level(self) -> int:
        from xiangcun.divisions.models import Level

        return Level.TOWNSHIP if self.level == SchemeLevel.TOWNSHIP else Level.VILLAGE


class Zone(models.Model):
    scheme = models.ForeignKey(ZoningScheme, verbose_name="方案", on_delete=models.CASCADE, related_name="zones")
    name = models.CharField("片区名称", max_length=100)
    centre = models.ForeignKey("divisions.Division", verbose_name="中心", on_delete=models.PROTECT, related_name="+")
    type = models.CharField("片区类型", max_length=20, choices=ZoneType.choices, default=ZoneType.AGRICULTURE)
    members = models.ManyToManyField("divisions.Division", through="ZoneMember", related_name="zones",
                                     verbose_name="成员单位")

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("scheme__county__path", "members__path")

    class Meta:
        verbose_name = "片区"
        verbose_name_plural = "片区"
        ordering = ["scheme", "id"]

    def __str__(self):
        return self.name


class ZoneMember(models.Model):
    """A unit in a zone; a unit is in at most one zone of a scheme."""

    scheme = models.ForeignKey(ZoningScheme, on_delete=models.CASCADE, related_name="+")
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey("divisions.Division", verbose_name="单位", on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("scheme__county__path", "unit__path")

    class Meta:
        verbose_name = "片区成员"
        verbose_name_plural = "片区成员"
        constraints = [models.UniqueConstraint(fields=["scheme", "unit"], name="zones_one_zone_per_unit")]

    def __str__(self):
        return f"{self.zone}:{self.unit}"


class VillageType(models.TextChoices):
    """村庄分类 of a 建制村 (and, on the same field, the type of a township)."""
    CLUSTER = "cluster", "集聚提升类"
    SUBURBAN = "suburban", "城郊融合类"
    HERITAGE = "heritage", "特色保护类"
    RELOCATION = "relocation", "搬迁撤并类"
    CENTRAL_TOWN = "central_town", "中心镇"
    ORDINARY_TOWN = "ordinary_town", "一般镇"
    FEATURED_TOWN = "featured_town", "特色镇(文化旅游名镇)"


VILLAGE_TYPES = (VillageType.CLUSTER, VillageType.SUBURBAN, VillageType.HERITAGE, VillageType.RELOCATION)
TOWNSHIP_TYPES = (VillageType.CENTRAL_TOWN, VillageType.ORDINARY_TOWN, VillageType.FEATURED_TOWN)


class VillageFunction(models.TextChoices):
    """The speech's second classification of villages (villages only)."""
    SCENIC = "scenic", "景区村"
    SUBURB = "suburb", "城郊村"
    MARKET = "market", "集镇村"
    FARMING = "farming", "农业村"


class Designation(models.Model):
    """A unit's designation from valid_from (inclusive) to valid_to (exclusive; None = current). Setting a new
    one closes the previous one on the new one's start date (services.designate)."""

    unit = models.ForeignKey("divisions.Division", verbose_name="单位", on_delete=models.PROTECT,
                             related_name="designations")
    category = models.CharField("类型", max_length=20, choices=VillageType.choices)
    function = models.CharField("功能类型", max_length=20, choices=VillageFunction.choices, blank=True)
    valid_from = models.DateField("起始日期")
    valid_to = models.DateField("终止日期", null=True, blank=True)
    note = models.CharField("依据/说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("unit__path",)

    class Meta:
        verbose_name = "村镇分类"
        verbose_name_plural = "村镇分类"
        ordering = ["unit__path", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["unit", "valid_from"], name="zones_one_designation_per_day")]

    def __str__(self):
        return f"{self.unit.name}:{self.get_category_display()}"


class PlanKind(models.TextChoices):
    TOWNSHIP = "township", "乡镇国土空间总体规划"
    VILLAGE = "village", "实用性村庄规划"


class PlanStage(models.TextChoices):
    STARTED = "started", "启动"
    DRAFTING = "drafting", "编制中"
    PUBLICITY = "publicity", "公示"
    APPROVED = "approved", "已批复"


class Plan(models.Model):
    """A plan of the register, on a unit (a township, a village) or on a zone (township- or village-level)."""

    kind = models.CharField("规划类型", max_length=20, choices=PlanKind.choices)
    name = models.CharField("规划名称", max_length=150)
    unit = models.ForeignKey("divisions.Division", verbose_name="规划单位", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    zone = models.ForeignKey(Zone, verbose_name="规划片区", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="plans")
    stage = models.CharField("阶段", max_length=20, choices=PlanStage.choices, default=PlanStage.STARTED)
    target_date = models.DateField("计划批复日期", null=True, blank=True)
    document = models.CharField("批复文号", max_length=100, blank=True)
    approved_on = models.DateField("批复日期", null=True, blank=True)
    term_years = models.PositiveSmallIntegerField("规划期限(年)", null=True, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    # a unit's plan is seen where the unit is; a zone's plan wherever one of its members is
    scope_fields = ("unit__path", "zone__members__path")

    class Meta:
        verbose_name = "规划"
        verbose_name_plural = "规划"
        ordering = ["kind", "id"]

    def __str__(self):
        return self.name

    @property
    def place(self):
        return self.unit if self.unit_id else self.zone

    def is_overdue(self, today) -> bool:
        return self.stage != PlanStage.APPROVED and self.target_date is not None and self.target_date < today


# --- 耕地保护: farmland targets per township and year, violation patches (图斑) ----------------------------

AREA_MAX = 10_000_000  # 亩: more than any township (or county) holds; the column keeps two decimals


def _mu(label, **kw):
    from django.core.validators import MaxValueValidator, MinValueValidator

    return models.DecimalField(label, max_digits=10, decimal_places=2, null=True, blank=True,
                               validators=[MinValueValidator(0, "面积不能为负数"),
                                           MaxValueValidator(AREA_MAX, f"面积不能超过 {AREA_MAX:,} 亩")], **kw)


class FarmlandTarget(models.Model):
    """A township's 耕地保有量 and 永久基本农田 for a year: the task handed down (下达任务) and what it holds (实有),
    in 亩. The county's reform office records the targets; the township may record its own actuals."""

    unit = models.ForeignKey("divisions.Division", verbose_name="乡镇", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    cultivated_target = _mu("耕地保有量下达任务(亩)")
    cultivated_actual = _mu("耕地保有量实有(亩)")
    basic_target = _mu("永久基本农田下达任务(亩)")
    basic_actual = _mu("永久基本农田实有(亩)")
    merged_from = models.CharField("含已并入单位", max_length=300, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="填报人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("填报时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("unit__path",)

    class Meta:
        verbose_name = "耕地保护任务"
        verbose_name_plural = "耕地保护任务"
        ordering = ["-year", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="zones_farmland_once_a_year")]

    def __str__(self):
        return f"{self.unit.name}{self.year}年耕地保护任务"

    @staticmethod
    def gap_of(target, actual):
        return None if target is None or actual is None else actual - target

    @property
    def cultivated_gap(self):
        return self.gap_of(self.cultivated_target, self.cultivated_actual)

    @property
    def basic_gap(self):
        return self.gap_of(self.basic_target, self.basic_actual)

    @property
    def status(self) -> str | None:
        """"green" when both actuals reach their targets, "red" when either falls short, None while a figure is
        missing."""
        gaps = (self.cultivated_gap, self.basic_gap)
        if any(g is None for g in gaps):
            return None
        return "green" if all(g >= 0 for g in gaps) else "red"


class PatchKind(models.TextChoices):
    OCCUPATION = "occupation", "违法占用耕地"
    BASIC_NONFARM = "basic_nonfarm", "永久基本农田非农化"
    NON_GRAIN = "non_grain", "耕地非粮化"
    OTHER = "other", "其他"


class PatchStatus(models.TextChoices):
    PENDING = "pending", "待整改"
    RECTIFYING = "rectifying", "整改中"
    RECTIFIED = "rectified", "已整改"
    CLOSED = "closed", "已销号"


OPEN_STATUSES = (PatchStatus.PENDING, PatchStatus.RECTIFYING)


def patch_evidence_path(instance, filename):
    return f"zones/patches/{instance.pk or 'new'}/{filename}"


class Patch(models.Model):
    """A 图斑: a land-use violation patch found on a township's or village's land, with its rectification."""

    number = models.CharField("图斑编号", max_length=40, unique=True)
    unit = models.ForeignKey("divisions.Division", verbose_name="所在乡镇或村", on_delete=models.PROTECT,
                             related_name="+")
    former_unit = models.ForeignKey("divisions.Division", verbose_name="原所在单位", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("图斑类型", max_length=20, choices=PatchKind.choices)
    area = _mu("面积(亩)")
    lon = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    geometry = models.JSONField("范围(GeoJSON)", null=True, blank=True)
    found_on = models.DateField("发现日期")
    deadline = models.DateField("整改期限")
    status = models.CharField("整改状态", max_length=20, choices=PatchStatus.choices, default=PatchStatus.PENDING)
    rectification_note = models.CharField("整改情况", max_length=500, blank=True)
    rectified_on = models.DateField("整改完成日期", null=True, blank=True)
    evidence = models.FileField("整改佐证材料", upload_to=patch_evidence_path, max_length=200, blank=True)
    evidence_name = models.CharField("佐证材料文件名", max_length=120, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("unit__path",)

    class Meta:
        verbose_name = "违法用地图斑"
        verbose_name_plural = "违法用地图斑"
        ordering = ["deadline", "number"]

    def __str__(self):
        return f"图斑{self.number}"

    def is_overdue(self, today) -> bool:
        return self.status in OPEN_STATUSES and self.deadline < today
