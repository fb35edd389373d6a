"""Pages of task supervision: the task list and its exports, a task's page with its reports, 催办, 督办单, 约谈/问责
and 销号, the report form, reporting rounds and the assessment ranking. Views are thin: rules live in services."""
import datetime as dt

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xiangcun.bodies.services import county_of
from xiangcun.core import params
from xiangcun.core.audit_display import history_card
from xiangcun.core.downloads import uploaded_file_response
from xiangcun.core.excel import export_response
from xiangcun.core.excel_views import ImportView
from xiangcun.core.paging import CappedPaginator
from xiangcun.divisions.scoping import places, scope_of

from . import assessment, documents, filters, forms, permissions, services
from .imports import HEADERS, TaskImporter, export_rows
from .models import TONES, Evidence, Notice, NoticeStatus, Publication, Report, ReportStatus, Round, Section, Status, Task, TaskLevel


def _county(request):
    """The county a county-wide page is about: the chosen place's county, else the user's own county."""
    try:
        county = county_of(scope_of(request))
    except Http404:
        county = county_of(request.user.jurisdiction) if request.user.jurisdiction_id else None
    if county is None:
        raise Http404("请选择县(市)")
    return county


def _tasks(request):
    return Task.objects.visible_to(request.user).select_related("lead", "lead__successor", "parent", "county")


def task_list(request):
    qs = _tasks(request)
    services.refresh_stale(qs)
    qs = filters.filtered(request.user, request.GET, qs).order_by("county_id", "number")
    page = CappedPaginator(qs, 50).get_page(params.get_page(request.GET))
    query = request.GET.copy()
    query.pop("page", None)
    counts = dict(_tasks(request).values_list("status").annotate(n=Count("pk")).order_by())
    return render(request, "supervision/list.html", {
        "page": page, "statuses": Status.choices, "sections": Section.choices, "levels": TaskLevel.choices,
        "counts": [(s, label, counts.get(s, 0), TONES[s]) for s, label in Status.choices],
        "may_manage": permissions.may_manage(request.user), "query": query.urlencode(),
        "export_query": request.GET.urlencode(),
    })


def task_export(request):
    qs = filters.filtered(request.user, request.GET, _tasks(request).filter(level=TaskLevel.MEASURE))
    qs = qs.prefetch_related("supporting", "children").order_by("county_id", "number")
    return export_response(export_rows(qs), HEADERS, "任务分解表", "xlsx")


def progress_sheet(request):
    """工作推进情况表: every visible task, its status, progress and latest accepted report."""
    qs = _tasks(request)
    services.refresh_stale(qs)
    qs = filters.filtered(request.user, request.GET, qs).order_by("county_id", "number")
    return export_response(documents.progress_rows(qs), documents.PROGRESS_HEADERS, "工作推进情况表", "xlsx")


def _task_form(request, task, county, initial=None):
    """Create (task without pk) or edit a task; a refusal shows the form again with each error beside its field."""
    form = forms.TaskForm(request.POST or None, county=county, user=request.user, task=task, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            for name in ("number", "level", "parent", "title", "content", "section", "lead", "leader", "start",
                         "deadline", "evidence_required"):
                setattr(task, name, data[name])
            created = task.pk is None
            try:
                services.save_task(request.user, task, supporting=data["supporting"], targets=list(data["targets"]),
                                   milestones=data["milestones"])
            except services.SupervisionError as exc:
                placed = False
                for field, message in exc.fields.items():
                    if field in form.fields:
                        form.add_error(field, message)
                        placed = True
                if not placed:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, f"已{'新建' if created else '保存'}任务 {task.number}")
                return redirect("supervision:detail", task.pk)
        if task.pk:  # what was refused is not kept on the record shown beside the form
            task.refresh_from_db()
    from .imports import BodyMatcher

    return render(request, "supervision/task_form.html", {
        "form": form, "task": task, "county": county, "body_names": BodyMatcher(county).choices()},
        status=400 if request.method == "POST" else 200)


def task_new(request):
    county = _county(request)
    initial = None
    parent_id = params.get_id(request.GET, "parent")
    if parent_id and request.method == "GET":  # 添加下级任务: the parent's section and time span to start from
        parent = get_object_or_404(_tasks(request).filter(county=county), pk=parent_id)
        initial = {"parent": parent.pk, "section": parent.section, "deadline": parent.deadline, "start": parent.start,
                   "level": TaskLevel.MEASURE if parent.level == TaskLevel.KEY else TaskLevel.ASSIGNMENT,
                   "number": f"{parent.number}.{parent.children.count() + 1}"}
    return _task_form(request, Task(county=county), county, initial)


