"""Reform task supervision (督查督办): the task list broken down from the county speech, reporting rounds, the
reports the responsible bodies file, 催办 and 督办单, 约谈/问责 records, and closing (销号).

A task hangs on bodies (bodies.Body): its lead body and its supporting bodies. It is visible to whoever has
the unit of any of them in scope — the county sees every task of its departments and townships, a township
sees only the assignments its own bodies lead or support. A body closed in a merger keeps its tasks; the pages
show the work passing to `body.final_successor()` and the successor's users may report for it.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from xiangcun.divisions.scoping import PUBLISHED, ScopedQuerySet


class Section(models.TextChoices):
    """The six points of the county speech on the 后半篇 (see ../shared/docs/DOMAIN.md), in the speech's order."""
    ASSETS = "assets", "一、盘活用好公有资产"
    STAFFING = "staffing", "二、优化机构编制和责任清单"
    PLANNING = "planning", "三、科学编制村庄规划、补齐基础设施"
    ECONOMY = "economy", "四、发展特色产业、壮大集体经济"
    SERVICES = "services", "五、提升便民服务和村级代办水平"
    PUBLIC = "public", "六、优化教育医疗养老和关爱服务布局"


class TaskLevel(models.TextChoices):
    KEY = "key", "重点任务"
    MEASURE = "measure", "具体措施"
    ASSIGNMENT = "assignment", "分解到单位"


class Status(models.TextChoices):
    """A task's status; `status.task_status` is the rule that sets it."""
    ON_TRACK = "on_track", "正常推进"
    AT_RISK = "at_risk", "进度滞后"
    OVERDUE = "overdue", "逾期"
    DONE = "done", "已完成待核验"
    CLOSED = "closed", "已销号"


# 红黄绿: the colour each status shows as
TONES = {Status.ON_TRACK: "green", Status.AT_RISK: "amber", Status.OVERDUE: "red", Status.DONE: "green",
         Status.CLOSED: "green"}


class TaskQuerySet(ScopedQuerySet):
    def open(self):
        return self.exclude(status=Status.CLOSED)


def _path_of(task) -> str:
    return task.lead.unit.path


