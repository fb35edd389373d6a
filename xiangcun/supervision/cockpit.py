"""The supervision panel of the 改革驾驶舱: the reform's own tasks by speech section and by lead body, for the
place on the dashboard (what the user may see there)."""
from django.db.models import Avg, Count, Q
from django.urls import reverse

from xiangcun.core.panels import Panel, Row
from xiangcun.divisions.scoping import subtree_q

from .models import Section, Status, Task, TaskLevel

HEADERS = ["任务数", "已销号", "已完成待核验", "逾期", "进度滞后", "平均进度"]


FIGURES = {"n": Count("pk"), "closed": Count("pk", filter=Q(status=Status.CLOSED)),
           "done": Count("pk", filter=Q(status=Status.DONE)), "overdue": Count("pk", filter=Q(status=Status.OVERDUE)),
           "risk": Count("pk", filter=Q(status=Status.AT_RISK)), "avg": Avg("percent")}


def _row(label, f, url=""):
    tone = "danger" if f["overdue"] else ("warning" if f["risk"] else "")
    avg = f"{f['avg']:.0f}%" if f["avg"] is not None else "—"
    return Row(label, [f["n"], f["closed"], f["done"], f["overdue"], f["risk"], avg], url, tone)


def panels(request, scope):
    """Measures and assignments (not the key tasks that group them) of the counties in or above the place: one
    grouped query per table."""
    visible = Task.objects.visible_to(request.user).values("pk")  # through supporting bodies: rows repeat, so by id
    tasks = (Task.objects.filter(pk__in=visible).exclude(level=TaskLevel.KEY)
             .filter(subtree_q(scope, "county__path") | Q(county__path__in=_ancestor_paths(scope))))
    by_section = {f["section"]: f for f in tasks.values("section").order_by().annotate(**FIGURES)}
    if not by_section:
        return []
    url = reverse("supervision:list")
    total = tasks.aggregate(**FIGURES)
    sections = [_row(label, by_section[value], f"{url}?section={value}")
                for value, label in Section.choices if value in by_section]
    by_body = sorted(tasks.values("lead_id", "lead__name").order_by().annotate(**FIGURES),
                     key=lambda f: (-f["overdue"], -f["risk"], f["lead__name"]))
    return [
        Panel("改革任务推进(按讲话部分)", HEADERS, [*sections, _row("合计", total)], first="讲话部分",
              more=[("任务清单", url), ("督办考核排名", reverse("supervision:ranking"))]),
        Panel("改革任务推进(按牵头单位)", HEADERS, [_row(f["lead__name"], f) for f in by_body[:15]], first="牵头单位",
              note="逾期、滞后多的单位在前" + (f";另有 {len(by_body) - 15} 个单位见任务清单" if len(by_body) > 15 else "")),
    ]


def _ancestor_paths(scope) -> list[str]:
    """The paths of the units above the place (a township's dashboard shows its county's tasks assigned to it;
    `visible_to` already keeps them to what the user sees)."""
    parts = [p for p in (scope.path or "").split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts))]
