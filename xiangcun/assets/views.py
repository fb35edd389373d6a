"""Pages of the assets module. Views are thin: they scope (Asset.objects.visible_to), call services, render."""
import datetime as dt

from django.contrib import messages
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xiangcun.core import params
from xiangcun.core.audit_display import history_card
from xiangcun.core.downloads import uploaded_file_response
from xiangcun.core.excel import export_response
from xiangcun.core.excel_views import ImportView, template_response
from xiangcun.core.ledger import LedgerError
from xiangcun.core.paging import CappedPaginator
from xiangcun.core.validators import form_errors_text
from xiangcun.divisions.models import Division, Level
from xiangcun.divisions.scoping import OutOfScope, requested_unit

from . import permissions, services, stats
from .filters import MAX_MONTHS, filtered
from .forms import AssetForm, CampaignForm, CheckForm, DeliberationForm, OutcomeForm, PlanForm
from .imports import AssetImporter
from .models import (
    Asset,
    Attachment,
    AttachmentKind,
    Campaign,
    Category,
    Check,
    CheckResult,
    Nature,
    Plan,
    PlanStatus,
    Route,
    Status,
)

PAGE_SIZE = 50
REFORM_START = dt.date(2021, 1, 1)  # the "second half" of the reform: default start of statistics periods
MAX_UPLOAD = 20 * 1024 * 1024


def _assets(request):
    return Asset.objects.visible_to(request.user)


def _date(value, default=None):
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return default


def unit_options(user, current_only=False):
    """Units for a filter dropdown: down to two levels below the user's jurisdiction, at most townships
    (a province user picks among ~200 counties, not 3,000 townships)."""
    top = user.jurisdiction.level if user.jurisdiction_id else Level.PROVINCE
    deepest = min(Level.TOWNSHIP, max(top + 1, Level.COUNTY) if top < Level.COUNTY else Level.TOWNSHIP)
    qs = Division.objects.visible_to(user).filter(level__gte=top, level__lte=deepest)
    if current_only:
        qs = qs.filter(valid_to__isnull=True)
    return qs.order_by("path")


def asset_list(request):
    qs = filtered(request.user, request.GET).select_related("holder", "custodian").order_by("ledger_no")
    page = CappedPaginator(qs, PAGE_SIZE).get_page(params.get_page(request.GET))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "assets/list.html", {
        "page": page, "query": query.urlencode(), "categories": Category.choices, "statuses": Status.choices,
        "natures": Nature.choices,
        "units": unit_options(request.user), "can_edit": permissions.may_edit_ledger(request.user),
    })


EXPORT_COLUMNS = ["资产编号", "资产名称", "资产类别", "原权属单位", "现管护单位", "坐落地址", "经度", "纬度",
                  "建筑面积(㎡)", "占地面积(㎡)", "建成年份", "取得日期", "账面价值(元)", "评估价值(元)", "评估日期",
                  "房产证号", "土地证号", "现状", "产权性质", "产权单位", "形成资金来源", "处置受限", "状态", "状态起始日期", "备注"]


def asset_export(request):
    rows = ([a.ledger_no, a.name, a.get_category_display(), a.holder.name, a.custodian.name, a.address, a.lon, a.lat,
             a.floor_area, a.land_area, a.built_year, a.acquired_on, a.book_value, a.valuation, a.valuation_date,
             a.property_cert or "无证", a.land_cert or "无证", a.get_condition_display(), a.get_nature_display(),
             a.owner.name if a.owner else "", a.get_funding_display(), "是" if a.restricted else "否", a.get_status_display(),
             a.status_since, a.note]
            for a in filtered(request.user, request.GET).select_related("holder", "custodian", "owner_body", "owner_organisation").order_by("ledger_no").iterator(chunk_size=2000))
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    return export_response(rows, EXPORT_COLUMNS, "公有资产台账", fmt)


STATUS_COLORS = {Status.PENDING: "#9e9e9e", Status.CHECKED: "#6baed6", Status.IN_USE: "#1f4e79",
                 Status.IDLE: "#c8102e", Status.PLAN_APPROVED: "#f59e0b", Status.REVITALISED: "#2e7d32",
                 Status.DISPOSED: "#555555"}


