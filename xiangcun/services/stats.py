"""Measures of proxy-service cases per scope and period: taken, completed, on time, working days,
最多跑一次 kept, returned for materials — in total, by item and by village.

`report` is one aggregate query per grouping over the case table (working days and on-time are
stored on the case when it is completed): fast for a township. `report_for` (the pages and the API)
gives the same numbers for a county, a city or a province from the monthly rollups (rollup.py), so
it reads a few thousand summary rows instead of a year of cases; only the partial months at the
edges of a period and the overdue count (which depends on today) are counted from the cases.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Q

from xiangcun.divisions.models import Division, Level
from xiangcun.divisions.scoping import area_paths, area_q, paths_q, scope_paths

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
        qs = qs.filter(area_q(scope, "unit_path"))
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


# --- from the monthly rollups (county level and above) ----------------------------------------------------

def _levels_ok(paths) -> bool:
    """Whether every path is of a unit at county level or above (the grain of ItemMonth's areas)."""
    pks = {int(p.strip("/").split("/")[-1]) for p in paths if p.strip("/")}
    levels = list(Division.objects.filter(pk__in=pks).values_list("level", flat=True))
    return len(levels) == len(pks) and all(level <= Level.COUNTY for level in levels)


def _months(date_from: dt.date, date_to: dt.date):
    """The months summed from the rollups ([first, last], contiguous) and the day ranges of the edge
    months that are not whole in the period and must be counted from the cases themselves.

    An edge month counts as whole when no case at all was taken in its days outside the period
    (e.g. a period ending today: nothing was taken after today)."""
    from .rollup import month_of, next_month

    first, last = month_of(date_from), month_of(date_to)
    live = []
    if date_from > first and Case.objects.filter(intake_date__gte=first, intake_date__lt=date_from).exists():
        live.append((date_from, min(date_to, next_month(first) - dt.timedelta(days=1))))
        first = next_month(first)
    end = next_month(last)
    if last >= first and date_to < end - dt.timedelta(days=1) and \
            Case.objects.filter(intake_date__gt=date_to, intake_date__lt=end).exists():
        live.append((max(date_from, last), date_to))
        last = month_of(last - dt.timedelta(days=1))
    return first, last, live


def report_for(user, scope: Division | None, date_from: dt.date, date_to: dt.date,
               today: dt.date | None = None) -> Report:
    """The measures a user sees for a scope and period: the same numbers as `report` over the user's
    cases, read from the monthly rollups when the scope (and the user's jurisdiction) is a county or
    above; smaller scopes are aggregated live (a township's cases are few)."""
    from .models import RUNNING, ItemMonth, ServiceItem, VillageMonth
    from .rollup import COUNTERS, ROLLUP_AGG

    today = today or dt.date.today()
    qs = Case.objects.visible_to(user)
    user_paths = scope_paths(user)
    wanted = None if scope is None else area_paths(scope)
    if date_from > date_to or not all(_levels_ok(p) for p in (user_paths, wanted) if p is not None):
        return report(qs, scope, date_from, date_to, today)

    def where(field):
        q = Q()
        for paths in (user_paths, wanted):
            if paths is not None:
                q &= paths_q(paths, field)
        return q

    first, last, live = _months(date_from, date_to)
    villages: dict = {}
    divs: dict = {}  # village id -> name, valid_to, lon, lat
    items: dict = {}
    months: dict = {}
    total = dict.fromkeys(COUNTERS, 0)

    def add(acc, key, values):
        row = acc.setdefault(key, dict.fromkeys(COUNTERS, 0))
        for k in COUNTERS:
            row[k] += values[k] or 0

    if first <= last:
        vm = VillageMonth.objects.filter(where("unit_path"), month__gte=first, month__lte=last)
        about = ("village__name", "village__valid_to", "village__lon", "village__lat")
        for v in vm.values("village_id", *about).annotate(**ROLLUP_AGG).order_by():
            divs[v["village_id"]] = [v.pop(k) for k in about]
            villages[v.pop("village_id")] = v
        months = {v.pop("month"): v for v in vm.values("month").annotate(**ROLLUP_AGG).order_by()}
        im = ItemMonth.objects.filter(where("area_path"), month__gte=first, month__lte=last)
        items = {v.pop("item_id"): v for v in im.values("item_id").annotate(**ROLLUP_AGG).order_by()}
    if live:  # partial edge months, counted from the cases
        days = Q(pk__in=[])
        for lo, hi in live:
            days |= Q(intake_date__gte=lo, intake_date__lte=hi)
        for kind, key, values in _edge_sums(qs.filter(where("unit_path")).filter(days)):
            add({"village": villages, "item": items, "month": months}[kind], key, values)
    for row in villages.values():
        for k in COUNTERS:
            total[k] += row[k]

    # overdue depends on today: counted live over the running cases (index case_running)
    running = qs.filter(where("unit_path"), intake_date__gte=date_from, intake_date__lte=date_to,
                        status__in=RUNNING, due_date__lt=today)
    late_v, late_i = _overdue(running)

    def row(key, label, c, overdue=0):
        r = Row(key, label, **{k: c[k] for k in ("taken", "completed", "on_time", "delivered", "one_trip", "returned",
                                                 "rejected", "open")}, overdue=overdue)
        r.avg_days = round(c["days_sum"] / c["days_n"], 1) if c["days_n"] else None
        return r

    def ranked(acc):
        return sorted(((k, c) for k, c in acc.items() if c["taken"]), key=lambda kc: (-kc[1]["taken"], kc[0]))

    missing = [k for k in villages if k not in divs]  # villages with cases only in the edge days
    divs.update({pk: rest for pk, *rest in Division.objects.filter(pk__in=missing)
                 .values_list("pk", "name", "valid_to", "lon", "lat").order_by()})
    by_village = []
    for k, c in ranked(villages):
        name, valid_to, lon, lat = divs[k]
        r = row(k, name + ("(已撤并)" if valid_to else ""), c, late_v.get(k, 0))
        r.lon, r.lat = lon, lat
        by_village.append(r)
    names = dict(ServiceItem.objects.filter(pk__in=list(items)).values_list("pk", "name"))
    by_item = [row(k, names[k], c, late_i.get(k, 0)) for k, c in ranked(items)]
    by_month = [row(m, f"{m:%Y-%m}", c) for m, c in sorted(months.items()) if c["taken"]]
    return Report(scope, date_from, date_to, row(None, "合计", total, sum(late_v.values())), by_item, by_village,
                  by_month)


def _overdue(running) -> tuple[dict, dict]:
    """Overdue cases by village and by item: one index-only pass with GROUPING SETS on PostgreSQL."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return ({v["village_id"]: v["n"] for v in running.values("village_id").annotate(n=Count("*")).order_by()},
                {v["item_id"]: v["n"] for v in running.values("item_id").annotate(n=Count("*")).order_by()})
    sql, params = running.values_list("village_id", "item_id").order_by().query.sql_with_params()
    by_village, by_item = {}, {}
    with connection.cursor() as cur:
        cur.execute(f"SELECT v, i, GROUPING(v), COUNT(*) FROM ({sql}) AS s(v, i) GROUP BY GROUPING SETS ((v), (i))",
                    params)
        for v, i, by_i, n in cur.fetchall():
            if by_i:
                by_item[i] = n
            else:
                by_village[v] = n
    return by_village, by_item


def _edge_sums(part):
    """The rollup counters of the cases in `part` by village, by item and by month, as
    (kind, key, counters): one pass with GROUPING SETS on PostgreSQL (the edge days of a province
    are tens of thousands of cases), one query per grouping elsewhere."""
    from django.db import connection
    from django.db.models.functions import TruncMonth

    from .models import OPEN
    from .rollup import CASE_AGG, COUNTERS, DELIVERED

    part = part.annotate(m=TruncMonth("intake_date"))
    if connection.vendor != "postgresql":
        for kind, key in (("village", "village_id"), ("item", "item_id"), ("month", "m")):
            for v in part.values(key).annotate(**CASE_AGG).order_by():
                m = v.pop(key)
                yield kind, (m.date() if isinstance(m, dt.datetime) else m), v
        return
    # the same counters as rollup.CASE_AGG, in SQL over the columns of one pass
    done, delivered, opened = list(DONE), list(DELIVERED), list(OPEN)
    counters = [
        ("COUNT(*)", []),
        ("COUNT(*) FILTER (WHERE st = ANY(%s))", [done]),
        ("COUNT(*) FILTER (WHERE st = ANY(%s) AND ot)", [done]),
        ("COALESCE(SUM(wd) FILTER (WHERE st = ANY(%s)), 0)", [done]),
        ("COUNT(wd) FILTER (WHERE st = ANY(%s))", [done]),
        ("COUNT(*) FILTER (WHERE st = ANY(%s))", [delivered]),
        ("COUNT(*) FILTER (WHERE st = ANY(%s) AND tr <= 1)", [delivered]),
        ("COUNT(*) FILTER (WHERE rc > 0)", []),
        ("COUNT(*) FILTER (WHERE st = %s)", [str(Status.REJECTED)]),
        ("COUNT(*) FILTER (WHERE st = ANY(%s))", [opened]),
    ]
    assert len(counters) == len(COUNTERS) == len(CASE_AGG)
    inner, inner_params = part.values_list("village_id", "item_id", "m", "status", "on_time", "working_days", "trips",
                                           "returned_count").order_by().query.sql_with_params()
    sql = (f"SELECT v, i, m, GROUPING(v), GROUPING(i), {', '.join(c for c, _ in counters)} "
           f"FROM ({inner}) AS s(v, i, m, st, ot, wd, tr, rc) GROUP BY GROUPING SETS ((v), (i), (m))")
    params = [x for _, ps in counters for x in ps] + list(inner_params)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        for v, i, m, not_v, not_i, *values in cur.fetchall():
            counts = dict(zip(COUNTERS, values))
            if not not_v:
                yield "village", v, counts
            elif not not_i:
                yield "item", i, counts
            else:
                yield "month", (m.date() if isinstance(m, dt.datetime) else m), counts
