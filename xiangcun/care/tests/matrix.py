"""The permission matrix's data for the care registry (see core/tests/test_matrix.py). A person's record is seen in
full by administrators, the county 民政 department and the person's village agent; the other matrix users (reform
office, 财政, analyst, township staff without a social-affairs body) are refused the list and every record (403)."""
from xiangcun.core.tests.matrix import Case, made_once

CASES = {
    "care:detail": Case(obj="care_person"),
    "care:edit": Case(obj="care_person"),
    "care:end": Case(obj="care_person", method="post", ok=302),  # an empty form: flashed, back to the record
    "care:visit_new": Case(obj="care_person"),
    "care:refer": Case(obj="care_person"),
    "care:referral": Case(obj="care_referral"),
    "care-person-detail": Case(obj="care_person"),
}

FULL = {"admin": {"sg", "db"}, "minzheng": {"sg", "db"}, "agent": {"sg"},
        "office": set(), "caizheng": set(), "analyst": set(), "songgang": set(), "dangba": set()}


def make_person(unit, village, name, id_number, **extra):
    from ..models import Person

    person = Person(name=name, village=unit(village) if isinstance(village, str) else village, is_disabled=True,
                    disability_category="physical", disability_grade="2", **extra)
    person.set_id_number(id_number)
    person.save()
    return person


def _objects(users, unit):
    import datetime as dt

    from xiangcun.bodies.services import department_body

    from ..models import Referral

    out = {"care_person": {}, "care_referral": {}}
    education = department_body(unit("松岗镇").parent, "教育")
    for label, village, number in (("sg", "松岗村", "513201199001011234"), ("db", "党坝村", "513201198502023458")):
        from xiangcun.core.validators import id_check_digit

        number = number[:17] + id_check_digit(number[:17])
        person = make_person(unit, village, f"{village}矩阵", number)
        out["care_person"][label] = person.pk
        out["care_referral"][label] = Referral.objects.create(person=person, body=education, need="入学",
                                                              deadline=dt.date.today() + dt.timedelta(days=10)).pk
    return out


_kind = made_once(_objects)

OBJECTS = {
    "care_person": (FULL, _kind("care_person")),
    "care_referral": (FULL, _kind("care_referral")),
}
