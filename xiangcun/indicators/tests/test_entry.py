"""The entry form of a unit and period: validation, scoping and the audit trail."""
import pytest
from django.core.exceptions import ValidationError

from xiangcun.core.audit import AuditEntry
from xiangcun.divisions.scoping import OutOfScope
from xiangcun.indicators import services
from xiangcun.indicators.models import DataValue


def test_every_bad_value_is_reported_and_nothing_is_written(people, unit):
    with pytest.raises(ValidationError) as exc:
        services.save_values(people["songgang"], unit("松岗村"), "2022",
                             {"POP": "很多", "WATER_TAP_RATE": "120", "ROAD_HARD": "也许", "HOUSEHOLDS": "-3", "ROAD_KM": "12.5"})
    assert set(exc.value.message_dict) == {"POP", "WATER_TAP_RATE", "ROAD_HARD", "HOUSEHOLDS"}
    assert not DataValue.objects.exists()


def test_values_are_saved_updated_cleared_and_audited(people, unit):
    sg, village = people["songgang"], unit("松岗村")
    counts = services.save_values(sg, village, "2022", {"POP": "1,200", "ROAD_HARD": "是", "WATER_TAP_RATE": "95%"})
    assert counts["created"] == 3
    counts = services.save_values(sg, village, "2022", {"POP": "1250", "ROAD_HARD": "是", "WATER_TAP_RATE": ""})
    assert (counts["updated"], counts["unchanged"], counts["deleted"]) == (1, 1, 1)
    assert DataValue.objects.get(element__code="POP").number == 1250
    assert AuditEntry.objects.filter(object_type__contains="datavalue").count() >= 5


def test_computed_and_ledger_elements_are_not_entered(people, unit):
    with pytest.raises(ValidationError):
        services.save_values(people["songgang"], unit("松岗村"), "2022", {"ROAD_HARD_RATE": "80"})
    with pytest.raises(ValidationError):
        services.save_values(people["songgang"], unit("松岗村"), "2022", {"CE_HOLLOW": "是"})


def test_a_township_enters_only_its_own_villages(people, unit):
    with pytest.raises(OutOfScope, match="党坝村不在您的管辖范围内"):
        services.save_values(people["songgang"], unit("党坝村"), "2022", {"POP": "1"})
    with pytest.raises(services.IndicatorError):
        services.save_values(people["agent"], unit("松岗村"), "2022", {"POP": "1"})
    # an abolished village of its own township, for the years before the merger
    services.save_values(people["songgang"], unit("七里村"), "2019", {"POP": "300"})
    with pytest.raises(services.IndicatorError, match="不存在"):
        services.save_values(people["songgang"], unit("七里村"), "2022", {"POP": "300"})


def test_the_entry_page_saves_the_whole_form(client, people, unit):
    client.force_login(people["songgang"])
    village = unit("松岗村")
    url = f"/indicators/entry/{village.pk}/2022/"
    page = client.get(url)
    assert page.status_code == 200 and "通硬化路" in page.content.decode()
    bad = client.post(url, {"POP": "abc", "ROAD_HARD": "是"})
    assert bad.status_code == 200 and "不是数字" in bad.content.decode()
    assert not DataValue.objects.exists()
    ok = client.post(url, {"POP": "900", "ROAD_HARD": "是", "PLAN_VILLAGE": "否"})
    assert ok.status_code == 302
    assert DataValue.objects.filter(unit=village, period="2022").count() == 3
    # `next` goes back into the site, never to another one
    back = client.post(url, {"POP": "901", "next": "/indicators/values/?period=2022"})
    assert back["Location"] == "/indicators/values/?period=2022"
    away = client.post(url, {"POP": "902", "next": "/\\evil.example/"})
    assert away["Location"] == url


def test_another_townships_values_answer_404_by_every_route(client, people, unit):
    services.save_values(people["office"], unit("党坝村"), "2022", {"POP": "777"})
    dangba_village = unit("党坝村")
    client.force_login(people["songgang"])
    assert client.get(f"/indicators/entry/{dangba_village.pk}/2022/").status_code == 404
    assert client.get(f"/indicators/unit/{dangba_village.pk}/").status_code == 404
    assert client.get(f"/indicators/collective/{dangba_village.pk}/2022/").status_code == 404
    assert client.get(f"/indicators/?scope={unit('党坝乡').pk}").status_code == 404
    assert client.get(f"/indicators/values/export/?scope={unit('党坝乡').pk}&period=2022").status_code == 404
    export = client.get("/indicators/values/export/?period=2022&format=csv")
    assert "777" not in b"".join(export.streaming_content).decode()
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(people["songgang"])
    assert "777" not in api.get("/api/v1/indicator-values/?period=2022").content.decode()
    assert api.get(f"/api/v1/indicator-values/aggregate/?element=POP&period=2022&scope={unit('党坝乡').pk}").status_code == 404
