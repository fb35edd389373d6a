"""Item lists: a village window takes only what the list governing it names, and the reform office creates
new lists (for a unit type in its county, or for one unit) that the import and new versions then fill."""
import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from openpyxl import Workbook

from xiangcun.accounts.models import Role
from xiangcun.core.audit import AuditEntry
from xiangcun.services import item_lists
from xiangcun.services.errors import CaseError
from xiangcun.services.imports import ItemImporter
from xiangcun.services.models import Case, CaseStep, ItemList, UnitType, VillageMonth

START = dt.date(2021, 1, 1)


def make_list(name, items, unit_type=UnitType.VILLAGE, unit=None, start=START, end=None):
    lst = ItemList.objects.create(name=name, unit_type=unit_type, unit=unit, effective_from=start, effective_to=end)
    lst.items.set(items)
    return lst


def at(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def test_an_item_not_on_the_villages_list_is_refused_and_nothing_is_written(take, items):
    make_list("村(社区)便民服务事项清单", [items["township"]])
    audit_before = AuditEntry.objects.count()
    with pytest.raises(CaseError) as refused:
        take(item="county")
    assert str(refused.value).startswith(
        "事项“残疾人证办理”不在松岗村现行的便民服务事项清单中,不能在村级窗口受理")
    assert "村(社区)便民服务事项清单(第1版)" in str(refused.value)
    assert (Case.objects.count(), CaseStep.objects.count(), VillageMonth.objects.count()) == (0, 0, 0)
    assert AuditEntry.objects.count() == audit_before
    assert take(item="township").item == items["township"]  # what the list names is taken as before


def test_without_a_list_in_force_the_catalogue_applies(take, items):
    make_list("旧村级清单", [items["township"]], end=dt.date(2022, 1, 1))          # no longer in force
    make_list("下年村级清单", [items["township"]], start=dt.date.today() + dt.timedelta(days=30))  # not yet
    make_list("乡镇清单", [items["township"]], unit_type=UnitType.TOWNSHIP)       # governs townships, not villages
    assert take(item="county").item == items["county"]
    with pytest.raises(CaseError, match="不可代办"):  # the other rules still hold
        take(item="no_proxy")


def test_the_villages_own_list_wins_then_the_countys_then_the_nationwide_one(take, items, unit, maerkang):
    make_list("通用村级清单", [items["township"]])
    make_list("马尔康市村(社区)清单", [items["county"]], unit=maerkang)
    # 党坝村 follows the county's list: the nationwide one no longer applies there
    assert take(item="county", agent="agent2", village="党坝村").item == items["county"]
    with pytest.raises(CaseError, match="不在党坝村现行的便民服务事项清单中"):
        take(item="township", agent="agent2", village="党坝村")
    make_list("松岗村便民服务事项清单", [items["township"]], unit=unit("松岗村"))
    assert take(item="township").village == unit("松岗村")
    with pytest.raises(CaseError, match="现行清单:松岗村便民服务事项清单"):
        take(item="county")


def test_the_version_in_force_on_the_intake_day_decides(take, items):
    first = make_list("村级清单", [items["township"]])
    second = item_lists.new_list_version(first, dt.date(2024, 1, 1), [items["township"].pk, items["county"].pk])
    assert second.version == 2
    with pytest.raises(CaseError, match=re.escape("现行清单:村级清单(第1版)")):
        take(item="county", when=at(dt.date(2023, 12, 29)))
    assert take(item="county", when=at(dt.date(2024, 1, 2))).intake_date == dt.date(2024, 1, 2)


def test_the_intake_form_offers_only_what_the_village_may_take(client, cast, items):
    make_list("村(社区)便民服务事项清单", [items["township"]])
    client.force_login(cast["agent"])
    page = client.get("/services/cases/new/").content.decode()
    assert "高龄津贴申请" in page and "残疾人证办理" not in page and "不动产登记" not in page
    assert "松岗村按" in page and "村(社区)便民服务事项清单(第1版)" in page and "可代办事项 1 项" in page
    # a stale form (or a crafted request) posting an item off the list gets the reason, and nothing is taken
    answer = client.post("/services/cases/new/", {"item": items["county"].pk, "village": cast["agent"].jurisdiction_id,
                                                  "resident_name": "张小明", "resident_id_number": "11010519491231002X"})
    assert "事项“残疾人证办理”不在松岗村现行的便民服务事项清单中" in answer.content.decode()
    assert not Case.objects.exists()


def test_the_api_intake_refuses_an_item_off_the_list_the_same_way(cast, items, unit):
    from rest_framework.test import APIClient

    make_list("村(社区)便民服务事项清单", [items["township"]])
    body = {"village": unit("松岗村").pk, "item": items["county"].pk, "resident_name": "张小明",
            "resident_id_number": "11010519491231002X"}
    api = APIClient()
    api.force_authenticate(cast["songgang"])
    assert api.post("/api/v1/service-cases/", body, format="json").status_code == 403
    api.force_authenticate(cast["agent"])
    refused = api.post("/api/v1/service-cases/", body, format="json")
    assert refused.status_code == 400 and "不在松岗村现行的便民服务事项清单中" in refused.json()["message"]
    for huge in ({"village": 2**70}, {"item": 2**70}):  # ids beyond the database's integers: 400, not 500
        assert api.post("/api/v1/service-cases/", {**body, **huge}, format="json").status_code == 400
    assert not Case.objects.exists()
    taken = api.post("/api/v1/service-cases/", {**body, "item": items["township"].pk}, format="json")
    assert taken.status_code == 201 and taken.json()["item_name"] == "高龄津贴申请"


# --- creating lists ----------------------------------------------------------------------------------------

def post_list(client, **fields):
    data = {"name": "松岗村便民服务事项清单", "unit_type": UnitType.VILLAGE, "effective_from": "2025-01-01",
            "document": "马府办发〔2025〕3号", **fields}
    return client.post("/services/lists/new/", data)


def test_the_reform_office_creates_a_list_for_one_village_and_it_governs_that_window(client, cast, unit, items, take):
    client.force_login(cast["office"])
    page = client.get("/services/lists/").content.decode()
    assert "新建清单" in page and 'action="/services/lists/new/"' in page
    answer = post_list(client, unit=unit("松岗村").pk, items=[items["township"].pk])
    lst = ItemList.objects.get(name="松岗村便民服务事项清单")
    assert answer.status_code == 302 and answer["Location"] == f"/services/lists/{lst.pk}/"
    assert (lst.version, lst.unit, lst.unit_type, lst.effective_from, lst.document) == (
        1, unit("松岗村"), UnitType.VILLAGE, dt.date(2025, 1, 1), "马府办发〔2025〕3号")
    shown = client.get(answer["Location"]).content.decode()
    assert "已新建松岗村便民服务事项清单(第1版)" in shown and "高龄津贴申请" in shown
    entry = AuditEntry.objects.for_object(lst).get()
    assert (entry.action, entry.actor, entry.data) == ("create", cast["office"], {"items": ["高龄津贴申请"]})
    assert "松岗村便民服务事项清单" in client.get("/services/lists/").content.decode()
    # from now on 松岗村 takes only what its list names; 党坝村 (no list) is unaffected
    with pytest.raises(CaseError, match="不在松岗村现行的便民服务事项清单中"):
        take(item="county")
    assert take(item="county", agent="agent2", village="党坝村")


def sheet(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["事项编码", "事项名称", "事项类别", "办理层级", "责任部门", "承诺时限(工作日)", "所属清单"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_an_empty_new_list_for_a_county_is_filled_by_the_import_and_a_new_version(client, cast, maerkang, items):
    client.force_login(cast["office"])
    answer = post_list(client, name="马尔康市村(社区)便民服务事项清单", unit=maerkang.pk, effective_from="2030-01-01")
    lst = ItemList.objects.get(name="马尔康市村(社区)便民服务事项清单")
    page = client.get(answer["Location"]).content.decode()
    assert "该清单还没有事项" in page and "所属清单" in page and "发布新版本" in page
    assert "马尔康市(辖区通用)" in client.get("/services/lists/").content.decode()
    imp = ItemImporter()
    result = imp.parse(sheet([["T-001", "高龄津贴申请", "民政", "乡镇(街道)便民服务中心", "民政", 5, lst.name]]))
    assert result.ok, result.errors
    imp.import_rows(result.rows)
    assert list(lst.items.values_list("code", flat=True)) == ["T-001"]
    second = item_lists.new_list_version(lst, dt.date(2031, 1, 1), [items["township"].pk, items["county"].pk])
    assert (second.version, second.unit, second.items.count()) == (2, maerkang, 2)


@pytest.mark.parametrize("fields, field, message", [
    ({"unit_type": UnitType.TOWNSHIP}, "unit_type", "松岗村是建制村,适用单位类型应为“村(社区)”"),
    ({"unit_type": UnitType.SUBDISTRICT, "unit": "松岗镇"}, "unit_type", "适用单位类型应为“一般乡镇”或“中心镇(重点镇)”"),
    ({"unit": None}, "unit", "请选择适用单位"),
    ({"name": "村(社区)便民服务事项清单"}, "name", "已有名为“村(社区)便民服务事项清单”的清单;要调整它的事项或生效日期,请在该清单页发布新版本"),
    ({"effective_from": ""}, "effective_from", "请填写生效日期"),
])
def test_a_bad_list_is_refused_with_the_reason_beside_the_field(client, cast, unit, items, fields, field, message):
    make_list("村(社区)便民服务事项清单", [items["township"]])
    client.force_login(cast["office"])
    fields = dict(fields)
    chosen = fields.pop("unit", "松岗村")
    answer = post_list(client, unit=unit(chosen).pk if chosen else "", **fields)
    assert answer.status_code == 200
    assert any(message in e for e in answer.context["form"].errors[field]), answer.context["form"].errors
    assert message in answer.content.decode()
    assert ItemList.objects.count() == 1


def test_only_the_office_and_administrators_create_lists_and_only_inside_their_jurisdiction(client, cast, unit,
                                                                                              make_user):
    for who in ("agent", "songgang", "minzheng", "analyst"):
        client.force_login(cast[who])
        assert "新建清单" not in client.get("/services/lists/").content.decode()
        assert post_list(client, unit=unit("松岗村").pk).status_code == 403
    narrow = make_user("office_sg", Role.REFORM_OFFICE, unit("松岗镇"))
    client.force_login(narrow)
    assert post_list(client, unit=unit("党坝村").pk).status_code == 200  # not among the units offered
    with pytest.raises(CaseError, match="党坝村不在您的管辖范围内"):
        item_lists.create_list(narrow, name="党坝村清单", unit_type=UnitType.VILLAGE, unit=unit("党坝村"),
                             effective_from=START)
    with pytest.raises(CaseError, match="七里村已撤并"):
        item_lists.create_list(narrow, name="七里村清单", unit_type=UnitType.VILLAGE, unit=unit("七里村"),
                             effective_from=START)
    with pytest.raises(CaseError, match="只有改革办"):
        item_lists.create_list(cast["songgang"], name="松岗村清单", unit_type=UnitType.VILLAGE, unit=unit("松岗村"),
                             effective_from=START)
    assert not ItemList.objects.exists()


def test_a_refused_new_version_comes_back_with_every_ticked_item_and_the_date(client, cast, items):
    lst = make_list("村级清单", [items["township"]])
    client.force_login(cast["office"])
    answer = client.post(f"/services/lists/{lst.pk}/new-version/", {
        "effective_from": "2020-06-01", "document": "马府办〔2020〕9号",
        "items": [items["township"].pk, items["county"].pk]})
    page = answer.content.decode()
    assert answer.status_code == 400 and "新版本的生效日期应晚于第1版的生效日期 2021-01-01" in page
    for item in (items["township"], items["county"]):
        assert re.search(rf'name="items" value="{item.pk}" checked', page)
    assert 'value="2020-06-01"' in page and 'value="马府办〔2020〕9号"' in page
    assert ItemList.objects.count() == 1
