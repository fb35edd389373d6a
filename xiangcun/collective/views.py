"""Pages of the collective economy: organisations (list, detail with masked members, form), village income and
classification, integrations after mergers (list, record form, detail), imports and exports."""
import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xiangcun.core import params
from xiangcun.core.audit_display import history_card
from xiangcun.core.excel import export_response
from xiangcun.core.excel_views import ImportView
from xiangcun.core.paging import CappedPaginator
from xiangcun.core.pii import record_full_view
from xiangcun.divisions.levels import Level
from xiangcun.divisions.models import Division
from xiangcun.divisions.scoping import OutOfScope, area_q, places, scope_of

from . import filters, imports, permissions, services
from .forms import IntegrationForm, OrganisationForm
from .models import Integration, IntegrationMode, Organisation, OrgLevel, OrgStatus


def _this_year():
    return dt.date.today().year


def _orgs(request):
    return Organisation.objects.visible_to(request.user).select_related("village", "group", "successor")


def _year(request):
    return params.get_year(request.GET, "year", default=_this_year() - 1)


def org_list(request):
    year = _year(request)
    qs = filters.filtered(request, _orgs(request))
    page = CappedPaginator(qs, 50).get_page(params.get_page(request.GET))
    income = services.organisation_income(year, list(page))
    for org in page:
        org.income = income[org.pk]
        org.state = services.state_on(org)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "collective/list.html", {
        "page": page, "levels": OrgLevel.choices, "statuses": OrgStatus.choices, "year": year,
        "years": range(_this_year(), 2017, -1), "may_edit": permissions.may_edit(request.user),
        "query": query.urlencode(), "export_query": request.GET.urlencode(),
    })


def org_export(request):
    fmt = params.get_choice(request.GET, "fmt", ["xlsx", "csv"], default="xlsx")
    return export_response(imports.organisation_rows(filters.filtered(request, _orgs(request))),
                           imports.ORGANISATION_HEADERS, "集体经济组织", fmt)


def org_detail(request, pk):
    org = get_object_or_404(_orgs(request), pk=pk)
    accounts = list(org.accounts.order_by("-year"))
    incomes = {}
    for account in accounts[:6]:  # the latest years (each reads the ledger's leases once)
        incomes[account.year] = services.organisation_income(account.year, [org])[org.pk]
    for account in accounts:
        account.income = incomes.get(account.year)
    members = org.members.order_by("pk")
    return render(request, "collective/detail.html", {
        "org": org, "state": services.state_on(org), "members": members[:200], "member_count": members.count(),
        "accounts": accounts, "affiliations": org.affiliations.select_related("village").order_by("valid_from"),
        "integrations": org.integrations.select_related("integration__result", "integration__village"),
        "as_result": org.integrations_as_result.select_related("village"),
        "predecessors": org.predecessors.all(), "heir": org.final_successor() if org.successor_id else None,
        "owned": org.owned_assets.all()[:50] if hasattr(org, "owned_assets") else [],
        "history": history_card(org), "may_edit": permissions.may_edit(request.user),
        "may_see_members": permissions.may_see_members(request.user),
    })


@require_POST
def members_full(request, pk):
    """The members of an organisation in full, for a permitted role; the view is logged (pii.view)."""
    org = get_object_or_404(_orgs(request), pk=pk)
    with transaction.atomic():
        record_full_view(request, org, "成员名单")
    return render(request, "collective/members_full.html", {"org": org, "members": org.members.order_by("pk")})


def org_form(request, pk=None):
    org = get_object_or_404(_orgs(request), pk=pk) if pk else None
    form = OrganisationForm(request.POST or None, instance=Organisation.objects.get(pk=pk) if pk else None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.save_organisation(request.user, form.save(commit=False))
            except OutOfScope as exc:
                form.add_error("village", str(exc))
            except services.CollectiveError as exc:
                _errors_to_form(form, exc)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, f"已保存集体经济组织“{saved.name}”")
                return redirect("collective:detail", saved.pk)
        status = 400
    else:
        status = 200
    title = f"修改 {org.name}" if org else "登记集体经济组织"
    return render(request, "collective/form.html", {"form": form, "title": title, "org": org}, status=status)


def _errors_to_form(form, exc):
    placed = False
    for field, message in exc.fields.items():
        if field in form.fields:
            form.add_error(field, message)
            placed = True
        else:
            form.add_error(None, message)
            placed = True
    if not placed:
        form.add_error(None, str(exc))


def village_economy(request):
    """Per village of a place: operating income rolled up from its organisations (with the ledger's rent) and its
    classification, beside each organisation's."""
    from .services import threshold_on

    # a village agent has no township to choose: their own village
    scope = scope_of(request) if places(request.user).exists() or request.user.jurisdiction_id is None else request.user.jurisdiction
    year = _year(request)
    villages = list(Division.objects.filter(area_q(scope), level=Level.VILLAGE, valid_to__isnull=True)
                    .select_related("parent").defer("parent__geometry").order_by("path")[:400])  # the row shows the township
    rows = []
    rents = services.rent_by_organisation(year)  # one pass over the ledger for the whole page
    # the organisations, their accounts and the threshold of the whole page at once, not per village
    orgs_of = services.organisations_of_villages(villages, year)
    accounts = services.accounts_of(year, [o for orgs in orgs_of.values() for o in orgs])
    threshold = threshold_on(year)
    for village in villages:
        orgs = orgs_of[village.pk]
        income = services.village_income(village, year, rents, orgs, accounts, threshold)
        org_income = services.organisation_income(year, orgs, rents, accounts, threshold) if orgs else {}
        rows.append({"village": village, "income": income,
                     "orgs": [(o, org_income[o.pk]) for o in orgs]})
    counts = {}
    for r in rows:
        counts[r["income"].label] = counts.get(r["income"].label, 0) + 1
    return render(request, "collective/villages.html", {
        "scope": scope, "places": places(request.user), "year": year, "years": range(_this_year(), 2017, -1),
        "rows": rows, "counts": sorted(counts.items()), "may_edit": permissions.may_edit(request.user),
    })


