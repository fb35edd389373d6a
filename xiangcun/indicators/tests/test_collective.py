"""Collective economy: the classification, the versioned threshold and the CE_* elements it feeds."""
import datetime as dt
from decimal import Decimal

import pytest

from xiangcun.divisions.scoping import OutOfScope
from xiangcun.indicators import aggregate, services
from xiangcun.indicators.models import CollectiveEconomy, DataElement, EconomyClass


def test_classification_thresholds():
    t = Decimal(50000)
    assert services.classify(Decimal(0), t) == EconomyClass.HOLLOW
    assert services.classify(Decimal("0.01"), t) == EconomyClass.WEAK
    assert services.classify(Decimal("49999.99"), t) == EconomyClass.WEAK
    assert services.classify(Decimal(50000), t) == EconomyClass.GENERAL


def _save(user, village, year, **amounts):
    return services.save_collective(user, village, year, **{k: Decimal(v) for k, v in amounts.items()})


def test_operating_income_is_the_four_parts(people, unit):
    record, outcome = _save(people["songgang"], unit("松岗村"), 2022, total_income=90000, business_income=10000,
                            contract_income=20000, investment_income=5000, other_income=4000)
    assert outcome == "created" and record.operating_income == 39000
    assert record.classification == EconomyClass.WEAK and record.threshold == 50000
    again, outcome = _save(people["songgang"], unit("松岗村"), 2022, total_income=90000, business_income=10000,
                           contract_income=20000, investment_income=5000, other_income=4000)
    assert outcome == "unchanged"


def test_the_threshold_is_versioned_and_reclassifies_from_its_date(people, unit):
    sg = people["songgang"]
    _save(sg, unit("松岗村"), 2021, business_income=60000, total_income=60000)
    _save(sg, unit("松岗村"), 2023, business_income=60000, total_income=60000)
    changed = services.set_threshold(people["office"], Decimal(100000), dt.date(2023, 1, 1), "省定标准")
    assert changed == 1
    by_year = dict(CollectiveEconomy.objects.values_list("year", "classification"))
    assert by_year == {2021: EconomyClass.GENERAL, 2023: EconomyClass.WEAK}
    assert services.threshold_on(2022) == 50000 and services.threshold_on(2023) == 100000


def test_the_ledger_feeds_the_hollow_village_count_through_mergers(people, unit, maerkang):
    sg = people["songgang"]
    _save(sg, unit("七里村"), 2019)  # no operating income: 空壳村
    _save(sg, unit("松岗村"), 2019, business_income=80000, total_income=80000)
    geo = aggregate.Geography.on(maerkang)
    hollow = DataElement.objects.get(code="CE_HOLLOW")
    assert aggregate.value_at(hollow, "2019", geo, unit("松岗村").pk) == 0.5
    income = DataElement.objects.get(code="CE_OPERATING_INCOME")
    assert aggregate.value_at(income, "2019", geo, unit("松岗镇").pk) == 8  # 万元


def test_a_township_cannot_write_another_townships_village(people, unit):
    with pytest.raises(OutOfScope, match="党坝村不在您的管辖范围内"):
        _save(people["songgang"], unit("党坝村"), 2022, business_income=1)
    assert not CollectiveEconomy.objects.exists()


def test_a_refused_threshold_shows_every_error_beside_its_field(client, people):
    import re

    from xiangcun.indicators.models import Parameter

    client.force_login(people["office"])
    answer = client.post("/indicators/collective/threshold/", {"value": "-5", "valid_from": "2023-02-30", "note": "省定"})
    page = answer.content.decode()
    assert answer.status_code == 400 and 'value="省定"' in page
    for field in ("value", "valid_from"):
        assert re.search(rf'id="threshold-field-{field}"((?!threshold-field-).)*field-error', page, re.S), field
    assert not Parameter.objects.exists()  # nothing written