class Task(models.Model):
    county = models.ForeignKey("divisions.Division", verbose_name="所属县(市)", on_delete=models.PROTECT, related_name="+")
    number = models.CharField("序号", max_length=20, help_text="如 1、1.2、1.2.3")
    level = models.CharField("层级", max_length=12, choices=TaskLevel.choices, default=TaskLevel.MEASURE)
    parent = models.ForeignKey("self", verbose_name="上级任务", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    title = models.CharField("任务名称", max_length=200)
    content = models.TextField("具体内容", max_length=2000, blank=True)
    section = models.CharField("讲话部分", max_length=12, choices=Section.choices)
    lead = models.ForeignKey("bodies.Body", verbose_name="牵头单位", on_delete=models.PROTECT, related_name="led_tasks")
    supporting = models.ManyToManyField("bodies.Body", verbose_name="配合单位", blank=True, related_name="supported_tasks")
    leader = models.CharField("责任领导", max_length=50, blank=True)
    start = models.DateField("开始日期", null=True, blank=True)
    deadline = models.DateField("完成时限")
    evidence_required = models.CharField("佐证材料要求", max_length=300, blank=True)
    targets = models.ManyToManyField("indicators.Target", verbose_name="衡量的考核目标", blank=True, related_name="+",
                                     help_text="由指标目标衡量的任务:其完成情况计入目标考核")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.ON_TRACK, db_index=True)
    status_on = models.DateField("状态计算日期", null=True, blank=True, editable=False)
    percent = models.PositiveSmallIntegerField("已采纳进度(%)", default=0, editable=False)
    closed_on = models.DateField("销号日期", null=True, blank=True)
    verifier = models.CharField("核验人", max_length=50, blank=True)
    close_evidence = models.CharField("销号依据", max_length=500, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="销号操作人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    objects = TaskQuerySet.as_manager()
    scope_fields = ("lead__unit__path", "supporting__unit__path")

    class Meta:
        verbose_name = "督办任务"
        verbose_name_plural = "督办任务"
        ordering = ["county_id", "deadline", "number"]
        constraints = [
            models.UniqueConstraint(fields=["county", "number"], name="supervision_task_number_unique"),
            models.CheckConstraint(condition=Q(start__isnull=True) | Q(deadline__gte=models.F("start")),
                                   name="supervision_task_deadline_after_start"),
            models.CheckConstraint(condition=Q(percent__lte=100), name="supervision_task_percent"),
        ]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def tone(self) -> str:
        return TONES[self.status]


class Milestone(models.Model):
    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("节点", max_length=100)
    due = models.DateField("节点时限")
    reached_on = models.DateField("完成日期", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("task__lead__unit__path", "task__supporting__unit__path")

    class Meta:
        verbose_name = "任务节点"
        verbose_name_plural = "任务节点"
        ordering = ["due", "pk"]

    def __str__(self):
        return self.title


class Round(models.Model):
    """A reporting round of a county (e.g. 2026年5月, due on the 25th). Rounds are dates everyone reads."""
    county = models.ForeignKey("divisions.Division", verbose_name="所属县(市)", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("轮次", max_length=50)
    period_start = models.DateField("期间开始")
    period_end = models.DateField("期间结束")
    due = models.DateField("报送截止日期")

    objects = ScopedQuerySet.as_manager()
    scope_fields = PUBLISHED

    class Meta:
        verbose_name = "报送轮次"
        verbose_name_plural = "报送轮次"
        ordering = ["-due"]
        constraints = [models.UniqueConstraint(fields=["county", "title"], name="supervision_round_title_unique"),
                       models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                              name="supervision_round_period_order")]

    def __str__(self):
        return self.title


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送待审核"
    RETURNED = "returned", "已退回"
    ACCEPTED = "accepted", "已采纳"


class Report(models.Model):
    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.PROTECT, related_name="reports")
    round = models.ForeignKey(Round, verbose_name="轮次", on_delete=models.PROTECT, related_name="reports")
    body = models.ForeignKey("bodies.Body", verbose_name="报送单位", on_delete=models.PROTECT, related_name="+")
    text = models.TextField("进展情况", max_length=2000)
    percent = models.PositiveSmallIntegerField("完成进度(%)", default=0)
    milestone = models.ForeignKey(Milestone, verbose_name="达到的节点", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    status = models.CharField("状态", max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT, db_index=True)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    late = models.BooleanField("逾期报送", default=False)
    reason = models.CharField("退回理由", max_length=300, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    returns = models.PositiveSmallIntegerField("被退回次数", default=0)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("body__unit__path", "task__lead__unit__path")

    class Meta:
        verbose_name = "进展报送"
        verbose_name_plural = "进展报送"
        ordering = ["-round__due", "pk"]
        constraints = [models.UniqueConstraint(fields=["task", "round", "body"], name="supervision_report_once"),
                       models.CheckConstraint(condition=Q(percent__lte=100), name="supervision_report_percent")]

    def __str__(self):
        return f"{self.task.number} {self.round.title} {self.body.name}"


def evidence_path(instance, filename):
    return f"supervision/{instance.report_id}/{filename}"


class Evidence(models.Model):
    report = models.ForeignKey(Report, verbose_name="报送", on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField("文件", upload_to=evidence_path, max_length=200)
    name = models.CharField("文件名", max_length=120)
    size = models.PositiveIntegerField("大小(字节)", default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("report__body__unit__path", "report__task__lead__unit__path")

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name


class NoticeStatus(models.TextChoices):
    OPEN = "open", "督办中"
    REPLIED = "replied", "已回复"
    CLOSED = "closed", "已办结"


class Notice(models.Model):
    """A 督办单: a numbered formal supervision notice to a body about a task, with a reply deadline."""
    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.PROTECT, related_name="notices")
    county = models.ForeignKey("divisions.Division", verbose_name="所属县(市)", on_delete=models.PROTECT, related_name="+")
    body = models.ForeignKey("bodies.Body", verbose_name="督办对象", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    seq = models.PositiveIntegerField("顺序号")
    issued = models.DateField("签发日期")
    reply_due = models.DateField("回复时限")
    matter = models.TextField("督办事项", max_length=1000)
    reply = models.TextField("办理情况回复", max_length=2000, blank=True)
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.OPEN, db_index=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签发人", null=True, on_delete=models.SET_NULL,
                                  related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("body__unit__path", "task__lead__unit__path")

    class Meta:
        verbose_name = "督办单"
        verbose_name_plural = "督办单"
        ordering = ["-year", "-seq"]
        constraints = [models.UniqueConstraint(fields=["county", "year", "seq"], name="supervision_notice_number_unique"),
                       models.CheckConstraint(condition=Q(reply_due__gte=models.F("issued")), name="supervision_notice_due")]

    @property
    def number_text(self) -> str:
        return f"督办〔{self.year}〕{self.seq}号"

    def __str__(self):
        return self.number_text


class Reminder(models.Model):
    """A 催办: a light reminder to a body about a task (who, when, what was said)."""
    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.PROTECT, related_name="reminders")
    body = models.ForeignKey("bodies.Body", verbose_name="催办对象", on_delete=models.PROTECT, related_name="+")
    note = models.CharField("催办内容", max_length=300)
    sent_at = models.DateTimeField("催办时间", auto_now_add=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="催办人", null=True, on_delete=models.SET_NULL,
                                related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("body__unit__path", "task__lead__unit__path")

    class Meta:
        verbose_name = "催办记录"
        verbose_name_plural = "催办记录"
        ordering = ["-sent_at"]

    def __str__(self):
        return self.note


class EscalationKind(models.TextChoices):
    TALK = "talk", "约谈"
    ACCOUNTABILITY = "accountability", "问责"


class Escalation(models.Model):
    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.PROTECT, related_name="escalations")
    body = models.ForeignKey("bodies.Body", verbose_name="涉及单位", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=20, choices=EscalationKind.choices)
    happened_on = models.DateField("日期")
    person = models.CharField("对象", max_length=100, help_text="被约谈或被问责的人员及职务")
    note = models.CharField("情况", max_length=500)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, on_delete=models.SET_NULL,
                                    related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_fields = ("body__unit__path", "task__lead__unit__path")

    class Meta:
        verbose_name = "约谈问责记录"
        verbose_name_plural = "约谈问责记录"
        ordering = ["-happened_on", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.person}"


def default_items() -> dict:
    """The items of a new year's scheme (分): see `assessment` for how each is scored."""
    return {"base": 20, "on_time": 30, "progress": 30, "targets": 20, "per_return": 2, "max_return": 10,
            "per_notice": 5, "max_notice": 10}


class Scheme(models.Model):
    """A county's assessment scheme (考核方案) for a year: the weight of each item. Edited by the reform office;
    each edit raises `revision` (and is audited, before and after), and a published ranking names the revision
    it was computed with."""
    county = models.ForeignKey("divisions.Division", verbose_name="所属县(市)", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    items = models.JSONField("考核项目及分值", default=default_items)
    note = models.CharField("说明", max_length=300, blank=True)
    revision = models.PositiveIntegerField("方案版本", default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = PUBLISHED

    class Meta:
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="supervision_scheme_year_unique")]

    def __str__(self):
        return f"{self.year}年考核方案(第{self.revision}版)"


class Publication(models.Model):
    """A published ranking: the scores, each with its facts, frozen as they were when published (version 1, 2 …
    per county and year). Later reports, reviews or scheme edits do not change it."""
    county = models.ForeignKey("divisions.Division", verbose_name="所属县(市)", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    version = models.PositiveIntegerField("发布版本")
    scheme_revision = models.PositiveIntegerField("方案版本")
    items = models.JSONField("考核项目及分值")
    result = models.JSONField("排名及事实")
    note = models.CharField("发布说明", max_length=300, blank=True)
    published_at = models.DateTimeField("发布时间")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发布人", null=True,
                                     on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_fields = PUBLISHED

    class Meta:
        verbose_name = "考核排名发布"
        verbose_name_plural = "考核排名发布"
        ordering = ["-year", "-version"]
        constraints = [models.UniqueConstraint(fields=["county", "year", "version"],
                                               name="supervision_publication_version_unique")]

    def __str__(self):
        return f"{self.year}年考核排名第{self.version}版"
