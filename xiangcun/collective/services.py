"""Operations on collective economic organisations: registering them and their members, their yearly accounts,
recording an integration after a village merger, and the income and 空壳村/薄弱村 classification per
organisation and per village. Views, the import, the API and the demo all go through here.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from xiangcun.core import audit
from xiangcun.core.crypto import blind_index
from xiangcun.core.validators import id_number as check_id_number
from xiangcun.divisions.levels import Level
from xiangcun.divisions.scoping import ensure_in_scope

from .models import (
    Account,
    Affiliation,
    EconomyClass,
    Integration,
    IntegrationMode,
    IntegrationParty,
    Member,
    Organisation,
    OrgKind,
    OrgLevel,
    OrgStatus,
)

EVENTS = {
    "collective.integrate": "登记集体经济整合",
    "collective.follow_merger": "组织随村合并改属",
    "collective.closed": "组织注销并入",
}
EVENT_LABELS = {"mode": "整合方式", "result": "整合后的组织", "parties": "原组织", "village_from": "原所属村",
                "village_to": "现所属村", "when": "日期", "successor": "并入组织", "votes": "表决结果"}

# a merger of collective economic organisations is a major matter: members present must be at least two thirds
# of those entitled, and at least two thirds of those present must agree
QUORUM = Decimal(2) / Decimal(3)


class CollectiveError(Exception):
    """A refused operation; `fields` puts each message beside its form field."""

    def __init__(self, message: str, fields: dict | None = None):
        super().__init__(message)
        self.fields = fields or {}


# --- organisations and members ------------------------------------------------------------------------

@transaction.atomic
def save_organisation(user, org: Organisation) -> Organisation:
    """Create or change an organisation: its village must lie in the user's jurisdiction (its old one too).
    A new organisation starts its village history (`Affiliation`) on its founding date."""
    created = org.pk is None
    if not created:
        old = Organisation.objects.select_related("village").get(pk=org.pk)
        ensure_in_scope(user, old.village)
    ensure_in_scope(user, org.village)
    if org.village.level != Level.VILLAGE:
        raise CollectiveError(f"{org.village.name}不是村(社区):集体经济组织登记在村(社区)", {"village": "请选择村(社区)"})
    if org.level == OrgLevel.GROUP and org.group_id and org.group.parent_id != org.village_id:
        raise CollectiveError(f"村民小组{org.group.name}不属于{org.village.name}", {"group": f"请选择{org.village.name}的村民小组"})
    org.full_clean()
    org.save()
    if created:
        Affiliation.objects.create(organisation=org, village=org.village, valid_from=org.established)
    return org


def normalise_id(value: str) -> str:
    try:
        return check_id_number(value)
    except ValidationError as exc:
        raise CollectiveError(exc.messages[0], {"id_number": exc.messages[0]}) from None


def find_member(org: Organisation, id_number: str) -> Member | None:
    """The member of `org` with that 身份证号, found through the blind index (nothing is decrypted)."""
    return Member.objects.filter(organisation=org, id_index=blind_index(id_number)).first()


def other_memberships(id_number: str, exclude_org=None) -> list[Organisation]:
    """The current organisations (of any village) where this person is already a member."""
    qs = Member.objects.filter(id_index=blind_index(id_number), left_on__isnull=True).select_related("organisation")
    if exclude_org is not None:
        qs = qs.exclude(organisation=exclude_org)
    return [m.organisation for m in qs]


@transaction.atomic
def add_member(user, org: Organisation, name: str, id_number: str, shares: Decimal = Decimal(0),
               joined_on: dt.date | None = None, note: str = "") -> Member:
    """Register a member; the same 身份证号 twice in one organisation is refused."""
    ensure_in_scope(user, org.village)
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "请填写成员姓名"
    try:
        number = check_id_number(id_number)
    except ValidationError as exc:
        errors["id_number"] = exc.messages[0]
        number = ""
    if number and find_member(org, number):
        errors["id_number"] = f"身份证号 {number[:3]}***********{number[-4:]} 已是{org.name}的成员"
    if shares is not None and shares < 0:
        errors["shares"] = "股份不能为负数"
    if errors:
        raise CollectiveError(";".join(errors.values()), errors)
    return Member.objects.create(organisation=org, name=name, id_number=number, shares=shares or 0, joined_on=joined_on,
                                 note=(note or "")[:200])


# --- accounts ------------------------------------------------------------------------------------------

ACCOUNT_FIELDS = ("business_income", "contract_income", "investment_income", "internal_income", "subsidy_income",
                  "other_income", "assets", "liabilities")


@transaction.atomic
def save_account(user, org: Organisation, year: int, **values) -> tuple[Account, str]:
    """Create or update an organisation's accounts for a year; "created", "updated" or "unchanged"."""
    ensure_in_scope(user, org.village)
    first = dt.date(year, 1, 1)
    if (org.closed_on and org.closed_on <= first) or (org.established and org.established > dt.date(year, 12, 31)):
        raise CollectiveError(f"{org.name}在{year}年不存在(已并入或尚未成立),不能登记该年账目", {"year": "年度不在组织存续期内"})
    errors = {k: "金额不能为负数" for k in ACCOUNT_FIELDS if values.get(k) is not None and values[k] < 0}
    if (values.get("internal_income") or 0) > (values.get("investment_income") or 0):
        errors["internal_income"] = "来自本村其他集体经济组织的收益不能大于投资收益"
    if errors:
        raise CollectiveError(";".join(dict.fromkeys(errors.values())), errors)
    account = Account.objects.filter(organisation=org, year=year).first()
    outcome = "updated" if account else "created"
    account = account or Account(organisation=org, year=year)
    new = {k: (values.get(k) if values.get(k) is not None else Decimal(0)) for k in ACCOUNT_FIELDS}
    if outcome == "updated" and all(getattr(account, k) == v for k, v in new.items()):
        return account, "unchanged"
    for k, v in new.items():
        setattr(account, k, v)
    account.updated_by = user
    account.save()
    return account, outcome


