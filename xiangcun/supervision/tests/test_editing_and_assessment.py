"""Tasks created and edited in the browser's forms (errors beside the field, nothing written on an error, audited),
the year's assessment scheme (versioned, edited by the office, items from task results and indicator targets),
publishing a ranking as a frozen version, and the monthly 督查通报 (.docx)."""
import datetime as dt
import io

import pytest
from django.urls import reverse

from xiangcun.core.models import AuditEntry
from xiangcun.supervision import assessment, services
from xiangcun.supervision.models import Milestone, Notice, Publication, Report, Round, Scheme, Task
from xiangcun.supervision.tests.test_supervision import GOOD, TODAY, import_sheet, sheet


def _form(**over):
    data = {"number": "7.1", "level": "measure", "parent": "", "title": "建立乡镇权责清单", "content": "逐项梳理",
            "section": "staffing", "lead": "民政局", "supporting": "财政局、自然资源局", "leader": "副市长",
            "start": TODAY.isoformat(), "deadline": (TODAY + dt.timedelta(days=60)).isoformat(),
            "evidence_required": "清单文本", "milestones": f"{(TODAY + dt.timedelta(days=20)).isoformat()} 完成初稿"}
    data.update(over)
    return data


@pytest.fixture
def key_task(maerkang, register):
    depts, _ = register
    return Task.objects.create(county=maerkang, number="7", level="key", title="优化机构编制", section="staffing",
                               lead=depts["改革办"], deadline=TODAY + dt.timedelta(days=120))


def test_the_office_creates_a_task_and_bad_input_is_refused_beside_each_field(client, maerkang, register, people, key_task):
    depts, _ = register
    client.force_login(people["office"])
    url = reverse("supervision:new")
    assert client.get(url).status_code == 200
    bad = _form(parent=key_task.pk, lead="不存在局", supporting="财政局、无名办",
                start=TODAY.isoformat(), deadline=(TODAY - dt.timedelta(days=1)).isoformat())
    response = client.post(url, bad)
    page = response.content.decode()
    assert response.status_code == 400
    assert "机构“不存在局”未在马尔康市的机构名录中登记" in page and "机构“无名办”未在马尔康市的机构名录中登记" in page
    assert response.context["form"].errors.keys() >= {"lead", "supporting"}
    assert not Task.objects.filter(number="7.1").exists()
    # the deadline before the start: refused by the service, the message beside 完成时限, every value kept
    response = client.post(url, _form(parent=key_task.pk, deadline=(TODAY - dt.timedelta(days=1)).isoformat()))
    assert response.status_code == 400
    assert "不能早于开始日期" in " ".join(response.context["form"].errors["deadline"])
    assert 'value="建立乡镇权责清单"' in response.content.decode()
    assert not Task.objects.filter(number="7.1").exists()
    # a measure needs a key task above it
    response = client.post(url, _form())
    assert response.status_code == 400 and "具体措施的上级任务应是一项重点任务" in response.content.decode()
    response = client.post(url, _form(parent=key_task.pk))
    assert response.status_code == 302
    task = Task.objects.get(county=maerkang, number="7.1")
    assert task.lead == depts["民政"] and set(task.supporting.all()) == {depts["财政"], depts["自然资源"]}
    assert task.parent == key_task and task.leader == "副市长" and task.evidence_required == "清单文本"
    assert [m.title for m in task.milestones.all()] == ["完成初稿"]
    entries = AuditEntry.objects.filter(action__startswith="supervision.task_links")
    assert entries.count() == 1 and "财政" in str(entries.get().data)


