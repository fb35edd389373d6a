"""Excel import and export of organisations, members and integrations. Exports have the import's columns.

Natural keys: an organisation by 所属村代码 + 组织名称; a member by the organisation and the 身份证号 (found
through its blind index); an integration by 合并后的村代码 + 决议日期 + 整合方式 (a recorded one is never changed
by a sheet: it carried out closures and new organisations — a row matching one is "unchanged").
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from xiangcun.core.crypto import blind_index
from xiangcun.core.excel import Column, Importer, RowError
from xiangcun.core.validators import id_number
from xiangcun.divisions.levels import Level
from xiangcun.divisions.scoping import OutOfScope

from . import services
from .models import Account, Integration, IntegrationMode, Member, Organisation, OrgKind, OrgLevel, registration_number

VILLAGE = {"level": Level.VILLAGE}

ORGANISATION_COLUMNS = (
    Column("组织名称", "name", required=True, width=100),
    Column("所属村代码", "village", required=True, kind="unit", unit_label="村(社区)", unit_filter=VILLAGE,
           aliases=("村代码", "所属村(社区)代码")),
    Column("统一社会信用代码/登记证书编号", "code", width=40, validator=registration_number, aliases=("统一社会信用代码", "登记证书编号")),
    Column("层级", "level", required=True, kind="choice", choices=OrgLevel.choices),
    Column("组织形式", "kind", kind="choice", choices=OrgKind.choices),
    Column("成立日期", "established", kind="date"),
    Column("备注", "note", width=200),
)
ORGANISATION_HEADERS = [c.header for c in ORGANISATION_COLUMNS]


def organisation_rows(qs):
    for o in qs:
        yield [o.name, o.village.code, o.code, o.get_level_display(), o.get_kind_display(), o.established, o.note]


class _Scoped(Importer):
    def __init__(self, user=None):
        from xiangcun.divisions.models import Division

        super().__init__(Division.objects.visible_to(user) if user is not None else Division.objects.all())
        self.user = user

    def _org(self, village, name, field="organisation"):
        org = Organisation.objects.filter(village=village, name=(name or "").strip()).first() if village else None
        if org is None:
            raise RowError(f"{village.name if village else ''}没有登记名为“{name}”的集体经济组织", field)
        return org


class OrganisationImporter(_Scoped):
    title = "集体经济组织"
    columns = ORGANISATION_COLUMNS
    key = ("village", "name")
    model = Organisation

    def find_existing(self, values):
        return Organisation.objects.filter(village=values["village"], name=values["name"]).first()

    def clean_row(self, values):
        code = values.get("code")
        if code:
            clash = Organisation.objects.filter(code=code).exclude(village=values.get("village"), name=values.get("name")).first()
            if clash:
                raise RowError(f"{code} 已登记给“{clash.name}”", "code")
        return values

    def save_row(self, values):
        org = Organisation.objects.filter(village=values["village"], name=values["name"]).first()
        fields = {"code": values.get("code") or "", "level": values["level"], "kind": values.get("kind") or OrgKind.ECON_COOP,
                  "established": values.get("established"), "note": values.get("note") or ""}
        if org is not None and all(getattr(org, k) == v for k, v in fields.items()):
            return "unchanged"
        created = org is None
        org = org or Organisation(village=values["village"], name=values["name"])
        for k, v in fields.items():
            setattr(org, k, v)
        try:
            services.save_organisation(self.user, org)
        except (OutOfScope, services.CollectiveError) as exc:
            raise RowError(str(exc), "village") from None
        return "created" if created else "updated"


MEMBER_COLUMNS = (
    Column("所属村代码", "village", required=True, kind="unit", unit_label="村(社区)", unit_filter=VILLAGE),
    Column("组织名称", "organisation", required=True, width=100),
    Column("成员姓名", "name", required=True, width=30, aliases=("姓名",)),
    Column("身份证号", "id_number", required=True, width=18, validator=id_number, aliases=("公民身份号码",)),
    Column("股份(股)", "shares", kind="decimal", min_value=Decimal(0), places=2, aliases=("股份",)),
    Column("取得成员资格日期", "joined_on", kind="date"),
    Column("备注", "note", width=200),
)
MEMBER_HEADERS = [c.header for c in MEMBER_COLUMNS]


def member_rows(qs):
    for m in qs:
        yield [m.organisation.village.code, m.organisation.name, m.name, m.id_number, m.shares, m.joined_on, m.note]


class MemberImporter(_Scoped):
    title = "集体经济组织成员"
    columns = MEMBER_COLUMNS
    key = ("village", "organisation", "id_number")
    model = Member

    def find_existing(self, values):
        org = self._org(values["village"], values["organisation"])
        return Member.objects.filter(organisation=org, id_index=blind_index(values["id_number"])).first()

    def record_values(self, record) -> dict:
        values = super().record_values(record)
        values["name"] = record.name
        return values

    def save_row(self, values):
        org = self._org(values["village"], values["organisation"])
        member = Member.objects.filter(organisation=org, id_index=blind_index(values["id_number"])).first()
        if member is None:
            try:
                services.add_member(self.user, org, values["name"], values["id_number"], values.get("shares") or Decimal(0),
                                    values.get("joined_on"), values.get("note") or "")
            except (OutOfScope, services.CollectiveError) as exc:
                raise RowError(str(exc), "id_number") from None
            return "created"
        fields = {"name": values["name"], "shares": values.get("shares") if values.get("shares") is not None else member.shares,
                  "joined_on": values.get("joined_on"), "note": values.get("note") or ""}
        if all(getattr(member, k) == v for k, v in fields.items()):
            return "unchanged"
        for k, v in fields.items():
            setattr(member, k, v)
        member.save()
        return "updated"


INTEGRATION_COLUMNS = (
    Column("合并后的村代码", "village", required=True, kind="unit", unit_label="村(社区)", unit_filter=VILLAGE),
    Column("整合方式", "mode", required=True, kind="choice", choices=IntegrationMode.choices),
    Column("决议日期", "resolution_date", required=True, kind="date"),
    Column("应参会人数", "eligible", required=True, kind="int", min_value=1, max_value=100000),
    Column("实参会人数", "present", required=True, kind="int", min_value=0, max_value=100000),
    Column("赞成票", "votes_for", required=True, kind="int", min_value=0, max_value=100000),
    Column("反对票", "votes_against", kind="int", min_value=0, max_value=100000),
    Column("弃权票", "abstentions", kind="int", min_value=0, max_value=100000),
    Column("参与整合的原组织", "parties", required=True, width=500, help="原组织名称,用“、”分隔;股份合作写“名称:持股”"),
    Column("整合后的组织", "result", required=True, width=100,
           help="直接合并、逐步过渡可填原组织之一;其他填新组织名称(新登记)"),
    Column("过渡期截止日期", "transition_until", kind="date"),
    Column("决议文号/会议记录编号", "document", width=100),
    Column("备注", "note", width=300),
)
INTEGRATION_HEADERS = [c.header for c in INTEGRATION_COLUMNS]


def integration_rows(qs):
    for i in qs:
        parties = "、".join(f"{p.organisation.name}:{p.shares.normalize():f}" if p.shares is not None else p.organisation.name
                           for p in i.parties.all())
        yield [i.village.code, i.get_mode_display(), i.resolution_date, i.eligible, i.present, i.votes_for, i.votes_against,
               i.abstentions, parties, i.result.name, i.transition_until, i.document, i.note]


class IntegrationImporter(_Scoped):
    title = "集体经济整合"
    columns = INTEGRATION_COLUMNS
    key = ("village", "resolution_date", "mode")

    def find_existing(self, values):
        return None

    def _input(self, values) -> services.IntegrationInput:
        village = values["village"]
        parties, shares = [], {}
        for part in [p.strip() for p in str(values.get("parties") or "").replace(",", "、").split("、") if p.strip()]:
            name, _, amount = part.replace(":", ":").partition(":")
            org = self._org(village, name.strip(), "parties")
            parties.append(org)
            if amount.strip():
                try:
                    shares[org.pk] = Decimal(amount.strip())
                except InvalidOperation:
                    raise RowError(f"持股“{amount}”不是数字", "parties") from None
        result_name = (values.get("result") or "").strip()
        survivor = next((o for o in parties if o.name == result_name), None)
        return services.IntegrationInput(
            village=village, mode=values["mode"], resolution_date=values["resolution_date"], eligible=values["eligible"],
            present=values["present"], votes_for=values["votes_for"], votes_against=values.get("votes_against") or 0,
            abstentions=values.get("abstentions") or 0, parties=parties, shares=shares, survivor=survivor,
            new_name="" if survivor else result_name, transition_until=values.get("transition_until"),
            document=values.get("document") or "", note=values.get("note") or "")

    def _recorded(self, values):
        return Integration.objects.filter(village=values["village"], resolution_date=values["resolution_date"],
                                          mode=values["mode"]).first()

    def clean_row(self, values):
        if self._recorded(values):
            return values
        errors = services.check_integration(self._input(values))
        if errors:
            field = next(iter(errors))
            raise RowError(";".join(dict.fromkeys(errors.values())), field if field in {c.field for c in self.columns} else "parties")
        return values

    def save_row(self, values):
        if self._recorded(values):
            return "unchanged"
        try:
            services.record_integration(self.user, self._input(values))
        except OutOfScope as exc:
            raise RowError(str(exc), "village") from None
        except (services.CollectiveError, ValidationError) as exc:
            raise RowError(str(exc), "parties") from None
        return "created"


ACCOUNT_COLUMNS = (
    Column("所属村代码", "village", required=True, kind="unit", unit_label="村(社区)", unit_filter=VILLAGE),
    Column("组织名称", "organisation", required=True, width=100),
    Column("年度", "year", required=True, kind="int", min_value=2000, max_value=2100),
    Column("经营收入(元)", "business_income", kind="decimal", min_value=Decimal(0), places=2),
    Column("发包及上交收入(元)", "contract_income", kind="decimal", min_value=Decimal(0), places=2),
    Column("投资收益(元)", "investment_income", kind="decimal", min_value=Decimal(0), places=2),
    Column("其中:来自本村其他集体经济组织的收益(元)", "internal_income", kind="decimal", min_value=Decimal(0), places=2,
           help="股份合作等本村组织之间的分红,村级汇总时只计一次"),
    Column("补助收入(元)", "subsidy_income", kind="decimal", min_value=Decimal(0), places=2),
    Column("其他收入(元)", "other_income", kind="decimal", min_value=Decimal(0), places=2),
    Column("资产总额(元)", "assets", kind="decimal", min_value=Decimal(0), places=2),
    Column("负债总额(元)", "liabilities", kind="decimal", min_value=Decimal(0), places=2),
)


class AccountImporter(_Scoped):
    """Yearly accounts of organisations (经营性收入 on the accounting definition; the ledger's lease rent is added
    from the asset ledger, never typed). Natural key: the organisation and the year."""

    title = "集体经济组织年度账目"
    columns = ACCOUNT_COLUMNS
    key = ("village", "organisation", "year")
    model = Account  # blank cells keep the stored amounts

    def find_existing(self, values):
        org = self._org(values["village"], values["organisation"])
        return Account.objects.filter(organisation=org, year=values["year"]).first()

    def clean_row(self, values):
        org = self._org(values["village"], values["organisation"])
        if (values.get("internal_income") or 0) > (values.get("investment_income") or 0):
            raise RowError("来自本村其他集体经济组织的收益不能大于投资收益", "internal_income")
        first = values["year"]
        if (org.closed_on and org.closed_on.year < first) or (org.established and org.established.year > first):
            raise RowError(f"{org.name}在{first}年不存在(已并入或尚未成立)", "year")
        return values

    def save_row(self, values):
        org = self._org(values["village"], values["organisation"])
        amounts = {k: values.get(k) for k in services.ACCOUNT_FIELDS}
        try:
            _, outcome = services.save_account(self.user, org, values["year"], **amounts)
        except (OutOfScope, services.CollectiveError) as exc:
            raise RowError(str(exc), "year") from None
        return outcome
