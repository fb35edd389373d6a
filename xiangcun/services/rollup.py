"""Monthly rollups of proxy-service cases, so measures over a county, a city or a province do not
aggregate every case of the year.

Two summary tables hold, per month of intake, the counters the measures page shows (taken,
completed, on time, working days, delivered, 最多跑一次, returned, rejected, open):

- `VillageMonth`: one row per village and month (total, by village, by month);
- `ItemMonth`: one row per county-level area, item and month (by item).

They are kept exact by the code that changes cases: `take_case` adds the new case and `transition`
moves the case's contribution from its old state to its new one, in the same transaction (so a
rolled-back step leaves them untouched). Cases written in bulk (the demo, a benchmark's COPY)
are summed afresh with `rebuild()`; `check()` compares the tables with the case table.

Overdue (在办且已过办结期限) depends on today, not on a transition, so it is counted live over the
open cases (an index keeps those few).
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, F, Q, Sum

from xiangcun.divisions import follow
from xiangcun.divisions.models import Division, Level

from .models import DONE, OPEN, Case, ItemMonth, Status, VillageMonth

COUNTERS = ("taken", "completed", "on_time", "days_sum", "days_n", "delivered", "one_trip", "returned", "rejected",
            "open")
DELIVERED = (Status.DELIVERED, Status.ARCHIVED)

# the same counters as aggregates over the case table (for rebuild, edge months and non-rolled scopes)
CASE_AGG = dict(
    taken=Count("id"),
    completed=Count("id", filter=Q(status__in=DONE)),
    on_time=Count("id", filter=Q(status__in=DONE, on_time=True)),
    days_sum=Sum("working_days", filter=Q(status__in=DONE), default=0),
    days_n=Count("working_days", filter=Q(status__in=DONE)),
    delivered=Count("id", filter=Q(status__in=DELIVERED)),
    one_trip=Count("id", filter=Q(status__in=DELIVERED, trips__lte=1)),
    returned=Count("id", filter=Q(returned_count__gt=0)),
    rejected=Count("id", filter=Q(status=Status.REJECTED)),
    open=Count("id", filter=Q(status__in=OPEN)),
)
ROLLUP_AGG = {k: Sum(k, default=0) for k in COUNTERS}


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def contribution(case: Case) -> dict[str, int]:
    """What one case adds to its month's counters in its current state."""
    done = case.status in DONE
    delivered = case.status in DELIVERED
    days = case.working_days if done and case.working_days is not None else None
    return {
        "taken": 1,
        "completed": int(done),
        "on_time": int(done and bool(case.on_time)),
        "days_sum": days or 0,
        "days_n": int(days is not None),
        "delivered": int(delivered),
        "one_trip": int(delivered and case.trips <= 1),
        "returned": int(case.returned_count > 0),
        "rejected": int(case.status == Status.REJECTED),
        "open": int(case.status in OPEN),
    }


def area_paths(unit_paths) -> dict[str, str]:
    """For village paths: the path of each one's deepest ancestor at county level or above (its county),
    taken as a prefix of the village path (so an old path gives the county's path as it was then)."""
    pks = {int(seg) for p in unit_paths for seg in p.strip("/").split("/") if seg}
    upper = set(Division.objects.filter(pk__in=pks, level__lte=Level.COUNTY).values_list("pk", flat=True))
    out = {}
    for p in unit_paths:
        segs = [s for s in p.strip("/").split("/") if s]
        cut = max((i for i, s in enumerate(segs) if int(s) in upper), default=-1)
        out[p] = "/" + "".join(f"{s}/" for s in segs[: cut + 1])
    return out


def _apply(case: Case, delta: dict[str, int]):
    delta = {k: v for k, v in delta.items() if v}
    if not delta:
        return
    month = month_of(case.intake_date)
    area = area_paths([case.unit_path])[case.unit_path]
    vm, _ = VillageMonth.objects.get_or_create(month=month, village_id=case.village_id,
                                               defaults={"unit_path": case.unit_path})
    im, _ = ItemMonth.objects.get_or_create(month=month, area_path=area, item_id=case.item_id)
    changes = {k: F(k) + v for k, v in delta.items()}
    VillageMonth.objects.filter(pk=vm.pk).update(**changes)
    ItemMonth.objects.filter(pk=im.pk).update(**changes)