def test_the_office_edits_a_task_and_the_history_shows_it(client, maerkang, register, people, key_task, unit):
    from xiangcun.indicators.models import DataElement, Target

    depts, govs = register
    client.force_login(people["office"])
    client.post(reverse("supervision:new"), _form(parent=key_task.pk))
    task = Task.objects.get(number="7.1")
    target = Target.objects.create(unit=unit("松岗镇"), element=DataElement.objects.get(code="ROAD_HARD_RATE"),
                                   period=str(TODAY.year), value=100, owner="松岗镇人民政府", start_date=TODAY,
                                   due_date=TODAY + dt.timedelta(days=60))
    url = reverse("supervision:edit", args=[task.pk])
    page = client.get(url).content.decode()
    assert 'value="民政局"' not in page and "马尔康市民政局" in page  # the stored names, in full
    late = (TODAY + dt.timedelta(days=90)).isoformat()
    response = client.post(url, _form(parent=key_task.pk, lead="松岗镇人民政府", supporting="",
                                      milestones=f"{late} 完成初稿", targets=[target.pk]))
    assert response.status_code == 400 and "节点时限应在任务时限" in response.content.decode()
    task.refresh_from_db()
    assert task.lead == depts["民政"] and task.milestones.get().due == TODAY + dt.timedelta(days=20)
    response = client.post(url, _form(parent=key_task.pk, lead="松岗镇人民政府", supporting="", title="建立权责清单",
                                      milestones=f"{(TODAY + dt.timedelta(days=30)).isoformat()} 完成初稿\n"
                                                 f"{(TODAY + dt.timedelta(days=50)).isoformat()} 印发",
                                      targets=[target.pk]))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.lead == govs["松岗镇"] and task.title == "建立权责清单" and not task.supporting.exists()
    assert list(task.targets.all()) == [target]
    assert [(m.title, m.due) for m in Milestone.objects.filter(task=task)] == [
        ("完成初稿", TODAY + dt.timedelta(days=30)), ("印发", TODAY + dt.timedelta(days=50))]
    detail = client.get(reverse("supervision:detail", args=[task.pk])).content.decode()
    assert "建立权责清单" in detail and "松岗镇 " in detail and 'id="history"' in detail
    # the township now leads it and sees it; another township does not
    client.force_login(people["songgang"])
    assert client.get(reverse("supervision:detail", args=[task.pk])).status_code == 200
    assert client.get(url).status_code == 403  # only the office edits
    client.force_login(people["dangba"])
    assert client.get(reverse("supervision:detail", args=[task.pk])).status_code == 404


def test_a_number_taken_by_another_task_is_refused(client, maerkang, register, people, key_task):
    client.force_login(people["office"])
    client.post(reverse("supervision:new"), _form(parent=key_task.pk))
    response = client.post(reverse("supervision:new"), _form(parent=key_task.pk, title="另一项"))
    assert response.status_code == 400 and "序号 7.1 已被本县(市)的另一项任务使用" in response.content.decode()
    assert Task.objects.filter(number="7.1").count() == 1


@pytest.fixture
def scored(maerkang, register, people):
    import_sheet(maerkang, sheet(GOOD))
    rnd = Round.objects.create(county=maerkang, title="本月", period_start=TODAY.replace(day=1),
                               period_end=TODAY.replace(day=28), due=TODAY + dt.timedelta(days=10))
    task = Task.objects.get(parent__number="1.2", lead__unit__name="松岗镇")
    task.deadline = dt.date(TODAY.year, 12, 31)  # the task and the round's reports count in the same year
    task.save()
    report = services.file_report(people["songgang"], task, rnd, task.lead, text="进展", percent=40)
    services.review(people["office"], report.pk, accept=False, reason="补材料")
    return task, rnd


