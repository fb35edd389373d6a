"""Measures of proxy-service cases per scope and period: taken, completed, on time, working days,
最多跑一次 kept, returned for materials — in total, by item and by village.

Everything is one aggregate query per grouping over the case table (working days and on-time are
stored on the case when it is completed), so a province's million cases stay fast.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Q

from xiangcun.divisions.models import Division, path_range

from .models import DONE, Case, Status


def _pct(n, d):
    return round(100.0 * n / d, 1) if d else None


@dataclass
class Row:
    key: object
    label: str
    taken: int = 0
    completed: int = 0
    on_time: int = 0
    avg_days: float | None = None
    delivered: int = 0
    one_trip: int = 0
    returned: int = 0
    rejected: int = 0
    open: int = 0
    overdue: int = 0
    lon: float | None = None
    lat: float | None = None

    @property
    def on_time_pct(self):
        return _pct(self.on_time, self.completed)

    @property
    def one_trip_pct(self):
        return _pct(self.one_trip, self.delivered)

    @property
    def returned_pct(self):
        return _pct(self.returned, self.taken)


@dataclass
class Report:
    scope: Division | None
    date_from: dt.date
    date_to: dt.date
    total: Row
    by_item: list[Row] = field(default_factory=list)
    by_village: list[Row] = field(default_factory=list)
    by_month: list[Row] = field(default_factory=list)


AGG = dict(
    taken=Count("id"),
    completed=Count("id", filter=Q(status__in=DONE)),
    on_time=Count("id", filter=Q(status__in=DONE, on_time=True)),
    avg_days=Avg("working_days", filter=Q(status__in=DONE)),
    delivered=Count("id", filter=Q(status__in=(Status.DELIVERED, Status.ARCHIVED))),
    one_trip=Count("id", filter=Q(status__in=(Status.DELIVERED, Status.ARCHIVED), trips__lte=1)),
    returned=Count("id", filter=Q(returned_count__gt=0)),
    rejected=Count("id", filter=Q(status=Status.REJECTED)),
    open=Count("id", filter=Q(status__in=(Status.RECEIVED, Status.FORWARDED, Status.PROCESSING, Status.RETURNED))),
)


def _row(key, label, values, today) -> Row:
    values = {k: v for k, v in values.items() if k in Row.__dataclass_fields__ and k not in ("key", "label")}
    r = Row(key, label, **values)
    if r.avg_days is not None:
        r.avg_days = round(float(r.avg_days), 1)
    return r


def cases_in(qs, scope: Division | None, date_from: dt.date, date_to: dt.date):
    """Cases taken in [date_from, date_to] in the scope's subtree (cases of merged villages included)."""
    qs = qs.filter(intake_date__gte=date_from, intake_date__lte=date_to)
    if scope is not None:
        from xiangcun.divisions.services import absorbed_paths

        q = path_range(scope.path, "unit_path")
        for p in absorbed_paths(scope):
            q |= path_range(p, "unit_path")
        qs = qs.filter(q)
    return qs


def report(qs, scope: Division | None, date_from: dt.date, date_to: dt.date, today: dt.date | None = None) -> Report:
    """The measures of the cases in `qs` (already scoped to the user) for a scope and period."""
    today = today or dt.date.today()
    base = cases_in(qs, scope, date_from, date_to)
    agg = dict(AGG, overdue=Count("id", filter=Q(status__in=(Status.RECEIVED, Status.FORWARDED, Status.PROCESSING),
                                                  due_date__lt=today)))
    total = _row(None, "合计", base.aggregate(**agg), today)
    by_item = [_row(v["item_id"], v["item__name"], v, today)
               for v in base.values("item_id", "item__name").annotate(**agg).order_by("-taken")]
    villages = base.values("village_id").annotate(**agg).order_by("-taken")
    names = {d.pk: d for d in Division.objects.filter(pk__in=[v["village_id"] for v in villages])}
    by_village = []
    for v in villages:
        d = names[v["village_id"]]
        r = _row(d.pk, d.name + ("(已撤并)" if d.valid_to else ""), v, today)
        r.lon, r.lat = d.lon, d.lat
        by_village.append(r)
    return Report(scope, date_from, date_to, total, by_item, by_village, by_month(base, today))


def by_month(base, today) -> list[Row]:
    from django.db.models.functions import TruncMonth

    rows = base.annotate(month=TruncMonth("intake_date")).values("month").annotate(**AGG).order_by("month")
    return [_row(v["month"], f"{v['month']:%Y-%m}", v, today) for v in rows]


HEADERS = ["单位/事项", "受理件数", "办结件数", "按时办结", "按时办结率(%)", "平均用时(工作日)", "送达件数",
           "最多跑一次", "最多跑一次率(%)", "退回补正件数", "退回补正率(%)", "不予受理", "在办", "逾期在办"]


def export_rows(rep: Report):
    def line(r: Row):
        return [r.label, r.taken, r.completed, r.on_time, r.on_time_pct, r.avg_days, r.delivered, r.one_trip,
                r.one_trip_pct, r.returned, r.returned_pct, r.rejected, r.open, r.overdue]

    yield ["按村(社区)"] + [""] * (len(HEADERS) - 1)
    for r in rep.by_village:
        yield line(r)
    yield ["按事项"] + [""] * (len(HEADERS) - 1)
    for r in rep.by_item:
        yield line(r)
    yield line(rep.total)
