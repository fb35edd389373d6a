"""目标考核: a year's ranking of the bodies that lead tasks, and of the townships (their bodies together), scored by
the county's assessment scheme for the year (`models.Scheme`, edited by the reform office; the defaults below
until it is first saved). Each score is the sum of weighted items, each traceable to the facts kept beside it:

- 基础分 (`base`);
- 报送及时率 (`on_time`): reports filed on time / reports filed × its points (no report filed: 0);
- 任务推进 (`progress`): the mean accepted progress of the body's tasks (a closed or done task counts 100 %);
- 指标目标完成 (`targets`): the mean progress of the indicator targets linked to the body's tasks (each capped at
  100 %, `indicators.services.progress`). A target whose data is incomplete or missing is listed, not judged
  (the platform ranks nothing incomplete); a body with no judged target gets the item's full points
  (nothing to deduct from), and the facts say so;
- less `per_return` per returned report (at most `max_return`) and `per_notice` per 督办单 (at most `max_notice`).

Tasks counted: measures and assignments (not key tasks, nor a measure broken down into assignments) whose deadline
falls in the year; reports: those of the rounds whose period ends in the year; 督办单 of the year. Work of a closed
body counts for its `final_successor()`.

`publish` freezes a ranking: the rows, their items and their facts are stored as a `Publication` (version 1, 2 …),
so later reports, reviews and scheme edits change the live ranking only, never a published one.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from xiangcun.core import audit

from .models import Notice, Publication, Report, ReportStatus, Scheme, Status, Task, TaskLevel, default_items

ITEMS = [  # (key, label, kind): "points" add up to 100 with base; "deduct" are per-fact deductions and their caps
    ("base", "基础分", "points"),
    ("on_time", "报送及时率", "points"),
    ("progress", "任务推进", "points"),
    ("targets", "指标目标完成", "points"),
    ("per_return", "退回每次扣分", "deduct"),
    ("max_return", "退回最多扣分", "deduct"),
    ("per_notice", "督办单每份扣分", "deduct"),
    ("max_notice", "督办单最多扣分", "deduct"),
]
LABELS = {k: label for k, label, _ in ITEMS}
FULL_MARKS = 100
WEIGHTS = default_items()  # kept for readers of the old constant


class SchemeError(Exception):
    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message, self.fields = message, dict(fields or {})


def scheme_for(county, year: int) -> Scheme:
    """The county's scheme for the year (unsaved with the default items when none was saved)."""
    return Scheme.objects.filter(county=county, year=year).first() or Scheme(county=county, year=year,
                                                                           items=default_items(), revision=0)


def save_scheme(user, county, year: int, items: dict, note: str = "") -> Scheme:
    """Save the year's weights: the points items add up to 100, deductions are 0 … 100. Each change raises the
    scheme's revision and is audited with the items before and after."""
    errors = {}
    clean = {}
    for key, label, _ in ITEMS:
        value = items.get(key)
        if value is None or not isinstance(value, int) or not 0 <= value <= FULL_MARKS:
            errors[key] = f"{label}应为 0 到 {FULL_MARKS} 之间的整数"
        else:
            clean[key] = value
    if not errors:
        total = sum(clean[k] for k, _, kind in ITEMS if kind == "points")
        if total != FULL_MARKS:
            errors["base"] = f"基础分、报送及时率、任务推进、指标目标完成合计应为 {FULL_MARKS} 分(现为 {total} 分)"
        if clean["per_return"] > clean["max_return"]:
            errors["per_return"] = "退回每次扣分不能大于退回最多扣分"
        if clean["per_notice"] > clean["max_notice"]:
            errors["per_notice"] = "督办单每份扣分不能大于督办单最多扣分"
    if errors:
        raise SchemeError("考核方案未保存:" + ";".join(errors.values()), errors)
    with transaction.atomic():
        scheme = Scheme.objects.select_for_update().filter(county=county, year=year).first()
        if scheme is None:
            scheme = Scheme(county=county, year=year, revision=0)
        elif scheme.items == clean and scheme.note == note:
            return scheme
        scheme.items, scheme.note, scheme.updated_by = clean, note, user
        scheme.revision += 1
        scheme.save()
        audit.log_event(scheme, "supervision.scheme_saved", data={
            "year": year, "revision": scheme.revision,
            "items": {LABELS[k]: v for k, v in clean.items()}})
    return scheme


