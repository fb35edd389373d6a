"""The register of bodies: who sees which bodies, the form's errors, import/export round trip, users' departments
as bodies, and a merged township's bodies closing and passing their work on."""
import datetime as dt
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from xiangcun.accounts.models import Role, User
from xiangcun.bodies import services
from xiangcun.bodies.models import Body, BodyKind
from xiangcun.core.validators import credit_code_check


def valid_code(prefix="12513201MB"):
    first17 = (prefix + "0000000")[:17]
    return first17 + credit_code_check(first17)


@pytest.fixture
def office(maerkang, make_user):
    return make_user("office", Role.REFORM_OFFICE, maerkang)


def test_department_text_is_a_body_of_the_county(maerkang, make_user):
    user = make_user("cz", Role.DEPARTMENT, maerkang, department="财政")
    user.refresh_from_db()
    assert user.body.name == "马尔康市财政局" and user.body.kind == BodyKind.COUNTY_DEPARTMENT
    assert user.department == "财政"
    again = make_user("cz2", Role.DEPARTMENT, maerkang, department="财政")
    assert again.body == user.body  # one 财政局 per county, however many users
    township_user = make_user("sg", Role.TOWNSHIP, maerkang)
    assert township_user.department == ""


def test_township_sees_its_bodies_and_the_county_departments_not_another_township(maerkang, unit, make_user, client):
    county_dept = services.department_body(maerkang, "教育")
    own = Body.objects.create(name="松岗镇便民服务中心", kind=BodyKind.TOWNSHIP_INSTITUTION, unit=unit("松岗镇"))
    other = Body.objects.create(name="党坝乡便民服务中心", kind=BodyKind.TOWNSHIP_INSTITUTION, unit=unit("党坝乡"))
    user = make_user("sg", Role.TOWNSHIP, unit("松岗镇"))
    visible = set(Body.objects.visible_to(user))
    assert {county_dept, own} <= visible and other not in visible
    client.force_login(user)
    page = client.get(reverse("bodies:list")).content.decode()
    assert "松岗镇便民服务中心" in page and "马尔康市教育局" in page and "党坝乡便民服务中心" not in page
    assert client.get(reverse("bodies:detail", args=[other.pk])).status_code == 404


