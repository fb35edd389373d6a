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
from xiangcun.divisions.models import Division, Level, path_range
from xiangcun.divisions.services import successors_on

from .models import (
    BUILDINGS, Asset, Campaign, Check, CheckResult, Plan, PlanStatus, PublicUse, Route, Status,
)


class AssetError(Exception):
    """A refused operation on an asset; the message is Chinese and says what to do."""


# --- who may do what (declared for the matrix in permissions.py) ----------------------------------

LEDGER_DEPARTMENTS = ("财政", "国资")


def may_edit_ledger(user) -> bool:
    """财政/国资 department staff, the reform office and administrators change the ledger."""
    from xiangcun.accounts.models import Role

    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_administrator or user.role == Role.REFORM_OFFICE or (
        user.role == Role.DEPARTMENT and user.department in LEDGER_DEPARTMENTS)


def may_check(user) -> bool:
    """Township staff check the assets of their township in campaigns (and may propose plans)."""
    from xiangcun.accounts.models import Role

    return may_edit_ledger(user) or (getattr(user, "is_authenticated", False) and user.role == Role.TOWNSHIP)


may_propose = may_check


def _require(ok: bool, message: str):
    if not ok:
        raise AssetError(message)


def _in_scope(user, *units) -> None:
    """A write must leave the record inside the user's jurisdiction."""
    if user is None:
        return
    visible = Division.objects.visible_to(user)
    for unit in units:
        if unit is not None and not visible.filter(pk=unit.pk).exists():
            raise AssetError(f"{unit.name}不在您的管辖范围内")


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
    moved = 0
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
            moved += 1
    return moved


def remember_division_path(sender, instance, **kwargs) -> None:
    """post_init of Division: note the path as loaded (not if deferred), so a save knows whether it moved."""
    instance._asset_path_was = instance.__dict__.get("path")


def sync_division_paths(sender, instance, created=False, raw=False, update_fields=None, **kwargs) -> None:
    """post_save of Division: copy a unit's new path onto the assets it holds or looks after.

    A path changes when a unit (and everything under it) is transferred, including the lower units a
    merger or split moves under the successor; `divisions.services._reparent` saves each of them, so
    every asset's `holder_path` / `custodian_path` follows. Saves that leave the path alone (renames,
    closing a unit) and a new unit getting its first path cost no query. A derived copy, so a plain
    `.update()`, not an audited save (the registry change itself is the audited event)."""
    was = getattr(instance, "_asset_path_was", None)
    instance._asset_path_was = instance.path
    if raw or created or was == "" or was == instance.path:
        return
    for field in ("holder", "custodian"):
        (Asset.all_with_deleted.filter(**{f"{field}_id": instance.pk}).exclude(**{f"{field}_path": instance.path})
         .update(**{f"{field}_path": instance.path}))


def follow_closed_unit(sender, instance, created=False, raw=False, **kwargs) -> None:
    """post_save of Division: when a unit closes (merged, split, abolished) on or before today, the assets
    it looked after pass to its successor at once, inside the registry change's transaction. A closing
    dated in the future waits: the ledger page's 按区划沿革重新确定管护单位 button (refresh_custody) moves them
    once it takes effect."""
    if raw or created or instance.valid_to is None or instance.valid_to > dt.date.today():
        return
    refresh_custody(Asset.objects.filter(custodian_id=instance.pk))


def custody_text(asset: Asset) -> str:
    """"卓克基镇的资产,现由马尔康镇管护" or just the holder's name."""
    if asset.custody_moved:
        return f"原属{asset.holder.name}(已撤并),现由{asset.custodian.name}管护"
    return asset.holder.name


# --- the ledger ----------------------------------------------------------------------------------------

EDITABLE = ("name", "category", "holder", "address", "lon", "lat", "floor_area", "land_area", "built_year",
            "acquired_on", "book_value", "valuation", "valuation_date", "valuation_method", "property_cert",
            "land_cert", "condition", "note")


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


@transaction.atomic
def create_asset(user, ledger_no: str, **values) -> Asset:
    """A new ledger entry (状态 待清查); the custodian is resolved from the holder."""
    holder = values["holder"]
    _in_scope(user, holder)
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
        _in_scope(user, merged["holder"])
        asset.custodian = resolve_custodian(merged["holder"])
    for k, v in merged.items():
        setattr(asset, k, v)
    asset.save()
    _in_scope(user, asset.custodian)
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
    "campaign.check": "核实资产", "campaign.close": "清查核实结束签发",
}
EVENT_LABELS = {"from": "原状态/单位", "to": "新状态/单位", "holder": "原权属单位", "document": "批复文号",
                "justification": "说明理由", "route": "盘活途径", "price": "价格", "valuation": "评估价值",
                "result": "核实结果", "campaign": "清查", "summary": "结论", "unchecked": "未核实数",
                "discrepancies": "差异数"}


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
               "description")


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
    _in_scope(user, values.get("responsible_unit"))
    plan = Plan.objects.create(asset=asset, proposed_by=user, **{k: v for k, v in values.items() if k in PLAN_FIELDS})
    audit.log_event(asset, "plan.propose", {"route": plan.get_route_display(), "to": plan.headline}, actor=user)
    return plan


