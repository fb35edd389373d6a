"""Domain operations of task supervision: views, the API, the import, the demo and commands all call these.

Every transition is audited (`audit.log_event`, labels in EVENTS). A review is applied once: the report's status
moves by a guarded UPDATE (…WHERE status='submitted'), so two reviewers pressing at once get one decision and
one "已被审核" message.
"""
from __future__ import annotations

import datetime as dt
import os

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from xiangcun.bodies.models import Body
from xiangcun.core import audit
from xiangcun.divisions.scoping import scope_q

from .models import (
    Escalation,
    Evidence,
    Notice,
    NoticeStatus,
    Reminder,
    Report,
    ReportStatus,
    Round,
    Status,
    Task,
)
from .status import Facts, task_status

EVENTS = {
    "supervision.report_submitted": "报送任务进展",
    "supervision.report_accepted": "采纳进展报送",
    "supervision.report_returned": "退回进展报送",
    "supervision.reminded": "催办",
    "supervision.notice_issued": "签发督办单",
    "supervision.notice_replied": "回复督办单",
    "supervision.escalated": "约谈问责",
    "supervision.closed": "任务销号",
    "supervision.task_links": "修改任务的配合单位、考核目标或节点",
    "supervision.scheme_saved": "修改考核方案",
    "supervision.ranking_published": "发布考核排名",
}
EVENT_LABELS = {"round": "轮次", "body": "单位", "percent": "完成进度", "reason": "原因", "late": "逾期报送",
                "number": "督办单编号", "reply_due": "回复时限", "kind": "类型", "person": "对象",
                "verifier": "核验人", "evidence": "销号依据", "note": "内容", "files": "佐证材料",
                "supporting": "配合单位", "targets": "考核目标", "milestones": "任务节点", "year": "年度",
                "revision": "方案版本", "version": "发布版本", "items": "考核项目及分值", "bodies": "参与排名单位数"}

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
ALLOWED_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx")
# files whose type can be told by their first bytes must start with them (a renamed .exe is not a .pdf)
MAGIC = {".pdf": b"%PDF-", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff", ".png": b"\x89PNG\r\n\x1a\n",
         ".docx": b"PK\x03\x04", ".xlsx": b"PK\x03\x04", ".doc": b"\xd0\xcf\x11\xe0", ".xls": b"\xd0\xcf\x11\xe0"}


class SupervisionError(Exception):
    """A refused operation; the message is Chinese. `fields` maps a form field to its own message."""

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = dict(fields or {})


# --- who acts for which body ----------------------------------------------------------------------------

def reporting_bodies(user, task: Task):
    """The bodies that may file a report on `task` for this user: its lead, or the body that took the lead over in a
    merger (`final_successor`), among the bodies the user acts for."""
    bodies = Body.objects.filter(Q(pk=task.lead_id) | Q(pk=task.lead.final_successor().pk))
    acting = acting_bodies(user)
    return bodies if acting is None else bodies.filter(pk__in=acting.values("pk"))


def acting_bodies(user):
    """The bodies a user files reports for (None: any — administrators). A county department's staff act for
    their department and the closed bodies it took over; township and village staff for the bodies of their
    jurisdiction (the units merged into it included: their closed bodies' work has passed on here)."""
    from xiangcun.core.roles import Role

    if not getattr(user, "is_authenticated", False):
        return Body.objects.none()
    if user.is_administrator:
        return None
    if user.role in (Role.TOWNSHIP, Role.VILLAGE_AGENT):
        return Body.objects.filter(scope_q(user, "unit__path")) if user.jurisdiction_id else Body.objects.none()
    if user.role == Role.DEPARTMENT and user.body_id:
        ids, frontier = {user.body_id}, [user.body_id]
        while frontier:  # the bodies that passed their work on to the department, at any depth
            frontier = [pk for pk in Body.objects.filter(successor_id__in=frontier).values_list("pk", flat=True)
                        if pk not in ids]
            ids.update(frontier)
        return Body.objects.filter(pk__in=ids)
    return Body.objects.none()


def reportable_tasks(user):
    """The open tasks the user may file reports for: led by one of their bodies."""
    bodies = acting_bodies(user)
    qs = Task.objects.visible_to(user) if bodies is None else Task.objects.filter(lead__in=bodies)
    return qs.exclude(status=Status.CLOSED)


