"""目标考核: a year's computed ranking of the bodies that lead tasks, and of the townships (their bodies together).

Each score is the sum of weighted items, each traceable to the facts beside it on the page:

- 报送及时率 (40 分): reports filed on time / reports filed, × 40 (no report filed: 0);
- 任务推进 (40 分): the mean accepted progress of the body's tasks (a closed task counts 100 %), × 40;
- 基础分 20 分, less 2 分 per returned report (at most 10) and 5 分 per 督办单 received (at most 10).

Tasks counted: measures and assignments (not key tasks, nor a measure broken down into assignments) whose deadline falls in the year; reports: those of the
rounds whose period ends in the year. Work of a closed body counts for its `final_successor()`.
Not yet done: a scheme with editable weights and items from indicator targets, and publishing a frozen version.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from .models import Notice, Report, ReportStatus, Status, Task, TaskLevel

WEIGHTS = {"on_time": 40, "progress": 40, "base": 20, "per_return": 2, "max_return": 10, "per_notice": 5,
           "max_notice": 10}


@dataclass
class Score:
    name: str
    tasks: int = 0
    percent_sum: int = 0
    filed: int = 0
    on_time: int = 0
    returns: int = 0
    notices: int = 0
    overdue: int = 0
    task_ids: list = field(default_factory=list)

    @property
    def on_time_rate(self) -> float:
        return self.on_time / self.filed if self.filed else 0.0

    @property
    def progress(self) -> float:
        return self.percent_sum / self.tasks / 100 if self.tasks else 0.0

    @property
    def items(self) -> dict:
        w = WEIGHTS
        return {"on_time": round(self.on_time_rate * w["on_time"], 1),
                "progress": round(self.progress * w["progress"], 1),
                "returns": -min(w["max_return"], w["per_return"] * self.returns),
                "notices": -min(w["max_notice"], w["per_notice"] * self.notices)}

    @property
    def total(self) -> float:
        return round(WEIGHTS["base"] + sum(self.items.values()), 1)


def ranking(county, year: int | None, user) -> dict:
    year = year or dt.date.today().year
    tasks = (Task.objects.visible_to(user).filter(county=county, deadline__year=year)
             .exclude(level=TaskLevel.KEY).filter(children__isnull=True).select_related("lead", "lead__unit", "lead__successor"))
    bodies: dict[int, Score] = {}
    heirs, owner = {}, {}
    for t in tasks:
        heir = heirs.get(t.lead_id) or heirs.setdefault(t.lead_id, t.lead.final_successor())
        s = bodies.get(heir.pk) or bodies.setdefault(heir.pk, Score(heir.name))
        s.body, owner[t.pk] = heir, heir.pk
        s.tasks += 1
        s.percent_sum += 100 if t.status in (Status.CLOSED, Status.DONE) else t.percent
        s.overdue += t.status == Status.OVERDUE
        s.task_ids.append(t.pk)
    reports = Report.objects.filter(task_id__in=list(owner), round__period_end__year=year).exclude(
        status=ReportStatus.DRAFT).values_list("task_id", "late", "returns")
    for task_id, late, returns in reports:
        s = bodies[owner[task_id]]
        s.filed += 1
        s.on_time += not late
        s.returns += returns
    for task_id in Notice.objects.filter(task_id__in=list(owner), year=year).values_list("task_id", flat=True):
        bodies[owner[task_id]].notices += 1
    body_rows = sorted(bodies.values(), key=lambda s: (-s.total, s.name))
    townships: dict[int, Score] = defaultdict(lambda: None)
    for s in body_rows:
        unit = s.body.unit
        if unit.level < 4:
            continue
        township = unit if unit.level == 4 else unit.parent
        agg = townships[township.pk] or Score(township.name)
        townships[township.pk] = agg
        for f in ("tasks", "percent_sum", "filed", "on_time", "returns", "notices", "overdue"):
            setattr(agg, f, getattr(agg, f) + getattr(s, f))
    township_rows = sorted((t for t in townships.values() if t), key=lambda s: (-s.total, s.name))
    return {"year": year, "bodies": body_rows, "townships": township_rows, "weights": WEIGHTS,
            "years": list(range(year - 2, year + 2))}