@transaction.atomic
def approve_plan(plan: Plan, user, approval_document: str = "") -> Plan:
    """Approve a proposed plan with its approval document; the asset becomes 盘活方案已批."""
    plan = Plan.objects.select_for_update().select_related("asset").get(pk=plan.pk)
    _require(plan.status == PlanStatus.PROPOSED, f"该方案{plan.get_status_display()},不能再审批")
    document = (approval_document or plan.approval_document or "").strip()
    _require(document, "批准盘活方案必须填写批复文号")
    _require(plan.asset.status == Status.IDLE, "资产已不是闲置状态,不能批准该方案")
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
    return plan


# --- inventory campaigns ------------------------------------------------------------------------------

@transaction.atomic
def open_campaign(user, name: str, scope: Division, as_of: dt.date, deadline: dt.date | None = None) -> Campaign:
    _require((name or "").strip(), "请填写清查名称")
    _in_scope(user, scope)
    _require(scope.valid_to is None, f"{scope.name}已撤并,请选择现有单位作为清查范围")
    campaign = Campaign.objects.create(name=name.strip(), scope=scope, as_of=as_of, deadline=deadline, created_by=user)
    audit.log_event(campaign, "campaign.open", {"to": scope.name}, path=scope.path, actor=user)
    return campaign


def campaign_assets(campaign: Campaign):
    """Assets the campaign covers: held or kept by a unit under its scope, not yet disposed."""
    where = path_range(campaign.scope.path, "custodian_path") | path_range(campaign.scope.path, "holder_path")
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
def close_campaign(campaign: Campaign, user, summary: str) -> Campaign:
    """Sign off the campaign with a written summary; the counts at sign-off are logged with it."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require(not campaign.closed, "该清查已结束签发")
    _require((summary or "").strip(), "结束清查须填写清查结论")
    progress = campaign_progress(campaign)
    if progress.checked < progress.total:
        _require(len(summary.strip()) >= 10,
                 f"尚有 {progress.total - progress.checked} 项资产未核实:请在结论中说明原因后再签发")
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
        qs = qs.filter(path_range(scope_unit.path, "custodian_path") | path_range(scope_unit.path, "holder_path"))
    if user is not None:
        qs = qs & Asset.objects.visible_to(user)
    return [IdleBuilding(a.pk, a.ledger_no, a.name, a.category, a.get_category_display(), a.custodian_id,
                         a.custodian.name, a.address, a.lon, a.lat, a.floor_area, a.status, a.get_status_display(),
                         a.status_since)
            for a in qs.order_by("ledger_no")]


def lease_income(year: int, villages=None) -> dict[int, Decimal]:
    """Rent the village collectives earn in `year` from leased assets, by village id — for the collective
    economy indicators. A lease is a carried-out 支持产业发展 plan with an annual rent on an asset a village
    held; its rent counts for the days of its term inside the year (an open-ended term runs on) and goes
    to the village that looked after the asset that year: the holder itself, or, once it merged, the
    village that took it over. `villages` (ids) restricts the answer."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    days = (last - first).days + 1
    plans = (Plan.objects.filter(route=Route.INDUSTRY, status=PlanStatus.DONE, annual_rent__isnull=False,
                                 asset__holder__level=Level.VILLAGE, asset__is_deleted=False)
             .filter(Q(term_start__lte=last) | Q(term_start__isnull=True, outcome_date__lte=last))
             .filter(Q(term_end__isnull=True) | Q(term_end__gte=first))
             .select_related("asset__holder"))
    wanted = None if villages is None else set(villages)
    keeper: dict[int, Division] = {}
    income: dict[int, Decimal] = {}
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
        income[village.pk] = income.get(village.pk, Decimal(0)) + (plan.annual_rent * share).quantize(Decimal("0.01"))
    return income


def lease_years(plan: Plan) -> range:
    """The calendar years up to this one that a lease's rent falls in (empty for other routes)."""
    start = plan.term_start or plan.outcome_date
    if plan.route != Route.INDUSTRY or start is None:
        return range(0)
    this_year = dt.date.today().year
    end = min(plan.term_end.year if plan.term_end else this_year, this_year)
    return range(start.year, end + 1)


def township_of(unit: Division) -> Division | None:
    """The township-level unit at or above `unit` (None above township level)."""
    if unit.level == Level.TOWNSHIP:
        return unit
    if unit.level < Level.TOWNSHIP:
        return None
    ids = unit.depth_ids
    return Division.objects.filter(pk__in=ids, level=Level.TOWNSHIP).first()


def search(qs, q: str):
    q = (q or "").strip()
    if not q:
        return qs
    return qs.filter(Q(ledger_no__startswith=q) | Q(name__contains=q) | Q(address__contains=q))