def current_round(county, today: dt.date | None = None) -> Round | None:
    """The round being reported now: the latest one whose period has begun."""
    today = today or dt.date.today()
    return Round.objects.filter(county=county, period_start__lte=today).order_by("-period_start", "-due").first()


# --- status --------------------------------------------------------------------------------------------

def calendar_for(county):
    from xiangcun.services.calendar import Calendar

    return Calendar.for_unit(county)


def facts_of(task: Task) -> Facts:
    accepted = task.reports.filter(status=ReportStatus.ACCEPTED).aggregate(m=Max("percent"))["m"]
    return Facts(deadline=task.deadline, closed=task.closed_on is not None, accepted_percent=accepted,
                 milestones=tuple((m.due, m.reached_on is not None) for m in task.milestones.all()),
                 open_notice=task.notices.filter(status=NoticeStatus.OPEN).exists())


def refresh(task: Task, today: dt.date | None = None, calendar=None) -> Status:
    """Recompute and store a task's status and accepted percent (a plain UPDATE: derived, not audited)."""
    today = today or dt.date.today()
    calendar = calendar or calendar_for(task.county)
    facts = facts_of(task)
    status = task_status(facts, today, calendar.between)
    Task.objects.filter(pk=task.pk).update(status=status, status_on=today, percent=facts.accepted_percent or 0)
    task.status, task.status_on, task.percent = status, today, facts.accepted_percent or 0
    return status


def refresh_stale(qs, today: dt.date | None = None) -> int:
    """Recompute the status of the open tasks in `qs` not computed today (a milestone or deadline passes with
    time, not only with a report): the list pages call it, so what they filter on is today's status."""
    today = today or dt.date.today()
    stale = list(qs.exclude(status=Status.CLOSED).filter(Q(status_on__isnull=True) | Q(status_on__lt=today))
                 .select_related("county").order_by()[:5000])
    calendars = {}
    for task in stale:
        cal = calendars.get(task.county_id) or calendars.setdefault(task.county_id, calendar_for(task.county))
        refresh(task, today, cal)
    return len(stale)


# --- tasks ---------------------------------------------------------------------------------------------

def check_task(task: Task) -> dict[str, str]:
    errors = {}
    if task.start and task.deadline and task.deadline < task.start:
        errors["deadline"] = f"完成时限({task.deadline:%Y-%m-%d})不能早于开始日期({task.start:%Y-%m-%d})"
    return errors


