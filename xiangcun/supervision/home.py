"""The supervision card on the workbench: for a responsible body, its 待报送, 被退回 and 督办中; for the reform
office, the tasks overdue or at risk and the reports waiting for review."""
from django.urls import reverse

from xiangcun.core.cards import Card, Count, capped_count

from . import permissions, services
from .models import Notice, NoticeStatus, Report, ReportStatus, Status, Task


def cards(request):
    user = request.user
    counts = []
    url = reverse("supervision:list")
    if permissions.may_manage(user):
        tasks = Task.objects.visible_to(user)
        for status, tone in ((Status.OVERDUE, "danger"), (Status.AT_RISK, "warning")):
            n, more = capped_count(tasks.filter(status=status))
            counts.append(Count(Status(status).label, n, f"{url}?status={status}", tone if n else "", more))
        n, more = capped_count(Report.objects.visible_to(user).filter(status=ReportStatus.SUBMITTED))
        counts.append(Count("待审核报送", n, f"{url}?status={Status.ON_TRACK}", "warning" if n else "", more))
    elif permissions.may_file(user):
        bodies = services.acting_bodies(user)
        tasks = services.reportable_tasks(user).exclude(status=Status.DONE)
        if not tasks.exists():
            return []
        pending = 0
        for task in tasks.select_related("county")[:200]:
            current = services.current_round(task.county)
            if current and not task.reports.filter(round=current, status__in=(ReportStatus.SUBMITTED,
                                                                               ReportStatus.ACCEPTED)).exists():
                pending += 1
        returned = Report.objects.filter(status=ReportStatus.RETURNED, task__in=tasks)
        notices = Notice.objects.filter(status=NoticeStatus.OPEN)
        notices = notices if bodies is None else notices.filter(body__in=bodies)
        counts.append(Count("待报送", pending, url, "warning" if pending else ""))
        n, more = capped_count(returned)
        counts.append(Count("被退回", n, url, "danger" if n else "", more))
        n, more = capped_count(notices)
        counts.append(Count("督办中", n, url, "danger" if n else "", more))
    else:
        return []
    actions = [("导入任务分解表", reverse("supervision:import"))] if permissions.may_manage(user) else []
    return [Card("督查督办", counts, actions)]