# --- integrations -----------------------------------------------------------------------------------

def _integrations(request):
    return Integration.objects.visible_to(request.user).select_related("village", "result")


def integration_list(request):
    qs = _integrations(request)
    mode = params.get_choice(request.GET, "mode", IntegrationMode.values)
    if mode:
        qs = qs.filter(mode=mode)
    page = CappedPaginator(qs.prefetch_related("parties__organisation"), 50).get_page(params.get_page(request.GET))
    return render(request, "collective/integrations.html", {
        "page": page, "modes": IntegrationMode.choices, "may_edit": permissions.may_edit(request.user),
    })


def integration_detail(request, pk):
    integration = get_object_or_404(_integrations(request), pk=pk)
    return render(request, "collective/integration.html", {
        "integration": integration, "parties": integration.parties.select_related("organisation"),
        "history": history_card(integration),
    })


def integration_new(request):
    """Choose the merged village (GET ?village=), then record the resolution and the mode."""
    village_id = params.get_id(request.GET, "village") or params.get_id(request.POST, "village")
    village = None
    if village_id:
        village = Division.objects.visible_to(request.user).filter(pk=village_id, level=Level.VILLAGE, valid_to__isnull=True).first()
        if village is None:
            raise Http404("没有这个村(社区)")
    form = IntegrationForm(request.POST or None, user=request.user, village=village,
                           initial={"village": village.pk if village else None, "resolution_date": dt.date.today()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            data = services.IntegrationInput(
                village=d["village"], mode=d["mode"], resolution_date=d["resolution_date"], eligible=d["eligible"],
                present=d["present"], votes_for=d["votes_for"], votes_against=d.get("votes_against") or 0,
                abstentions=d.get("abstentions") or 0, parties=list(d["parties"]), survivor=d.get("survivor"),
                new_name=d.get("new_name") or "", new_code=d.get("new_code") or "", transition_until=d.get("transition_until"),
                shares={org.pk: d.get(name) for org, name in form.share_fields if d.get(name) is not None},
                document=d.get("document") or "", note=d.get("note") or "")
            try:
                integration = services.record_integration(request.user, data)
            except OutOfScope as exc:
                form.add_error("village", str(exc))
            except services.CollectiveError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, f"已登记{integration.village.name}{integration.get_mode_display()},"
                                          f"整合后的组织:{integration.result.name}")
                return redirect("collective:integration", integration.pk)
        status = 400
    return render(request, "collective/integration_form.html", {
        "form": form, "village": village, "villages": form.fields["village"].choices,
        "candidates": services.candidates_for(village) if village else [],
    }, status=status)


def integration_export(request):
    fmt = params.get_choice(request.GET, "fmt", ["xlsx", "csv"], default="xlsx")
    return export_response(imports.integration_rows(_integrations(request).prefetch_related("parties__organisation")),
                           imports.INTEGRATION_HEADERS, "集体经济整合", fmt)


def member_export(request):
    """Members in full (a download for those who may see them; logged like a full view)."""
    fmt = params.get_choice(request.GET, "fmt", ["xlsx", "csv"], default="xlsx")
    org_id = params.get_id(request.GET, "org")
    orgs = _orgs(request)
    if org_id:
        orgs = orgs.filter(pk=org_id)
    from .models import Member

    members = Member.objects.filter(organisation__in=orgs).select_related("organisation__village").order_by("organisation", "pk")
    with transaction.atomic():
        for org in orgs.filter(members__isnull=False).distinct()[:500]:
            record_full_view(request, org, "成员名单")
    return export_response(imports.member_rows(members), imports.MEMBER_HEADERS, "集体经济组织成员", fmt)


class OrganisationImportView(ImportView):
    importer_class = imports.OrganisationImporter

    def get_importer(self):
        return imports.OrganisationImporter(user=self.request.user)

    def get_success_url(self):
        return reverse("collective:list")


class MemberImportView(ImportView):
    importer_class = imports.MemberImporter

    def get_importer(self):
        return imports.MemberImporter(user=self.request.user)

    def get_success_url(self):
        return reverse("collective:list")


class IntegrationImportView(ImportView):
    importer_class = imports.IntegrationImporter

    def get_importer(self):
        return imports.IntegrationImporter(user=self.request.user)

    def get_success_url(self):
        return reverse("collective:integrations")


class AccountImportView(ImportView):
    importer_class = imports.AccountImporter

    def get_importer(self):
        return imports.AccountImporter(user=self.request.user)

    def get_success_url(self):
        return reverse("collective:villages")