def task_edit(request, pk):
    task = get_object_or_404(_tasks(request).select_related("lead", "parent", "county"), pk=pk)
    if task.closed_on is not None:
        messages.error(request, "已销号的任务不能再修改")
        return redirect("supervision:detail", task.pk)
    return _task_form(request, task, task.county)


def _detail_context(request, task, **bound):
    user = request.user
    reports = (task.reports.select_related("round", "body", "milestone", "reviewer")
               .prefetch_related("evidence").order_by("-round__period_start", "pk"))
    reportable = services.reportable_tasks(user).filter(pk=task.pk).exists()
    bodies = services.acting_bodies(user)
    notices = list(task.notices.select_related("body").order_by("-year", "-seq"))
    for n in notices:
        n.may_reply = n.status == NoticeStatus.OPEN and (bodies is None or bodies.filter(pk=n.body_id).exists()) \
            and permissions.may_file(user)
        n.reply_form = bound.get(f"reply_{n.pk}") or forms.ReplyForm(prefix=f"n{n.pk}")
    current = services.current_round(task.county)
    missing = current is not None and task.status != Status.CLOSED and task.level != TaskLevel.KEY and not task.reports.filter(
        round=current, status__in=(ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)).exists()
    return {
        "task": task, "heir": task.lead.final_successor() if task.lead.successor_id else None,
        "children": task.children.select_related("lead").order_by("number"),
        "milestones": task.milestones.all(), "reports": reports, "notices": notices,
        "reminders": task.reminders.select_related("body", "sent_by")[:20],
        "escalations": task.escalations.select_related("body"),
        "may_manage": permissions.may_manage(user), "may_report": reportable and permissions.may_file(user),
        "current_round": current, "missing_report": missing,
        "late_now": missing and current.due < dt.date.today(),
        "review_form": bound.get("review") or forms.ReviewForm(), "review_report": bound.get("review_report"),
        "remind_form": bound.get("remind") or forms.RemindForm(),
        "milestone_form": bound.get("milestone") or forms.MilestoneForm(),
        "notice_form": bound.get("notice") or forms.NoticeForm(),
        "escalation_form": bound.get("escalation") or forms.EscalationForm(),
        "close_form": bound.get("close") or forms.CloseForm(),
        "tone": TONES[task.status], "history": history_card(task),
    }


def task_detail(request, pk):
    task = get_object_or_404(_tasks(request), pk=pk)
    if task.status != Status.CLOSED:
        services.refresh(task)
    return render(request, "supervision/detail.html", _detail_context(request, task))


def _refused(request, task, key, form, exc=None, **extra):
    if exc is not None:
        placed = False
        for field, message in exc.fields.items():
            if field in form.fields:
                form.add_error(field, message)
                placed = True
        if not placed:
            form.add_error(None, exc.message)
    return render(request, "supervision/detail.html", _detail_context(request, task, **{key: form}, **extra), status=400)


@require_POST
def review(request, pk):
    report = get_object_or_404(Report.objects.visible_to(request.user).select_related("task"), pk=pk)
    task = get_object_or_404(_tasks(request), pk=report.task_id)
    form = forms.ReviewForm(request.POST)
    if not form.is_valid():
        return _refused(request, task, "review", form, review_report=report.pk)
    try:
        services.review(request.user, report.pk, accept=form.cleaned_data["decision"] == ReportStatus.ACCEPTED,
                        reason=form.cleaned_data["reason"])
    except services.SupervisionError as exc:
        return _refused(request, task, "review", form, exc, review_report=report.pk)
    messages.success(request, "已采纳该报送" if form.cleaned_data["decision"] == ReportStatus.ACCEPTED else "已退回该报送")
    return redirect("supervision:detail", task.pk)