def save_task(user, task: Task, *, supporting=(), targets=(), milestones=None) -> Task:
    """Create or edit a task (key task, measure or assignment) with its supporting bodies, the indicator targets
    that measure it and its milestones (`milestones`: [(due, title)], None keeps them). Every rule is checked
    before anything is written and all refusals come back at once, each under its form field; the record is
    audited (its fields by `audit.register`, the links by the event supervision.task_links)."""
    from xiangcun.divisions.scoping import in_scope

    from .models import Milestone, TaskLevel

    if task.pk and task.closed_on is not None:
        raise SupervisionError("已销号的任务不能再修改")
    errors = check_task(task)
    parent = task.parent
    if task.level == TaskLevel.KEY and parent is not None:
        errors["parent"] = "重点任务没有上级任务"
    elif task.level == TaskLevel.MEASURE and (parent is None or parent.level != TaskLevel.KEY):
        errors["parent"] = "具体措施的上级任务应是一项重点任务"
    elif task.level == TaskLevel.ASSIGNMENT and (parent is None or parent.level != TaskLevel.MEASURE):
        errors["parent"] = "分解到单位的任务的上级任务应是一项具体措施"
    if parent is not None and (parent.county_id != task.county_id or parent.pk == task.pk):
        errors["parent"] = "上级任务不属于本县(市)的任务清单"
    number = (task.number or "").strip()
    if not number:
        errors["number"] = "请填写序号"
    elif Task.objects.filter(county=task.county, number=number).exclude(pk=task.pk).exists():
        errors["number"] = f"序号 {number} 已被本县(市)的另一项任务使用"
    task.number = number
    if not task.lead_id:
        errors["lead"] = "请填写牵头单位"
    elif user is not None and not in_scope(user, task.lead.unit):
        errors["lead"] = f"{task.lead.name}不在您的管辖范围内"
    supporting = [b for b in supporting if b.pk != task.lead_id]
    outside = [b.name for b in supporting if user is not None and not in_scope(user, b.unit)]
    if outside:
        errors["supporting"] = "、".join(outside) + "不在您的管辖范围内"
    wrong = [str(t) for t in targets if not task.county.path or not t.unit.path.startswith(task.county.path)]
    if wrong:
        errors["targets"] = "考核目标不属于本县(市):" + "、".join(wrong)
    if milestones is not None:
        late = [f"{title}({due:%Y-%m-%d})" for due, title in milestones
                if due > task.deadline or (task.start and due < task.start)] if task.deadline else []
        if late:
            span = f"{task.start:%Y-%m-%d} 至 " if task.start else ""
            errors["milestones"] = f"节点时限应在任务时限({span}{task.deadline:%Y-%m-%d})之内:" + "、".join(late)
    if errors:
        raise SupervisionError("任务未保存:" + ";".join(errors.values()), errors)
    with transaction.atomic():
        before = None
        if task.pk:
            before = (sorted(task.supporting.values_list("name", flat=True)),
                      sorted(str(t) for t in task.targets.select_related("unit", "element")),
                      sorted(f"{m.due:%Y-%m-%d} {m.title}" for m in task.milestones.all()))
        task.save()
        task.supporting.set(supporting)
        task.targets.set(targets)
        if milestones is not None:
            wanted = {title: due for due, title in milestones}
            for m in list(task.milestones.all()):
                if m.title in wanted:
                    if m.due != wanted[m.title]:
                        m.due = wanted[m.title]
                        m.save()
                    del wanted[m.title]
                elif m.reached_on is None:  # a reached milestone is a fact: it stays
                    m.delete()
            for title, due in wanted.items():
                Milestone.objects.create(task=task, title=title, due=due)
        after = (sorted(b.name for b in supporting), sorted(str(t) for t in targets),
                 sorted(f"{m.due:%Y-%m-%d} {m.title}" for m in task.milestones.all()))
        if after != before:
            audit.log_event(task, "supervision.task_links", data={
                "supporting": "、".join(after[0]) or "无", "targets": "、".join(after[1]) or "无",
                "milestones": "、".join(after[2]) or "无"})
        if task.status != Status.CLOSED:
            refresh(task)
    return task


def add_milestone(user, task: Task, *, title: str, due: dt.date):
    """A milestone within the task's time span (its status turns amber when the milestone runs late)."""
    from .models import Milestone

    if task.start and due < task.start or due > task.deadline:
        span = f"{task.start:%Y-%m-%d} 至 " if task.start else ""
        raise SupervisionError("节点时限不在任务时限内", {"due": f"节点时限应在任务时限({span}{task.deadline:%Y-%m-%d})之内"})
    with transaction.atomic():
        milestone = Milestone.objects.create(task=task, title=title.strip(), due=due)
        refresh(task)
    return milestone


# --- reports -------------------------------------------------------------------------------------------

def check_files(files) -> dict[str, str]:
    """Evidence files: at most MAX_FILES, each at most 10 MB, of an allowed type whose first bytes agree."""
    problems = []
    if len(files) > MAX_FILES:
        problems.append(f"一次最多上传 {MAX_FILES} 个文件(选了 {len(files)} 个)")
    for f in files:
        ext = os.path.splitext(f.name or "")[1].lower()
        if ext not in ALLOWED_EXTENSIONS:
            problems.append(f"“{f.name}”的类型不允许,只能上传 PDF、JPG、PNG、Word 或 Excel 文件")
            continue
        if f.size > MAX_FILE_BYTES:
            problems.append(f"“{f.name}”有 {f.size / 1024 / 1024:.1f} MB,超过 10 MB 的限制")
            continue
        head = f.read(8)
        f.seek(0)
        if not head.startswith(MAGIC[ext]):
            problems.append(f"“{f.name}”的内容与扩展名 {ext} 不符,请上传原始文件")
    return {"files": ";".join(problems)} if problems else {}