def test_the_scheme_is_versioned_and_refuses_weights_not_adding_up(client, maerkang, people, scored):
    task, _ = scored
    year = task.deadline.year
    client.force_login(people["office"])
    url = reverse("supervision:scheme") + f"?year={year}"
    assert "默认分值" in client.get(url).content.decode()
    items = {"base": 20, "on_time": 30, "progress": 30, "targets": 30, "per_return": 2, "max_return": 10,
             "per_notice": 5, "max_notice": 10}
    response = client.post(reverse("supervision:scheme"), {**items, "year": year, "note": ""})
    assert response.status_code == 400 and "合计应为 100 分(现为 110 分)" in response.content.decode()
    assert not Scheme.objects.exists()
    items["base"] = 10
    assert client.post(reverse("supervision:scheme"), {**items, "year": year}).status_code == 302
    items["per_return"] = 5
    assert client.post(reverse("supervision:scheme"), {**items, "year": year}).status_code == 302
    scheme = Scheme.objects.get(county=maerkang, year=year)
    assert scheme.revision == 2 and scheme.items["per_return"] == 5
    assert AuditEntry.objects.filter(action="supervision.scheme_saved").count() == 2
    page = client.get(url).content.decode()
    assert "第 2 版" in page
    # the ranking follows the scheme: one returned report costs 5, no target linked gives the item's 30 in full
    row = next(s for s in assessment.ranking(maerkang, year)["bodies"] if s.body == task.lead)
    assert row.items["returns"] == -5 and row.items["targets"] == 30
    client.force_login(people["songgang"])
    assert client.post(reverse("supervision:scheme"), {**items, "year": year}).status_code == 403


def test_a_published_ranking_is_frozen_and_names_its_version_publisher_and_time(client, maerkang, people, scored):
    task, rnd = scored
    year = task.deadline.year
    client.force_login(people["office"])
    ranking = reverse("supervision:ranking")
    page = client.get(ranking + f"?year={year}").content.decode()
    assert "实时计算" in page and "尚未发布排名" in page and "得分依据" in page
    response = client.post(reverse("supervision:publish"), {"year": year, "note": "半年考核"})
    assert response.status_code == 302
    publication = Publication.objects.get(county=maerkang, year=year)
    assert publication.version == 1 and publication.published_by == people["office"]
    frozen = next(r for r in publication.result["bodies"] if r["body"] == task.lead_id)
    assert frozen["returns"] == 1 and [t[1] for t in frozen["facts"]["tasks"]] == [task.number]
    before = frozen["total"]
    # later facts: a 督办单 and an accepted report change the live ranking only
    services.issue_notice(people["office"], task, task.lead, reply_due=TODAY + dt.timedelta(days=3), matter="请加快")
    report = services.file_report(people["songgang"], task, rnd, task.lead, text="补齐", percent=100)
    services.review(people["office"], report.pk, accept=True)
    live = next(s for s in assessment.ranking(maerkang, year)["bodies"] if s.body == task.lead)
    assert live.total != before and live.notices == 1
    page = client.get(ranking + f"?year={year}").content.decode()
    assert "已发布第 1 版" in page and "由sv_office发布" in page and "半年考核" in page
    assert publication.published_at.astimezone().strftime("%Y-%m-%d %H:%M") in page
    publication.refresh_from_db()
    assert next(r for r in publication.result["bodies"] if r["body"] == task.lead_id)["total"] == before
    assert f"督办〔{TODAY.year}〕" not in page.split('id="township-ranking"')[0]  # the notice came after publishing
    live_page = client.get(ranking + f"?year={year}&live=1").content.decode()
    assert f"督办〔{TODAY.year}〕1号" in live_page
    # publishing again makes version 2; version 1 stays readable as it was
    client.post(reverse("supervision:publish"), {"year": year})
    assert list(Publication.objects.filter(year=year).values_list("version", flat=True)) == [2, 1]
    old = client.get(ranking + f"?year={year}&version=1").content.decode()
    assert "已发布第 1 版" in old and str(before) in old
    assert AuditEntry.objects.filter(action="supervision.ranking_published").count() == 2
    assert client.get(ranking + f"?year={year}&version=9").status_code == 404
    client.force_login(people["songgang"])
    assert client.post(reverse("supervision:publish"), {"year": year}).status_code == 403