def asset_map(request):
    qs = filtered(request.user, request.GET).filter(lat__isnull=False).select_related("custodian")[:3000]
    points = [{"lat": a.lat, "lon": a.lon, "color": STATUS_COLORS[a.status], "radius": 6,
               "label": f"{a.name}({a.get_status_display()},{a.custodian.name})"} for a in qs]
    query = request.GET.copy()
    return render(request, "assets/map.html", {
        "points": points, "statuses": Status.choices, "categories": Category.choices, "query": query.urlencode(),
        "legend": [(Status(s).label, c) for s, c in STATUS_COLORS.items()],
    })


def asset_detail(request, pk):
    asset = get_object_or_404(_assets(request).select_related("holder", "custodian"), pk=pk)
    plans = asset.plans.select_related("responsible_unit", "proposed_by", "decided_by")
    checks = asset.checks.select_related("campaign", "checked_by").order_by("-checked_at")
    can_edit = permissions.may_edit_ledger(request.user)
    point = [{"lat": asset.lat, "lon": asset.lon, "label": asset.name, "color": STATUS_COLORS[asset.status],
              "radius": 9}] if asset.lat is not None else []
    return render(request, "assets/detail.html", {
        "asset": asset, "plans": plans, "checks": checks, "attachments": asset.attachments.all(),
        "can_edit": can_edit, "can_propose": permissions.may_propose(request.user),
        "transitions": services.available_transitions(asset) if can_edit else [],
        "custody": services.custody_text(asset), "ownership": services.ownership_text(asset), "point": point, "history": history_card(asset),
        # the map shows the villages of the custodian's township, the custodian's own outline drawn stronger
        "map_area": asset.custodian if asset.custodian.level <= Level.TOWNSHIP else asset.custodian.parent,
        "map_focus": asset.custodian,
        "attachment_kinds": AttachmentKind.choices, "lifecycle": Status.choices,
        "open_plan": plans.filter(status__in=[PlanStatus.PROPOSED, PlanStatus.APPROVED]).first(),
        "deliberation_form": DeliberationForm(prefix="d"),
    })


def asset_new(request):
    form = AssetForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            asset = services.create_asset(request.user, data.pop("ledger_no").strip(), **data)
        except (services.AssetError, OutOfScope) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已登记资产 {asset.ledger_no}")
            return redirect("assets:detail", asset.pk)
    return render(request, "assets/form.html", {"form": form, "title": "登记资产"})


def asset_edit(request, pk):
    asset = get_object_or_404(_assets(request), pk=pk)
    form = AssetForm(request.POST or None, instance=Asset.objects.get(pk=pk), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_asset(asset, request.user, **form.cleaned_data)
        except (services.AssetError, OutOfScope) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已保存")
            return redirect("assets:detail", asset.pk)
    return render(request, "assets/form.html", {"form": form, "title": f"修改资产 {asset.ledger_no}", "asset": asset})


@require_POST
def asset_transition(request, pk):
    asset = get_object_or_404(_assets(request), pk=pk)
    try:
        services.transition(asset, request.POST.get("action", ""), request.user,
                            when=_date(request.POST.get("date")), document=request.POST.get("document", ""),
                            reason=request.POST.get("reason", ""))
    except services.AssetError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "状态已更新")
    return redirect("assets:detail", asset.pk)


@require_POST
def asset_delete(request, pk):
    asset = get_object_or_404(_assets(request), pk=pk)
    try:
        services.delete_asset(asset, request.user, request.POST.get("reason", ""))
    except LedgerError as exc:
        messages.error(request, str(exc))
        return redirect("assets:detail", asset.pk)
    messages.success(request, f"资产 {asset.ledger_no} 已标记删除(记录保留,可在“已删除的资产”中恢复)")
    return redirect("assets:list")


def deleted_list(request):
    """资产回收站: the deleted assets in scope, with who deleted them and why; editors restore them."""
    qs = (Asset.all_with_deleted.visible_to(request.user).filter(is_deleted=True)
          .select_related("holder", "custodian", "deleted_by").order_by("-deleted_at"))
    page = CappedPaginator(qs, PAGE_SIZE).get_page(params.get_page(request.GET))
    return render(request, "assets/deleted.html", {"page": page})


