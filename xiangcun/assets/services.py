"""Domain operations on public assets: the one place views, API, import, commands and demo change them.

Every status change goes through `transition` (or the plan functions that call it) and is recorded
as a named audit event ("asset.mark_idle", "asset.dispose" …). Transitions that could lose state
value are refused without an approval document, and need a written justification when the price
is below the valuation. Writes check that the record stays inside the acting user's jurisdiction.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from xiangcun.core import audit
from xiangcun.divisions import follow
from xiangcun.divisions.models import Division, Level
from xiangcun.divisions.scoping import ensure_in_scope, subtree_q
from xiangcun.divisions.services import successors_on

from .models import (
    BUILDINGS,
    COLLECTIVE_NATURES,
    STATE_NATURES,
    Asset,
    Campaign,
    Category,
    Check,
    CheckResult,
    Nature,
    Plan,
    PlanStatus,
    PublicUse,
    Route,
    Status,
    Venue,
)


class AssetError(Exception):
    """A refused operation on an asset; the message is Chinese and says what to do."""


class UncheckedConfirmation(AssetError):
    """Signing off with unchecked assets needs the signer to confirm that count (it may have changed)."""

    def __init__(self, unchecked: int):
        super().__init__(f"还有{unchecked}项资产未核实,确认签收?")
        self.unchecked = unchecked


def _require(ok: bool, message: str):
    if not ok:
        raise AssetError(message)


# --- custody through mergers -------------------------------------------------------------------------

def resolve_custodian(holder: Division, when: dt.date | None = None) -> Division:
    """The current unit that looks after assets of `holder`: itself while it exists, else its successor
    through the division lineage (a merged unit's assets go to the unit it merged into). A unit split in
    several goes to the first successor; a unit abolished without successor, to its parent's custodian."""
    when = when or dt.date.today()
    found = successors_on(holder, when)
    if found:
        return found[0]
    if holder.parent_id:
        return resolve_custodian(holder.parent, when)
    return holder


def refresh_custody(assets, user=None, when: dt.date | None = None) -> int:
    """Re-resolve the custodian of each asset (after registry changes); returns how many moved.
    Each move is saved (audited) and logged as "asset.custody"."""
    when = when or dt.date.today()
    cache: dict[int, Division] = {}
    moved_ids: list[int] = []
    with transaction.atomic():
        for asset in assets.select_related("holder", "custodian").iterator(chunk_size=2000):
            if asset.holder_id not in cache:
                cache[asset.holder_id] = resolve_custodian(asset.holder, when)
            target = cache[asset.holder_id]
            if target.pk == asset.custodian_id:
                continue
            before = asset.custodian.name
            asset.custodian = target
            with audit.as_action("asset.custody", data={"from": before, "to": target.name,
                                                        "holder": asset.holder.name}, actor=user):
                asset.save(update_fields=["custodian"])
            moved_ids.append(asset.pk)
        leases_moved(moved_ids)  # the rent of their leases follows the custody
    return len(moved_ids)


def follow_path(unit: Division, old_path: str, new_path: str) -> None:
    """Follow-hook path_changed: copy a unit's new path onto the assets it holds or looks after (deleted
    ones too), so scoping and statistics, which read `holder_path` / `custodian_path`, follow it."""
    for field in ("holder", "custodian"):
        follow.retarget_paths(Asset.all_with_deleted, field, f"{field}_path", unit, new_path)


def follow_closed_unit(unit: Division, when: dt.date) -> None:
    """Follow-hook unit_closed: when a unit closes (merged, split, abolished) on or before today, the assets
    it looked after pass to its successor at once, inside the registry change's transaction. A closing
    dated in the future waits: the ledger page's 按区划沿革重新确定管护单位 button (refresh_custody) moves them
    once it takes effect."""
    if when > dt.date.today():
        return
    refresh_custody(Asset.objects.filter(custodian_id=unit.pk))


def custody_text(asset: Asset) -> str:
    """"卓克基镇的资产,现由马尔康镇管护" or just the holder's name."""
    if asset.custody_moved:
        return f"原属{asset.holder.name}(已撤并),现由{asset.custodian.name}管护"
    return asset.holder.name


# --- the ledger ----------------------------------------------------------------------------------------

EDITABLE = ("name", "category", "holder", "address", "lon", "lat", "floor_area", "land_area", "built_year",
            "acquired_on", "book_value", "valuation", "valuation_date", "valuation_method", "property_cert",
            "land_cert", "condition", "note", "nature", "owner_body", "owner_organisation", "funding", "restricted",
            "valuer", "valuer_registration")


def validate(values: dict) -> None:
    """Rules of one asset record that the form, the import and the API all apply."""
    today = dt.date.today()
    for name, label in (("floor_area", "建筑面积"), ("land_area", "占地面积"), ("book_value", "账面价值"),
                        ("valuation", "评估价值")):
        v = values.get(name)
        if v is not None and v < 0:
            raise AssetError(f"{label}不能为负数")
    for name, label in (("acquired_on", "取得日期"), ("valuation_date", "评估日期")):
        v = values.get(name)
        if v is not None and v > today:
            raise AssetError(f"{label} {v} 晚于今天,不能是将来的日期")
    year = values.get("built_year")
    if year is not None and not 1900 <= year <= today.year:
        raise AssetError(f"建成年份 {year} 不合理(应在 1900 至 {today.year} 之间)")
    if values.get("valuation") is not None and not values.get("valuation_date"):
        raise AssetError("填写评估价值时须填写评估日期")
    if (values.get("lon") is None) != (values.get("lat") is None):
        raise AssetError("经度和纬度须同时填写")
    validate_ownership(values)


# --- property rights ---------------------------------------------------------------------------------

def validate_ownership(values: dict) -> None:
    """产权性质 and owner agree: a state asset is owned by a body (a department, a township government, a state
    company's sponsor), a collective one by a collective economic organisation (组级 by a 组级 one); an asset
    still 待核实 may name the owner it is thought to have, but not two."""
    nature = values.get("nature") or Nature.UNVERIFIED
    body, org = values.get("owner_body"), values.get("owner_organisation")
    if body is not None and org is not None:
        raise AssetError("产权单位只能是一个:机构或集体经济组织,不能同时填写")
    if nature in STATE_NATURES and body is None:
        raise AssetError(f"产权性质为{Nature(nature).label}的资产须填写产权单位(机构),不能是集体经济组织")
    if nature in COLLECTIVE_NATURES:
        if org is None:
            raise AssetError(f"产权性质为{Nature(nature).label}的资产须填写产权单位(集体经济组织)")
        if nature == Nature.COLLECTIVE_GROUP and org.level != "group":
            raise AssetError(f"组级集体资产的产权单位应为组级集体经济组织,“{org.name}”是村级组织")
        if nature == Nature.COLLECTIVE_VILLAGE and org.level != "village":
            raise AssetError(f"村级集体资产的产权单位应为村级集体经济组织,“{org.name}”是组级组织")
    if values.get("valuer_registration") and not values.get("valuer"):
        raise AssetError("填写评估机构备案编号时须填写评估机构名称")


def ownership_text(asset: Asset) -> str:
    """"集体-村级,产权属党坝村股份经济合作社" (or 待核实)."""
    if asset.nature == Nature.UNVERIFIED:
        return "产权性质待核实" + (f"(拟属{asset.owner.name})" if asset.owner else "")
    return f"{asset.get_nature_display()},产权属{asset.owner.name}" if asset.owner else asset.get_nature_display()


# 单项价值达到此数的国有资产处置由县级财政(国资)部门审批,以下由产权单位的主管机构审批
STATE_APPROVAL_LIMIT = Decimal("500000")


def approving_authority(asset: Asset):
    """The body with authority to approve disposing of a state asset of this value: the county's 财政 (国资)
    department at or above STATE_APPROVAL_LIMIT (valuation, else book value); below it the owner's supervising
    body — a township office's government, a county department itself."""
    from xiangcun.bodies import services as bodies

    owner = asset.owner_body
    if owner is None:
        return None
    value = asset.valuation if asset.valuation is not None else (asset.book_value or Decimal(0))
    if value >= STATE_APPROVAL_LIMIT:
        county = bodies.county_of(owner.unit) or bodies.county_of(asset.holder)
        if county is not None:
            return bodies.department_body(county, "国资", create=False) or bodies.department_body(county, "财政")
    while owner.parent_id and owner.kind in ("township_office", "township_institution"):
        owner = owner.parent
    return owner.final_successor()


SALE_FORBIDDEN = {Category.VILLAGE_HALL: "村级活动场所是村级组织办公和服务群众的场所,不得出售"}
DELIBERATION = (("proposed_on", "党组织提议"), ("reviewed_on", "两委会议商议"), ("party_meeting_on", "党员大会审议"),
                ("villagers_meeting_on", "村民(代表)会议决议"), ("resolution_published_on", "决议公开"))


def check_route_allowed(asset: Asset, route: str) -> None:
    """Refuse a route the asset's property rights do not allow, saying why."""
    if route == Route.STATE_CAPITAL:
        _require(asset.nature != Nature.UNVERIFIED, "该资产产权性质待核实:须先核实产权性质和产权单位,才能补充国有资本")
        _require(asset.is_state, f"补充国有资本只适用于国有资产;该资产为{asset.get_nature_display()},"
                                 "集体资产不得补充国有资本")
    if route == Route.SALE:
        _require(asset.nature != Nature.UNVERIFIED, "该资产产权性质待核实:须先核实产权性质和产权单位,才能出售")
        _require(asset.category not in SALE_FORBIDDEN, SALE_FORBIDDEN.get(asset.category, ""))
        _require(not asset.restricted, f"该资产由{asset.get_funding_display() or '受限资金'}形成,处置受限,不得出售"
                                       "(可出租或改作公益用途)")


def missing_deliberation(plan: Plan) -> list[str]:
    """The steps of 四议两公开 (before the decision) a collective asset's plan has not recorded yet."""
    return [label for name, label in DELIBERATION if getattr(plan, name) is None]


@transaction.atomic
def record_deliberation(plan: Plan, user, **dates) -> Plan:
    """Record the dates of 四议两公开 for a collective asset's lease or disposal (党组织提议, 两委会议商议, 党员大会
    审议, 村民(代表)会议决议, 决议公开; 实施结果公开 comes with the outcome). They must follow in that order and
    not lie in the future."""
    plan = Plan.objects.select_for_update().select_related("asset").get(pk=plan.pk)
    _require(plan.status in (PlanStatus.PROPOSED, PlanStatus.APPROVED), "只能为待审批或已批准的方案登记四议两公开")
    ensure_in_scope(user, plan.asset.custodian)
    for name, _ in DELIBERATION:
        if dates.get(name) is not None:
            setattr(plan, name, dates[name])
    _check_deliberation_order(plan)
    plan.save()
    audit.log_event(plan.asset, "plan.deliberation", {"route": plan.get_route_display(),
                                                      "steps": "、".join(f"{label}{getattr(plan, name)}" for name, label in DELIBERATION
                                                                        if getattr(plan, name))}, actor=user)
    return plan


def _check_deliberation_order(plan: Plan) -> None:
    today = dt.date.today()
    previous = None
    for name, label in DELIBERATION + (("result_published_on", "实施结果公开"),):
        value = getattr(plan, name)
        if value is None:
            continue
        _require(value <= today, f"{label}日期 {value} 晚于今天")
        if previous is not None:
            _require(value >= previous[1], f"{label}({value})不能早于{previous[0]}({previous[1]})")
        previous = (label, value)


@transaction.atomic
def create_asset(user, ledger_no: str, **values) -> Asset:
    """A new ledger entry (状态 待清查); the custodian is resolved from the holder."""
    holder = values["holder"]
    ensure_in_scope(user, holder)
    validate(values)
    if Asset.all_with_deleted.filter(ledger_no=ledger_no).exists():
        raise AssetError(f"资产编号 {ledger_no} 已存在")
    asset = Asset(ledger_no=ledger_no, custodian=resolve_custodian(holder), status_since=dt.date.today(),
                  **{k: v for k, v in values.items() if k in EDITABLE})
    asset.save()
    return asset


@transaction.atomic
def update_asset(asset: Asset, user, **values) -> bool:
    """Change the ledger fields of an asset (not its status); returns whether anything changed."""
    current = {k: getattr(asset, k) for k in EDITABLE}
    merged = current | {k: v for k, v in values.items() if k in EDITABLE}
    validate(merged)
    if merged == current:
        return False
    if merged["holder"] != current["holder"]:
        ensure_in_scope(user, merged["holder"])
        asset.custodian = resolve_custodian(merged["holder"])
    for k, v in merged.items():
        setattr(asset, k, v)
    asset.save()
    ensure_in_scope(user, asset.custodian)
    leases_moved([asset.pk])  # a new holder (and so keeper) takes its leases' rent along
    return True


# --- the lifecycle ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Transition:
    label: str
    sources: tuple
    target: str
    needs_document: bool = False
    needs_reason: bool = False


# Plain transitions a ledger editor triggers from the asset page. Plan approval and completion
# (→ 盘活方案已批, → 已盘活 / 已处置) go through the plan functions below, which call `_move`.
TRANSITIONS = {
    "check": Transition("确认已清查", (Status.PENDING,), Status.CHECKED),
    "put_in_use": Transition("登记为在用", (Status.CHECKED, Status.IDLE), Status.IN_USE),
    "mark_idle": Transition("登记为闲置", (Status.CHECKED, Status.IN_USE, Status.REVITALISED), Status.IDLE),
    "write_off": Transition("报废核销", (Status.CHECKED, Status.IN_USE, Status.IDLE), Status.DISPOSED,
                            needs_document=True, needs_reason=True),
}
EVENTS = {
    "asset.check": "资产确认已清查", "asset.put_in_use": "资产登记为在用", "asset.mark_idle": "资产登记为闲置",
    "asset.write_off": "资产报废核销", "asset.approve_plan": "批准盘活方案", "asset.revitalise": "资产已盘活",
    "asset.dispose": "资产已处置", "asset.cancel_plan": "撤销盘活方案", "asset.custody": "资产管护单位变更",
    "plan.propose": "提出盘活方案", "plan.reject": "驳回盘活方案", "campaign.open": "发起清查核实",
    "campaign.check": "核实资产", "campaign.close": "清查核实结束签发", "plan.deliberation": "登记四议两公开",
}
EVENT_LABELS = {"from": "原状态/单位", "to": "新状态/单位", "holder": "原权属单位", "document": "批复文号",
                "justification": "说明理由", "route": "盘活途径", "price": "价格", "valuation": "评估价值",
                "result": "核实结果", "campaign": "清查", "summary": "结论", "unchecked": "未核实数",
                "discrepancies": "差异数", "steps": "程序"}


def _move(asset: Asset, target: str, action: str, user, when: dt.date | None = None, **data) -> None:
    before = asset.get_status_display()
    asset.status = target
    asset.status_since = when or dt.date.today()
    # the save itself is the named event, with its before/after snapshot
    with audit.as_action(action, data={"from": before, "to": asset.get_status_display(), **data}, actor=user):
        asset.save(update_fields=["status", "status_since"])


@transaction.atomic
def transition(asset: Asset, action: str, user, when: dt.date | None = None, document: str = "",
               reason: str = "") -> Asset:
    """Apply a named lifecycle step; refuse one that does not start from the asset's status or lacks
    what it needs (an approval document, a written reason)."""
    step = TRANSITIONS.get(action)
    if step is None:
        raise AssetError("未知的操作")
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    if asset.status not in step.sources:
        allowed = "、".join(Status(s).label for s in step.sources)
        raise AssetError(f"“{step.label}”只适用于状态为{allowed}的资产,该资产当前为{asset.get_status_display()}")
    document, reason = (document or "").strip(), (reason or "").strip()
    if step.needs_document and not document:
        raise AssetError(f"“{step.label}”会使国有资产减少,必须填写批复文号")
    if step.needs_reason and not reason:
        raise AssetError(f"“{step.label}”必须填写说明理由")
    if when and when > dt.date.today():
        raise AssetError("日期不能晚于今天")
    data = {k: v for k, v in (("document", document), ("justification", reason)) if v}
    _move(asset, step.target, f"asset.{action}", user, when, **data)
    return asset


def available_transitions(asset: Asset) -> list[tuple[str, Transition]]:
    return [(name, t) for name, t in TRANSITIONS.items() if asset.status in t.sources]


# --- revitalisation plans -----------------------------------------------------------------------------

ROUTE_FIELDS = {
    Route.PUBLIC_USE: (("new_use", "新用途"),),
    Route.INDUSTRY: (("lessee", "承租方/使用方"), ("annual_rent", "年租金"), ("term_start", "租期起"),
                     ("term_end", "租期止")),
    Route.SALE: (("buyer", "受让方"),),
    Route.STATE_CAPITAL: (("recipient", "接收国有企业"),),
}
PLAN_FIELDS = ("route", "new_use", "lessee", "annual_rent", "term_start", "term_end", "buyer", "sale_price",
               "recipient", "transfer_value", "planned_date", "approval_document", "responsible_unit",
               "description", "venue", "transaction_ref", "result_published_on")


def _check_plan_fields(values: dict) -> None:
    route = values.get("route")
    _require(route in Route.values, "请选择盘活途径")
    missing = [label for name, label in ROUTE_FIELDS[route] if values.get(name) in (None, "")]
    _require(not missing, f"“{Route(route).label}”需要填写:{'、'.join(missing)}")
    if route == Route.PUBLIC_USE:
        _require(values["new_use"] in PublicUse.values, "新用途无效")
    for name in ("annual_rent", "sale_price", "transfer_value"):
        _require(values.get(name) is None or values[name] >= 0, "金额不能为负数")
    if values.get("term_start") and values.get("term_end"):
        _require(values["term_end"] > values["term_start"], "租期止应晚于租期起")


@transaction.atomic
def propose_plan(asset: Asset, user, **values) -> Plan:
    """A revitalisation plan for an idle asset (待审批); township staff and ledger editors propose."""
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    _require(asset.status == Status.IDLE, f"只有闲置资产可以提出盘活方案,该资产当前为{asset.get_status_display()}")
    _require(not asset.plans.filter(status__in=[PlanStatus.PROPOSED, PlanStatus.APPROVED]).exists(),
             "该资产已有待审批或已批准的盘活方案")
    _check_plan_fields(values)
    check_route_allowed(asset, values["route"])
    ensure_in_scope(user, values.get("responsible_unit"))
    plan = Plan.objects.create(asset=asset, proposed_by=user, **{k: v for k, v in values.items() if k in PLAN_FIELDS})
    audit.log_event(asset, "plan.propose", {"route": plan.get_route_display(), "to": plan.headline}, actor=user)
    return plan


@transaction.atomic
def approve_plan(plan: Plan, user, approval_document: str = "", approving_body=None) -> Plan:
    """Approve a proposed plan with its approval document; the asset becomes 盘活方案已批. A state asset's sale or
    transfer is approved by the body with authority for its value (recorded; another body is refused); a
    collective asset's lease or sale needs 四议两公开 recorded up to the resolution's publication first."""
    plan = Plan.objects.select_for_update().select_related("asset").get(pk=plan.pk)
    _require(plan.status == PlanStatus.PROPOSED, f"该方案{plan.get_status_display()},不能再审批")
    document = (approval_document or plan.approval_document or "").strip()
    _require(document, "批准盘活方案必须填写批复文号")
    _require(plan.asset.status == Status.IDLE, "资产已不是闲置状态,不能批准该方案")
    asset = plan.asset
    check_route_allowed(asset, plan.route)
    if asset.is_state and plan.route in (Route.SALE, Route.STATE_CAPITAL):
        authority = approving_authority(asset)
        if approving_body is not None and authority is not None and approving_body.pk != authority.pk:
            value = asset.valuation if asset.valuation is not None else asset.book_value
            raise AssetError(f"价值 {value or 0:,.2f} 元的国有资产处置须由{authority.name}审批,{approving_body.name}无此权限")
        plan.approving_body = authority
    elif approving_body is not None:
        plan.approving_body = approving_body
    if asset.is_collective and plan.route in (Route.INDUSTRY, Route.SALE):
        missing = missing_deliberation(plan)
        _require(not missing, f"集体资产{plan.get_route_display()}须先履行“四议两公开”程序,尚未登记:{'、'.join(missing)}")
    plan.status, plan.approval_document = PlanStatus.APPROVED, document
    plan.decided_by, plan.decided_at = user, timezone.now()
    plan.save()
    _move(plan.asset, Status.PLAN_APPROVED, "asset.approve_plan", user, document=document,
          route=plan.get_route_display())
    return plan


@transaction.atomic
def reject_plan(plan: Plan, user, reason: str) -> Plan:
    plan = Plan.objects.select_for_update().select_related("asset").get(pk=plan.pk)
    _require(plan.status == PlanStatus.PROPOSED, f"该方案{plan.get_status_display()},不能驳回")
    _require((reason or "").strip(), "驳回方案须填写理由")
    plan.status, plan.decided_by, plan.decided_at = PlanStatus.REJECTED, user, timezone.now()
    plan.outcome_note = reason.strip()[:500]
    plan.save()
    audit.log_event(plan.asset, "plan.reject", {"route": plan.get_route_display(), "justification": reason}, actor=user)
    return plan


@transaction.atomic
def cancel_plan(plan: Plan, user, reason: str) -> Plan:
    """Withdraw an approved plan that will not happen; the asset goes back to 闲置."""
    plan = Plan.objects.select_for_update().select_related("asset").get(pk=plan.pk)
    _require(plan.status == PlanStatus.APPROVED, "只有已批准未实施的方案可以撤销")
    _require((reason or "").strip(), "撤销方案须填写理由")
    plan.status, plan.outcome_note = PlanStatus.CANCELLED, reason.strip()[:500]
    plan.save()
    _move(plan.asset, Status.IDLE, "asset.cancel_plan", user, justification=reason)
    return plan


def check_procedure(plan: Plan, outcome_date: dt.date) -> None:
    """How a sale or lease is carried out, by the asset's nature: a state asset is sold by open transaction at an
    产权交易机构 on an appraisal by a registered valuer; a collective asset is transferred on the 农村产权交易
    platform, and its lease or sale publishes its result (the second 公开) once carried out."""
    asset = plan.asset
    if plan.route == Route.SALE and asset.is_state:
        _require(plan.venue == Venue.STATE_EXCHANGE and plan.transaction_ref,
                 "国有资产出售须在产权交易机构公开进场交易:请填写交易方式和挂牌/成交编号")
        _require(asset.valuation is not None and asset.valuer and asset.valuer_registration,
                 "国有资产出售须由备案的评估机构评估:请在资产台账中填写评估价值、评估机构和评估机构备案编号")
    if plan.route == Route.SALE and asset.is_collective:
        _require(plan.venue == Venue.RURAL_EXCHANGE and plan.transaction_ref,
                 "集体资产转让须通过农村产权交易平台:请填写交易方式和挂牌/成交编号")
    if asset.is_collective and plan.route in (Route.INDUSTRY, Route.SALE):
        missing = missing_deliberation(plan)
        _require(not missing, f"集体资产{plan.get_route_display()}须先履行“四议两公开”程序,尚未登记:{'、'.join(missing)}")
        _require(plan.result_published_on is not None, "集体资产出租、出售实施后须公开实施结果:请填写实施结果公开日期")
        _require(plan.result_published_on >= outcome_date, "实施结果公开日期不能早于实施日期")
        _check_deliberation_order(plan)


def value_loss(plan: Plan, price: Decimal | None) -> Decimal | None:
    """How far below the asset's valuation a sale or transfer goes (None when not below or unknown)."""
    valuation = plan.asset.valuation
    if price is None or valuation is None or price >= valuation:
        return None
    return valuation - price


@transaction.atomic
def complete_plan(plan: Plan, user, outcome_date: dt.date, justification: str = "", outcome_note: str = "",
                  **actual) -> Plan:
    """Record what was done. Public use and leases make the asset 已盘活; a sale or a transfer to a state
    company makes it 已处置. A sale or transfer below the valuation needs a written justification (logged);
    one without an approval document, or without a price, is refused."""
    plan = Plan.objects.select_for_update().select_related("asset").get(pk=plan.pk)
    _require(plan.status == PlanStatus.APPROVED, f"该方案{plan.get_status_display()},不能登记实施")
    _require(plan.approval_document, "没有批复文号的方案不能实施")
    _require(outcome_date is not None, "请填写实施日期")
    _require(outcome_date <= dt.date.today(), "实施日期不能晚于今天")
    for k, v in actual.items():
        if k in PLAN_FIELDS and v not in (None, ""):
            setattr(plan, k, v)
    _check_plan_fields({k: getattr(plan, k) for k in PLAN_FIELDS})
    check_procedure(plan, outcome_date)
    justification = (justification or "").strip()
    data = {"route": plan.get_route_display(), "document": plan.approval_document}
    if plan.route in (Route.SALE, Route.STATE_CAPITAL):
        price = plan.sale_price if plan.route == Route.SALE else plan.transfer_value
        _require(price is not None, "请填写成交价格" if plan.route == Route.SALE else "请填写注入价值")
        _require(plan.asset.valuation is not None or justification,
                 "该资产没有评估价值:处置前须先评估,或填写未评估的理由")
        loss = value_loss(plan, price)
        if loss is not None:
            _require(justification, f"成交价 {price:,.2f} 元低于评估价值 {plan.asset.valuation:,.2f} 元"
                                    f"(少 {loss:,.2f} 元),可能造成国有资产流失:须填写说明理由后才能登记")
        data.update(price=str(price), valuation=str(plan.asset.valuation or ""))
        target, action = Status.DISPOSED, "asset.dispose"
    else:
        target, action = Status.REVITALISED, "asset.revitalise"
    if justification:
        data["justification"] = justification
    plan.status, plan.outcome_date, plan.justification = PlanStatus.DONE, outcome_date, justification[:500]
    plan.outcome_note = (outcome_note or "")[:500]
    plan.save()
    _move(plan.asset, target, action, user, outcome_date, **data)
    lease_carried_out(plan)
    return plan


# --- inventory campaigns ------------------------------------------------------------------------------

@transaction.atomic
def open_campaign(user, name: str, scope: Division, as_of: dt.date, deadline: dt.date | None = None) -> Campaign:
    _require((name or "").strip(), "请填写清查名称")
    ensure_in_scope(user, scope)
    _require(scope.valid_to is None, f"{scope.name}已撤并,请选择现有单位作为清查范围")
    campaign = Campaign.objects.create(name=name.strip(), scope=scope, as_of=as_of, deadline=deadline, created_by=user)
    audit.log_event(campaign, "campaign.open", {"to": scope.name}, path=scope.path, actor=user)
    return campaign


def campaign_assets(campaign: Campaign):
    """Assets the campaign covers: held or kept by a unit under its scope, not yet disposed."""
    where = subtree_q(campaign.scope.path, "custodian_path") | subtree_q(campaign.scope.path, "holder_path")
    return Asset.objects.filter(where).exclude(status=Status.DISPOSED)


@transaction.atomic
def record_check(campaign: Campaign, asset: Asset, user, result: str, note: str = "",
                 found_floor_area: Decimal | None = None, found_condition: str = "") -> Check:
    """One asset checked in a campaign (again: the last check counts). A found or changed asset that was
    待清查 becomes 已清查; a changed or missing one is a discrepancy for the sign-off."""
    _require(not campaign.closed, "该清查已结束签发,不能再登记")
    _require(result in CheckResult.values, "请选择核实结果")
    _require(campaign_assets(campaign).filter(pk=asset.pk).exists(), "该资产不在本次清查范围内")
    if user is not None:
        _require(Asset.objects.visible_to(user).filter(pk=asset.pk).exists(), "该资产不在您的管辖范围内")
    _require(result != CheckResult.CHANGED or note or found_floor_area is not None or found_condition,
             "“有变化”须说明变化情况")
    _require(result != CheckResult.NOT_FOUND or (note or "").strip(), "“未找到”须填写核实说明")
    _require(found_floor_area is None or found_floor_area >= 0, "实测面积不能为负数")
    check, _ = Check.objects.update_or_create(campaign=campaign, asset=asset, defaults=dict(
        result=result, note=(note or "")[:300], found_floor_area=found_floor_area, found_condition=found_condition or "",
        checked_by=user))
    audit.log_event(asset, "campaign.check", {"campaign": campaign.name, "result": check.get_result_display()},
                    actor=user)
    if asset.status == Status.PENDING and result != CheckResult.NOT_FOUND:
        _move(asset, Status.CHECKED, "asset.check", user, campaign=campaign.name)
    return check


@dataclass
class CampaignProgress:
    total: int
    checked: int
    discrepancies: int
    unchecked_abolished: int

    @property
    def percent(self) -> int:
        return round(100 * self.checked / self.total) if self.total else 100


def campaign_progress(campaign: Campaign, assets=None) -> CampaignProgress:
    assets = assets if assets is not None else campaign_assets(campaign)
    checked_ids = Check.objects.filter(campaign=campaign).values("asset_id")
    return CampaignProgress(
        total=assets.count(),
        checked=assets.filter(pk__in=checked_ids).count(),
        discrepancies=campaign.checks.exclude(result=CheckResult.FOUND).count(),
        unchecked_abolished=assets.exclude(pk__in=checked_ids).filter(holder__valid_to__isnull=False).count(),
    )


@transaction.atomic
def close_campaign(campaign: Campaign, user, summary: str, confirm_unchecked: int | None = None) -> Campaign:
    """Sign off the campaign with a written summary; the counts at sign-off are logged with it.
    A person signing in the browser passes `confirm_unchecked`, the unchecked count they were shown:
    unless it is today's count, UncheckedConfirmation asks them (again) to confirm."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require(not campaign.closed, "该清查已结束签发")
    _require((summary or "").strip(), "结束清查须填写清查结论")
    progress = campaign_progress(campaign)
    if progress.checked < progress.total:
        _require(len(summary.strip()) >= 10,
                 f"尚有 {progress.total - progress.checked} 项资产未核实:请在结论中说明原因后再签发")
        if confirm_unchecked is not None and confirm_unchecked != progress.total - progress.checked:
            raise UncheckedConfirmation(progress.total - progress.checked)
    campaign.closed, campaign.summary = True, summary.strip()
    campaign.signed_off_by, campaign.signed_off_at = user, timezone.now()
    campaign.save()
    audit.log_event(campaign, "campaign.close", {"summary": campaign.summary, "unchecked": progress.total - progress.checked,
                                                 "discrepancies": progress.discrepancies},
                    path=campaign.scope.path, actor=user)
    return campaign


# --- what other modules read -----------------------------------------------------------------------------

@dataclass(frozen=True)
class IdleBuilding:
    id: int
    ledger_no: str
    name: str
    category: str
    category_label: str
    custodian_id: int
    custodian: str
    address: str
    lon: float | None
    lat: float | None
    floor_area: Decimal | None
    status: str
    status_label: str
    idle_since: dt.date | None


def idle_buildings(scope_unit: Division | None = None, user=None) -> list[IdleBuilding]:
    """Idle buildings (闲置 or 已清查 not in use) under `scope_unit` — candidate sites for the facility planner.

    Plain data: category, location, floor area and status. Pass `user` to restrict to their jurisdiction."""
    qs = Asset.objects.filter(category__in=BUILDINGS, status=Status.IDLE).select_related("custodian")
    if scope_unit is not None:
        qs = qs.filter(subtree_q(scope_unit.path, "custodian_path") | subtree_q(scope_unit.path, "holder_path"))
    if user is not None:
        qs = qs & Asset.objects.visible_to(user)
    return [IdleBuilding(a.pk, a.ledger_no, a.name, a.category, a.get_category_display(), a.custodian_id,
                         a.custodian.name, a.address, a.lon, a.lat, a.floor_area, a.status, a.get_status_display(),
                         a.status_since)
            for a in qs.order_by("ledger_no")]


@dataclass(frozen=True)
class LeaseShare:
    """One lease's rent falling in a year: the asset, its holder, the village that kept it, its owner on record."""

    plan_id: int
    asset_id: int
    holder_id: int
    village_id: int
    owner_organisation_id: int | None
    nature: str
    amount: Decimal


def lease_shares(year: int, villages=None) -> list[LeaseShare]:
    """The rent of each lease in `year` (see `lease_income`), one row per lease; `villages` (ids) restricts it.
    The collective economy module attributes each to the organisation owning the asset."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    days = (last - first).days + 1
    plans = (Plan.objects.filter(route=Route.INDUSTRY, status=PlanStatus.DONE, annual_rent__isnull=False,
                                 asset__holder__level=Level.VILLAGE, asset__is_deleted=False)
             .filter(Q(term_start__lte=last) | Q(term_start__isnull=True, outcome_date__lte=last))
             .filter(Q(term_end__isnull=True) | Q(term_end__gte=first))
             .select_related("asset__holder"))
    wanted = None if villages is None else set(villages)
    keeper: dict[int, Division] = {}
    out = []
    for plan in plans:
        holder = plan.asset.holder
        if holder.pk not in keeper:
            keeper[holder.pk] = resolve_custodian(holder, min(last, dt.date.today()))
        village = keeper[holder.pk]
        if village.level != Level.VILLAGE or (wanted is not None and village.pk not in wanted):
            continue
        start = max(plan.term_start or plan.outcome_date, first)
        end = min(plan.term_end or last, last)
        share = Decimal((end - start).days + 1) / Decimal(days)
        out.append(LeaseShare(plan.pk, plan.asset_id, holder.pk, village.pk, plan.asset.owner_organisation_id,
                              plan.asset.nature, (plan.annual_rent * share).quantize(Decimal("0.01"))))
    return out


def collective_lease_shares(year: int) -> list[LeaseShare]:
    """The year's lease shares that are collective income: a state asset's rent is not (registered with
    `collective.services.register_rent_source`)."""
    return [share for share in lease_shares(year) if share.nature not in STATE_NATURES]


def lease_income(year: int, villages=None) -> dict[int, Decimal]:
    """Rent the village collectives earn in `year` from leased assets, by village id — for the collective
    economy indicators. A lease is a carried-out 支持产业发展 plan with an annual rent on an asset a village
    held; its rent counts for the days of its term inside the year (an open-ended term runs on) and goes
    to the village that looked after the asset that year: the holder itself, or, once it merged, the
    village that took it over. `villages` (ids) restricts the answer."""
    income: dict[int, Decimal] = {}
    for share in lease_shares(year, villages):
        income[share.village_id] = income.get(share.village_id, Decimal(0)) + share.amount
    return income


def lease_years(plan: Plan) -> range:
    """The calendar years up to this one that a lease's rent falls in (empty for other routes)."""
    start = plan.term_start or plan.outcome_date
    if plan.route != Route.INDUSTRY or start is None:
        return range(0)
    this_year = dt.date.today().year
    end = min(plan.term_end.year if plan.term_end else this_year, this_year)
    return range(start.year, end + 1)


# --- what other modules follow ----------------------------------------------------------------------
# Lease income (`lease_income`) feeds the collective-economy indicators. The ledger's writes that change
# it call `lease_income_changed(years, villages)` on the followers registered here (indicators, in its
# AppConfig.ready), inside the write's transaction: `villages` (ids) whose rent in those `years` may
# have changed, or None for every village. No signal: these are the only calls.

LEDGER = follow.Registry("lease_income_changed")


def lease_carried_out(plan: Plan) -> None:
    """A lease was carried out: its rent counts in its years for the villages that kept the asset then
    (the holder before a merger, its successor after)."""
    years = set(lease_years(plan))
    if not years:
        return
    holder, today = plan.asset.holder, dt.date.today()
    keepers = {resolve_custodian(holder, min(dt.date(y, 12, 31), today)).pk for y in years}
    LEDGER.call("lease_income_changed", years, keepers)


def delete_asset(asset: Asset, user, reason: str) -> None:
    """Mark an asset deleted (core.ledger: kept, restorable); its leases' rent leaves the collective-economy
    indicators. Delete and restore assets through these two, not the model's soft_delete/restore."""
    with transaction.atomic():
        asset.soft_delete(user, reason)
        leases_moved([asset.pk])


def restore_asset(asset: Asset, user) -> None:
    """Bring a deleted asset back; its leases' rent counts again."""
    with transaction.atomic():
        asset.restore(user)
        leases_moved([asset.pk])


def leases_moved(asset_ids) -> None:
    """These assets changed hands (custody, holder) or left or came back to the ledger: their leases'
    rent may now belong to other villages, in every year of those leases."""
    if not asset_ids:
        return
    years = {y for plan in Plan.objects.filter(asset_id__in=list(asset_ids), route=Route.INDUSTRY)
             for y in lease_years(plan)}
    if years:
        LEDGER.call("lease_income_changed", years, None)


def search(qs, q: str):
    q = (q or "").strip()
    if not q:
        return qs
    return qs.filter(Q(ledger_no__startswith=q) | Q(name__contains=q) | Q(address__contains=q))
