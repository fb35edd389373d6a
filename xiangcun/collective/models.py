"""农村集体经济组织: the register of collective economic organisations, their members, yearly accounts and the
integration of the merged villages' organisations (整合).

An organisation is registered apart from the village: it belongs to a village over time (`Affiliation`, with
dates; `village` is the village it belongs to today, kept by the merger hook) and outlives a village merger
until its members resolve how to integrate (`Integration`): 直接合并 (the former organisations close into one),
股份合作 (a joint-stock organisation is set up with the former ones as shareholders, which stay), 联合经营 (a
joint venture, the former ones stay) or 逐步过渡 (the former ones keep separate accounts until a set date, then
close into one). Accounts are kept per organisation and year; a village's figures roll its organisations up
(`services.village_income`).
"""
from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from xiangcun.core.crypto import EncryptedCharField, blind_index, mask_id_number, mask_name
from xiangcun.divisions.scoping import ScopedQuerySet


class EconomyClass(models.TextChoices):
    """The classification of a village's collective economy by its operating income (collective.services.classify)."""

    HOLLOW = "hollow", "空壳村"
    WEAK = "weak", "薄弱村"
    GENERAL = "general", "一般村"


class OrgLevel(models.TextChoices):
    VILLAGE = "village", "村级"
    GROUP = "group", "组级"


class OrgKind(models.TextChoices):
    ECON_COOP = "econ_coop", "经济合作社"
    SHARE_COOP = "share_coop", "股份经济合作社"
    JOINT = "joint", "联合经营体"


class OrgStatus(models.TextChoices):
    ACTIVE = "active", "存续"
    TRANSITION = "transition", "过渡期(单独核算)"
    CLOSED = "closed", "已注销(并入)"


def registration_number(value: str) -> str:
    """A 统一社会信用代码 (18 characters of its alphabet: checked with its check character) or another
    登记证书编号 (letters, digits and the usual separators, with at least one digit)."""
    from xiangcun.core.validators import credit_code, halfwidth

    text = re.sub(r"\s", "", halfwidth(str(value or ""))).upper()
    if not text:
        return ""
    if len(text) == 18 and re.fullmatch(r"[0-9A-Z]{18}", text):
        return credit_code(text)
    if not re.search(r"\d", text) or len(text) > 40 or not re.fullmatch(r"[0-9A-Z\u4e00-\u9fff()()〔〕\-第号]+", text):
        raise ValidationError(f"登记证书编号“{value}”格式不对:应为 18 位统一社会信用代码,或登记证书上的编号")
    return text


class Organisation(models.Model):
    name = models.CharField("组织名称", max_length=100, db_index=True)
    code = models.CharField("统一社会信用代码/登记证书编号", max_length=40, blank=True, validators=[registration_number])
    level = models.CharField("层级", max_length=10, choices=OrgLevel.choices, default=OrgLevel.VILLAGE)
    kind = models.CharField("组织形式", max_length=20, choices=OrgKind.choices, default=OrgKind.ECON_COOP)
    village = models.ForeignKey("divisions.Division", verbose_name="现所属村(社区)", on_delete=models.PROTECT,
                                related_name="collective_organisations")
    group = models.ForeignKey("divisions.Division", verbose_name="村民小组", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+", help_text="组级组织所在的村民小组")
    status = models.CharField("状态", max_length=20, choices=OrgStatus.choices, default=OrgStatus.ACTIVE, db_index=True)
    established = models.DateField("成立日期", null=True, blank=True)
    closed_on = models.DateField("注销(并入)日期", null=True, blank=True,
                                 help_text="逐步过渡的组织为过渡期结束、并入的日期")
    successor = models.ForeignKey("self", verbose_name="并入组织", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="predecessors")
    note = models.CharField("备注", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("village__path",)

    class Meta:
        verbose_name = "集体经济组织"
        verbose_name_plural = "集体经济组织"
        ordering = ["village__path", "level", "name"]
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~Q(code=""), name="collective_org_code_unique"),
            models.UniqueConstraint(fields=["village", "name"], name="collective_org_name_unique"),
        ]

    def __str__(self):
        return self.name

    def exists_on(self, when) -> bool:
        return (self.established is None or self.established <= when) and (self.closed_on is None or self.closed_on > when)

    def final_successor(self):
        org, seen = self, {self.pk}
        while org.successor_id and org.successor_id not in seen and len(seen) < 20:
            seen.add(org.successor_id)
            org = org.successor
        return org


