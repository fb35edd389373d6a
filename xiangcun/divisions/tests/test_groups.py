"""Villager groups are listed and picked in number order, and two groups of one name can be told apart."""
import datetime as dt
import re

import pytest
from django.urls import reverse

from xiangcun.accounts.models import Role
from xiangcun.divisions import ordering, services
from xiangcun.divisions.forms import EventForm
from xiangcun.divisions.models import Division, Kind
from xiangcun.divisions.tests.test_browser import page  # noqa: F401  (the shared browser fixture)

NAMES = ["三组", "十二组", "一组", "七组", "二组", "十组", "4组", "第五村民小组"]


@pytest.mark.parametrize("name, number", [("一组", 1), ("七组", 7), ("十组", 10), ("十二组", 12), ("二十三组", 23),
                                          ("4组", 4), ("１１组", 11), ("第五村民小组", 5), ("三社", 3), ("新建组", None)])
def test_group_numbers_in_chinese_numerals_and_digits(name, number):
    assert ordering.group_number(name) == number


@pytest.fixture
def groups(maerkang, unit):
    """松岗村 with eight groups created out of order; 直波村 with its own 一组 and 二组, then merged into 松岗村."""
    when = dt.date(2020, 1, 1)
    for name in NAMES:
        services.create_unit(name, Kind.VILLAGER_GROUP, unit("松岗村"), when)
    for name in ("一组", "二组"):
        services.create_unit(name, Kind.VILLAGER_GROUP, unit("直波村"), when)
    services.merge([unit("直波村")], dt.date(2022, 3, 1), into=unit("松岗村"))
    return unit("松岗村")


def test_the_village_page_lists_its_groups_by_number_and_names_the_moved_ones(client, groups, make_user, maerkang):
    client.force_login(make_user("office", Role.REFORM_OFFICE, maerkang))
    page = client.get(reverse("divisions:detail", args=[groups.pk])).content.decode()
    listed = re.findall(r'<a href="/divisions/\d+/">([^<]*组[^<]*)</a>', page)
    assert listed == ["一组", "一组(原直波村)", "二组", "二组(原直波村)", "三组", "4组", "第五村民小组", "七组",
                      "十组", "十二组"]


def test_the_event_form_picks_groups_by_number_with_their_village(groups, maerkang):
    form = EventForm(units=Division.objects.subtree(maerkang))
    labels = [label.strip("\u3000") for _, label in form.fields["predecessors"].choices
              if "组" in str(label)]
    mine = [label for label in labels if "松岗村" in label or "直波村" in label]
    assert mine == ["一组(松岗村)", "一组(原直波村)", "二组(松岗村)", "二组(原直波村)", "三组(松岗村)", "4组(松岗村)",
                    "第五村民小组(松岗村)", "七组(松岗村)", "十组(松岗村)", "十二组(松岗村)"]
    # picking still goes by the unit, whatever its label
    form = EventForm({"type": "abolish", "effective_date": "2023-01-01",
                      "predecessors": [Division.objects.get(name="十二组").pk]}, units=Division.objects.subtree(maerkang))
    assert form.is_valid(), form.errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pre_filled_dates_show_and_a_renamed_unit_draws_its_lineage(page, maerkang, unit, make_user, tmp_path):  # noqa: F811
    from xiangcun.divisions.models import ChangeEvent, EventType
    from xiangcun.divisions.tests.test_browser import sign_in

    village = unit("蒲尔玛村")
    assert not ChangeEvent.objects.filter(predecessors=village).exists()  # only the rename below
    services.rename(village, dt.date(2022, 5, 1), name="蒲尔玛新村", type_=EventType.RENAME)
    make_user("office", Role.REFORM_OFFICE, maerkang)
    sign_in(page, "office")
    page.goto(page.base + reverse("divisions:event_new"))
    assert page.input_value("input[name=effective_date]") == dt.date.today().isoformat()  # not blank
    page.goto(page.base + reverse("divisions:detail", args=[village.pk]))
    page.wait_for_selector("#lineage canvas")  # the rename is drawn, not "no lineage"
    assert "没有" not in page.inner_text("#lineage") and "蒲尔玛新村" in page.inner_text("main")
    page.screenshot(path=str(tmp_path / "renamed.png"), full_page=True)


def test_a_refused_group_shows_every_error_beside_its_field_and_keeps_what_was_typed(client, maerkang, unit,
                                                                                    make_user):
    client.force_login(make_user("office", Role.REFORM_OFFICE, maerkang))
    answer = client.post(reverse("divisions:group_add", args=[unit("松岗村").pk]),
                         {"name": "九组", "households": "-3", "population": "很多", "valid_from": "2020-02-30"})
    page = answer.content.decode()
    assert answer.status_code == 400
    for field in ("households", "population", "valid_from"):
        assert re.search(rf'id="group-field-{field}"((?!group-field-).)*field-error', page, re.S), field
    assert 'value="九组"' in page and 'value="-3"' in page
    assert not Division.objects.filter(name="九组").exists()
