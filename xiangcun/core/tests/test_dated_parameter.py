"""Dated parameters (core.models.DatedParameter): the planning rules (布局规则) and the indicator parameters
(参数, e.g. the 薄弱村 threshold) are one model written once; the latest row valid on a date wins."""
import datetime as dt
from decimal import Decimal

import pytest

from xiangcun.core import audit
from xiangcun.facilities.models import Rule
from xiangcun.indicators.models import Parameter

FIELDS = ("id", "key", "value", "valid_from", "note", "set_by", "set_at")


@pytest.mark.parametrize("model", [Rule, Parameter])
def test_the_latest_row_valid_on_a_date_wins(db, model, make_user):
    user = make_user("office")
    assert model.value_on("k", dt.date(2024, 1, 1), default=Decimal(7)) == 7  # nothing stored: the default
    model.record("k", Decimal(10), dt.date(2020, 1, 1), "初定", user)
    model.record("k", Decimal(20), dt.date(2023, 1, 1), "调整", user)
    model.record("other", Decimal(99), dt.date(2022, 1, 1))
    assert model.value_on("k", dt.date(2019, 12, 31), default=Decimal(7)) == 7
    assert model.value_on("k", dt.date(2020, 1, 1)) == 10
    assert model.value_on("k", dt.date(2022, 12, 31)) == 10
    assert model.value_on("k", dt.date(2023, 1, 1)) == 20
    assert [r.value for r in model.history("k")] == [20, 10]  # newest first, only its own key
    assert model.row_on("k", dt.date(2024, 1, 1)).note == "调整"
    assert str(model.row_on("other", dt.date(2024, 1, 1))).startswith("other 自 2022-01-01 起 99")

    model.record("k", Decimal(25), dt.date(2023, 1, 1), "更正")  # the same date replaces, it does not add
    assert [(r.value, r.note) for r in model.history("k")] == [(25, "更正"), (10, "初定")]
    assert model.objects.count() == 3

    rows = model.histories()
    assert list(rows) == ["k", "other"] and [r.value for r in rows["k"]] == [25, 10]
    assert model.valid_in(rows["k"], dt.date(2021, 6, 1)).value == 10
    assert model.valid_in(rows["k"], dt.date(2019, 6, 1)) is None


def test_both_models_keep_their_tables_names_sizes_and_field_order():
    assert (Rule._meta.db_table, str(Rule._meta.verbose_name)) == ("facilities_rule", "布局规则")
    assert (Parameter._meta.db_table, str(Parameter._meta.verbose_name)) == ("indicators_parameter", "参数")
    assert str(Rule._meta.get_field("key").verbose_name) == "规则"
    assert str(Parameter._meta.get_field("key").verbose_name) == "参数"
    assert (Rule._meta.get_field("value").max_digits, Rule._meta.get_field("value").decimal_places) == (12, 3)
    assert (Parameter._meta.get_field("value").max_digits, Parameter._meta.get_field("value").decimal_places) == (18, 4)
    assert [c.name for c in Rule._meta.constraints] == ["facility_rule_unique"]
    assert [c.name for c in Parameter._meta.constraints] == ["indicator_parameter_unique"]
    for model in (Rule, Parameter):
        assert model._meta.ordering == ["key", "-valid_from"]
        # the audit log lists a record's fields in this order
        assert audit.registration(model).fields == FIELDS


def test_the_rules_page_shows_the_value_valid_today_and_each_rule_s_history(client, make_user):
    from xiangcun.accounts.models import Role
    from xiangcun.facilities import rules

    office = make_user("office", Role.ADMIN)
    rules.set_value("class.big_min", 50, dt.date(2020, 1, 1), "试行", office)
    rules.set_value("class.big_min", 52, dt.date(2022, 1, 1), "", office)
    rules.set_value("class.big_min", 60, dt.date.today() + dt.timedelta(days=400), "明年起", office)
    client.force_login(office)
    page = client.get("/facilities/rules/").content.decode()
    row = next(r for r in page.split("<tr>") if r.startswith("<td>大班额下限"))
    assert "<td class=\"text-end fw-bold\">52</td>" in row  # the 2022 value: the 2020 one is older, the 60 not yet valid
    assert "2022-01-01 起 52" in row and "2020-01-01 起 50" in row and " 起 60" in row
    assert "教育部统计口径" in row  # the 2022 row has no note: the rule's source stands
