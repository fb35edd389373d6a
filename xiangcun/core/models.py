"""Shared records: background jobs, dated parameters (and, with the platform issue, the audit trail)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"


class Job(models.Model):
    """A long piece of work run by a worker; the page polls it for progress."""

    kind = models.CharField("类型", max_length=50)
    title = models.CharField("名称", max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField("状态", max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField("进度说明", max_length=300, blank=True)
    params = models.JSONField(default=dict)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField("错误", blank=True)
    result_url = models.CharField(max_length=300, blank=True)
    worker = models.CharField("执行进程", max_length=64, blank=True)  # the WorkerBeat running it (core/workers.py)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        ordering = ["-id"]

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class WorkerBeat(models.Model):
    """A job worker process's heartbeat (core/workers.py): readiness, and jobs of workers that died."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField("主机", max_length=100)
    pid = models.PositiveIntegerField("进程号")
    started_at = models.DateTimeField("启动时间")
    last_seen = models.DateTimeField("最近心跳", db_index=True)
    stopped_at = models.DateTimeField("停止时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务进程"


class DatedParameter(models.Model):
    """A rule value valid from a date (a planning rule, the 薄弱村 threshold …): changing a value adds a row
    valid from a later date, so the history stays and earlier results stay explainable; the latest row
    valid on a date wins. Abstract: a concrete model subclasses ``dated_parameter(...)``, which adds the
    fields (key, value, valid_from, note, set_by, set_at) in that order, and names its own table,
    verbose name and unique (key, valid_from) constraint, with ``class Meta(DatedParameter.Meta)``."""

    class Meta:
        abstract = True
        ordering = ["key", "-valid_from"]

    def __str__(self):
        return f"{self.key} 自 {self.valid_from} 起 {self.value}"

    @classmethod
    def history(cls, key: str) -> models.QuerySet:
        """Every row of `key`, newest first."""
        return cls.objects.filter(key=key).order_by("-valid_from")

    @classmethod
    def row_on(cls, key: str, on: dt.date):
        """The row of `key` valid on `on`, or None."""
        return cls.history(key).filter(valid_from__lte=on).first()

    @classmethod
    def value_on(cls, key: str, on: dt.date, default=None) -> Decimal:
        """The value of `key` valid on `on`; `default` if no row is valid then."""
        row = cls.row_on(key, on)
        return row.value if row else default

    @classmethod
    def histories(cls) -> dict[str, list]:
        """Every key's rows, newest first, in one query (for a page listing all keys)."""
        out: dict[str, list] = {}
        for row in cls.objects.order_by("key", "-valid_from"):
            out.setdefault(row.key, []).append(row)
        return out

    @staticmethod
    def valid_in(rows, on: dt.date):
        """The row valid on `on` among `rows` of one key given newest first (as `history` gives them)."""
        return next((r for r in rows if r.valid_from <= on), None)

    @classmethod
    def record(cls, key: str, value: Decimal, valid_from: dt.date, note: str = "", user=None):
        """Set `key` to `value` from `valid_from` on (replacing a row from that very date)."""
        row, _ = cls.objects.update_or_create(key=key, valid_from=valid_from,
                                              defaults={"value": value, "note": note, "set_by": user})
        return row


def dated_parameter(key_label: str, *, max_digits: int, decimal_places: int) -> type[DatedParameter]:
    """An abstract DatedParameter with the fields, its key named `key_label` and its value sized so.

    A function rather than fields overridden in each subclass so that every concrete model keeps its
    fields in one order (the audit trail shows a record's fields in that order)."""

    class Meta(DatedParameter.Meta):
        abstract = True

    return type(f"DatedParameter_{max_digits}_{decimal_places}", (DatedParameter,), {
        "__module__": __name__,
        "__qualname__": "DatedParameter",
        "Meta": Meta,
        "key": models.CharField(key_label, max_length=40, db_index=True),
        "value": models.DecimalField("取值", max_digits=max_digits, decimal_places=decimal_places),
        "valid_from": models.DateField("起始日期"),
        "note": models.CharField("依据", max_length=200, blank=True),
        "set_by": models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+"),
        "set_at": models.DateTimeField(auto_now_add=True),
    })


from .audit import AuditEntry, AuditHead  # noqa: E402,F401
