"""Pages of 机构编制 and 定岗定责定人: the staffing table with its alerts, posts, staff (masked; a full view is
recorded) and the placement (安置) of merged townships' staff."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from xiangcun.core import params
from xiangcun.core.audit_display import history_card
from xiangcun.core.paging import CappedPaginator
from xiangcun.core.pii import record_full_view
from xiangcun.divisions.scoping import OutOfScope

from . import permissions, services_staffing
from .errors import GovernanceError
from .forms import EstablishmentForm, PlaceForm, PostForm, StaffForm
from .models import DutyItem, Establishment, Post, Staff
from .views import _refused


def _staff(request):
    return Staff.objects.visible_to(request.user).select_related("body", "body__unit", "post")


def staffing(request):
    user = request.user
    months = params.get_int(request.GET, "months", services_staffing.VACANCY_MONTHS, lo=1, hi=120)
    bodies = services_staffing.township_bodies(user)
    posts = Post.objects.visible_to(user).select_related("body").prefetch_related("items")
    return render(request, "governance/staffing.html", {
        "rows": services_staffing.staffing_rows(bodies), "months": months,
        "posts": posts.filter(body__valid_to__isnull=True),
        "vacancies": services_staffing.long_vacancies(posts, months),
        "uncarried": services_staffing.items_without_post(DutyItem.objects.visible_to(user)),
        "without_post": services_staffing.without_post(_staff(request)),
        "to_place": services_staffing.to_place(_staff(request)).count(),
        "may_edit": permissions.may_edit_staffing(user)})


def _form_page(request, form, save, title, back, success):
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
    return render(request, "governance/form.html", {"form": form, "title": title, "back": reverse("governance:staffing")},
                  status=status)


def establishment_edit(request, pk):
    body = get_object_or_404(services_staffing.township_bodies(request.user), pk=pk)
    instance = Establishment.objects.filter(body=body).first() or Establishment(body=body)
    form = EstablishmentForm(request.POST or None, instance=instance)
    return _form_page(request, form, lambda f: services_staffing.save_establishment(request.user, f.save(commit=False)),
                      f"{body.name} · 核定编制", lambda _: reverse("governance:staffing"), "已保存编制")


def post_form(request, pk=None):
    post = get_object_or_404(Post.objects.visible_to(request.user), pk=pk) if pk else Post()
    form = PostForm(request.POST or None, instance=post, user=request.user)
    return _form_page(request, form,
                      lambda f: services_staffing.save_post(request.user, f.save(commit=False), f.cleaned_data["items"]),
                      "修改岗位" if pk else "设置岗位", lambda _: reverse("governance:staffing"), "已保存岗位")


def staff_list(request):
    qs = _staff(request)
    status = params.get_choice(request.GET, "status", ["current", "left", "all"], default="current")
    if status == "current":
        qs = qs.filter(left_on__isnull=True)
    elif status == "left":
        qs = qs.filter(left_on__isnull=False)
    page = CappedPaginator(qs, 50).get_page(params.get_page(request.GET))
    return render(request, "governance/staff_list.html", {"page": page, "may_edit": permissions.may_edit_staffing(request.user)})


def staff_detail(request, pk):
    staff = get_object_or_404(_staff(request), pk=pk)
    full = params.get_choice(request.GET, "full", ["1"]) == "1"
    if full:
        record_full_view(request, staff, "id_number,phone")
    return render(request, "governance/staff_detail.html", {
        "s": staff, "full": full, "heir": staff.body.final_successor() if staff.body.valid_to else None,
        "may_edit": permissions.may_edit_staffing(request.user), "history": history_card(staff)})


def staff_form(request, pk=None):
    staff = get_object_or_404(_staff(request), pk=pk) if pk else Staff()
    form = StaffForm(request.POST or None, instance=staff, user=request.user)
    if pk and request.method != "POST":
        record_full_view(request, staff, "id_number,phone")  # the form shows the numbers in full
    return _form_page(request, form, lambda f: services_staffing.save_staff(request.user, f.save(commit=False)),
                      "修改工作人员" if pk else "登记工作人员", lambda s: reverse("governance:staff_detail", args=[s.pk]),
                      "已保存工作人员")


def placement(request):
    rows = []
    for staff in services_staffing.to_place(_staff(request)).order_by("body__unit__path", "name"):
        posts = services_staffing.posts_for_placement(request.user, staff)
        rows.append((staff, staff.body.final_successor(), PlaceForm(posts=posts, prefix=f"s{staff.pk}")))
    return render(request, "governance/placement.html", {"rows": rows, "may_edit": permissions.may_edit_staffing(request.user)})


def place(request, pk):
    staff = get_object_or_404(services_staffing.to_place(_staff(request)), pk=pk)
    posts = services_staffing.posts_for_placement(request.user, staff)
    form = PlaceForm(request.POST or None, posts=posts, prefix=f"s{staff.pk}")
    if request.method == "POST" and form.is_valid():
        try:
            services_staffing.place(request.user, staff, form.cleaned_data["post"])
        except (GovernanceError, OutOfScope) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已将{staff.name}安置到{form.cleaned_data['post']}")
        return redirect("governance:placement")
    if request.method == "POST":
        messages.error(request, "请选择安置岗位")
        return render(request, "governance/placement.html", {
            "rows": [(staff, staff.body.final_successor(), form)], "may_edit": True}, status=400)
    return redirect("governance:placement")


