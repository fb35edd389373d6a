"""Pages of the care registry. Full records only through `Person.objects.identified_for(user)` (404 otherwise);
every full view is recorded (`core.pii.record_full_view`); lists, cards and the API show masked names and numbers."""
import datetime as dt

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from xiangcun.core import audit, params
from xiangcun.core.audit_display import history_card
from xiangcun.core.excel import export_response
from xiangcun.core.excel_views import ImportView
from xiangcun.core.paging import CappedPaginator
from xiangcun.core.pii import record_full_view
from xiangcun.core.redirects import redirect_next, safe_next
from xiangcun.divisions.scoping import OutOfScope

from . import filters, permissions, services, stats
from .forms import CloseReferralForm, EndForm, ExportForm, PersonForm, ReferralForm, RuleForm, VisitForm
from .imports import HEADERS, PersonImporter, export_rows
from .models import Person, Referral, RiskLevel, Status


def _people(request):
    return Person.objects.identified_for(request.user).select_related("village", "carer_user", "carer_volunteer")


def _person(request, pk):
    return get_object_or_404(_people(request), pk=pk)


def _errors_to_form(form, exc):
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def person_list(request):
    """The list (masked). A search by full 身份证号 is POSTed, so the number stays out of URLs, server logs and
    the browser's history; it is matched through the blind index."""
    get = request.GET.copy()
    get.pop("id", None)
    if request.method == "POST":
        get["id"] = request.POST.get("id", "")
    qs = filters.filtered(filters.Params(get, request.user), _people(request))
    page = CappedPaginator(qs, 50).get_page(params.get_page(request.GET))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("id", None)
    today = dt.date.today()
    return render(request, "care/list.html", {
        "page": page, "categories": filters.CATEGORY_CHOICES, "risks": RiskLevel.choices, "statuses": filters.STATUS,
        "query": query.urlencode(), "today": today, "may_edit": permissions.may_edit(request.user),
        "may_import": permissions.may_import(request.user), "may_export": permissions.may_export_identified(request.user),
        "aged_out": services.aged_out(_people(request), today).count(),
    })


def person_detail(request, pk):
    person = _person(request, pk)
    record_full_view(request, person, "record")
    today = dt.date.today()
    return render(request, "care/detail.html", {
        "person": person, "visits": person.visits.select_related("visitor")[:50],
        "referrals": person.referrals.select_related("body")[:50],
        "next_due": services.next_visit_due(person, today), "today": today,
        "interval": services.visit_days(person.risk_level, person.village, today),
        "aged_out": person.status == Status.ACTIVE and person.aged_out(today),
        "history": history_card(person), "may_edit": permissions.may_edit(request.user),
        "end_form": EndForm(initial={"when": today}),
    })


def person_form(request, pk=None):
    person = _person(request, pk) if pk else None
    form = PersonForm(request.POST or None, instance=Person.objects.get(pk=pk) if pk else None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.save_person(request.user, form.save(commit=False), form.cleaned_data["id_number"])
            except OutOfScope as exc:
                form.add_error("village", str(exc))
            except services.CareError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, f"已保存关爱对象 {saved.masked_name}")
                return redirect("care:detail", saved.pk)
        status = 400
    else:
        status = 200
        if person:
            record_full_view(request, person, "form")  # the form shows the record in full
    title = f"修改关爱对象 {person.masked_name}" if person else "登记关爱对象"
    return render(request, "care/form.html", {"form": form, "title": title, "person": person}, status=status)


def person_end(request, pk):
    person = _person(request, pk)
    form = EndForm(request.POST)
    if form.is_valid():
        services.end_person(request.user, person, form.cleaned_data["reason"], form.cleaned_data["when"])
        messages.success(request, f"{person.masked_name} 已退出关爱名单")
        return redirect("care:detail", person.pk)
    messages.error(request, "退出未办理:" + ";".join(f"{form.fields[f].label}:{e[0]}" for f, e in form.errors.items()))
    return redirect("care:detail", person.pk)


def person_export(request):
    """An export of identified records: a reason first (POST), then the file; each export is audited."""
    form = ExportForm(request.POST or None)
    qs = filters.filtered(request, _people(request))
    if request.method == "POST" and form.is_valid():
        scope = request.user.jurisdiction
        rows = list(qs)
        target = scope if scope is not None else None
        data = {"reason": form.cleaned_data["reason"], "count": len(rows), "filters": request.GET.urlencode()[:200]}
        if target is not None:
            audit.log_event(target, "care.export", data=data)
        else:  # an administrator without a jurisdiction: the entry hangs on their own account
            audit.log_event(request.user, "care.export", data=data)
        fmt = params.get_choice(request.GET, "fmt", ["xlsx", "csv"], default="xlsx")
        return export_response(export_rows(rows), HEADERS, "关爱对象名单", fmt)
    return render(request, "care/export.html", {"form": form, "count": qs.count(), "query": request.GET.urlencode()},
                  status=400 if request.method == "POST" else 200)


class PersonImportView(ImportView):
    importer_class = PersonImporter

    def get_importer(self):
        return PersonImporter(user=self.request.user)

    def get_success_url(self):
        return reverse("care:list")