# --- integration after a merger ----------------------------------------------------------------------

def candidates_for(village) -> list[Organisation]:
    """The organisations that may take part in integrating `village`'s collective economy: those belonging to it
    now (the merged villages' organisations follow their village here), not closed."""
    return list(Organisation.objects.filter(village=village).exclude(status=OrgStatus.CLOSED).order_by("level", "name"))


@dataclass
class IntegrationInput:
    village: object
    mode: str
    resolution_date: dt.date | None
    eligible: int | None
    present: int | None
    votes_for: int | None
    votes_against: int = 0
    abstentions: int = 0
    parties: list = field(default_factory=list)          # former organisations
    shares: dict = field(default_factory=dict)            # organisation id -> Decimal (股份合作)
    survivor: Organisation | None = None                  # direct / gradual: the one the others merge into
    new_name: str = ""                                    # the new organisation (required for shares / joint)
    new_code: str = ""
    transition_until: dt.date | None = None
    document: str = ""
    note: str = ""


def check_integration(data: IntegrationInput) -> dict:
    """Every reason the integration cannot be recorded, by form field (empty: it can)."""
    errors: dict[str, str] = {}
    village = data.village
    if village is None:
        return {"village": "请选择合并后的村(社区)"}
    if village.level != Level.VILLAGE or village.valid_to is not None:
        errors["village"] = f"{village.name}不是现有的村(社区)"
    if data.mode not in IntegrationMode.values:
        errors["mode"] = "请选择整合方式"
    today = dt.date.today()
    if data.resolution_date is None:
        errors["resolution_date"] = "请填写决议日期"
    elif data.resolution_date > today:
        errors["resolution_date"] = "决议日期不能晚于今天"
    eligible, present, yes = data.eligible, data.present, data.votes_for
    if eligible is None or present is None or yes is None:
        errors["votes_for"] = "请填写应参会人数、实参会人数和赞成票"
    else:
        counted = yes + (data.votes_against or 0) + (data.abstentions or 0)
        if present > eligible:
            errors["present"] = f"实参会人数 {present} 多于应参会人数 {eligible}"
        elif present < eligible * QUORUM:
            errors["present"] = f"实参会 {present} 人,不足应参会 {eligible} 人的三分之二,决议无效"
        if counted > present:
            errors["votes_for"] = f"赞成、反对、弃权合计 {counted} 票,多于实参会人数 {present}"
        elif present and yes < present * QUORUM:
            errors["votes_for"] = f"赞成 {yes} 票,未达到实参会 {present} 人的三分之二,决议未通过"
    parties = list(dict.fromkeys(data.parties))
    allowed = {o.pk for o in candidates_for(village)} if "village" not in errors else set()
    if len(parties) < 2:
        errors["parties"] = "至少选择两个参与整合的原组织"
    else:
        strangers = [o.name for o in parties if o.pk not in allowed]
        if strangers:
            errors["parties"] = f"{'、'.join(strangers)}不属于{village.name}或已注销,不能参与整合"
    if data.mode in (IntegrationMode.DIRECT, IntegrationMode.GRADUAL):
        if data.survivor is None and not data.new_name.strip():
            errors["survivor"] = "请选择并入的组织,或填写新组织名称"
        elif data.survivor is not None and data.survivor not in parties:
            errors["survivor"] = "并入的组织须是参与整合的原组织之一"
    if data.mode in (IntegrationMode.SHARES, IntegrationMode.JOINT) and not data.new_name.strip():
        errors["new_name"] = ("股份合作须填写新组建的股份经济合作社名称" if data.mode == IntegrationMode.SHARES
                              else "联合经营须填写联合经营体名称")
    if data.mode == IntegrationMode.SHARES and "parties" not in errors:
        missing = [o.name for o in parties if not data.shares.get(o.pk) or data.shares[o.pk] <= 0]
        if missing:
            errors["shares"] = f"股份合作须填写每个原组织的持股:{'、'.join(missing)}未填写或不大于 0"
    if data.mode == IntegrationMode.GRADUAL:
        if data.transition_until is None:
            errors["transition_until"] = "逐步过渡须填写过渡期截止日期"
        elif data.resolution_date and data.transition_until <= data.resolution_date:
            errors["transition_until"] = "过渡期截止日期应晚于决议日期"
    if data.new_name.strip() and "village" not in errors and Organisation.objects.filter(village=village, name=data.new_name.strip()).exists():
        errors["new_name"] = f"{village.name}已有名为“{data.new_name.strip()}”的组织"
    if data.new_code:
        from .models import registration_number

        try:
            code = registration_number(data.new_code)
        except ValidationError as exc:
            errors["new_code"] = exc.messages[0]
        else:
            if code and Organisation.objects.filter(code=code).exists():
                errors["new_code"] = f"{code} 已登记给其他组织"
    return errors