def test_indicator_targets_linked_to_tasks_score_and_the_unreported_ones_are_listed_not_judged(maerkang, unit, register, people):
    from xiangcun.indicators import aggregate
    from xiangcun.indicators import services as indicators
    from xiangcun.indicators.models import DataElement, Target

    _, govs = register
    geo = aggregate.Geography.on(maerkang)
    for v in geo.under(unit("党坝乡").pk, 5):
        indicators.save_values(people["office"], geo.versions[v].division, "2022", {"ROAD_HARD": "是"})
    element = DataElement.objects.get(code="ROAD_HARD_RATE")
    targets = {name: Target.objects.create(unit=unit(name), element=element, period="2022", value=100, owner=name,
                                           start_date=dt.date(2021, 1, 1), due_date=dt.date(2022, 12, 31))
               for name in ("松岗镇", "党坝乡")}
    for i, name in enumerate(("松岗镇", "党坝乡"), start=1):
        task = Task.objects.create(county=maerkang, number=f"3.{i}", title="通硬化路", section="planning",
                                   lead=govs[name], deadline=TODAY + dt.timedelta(days=10))
        task.targets.set([targets[name]])
    rows = {s.name: s for s in assessment.ranking(maerkang, TODAY.year)["bodies"]}
    db, sg = rows["党坝乡人民政府"], rows["松岗镇人民政府"]
    assert db.target_rate == 1.0 and db.items["targets"] == 20
    assert sg.target_rate is None and sg.items["targets"] == 20  # not judged: nothing to deduct from
    assert "不计分" not in str(sg.frozen()) and sg.frozen()["facts"]["targets"][0][1] is None
    assert "逾期未填报" in sg.frozen()["facts"]["targets"][0][2] or "无数据" in sg.frozen()["facts"]["targets"][0][2]


def test_the_monthly_bulletin_names_completed_and_overdue_tasks_their_units_and_next_steps(client, maerkang, register,
                                                                                           people):
    from docx import Document

    depts, _ = register
    import_sheet(maerkang, sheet(GOOD))
    overdue = Task.objects.create(county=maerkang, number="2.1", title="完成乡镇定岗定责定人", section="staffing",
                                  lead=depts["民政"], start=TODAY - dt.timedelta(days=90),
                                  deadline=TODAY - dt.timedelta(days=3))
    done = Task.objects.get(number="6.1")
    rnd = Round.objects.create(county=maerkang, title="本月", period_start=TODAY.replace(day=1), period_end=TODAY,
                               due=TODAY + dt.timedelta(days=5))
    report = services.file_report(people["minzheng"], done, rnd, done.lead, text="完成", percent=100)
    services.review(people["office"], report.pk, accept=True)
    services.close_task(people["office"], done, verifier="张三", evidence="核验台账")
    services.issue_notice(people["office"], overdue, overdue.lead, reply_due=TODAY + dt.timedelta(days=7),
                          matter="说明原因")
    client.force_login(people["office"])
    response = client.get(reverse("supervision:bulletin") + f"?year={TODAY.year}&month={TODAY.month}")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "督 查 通 报" in text and f"{TODAY.year}年第{TODAY.month}期" in text
    for heading in ("一、总体情况", "二、已完成的任务", "三、逾期未完成的任务", "四、下一步工作"):
        assert heading in text
    completed = text.split("二、已完成的任务")[1].split("三、")[0]
    assert "6.1 推行片区化养老服务" in completed and "销号" in completed
    late = text.split("三、逾期未完成的任务")[1].split("四、")[0]
    assert "马尔康市民政局" in late and "2.1 完成乡镇定岗定责定人" in late
    steps = text.split("四、下一步工作")[1]
    assert Notice.objects.get().number_text in steps and "马尔康市民政局" in steps
    assert "已销号 1 项" in text and "逾期 1 项" in text
    sizes = {run.font.size.pt for p in doc.paragraphs for run in p.runs if run.font.size}
    assert 16 in sizes  # 仿宋三号 body
    assert doc.sections[0].page_width.mm == pytest.approx(210, abs=0.5)
    assert Report.objects.count() == 1