@require_POST
def asset_restore(request, pk):
    asset = get_object_or_404(Asset.all_with_deleted.visible_to(request.user), pk=pk)
    try:
        services.restore_asset(asset, request.user)
    except LedgerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"资产 {asset.ledger_no} 已恢复")
    return redirect("assets:detail", asset.pk) if not asset.is_deleted else redirect("assets:deleted")


@require_POST
def asset_attach(request, pk):
    asset = get_object_or_404(_assets(request), pk=pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要上传的文件")
    elif upload.size > MAX_UPLOAD:
        messages.error(request, f"文件超过 {MAX_UPLOAD // 1024 // 1024} MB")
    else:
        kind = request.POST.get("kind")
        att = Attachment(asset=asset, kind=kind if kind in AttachmentKind.values else AttachmentKind.OTHER,
                         name=upload.name[-120:], size=upload.size, uploaded_by=request.user)
        att.file.save(upload.name[-80:], upload, save=True)
        messages.success(request, f"已上传 {att.name}")
    return redirect("assets:detail", asset.pk)


def attachment_download(request, pk):
    att = get_object_or_404(Attachment.objects.filter(asset__in=_assets(request)), pk=pk)
    try:
        handle = att.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在") from None
    return uploaded_file_response(handle, att.name)  # a download of a type that never runs


# --- plans -------------------------------------------------------------------------------------------

def plan_new(request, pk):
    asset = get_object_or_404(_assets(request), pk=pk)
    form = PlanForm(request.POST or None, user=request.user,
                    initial={"route": Route.PUBLIC_USE, "responsible_unit": asset.custodian_id})
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.propose_plan(asset, request.user, **form.cleaned_data)
            if request.POST.get("approve") and permissions.may_edit_ledger(request.user):
                services.approve_plan(plan, request.user)
        except (services.AssetError, OutOfScope) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "盘活方案已提交" + ("并批准" if plan.status != PlanStatus.PROPOSED or
                                                          request.POST.get("approve") else ",等待审批"))
            return redirect("assets:detail", asset.pk)
    return render(request, "assets/plan_form.html", {"form": form, "asset": asset,
                                                     "can_approve": permissions.may_edit_ledger(request.user)})


def _plan(request, pk):
    return get_object_or_404(Plan.objects.visible_to(request.user).select_related("asset"), pk=pk)


@require_POST
def plan_decide(request, pk):
    plan = _plan(request, pk)
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            services.approve_plan(plan, request.user, request.POST.get("document", ""))
            messages.success(request, "方案已批准,资产状态为“盘活方案已批”")
        elif decision == "reject":
            services.reject_plan(plan, request.user, request.POST.get("reason", ""))
            messages.success(request, "方案已驳回")
        elif decision == "cancel":
            services.cancel_plan(plan, request.user, request.POST.get("reason", ""))
            messages.success(request, "方案已撤销,资产恢复为闲置")
        else:
            messages.error(request, "请选择批准、驳回或撤销")
    except services.AssetError as exc:
        messages.error(request, str(exc))
    return redirect("assets:detail", plan.asset_id)


@require_POST
def plan_deliberation(request, pk):
    """Record the dates of 四议两公开 for a collective asset's lease or sale."""
    plan = _plan(request, pk)
    form = DeliberationForm(request.POST, prefix="d")
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
    else:
        try:
            plan = services.record_deliberation(plan, request.user, **form.cleaned_data)
        except (services.AssetError, OutOfScope) as exc:
            messages.error(request, str(exc))
        else:
            missing = services.missing_deliberation(plan)
            messages.success(request, "已登记四议两公开" + (f",尚缺:{'、'.join(missing)}" if missing else ",程序已齐备"))
    return redirect("assets:detail", plan.asset_id)