def file_report(user, task: Task, round_: Round, body: Body, *, text: str, percent: int, milestone=None,
                files=(), submit: bool = True) -> Report:
    """File (or save as draft) the body's report on a task for a round. A report already submitted or accepted
    cannot be changed; a returned one is corrected and submitted again. Everything is checked before writing."""
    errors = {}
    bodies = acting_bodies(user)
    if bodies is not None and not bodies.filter(pk=body.pk).exists():
        errors["body"] = f"您不能代{body.name}报送"
    if round_.county_id != task.county_id:
        errors["round"] = "该轮次不属于本任务所在的县(市)"
    if not (text or "").strip():
        errors["text"] = "请填写进展情况"
    if percent is None or not 0 <= percent <= 100:
        errors["percent"] = "完成进度应为 0 到 100 之间的整数"
    if milestone is not None and milestone.task_id != task.pk:
        errors["milestone"] = "该节点不属于本任务"
    errors.update(check_files(files))
    existing = Report.objects.filter(task=task, round=round_, body=body).first()
    if existing and existing.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
        errors["round"] = f"{round_.title}已报送({existing.get_status_display()}),不能重复报送"
    if errors:
        raise SupervisionError("报送未保存:" + ";".join(errors.values()), errors)
    now = timezone.now()
    with transaction.atomic():
        report = existing or Report(task=task, round=round_, body=body)
        report.text, report.percent, report.milestone = text.strip(), percent, milestone
        if submit:
            report.status = ReportStatus.SUBMITTED
            report.submitted_at = now
            report.late = timezone.localdate(now) > round_.due
        else:
            report.status = ReportStatus.DRAFT
        report.save()
        for f in files:
            Evidence.objects.create(report=report, file=f, name=os.path.basename(f.name)[:120], size=f.size,
                                    uploaded_by=user)
        if submit:
            audit.log_event(report, "supervision.report_submitted", data={
                "round": round_.title, "body": body.name, "percent": percent, "late": "是" if report.late else "否",
                "files": len(files)})
    return report


def review(user, report_id: int, *, accept: bool, reason: str = "") -> Report:
    """Accept or return a submitted report (a return needs a reason). Applied once: the status moves by a guarded
    UPDATE, so of two reviewers acting at once only the first decides; the other gets SupervisionError."""
    reason = (reason or "").strip()
    if not accept and not reason:
        raise SupervisionError("退回时请填写退回理由", {"reason": "退回时请填写退回理由"})
    now = timezone.now()
    with transaction.atomic():
        changes = {"status": ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED, "reviewer": user,
                   "reviewed_at": now, "reason": "" if accept else reason}
        moved = Report.objects.filter(pk=report_id, status=ReportStatus.SUBMITTED).update(**changes)
        if not moved:
            raise SupervisionError("该报送已被审核或尚未报送,未重复处理")
        if not accept:
            Report.objects.filter(pk=report_id).update(returns=F("returns") + 1)
        report = Report.objects.select_related("task", "round", "body", "milestone").get(pk=report_id)
        if accept and report.milestone_id and report.milestone.reached_on is None:
            report.milestone.reached_on = timezone.localdate(report.submitted_at or now)
            report.milestone.save()
        audit.log_event(report, "supervision.report_accepted" if accept else "supervision.report_returned",
                        data={"round": report.round.title, "body": report.body.name, "percent": report.percent,
                              **({} if accept else {"reason": reason})})
        refresh(report.task)
    return report


# --- 催办, 督办单, 约谈/问责 ----------------------------------------------------------------------------------

def remind(user, task: Task, body: Body, note: str) -> Reminder:
    note = (note or "").strip()
    if not note:
        raise SupervisionError("请填写催办内容", {"note": "请填写催办内容"})
    with transaction.atomic():
        reminder = Reminder.objects.create(task=task, body=body, note=note, sent_by=user)
        audit.log_event(task, "supervision.reminded", data={"body": body.name, "note": note})
    return reminder


