"""Pages of 扩权赋能 (delegations, the townships × powers matrix, follow-ups) and of the enforcement catalogue
(items the townships took, the enforcement teams, certificate alerts)."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from xiangcun.core import params
from xiangcun.core.audit_display import history_card
from xiangcun.divisions.levels import Level
from xiangcun.divisions.models import Division
from xiangcun.divisions.scoping import OutOfScope

from . import permissions, services_powers
from .errors import GovernanceError
from .forms import DelegationForm, EnforcementItemForm, FollowUpForm, OfficerForm
from .models import Delegation, EnforcementItem, EnforcementOfficer, FollowUp
from .views import _refused


def _townships(request):
    return Division.objects.visible_to(request.user).filter(level=Level.TOWNSHIP, valid_to__isnull=True).order_by("path")


def _save_form(request, form, save, title, back, success):
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                obj = save(form)
            except (GovernanceError, OutOfScope) as exc:
                _refused(form, exc)
            else:
                messages.success(request, success)
                return redirect(back(obj))
        status = 400
    return render(request, "governance/form.html", {"form": form, "title": title, "back": reverse("governance:delegations")},
                  status=status)


def delegations(request):
    townships = list(_townships(request))
    qs = (Delegation.objects.visible_to(request.user).select_related("department").prefetch_related("townships")
          .order_by("department__name", "name"))
    return render(request, "governance/delegations.html", {
        "townships": townships, "rows": services_powers.matrix(qs, townships),
        "may_edit": permissions.may_edit_powers(request.user)})


def delegation_form(request, pk=None):
    delegation = get_object_or_404(Delegation.objects.visible_to(request.user), pk=pk) if pk else Delegation()
    form = DelegationForm(request.POST or None, instance=delegation, user=request.user)
    return _save_form(request, form,
                      lambda f: services_powers.save_delegation(request.user, f.save(commit=False), f.cleaned_data["townships"]),
                      "修改赋权事项" if pk else "登记赋权事项", lambda d: reverse("governance:delegation_detail", args=[d.pk]),
                      "已保存赋权事项")


def delegation_detail(request, pk):
    delegation = get_object_or_404(Delegation.objects.visible_to(request.user).select_related("department"), pk=pk)
    follow_ups = FollowUp.objects.visible_to(request.user).filter(delegation=delegation).select_related("township")
    may_follow = permissions.may_follow_up(request.user)
    form = FollowUpForm(request.POST or None, user=request.user, delegation=delegation) if may_follow else None
    status = 200
    if request.method == "POST" and form is not None:
        if form.is_valid():
            record = form.save(commit=False)
            record.delegation = delegation
            try:
                services_powers.save_follow_up(request.user, record)
            except (GovernanceError, OutOfScope) as exc:
                _refused(form, exc)
            else:
                messages.success(request, "已记录跟踪情况")
                return redirect("governance:delegation_detail", pk)
        status = 400
    return render(request, "governance/delegation_detail.html", {
        "d": delegation, "townships": delegation.townships.order_by("path"), "follow_ups": follow_ups, "form": form,
        "may_edit": permissions.may_edit_powers(request.user), "history": history_card(delegation)}, status=status)


def enforcement(request):
    townships = list(_townships(request))
    items = (EnforcementItem.objects.visible_to(request.user).select_related("department").prefetch_related("townships")
             .order_by("department__name", "name"))
    officers = EnforcementOfficer.objects.visible_to(request.user).select_related("unit")
    today = dt.date.today()
    days = params.get_int(request.GET, "days", services_powers.EXPIRY_DAYS, lo=1, hi=3650)
    rows = [(i, ["✓" if t.pk in {x.pk for x in i.townships.all()} else "" for t in townships]) for i in items]
    return render(request, "governance/enforcement.html", {
        "townships": townships, "rows": rows, "officers": officers, "today": today, "days": days,
        "uncovered": services_powers.uncovered_townships(items, officers, today).filter(pk__in=[t.pk for t in townships]),
        "expiring": {o.pk for o in services_powers.expiring(officers, days, today)},
        "may_edit": permissions.may_edit_powers(request.user), "may_edit_officers": permissions.may_edit_officers(request.user)})


def enforcement_item_form(request, pk=None):
    item = get_object_or_404(EnforcementItem.objects.visible_to(request.user), pk=pk) if pk else EnforcementItem()
    form = EnforcementItemForm(request.POST or None, instance=item, user=request.user)
    return _save_form(request, form,
                      lambda f: services_powers.save_enforcement_item(request.user, f.save(commit=False), f.cleaned_data["townships"]),
                      "修改执法事项" if pk else "登记执法事项", lambda _: reverse("governance:enforcement"), "已保存执法事项")


def officer_form(request, pk=None):
    officer = get_object_or_404(EnforcementOfficer.objects.visible_to(request.user), pk=pk) if pk else EnforcementOfficer()
    form = OfficerForm(request.POST or None, instance=officer, user=request.user)
    return _save_form(request, form, lambda f: services_powers.save_officer(request.user, f.save(commit=False)),
                      "修改执法人员" if pk else "登记执法人员", lambda _: reverse("governance:enforcement"), "已保存执法人员")