@transaction.atomic
def record_integration(user, data: IntegrationInput) -> Integration:
    """Record an integration and carry it out on the register:
    直接合并 — the other former organisations close on the resolution date into the surviving (or new) one;
    逐步过渡 — they keep separate accounts (过渡期) and close into it on the set date;
    股份合作 — a new 股份经济合作社 is registered, the former ones stay as its shareholders (their shares kept);
    联合经营 — a new joint venture is registered, the former ones stay and keep their own accounts."""
    ensure_in_scope(user, data.village)
    errors = check_integration(data)
    if errors:
        raise CollectiveError(";".join(dict.fromkeys(errors.values())), errors)
    parties = list(dict.fromkeys(data.parties))
    when = data.resolution_date
    result = data.survivor
    if result is None:
        kind = {IntegrationMode.SHARES: OrgKind.SHARE_COOP, IntegrationMode.JOINT: OrgKind.JOINT}.get(data.mode, OrgKind.ECON_COOP)
        result = save_organisation(user, Organisation(name=data.new_name.strip(), code=(data.new_code or "").strip().upper(),
                                                      level=OrgLevel.VILLAGE, kind=kind, village=data.village, established=when))
    integration = Integration.objects.create(
        village=data.village, mode=data.mode, resolution_date=when, eligible=data.eligible, present=data.present,
        votes_for=data.votes_for, votes_against=data.votes_against or 0, abstentions=data.abstentions or 0, result=result,
        transition_until=data.transition_until if data.mode == IntegrationMode.GRADUAL else None,
        document=(data.document or "")[:100], note=(data.note or "")[:300], recorded_by=user)
    for org in parties:
        IntegrationParty.objects.create(integration=integration, organisation=org,
                                        shares=data.shares.get(org.pk) if data.mode == IntegrationMode.SHARES else None)
    if data.mode in (IntegrationMode.DIRECT, IntegrationMode.GRADUAL):
        closing = when if data.mode == IntegrationMode.DIRECT else data.transition_until
        for org in parties:
            if org.pk == result.pk:
                continue
            org.status = OrgStatus.CLOSED if closing <= dt.date.today() else OrgStatus.TRANSITION
            org.closed_on, org.successor = closing, result
            org.save()
            Affiliation.objects.filter(organisation=org, valid_to__isnull=True).update(valid_to=closing)
            audit.log_event(org, "collective.closed", data={"successor": result.name, "when": closing.isoformat()}, actor=user)
    audit.log_event(integration, "collective.integrate", actor=user, data={
        "mode": integration.get_mode_display(), "result": result.name, "parties": "、".join(o.name for o in parties),
        "votes": integration.result_text})
    return integration


def state_on(org: Organisation, when: dt.date | None = None) -> str:
    """存续 / 过渡期 / 已注销 as of a date (a transition ends by itself on its date)."""
    when = when or dt.date.today()
    if org.closed_on is not None and org.closed_on <= when:
        return OrgStatus.CLOSED
    if org.closed_on is not None:
        return OrgStatus.TRANSITION
    return OrgStatus.ACTIVE