def issue_notice(user, task: Task, body: Body, *, reply_due: dt.date, matter: str,
                 issued: dt.date | None = None) -> Notice:
    """A numbered 督办单 (督办〔年〕N号, numbered per county and year) with a reply deadline."""
    issued = issued or dt.date.today()
    errors = {}
    if not (matter or "").strip():
        errors["matter"] = "请填写督办事项"
    if reply_due is None:
        errors["reply_due"] = "请填写回复时限"
    elif reply_due < issued:
        errors["reply_due"] = f"回复时限不能早于签发日期({issued:%Y-%m-%d})"
    if errors:
        raise SupervisionError("督办单未签发:" + ";".join(errors.values()), errors)
    for _ in range(3):  # two offices numbering at once: the unique number makes one of them take the next
        try:
            with transaction.atomic():
                seq = (Notice.objects.filter(county=task.county, year=issued.year).aggregate(m=Max("seq"))["m"] or 0) + 1
                notice = Notice.objects.create(task=task, county=task.county, body=body, year=issued.year, seq=seq,
                                               issued=issued, reply_due=reply_due, matter=matter.strip(), issued_by=user)
                audit.log_event(task, "supervision.notice_issued", data={
                    "number": notice.number_text, "body": body.name, "reply_due": reply_due.isoformat()})
                refresh(task)
                return notice
        except IntegrityError:
            continue
    raise SupervisionError("督办单编号冲突,请重试")


def reply_notice(user, notice: Notice, reply: str) -> Notice:
    reply = (reply or "").strip()
    if not reply:
        raise SupervisionError("请填写办理情况", {"reply": "请填写办理情况"})
    bodies = acting_bodies(user)
    if bodies is not None and not bodies.filter(pk=notice.body_id).exists():
        raise SupervisionError(f"只有{notice.body.name}可以回复该督办单")
    with transaction.atomic():
        moved = Notice.objects.filter(pk=notice.pk, status=NoticeStatus.OPEN).update(
            reply=reply, replied_at=timezone.now(), status=NoticeStatus.REPLIED)
        if not moved:
            raise SupervisionError("该督办单已回复或已办结")
        notice.refresh_from_db()
        audit.log_event(notice.task, "supervision.notice_replied", data={"number": notice.number_text, "note": reply})
        refresh(notice.task)
    return notice


def escalate(user, task: Task, body: Body, *, kind: str, happened_on: dt.date, person: str, note: str) -> Escalation:
    errors = {}
    if not (person or "").strip():
        errors["person"] = "请填写约谈或问责的对象"
    if not (note or "").strip():
        errors["note"] = "请填写情况"
    if errors:
        raise SupervisionError("记录未保存:" + ";".join(errors.values()), errors)
    with transaction.atomic():
        record = Escalation.objects.create(task=task, body=body, kind=kind, happened_on=happened_on,
                                           person=person.strip(), note=note.strip(), recorded_by=user)
        audit.log_event(task, "supervision.escalated", data={"kind": record.get_kind_display(), "body": body.name,
                                                             "person": record.person})
    return record


def close_task(user, task: Task, *, verifier: str, evidence: str) -> Task:
    """销号: a task done (an accepted report at 100 %, or all milestones reached) is closed by a named verifier
    on stated evidence; its open 督办单 are settled with it."""
    errors = {}
    if not (verifier or "").strip():
        errors["verifier"] = "请填写核验人姓名"
    if not (evidence or "").strip():
        errors["evidence"] = "请填写销号依据(核验的佐证材料)"
    refresh(task)
    if task.status == Status.CLOSED:
        errors["verifier"] = "该任务已销号"
    elif task.status != Status.DONE:
        errors.setdefault("evidence", "任务尚未完成(没有采纳完成进度 100% 的报送),不能销号")
    if errors:
        raise SupervisionError("未销号:" + ";".join(errors.values()), errors)
    with transaction.atomic():
        task.closed_on = dt.date.today()
        task.verifier, task.close_evidence, task.closed_by = verifier.strip(), evidence.strip(), user
        task.save()
        Notice.objects.filter(task=task).exclude(status=NoticeStatus.CLOSED).update(status=NoticeStatus.CLOSED)
        audit.log_event(task, "supervision.closed", data={"verifier": task.verifier, "evidence": task.close_evidence})
        refresh(task)
    return task


# --- merger hook -------------------------------------------------------------------------------------------

def follow_closed_unit(unit, when: dt.date) -> None:
    """A unit closed: bodies already closed it (bodies' hook runs first) and name their successors; the open
    tasks its bodies led pass to the successor's body, each move audited (the task's history shows it)."""
    from xiangcun.bodies.models import Body as B

    for body in B.objects.filter(unit=unit, successor__isnull=False):
        heir = body.final_successor()
        for task in Task.objects.filter(lead=body).exclude(status=Status.CLOSED):
            task.lead = heir
            task.save()
