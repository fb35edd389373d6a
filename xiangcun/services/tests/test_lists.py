"""Item lists: a village window takes only what the list governing it names."""
import datetime as dt
import re

import pytest
from django.utils import timezone

from xiangcun.core.audit import AuditEntry
from xiangcun.services import services
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
    with pytest.raises(services.CaseError) as refused:
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
    with pytest.raises(services.CaseError, match="不可代办"):  # the other rules still hold
        take(item="no_proxy")


def test_the_villages_own_list_wins_then_the_countys_then_the_nationwide_one(take, items, unit, maerkang):
    make_list("通用村级清单", [items["township"]])
    make_list("马尔康市村(社区)清单", [items["county"]], unit=maerkang)
    # 党坝村 follows the county's list: the nationwide one no longer applies there
    assert take(item="county", agent="agent2", village="党坝村").item == items["county"]
    with pytest.raises(services.CaseError, match="不在党坝村现行的便民服务事项清单中"):
        take(item="township", agent="agent2", village="党坝村")
    make_list("松岗村便民服务事项清单", [items["township"]], unit=unit("松岗村"))
    assert take(item="township").village == unit("松岗村")
    with pytest.raises(services.CaseError, match="现行清单:松岗村便民服务事项清单"):
        take(item="county")


def test_the_version_in_force_on_the_intake_day_decides(take, items):
    first = make_list("村级清单", [items["township"]])
    second = services.new_list_version(first, dt.date(2024, 1, 1), [items["township"].pk, items["county"].pk])
    assert second.version == 2
    with pytest.raises(services.CaseError, match=re.escape("现行清单:村级清单(第1版)")):
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
    assert not Case.objects.exists()
    taken = api.post("/api/v1/service-cases/", {**body, "item": items["township"].pk}, format="json")
    assert taken.status_code == 201 and taken.json()["item_name"] == "高龄津贴申请"

