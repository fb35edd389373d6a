"""The registry of administrative divisions over time, and the NBS editions it is built from.

A Division is a unit's identity; its name, code, kind and parent at any date live in
DivisionVersion rows (valid_from inclusive, valid_to exclusive, None = open). The Division row
also carries the attributes of its latest version, so current lists need no join.

`path` is a materialised path of ids ("/1/7/42/"), per version, so "everything under X as of D"
is one indexed range scan (see `scoping.subtree_q`).
"""
from django.conf import settings
from django.db import models
from django.db.models import Q

from .levels import Level
from .scoping import ScopedQuerySet, subtree_q


class Kind(models.TextChoices):
    PROVINCE = "province", "省/自治区/直辖市"
    CITY = "city", "地级市/州/盟"
    COUNTY = "county", "县/县级市/区/旗"
    TOWN = "town", "镇"
    TOWNSHIP = "township", "乡"
    ETHNIC_TOWNSHIP = "ethnic_township", "民族乡"
    SUBDISTRICT = "subdistrict", "街道"
    TOWNSHIP_OTHER = "township_other", "其他乡级单位"
    VILLAGE = "village", "建制村"
    COMMUNITY = "community", "社区"
    VILLAGE_OTHER = "village_other", "其他村级单位"
    VILLAGER_GROUP = "villager_group", "村民小组"


KIND_LEVEL = {
    Kind.PROVINCE: Level.PROVINCE,
    Kind.CITY: Level.CITY,
    Kind.COUNTY: Level.COUNTY,
    Kind.TOWN: Level.TOWNSHIP,
    Kind.TOWNSHIP: Level.TOWNSHIP,
    Kind.ETHNIC_TOWNSHIP: Level.TOWNSHIP,
    Kind.SUBDISTRICT: Level.TOWNSHIP,
    Kind.TOWNSHIP_OTHER: Level.TOWNSHIP,
    Kind.VILLAGE: Level.VILLAGE,
    Kind.COMMUNITY: Level.VILLAGE,
    Kind.VILLAGE_OTHER: Level.VILLAGE,
    Kind.VILLAGER_GROUP: Level.GROUP,
}


# The registry's former name of `scoping.subtree_q`, for code written against it; use subtree_q.
path_range = subtree_q


