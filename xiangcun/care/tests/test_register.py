"""The register: 身份证号 checked, encrypted, found through its blind index; categories' rules; 18th birthdays; mergers."""
import datetime as dt

import pytest
from django.db import connection

from xiangcun.care import services
from xiangcun.care.models import EndReason, Person, Status, id_index_of

from .conftest import SECRET_NAME, SECRET_PHONE, born_years_ago, ident

pytestmark = pytest.mark.django_db


def test_personal_data_is_encrypted_at_rest_and_found_by_its_blind_index(cast):
    person = cast["sg"]
    with connection.cursor() as cur:
        cur.execute("SELECT name, id_number, guardian_phone, id_index FROM care_person WHERE id = %s", [person.pk])
        name, number, phone, index = cur.fetchone()
    assert SECRET_NAME not in name and person.id_number not in number and SECRET_PHONE not in phone
    assert index == id_index_of(person.id_number) and person.id_number not in index
    assert Person.objects.get(id_index=id_index_of(person.id_number.lower())).pk == person.pk


def test_birth_date_and_sex_come_from_the_id_number(cast):
    p = cast["db"]
    assert p.birth_date.year == dt.date.today().year - 70
    assert p.sex == ("M" if int(p.id_number[16]) % 2 else "F")
    assert p.get_sex_display() in ("男", "女")


def test_a_wrong_check_digit_is_refused_in_chinese(cast, unit):
    person = Person(name="王五", village=unit("松岗村"), is_extreme_poverty=True, support_mode="dispersed")
    number = ident("51320119800101123")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(services.CareError) as exc:
        services.save_person(cast["users"]["minzheng"], person, wrong)
    assert "校验码" in exc.value.message_dict["id_number"][0]
    assert not Person.objects.filter(name__isnull=False).exclude(pk__in=[cast["sg"].pk, cast["db"].pk]).exists()


def test_the_same_person_in_another_village_is_a_duplicate(cast, unit):
    twin = Person(name="另一个名字", village=unit("党坝村"), is_extreme_poverty=True, support_mode="dispersed")
    with pytest.raises(services.CareError) as exc:
        services.save_person(cast["users"]["minzheng"], twin, cast["sg"].id_number)
    message = exc.value.message_dict["id_number"][0]
    assert "已登记在松岗村" in message and SECRET_NAME not in message and "欧*" in message


def test_every_rule_of_a_record_is_reported_at_once(cast, unit):
    person = Person(name="赵六", village=unit("松岗村"), is_disabled=True, is_left_behind_elderly=True,
                    risk_level="key")
    with pytest.raises(services.CareError) as exc:
        services.save_person(cast["users"]["minzheng"], person, ident("513201" + born_years_ago(30) + "111"))
    errors = exc.value.message_dict
    assert set(errors) >= {"disability_category", "disability_grade", "is_left_behind_elderly", "risk_reason"}


def test_a_township_cannot_register_a_person_in_another_township(cast, unit):
    from xiangcun.divisions.scoping import OutOfScope

    person = Person(name="赵六", village=unit("党坝村"), is_extreme_poverty=True, support_mode="centralised")
    with pytest.raises(OutOfScope):
        services.save_person(cast["users"]["social"], person, ident("513201" + born_years_ago(50) + "222"))


def test_a_child_leaves_the_left_behind_list_on_turning_18(cast):
    child = cast["person"]("松岗村", "513201" + born_years_ago(18) + "333", name="钱七", is_left_behind_child=True)
    almost = cast["person"]("松岗村", "513201" + born_years_ago(18, days=-1) + "335", name="孙八", is_left_behind_child=True)
    today = dt.date.today()
    assert child.aged_out(today) and not almost.aged_out(today)
    in_list = Person.objects.in_category("left_behind_child", today)
    assert child not in in_list and almost in in_list
    assert services.remove_aged_out(Person.objects.filter(pk__in=[child.pk, almost.pk]), today) == 1
    child.refresh_from_db()
    assert child.status == Status.ENDED and child.end_reason == EndReason.AGED_OUT and child.ended_on == today


def test_a_merged_villages_people_pass_to_the_successor_village(cast, unit):
    from xiangcun.core.audit import AuditEntry
    from xiangcun.divisions import services as registry

    moved = cast["person"]("直波村", "513201" + born_years_ago(40) + "444", name="周九", is_disabled=True,
                           disability_category="visual", disability_grade="1")
    registry.merge([unit("直波村")], dt.date.today(), into=unit("松岗村"), document="马府发〔2026〕3号")
    moved.refresh_from_db()
    assert moved.village == unit("松岗村")
    assert moved in Person.objects.visible_to(cast["users"]["agent"])  # the successor village's agent has them
    entry = AuditEntry.objects.filter(action="care.moved", object_id=str(moved.pk)).get()
    assert entry.data["from"] == "直波村" and "周九" not in entry.object_repr


def test_the_daily_command_takes_18_year_olds_off_the_list(cast):
    import io

    from django.core.management import call_command

    child = cast["person"]("松岗村", "513201" + born_years_ago(18, days=2) + "337", name="吴十", is_left_behind_child=True,
                           is_disabled=True, disability_category="hearing", disability_grade="3")
    out = io.StringIO()
    call_command("care_age_out", stdout=out)
    child.refresh_from_db()
    assert "1 人" in out.getvalue()
    assert not child.is_left_behind_child and child.is_disabled and child.status == Status.ACTIVE
