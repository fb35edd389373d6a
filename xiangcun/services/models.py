"""Convenience services after the mergers (便民服务): service items and their lists, the service
network, and village proxy-service cases (民事代办).

A Case is taken at a village window by a proxy agent and moves through the workflow in
`services.py` (one state machine; views, API, demo and benchmark all call it). The case keeps its
village's path (`unit_path`) so queues and measures over a province's million cases are index range
scans; the resident's personal data are encrypted at rest (core.crypto) and shown masked.
"""
from django.conf import settings
from django.db import models

from xiangcun.core.crypto import EncryptedCharField, mask_id_number, mask_name, mask_phone
from xiangcun.divisions.scoping import PUBLISHED, ScopedQuerySet


class ItemLevel(models.TextChoices):
    COUNTY = "county", "县级部门"
    TOWNSHIP = "township", "乡镇(街道)便民服务中心"
    VILLAGE = "village", "村(社区)便民服务室"


class Trips(models.TextChoices):
    ZERO = "zero", "一次都不跑"
    ONE = "one", "最多跑一次"
    MORE = "more", "需多次到场"


class ServiceItem(models.Model):
    """One service item (事项) as published in a county's catalogue."""

    code = models.CharField("事项编码", max_length=40, unique=True)
    name = models.CharField("事项名称", max_length=120)
    category = models.CharField("事项类别", max_length=40, help_text="如 社会保障、民政、户籍、农业农村")
    level = models.CharField("办理层级", max_length=20, choices=ItemLevel.choices)
    department = models.CharField("责任部门", max_length=50)
    legal_basis = models.TextField("设定依据", blank=True)
    materials = models.TextField("申请材料", blank=True, help_text="每行一项")
    time_limit = models.PositiveSmallIntegerField("承诺办结时限(工作日)")
    fee = models.CharField("收费标准", max_length=100, default="不收费")
    proxy_allowed = models.BooleanField("可代办", default=True)
    trips = models.CharField("跑动次数", max_length=10, choices=Trips.choices, default=Trips.ONE)
    online_channel = models.CharField("网上办理渠道", max_length=200, blank=True)
    is_active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = "便民服务事项"
        verbose_name_plural = "便民服务事项"
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def material_list(self) -> list[str]:
        return [line.strip() for line in self.materials.splitlines() if line.strip()]


class UnitType(models.TextChoices):
    TOWNSHIP = "township", "一般乡镇"
    KEY_TOWN = "key_town", "中心镇(重点镇)"
    SUBDISTRICT = "subdistrict", "街道"
    VILLAGE = "village", "村(社区)"


class ItemList(models.Model):
    """A published item list (事项清单) for a type of unit, or for one unit, in one version."""

    name = models.CharField("清单名称", max_length=100)
    unit_type = models.CharField("适用单位类型", max_length=20, choices=UnitType.choices)
    unit = models.ForeignKey("divisions.Division", verbose_name="适用单位", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+", help_text="空表示该类单位通用")
    version = models.PositiveSmallIntegerField("版本", default=1)
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("废止日期", null=True, blank=True)
    document = models.CharField("发布文号", max_length=100, blank=True)
    items = models.ManyToManyField(ServiceItem, verbose_name="事项", related_name="lists", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = PUBLISHED  # lists are published: everyone reads them (a list for one unit is no secret)

    class Meta:
        verbose_name = "事项清单"
        verbose_name_plural = "事项清单"
        ordering = ["unit_type", "name", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="itemlist_name_version")]

    def __str__(self):
        return f"{self.name}(第{self.version}版)"


class Holiday(models.Model):
    """Days added to the national holiday calendar (services/calendar.py): national 休 and 调休上班 days
    of a year the calendar package does not cover yet (no county), or local holidays of one county."""

    date = models.DateField("日期")
    name = models.CharField("名称", max_length=40)
    is_workday = models.BooleanField("调休上班", default=False)
    county = models.ForeignKey("divisions.Division", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name="适用县(市、区)", help_text="空:全国")

    objects = ScopedQuerySet.as_manager()
    scope_fields = PUBLISHED  # the calendar every case's working days are counted by

    class Meta:
        verbose_name = "节假日"
        verbose_name_plural = "节假日"
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["date", "county"], name="holiday_once_per_county"),
            models.UniqueConstraint(fields=["date"], condition=models.Q(county__isnull=True), name="holiday_once_nationally"),
        ]

    def __str__(self):
        return f"{self.date} {self.name}" + (f"({self.county.name})" if self.county_id else "")