def _task_action(request, pk, form_class, key, act):
    """A POST on one task from its page: the form, then `act(task, cleaned_data)` → the success message. A refusal
    (the form's or the service's) shows the task page again with the errors beside the form's fields."""
    task = get_object_or_404(_tasks(request), pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        return _refused(request, task, key, form)
    try:
        message = act(task, form.cleaned_data)
    except services.SupervisionError as exc:
        return _refused(request, task, key, form, exc)
    messages.success(request, message)
    return redirect("supervision:detail", task.pk)


@require_POST
def milestone_new(request, pk):
    def act(task, data):
        services.add_milestone(request.user, task, **data)
        return "已添加节点"
    return _task_action(request, pk, forms.MilestoneForm, "milestone", act)


@require_POST
def remind(request, pk):
    def act(task, data):
        services.remind(request.user, task, task.lead.final_successor(), data["note"])
        return f"已向{task.lead.final_successor().name}催办"
    return _task_action(request, pk, forms.RemindForm, "remind", act)


@require_POST
def notice_new(request, pk):
    def act(task, data):
        return f"已签发{services.issue_notice(request.user, task, task.lead.final_successor(), **data).number_text}"
    return _task_action(request, pk, forms.NoticeForm, "notice", act)


@require_POST
def notice_reply(request, pk):
    bodies = services.acting_bodies(request.user)
    notices = Notice.objects.visible_to(request.user) if bodies is None else Notice.objects.filter(body__in=bodies)
    notice = get_object_or_404(notices.select_related("task", "body"), pk=pk)
    task = notice.task
    form = forms.ReplyForm(request.POST, prefix=f"n{notice.pk}")
    if not form.is_valid():
        return _refused(request, task, f"reply_{notice.pk}", form)
    try:
        services.reply_notice(request.user, notice, form.cleaned_data["reply"])
    except services.SupervisionError as exc:
        form.add_error("reply", exc.message)
        return _refused(request, task, f"reply_{notice.pk}", form)
    messages.success(request, f"已回复{notice.number_text}")
    return redirect("supervision:detail", task.pk)


def notice_docx(request, pk):
    notice = get_object_or_404(Notice.objects.visible_to(request.user).select_related("task", "body", "county"), pk=pk)
    return documents.notice_response(notice)


@require_POST
def escalate(request, pk):
    def act(task, data):
        services.escalate(request.user, task, task.lead.final_successor(), **data)
        return "已记录"
    return _task_action(request, pk, forms.EscalationForm, "escalation", act)


@require_POST
def close(request, pk):
    def act(task, data):
        services.close_task(request.user, task, **data)
        return "任务已销号"
    return _task_action(request, pk, forms.CloseForm, "close", act)


def report_form(request, pk):
    task = get_object_or_404(services.reportable_tasks(request.user).select_related("county", "lead"), pk=pk)
    choices = services.reporting_bodies(request.user, task)
    if request.method == "POST":
        form = forms.ReportForm(request.POST, request.FILES, task=task, bodies=choices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.file_report(request.user, task, data["round"], data["body"], text=data["text"],
                                     percent=data["percent"], milestone=data["milestone"], files=data["files"],
                                     submit=request.POST.get("action") != "draft")
            except services.SupervisionError as exc:
                for field, message in exc.fields.items():
                    form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, "已保存草稿" if request.POST.get("action") == "draft" else "已报送,等待改革办审核")
                return redirect("supervision:detail", task.pk)
        status = 400
    else:
        current = services.current_round(task.county)
        existing = task.reports.filter(round=current, body__in=choices).first() if current else None
        initial = {"round": current, "body": choices.first()}
        if existing and existing.status in (ReportStatus.DRAFT, ReportStatus.RETURNED):
            initial.update(text=existing.text, percent=existing.percent, milestone=existing.milestone)
        form = forms.ReportForm(initial=initial, task=task, bodies=choices)
        status = 200
    return render(request, "supervision/report_form.html", {"form": form, "task": task}, status=status)


def evidence(request, pk):
    item = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在") from None
    return uploaded_file_response(handle, item.name)


def rounds(request):
    county = _county(request)
    form = forms.RoundForm(request.POST or None, instance=Round(county=county))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            if Round.objects.filter(county=county, title=form.cleaned_data["title"]).exists():
                form.add_error("title", f"{county.name}已有名为“{form.cleaned_data['title']}”的轮次")
            else:
                form.save()
                messages.success(request, f"已设立报送轮次“{form.instance.title}”")
                return redirect(reverse("supervision:rounds") + f"?scope={county.pk}")
        status = 400
    rows = Round.objects.filter(county=county).annotate(
        submitted=Count("reports", filter=Q(reports__status__in=(ReportStatus.SUBMITTED, ReportStatus.ACCEPTED))),
        late=Count("reports", filter=Q(reports__late=True)),
        returned=Count("reports", filter=Q(reports__status=ReportStatus.RETURNED))).order_by("-period_start")
    return render(request, "supervision/rounds.html", {
        "rounds": rows, "form": form, "county": county, "may_manage": permissions.may_manage(request.user),
        "places": [p for p in places(request.user) if p.level == county.level]}, status=status)


def _ranking_year(county) -> int:
    """The year a first visit opens on: this year if a task counted in the ranking falls due in it, else the
    nearest year that has one (a county whose tasks run to next year sees them, not an empty table)."""
    today = dt.date.today().year
    years = set(Task.objects.filter(county=county, deadline__isnull=False).exclude(level=TaskLevel.KEY)
                .values_list("deadline__year", flat=True).distinct())
    return min(years, key=lambda y: (abs(y - today), y)) if years and today not in years else today


def ranking(request):
    """The year's ranking: the latest published version (or `?version=`), or the live one (`?live=1`, and when
    nothing is published yet). A published version shows exactly what was frozen, with who published it when."""
    county = _county(request)
    year = params.get_year(request.GET, "year", default=None) or _ranking_year(county)
    publications = list(Publication.objects.filter(county=county, year=year).select_related("published_by")
                        .order_by("-version"))
    wanted = params.get_int(request.GET, "version", lo=1, hi=100000)
    live = params.get_choice(request.GET, "live", ["1"]) == "1" or not publications
    context = {"county": county, "year": year, "years": list(range(year - 2, year + 2)),
               "publications": publications, "may_manage": permissions.may_manage(request.user),
               "labels": assessment.LABELS,
               # a task's page is /supervision/<pk>/: one reverse for the thousands of facts a county's rows list
               "task_url": reverse("supervision:list")}
    if wanted is not None:
        shown = next((p for p in publications if p.version == wanted), None)
        if shown is None:
            raise Http404(f"{year}年没有第{wanted}版排名")
        live = False
    else:
        shown = None if live else publications[0]
    if live:
        result = assessment.ranking(county, year, request.user)
        context.update(result, live=True, bodies=[s.frozen() for s in result["bodies"]],
                       townships=[s.frozen() for s in result["townships"]])
    else:
        context.update(live=False, publication=shown, weights=shown.items, bodies=shown.result["bodies"],
                       townships=shown.result["townships"])
    return render(request, "supervision/ranking.html", context)


@require_POST
def publish(request):
    county = _county(request)
    year = params.get_year(request.POST, "year", default=None) or dt.date.today().year
    note = params.get_text(request.POST, "note", max_length=300) or ""
    try:
        publication = assessment.publish(request.user, county, year, note)
    except assessment.SchemeError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("supervision:ranking") + f"?year={year}&scope={county.pk}&live=1")
    messages.success(request, f"已发布{year}年考核排名第{publication.version}版")
    return redirect(reverse("supervision:ranking") + f"?year={year}&scope={county.pk}&version={publication.version}")


