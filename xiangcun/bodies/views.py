"""Pages of the register of bodies (机构名录): list with filters, detail, form, import and export."""
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
from .forms import BodyForm
from .imports import HEADERS, BodyImporter, export_rows
from .models import Body, BodyKind


def _bodies(request):
    return Body.objects.visible_to(request.user).select_related("unit", "parent", "successor")


def body_list(request):
    qs = filters.filtered(request, _bodies(request))
    page = CappedPaginator(qs, 50).get_page(params.get_page(request.GET))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "bodies/list.html", {
        "page": page, "kinds": BodyKind.choices, "statuses": filters.STATUS, "may_edit": permissions.may_edit(request.user),
        "query": query.urlencode(), "export_query": request.GET.urlencode(),
    })


def body_export(request):
    fmt = params.get_choice(request.GET, "fmt", ["xlsx", "csv"], default="xlsx")
    return export_response(export_rows(filters.filtered(request, _bodies(request))), HEADERS, "机构名录", fmt)


def body_detail(request, pk):
    body = get_object_or_404(_bodies(request), pk=pk)
    users = body.users.filter(is_active=True).order_by("username") if hasattr(body, "users") else []
    return render(request, "bodies/detail.html", {
        "body": body, "children": body.children.order_by("name"), "predecessors": body.predecessors.select_related("unit"),
        "heir": body.final_successor() if body.successor_id else None, "users": users,
        "history": history_card(body), "may_edit": permissions.may_edit(request.user),
    })


def body_form(request, pk=None):
    body = get_object_or_404(_bodies(request), pk=pk) if pk else None
    form = BodyForm(request.POST or None, instance=Body.objects.get(pk=pk) if pk else None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.save_body(request.user, form.save(commit=False))
            except OutOfScope as exc:
                form.add_error("unit", str(exc))
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, f"已保存机构“{saved.name}”")
                return redirect("bodies:detail", saved.pk)
        status = 400
    else:
        status = 200
    title = f"修改机构 {body.name}" if body else "登记机构"
    return render(request, "bodies/form.html", {"form": form, "title": title, "body": body}, status=status)


class BodyImportView(ImportView):
    importer_class = BodyImporter

    def get_importer(self):
        return BodyImporter(user=self.request.user)

    def get_success_url(self):
        return reverse("bodies:list")