# --- the service network ------------------------------------------------------------------------

class PointKind(models.TextChoices):
    CENTRE = "centre", "便民服务中心"
    STATION = "station", "便民服务站"
    ROOM = "room", "便民服务室"
    POINT = "point", "便民服务点"


class ServicePoint(models.Model):
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=PointKind.choices)
    unit = models.ForeignKey("divisions.Division", verbose_name="所在单位", on_delete=models.PROTECT,
                             related_name="service_points")
    address = models.CharField("地址", max_length=200, blank=True)
    lon = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    opening_hours = models.CharField("开放时间", max_length=100, default="工作日 9:00-12:00 14:00-17:30")
    staff = models.CharField("工作人员", max_length=200, blank=True)
    staff_count = models.PositiveSmallIntegerField("人员数", default=1)
    villages = models.ManyToManyField("divisions.Division", verbose_name="服务村(社区)", blank=True,
                                      related_name="served_by")
    is_active = models.BooleanField("在用", default=True)
    note = models.CharField("备注", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("unit__path",)

    class Meta:
        verbose_name = "便民服务网点"
        verbose_name_plural = "便民服务网点"
        ordering = ["unit__path", "name"]

    def __str__(self):
        return self.name


# --- proxy-service cases ----------------------------------------------------------------------------

class Status(models.TextChoices):
    RECEIVED = "received", "已受理"
    FORWARDED = "forwarded", "已转办"
    PROCESSING = "processing", "办理中"
    COMPLETED = "completed", "已办结"
    DELIVERED = "delivered", "已送达"
    ARCHIVED = "archived", "已归档"
    RETURNED = "returned", "退回补正"
    REJECTED = "rejected", "不予受理"


OPEN = (Status.RECEIVED, Status.FORWARDED, Status.PROCESSING, Status.RETURNED)
DONE = (Status.COMPLETED, Status.DELIVERED, Status.ARCHIVED)
RUNNING = (Status.RECEIVED, Status.FORWARDED, Status.PROCESSING)  # open and on the clock (can be overdue)


class Delivery(models.TextChoices):
    WINDOW = "window", "到村便民服务室领取"
    HOME = "home", "代办员送达上门"
    POST = "post", "邮寄"
    ONLINE = "online", "电子送达"


class Case(models.Model):
    number = models.CharField("受理编号", max_length=30, unique=True)
    village = models.ForeignKey("divisions.Division", verbose_name="受理村(社区)", on_delete=models.PROTECT,
                                related_name="+")
    unit_path = models.CharField(max_length=120, editable=False)  # the village's path: the scoping key
    item = models.ForeignKey(ServiceItem, verbose_name="事项", on_delete=models.PROTECT, related_name="cases")
    resident_name = EncryptedCharField("申请人姓名")
    resident_id_number = EncryptedCharField("身份证号")
    resident_phone = EncryptedCharField("联系电话", blank=True, default="")
    materials_received = models.JSONField("已收材料", default=list, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.RECEIVED)
    handler_level = models.CharField("办理层级", max_length=20, choices=ItemLevel.choices, blank=True)
    handler_unit = models.ForeignKey("divisions.Division", verbose_name="承办乡镇", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    handler_department = models.CharField("承办部门", max_length=50, blank=True)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="代办员", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    intake_at = models.DateTimeField("受理时间")
    intake_date = models.DateField("受理日期", db_index=True)
    due_date = models.DateField("办结期限")
    forwarded_at = models.DateTimeField("转办时间", null=True, blank=True)
    started_at = models.DateTimeField("开始办理时间", null=True, blank=True)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    result = models.CharField("办理结果", max_length=300, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    delivery_method = models.CharField("送达方式", max_length=20, choices=Delivery.choices, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    closed_at = models.DateTimeField("终结时间", null=True, blank=True)  # completed or rejected
    missing_materials = models.CharField("需补正材料", max_length=300, blank=True)
    reason = models.CharField("原因说明", max_length=300, blank=True)
    returned_count = models.PositiveSmallIntegerField("退回补正次数", default=0)
    trips = models.PositiveSmallIntegerField("群众跑动次数", default=1)
    working_days = models.PositiveSmallIntegerField("实际用时(工作日)", null=True, blank=True)
    on_time = models.BooleanField("按时办结", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # optimistic lock: each transition adds one

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("unit_path",)  # the village where the case was taken

    class Meta:
        verbose_name = "代办件"
        verbose_name_plural = "代办件"
        ordering = ["-intake_at"]
        indexes = [
            models.Index(fields=["unit_path", "status"], name="case_path_status"),
            models.Index(fields=["unit_path", "intake_date"], name="case_path_intake"),
            models.Index(fields=["handler_unit", "status"], name="case_handler_status"),
            models.Index(fields=["handler_department", "status"], name="case_dept_status"),
            models.Index(fields=["status", "due_date"], name="case_status_due"),
            # queues are ordered by deadline: an index in that order (and one of open cases only) lets a
            # province's first page stop after 50 rows instead of sorting every case in scope
            models.Index(fields=["due_date", "-intake_at", "id"], name="case_queue_order"),
            models.Index(fields=["due_date", "-intake_at", "id"], name="case_open_order",
                         condition=models.Q(status__in=OPEN)),
            # overdue counts on the measures page: an index-only scan over the cases still running
            models.Index(fields=["unit_path", "due_date", "intake_date", "village", "item"], name="case_running",
                         condition=models.Q(status__in=RUNNING)),
        ]

    def __str__(self):
        return f"{self.number} {self.item.name}"

    @property
    def name_masked(self) -> str:
        return mask_name(self.resident_name)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.resident_id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.resident_phone)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def one_trip_kept(self) -> bool:
        return self.trips <= 1


class CaseStep(models.Model):
    """One transition of a case, as the case page shows it (the audit trail holds the same as events)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField("操作", max_length=20)
    from_status = models.CharField("原状态", max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=20, choices=Status.choices)
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT,
                              related_name="+")
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "办理环节"
        verbose_name_plural = "办理环节"
        ordering = ["at", "id"]


# --- monthly rollups (kept by casework.take_case / casework.transition, see rollup.py) ----------------

class MonthCounters(models.Model):
    """The counters of the measures page for the cases taken in one month (first day in `month`)."""

    month = models.DateField("受理月份")
    taken = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    days_sum = models.IntegerField(default=0)  # working days of completed cases, summed
    days_n = models.IntegerField(default=0)  # completed cases with working days
    delivered = models.IntegerField(default=0)
    one_trip = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    open = models.IntegerField(default=0)

    class Meta:
        abstract = True


class VillageMonth(MonthCounters):
    """The cases one village took in one month."""

    village = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=120)  # the village's path, as on its cases

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("unit_path",)

    class Meta:
        verbose_name = "代办件村月度汇总"
        verbose_name_plural = "代办件村月度汇总"
        constraints = [models.UniqueConstraint(fields=["month", "village"], name="villagemonth_month_village")]
        indexes = [models.Index(fields=["unit_path", "month"], name="villagemonth_path_month")]


class ItemMonth(MonthCounters):
    """The cases of one item taken in one month in one county-level area (`area_path`: the county's path)."""

    area_path = models.CharField(max_length=120)
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("area_path",)  # a county's rollup: seen by users whose scope holds the whole county

    class Meta:
        verbose_name = "代办件事项月度汇总"
        verbose_name_plural = "代办件事项月度汇总"
        constraints = [models.UniqueConstraint(fields=["month", "area_path", "item"], name="itemmonth_month_area_item")]
        indexes = [models.Index(fields=["area_path", "month"], name="itemmonth_path_month")]