def added(case: Case):
    """A new case: count it (call inside the transaction that saved it)."""
    _apply(case, contribution(case))


def changed(before: dict[str, int], case: Case):
    """A case moved from a state whose contribution was `before` to its current state."""
    after = contribution(case)
    _apply(case, {k: after[k] - before[k] for k in COUNTERS})


def follow_path(unit, old_path: str, new_path: str) -> None:
    """Follow-hook path_changed (divisions/follow.py): a village transferred elsewhere takes its cases'
    scoping key and its rollup rows along; across counties its by-item counters move to the new county's
    rows. (The registry calls it for every current unit under a moved one, so it runs per village.)"""
    if unit.level != Level.VILLAGE:
        return
    follow.retarget_paths(Case.objects, "village", "unit_path", unit, new_path)
    follow.retarget_paths(VillageMonth.objects, "village", "unit_path", unit, new_path)
    areas = area_paths([old_path, new_path])
    old, new = areas[old_path], areas[new_path]
    if old == new:
        return
    for r in _sums(Case.objects.filter(village_id=unit.pk), "item_id"):
        month = _as_date(r["m"])
        for area, sign in ((old, -1), (new, 1)):
            row, _ = ItemMonth.objects.get_or_create(month=month, area_path=area, item_id=r["item_id"])
            ItemMonth.objects.filter(pk=row.pk).update(**{k: F(k) + sign * r[k] for k in COUNTERS})


# --- bulk ----------------------------------------------------------------------------------------------

def _sums(qs, *keys):
    from django.db.models.functions import TruncMonth

    return qs.annotate(m=TruncMonth("intake_date")).values("m", *keys).annotate(**CASE_AGG).order_by()


def _as_date(m):
    return m.date() if isinstance(m, dt.datetime) else m


@transaction.atomic
def rebuild(log=None) -> tuple[int, int]:
    """Sum both tables afresh from the case table (after cases were written in bulk)."""
    VillageMonth.objects.all().delete()
    ItemMonth.objects.all().delete()
    rows = list(_sums(Case.objects.all(), "village_id", "unit_path"))
    VillageMonth.objects.bulk_create(
        [VillageMonth(month=_as_date(r["m"]), village_id=r["village_id"], unit_path=r["unit_path"],
                      **{k: r[k] for k in COUNTERS}) for r in rows], batch_size=5000)
    areas = area_paths({r["unit_path"] for r in rows})
    by_area: dict[str, list[str]] = {}
    for path, area in areas.items():
        by_area.setdefault(area, []).append(path)
    n_items = 0
    for area, paths in by_area.items():  # one county at a time: its villages' cases by item and month
        sums = _sums(Case.objects.filter(unit_path__in=paths), "item_id")
        objs = [ItemMonth(month=_as_date(r["m"]), area_path=area, item_id=r["item_id"], **{k: r[k] for k in COUNTERS})
                for r in sums]
        ItemMonth.objects.bulk_create(objs, batch_size=5000)
        n_items += len(objs)
    if log:
        log(f"代办件月度汇总:{len(rows)} 个村·月,{n_items} 个县·事项·月")
    return len(rows), n_items


def check() -> list[str]:
    """Differences between the rollups and the case table (empty when they agree)."""
    villages = VillageMonth.objects.values("month", "village_id").annotate(**ROLLUP_AGG).order_by()
    items = ItemMonth.objects.values("month", "item_id").annotate(**ROLLUP_AGG).order_by()
    return _differences("村", "village_id", villages) + _differences("事项", "item_id", items)


def _differences(label, key, kept_rows) -> list[str]:
    live = {(_as_date(r["m"]), r[key]): r for r in _sums(Case.objects.all(), key)}
    kept = {(_as_date(r["month"]), r[key]): r for r in kept_rows}
    out = []
    for k in sorted(set(live) | set(kept), key=str):
        a = {c: live[k][c] if k in live else 0 for c in COUNTERS}
        b = {c: kept[k][c] if k in kept else 0 for c in COUNTERS}
        if a != b:
            out.append(f"{label} {k[1]} {k[0]:%Y-%m}:代办件 {a},汇总 {b}")
    return out