@dataclass
class Score:
    name: str
    weights: dict = field(default_factory=default_items)
    tasks: int = 0
    percent_sum: int = 0
    filed: int = 0
    on_time: int = 0
    returns: int = 0
    notices: int = 0
    overdue: int = 0
    task_facts: list = field(default_factory=list)     # [(id, number, title, percent counted, status label)]
    notice_numbers: list = field(default_factory=list)
    targets: dict = field(default_factory=dict)        # target id -> (label, pct capped or None, status label)
    body: object = None

    @property
    def on_time_rate(self) -> float:
        return self.on_time / self.filed if self.filed else 0.0

    @property
    def progress(self) -> float:
        return self.percent_sum / self.tasks / 100 if self.tasks else 0.0

    @property
    def judged_targets(self) -> list[float]:
        return [pct for _, pct, _ in self.targets.values() if pct is not None]

    @property
    def target_rate(self) -> float | None:
        judged = self.judged_targets
        return sum(judged) / len(judged) / 100 if judged else None

    @property
    def items(self) -> dict:
        w = self.weights
        rate = self.target_rate
        return {"on_time": round(self.on_time_rate * w["on_time"], 1),
                "progress": round(self.progress * w["progress"], 1),
                "targets": round((1.0 if rate is None else rate) * w["targets"], 1),
                "returns": -min(w["max_return"], w["per_return"] * self.returns),
                "notices": -min(w["max_notice"], w["per_notice"] * self.notices)}

    @property
    def total(self) -> float:
        return round(self.weights["base"] + sum(self.items.values()), 1)

    def merge(self, other: Score) -> None:
        for f in ("tasks", "percent_sum", "filed", "on_time", "returns", "notices", "overdue"):
            setattr(self, f, getattr(self, f) + getattr(other, f))
        self.task_facts += other.task_facts
        self.notice_numbers += other.notice_numbers
        self.targets.update(other.targets)

    def frozen(self) -> dict:
        """The row as a publication keeps it: score, items and every fact behind them."""
        rate = self.target_rate
        return {"name": self.name, "body": getattr(self.body, "pk", None), "total": self.total, "items": self.items,
                "tasks": self.tasks, "progress": round(self.progress * 100, 1), "filed": self.filed,
                "on_time": self.on_time, "returns": self.returns, "notices": self.notices, "overdue": self.overdue,
                "target_rate": None if rate is None else round(rate * 100, 1),
                "facts": {"tasks": [list(t) for t in self.task_facts], "notices": self.notice_numbers,
                          "targets": [list(v) for v in self.targets.values()]}}


def _target_facts(task_ids: list[int], county) -> dict[int, dict[int, tuple]]:
    """For each task, its linked targets: id -> (label, progress capped at 100 or None when not judged, status)."""
    through = Task.targets.through
    links = list(through.objects.filter(task_id__in=task_ids).values_list("task_id", "target_id"))
    if not links:
        return {}
    from xiangcun.indicators import aggregate
    from xiangcun.indicators import services as indicator_services
    from xiangcun.indicators.models import Target

    geo = aggregate.Geography.on(county)
    judged = {}
    for target in Target.objects.filter(pk__in={t for _, t in links}).select_related("unit", "element"):
        p = indicator_services.progress(target, geo)
        pct = None if p.unranked else round(min(100.0, max(0.0, p.pct or 0.0)), 1)
        judged[target.pk] = (str(target), pct, p.status_label)
    out: dict[int, dict[int, tuple]] = {}
    for task_id, target_id in links:
        out.setdefault(task_id, {})[target_id] = judged[target_id]
    return out