def valid_on(date, prefix: str = "") -> Q:
    """Rows whose validity interval [valid_from, valid_to) contains `date`."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": date})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": date})
    )


class DivisionQuerySet(ScopedQuerySet):
    def current(self):
        return self.filter(valid_to__isnull=True)

    def subtree(self, division, include_self=True):
        qs = self.filter(subtree_q(division))
        return qs if include_self else qs.exclude(pk=division.pk)


class Division(models.Model):
    code = models.CharField("区划代码", max_length=12, blank=True, db_index=True)
    name = models.CharField("名称", max_length=100, db_index=True)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices, db_index=True)
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=120, db_index=True, editable=False)
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_to = models.DateField("撤销日期", null=True, blank=True, db_index=True)
    households = models.PositiveIntegerField("户数", null=True, blank=True)
    population = models.PositiveIntegerField("人口", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    # Where the unit is: a GeoJSON geometry (polygon) and a representative point (lon/lat, WGS 84).
    geometry = models.JSONField("边界", null=True, blank=True)
    lon = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    # True when the registry holds this unit's whole subtree (an adopted scope), not just the unit
    # as an ancestor of one; statistics trust the registry only inside such a subtree.
    subtree_complete = models.BooleanField(default=False)

    objects = DivisionQuerySet.as_manager()
    scope_fields = ("path",)

    class Meta:
        verbose_name = "行政区划单位"
        verbose_name_plural = "行政区划单位"
        ordering = ["path"]
        indexes = [models.Index(fields=["level", "valid_to"], name="division_level_valid")]

    def __str__(self):
        return self.name

    @property
    def depth_ids(self) -> list[int]:
        return [int(x) for x in self.path.strip("/").split("/") if x]

    def in_complete_subtree(self) -> bool:
        return Division.objects.filter(pk__in=self.depth_ids, subtree_complete=True).exists()

    def ancestors(self):
        """Current ancestors, top first (one query)."""
        ids = self.depth_ids[:-1]
        by_id = Division.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]


class DivisionVersion(models.Model):
    """One stretch of a unit's life with the same name, code, kind and parent."""

    division = models.ForeignKey(Division, on_delete=models.CASCADE, related_name="versions")
    code = models.CharField("区划代码", max_length=12, blank=True, db_index=True)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices)
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(Division, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=120, db_index=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    event = models.ForeignKey("ChangeEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("division__path",)  # a unit's history is seen with the unit

    class Meta:
        ordering = ["division_id", "valid_from"]
        indexes = [models.Index(fields=["valid_from", "valid_to"], name="version_validity")]


class EventType(models.TextChoices):
    ESTABLISH = "establish", "设立"
    ABOLISH = "abolish", "撤销"
    MERGE = "merge", "合并"
    SPLIT = "split", "拆分"
    RENAME = "rename", "更名"
    TRANSFER = "transfer", "隶属变更"
    RECODE = "recode", "代码变更"
    TOWNSHIP_TO_TOWN = "township_to_town", "撤乡设镇"
    TO_SUBDISTRICT = "to_subdistrict", "撤镇(乡)设街道"


class EventSource(models.TextChoices):
    MANUAL = "manual", "手工录入"
    IMPORT = "import", "导入"
    RECONCILIATION = "reconciliation", "版本比对"
    BASELINE = "baseline", "建立基线"


class ChangeEvent(models.Model):
    """A 区划变更: predecessors → successors on an effective date, with its approval document."""

    type = models.CharField("变更类型", max_length=20, choices=EventType.choices)
    effective_date = models.DateField("生效日期", db_index=True)
    document = models.CharField("批复文号", max_length=100, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    source = models.CharField("来源", max_length=20, choices=EventSource.choices, default=EventSource.MANUAL)
    predecessors = models.ManyToManyField(Division, related_name="events_as_predecessor", blank=True)
    successors = models.ManyToManyField(Division, related_name="events_as_successor", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("predecessors__path", "successors__path")  # an event is seen with any unit it involves

    class Meta:
        verbose_name = "区划变更"
        verbose_name_plural = "区划变更"
        ordering = ["-effective_date", "-id"]

    def __str__(self):
        return f"{self.effective_date} {self.get_type_display()}"

    # what a list of events prefetches for `sides` (a query per list, not one per unit of every event)
    SIDES = ("predecessors", "successors", "predecessors__versions", "successors__versions")

    def sides(self):
        """(before, after): lists of (division, name) with each unit's name just before and on the date,
        so a rename reads 英古村 → 牛里村 rather than the current name twice."""
        import datetime as dt

        day_before = self.effective_date - dt.timedelta(days=1)

        def named(units, when):
            out = []
            for d in units:
                known = getattr(d, "_prefetched_objects_cache", {}).get("versions")
                if known is not None:  # prefetched (SIDES): the same row, read without a query
                    v = next((x for x in known if (x.valid_from is None or x.valid_from <= when)
                              and (x.valid_to is None or x.valid_to > when)), None)
                else:
                    v = d.versions.filter(valid_on(when)).only("name").first()
                out.append((d, v.name if v else d.name))
            return out

        return named(self.predecessors.all(), day_before), named(self.successors.all(), self.effective_date)


class Edition(models.Model):
    """An official NBS edition of the statistical division codes, as a dated snapshot."""

    year = models.PositiveSmallIntegerField("版次", unique=True)
    ref_date = models.DateField("截止日期")
    source = models.CharField("来源文件", max_length=300, blank=True)
    imported_at = models.DateTimeField("导入时间", auto_now=True)
    row_count = models.PositiveIntegerField("条数", default=0)
    scopes = models.JSONField("导入范围", default=list)  # code prefixes imported; [""] = whole country

    class Meta:
        verbose_name = "统计用区划代码版次"
        ordering = ["ref_date"]

    def __str__(self):
        return f"{self.year} 年版 (截至 {self.ref_date})"


class EditionEntry(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="entries")
    code = models.CharField(max_length=12)
    name = models.CharField(max_length=100)
    level = models.PositiveSmallIntegerField()
    parent_code = models.CharField(max_length=12, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["edition", "code"], name="edition_entry_unique_code")]


class ReconciliationRun(models.Model):
    """A comparison of two editions within a scope; its proposals wait for a person to confirm."""

    from_edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+", verbose_name="起始版次")
    to_edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+", verbose_name="目标版次")
    scope = models.CharField("范围(代码前缀)", max_length=12, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    counts = models.JSONField("各类数量", default=dict)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"{self.from_edition.year}→{self.to_edition.year} {self.scope or '全国'}"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已确认"
    REJECTED = "rejected", "已驳回"


class Proposal(models.Model):
    """A change event proposed by reconciliation: predecessors (from edition) → successors (to edition).

    Each side is a list of {"code", "name", "parent_code", "level"} taken from the editions.
    """

    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="proposals")
    type = models.CharField("变更类型", max_length=20, choices=EventType.choices, db_index=True)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices)
    confidence = models.FloatField("置信度")
    evidence = models.TextField("依据")
    predecessors = models.JSONField(default=list)
    successors = models.JSONField(default=list)
    status = models.CharField(max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.PENDING)
    effective_date = models.DateField("生效日期")
    document = models.CharField("批复文号", max_length=100, blank=True)
    event = models.ForeignKey(ChangeEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    order = models.PositiveIntegerField(default=0)  # the order in which confirming is safe

    class Meta:
        ordering = ["order", "id"]

    def side_text(self, side):
        return "、".join(f"{x['name']}({x['code']})" for x in getattr(self, side))
