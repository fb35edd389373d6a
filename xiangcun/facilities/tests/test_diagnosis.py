"""The diagnosis rules on small hand-made data: class-size categories, radius shares, the contrast."""
import datetime as dt

import pytest

from xiangcun.facilities import diagnosis, rules
from xiangcun.facilities.diagnosis import BIG, LARGE, NORMAL, SUPER, class_category


def test_class_size_categories_follow_the_moe_bands():
    assert class_category(45, 56, 66, 45) == NORMAL
    assert class_category(46, 56, 66, 45) == LARGE
    assert class_category(55.9, 56, 66, 45) == LARGE
    assert class_category(56, 56, 66, 45) == BIG
    assert class_category(65, 56, 66, 45) == BIG
    assert class_category(66, 56, 66, 45) == SUPER


@pytest.mark.django_db
def test_a_changed_rule_applies_from_its_date_and_keeps_history(make_user):
    from xiangcun.accounts.models import Role

    user = make_user("office", Role.REFORM_OFFICE)
    assert rules.value("class.big_min") == 56
    rules.set_value("class.big_min", 50, dt.date(2024, 1, 1), "试行", user)
    assert rules.value("class.big_min", dt.date(2023, 6, 1)) == 56
    assert rules.value("class.big_min", dt.date(2024, 6, 1)) == 50
    row = next(r for r in rules.table(dt.date(2024, 6, 1)) if r["key"] == "class.big_min")
    assert row["value"] == 50 and len(row["history"]) == 1


def test_the_contrast_lists_the_crowded_and_the_idle_school(county_data):
    d = diagnosis.diagnose(county_data["sg"], rules.SERVICES["primary"], 2023)
    crowded = {r["facility"].name: r for r in d["crowded"]}
    assert list(crowded) == ["松岗镇中心小学"]
    load = crowded["松岗镇中心小学"].get("load")
    # grade 1: 70 a class (超大班额), grade 2: 58 (大班额), grade 3: 50 (大班, over 45)
    assert load.by_category == {NORMAL: 0, LARGE: 2, BIG: 2, SUPER: 2}
    assert load.capacity == 6 * 45 and load.load == 356
    assert [r["facility"].name for r in d["underused"]] == ["松岗村小"]
    assert d["totals"]["big_classes"] == 2 and d["totals"]["super_classes"] == 2


def test_radius_shares_count_each_cohort_within_the_rule(county_data):
    # villages 0.05° apart at 60 km/h straight line: about 4.7 km (4.7 minutes) between neighbours
    d = diagnosis.diagnose(county_data["sg"], rules.SERVICES["primary"], 2023)
    minutes = [round(r["minutes"], 1) for r in d["villages"] if r["village"] in county_data["villages"]]
    assert minutes[0] < 0.5 and minutes[3] < 0.5 and 4 < minutes[1] < 5.5
    six = next(s for s in d["shares"] if s["cohort"] == "age_6_11")
    assert six["share"] == 1.0  # everyone within 30 minutes
    # the 2.5 km radius: only the two villages with a school are inside
    assert six["share_radius"] == pytest.approx(200 / 400)


def test_the_travel_rule_is_an_editable_parameter(county_data, make_user):
    from xiangcun.accounts.models import Role

    rules.set_value("reach.primary", 3, dt.date(2020, 1, 1), "", make_user("o", Role.REFORM_OFFICE))
    d = diagnosis.diagnose(county_data["sg"], rules.SERVICES["primary"], 2023)
    assert d["share"] == pytest.approx(200 / 400)


def test_townships_without_a_health_centre_are_named(county_data, unit):
    from xiangcun.facilities.models import Facility

    Facility.objects.create(unit=unit("松岗镇"), name="松岗镇卫生院", type="township_clinic", beds=20, occupancy=25)
    d = diagnosis.diagnose(county_data["county"], rules.SERVICES["health"], 2023)
    names = [u.name for u in d["gaps"]]
    assert "党坝乡" in names and "松岗镇" not in names
    assert [r["facility"].name for r in d["crowded"]] == ["松岗镇卫生院"]
