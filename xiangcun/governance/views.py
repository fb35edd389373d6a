"""Pages of the township responsibility lists and of 事项准入."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from xiangcun.core import params
from xiangcun.core.audit_display import history_card
from xiangcun.core.excel import export_response
from xiangcun.core.excel_views import ImportView
from xiangcun.core.paging import CappedPaginator
from xiangcun.divisions.scoping import OutOfScope

from . import filters, permissions, services
from .errors import GovernanceError
from .forms import AdmissionForm, AdoptForm, DecisionForm, DutyItemForm, ListForm, LocalItemForm, PublishForm
from .imports import ItemImporter, export_rows, headers_of
from .models import Admission, AdmissionStatus, DutyItem, ListKind, ListStatus, LocalItem, ResponsibilityList


def _lists(request):
    return ResponsibilityList.objects.visible_to(request.user).select_related("unit", "based_on")


def _refused(form, exc):
    """Put a refused operation's messages beside their fields (the rest at the top of the form)."""
    if isinstance(exc, GovernanceError) and exc.fields:
        for field, message in exc.fields.items():
            form.add_error(field if field in form.fields else None, message)
    elif isinstance(exc, ValidationError):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, str(exc))


# --- lists -------------------------------------------------------------------------------------------------

def list_index(request):
    qs = filters.filtered_lists(request, _lists(request))
    page = CappedPaginator(qs, 50).get_page(params.get_page(request.GET))
    query = request.GET.copy()
    query.pop("page", None)
    units = (ResponsibilityList.objects.visible_to(request.user).values_list("unit_id", "unit__name")
             .order_by("unit__path").distinct())
    return render(request, "governance/lists.html", {
        "page": page, "kinds": ListKind.choices, "statuses": ListStatus.choices, "units": units,
        "on": params.get_date(request.GET, "on"), "query": query.urlencode(),
        "may_edit": permissions.may_edit_lists(request.user),
    })


def list_new(request):
    form = ListForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                lst = services.create_list(request.user, d["unit"], d["kind"], d["title"], d["note"])
            except (GovernanceError, OutOfScope) as exc:
                _refused(form, exc)
            else:
                messages.success(request, f"已建立草案“{lst}”")
                return redirect("governance:list_detail", lst.pk)
        status = 400
    return render(request, "governance/form.html", {"form": form, "title": "新建责任清单",
                                                    "back": reverse("governance:lists")}, status=status)


def list_detail(request, pk):
    lst = get_object_or_404(_lists(request), pk=pk)
    if lst.kind == ListKind.DUTIES:
        items = lst.duty_items.select_related("body", "body__successor").order_by("category", "name")
    else:
        items = lst.local_items.select_related("department", "admission").order_by("department__name", "name")
    versions = _lists(request).filter(unit=lst.unit, kind=lst.kind).order_by("-version")
    may_edit = permissions.may_edit_lists(request.user)
    return render(request, "governance/list_detail.html", {
        "lst": lst, "items": items, "versions": versions, "may_edit": may_edit,
        "may_change": may_edit and lst.is_draft, "history": history_card(lst),
        "adopt_form": AdoptForm(user=request.user, template=lst) if lst.is_template and may_edit else None,
        "has_draft": versions.filter(status=ListStatus.DRAFT).exists(),
    })


def list_print(request, pk):
    lst = get_object_or_404(_lists(request), pk=pk)
    return render(request, "governance/list_print.html", {"lst": lst, "headers": headers_of(lst), "rows": list(export_rows(lst))})


def list_export(request, pk):
    lst = get_object_or_404(_lists(request), pk=pk)
    fmt = params.get_choice(request.GET, "fmt", ["xlsx", "csv"], default="xlsx")
    return export_response(export_rows(lst), headers_of(lst), f"{lst.title}第{lst.version}版", fmt)