class Affiliation(models.Model):
    """An organisation belongs to a village from a date (until a date): its history through mergers."""

    organisation = models.ForeignKey(Organisation, verbose_name="集体经济组织", on_delete=models.CASCADE,
                                     related_name="affiliations")
    village = models.ForeignKey("divisions.Division", verbose_name="所属村(社区)", on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField("起始日期", null=True, blank=True)
    valid_to = models.DateField("截止日期", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("village__path", "organisation__village__path")

    class Meta:
        verbose_name = "组织所属村"
        verbose_name_plural = "组织所属村"
        ordering = ["organisation", "valid_from"]

    def __str__(self):
        return f"{self.organisation.name} 属 {self.village.name}"


class Member(models.Model):
    """A member (成员) of an organisation; name and 身份证号 encrypted, the number also as a blind index so the
    same person is found twice without decrypting anything."""

    organisation = models.ForeignKey(Organisation, verbose_name="集体经济组织", on_delete=models.PROTECT, related_name="members")
    name = EncryptedCharField("姓名")
    id_number = EncryptedCharField("身份证号")
    id_index = models.CharField(max_length=64, db_index=True, editable=False)
    shares = models.DecimalField("股份(股)", max_digits=10, decimal_places=2, default=0)
    joined_on = models.DateField("取得成员资格日期", null=True, blank=True)
    left_on = models.DateField("丧失成员资格日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("organisation__village__path",)

    class Meta:
        verbose_name = "集体经济组织成员"
        verbose_name_plural = "集体经济组织成员"
        ordering = ["organisation", "pk"]
        constraints = [models.UniqueConstraint(fields=["organisation", "id_index"], name="collective_member_unique")]

    def __str__(self):
        return f"{mask_name(self.name)}({self.organisation.name})"

    def save(self, *args, **kwargs):
        self.id_index = blind_index(self.id_number)
        super().save(*args, **kwargs)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_id(self) -> str:
        return mask_id_number(self.id_number)


class Account(models.Model):
    """An organisation's accounts for a year (元), on the accounting definition: 经营性收入 = 经营收入 + 发包及上交
    收入 + 投资收益 (+ the asset ledger's lease rent, read from the ledger, never typed). 补助收入 and 其他收入 are
    not operating income. `internal_income` is the part of 投资收益 received from another organisation of the same
    village (a 股份合作 dividend): a village's roll-up counts it once, at the organisation that earned it."""

    organisation = models.ForeignKey(Organisation, verbose_name="集体经济组织", on_delete=models.PROTECT, related_name="accounts")
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    business_income = models.DecimalField("经营收入(元)", max_digits=14, decimal_places=2, default=0)
    contract_income = models.DecimalField("发包及上交收入(元)", max_digits=14, decimal_places=2, default=0)
    investment_income = models.DecimalField("投资收益(元)", max_digits=14, decimal_places=2, default=0)
    internal_income = models.DecimalField("其中:来自本村其他集体经济组织的收益(元)", max_digits=14, decimal_places=2, default=0)
    subsidy_income = models.DecimalField("补助收入(元)", max_digits=14, decimal_places=2, default=0)
    other_income = models.DecimalField("其他收入(元)", max_digits=14, decimal_places=2, default=0)
    assets = models.DecimalField("资产总额(元)", max_digits=14, decimal_places=2, default=0)
    liabilities = models.DecimalField("负债总额(元)", max_digits=14, decimal_places=2, default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("organisation__village__path",)

    class Meta:
        verbose_name = "集体经济组织年度账目"
        verbose_name_plural = "集体经济组织年度账目"
        ordering = ["organisation", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="collective_account_unique"),
            models.CheckConstraint(condition=Q(internal_income__lte=models.F("investment_income")),
                                   name="collective_internal_within_investment"),
        ]

    def __str__(self):
        return f"{self.organisation.name} {self.year}年"

    @property
    def booked_operating_income(self):
        """经营性收入 as booked (without the ledger's lease rent)."""
        return self.business_income + self.contract_income + self.investment_income


class IntegrationMode(models.TextChoices):
    DIRECT = "direct", "直接合并"
    SHARES = "shares", "股份合作"
    JOINT = "joint", "联合经营"
    GRADUAL = "gradual", "逐步过渡"


MODE_HELP = {
    IntegrationMode.DIRECT: "原组织并入一个组织,原组织注销",
    IntegrationMode.SHARES: "组建股份经济合作社,原组织作为股东保留",
    IntegrationMode.JOINT: "组建联合经营体,原组织保留、各自核算",
    IntegrationMode.GRADUAL: "原组织在过渡期内单独核算,期满并入一个组织",
}


class Integration(models.Model):
    """How a merged village's collective economy is integrated, with the resolution that decided it."""

    village = models.ForeignKey("divisions.Division", verbose_name="合并后的村(社区)", on_delete=models.PROTECT, related_name="+")
    mode = models.CharField("整合方式", max_length=20, choices=IntegrationMode.choices)
    resolution_date = models.DateField("决议日期")
    eligible = models.PositiveIntegerField("应参会人数")
    present = models.PositiveIntegerField("实参会人数")
    votes_for = models.PositiveIntegerField("赞成票")
    votes_against = models.PositiveIntegerField("反对票", default=0)
    abstentions = models.PositiveIntegerField("弃权票", default=0)
    result = models.ForeignKey(Organisation, verbose_name="整合后的组织", on_delete=models.PROTECT, related_name="integrations_as_result",
                               help_text="直接合并、逐步过渡:并入的组织;股份合作:股份经济合作社;联合经营:联合经营体")
    transition_until = models.DateField("过渡期截止日期", null=True, blank=True)
    document = models.CharField("决议文号/会议记录编号", max_length=100, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("village__path",)

    class Meta:
        verbose_name = "集体经济整合"
        verbose_name_plural = "集体经济整合"
        ordering = ["-resolution_date", "-pk"]

    def __str__(self):
        return f"{self.village.name}{self.get_mode_display()}"

    @property
    def result_text(self) -> str:
        return f"应到 {self.eligible} 人,实到 {self.present} 人;赞成 {self.votes_for}、反对 {self.votes_against}、弃权 {self.abstentions}"


class IntegrationParty(models.Model):
    """A former organisation taking part in an integration (a shareholder, for 股份合作)."""

    integration = models.ForeignKey(Integration, verbose_name="整合", on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(Organisation, verbose_name="原组织", on_delete=models.PROTECT, related_name="integrations")
    shares = models.DecimalField("持股(股)", max_digits=12, decimal_places=2, null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("integration__village__path",)

    class Meta:
        verbose_name = "整合参与组织"
        verbose_name_plural = "整合参与组织"
        constraints = [models.UniqueConstraint(fields=["integration", "organisation"], name="collective_party_unique")]

    def __str__(self):
        return self.organisation.name