# --- following mergers -------------------------------------------------------------------------------

def follow_closed_unit(unit, when: dt.date) -> None:
    """Follow-hook unit_closed: a merged village's organisations are not dissolved by the merger — they now
    belong to the village that took it over (their history keeps the old one), until an integration decides."""
    if unit.level != Level.VILLAGE:
        return
    from xiangcun.divisions.services import successors_on

    heirs = [s for s in successors_on(unit, when) if s.pk != unit.pk and s.level == Level.VILLAGE]
    if not heirs:
        return
    heir = heirs[0]
    for org in Organisation.objects.filter(village=unit).order_by("pk"):
        Affiliation.objects.filter(organisation=org, village=unit, valid_to__isnull=True).update(valid_to=when)
        Affiliation.objects.create(organisation=org, village=heir, valid_from=when, note=f"{unit.name}并入{heir.name}")
        org.village = heir
        with audit.as_action("collective.follow_merger", data={"village_from": unit.name, "village_to": heir.name,
                                                                       "when": when.isoformat()}):
            org.save(update_fields=["village"])


# --- income and classification ---------------------------------------------------------------------------

# The 薄弱村 threshold is a dated parameter the indicators module keeps (and sets from its 集体经济 page); it
# registers its lookup here in its AppConfig.ready, so this module imports nothing above it.
_THRESHOLD: list = []


def register_threshold(source) -> None:
    """`source(year)` → the 薄弱村 threshold (元) applying to a year's accounts."""
    _THRESHOLD[:] = [source]


def threshold_on(year: int) -> Decimal:
    if not _THRESHOLD:
        raise LookupError("没有登记薄弱村标准的来源(indicators 模块未安装?)")
    return _THRESHOLD[0](year)


def classify(operating_income: Decimal, threshold: Decimal) -> str:
    """空壳村: no operating income; 薄弱村: some, but under the threshold; otherwise 一般村."""
    if operating_income <= 0:
        return EconomyClass.HOLLOW
    if operating_income < threshold:
        return EconomyClass.WEAK
    return EconomyClass.GENERAL


@dataclass
class Income:
    """经营性收入 of an organisation or a village in a year (元), and its classification."""

    booked: Decimal = Decimal(0)       # 经营收入 + 发包及上交收入 + 投资收益, as booked
    internal: Decimal = Decimal(0)     # of which from other organisations of the same village (rolled up once)
    rent: Decimal = Decimal(0)         # lease rent from the asset ledger
    reported: bool = False             # accounts exist for that year
    classification: str = ""
    threshold: Decimal = Decimal(0)

    @property
    def operating(self) -> Decimal:
        return self.booked + self.rent

    def classify(self, year: int, threshold: Decimal | None = None) -> Income:
        """`threshold`: `threshold_on(year)`, when a page already has it."""
        self.threshold = threshold_on(year) if threshold is None else threshold
        self.classification = classify(self.operating, self.threshold) if self.reported or self.rent else ""
        return self

    @property
    def label(self) -> str:
        return EconomyClass(self.classification).label if self.classification else "未填报"


def _day_of(org: Organisation, year: int) -> dt.date:
    """The day of `year` an organisation counts for its village: the year's end, or its last day that year."""
    day = min(dt.date(year, 12, 31), dt.date.today()) if year <= dt.date.today().year else dt.date(year, 12, 31)
    if org.closed_on is not None and org.closed_on <= day:
        day = org.closed_on - dt.timedelta(days=1)
    return day


def village_on(org: Organisation, when: dt.date):
    """The village an organisation belonged to on a date (its history), else its village today."""
    for aff in org.affiliations.all():
        if (aff.valid_from is None or aff.valid_from <= when) and (aff.valid_to is None or aff.valid_to > when):
            return aff.village_id
    return org.village_id


# Lease rent reaches the collectives from ledgers above this module (the asset ledger registers its leases in
# its AppConfig.ready); this module imports none of them.
_RENT_SOURCES: list = []


def register_rent_source(source) -> None:
    """`source(year)` → the year's lease shares that are collective income (state assets' rent left out), each with
    `village_id` (the village keeping the asset that year), `holder_id`, `owner_organisation_id` and `amount`."""
    if source not in _RENT_SOURCES:
        _RENT_SOURCES.append(source)