def list_compare(request, pk):
    lst = get_object_or_404(_lists(request), pk=pk)
    units = [lst.unit_id] + ([lst.based_on.unit_id] if lst.based_on_id else [])
    others = _lists(request).filter(kind=lst.kind, unit_id__in=units).exclude(pk=lst.pk)
    other_id = params.get_id(request.GET, "with")
    other = get_object_or_404(others, pk=other_id) if other_id else lst.based_on
    if other is not None and other.kind != lst.kind:
        other = None
    diff = services.compare(other, lst) if other is not None else None
    return render(request, "governance/compare.html", {"lst": lst, "other": other, "others": others.order_by("unit__path", "-version"),
                                                       "diff": diff})


def list_adopt(request, pk):
    template = get_object_or_404(_lists(request).filter(is_template=True), pk=pk)
    form = AdoptForm(request.POST or None, user=request.user, template=template)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                draft = services.adopt_template(request.user, template, form.cleaned_data["township"])
            except (GovernanceError, OutOfScope) as exc:
                _refused(form, exc)
            else:
                messages.success(request, f"{draft.unit.name}已采用县级模板,建立草案第{draft.version}版,可调整后发布")
                return redirect("governance:list_detail", draft.pk)
        status = 400
    return render(request, "governance/form.html", {"form": form, "title": f"采用模板:{template}",
                                                    "back": reverse("governance:list_detail", args=[pk]), "submit": "采用"},
                  status=status)


def list_new_version(request, pk):
    lst = get_object_or_404(_lists(request), pk=pk)
    if request.method == "POST":
        try:
            draft = services.new_version(request.user, lst)
        except (GovernanceError, OutOfScope) as exc:
            return render(request, "governance/confirm.html", {"lst": lst, "error": str(exc), "title": "起草新版本",
                                                               "action": reverse("governance:list_new_version", args=[pk])},
                          status=400)
        messages.success(request, f"已起草第{draft.version}版,修改后发布")
        return redirect("governance:list_detail", draft.pk)
    return render(request, "governance/confirm.html", {
        "lst": lst, "title": "起草新版本", "action": reverse("governance:list_new_version", args=[pk]),
        "text": f"以“{lst}”为底稿起草新版本?新版本发布前,现行版本继续有效。"})


def list_publish(request, pk):
    lst = get_object_or_404(_lists(request), pk=pk)
    form = PublishForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.publish(request.user, lst, d["doc_number"], d["effective_from"])
            except (GovernanceError, OutOfScope) as exc:
                _refused(form, exc)
            else:
                messages.success(request, f"已发布“{lst}”")
                return redirect("governance:list_detail", lst.pk)
        status = 400
    elif not lst.is_draft:
        form.add_error(None, "该版本已发布")
        status = 400
    return render(request, "governance/form.html", {"form": form, "title": f"发布:{lst}", "submit": "发布",
                                                    "back": reverse("governance:list_detail", args=[pk])}, status=status)


class ItemImportView(ImportView):
    def lst(self):
        if not hasattr(self, "_lst"):
            self._lst = get_object_or_404(_lists(self.request), pk=self.kwargs["pk"])
        return self._lst

    def check_permission(self):
        from django.core.exceptions import PermissionDenied

        lst = self.lst()
        try:
            services.ensure_draft(self.request.user, lst)
        except GovernanceError as exc:
            raise PermissionDenied(str(exc)) from None

    def get_importer(self):
        return ItemImporter(self.lst(), self.request.user)

    def get_success_url(self):
        return reverse("governance:list_detail", args=[self.kwargs["pk"]])


# --- items -------------------------------------------------------------------------------------------------

def _item_form(request, form, item_list, save, back):
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                save(form.save(commit=False))
            except (GovernanceError, OutOfScope, ValidationError) as exc:
                _refused(form, exc)
            else:
                messages.success(request, "已保存事项")
                return redirect(back)
        status = 400
    return render(request, "governance/form.html", {"form": form, "title": f"{item_list} · 事项", "back": back,
                                                    "readonly": not item_list.is_draft}, status=status)