# --- visits -----------------------------------------------------------------------------------------

def visits_due(request):
    """The people whose visit is due or overdue: a carer's own, or all those a role sees in full."""
    state = params.get_choice(request.GET, "state", ["overdue", "due", "all"]) or "all"
    mine = params.get_choice(request.GET, "mine", ["1"])
    qs = _people(request)
    if mine or not permissions.sees_area_in_full(request.user):
        qs = qs.filter(carer_user=request.user)
    rows = [r for r in services.visit_schedule(qs) if (r[2] == state if state != "all" else r[2])]
    return render(request, "care/visits_due.html", {"rows": rows[:500], "total": len(rows), "state": state, "mine": mine})


def visit_new(request, pk):
    person = _person(request, pk)
    form = VisitForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.record_visit(request.user, person, form.save(commit=False))
            except services.CareError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, f"已记录对 {person.masked_name} 的走访")
                return redirect_next(request, reverse("care:detail", args=[person.pk]))
        status = 400
    else:
        status = 200
    return render(request, "care/visit_form.html", {
        "form": form, "person": person, "next": safe_next(request, reverse("care:detail", args=[person.pk]))}, status=status)


# --- referrals --------------------------------------------------------------------------------------

def refer(request, pk):
    person = _person(request, pk)
    form = ReferralForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                referral = services.refer(request.user, person, form.save(commit=False))
            except services.CareError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, f"已转介至 {referral.body.name}")
                return redirect("care:detail", person.pk)
        status = 400
    else:
        status = 200
    return render(request, "care/refer_form.html", {"form": form, "person": person}, status=status)


def _handled_bodies(user) -> list[int]:
    """The user's body and every closed body whose work it carries (successor links, backwards)."""
    from xiangcun.bodies.models import Body

    if not user.body_id:
        return []
    found, frontier = {user.body_id}, [user.body_id]
    while frontier and len(found) < 200:
        frontier = [pk for pk in Body.objects.filter(successor_id__in=frontier).values_list("pk", flat=True) if pk not in found]
        found.update(frontier)
    return list(found)


def _referrals(request):
    user = request.user
    q = Q(body_id__in=_handled_bodies(user))
    if permissions.may_see_identified(user):
        q |= Q(person__in=Person.objects.identified_for(user).values("pk"))
    return Referral.objects.filter(q).select_related("person", "person__village", "body")


def referral_list(request):
    status = params.get_choice(request.GET, "status", ["open", "closed", "all"]) or "open"
    qs = _referrals(request)
    if status != "all":
        qs = qs.filter(status=status)
    page = CappedPaginator(qs.order_by("deadline", "pk"), 50).get_page(params.get_page(request.GET))
    return render(request, "care/referrals.html", {"page": page, "status": status, "today": dt.date.today()})


def referral_detail(request, pk):
    referral = get_object_or_404(_referrals(request), pk=pk)
    handles = services.handles(request.user, referral) or request.user.is_administrator
    form = CloseReferralForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not handles:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(f"只有{referral.handling_body.name}的工作人员可以办结该转介")
        if form.is_valid():
            try:
                services.close_referral(request.user, referral, form.cleaned_data["outcome"])
            except services.CareError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, "转介已办结")
                return redirect("care:referral", referral.pk)
        status = 400
    record_full_view(request, referral.person, "referral")  # the receiving body sees whom it is to help
    return render(request, "care/referral.html", {"referral": referral, "person": referral.person, "form": form,
                                                  "handles": handles, "today": dt.date.today()}, status=status)


# --- statistics and rules ---------------------------------------------------------------------------

def care_stats(request):
    report = stats.report(request)
    return render(request, "care/stats.html", {**report, "may_list": permissions.may_see_identified(request.user)})


def rules(request):
    from xiangcun.bodies.services import county_of
    from xiangcun.divisions.scoping import scope_of

    user = request.user
    county = county_of(user.jurisdiction) if user.jurisdiction_id else county_of(scope_of(request))
    if county is None:
        from django.http import Http404

        raise Http404("您的管辖范围内没有县级单位")
    form = RuleForm(request.POST or None, initial={"valid_from": dt.date.today()})
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            services.set_visit_days(request.user, county, d["risk"], d["days"], d["valid_from"], d["note"])
            messages.success(request, "走访周期已保存")
            return redirect(reverse("care:rules"))
        status = 400
    else:
        status = 200
    today = dt.date.today()
    current = [(label, services.visit_days(risk, county, today), services.DEFAULT_VISIT_DAYS[RiskLevel(risk)])
               for risk, label in RiskLevel.choices]
    from .models import Rule

    labels = dict(RiskLevel.choices)
    history = [(labels.get(r.key.split(":")[1], r.key), r)
               for r in Rule.objects.filter(key__endswith=":" + services.county_code(county)).order_by("-valid_from", "key")[:50]]
    return render(request, "care/rules.html", {"form": form, "county": county, "current": current, "history": history,
                                               "may_set": permissions.may_set_rules(request.user)}, status=status)
