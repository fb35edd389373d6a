"""Pages of 前置审查: the list with filters, statistics per township, export, registration, the detail page with the
site on the map, a department's review and the township's approval."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from xiangcun.core import params
from xiangcun.core.audit_display import history_card
from xiangcun.core.excel import export_response
from xiangcun.core.paging import CappedPaginator
from xiangcun.divisions.levels import Level
from xiangcun.divisions.models import Division
from xiangcun.divisions.scoping import OutOfScope

from . import filters, permissions, services
from .errors import PrereviewError
from .forms import ApplicationForm, ApproveForm, ReviewForm
from .models import DEPARTMENT_LABEL, Application, Aspect, BuildingKind

HEADERS = ["项目名称", "建筑类别", "申请人(户主或建设单位)", "乡镇", "村(社区)", "经度", "纬度", "选址位置说明",
           "建筑面积(平方米)", "登记日期", "地灾隐患审查(自然资源)", "行洪安全审查(水利)", "状态", "批准日期",
           "关联代办件"]


def _applications(request):
    return Application.objects.visible_to(request.user).select_related("village", "village__parent", "case")


def _townships(request):
    return Division.objects.visible_to(request.user).filter(level=Level.TOWNSHIP, valid_to__isnull=True).order_by("path")


def application_list(request):
    qs = filters.filtered(request, _applications(request)).prefetch_related("reviews")
    page = CappedPaginator(qs, 50).get_page(params.get_page(request.GET))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "prereview/list.html", {
        "page": page, "townships": _townships(request), "states": filters.STATES, "waitings": filters.WAITING,
        "kinds": BuildingKind.choices, "may_register": permissions.may_register(request.user),
        "query": query.urlencode(), "export_query": request.GET.urlencode(),
    })


def _review_text(review):
    if review is None:
        return "待审查"
    text = f"{review.get_outcome_display()}({review.reviewed_on:%Y-%m-%d} {review.reviewer})"
    return text + (f":{review.reason}" if review.reason else "")


def application_export(request):
    fmt = params.get_choice(request.GET, "fmt", ["xlsx", "csv"], default="xlsx")
    qs = filters.filtered(request, _applications(request)).prefetch_related("reviews")

    def rows():
        for a in qs:
            latest = a.latest_reviews()
            yield [a.name, a.get_kind_display(), a.applicant, a.village.parent.name if a.village.parent_id else "",
                   a.village.name, a.lon, a.lat, a.address, a.floor_area, a.registered_on,
                   _review_text(latest.get(Aspect.GEO)), _review_text(latest.get(Aspect.FLOOD)), a.state,
                   a.approved_on, a.case.number if a.case_id else ""]
    return export_response(rows(), HEADERS, "前置审查申请", fmt)


def stats(request):
    rows = services.stats(request.user)
    total = services.TownshipRow(None, *(sum(getattr(r, k) for r in rows)
                                         for k in ("applications", "waiting", "refused", "ready", "approved")))
    return render(request, "prereview/stats.html", {"rows": rows, "total": total})


def stats_export(request):
    fmt = params.get_choice(request.GET, "fmt", ["xlsx", "csv"], default="xlsx")
    rows = [r.cells() for r in services.stats(request.user)]
    return export_response(rows, services.STATS_HEADERS, "前置审查分乡镇统计", fmt)


def _put_errors(form, exc: PrereviewError):
    if exc.fields:
        for field, message in exc.fields.items():
            form.add_error(field if field in form.fields else None, message)
    else:
        form.add_error(None, str(exc))


def application_new(request):
    form = ApplicationForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            application = form.save(commit=False)
            application.case = form.cleaned_data.get("case_number")
            try:
                saved = services.register(request.user, application)
            except OutOfScope as exc:
                form.add_error("village", str(exc))
            except PrereviewError as exc:
                _put_errors(form, exc)
            else:
                messages.success(request, f"已登记前置审查申请“{saved.name}”,等待自然资源和水利部门审查")
                return redirect("prereview:detail", saved.pk)
        status = 400
    return render(request, "prereview/form.html", {"form": form, "title": "登记建房选址前置审查"}, status=status)


def _detail_context(request, application, approve_form=None):
    latest = application.latest_reviews()
    aspects = [(a.value, a.label, DEPARTMENT_LABEL[a], latest.get(a.value), permissions.reviews_aspect(request.user, a.value))
               for a in Aspect]
    point = [{"lat": application.lat, "lon": application.lon, "label": f"{application.name}({application.village.name})",
              "color": "#c8102e", "radius": 8}]
    return {
        "application": application, "aspects": aspects, "blockers": application.blockers(),
        "reviews": application.reviews.select_related("recorded_by").order_by("-reviewed_on", "-pk"),
        "point": point, "township": application.village.parent,
        "may_approve": permissions.may_approve(request.user), "approve_form": approve_form or ApproveForm(),
        "history": history_card(application),
    }


def application_detail(request, pk):
    application = get_object_or_404(_applications(request), pk=pk)
    return render(request, "prereview/detail.html", _detail_context(request, application))


def application_approve(request, pk):
    application = get_object_or_404(_applications(request), pk=pk)
    form = ApproveForm(request.POST or None)
    if request.method != "POST":
        return redirect("prereview:detail", pk)
    if form.is_valid():
        try:
            services.approve(request.user, application, form.cleaned_data.get("note", ""))
        except PrereviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已批准“{application.name}”的建房选址")
            return redirect("prereview:detail", pk)
    application.refresh_from_db()
    return render(request, "prereview/detail.html", _detail_context(request, application, form), status=400)


def review(request, pk, aspect):
    if aspect not in Aspect.values:
        raise Http404("未知的审查事项(应为 geo 地灾隐患或 flood 行洪安全)")
    application = get_object_or_404(_applications(request), pk=pk)
    if not permissions.reviews_aspect(request.user, aspect):
        raise PermissionDenied(f"只有{DEPARTMENT_LABEL[Aspect(aspect)]}部门可以录入{Aspect(aspect).label}审查意见")
    form = ReviewForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.record_review(request.user, application, aspect, d["outcome"], d["reason"], d["reviewer"],
                                       d["reviewed_on"])
            except PrereviewError as exc:
                _put_errors(form, exc)
            else:
                messages.success(request, f"已录入{Aspect(aspect).label}审查意见")
                return redirect("prereview:detail", pk)
        status = 400
    return render(request, "prereview/review.html", {
        "form": form, "application": application, "aspect_label": Aspect(aspect).label,
        "latest": application.latest_reviews().get(aspect)}, status=status)
