"""Utilisation and revitalisation statistics of a scope over a period (盘活统计).

Figures count assets by their current custodian (custody follows mergers, so a township's figures
include what it took over from the units merged into it). Everything is computed with a handful of
grouped queries on the asset's own `custodian_path` (grouped by the unit directly under the scope in
SQL on PostgreSQL), then rolled up in Python.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import CharField, Count, F, Func, Q, Sum

from xiangcun.divisions.models import Division
from xiangcun.divisions.scoping import subtree_q

from .models import Plan, PlanStatus, Route, Status

ZERO = Decimal("0")


def months_ago(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    last = [31, 29 if y % 4 == 0 and (y % 100 or y % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    return dt.date(y, m, min(day.day, last))


@dataclass
class Row:
    unit_id: int | None
    name: str
    total: int = 0
    area: Decimal = ZERO
    by_status: dict = field(default_factory=lambda: defaultdict(int))
    area_by_status: dict = field(default_factory=lambda: defaultdict(lambda: ZERO))
    long_idle: int = 0
    revitalised: int = 0           # plans done in the period (public use or lease)
    disposed: int = 0              # sales and transfers done in the period
    lease_income: Decimal = ZERO
    sale_income: Decimal = ZERO
    capital_injected: Decimal = ZERO

    @property
    def status_counts(self) -> list[int]:
        """Counts in the order of Status (templates must not touch the defaultdict: a lookup adds keys)."""
        return [self.by_status.get(s, 0) for s in Status.values]

    @property
    def idle(self) -> int:
        return self.by_status[Status.IDLE]

    @property
    def idle_area(self) -> Decimal:
        return self.area_by_status[Status.IDLE]

    @property
    def utilisation(self) -> float | None:
        """Share of the floor area on the books (not disposed) that is in use or revitalised."""
        base = self.area - self.area_by_status[Status.DISPOSED]
        used = self.area_by_status[Status.IN_USE] + self.area_by_status[Status.REVITALISED]
        return float(used / base * 100) if base else None


@dataclass
class Report:
    scope: Division | None
    date_from: dt.date
    date_to: dt.date
    idle_months: int
    total: Row
    rows: list[Row]
    by_route: dict                  # route label -> {"count", "area", "value"}
    long_idle_list: list            # the longest-idle assets (a sample, for the table)


class UnitUnder(Func):
    """The id (as text) of the unit at `depth` in a division path ("" when the path is shallower), so
    statistics group by the units under the scope in SQL. PostgreSQL only (extended statistics on the
    expression, migration 0003, let it hash into a few groups); elsewhere the whole path, which
    `report` rolls up in Python (a small ledger on SQLite)."""
    output_field = CharField()

    def __init__(self, path, depth: int):
        super().__init__(path)
        self.depth = depth

    def as_sql(self, compiler, connection, **extra):
        return compiler.compile(self.source_expressions[0])

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"split_part({sql}, '/', {int(self.depth) + 2})", params


def overlap_days(a_start, a_end, b_start, b_end) -> int:
    start, end = max(a_start, b_start), min(a_end, b_end)
    return max(0, (end - start).days + 1)


def report(assets, scope: Division | None, date_from: dt.date, date_to: dt.date, idle_months: int = 12) -> Report:
    """Statistics of `assets` (already scoped to the user) under `scope` for [date_from, date_to]."""
    if scope is not None:
        assets = assets.filter(subtree_q(scope.path, "custodian_path"))
    depth = len(scope.depth_ids) if scope is not None else 0
    unit = UnitUnder(F("custodian_path"), depth)
    idle_before = months_ago(date_to, idle_months)
    long_idle_q = Q(status=Status.IDLE, status_since__lte=idle_before)
    grouped = (assets.order_by().annotate(unit=unit).values("unit", "status")
               .annotate(n=Count("id"), area=Sum("floor_area"), long_idle=Count("id", filter=long_idle_q)))
    plans = (Plan.objects.filter(asset__in=assets, status=PlanStatus.DONE).order_by()
             .annotate(unit=UnitUnder(F("asset__custodian_path"), depth)))
    # plans carried out in the period, counted and summed per unit and route in SQL
    done = (plans.filter(outcome_date__range=(date_from, date_to)).values("unit", "route")
            .annotate(n=Count("id"), area=Sum("asset__floor_area"), price=Sum("sale_price"),
                      capital=Sum("transfer_value")))
    # leases running in the period, whatever their outcome date: rent earned in the period, per lease
    leases = (plans.filter(route=Route.INDUSTRY, annual_rent__isnull=False, term_start__lte=date_to,
                           term_end__gte=date_from).values_list("unit", "annual_rent", "term_start", "term_end"))

    def group_of(key):  # the unit directly under the scope that the custodian lies in
        if "/" not in key:  # already cut out in SQL (PostgreSQL)
            return int(key) if key else None
        ids = key.strip("/").split("/")
        return int(ids[depth]) if len(ids) > depth and ids[depth] else None

    rows: dict[int | None, Row] = {}

    def row(path) -> Row:
        key = group_of(path or "")
        if key not in rows:
            rows[key] = Row(key, "")
        return rows[key]

    total = Row(None, "合计")
    for g in grouped:
        area = g["area"] or ZERO
        for r in (row(g["unit"]), total):
            r.total += g["n"]
            r.area += area
            r.by_status[g["status"]] += g["n"]
            r.area_by_status[g["status"]] += area
            r.long_idle += g["long_idle"]
    by_route = {label: {"count": 0, "area": ZERO, "value": ZERO} for _, label in Route.choices}
    industry = Route.INDUSTRY.label
    for key, rent, start, end in leases:
        if not rent:
            continue
        income = (rent * overlap_days(start, end, date_from, date_to) / 365).quantize(Decimal("0.01"))
        for r in (row(key), total):
            r.lease_income += income
        by_route[industry]["value"] += income
    for g in done:
        route_label = Route(g["route"]).label
        by_route[route_label]["count"] += g["n"]
        by_route[route_label]["area"] += g["area"] or ZERO
        for r in (row(g["unit"]), total):
            if g["route"] == Route.SALE:
                r.disposed += g["n"]
                r.sale_income += g["price"] or ZERO
            elif g["route"] == Route.STATE_CAPITAL:
                r.disposed += g["n"]
                r.capital_injected += g["capital"] or ZERO
            else:
                r.revitalised += g["n"]
        if g["route"] == Route.SALE:
            by_route[route_label]["value"] += g["price"] or ZERO
        elif g["route"] == Route.STATE_CAPITAL:
            by_route[route_label]["value"] += g["capital"] or ZERO
    names = dict(Division.objects.filter(pk__in=[k for k in rows if k is not None]).values_list("pk", "name"))
    for key, r in rows.items():
        r.name = names.get(key, "本级") if key is not None else "本级"
        if scope is not None and key == scope.pk:
            r.name = f"{scope.name}本级"
    ordered = sorted(rows.values(), key=lambda r: (-r.total, r.name))
    sample = list(assets.filter(long_idle_q).select_related("custodian", "holder")
                  .order_by("status_since", "ledger_no")[:20])
    return Report(scope, date_from, date_to, idle_months, total, ordered, by_route, sample)


STATUS_ORDER = [s for s, _ in Status.choices]
EXPORT_HEADERS = (["单位", "资产总数", "建筑面积(㎡)"] + [label for _, label in Status.choices]
                  + ["闲置面积(㎡)", "闲置超期数", "利用率(%)", "本期盘活数", "本期处置数", "本期租金收入(元)",
                     "本期出售收入(元)", "补充国有资本(元)"])


def export_rows(rep: Report):
    for r in [*rep.rows, rep.total]:
        yield ([r.name, r.total, r.area] + [r.by_status[s] for s in STATUS_ORDER]
               + [r.idle_area, r.long_idle, round(r.utilisation, 1) if r.utilisation is not None else "",
                  r.revitalised, r.disposed, r.lease_income, r.sale_income, r.capital_injected])


def chart_data(rep: Report) -> dict:
    rows = rep.rows[:30]
    return {
        "labels": [r.name for r in rows],
        "series": [
            {"name": "闲置", "data": [r.idle for r in rows], "color": "#c8102e"},
            {"name": "在用", "data": [r.by_status[Status.IN_USE] for r in rows], "color": "#6baed6"},
            {"name": "已盘活", "data": [r.by_status[Status.REVITALISED] for r in rows], "color": "#2e7d32"},
            {"name": "已处置", "data": [r.by_status[Status.DISPOSED] for r in rows], "color": "#888888"},
        ],
    }


def route_chart(rep: Report) -> list[dict]:
    return [{"name": label, "value": v["count"]} for label, v in rep.by_route.items()]
