"""前置审查 of rural houses and public buildings: before a 宅基地建房 or a public building is approved, 自然资源
(地灾隐患) and 水利 (行洪安全) each record a review of the site; the township approves only when both passed
(or passed with conditions).

An application (`Application`) is a site (village, map point) registered by its township; each review
(`Review`) is one department's opinion on one aspect, kept with its history: a department may review again
(a refused site re-reviewed after the plan changed) and the latest review of each aspect counts.
A 宅基地建房 case of the services module may be linked (`Application.case`): the case cannot be completed
(办结) before its application is approved (see `services.completion_check`).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models

from xiangcun.divisions.scoping import ScopedQuerySet


class BuildingKind(models.TextChoices):
    HOUSE = "house", "农村宅基地建房"
    PUBLIC = "public", "公用建筑"


class Aspect(models.TextChoices):
    GEO = "geo", "地灾隐患(自然资源)"
    FLOOD = "flood", "行洪安全(水利)"


# the department that reviews each aspect, by the short names users and bodies carry ("水务" is how several
# counties, 马尔康 among them, name their water bureau)
DEPARTMENTS = {Aspect.GEO: ("自然资源",), Aspect.FLOOD: ("水利", "水务")}
DEPARTMENT_LABEL = {Aspect.GEO: "自然资源", Aspect.FLOOD: "水利"}


class Outcome(models.TextChoices):
    PASS = "pass", "通过"
    CONDITIONAL = "conditional", "有条件通过"
    REFUSED = "refused", "不通过"


PASSED = (Outcome.PASS, Outcome.CONDITIONAL)


class Status(models.TextChoices):
    REVIEWING = "reviewing", "审查中"
    APPROVED = "approved", "已批准"


class Application(models.Model):
    name = models.CharField("项目名称", max_length=100)
    kind = models.CharField("建筑类别", max_length=10, choices=BuildingKind.choices, default=BuildingKind.HOUSE)
    applicant = models.CharField("申请人(户主或建设单位)", max_length=60)
    village = models.ForeignKey("divisions.Division", verbose_name="所在村(社区)", on_delete=models.PROTECT,
                                related_name="+")
    lon = models.FloatField("经度")
    lat = models.FloatField("纬度")
    address = models.CharField("选址位置说明", max_length=200, blank=True)
    floor_area = models.DecimalField("建筑面积(平方米)", max_digits=10, decimal_places=2, null=True, blank=True)
    case = models.OneToOneField("services.Case", verbose_name="关联代办件", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="prereview")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.REVIEWING, db_index=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    registered_on = models.DateField("登记日期")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="批准人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_on = models.DateField("批准日期", null=True, blank=True)
    approval_note = models.CharField("批准意见", max_length=300, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("village__path",)

    class Meta:
        verbose_name = "前置审查申请"
        verbose_name_plural = "前置审查申请"
        ordering = ["-registered_on", "-pk"]
        indexes = [models.Index(fields=["status", "registered_on"], name="prereview_status_day")]

    def __str__(self):
        return self.name

    def latest_reviews(self) -> dict[str, Review]:
        """The review that counts for each aspect: the latest one recorded."""
        out: dict[str, Review] = {}
        for review in sorted(self.reviews.all(), key=lambda r: (r.reviewed_on, r.pk)):
            out[review.aspect] = review
        return out

    def blockers(self) -> list[str]:
        """Why the application cannot be approved yet (empty when both reviews passed)."""
        latest = self.latest_reviews()
        out = []
        for aspect in Aspect:
            review = latest.get(aspect.value)
            if review is None:
                out.append(f"{DEPARTMENT_LABEL[aspect]}的{aspect.label.split('(')[0]}审查尚未完成")
            elif review.outcome == Outcome.REFUSED:
                out.append(f"{DEPARTMENT_LABEL[aspect]}的{aspect.label.split('(')[0]}审查未通过(原因:{review.reason})")
        return out

    def waiting_for(self) -> list[str]:
        latest = self.latest_reviews()
        return [a.value for a in Aspect if a.value not in latest]

    @property
    def state(self) -> str:
        """One word for lists: 已批准 / 待审查 / 审查未通过 / 可批准."""
        if self.status == Status.APPROVED:
            return "已批准"
        latest = self.latest_reviews()
        if any(r.outcome == Outcome.REFUSED for r in latest.values()):
            return "审查未通过"
        if len(latest) < len(Aspect):
            return "待审查"
        return "可批准"


class Review(models.Model):
    application = models.ForeignKey(Application, verbose_name="前置审查申请", on_delete=models.CASCADE,
                                     related_name="reviews")
    aspect = models.CharField("审查事项", max_length=10, choices=Aspect.choices)
    outcome = models.CharField("审查结论", max_length=12, choices=Outcome.choices)
    reason = models.TextField("理由或条件", blank=True)
    reviewer = models.CharField("审查人", max_length=50)
    reviewed_on = models.DateField("审查日期")
    department = models.CharField("审查部门", max_length=50)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("application__village__path",)

    class Meta:
        verbose_name = "前置审查意见"
        verbose_name_plural = "前置审查意见"
        ordering = ["application", "reviewed_on", "pk"]

    def __str__(self):
        return f"{self.get_aspect_display()}:{self.get_outcome_display()}"