def rent_by_organisation(year: int) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """The registered ledgers' lease rent of `year`: (by organisation id, by village id). A lease's rent goes to
    the organisation owning the asset (the one it merged into, once closed); an asset without a collective owner on
    record (待核实) earns its village's 村级 organisation existing that year. Villages as
    `assets.services.lease_income`."""
    by_org: dict[int, Decimal] = defaultdict(Decimal)
    by_village: dict[int, Decimal] = defaultdict(Decimal)
    village_orgs: dict[int, Organisation | None] = {}
    owners: dict[int, Organisation | None] = {}
    end = dt.date(year, 12, 31)
    for share in (share for source in _RENT_SOURCES for share in source(year)):
        by_village[share.village_id] += share.amount
        if share.owner_organisation_id:
            if share.owner_organisation_id not in owners:
                found = Organisation.objects.filter(pk=share.owner_organisation_id).first()
                owners[share.owner_organisation_id] = _existing(found, end) if found else None
            owner = owners[share.owner_organisation_id]
        else:
            if share.holder_id not in village_orgs:
                village_orgs[share.holder_id] = _village_organisation(share.holder_id, year)
            owner = village_orgs[share.holder_id]
        if owner is not None:
            by_org[owner.pk] += share.amount
    return dict(by_org), dict(by_village)


def _existing(org: Organisation, when: dt.date) -> Organisation:
    while org.closed_on is not None and org.closed_on <= when and org.successor_id:
        org = org.successor
    return org


def _village_organisation(village_id: int, year: int) -> Organisation | None:
    end = dt.date(year, 12, 31)
    org = (Organisation.objects.filter(affiliations__village_id=village_id, level=OrgLevel.VILLAGE)
           .filter(Q(established__isnull=True) | Q(established__lte=end)).order_by("established", "pk").first())
    return _existing(org, end) if org is not None else None


def organisation_income(year: int, orgs, rents=None, accounts=None, threshold=None) -> dict[int, Income]:
    """Income and classification of each organisation in `year` (`rents`: `rent_by_organisation(year)`,
    `accounts`: `accounts_of(year, orgs)`, `threshold`: `threshold_on(year)`, when a page already has them)."""
    orgs = list(orgs)
    accounts = accounts_of(year, orgs) if accounts is None else accounts
    rent, _ = rents if rents is not None else rent_by_organisation(year)
    threshold = threshold_on(year) if threshold is None else threshold  # once, not once per organisation
    out = {}
    for org in orgs:
        account = accounts.get(org.pk)
        income = Income(booked=account.booked_operating_income if account else Decimal(0),
                        internal=account.internal_income if account else Decimal(0),
                        rent=rent.get(org.pk, Decimal(0)), reported=account is not None)
        out[org.pk] = income.classify(year, threshold)
    return out


def accounts_of(year: int, orgs) -> dict[int, Account]:
    """{organisation id: its accounts of `year`} of several organisations, in one query."""
    return {a.organisation_id: a for a in Account.objects.filter(year=year, organisation__in=list(orgs))}


def organisations_of_villages(villages, year: int) -> dict[int, list[Organisation]]:
    """{village id: the organisations that counted for it in `year`} (by their village history on the year's last
    day), for several villages in two queries."""
    ids = {v.pk for v in villages}
    out: dict[int, list[Organisation]] = {pk: [] for pk in ids}
    orgs = (Organisation.objects.filter(affiliations__village__in=ids).distinct()
            .prefetch_related("affiliations"))
    last = dt.date(year, 12, 31)
    for o in orgs:
        if (o.established is None or o.established <= last) and (o.closed_on is None or o.closed_on > dt.date(year, 1, 1)):
            village = village_on(o, _day_of(o, year))
            if village in ids and any(a.village_id == village for a in o.affiliations.all()):
                out[village].append(o)
    return out


def organisations_of_village(village, year: int) -> list[Organisation]:
    """The organisations that counted for a village in `year` (by their village history on the year's last day)."""
    return organisations_of_villages([village], year)[village.pk]


def village_income(village, year: int, rents=None, orgs=None, accounts=None, threshold=None) -> Income:
    """A village's operating income in `year`, rolled up from its organisations: their booked 经营性收入 without
    what one of them earned from another (counted once), plus the asset ledger's lease rent of the village.
    (`accounts`: `accounts_of(year, …)` covering its organisations, `threshold`: `threshold_on(year)`, when a page
    already has them.)"""
    orgs = organisations_of_village(village, year) if orgs is None else orgs
    accounts = ([accounts[o.pk] for o in orgs if o.pk in accounts] if accounts is not None
                else list(Account.objects.filter(year=year, organisation__in=orgs)))
    _, rent = rents if rents is not None else rent_by_organisation(year)
    income = Income(booked=sum((a.booked_operating_income - a.internal_income for a in accounts), Decimal(0)),
                    rent=rent.get(village.pk, Decimal(0)), reported=bool(accounts))
    return income.classify(year, threshold)