def duty_item_form(request, pk):
    if request.resolver_match.url_name == "duty_item_new":
        lst = get_object_or_404(_lists(request).filter(kind=ListKind.DUTIES), pk=pk)
        item = DutyItem(list=lst)
    else:
        item = get_object_or_404(DutyItem.objects.visible_to(request.user).select_related("list", "list__unit"), pk=pk)
        lst = item.list
    form = DutyItemForm(request.POST or None, instance=item, lst=lst)
    back = reverse("governance:list_detail", args=[lst.pk])
    return _item_form(request, form, lst, lambda obj: services.save_duty_item(request.user, obj), back)


def local_item_form(request, pk):
    item = get_object_or_404(LocalItem.objects.visible_to(request.user).select_related("list", "list__unit"), pk=pk)
    form = LocalItemForm(request.POST or None, instance=item)
    back = reverse("governance:list_detail", args=[item.list_id])
    return _item_form(request, form, item.list, lambda obj: services.save_local_item(request.user, obj), back)


def _delete(request, item):
    back = reverse("governance:list_detail", args=[item.list_id])
    if request.method == "POST":
        try:
            services.delete_item(request.user, item)
        except (GovernanceError, OutOfScope) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已从草案中删除事项“{item.name}”")
        return redirect(back)
    return render(request, "governance/confirm.html", {"lst": item.list, "title": "删除事项", "action": request.path,
                                                       "text": f"从“{item.list}”中删除事项“{item.name}”?"})


def duty_item_delete(request, pk):
    return _delete(request, get_object_or_404(DutyItem.objects.visible_to(request.user).select_related("list"), pk=pk))


def local_item_delete(request, pk):
    return _delete(request, get_object_or_404(LocalItem.objects.visible_to(request.user).select_related("list"), pk=pk))


# --- 事项准入 ----------------------------------------------------------------------------------------------

def _admissions(request):
    return Admission.objects.visible_to(request.user).select_related("unit", "department", "filed_by", "decided_by")


def admission_index(request):
    qs = filters.filtered_admissions(request, _admissions(request))
    page = CappedPaginator(qs, 50).get_page(params.get_page(request.GET))
    return render(request, "governance/admissions.html", {
        "page": page, "statuses": AdmissionStatus.choices, "may_file": permissions.may_file_admission(request.user)})


def admission_new(request):
    form = AdmissionForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                admission = services.file_admission(request.user, form.save(commit=False), form.cleaned_data["townships"])
            except (GovernanceError, OutOfScope) as exc:
                _refused(form, exc)
            else:
                messages.success(request, "已提交事项准入申请,待改革办审批")
                return redirect("governance:admission_detail", admission.pk)
        status = 400
    return render(request, "governance/form.html", {"form": form, "title": "事项准入申请",
                                                    "back": reverse("governance:admissions")}, status=status)


def _admission_page(request, admission, form=None, status=200):
    may_decide = permissions.may_decide_admission(request.user) and admission.status == AdmissionStatus.PENDING
    return render(request, "governance/admission_detail.html", {
        "a": admission, "townships": admission.townships.order_by("path"),
        "items": admission.items.select_related("list", "list__unit").order_by("list__unit__path"),
        "form": form or (DecisionForm() if may_decide else None), "history": history_card(admission)}, status=status)


def admission_detail(request, pk):
    return _admission_page(request, get_object_or_404(_admissions(request), pk=pk))


def admission_decide(request, pk):
    admission = get_object_or_404(_admissions(request), pk=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if d["decision"] == "approve":
                drafts = services.approve(request.user, admission, d["note"])
                messages.success(request, f"已准入,事项列入 {len(drafts)} 个乡镇的属地事项清单草案")
            else:
                services.refuse(request.user, admission, d["note"])
                messages.success(request, "已不予准入")
        except (GovernanceError, OutOfScope) as exc:
            _refused(form, exc)
        else:
            return redirect("governance:admission_detail", pk)
    if request.method != "POST":
        return redirect("governance:admission_detail", pk)
    return _admission_page(request, admission, form, status=400)