def ranking(county, year: int | None, user=None, scheme: Scheme | None = None) -> dict:
    """The live ranking (computed now) for the county and year; `user` None: every task of the county."""
    year = year or dt.date.today().year
    scheme = scheme or scheme_for(county, year)
    weights = {**default_items(), **scheme.items}
    base = Task.objects.visible_to(user) if user is not None else Task.objects.all()
    tasks = (base.filter(county=county, deadline__year=year).exclude(level=TaskLevel.KEY)
             .filter(children__isnull=True).select_related("lead", "lead__unit", "lead__successor").order_by("number"))
    bodies: dict[int, Score] = {}
    heirs, owner = {}, {}
    tasks = list(tasks)
    targets = _target_facts([t.pk for t in tasks], county)
    for t in tasks:
        heir = heirs.get(t.lead_id) or heirs.setdefault(t.lead_id, t.lead.final_successor())
        s = bodies.get(heir.pk) or bodies.setdefault(heir.pk, Score(heir.name, weights))
        s.body, owner[t.pk] = heir, heir.pk
        counted = 100 if t.status in (Status.CLOSED, Status.DONE) else t.percent
        s.tasks += 1
        s.percent_sum += counted
        s.overdue += t.status == Status.OVERDUE
        s.task_facts.append((t.pk, t.number, t.title[:40], counted, t.get_status_display()))
        s.targets.update(targets.get(t.pk, {}))
    reports = Report.objects.filter(task_id__in=list(owner), round__period_end__year=year).exclude(
        status=ReportStatus.DRAFT).values_list("task_id", "late", "returns")
    for task_id, late, returns in reports:
        s = bodies[owner[task_id]]
        s.filed += 1
        s.on_time += not late
        s.returns += returns
    for task_id, seq in Notice.objects.filter(task_id__in=list(owner), year=year).values_list("task_id", "seq"):
        bodies[owner[task_id]].notices += 1
        bodies[owner[task_id]].notice_numbers.append(f"督办〔{year}〕{seq}号")
    body_rows = sorted(bodies.values(), key=lambda s: (-s.total, s.name))
    townships: dict[int, Score] = {}
    for s in body_rows:
        unit = s.body.unit
        if unit.level < 4:
            continue
        township = unit if unit.level == 4 else unit.parent
        agg = townships.get(township.pk) or townships.setdefault(township.pk, Score(township.name, weights))
        agg.merge(s)
    township_rows = sorted(townships.values(), key=lambda s: (-s.total, s.name))
    return {"year": year, "bodies": body_rows, "townships": township_rows, "weights": weights, "scheme": scheme,
            "years": list(range(year - 2, year + 2))}


def publish(user, county, year: int, note: str = "") -> Publication:
    """Freeze the county's ranking for the year as the next version (computed on every task of the county). Two
    offices publishing at once: the unique (county, year, version) refuses the second, which is told to retry."""
    try:
        return _publish(user, county, year, note)
    except IntegrityError:
        raise SchemeError("另一位同事刚刚发布了排名,请刷新后再试") from None


def _publish(user, county, year: int, note: str) -> Publication:
    with transaction.atomic():
        scheme = scheme_for(county, year)
        result = ranking(county, year, None, scheme)
        if not result["bodies"]:
            raise SchemeError(f"{year}年没有可考核的任务,未发布")
        version = (Publication.objects.filter(county=county, year=year).aggregate(m=Max("version"))["m"] or 0) + 1
        publication = Publication.objects.create(
            county=county, year=year, version=version, scheme_revision=scheme.revision, items=result["weights"],
            result={"bodies": [s.frozen() for s in result["bodies"]],
                    "townships": [s.frozen() for s in result["townships"]]},
            note=note, published_at=timezone.now(), published_by=user)
        audit.log_event(publication, "supervision.ranking_published", data={
            "year": year, "version": version, "revision": scheme.revision, "bodies": len(result["bodies"])})
    return publication