def scheme(request):
    county = _county(request)
    source = request.POST if request.method == "POST" else request.GET
    year = params.get_year(source, "year", default=None) or dt.date.today().year
    current = assessment.scheme_for(county, year)
    form = forms.SchemeForm(request.POST or None, initial={**current.items, "year": year, "note": current.note})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = assessment.save_scheme(request.user, county, year,
                                               {k: data[k] for k in assessment.LABELS}, data["note"])
            except assessment.SchemeError as exc:
                for field_name, message in exc.fields.items():
                    form.add_error(field_name if field_name in form.fields else None, message)
            else:
                messages.success(request, f"已保存{year}年考核方案(第{saved.revision}版)")
                return redirect(reverse("supervision:scheme") + f"?year={year}&scope={county.pk}")
        status = 400
    return render(request, "supervision/scheme.html", {
        "form": form, "county": county, "year": year, "scheme": current, "years": list(range(year - 2, year + 2)),
        "may_manage": permissions.may_manage(request.user),
        "history": history_card(current) if current.pk else None}, status=status)


def bulletin(request):
    """The monthly 督查通报 (.docx): `?month=2026-05` (default: this month)."""
    county = _county(request)
    today = dt.date.today()
    year = params.get_year(request.GET, "year", default=None) or today.year
    month = params.get_int(request.GET, "month", lo=1, hi=12) or today.month
    return documents.bulletin_response(county, year, month, request.user)


class TaskImportView(ImportView):
    importer_class = TaskImporter

    def get_importer(self):
        return TaskImporter(_county(self.request), user=self.request.user)

    def get_success_url(self):
        return reverse("supervision:list")

    def get_back(self):
        return "任务清单", reverse("supervision:list")

