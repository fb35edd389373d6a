"""What people read in the audit log and the 变更历史 card is Chinese and formatted: coded values by their
label, numbers with units, times in local time in one format, geometry summarised, dicts as 键:值."""
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from xiangcun.accounts.models import Role
from xiangcun.core.audit_display import readable
from xiangcun.divisions import services
from xiangcun.divisions.models import Division
from xiangcun.facilities.models import Scenario

DAY = dt.date(2020, 1, 1)
SQUARE = {"type": "Polygon", "coordinates": [[[102.1, 31.9], [102.2, 31.9], [102.2, 32.0], [102.1, 32.0], [102.1, 31.9]]]}


@pytest.fixture
def county(db):
    c = services.create_unit("测试县", "county", None, DAY, code="510000000000")
    services.create_unit("甲镇", "town", c, DAY)
    return c


def cells(html):
    """The 内容 column of the entries table as plain text."""
    return re.sub(r"<[^>]+>", "", html)


def test_the_log_shows_geometry_choices_parameters_and_times_as_people_read_them(client, county, make_user):
    town = Division.objects.get(name="甲镇")
    town.geometry, town.lon = SQUARE, 102.15
    town.save()
    from xiangcun.facilities.models import CandidateSite

    site = CandidateSite.objects.create(unit=town, name="原甲镇中学闲置校舍", capacity=6)
    scenario = Scenario.objects.create(name="小学撤并", service="primary", scope=county, year=2024,
                                       params={"max_travel": 60.0, "class_limit": 45, "single_source": True,
                                               "candidates": [site.pk]})
    client.force_login(make_user("admin", Role.ADMIN, None))
    text = cells(client.get(reverse("workbench:audit_log")).content.decode())

    assert "多边形,5个点" in text and "'type'" not in text and "Polygon" not in text
    assert "102.15°" in text
    assert "小学(含教学点、九年一贯制)" in text and "服务类别:primary" not in text
    params = re.search(r"参数:(\S+)", text).group(1).split(";")  # PostgreSQL's jsonb orders the keys its own way
    assert sorted(params) == sorted(["最大出行时间:60分钟", "班额上限:45人/班", "每个村只去一处:是", "候选站点:原甲镇中学闲置校舍"])
    assert "max_travel" not in text
    assert "可容纳(班级/床位):6" in text  # the unit is in the field's name; the number stands alone
    created = scenario.created_at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S")
    assert f"创建时间:{created}" in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", text)  # no ISO/UTC time anywhere on the page
    card = cells(client.get(reverse("divisions:detail", args=[town.pk])).content.decode())
    card = re.sub(r"\s+", " ", card)
    assert "变更历史" in card and "边界:— → 多边形,5个点" in card and "经度:— → 102.15°" in card and "Polygon" not in card


def test_the_history_card_formats_the_same_way(client, county, make_user):
    scenario = Scenario.objects.create(name="卫生院布局", service="health", scope=county, year=2024,
                                       params={"time_limit": 20, "keep_cost": 3000.0})
    client.force_login(make_user("admin", Role.ADMIN, None))
    text = cells(client.get(reverse("workbench:audit_history", args=["facilities.scenario", scenario.pk])).content.decode())
    assert "卫生院(县级医院、中心卫生院、乡镇卫生院)" in text
    assert sorted(re.search(r"参数:(\S+)", text).group(1).split(";")) == sorted(["求解时限:20秒", "每保留一处的成本:3000人·分钟"])
    assert "health" not in text and "{" not in text


def test_values_read_as_chinese_text():
    assert readable("2026-12-03T01:02:03.123456+00:00") == "2026-12-03 09:02:03"
    assert readable("2026-12-03T01:02:03Z") == "2026-12-03 09:02:03"
    assert readable({"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"], SQUARE["coordinates"]]}) == "多个多边形,10个点"
    assert readable({"type": "Point", "coordinates": [102.1, 31.9]}) == "点,1个点"
    assert readable("1677427.00", unit="元") == "1677427.00元"
    assert readable("100.0000") == "100" and readable("12.3400", unit="%") == "12.34%" and readable("0.1250") == "0.125"
    assert readable("513201102000") == "513201102000"  # a code is not a number to trim
    assert readable(0.1 + 0.2) == "0.3" and readable(60.0, unit="分钟") == "60分钟"
    assert readable({"reason": "重复录入", "unknown_key": [1, 2]}) == "原因:重复录入;unknown_key:1、2"
    assert readable(False) == "否" and readable(None) == "—"


def test_every_named_event_the_code_logs_has_a_chinese_label():
    """`log_event(obj, "x.y")` anywhere in the product: the log shows 操作 by its label, never "x.y"."""
    from pathlib import Path

    from xiangcun.core import audit

    root = Path(audit.__file__).resolve().parent.parent
    logged = set()
    for path in root.rglob("*.py"):
        if "tests" not in path.parts:
            logged |= set(re.findall(r"log_event\([^,()]+(?:\([^()]*\))?, *\"([a-z_]+\.[a-z_]+)\"", path.read_text()))
    assert logged and "pii.view" in logged
    assert sorted(a for a in logged if audit.ACTIONS.get(a, a) == a) == []


def test_a_full_view_of_personal_data_reads_with_the_fields_chinese_name(client, county, make_user):
    from xiangcun.core.pii import record_full_view

    admin = make_user("admin", Role.ADMIN, None)
    record_full_view(None, admin, "phone")
    client.force_login(admin)
    text = re.sub(r"\s+", " ", cells(client.get(reverse("workbench:audit_log")).content.decode()))
    assert "查看完整个人信息" in text and "字段:手机号" in text and "pii.view" not in text


def test_two_modules_may_give_one_data_key_their_own_meaning(client, county, make_user):
    """A case's "from" is its former status, a cared-for person's "from" the village they moved from, a merged
    organisation's "successor" another organisation while a body's "successor" is a body: each entry reads its
    own module's label, not the one declared last."""
    from xiangcun.core import audit

    town = Division.objects.get(name="甲镇")
    audit.log_event(town, "case.start", data={"from": "待受理", "to": "办理中"}, path=town.path)
    audit.log_event(town, "care.moved", data={"from": "甲村", "to": "乙村"}, path=town.path)
    assert audit.data_keys("case.start").label("from") != audit.data_keys("care.moved").label("from")
    client.force_login(make_user("office", Role.REFORM_OFFICE, county))
    page = cells(client.get(reverse("workbench:audit_log")).content.decode())
    assert f"{audit.data_keys('case.start').label('from')}" in page
    assert f"{audit.data_keys('care.moved').label('from')}" in page
    assert audit.data_keys("case.start").label("reason") == "原因"  # the generic keys still apply
