"""Aggregation up the tree and through mergers: 七里村 was merged into 松岗村 on 2020-06-30."""
import datetime as dt

import pytest

from xiangcun.indicators import aggregate, services
from xiangcun.indicators.models import DataElement


def el(code):
    return DataElement.objects.get(code=code)


def test_a_merged_villages_2019_value_is_the_sum_of_its_predecessors(entered, unit):
    series = dict(aggregate.series(el("POP"), unit("松岗村"), ["2019", "2022"]))
    assert series == {"2019": 800, "2022": 820}


def test_the_township_and_county_sums_are_the_same_whatever_the_geography(entered, unit, maerkang):
    today = aggregate.Geography.on(maerkang)
    before = aggregate.Geography.on(maerkang, dt.date(2019, 12, 31))
    for geo in (today, before):
        assert aggregate.value_at(el("POP"), "2019", geo, unit("松岗镇").pk) == 800
        assert aggregate.value_at(el("POP"), "2019", geo, maerkang.pk) == 800


def test_on_the_old_geography_the_predecessors_keep_their_own_values(entered, unit, maerkang):
    geo = aggregate.Geography.on(maerkang, dt.date(2019, 12, 31))
    villages = aggregate.values_at_level(el("POP"), "2019", geo, 5)
    assert villages[unit("七里村").pk] == 300 and villages[unit("松岗村").pk] == 500
    assert unit("七里村").pk not in aggregate.values_at_level(el("POP"), "2019", aggregate.Geography.on(maerkang), 5)


def test_yes_no_elements_count_a_merged_village_by_the_share_of_its_predecessors(entered, unit, maerkang):
    geo = aggregate.Geography.on(maerkang)
    assert aggregate.value_at(el("ROAD_HARD"), "2019", geo, unit("松岗村").pk) == 0.5
    assert aggregate.value_at(el("ROAD_HARD_RATE"), "2019", geo, unit("松岗村").pk) == 50
    assert aggregate.value_at(el("ROAD_HARD_RATE"), "2022", geo, unit("松岗村").pk) == 100
    # the township's rate is over the villages that reported (1 of 1), stated with its coverage (1 of n):
    # counting the silent villages as "no" deflated it to 100/n (the walk-through's 14.3 %)
    n = len(geo.under(unit("松岗镇").pk, 5))
    assert aggregate.value_at(el("ROAD_HARD_RATE"), "2022", geo, unit("松岗镇").pk) == pytest.approx(100)
    assert aggregate.coverage_of(el("ROAD_HARD_RATE"), "2022", geo, unit("松岗镇").pk) == (1, n)
    assert aggregate.coverage_of(el("ROAD_HARD_RATE"), "2022", geo, unit("松岗村").pk) == (1, 1)


def test_weighted_mean_weights_each_predecessor_by_its_population(entered, unit):
    series = dict(aggregate.series(el("WATER_TAP_RATE"), unit("松岗村"), ["2019"]))
    assert series["2019"] == pytest.approx((50 * 300 + 90 * 500) / 800)


def test_computed_indicator_from_two_sums(entered, unit, maerkang):
    services.save_values(entered, unit("七里村"), "2019", {"TOILET_HH": "40"})
    services.save_values(entered, unit("松岗村"), "2019", {"TOILET_HH": "60"})
    geo = aggregate.Geography.on(maerkang)
    assert aggregate.value_at(el("TOILET_RATE"), "2019", geo, unit("松岗村").pk) == pytest.approx(100 * 100 / 200)
    assert aggregate.value_at(el("TOILET_RATE"), "2022", geo, unit("松岗村").pk) is None  # no TOILET_HH in 2022


def test_coverage_counts_current_units_with_values(entered, unit, maerkang):
    geo = aggregate.Geography.on(maerkang)
    done, total = aggregate.coverage(el("POP"), "2022", geo, unit("松岗镇").pk)
    assert done == 1 and total == len(geo.under(unit("松岗镇").pk, 5))
