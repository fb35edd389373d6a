"""The permission matrix's data for task supervision (see core/tests/matrix.py)."""
import datetime as dt

from xiangcun.core.tests.matrix import Case, made_once

CASES = {
    "supervision:detail": Case(obj="sv_task"),
    # the office creates and edits tasks (GET: the form), edits the year's scheme and publishes the ranking
    "supervision:edit": Case(obj="sv_task"),
    "supervision:scheme": Case(),
    "supervision:publish": Case(method="post", ok=302),
    # the management forms: an empty form is refused on the task's page, each error beside its field
    "supervision:remind": Case(obj="sv_task", method="post", ok=400),
    "supervision:milestone_new": Case(obj="sv_task", method="post", ok=400),
    "supervision:notice_new": Case(obj="sv_task", method="post", ok=400),
    "supervision:escalate": Case(obj="sv_task", method="post", ok=400),
    "supervision:close": Case(obj="sv_task", method="post", ok=400),
    "supervision:review": Case(obj="sv_report", method="post", ok=400),
    "supervision:evidence": Case(obj="sv_evidence"),
    "supervision:notice_docx": Case(obj="sv_notice"),
    # only the body that leads the task files reports and replies to its 督办单 (another body's: 404)
    "supervision:report": Case(obj="sv_own_task"),
    "supervision:notice_reply": Case(obj="sv_own_notice", method="post", ok=400),
    "supervision-task-detail": Case(obj="sv_task"),
    "supervision-report-detail": Case(obj="sv_report"),
    # the office reviews through the API; an empty body is refused (400) with each field named
    "supervision-report-review": Case(obj="sv_report", method="post", ok=400),
}


def _build(users, unit):
    from django.core.files.base import ContentFile

    from xiangcun.bodies.models import Body, BodyKind

    from ..models import Evidence, Notice, Report, ReportStatus, Round, Task

    county = unit("马尔康市")
    today = dt.date.today()
    rnd = Round.objects.create(county=county, title="矩阵轮次", period_start=today.replace(day=1), period_end=today,
                               due=today)
    out = {k: {} for k in ("task", "report", "evidence", "notice")}
    for label, township in (("sg", "松岗镇"), ("db", "党坝乡")):
        gov = Body.objects.create(name=f"{township}人民政府(矩阵)", kind=BodyKind.TOWNSHIP_GOVERNMENT, unit=unit(township))
        task = Task.objects.create(county=county, number=f"9.{label}", title=f"{township}矩阵任务", section="assets",
                                   lead=gov, deadline=today + dt.timedelta(days=30))
        report = Report.objects.create(task=task, round=rnd, body=gov, text="进展", percent=10,
                                       status=ReportStatus.SUBMITTED)
        evidence = Evidence.objects.create(report=report, file=ContentFile(b"%PDF-1.4 test", name="a.pdf"), name="a.pdf",
                                           size=13)
        notice = Notice.objects.create(task=task, county=county, body=gov, year=today.year, seq=900 + len(out["task"]),
                                       issued=today, reply_due=today, matter="请说明")
        out["task"][label], out["report"][label] = task.pk, report.pk
        out["evidence"][label], out["notice"][label] = evidence.pk, notice.pk
    return out


kind = made_once(_build)
# who acts for the township governments: their own township's staff (and administrators)
OWN = {"admin": {"sg", "db"}, "office": set(), "minzheng": set(), "caizheng": set(), "analyst": set(),
       "songgang": {"sg"}, "dangba": {"db"}, "agent": set()}

# tasks of the township governments: the county and the township; a village agent sees only what its village leads
TOWNSHIP = {"admin": {"sg", "db"}, "office": {"sg", "db"}, "minzheng": {"sg", "db"}, "caizheng": {"sg", "db"},
            "analyst": {"sg", "db"}, "songgang": {"sg"}, "dangba": {"db"}, "agent": set()}

OBJECTS = {
    "sv_task": (TOWNSHIP, kind("task")),
    "sv_report": (TOWNSHIP, kind("report")),
    "sv_evidence": (TOWNSHIP, kind("evidence")),
    "sv_notice": (TOWNSHIP, kind("notice")),
    "sv_own_task": (OWN, kind("task")),
    "sv_own_notice": (OWN, kind("notice")),
}