def plan_outcome(request, pk):
    plan = _plan(request, pk)
    initial = {k: getattr(plan, k) for k in ("lessee", "annual_rent", "term_start", "term_end", "buyer", "sale_price",
                                              "recipient", "transfer_value", "venue", "transaction_ref")}
    form = OutcomeForm(request.POST or None, initial={"outcome_date": dt.date.today(), **initial})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.complete_plan(plan, request.user, data.pop("outcome_date"), data.pop("justification"),
                                   data.pop("outcome_note"), **data)
        except services.AssetError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已登记实施结果")
            return redirect("assets:detail", plan.asset_id)
    return render(request, "assets/outcome_form.html", {"form": form, "plan": plan, "asset": plan.asset,
                                                        "loss_rule": plan.route in (Route.SALE, Route.STATE_CAPITAL)})


# --- campaigns ------------------------------------------------------------------------------------------

def campaign_list(request):
    campaigns = Campaign.objects.visible_to(request.user).select_related("scope", "signed_off_by")
    rows = [(c, services.campaign_progress(c, services.campaign_assets(c) & _assets(request))) for c in campaigns[:100]]
    return render(request, "assets/campaigns.html", {"rows": rows, "can_edit": permissions.may_edit_ledger(request.user)})


def campaign_new(request):
    form = CampaignForm(request.POST or None, user=request.user, initial={"as_of": dt.date.today()})
    if request.method == "POST" and form.is_valid():
        try:
            c = services.open_campaign(request.user, **form.cleaned_data)
        except (services.AssetError, OutOfScope) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已发起清查核实")
            return redirect("assets:campaign", c.pk)
    return render(request, "assets/form.html", {"form": form, "title": "发起清查核实"})


def _campaign(request, pk):
    return get_object_or_404(Campaign.objects.visible_to(request.user).select_related("scope"), pk=pk)


def campaign_detail(request, pk):
    return _campaign_page(request, _campaign(request, pk))


def _campaign_page(request, campaign, status=200, **extra):
    assets = services.campaign_assets(campaign) & _assets(request)
    checks = {c.asset_id: c for c in Check.objects.filter(campaign=campaign, asset__in=assets).select_related("checked_by")}
    show = request.GET.get("show", "unchecked" if not campaign.closed else "discrepancies")
    qs = services.search(assets, request.GET.get("q")).select_related("holder", "custodian")
    if show == "unchecked":
        qs = qs.exclude(pk__in=list(checks))
    elif show == "discrepancies":
        qs = qs.filter(pk__in=[a for a, c in checks.items() if c.is_discrepancy])
    elif show == "checked":
        qs = qs.filter(pk__in=list(checks))
    if show == "unchecked":  # assets of abolished units first: they are the ones most at risk
        qs = qs.order_by(F("holder__valid_to").asc(nulls_last=True), "ledger_no")
    else:
        qs = qs.order_by("ledger_no")
    page = CappedPaginator(qs, PAGE_SIZE).get_page(params.get_page(request.GET))
    rows = [(a, checks.get(a.pk)) for a in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "assets/campaign.html", {
        "campaign": campaign, "progress": services.campaign_progress(campaign, assets), "rows": rows, "page": page,
        "show": show, "query": query.urlencode(), "results": CheckResult.choices,
        "can_check": permissions.may_check(request.user) and not campaign.closed,
        "can_close": permissions.may_edit_ledger(request.user) and not campaign.closed,
        "conditions": CheckForm.base_fields["found_condition"].choices, **extra,
    }, status=status)


@require_POST
def campaign_check(request, pk):
    campaign = _campaign(request, pk)
    form = CheckForm(request.POST)
    back = reverse("assets:campaign", args=[campaign.pk]) + "?" + request.POST.get("back", "")
    if not form.is_valid():
        messages.error(request, form_errors_text(form))  # names the field and the value: 实测面积“abc”:…
        return redirect(back)
    data = form.cleaned_data
    asset = get_object_or_404(_assets(request), pk=data["asset"])
    try:
        services.record_check(campaign, asset, request.user, data["result"], data["note"], data["found_floor_area"],
                              data["found_condition"])
    except services.AssetError as exc:
        messages.error(request, f"{asset.ledger_no}:{exc}")
    else:
        messages.success(request, f"{asset.ledger_no} {asset.name}:已登记核实结果")
    return redirect(back)