def test_form_errors_beside_fields_and_nothing_saved(office, unit, client):
    client.force_login(office)
    before = Body.objects.count()
    response = client.post(reverse("bodies:new"), {"name": "松岗镇测试办", "kind": BodyKind.TOWNSHIP_OFFICE,
                                                   "unit": unit("松岗镇").pk, "credit_code": "12513201MB0000000X",
                                                   "valid_from": "2024-05-01", "valid_to": "2024-01-01"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "统一社会信用代码校验码应为" in text and "撤销日期不能早于成立日期" in text
    assert 'value="松岗镇测试办"' in text  # what was typed is kept
    assert Body.objects.count() == before
    good = client.post(reverse("bodies:new"), {"name": "松岗镇测试办", "kind": BodyKind.TOWNSHIP_OFFICE,
                                               "unit": unit("松岗镇").pk, "credit_code": valid_code()})
    assert good.status_code == 302
    body = Body.objects.get(name="松岗镇测试办")
    assert body.credit_code == valid_code() and body.unit == unit("松岗镇")


def test_user_form_links_a_department_user_to_a_county_department(office, maerkang, unit, client, make_user):
    admin = make_user("root", Role.ADMIN, None)
    client.force_login(admin)
    township_office = Body.objects.create(name="松岗镇党政综合办公室", kind=BodyKind.TOWNSHIP_OFFICE, unit=unit("松岗镇"))
    data = {"username": "edu1", "display_name": "教育局张三", "role": Role.DEPARTMENT, "body": township_office.pk,
            "jurisdiction": maerkang.pk, "password": "a-long-enough-Passw0rd", "is_active": "on"}
    refused = client.post(reverse("accounts:user_new"), data)
    assert refused.status_code in (200, 400) and "须选择所在的县级部门" in refused.content.decode()
    edu = services.department_body(maerkang, "教育")
    ok = client.post(reverse("accounts:user_new"), dict(data, body=edu.pk))
    assert ok.status_code == 302, ok.content.decode()[:2000]
    assert User.objects.get(username="edu1").department == "教育"


def test_export_then_import_round_trip_and_errors_listed(office, unit, client):
    gov = Body.objects.create(name="松岗镇人民政府", kind=BodyKind.TOWNSHIP_GOVERNMENT, unit=unit("松岗镇"))
    Body.objects.create(name="松岗镇便民服务中心", kind=BodyKind.TOWNSHIP_INSTITUTION, unit=unit("松岗镇"), parent=gov,
                        credit_code=valid_code())
    client.force_login(office)
    exported = client.get(reverse("bodies:export") + "?q=松岗镇")
    wb = openpyxl.load_workbook(io.BytesIO(exported.content))
    ws = wb.active
    headers = [c.value for c in ws[1]]
    assert "机构名称" in headers and "上级机构" in headers
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]
    assert any(r[0] == "松岗镇便民服务中心" and "松岗镇人民政府" in r for r in rows)
    # a new body under 松岗镇, and one with an unknown parent and a bad credit code: nothing written
    ws.append(["松岗镇经济发展办公室", unit("松岗镇").code, "乡镇内设机构", "", "松岗镇人民政府", "", None, None, ""])
    ws.append(["松岗镇乱填办", unit("松岗镇").code, "乡镇内设机构", "", "不存在的政府", "", None, None, ""])
    ws.append(["松岗镇错码办", unit("松岗镇").code, "乡镇内设机构", "", "", "123", None, None, ""])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "bodies.xlsx"
    url = reverse("bodies:import")
    preview = client.post(url, {"file": buf})
    text = preview.content.decode()
    assert preview.status_code == 400
    assert "上级机构“不存在的政府”未登记在松岗镇或其上级" in text and "统一社会信用代码“123”应为 18 位" in text
    assert not Body.objects.filter(name="松岗镇经济发展办公室").exists()
    # without the bad rows the same sheet imports: the new office lands under the township government
    ws.delete_rows(ws.max_row - 1, 2)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "bodies.xlsx"
    preview = client.post(url, {"file": buf})
    assert preview.status_code == 200
    token = re.search(r'name="token" value="([^"]+)"', preview.content.decode()).group(1)
    assert client.post(url, {"action": "confirm", "token": token}).status_code == 302
    assert Body.objects.get(name="松岗镇经济发展办公室").parent == gov
    assert Body.objects.get(name="松岗镇便民服务中心").credit_code == valid_code()  # unchanged rows stay as they were


def test_merged_township_bodies_close_and_name_the_successor(maerkang, unit, office):
    from xiangcun.divisions import services as registry

    sg, db = unit("松岗镇"), unit("党坝乡")
    gov_db = Body.objects.create(name="党坝乡人民政府", kind=BodyKind.TOWNSHIP_GOVERNMENT, unit=db)
    Body.objects.create(name="党坝乡便民服务中心", kind=BodyKind.TOWNSHIP_INSTITUTION, unit=db, parent=gov_db,
                        short_name="便民服务中心")
    gov_sg = Body.objects.create(name="松岗镇人民政府", kind=BodyKind.TOWNSHIP_GOVERNMENT, unit=sg)
    when = dt.date(2025, 6, 1)
    registry.merge([db], when, into=sg, user=office)
    gov_db.refresh_from_db()
    assert gov_db.valid_to == when and gov_db.successor == gov_sg
    centre = Body.objects.get(name="党坝乡便民服务中心")
    assert centre.valid_to == when and centre.successor.unit == sg  # registered on the successor when it had none
    assert centre.successor.name == "松岗镇便民服务中心" and centre.successor.parent == gov_sg
