"""Township governance (issue #17): the responsibility lists of a township — 乡镇(街道)权责清单 and
属地管理事项责任清单 — kept as versions (a county template a township adopts and adjusts, drafts, published
versions with their 发布文号 and dates), and the 事项准入 requests through which county departments push new work
down to the townships' 属地事项 lists.

Every list hangs on a division (the county for a template, a township for its own list); items carry the township
office (a `bodies.Body`) that does the work. A list item whose body closed in a merger is shown passing to
`body.final_successor()`.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from xiangcun.core.crypto import EncryptedCharField
from xiangcun.divisions.scoping import ScopedQuerySet, scope_paths


class ListKind(models.TextChoices):
    DUTIES = "duties", "乡镇(街道)权责清单"
    LOCAL = "local", "属地管理事项责任清单"


class ListStatus(models.TextChoices):
    DRAFT = "draft", "草案"
    PUBLISHED = "published", "已发布"


class Category(models.TextChoices):
    LICENSING = "licensing", "行政许可"
    PENALTY = "penalty", "行政处罚"
    COERCION = "coercion", "行政强制"
    LEVY = "levy", "行政征收"
    BENEFIT = "benefit", "行政给付"
    INSPECTION = "inspection", "行政检查"
    CONFIRMATION = "confirmation", "行政确认"
    REWARD = "reward", "行政奖励"
    RULING = "ruling", "行政裁决"
    OTHER_POWER = "other_power", "其他行政权力"
    PUBLIC_SERVICE = "public_service", "公共服务"


class AdmissionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已准入"
    REFUSED = "refused", "不予准入"


def _above(user) -> list[int]:
    """Ids of the units above the user's jurisdiction (a township sees its county's templates)."""
    if scope_paths(user) is None or not getattr(user, "jurisdiction_id", None):
        return []
    return [int(x) for x in user.jurisdiction.path.strip("/").split("/")[:-1] if x]


class ListQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """The lists of the user's jurisdiction and of the units above it: a township reads the county's templates
        (what it adopts), a village its township's lists — never another township's."""
        qs = super().visible_to(user)
        above = _above(user)
        return (qs | self.filter(unit_id__in=above)) if above else qs

    def in_force(self, on: dt.date):
        return self.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on), status=ListStatus.PUBLISHED,
                           effective_from__lte=on)


class ResponsibilityList(models.Model):
    kind = models.CharField("清单类别", max_length=10, choices=ListKind.choices)
    unit = models.ForeignKey("divisions.Division", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    is_template = models.BooleanField("县级模板", default=False, help_text="县级模板供乡镇采用后调整")
    version = models.PositiveIntegerField("版本号")
    title = models.CharField("清单名称", max_length=100)
    status = models.CharField("状态", max_length=10, choices=ListStatus.choices, default=ListStatus.DRAFT)
    doc_number = models.CharField("发布文号", max_length=100, blank=True)
    effective_from = models.DateField("施行日期", null=True, blank=True)
    effective_to = models.DateField("废止日期", null=True, blank=True, help_text="被新版本替代的前一天")
    based_on = models.ForeignKey("self", verbose_name="来源", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="derived", help_text="采用的县级模板或上一版本")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    note = models.CharField("备注", max_length=200, blank=True)

    objects = ListQuerySet.as_manager()
    scope_fields = ("unit__path",)

    class Meta:
        verbose_name = "责任清单"
        verbose_name_plural = "责任清单"
        ordering = ["unit__path", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "version"], name="govlist_version_unique"),
            models.UniqueConstraint(fields=["unit", "kind"], condition=Q(status="draft"), name="govlist_one_draft"),
        ]

    def __str__(self):
        return f"{self.title}(第{self.version}版)"

    @property
    def is_draft(self) -> bool:
        return self.status == ListStatus.DRAFT

    def state_label(self) -> str:
        if self.is_draft:
            return "草案"
        if self.effective_to:
            return "已废止"
        return "已发布" if self.effective_from and self.effective_from > dt.date.today() else "现行"

    def items(self):
        rel = self.duty_items if self.kind == ListKind.DUTIES else self.local_items
        return rel.all()


class ItemQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        qs = super().visible_to(user)
        above = _above(user)
        return (qs | self.filter(list__unit_id__in=above)) if above else qs


class DutyItem(models.Model):
    """An item of a 权责清单: a power or public service the township carries, and the office that does it."""

    list = models.ForeignKey(ResponsibilityList, verbose_name="清单", on_delete=models.CASCADE, related_name="duty_items")
    name = models.CharField("事项名称", max_length=200)
    category = models.CharField("事项类别", max_length=20, choices=Category.choices)
    legal_basis = models.TextField("设定依据", blank=True)
    body = models.ForeignKey("bodies.Body", verbose_name="承办机构", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    office_name = models.CharField("承办机构简称", max_length=30, blank=True,
                                   help_text="县级模板写内设机构简称(如“综合行政执法办公室”),乡镇采用时对应到本乡镇的机构")
    duties = models.TextField("责任事项", blank=True)
    accountability = models.TextField("追责情形", blank=True)

    objects = ItemQuerySet.as_manager()
    scope_fields = ("list__unit__path",)

    class Meta:
        verbose_name = "权责清单事项"
        verbose_name_plural = "权责清单事项"
        ordering = ["list", "category", "name"]
        constraints = [models.UniqueConstraint(fields=["list", "name"], name="dutyitem_name_unique")]

    def __str__(self):
        return self.name

    def office_label(self) -> str:
        return self.body.name if self.body_id else (self.office_name or "")


class LocalItem(models.Model):
    """An item of a 属地事项 list: the county department keeps 主体责任, the township 配合责任. Every item came
    through an approved 事项准入 request (`admission`); `services.add_local_item` is the one way in."""

    list = models.ForeignKey(ResponsibilityList, verbose_name="清单", on_delete=models.CASCADE, related_name="local_items")
    name = models.CharField("事项名称", max_length=200)
    department = models.ForeignKey("bodies.Body", verbose_name="主体责任部门", on_delete=models.PROTECT, related_name="+")
    cooperation = models.CharField("乡镇配合责任", max_length=300, help_text="如:发现报告、协助配合、信息收集、宣传引导")
    legal_basis = models.TextField("设定依据", blank=True)
    admission = models.ForeignKey("Admission", verbose_name="准入审批", on_delete=models.PROTECT, related_name="items")

    objects = ItemQuerySet.as_manager()
    scope_fields = ("list__unit__path",)

    class Meta:
        verbose_name = "属地管理事项"
        verbose_name_plural = "属地管理事项"
        ordering = ["list", "department__name", "name"]
        constraints = [models.UniqueConstraint(fields=["list", "name"], name="localitem_name_unique")]

    def __str__(self):
        return self.name


class Admission(models.Model):
    """事项准入: a county department asks to push work down to the townships; the reform office decides."""

    unit = models.ForeignKey("divisions.Division", verbose_name="县(市)", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("bodies.Body", verbose_name="申请部门(主体责任)", on_delete=models.PROTECT,
                                   related_name="+")
    name = models.CharField("事项名称", max_length=200)
    cooperation = models.CharField("乡镇配合责任", max_length=300)
    legal_basis = models.TextField("设定依据", blank=True)
    reason = models.TextField("申请理由")
    townships = models.ManyToManyField("divisions.Division", verbose_name="适用乡镇", blank=True, related_name="+",
                                       help_text="不选即全县所有乡镇")
    status = models.CharField("状态", max_length=10, choices=AdmissionStatus.choices, default=AdmissionStatus.PENDING)
    decision_note = models.TextField("审批意见", blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, on_delete=models.SET_NULL,
                                 related_name="+")
    filed_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("unit__path",)

    class Meta:
        verbose_name = "事项准入申请"
        verbose_name_plural = "事项准入申请"
        ordering = ["-filed_at", "-pk"]

    def __str__(self):
        return self.name



# --- 扩权赋能 and the enforcement catalogue -----------------------------------------------------------------

class CountyQuerySet(ScopedQuerySet):
    """County-level records (delegations, the enforcement catalogue): visible in the county and to the townships under it."""

    def visible_to(self, user):
        qs = super().visible_to(user)
        above = _above(user)
        return (qs | self.filter(unit_id__in=above)) if above else qs


class DelegationMode(models.TextChoices):
    ENTRUSTED = "entrusted", "委托"
    DEVOLVED = "devolved", "下放"


class Delegation(models.Model):
    """A power a county department delegates to townships (扩权赋能), often to the 中心镇 only."""

    unit = models.ForeignKey("divisions.Division", verbose_name="县(市)", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("赋权事项", max_length=200)
    legal_basis = models.TextField("法律依据", blank=True)
    department = models.ForeignKey("bodies.Body", verbose_name="赋权部门", on_delete=models.PROTECT, related_name="+")
    mode = models.CharField("方式", max_length=10, choices=DelegationMode.choices)
    townships = models.ManyToManyField("divisions.Division", verbose_name="承接乡镇", related_name="+")
    valid_from = models.DateField("起始日期")
    valid_to = models.DateField("终止日期", null=True, blank=True)
    doc_number = models.CharField("赋权文号", max_length=100, blank=True)

    objects = CountyQuerySet.as_manager()
    scope_fields = ("unit__path",)

    class Meta:
        verbose_name = "赋权事项"
        verbose_name_plural = "赋权事项"
        ordering = ["department__name", "name"]

    def __str__(self):
        return self.name


class FollowUpKind(models.TextChoices):
    TRAINING = "training", "业务培训"
    CASES = "cases", "办件情况"
    REVIEW = "review", "运行评估"


class Rating(models.TextChoices):
    GOOD = "good", "接得住、管得好"
    FAIR = "fair", "基本承接"
    POOR = "poor", "承接困难"


class FollowUp(models.Model):
    """What happened after a delegation in one township: training done, cases handled, a "接得住、管得好" review."""

    delegation = models.ForeignKey(Delegation, verbose_name="赋权事项", on_delete=models.CASCADE, related_name="follow_ups")
    township = models.ForeignKey("divisions.Division", verbose_name="乡镇", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类别", max_length=10, choices=FollowUpKind.choices)
    date = models.DateField("日期")
    cases = models.PositiveIntegerField("办件数(件)", null=True, blank=True)
    rating = models.CharField("评估结论", max_length=10, choices=Rating.choices, blank=True)
    note = models.CharField("情况说明", max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("township__path",)

    class Meta:
        verbose_name = "赋权跟踪记录"
        verbose_name_plural = "赋权跟踪记录"
        ordering = ["-date", "-pk"]


class EnforcementItem(models.Model):
    """An item of the county's 赋予乡镇执法事项指导目录, and the townships that took it."""

    unit = models.ForeignKey("divisions.Division", verbose_name="县(市)", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("执法事项", max_length=200)
    category = models.CharField("类别", max_length=20, choices=Category.choices, default=Category.PENALTY)
    legal_basis = models.TextField("法律依据", blank=True)
    department = models.ForeignKey("bodies.Body", verbose_name="原实施部门", on_delete=models.PROTECT, related_name="+")
    townships = models.ManyToManyField("divisions.Division", verbose_name="承接乡镇", blank=True, related_name="+")

    objects = CountyQuerySet.as_manager()
    scope_fields = ("unit__path",)

    class Meta:
        verbose_name = "乡镇执法事项"
        verbose_name_plural = "乡镇执法事项"
        ordering = ["department__name", "name"]

    def __str__(self):
        return self.name


class EnforcementOfficer(models.Model):
    """A member of a township's enforcement team, with the 执法证 number and its expiry."""

    unit = models.ForeignKey("divisions.Division", verbose_name="乡镇", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=30)
    certificate = models.CharField("执法证号", max_length=40)
    expires = models.DateField("执法证有效期至")

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("unit__path",)

    class Meta:
        verbose_name = "执法人员"
        verbose_name_plural = "执法人员"
        ordering = ["unit__path", "name"]
        constraints = [models.UniqueConstraint(fields=["certificate"], name="officer_certificate_unique")]

    def __str__(self):
        return self.name


# --- 机构编制 and 定岗定责定人 -------------------------------------------------------------------------------

class StaffKind(models.TextChoices):
    ADMINISTRATIVE = "administrative", "行政编制"
    INSTITUTIONAL = "institutional", "事业编制"
    SERVICE = "service", "工勤编制"


class Secondment(models.TextChoices):
    NONE = "", "在岗"
    BORROWED = "borrowed", "借调"
    SENT_DOWN = "sent_down", "下沉"


class Establishment(models.Model):
    """The authorised establishment (编制) of a township body, by kind, and its leadership posts (领导职数)."""

    body = models.OneToOneField("bodies.Body", verbose_name="机构", on_delete=models.PROTECT, related_name="establishment")
    administrative = models.PositiveIntegerField("行政编制(名)", default=0)
    institutional = models.PositiveIntegerField("事业编制(名)", default=0)
    service = models.PositiveIntegerField("工勤编制(名)", default=0)
    leaders = models.PositiveIntegerField("领导职数(名)", default=0)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("body__unit__path",)

    class Meta:
        verbose_name = "机构编制"
        verbose_name_plural = "机构编制"

    def __str__(self):
        return f"{self.body.name}编制"

    def authorised(self, kind: str) -> int:
        return getattr(self, kind)


class Post(models.Model):
    """A post (岗位) of a township body: its duties and the list items it carries (定岗定责)."""

    body = models.ForeignKey("bodies.Body", verbose_name="机构", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("岗位名称", max_length=100)
    duties = models.TextField("岗位职责", blank=True)
    items = models.ManyToManyField(DutyItem, verbose_name="承担的清单事项", blank=True, related_name="posts")
    vacant_since = models.DateField("空缺起始日期", null=True, blank=True, help_text="岗位无人时从哪天起空缺")

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("body__unit__path",)

    class Meta:
        verbose_name = "岗位"
        verbose_name_plural = "岗位"
        ordering = ["body__name", "name"]
        constraints = [models.UniqueConstraint(fields=["body", "name"], name="post_name_unique")]

    def __str__(self):
        return f"{self.body.name} · {self.name}"


class Staff(models.Model):
    """A member of a township's staff (定人): personal data encrypted, 身份证号 with a blind index for duplicates."""

    body = models.ForeignKey("bodies.Body", verbose_name="所在机构", on_delete=models.PROTECT, related_name="+")
    post = models.ForeignKey(Post, verbose_name="岗位", null=True, blank=True, on_delete=models.SET_NULL, related_name="staff")
    name = models.CharField("姓名", max_length=30)
    id_number = EncryptedCharField("身份证号")
    id_index = models.CharField(max_length=64, db_index=True, editable=False, blank=True)
    phone = EncryptedCharField("联系电话", blank=True, default="")
    kind = models.CharField("编制类别", max_length=20, choices=StaffKind.choices)
    rank = models.CharField("职级", max_length=30, blank=True)
    leader = models.BooleanField("领导职务", default=False)
    non_leader = models.BooleanField("非领导职务", default=False)
    secondment = models.CharField("借调/下沉", max_length=10, choices=Secondment.choices, blank=True, default="")
    left_on = models.DateField("离岗日期", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("body__unit__path",)

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"
        ordering = ["body__name", "name"]

    def __str__(self):
        return self.name

    @property
    def masked_id(self) -> str:
        from xiangcun.core.crypto import mask_id_number

        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        from xiangcun.core.crypto import mask_phone

        return mask_phone(self.phone)
