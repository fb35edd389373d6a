"""Partially reported units: aggregates state their coverage and a unit whose data is incomplete is
neither judged (逾期/滞后) nor ranked."""
import datetime as dt
import io

import pytest
from django.urls import reverse

from xiangcun.indicators import aggregate, dashboard, services
from xiangcun.indicators.models import DataElement, Target


@pytest.fixture
def partial(people, unit, maerkang):
    """松岗镇: one village of its n reported 通硬化路 for 2022; 党坝乡: every village reported."""
    office = people["office"]
    geo = aggregate.Geography.on(maerkang)
    services.save_values(office, unit("松岗村"), "2022", {"ROAD_HARD": "是"})
    for v in geo.under(unit("党坝乡").pk, 5):
        services.save_values(office, geo.versions[v].division, "2022", {"ROAD_HARD": "是"})
    element = DataElement.objects.get(code="ROAD_HARD_RATE")
    for township in ("松岗镇", "党坝乡"):
        Target.objects.create(unit=unit(township), element=element, period="2022", value=100, owner=f"{township}人民政府",
                              start_date=dt.date(2021, 1, 1), due_date=dt.date(2022, 12, 31))
    return len(geo.under(unit("松岗镇").pk, 5))


def test_a_partly_reported_township_is_not_judged_overdue_nor_ranked(partial, unit, maerkang):
    n = partial
    progresses = services.assess(Target.objects.all(), aggregate.Geography.on(maerkang))
    sg = next(p for p in progresses if p.target.unit == unit("松岗镇"))
    assert sg.status == "incomplete" and not sg.flagged
    assert sg.status_label == f"数据不全(1/{n})" and sg.actual == pytest.approx(100)
    ranking = services.township_ranking(progresses)
    assert [(r["township"].name, r["rank"]) for r in ranking] == [("党坝乡", 1), ("松岗镇", None)]
    assert ranking[1]["note"] == f"数据不全(1/{n}),不参与排名"


def test_the_dashboard_states_coverage_and_does_not_rank_the_incomplete(client, partial, people, maerkang):
    n = partial
    client.force_login(people["office"])
    body = client.get(reverse("indicators:dashboard"), {"scope": maerkang.pk, "year": "2022"}).content.decode()
    assert f"100%(已报1/{n})" in body  # 松岗镇's 硬化路通达率, not 14.3%
    assert f"数据不全(1/{n}),不参与排名" in body
    assert "逾期未完成" not in body
    targets = client.get(reverse("indicators:targets"), {"scope": maerkang.pk}).content.decode()
    listed = targets[targets.index('id="target-list"'):]
    assert f"数据不全(1/{n})" in listed and "逾期未完成" not in listed


def test_the_report_repeats_the_coverage_not_the_deflated_rate(client, partial, people, maerkang):
    from docx import Document

    n = partial
    client.force_login(people["office"])
    response = client.get(reverse("indicators:report"), {"scope": maerkang.pk, "year": "2022"})
    doc = Document(io.BytesIO(response.content))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert f"100%(已报1/{n})" in cells
    assert f"数据不全(1/{n}),不参与排名" in cells
    assert "逾期未完成" not in cells
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "共 2 项考核目标,滞后或逾期 0 项" in text


def test_a_complete_unit_has_no_coverage_note(partial, unit, maerkang):
    geo = aggregate.Geography.on(maerkang)
    element = DataElement.objects.get(code="ROAD_HARD_RATE")
    assert dashboard.with_coverage(element, "2022", geo, unit("党坝乡").pk) == "100%"


def test_the_api_states_the_coverage_of_each_value(client, partial, people, maerkang):
    n = partial
    client.force_login(people["office"])
    rows = client.get(reverse("indicator-value-aggregate"), {"element": "ROAD_HARD_RATE", "period": "2022",
                                                             "scope": maerkang.pk, "level": 4}).json()
    sg = next(r for r in rows if r["name"] == "松岗镇")
    assert (sg["value"], sg["reported"], sg["expected"]) == (100, 1, n)


def test_a_township_nobody_reported_for_is_neither_judged_nor_ranked(partial, unit, maerkang):
    """0 of n reported: no value at all. Past the due date that is a reporting gap (逾期未填报), not a missed target,
    and the township is not ranked last on a zero it never reported."""
    element = DataElement.objects.get(code="ROAD_HARD_RATE")
    Target.objects.create(unit=unit("木尔宗乡"), element=element, period="2022", value=100, owner="木尔宗乡人民政府",
                          start_date=dt.date(2021, 1, 1), due_date=dt.date(2022, 12, 31))
    progresses = services.assess(Target.objects.all(), aggregate.Geography.on(maerkang))
    silent = next(p for p in progresses if p.target.unit == unit("木尔宗乡"))
    assert silent.status == "unreported" and not silent.flagged and silent.status_label.startswith("逾期未填报(0/")
    ranking = services.township_ranking(progresses)
    row = next(r for r in ranking if r["township"].name == "木尔宗乡")
    assert row["rank"] is None and row["note"].startswith("未填报(0/") and row["note"].endswith("不参与排名")
    assert [r["township"].name for r in ranking if r["rank"] is not None] == ["党坝乡"]
