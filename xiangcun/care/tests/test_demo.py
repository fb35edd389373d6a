"""The demo register: generated people with valid 身份证号 in every village, visits, referrals; idempotent."""
import pytest

from xiangcun.care import demo
from xiangcun.care.models import Person, Referral, Visit
from xiangcun.core.validators import id_number

pytestmark = pytest.mark.django_db


def test_the_demo_register_is_plausible_and_loads_once(maerkang):
    demo.load_module(maerkang, log=lambda *a: None)
    people = list(Person.objects.all())
    assert 200 <= len(people) <= 2000
    assert all(id_number(p.id_number) == p.id_number and p.id_number.startswith("513201") for p in people[:200])
    assert len({p.id_index for p in people}) == len(people)
    assert Visit.objects.exists() and Referral.objects.count() == 12
    assert Person.objects.filter(carer_user__username="ertong").exists()
    demo.load_module(maerkang, log=lambda *a: None)
    assert Person.objects.count() == len(people)
