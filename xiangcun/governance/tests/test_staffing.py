"""机构编制 and 定岗定责定人: establishment against actual staff (超编), posts carrying list items, staff with encrypted
personal data and a blind index, masked lists and recorded full views, and placing a merged township's staff."""
import datetime as dt

import pytest
from django.urls import reverse

from xiangcun.accounts.models import Role
from xiangcun.bodies.models import Body
from xiangcun.core.crypto import blind_index
from xiangcun.core.models import AuditEntry
from xiangcun.governance import services, services_staffing
from xiangcun.governance.errors import GovernanceError
from xiangcun.governance.models import Establishment, Post, Staff

IDS = ("513201199001010018", "513201199001010034", "513201199001010050", "513201199001010077")


def _office(unit, township, short):
    return Body.objects.get(unit=unit(township), short_name=short, valid_to__isnull=True)


def test_staff_personal_data_is_encrypted_indexed_masked_and_a_full_view_recorded(offices, unit, office_user, client):
    from django.db import connection

    body = _office(unit, "松岗镇", "社会事务办公室")
    staff = services_staffing.save_staff(None, Staff(body=body, name="泽郎", id_number=IDS[0], phone="13900001234",
                                                     kind="administrative"))
    with connection.cursor() as cursor:
        cursor.execute("select id_number, phone, id_index from governance_staff where id = %s", [staff.pk])
        stored = cursor.fetchone()
    assert IDS[0] not in stored[0] and "13900001234" not in stored[1] and stored[2] == blind_index(IDS[0], "governance.staff")
    with pytest.raises(GovernanceError, match="该身份证号已登记为松岗镇社会事务办公室的工作人员"):
        services_staffing.save_staff(None, Staff(body=body, name="重复", id_number=IDS[0].lower(), kind="service"))
    with pytest.raises(GovernanceError, match="校验码"):
        services_staffing.save_staff(None, Staff(body=body, name="错号", id_number="513201199001010010", kind="service"))
    client.force_login(office_user)
    listing = client.get(reverse("governance:staff_list")).content.decode()
    assert "513***********0018" in listing and IDS[0] not in listing and "139****1234" in listing
    detail = client.get(reverse("governance:staff_detail", args=[staff.pk])).content.decode()
    assert IDS[0] not in detail
    assert not AuditEntry.objects.filter(action="pii.view").exists()
    full = client.get(reverse("governance:staff_detail", args=[staff.pk]), {"full": "1"}).content.decode()
    assert IDS[0] in full and AuditEntry.objects.filter(action="pii.view").count() == 1
    api = client.get("/api/v1/governance/staff/").json()
    assert api["results"][0]["id_number"] == "513***********0018"


def test_over_establishment_vacancies_uncarried_items_and_people_without_a_post(template, unit, office_user, client):
    body = _office(unit, "松岗镇", "综合行政执法办公室")
    services_staffing.save_establishment(None, Establishment(body=body, administrative=1, leaders=1))
    lst = services.publish(None, services.adopt_template(None, template, unit("松岗镇")), "松府发〔2024〕5号", dt.date(2024, 5, 1))
    penalty = lst.duty_items.get(name="占道经营的行政处罚")
    post = services_staffing.save_post(None, Post(body=body, name="执法岗"), [penalty])
    old = services_staffing.save_post(None, Post(body=body, name="久缺岗", vacant_since=dt.date(2020, 1, 1)))
    services_staffing.save_staff(None, Staff(body=body, post=post, name="甲", id_number=IDS[0], kind="administrative"))
    services_staffing.save_staff(None, Staff(body=body, name="乙", id_number=IDS[1], kind="administrative"))
    post.refresh_from_db()
    assert post.vacant_since is None  # filled
    client.force_login(office_user)
    page = client.get(reverse("governance:staffing")).content.decode()
    row = page[page.index("松岗镇综合行政执法办公室", page.index('id="staffing-table"')):]
    row = row[:row.index("</tr>")]
    assert "超编:行政编制" in row
    assert "久缺岗" in page[page.index('id="vacancies"'):page.index('id="uncarried"')]
    uncarried = page[page.index('id="uncarried"'):page.index('id="without-post"')]
    assert "特困人员供养待遇给付" in uncarried and "占道经营的行政处罚" not in uncarried
    assert "乙" in page[page.index('id="without-post"'):page.index('id="posts"')]
    assert old.vacant_since == dt.date(2020, 1, 1)


def test_a_merged_townships_staff_wait_for_placement_until_they_have_a_post(offices, unit, office_user, client):
    from xiangcun.divisions import services as registry

    db_office = _office(unit, "党坝乡", "社会事务办公室")
    staff = services_staffing.save_staff(None, Staff(body=db_office, name="杨措", id_number=IDS[2], kind="institutional"))
    target = services_staffing.save_post(None, Post(body=_office(unit, "松岗镇", "社会事务办公室"), name="社会救助岗"))
    registry.merge([unit("党坝乡")], dt.date(2025, 6, 1), into=unit("松岗镇"), user=office_user)
    assert list(services_staffing.to_place(Staff.objects.all())) == [staff]
    client.force_login(office_user)
    page = client.get(reverse("governance:placement")).content.decode()
    assert "杨措" in page and "松岗镇社会事务办公室" in page
    refused = client.post(reverse("governance:place", args=[staff.pk]), {f"s{staff.pk}-post": ""})
    assert refused.status_code == 400
    ok = client.post(reverse("governance:place", args=[staff.pk]), {f"s{staff.pk}-post": target.pk})
    assert ok.status_code == 302
    staff.refresh_from_db()
    assert staff.post == target and staff.body == target.body
    assert not services_staffing.to_place(Staff.objects.all()).exists()
    assert AuditEntry.objects.filter(action="staff.placed").exists()


def test_a_township_cannot_put_staff_in_another_township(offices, unit, make_user, client):
    client.force_login(make_user("sg", Role.TOWNSHIP, unit("松岗镇")))
    response = client.post(reverse("governance:staff_new"), {"body": _office(unit, "党坝乡", "社会事务办公室").pk, "name": "x",
                                                              "id_number": IDS[3], "kind": "administrative"})
    assert response.status_code == 400 and not Staff.objects.exists()


def test_the_workbench_counts_staff_waiting_for_placement_and_people_without_a_post(offices, unit, office_user, client):
    from xiangcun.divisions import services as registry

    services_staffing.save_staff(None, Staff(body=_office(unit, "党坝乡", "社会事务办公室"), name="杨措", id_number=IDS[2],
                                             kind="institutional"))
    services_staffing.save_staff(None, Staff(body=_office(unit, "松岗镇", "社会事务办公室"), name="泽郎", id_number=IDS[3],
                                             kind="administrative"))
    registry.merge([unit("党坝乡")], dt.date(2025, 6, 1), into=unit("松岗镇"), user=office_user)
    client.force_login(office_user)
    home = client.get(reverse("workbench:home")).content.decode()
    card = home[home.index("撤并人员待安置") - 400:home.index("未定岗人员") + 400]
    assert reverse("governance:placement") in card and "未定岗人员" in card
