"""The 改革驾驶舱 shows the reform's own tasks: by speech section and by lead body, overdue ones flagged, each
section linking to the filtered task list; a township sees its own assignments, not the county's other tasks."""
import datetime as dt
import re

from django.urls import reverse

from xiangcun.supervision import services
from xiangcun.supervision.models import Status, Task, TaskLevel

TODAY = dt.date.today()


def rows(html, title):
    """{label: [cells]} of the panel with this title, as text."""
    block = html.split(title, 1)[1].split("</table>", 1)[0]
    out = {}
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", block, re.S)[1:]:
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        out[cells[0]] = cells[1:]
    return out


def test_the_dashboard_shows_task_progress_by_section_and_by_lead_body(client, maerkang, unit, register, people):
    depts, govs = register
    late = Task.objects.create(county=maerkang, number="2.1", title="定岗定责", section="staffing", lead=depts["民政"],
                               start=TODAY - dt.timedelta(days=90), deadline=TODAY - dt.timedelta(days=3))
    Task.objects.create(county=maerkang, number="1.1", title="资产清查", section="assets", lead=depts["财政"],
                        start=TODAY - dt.timedelta(days=30), deadline=TODAY + dt.timedelta(days=200))
    Task.objects.create(county=maerkang, number="1.1.1", title="松岗镇资产清查", section="assets", level=TaskLevel.ASSIGNMENT,
                        lead=govs["松岗镇"], start=TODAY - dt.timedelta(days=30), deadline=TODAY + dt.timedelta(days=200),
                        parent=Task.objects.get(number="1.1"))
    Task.objects.create(county=maerkang, number="1", title="盘活资产(重点任务)", section="assets", level=TaskLevel.KEY,
                        lead=depts["财政"], deadline=TODAY + dt.timedelta(days=300))
    services.refresh_stale(Task.objects.all())
    assert Task.objects.get(pk=late.pk).status == Status.OVERDUE

    client.force_login(people["office"])
    html = client.get(reverse("indicators:dashboard")).content.decode()
    sections = rows(html, "改革任务推进(按讲话部分)")
    assert sections["一、盘活用好公有资产"][:1] == ["2"]  # the measure and its assignment, not the key task
    assert sections["二、优化机构编制和责任清单"][3] == "1"  # 逾期
    assert sections["合计"][0] == "3"
    assert f'href="{reverse("supervision:list")}?section=staffing"' in html
    bodies = rows(html, "改革任务推进(按牵头单位)")
    assert list(bodies)[0] == depts["民政"].name  # the body with an overdue task first

    client.force_login(people["songgang"])
    html = client.get(reverse("indicators:dashboard")).content.decode()
    assert rows(html, "改革任务推进(按讲话部分)")["合计"][0] == "1"  # only its own assignment
