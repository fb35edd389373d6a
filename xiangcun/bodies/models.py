"""The register of government bodies (机构): county departments, township party and government offices with
their internal offices and 事业 bodies, and the village 两委 — each attached to its division, valid over time.

Users belong to a body (`accounts.User.body`); the supervision, governance, collective-economy and care
modules name bodies as lead, supporting, owning or referral units. When a township is merged its bodies
close and name the successor's matching body (`successor`), so their open work is shown passing on.
"""
from __future__ import annotations

from django.db import models
from django.db.models import Q

from xiangcun.core.validators import credit_code
from xiangcun.divisions.scoping import ScopedQuerySet, scope_paths


class BodyKind(models.TextChoices):
    COUNTY_DEPARTMENT = "county_department", "县级部门"
    TOWNSHIP_GOVERNMENT = "township_government", "乡镇党委政府"
    TOWNSHIP_OFFICE = "township_office", "乡镇内设机构"
    TOWNSHIP_INSTITUTION = "township_institution", "乡镇事业单位"
    VILLAGE_COMMITTEE = "village_committee", "村(社区)两委"
    OTHER = "other", "其他"


class BodyQuerySet(ScopedQuerySet):
    def current(self, on=None):
        if on is None:
            return self.filter(valid_to__isnull=True)
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on), Q(valid_to__isnull=True) | Q(valid_to__gt=on))

    def visible_to(self, user):
        """The bodies in the user's jurisdiction (through `scope_fields`), and the bodies of the units above it:
        a township's staff see the county departments that assign them work, never another township's offices."""
        qs = super().visible_to(user)
        if scope_paths(user) is None or not getattr(user, "jurisdiction_id", None):
            return qs
        above = [int(x) for x in user.jurisdiction.path.strip("/").split("/")[:-1] if x]
        return (qs | self.filter(unit_id__in=above)) if above else qs


def _credit_code(value):
    if value:
        credit_code(value)


class Body(models.Model):
    name = models.CharField("机构名称", max_length=100, db_index=True)
    short_name = models.CharField("简称", max_length=30, blank=True, db_index=True,
                                  help_text="县级部门的简称(如“财政”“民政”),用户的所属部门按它判断")
    kind = models.CharField("机构类别", max_length=30, choices=BodyKind.choices)
    unit = models.ForeignKey("divisions.Division", verbose_name="所属区划", on_delete=models.PROTECT, related_name="bodies")
    parent = models.ForeignKey("self", verbose_name="上级机构", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True, validators=[_credit_code])
    valid_from = models.DateField("成立日期", null=True, blank=True)
    valid_to = models.DateField("撤销日期", null=True, blank=True, db_index=True)
    successor = models.ForeignKey("self", verbose_name="承接机构", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="predecessors", help_text="撤销后由哪个机构承接其工作")
    note = models.CharField("备注", max_length=200, blank=True)

    objects = BodyQuerySet.as_manager()
    scope_fields = ("unit__path",)

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        ordering = ["unit__path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], condition=~Q(credit_code=""), name="body_credit_code_unique"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                                   name="body_valid_order"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    def final_successor(self):
        """The body that carries this one's work today (following successor links, at most 20 steps)."""
        body, seen = self, {self.pk}
        while body.successor_id and body.successor_id not in seen and len(seen) < 20:
            seen.add(body.successor_id)
            body = body.successor
        return body