@require_POST
def campaign_close(request, pk):
    campaign = _campaign(request, pk)
    summary = request.POST.get("summary", "")
    raw = request.POST.get("confirm_unchecked") or "0"
    try:
        services.close_campaign(campaign, request.user, summary, confirm_unchecked=int(raw) if raw.isdigit() else -1)
    except services.UncheckedConfirmation as exc:  # ask, naming the count, with the summary kept
        return _campaign_page(request, campaign, summary=summary, confirm=exc.unchecked)
    except services.AssetError as exc:
        return _campaign_page(request, campaign, summary=summary, close_error=str(exc), status=400)
    else:
        messages.success(request, "清查核实已结束并签发")
    return redirect("assets:campaign", campaign.pk)


def campaign_export(request, pk):
    campaign = _campaign(request, pk)
    assets = services.campaign_assets(campaign) & _assets(request)
    checks = {c.asset_id: c for c in Check.objects.filter(campaign=campaign).select_related("checked_by")}
    rows = ([a.ledger_no, a.name, a.get_category_display(), a.holder.name, "是" if a.holder.valid_to else "否",
             a.custodian.name, a.floor_area, a.get_status_display(),
             checks[a.pk].get_result_display() if a.pk in checks else "未核实",
             checks[a.pk].found_floor_area if a.pk in checks else None,
             checks[a.pk].note if a.pk in checks else "",
             str(checks[a.pk].checked_by or "") if a.pk in checks else ""]
            for a in assets.select_related("holder", "custodian").order_by("ledger_no").iterator(chunk_size=2000))
    headers = ["资产编号", "资产名称", "资产类别", "原权属单位", "原单位已撤并", "现管护单位", "账面建筑面积(㎡)", "状态",
               "核实结果", "实测面积(㎡)", "核实说明", "核实人"]
    return export_response(rows, headers, f"{campaign.name}核实表")


# --- statistics --------------------------------------------------------------------------------------------

def _stats_params(request):
    today = dt.date.today()
    date_from = params.get_date(request.GET, "from", REFORM_START)
    date_to = params.get_date(request.GET, "to", today)
    months = max(1, params.get_int(request.GET, "idle_months", 12, lo=0, hi=MAX_MONTHS))
    scope = requested_unit(request.user, request.GET)
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    return scope, date_from, date_to, months


def stats_page(request):
    scope, date_from, date_to, months = _stats_params(request)
    rep = stats.report(_assets(request), scope, date_from, date_to, months)
    scopes = unit_options(request.user, current_only=True)
    return render(request, "assets/stats.html", {
        "rep": rep, "scopes": scopes, "statuses": Status.choices,
        "chart": stats.chart_data(rep), "routes": stats.route_chart(rep), "query": request.GET.urlencode(),
    })


def stats_export(request):
    scope, date_from, date_to, months = _stats_params(request)
    rep = stats.report(_assets(request), scope, date_from, date_to, months)
    name = f"{scope.name if scope else '全部'}公有资产盘活统计{date_from:%Y%m%d}-{date_to:%Y%m%d}"
    return export_response(stats.export_rows(rep), stats.EXPORT_HEADERS, name)


# --- import, custody ----------------------------------------------------------------------------------------

class AssetImportView(ImportView):
    importer_class = AssetImporter
    template_url_name = "assets:template"

    def get_importer(self):
        return AssetImporter(scope=Division.objects.visible_to(self.request.user), user=self.request.user)

    def get_success_url(self):
        return reverse("assets:list")

    def get_back(self):
        return "资产台账", reverse("assets:list")


asset_import = AssetImportView.as_view()


def asset_template(request):
    return template_response(AssetImporter(scope=Division.objects.none()))


@require_POST
def refresh_custody(request):
    moved = services.refresh_custody(_assets(request), request.user)
    messages.success(request, f"已按区划沿革重新确定管护单位:{moved} 项资产的管护单位变更" if moved
                     else "所有资产的管护单位均已与区划沿革一致")
    return redirect("assets:list")
