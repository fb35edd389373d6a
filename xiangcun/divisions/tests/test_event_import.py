"""Change events imported from a sheet: every error at once, nothing half-applied, re-import is a no-op."""
import io

from django.urls import reverse
from openpyxl import Workbook

from xiangcun.accounts.models import Role
from xiangcun.divisions.models import ChangeEvent, Division

HEADER = ["变更类型", "生效日期", "批复文号", "涉及单位代码", "并入单位或新上级代码", "新名称", "新类别", "新代码", "说明"]


def sheet(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "events.xlsx"
    return buf


def upload_and_confirm(client, rows):
    response = client.post(reverse("divisions:event_import"), {"action": "upload", "file": sheet(rows)})
    assert response.status_code in (200, 302, 400)  # 400: the preview lists errors
    page = client.get(response["Location"]) if response.status_code == 302 else response
    token = page.context["token"] if page.context and "token" in page.context else None
    return page, token


def test_a_sheet_of_events_is_checked_then_applied_once(client, maerkang, unit, make_user):
    client.force_login(make_user("office", Role.REFORM_OFFICE, maerkang))
    a, b, t = unit("直波村"), unit("松岗村"), unit("松岗镇")
    good = [["合并", "2022年3月1日", "马府发〔2022〕3号", a.code, b.code, None, None, None, "直波村并入松岗村"],
            ["设立", "2022-03-01", "马府发〔2022〕4号", None, t.code, "松岗新村", "建制村", "513201102299", None]]
    page, token = upload_and_confirm(client, good)
    assert token, page.content.decode()[:500]
    assert Division.objects.get(pk=a.pk).valid_to is None  # the preview wrote nothing
    client.post(reverse("divisions:event_import"), {"action": "confirm", "token": token})
    assert str(Division.objects.get(pk=a.pk).valid_to) == "2022-03-01"
    assert Division.objects.filter(name="松岗新村", parent=t).exists()
    events = ChangeEvent.objects.count()
    page, token = upload_and_confirm(client, good)
    client.post(reverse("divisions:event_import"), {"action": "confirm", "token": token})
    assert ChangeEvent.objects.count() == events  # re-importing changes nothing


def test_bad_rows_are_all_reported_and_nothing_is_applied(client, maerkang, unit, make_user):
    client.force_login(make_user("office", Role.REFORM_OFFICE, maerkang))
    a, b = unit("直波村"), unit("松岗村")
    rows = [["合并", "2022-03-01", None, a.code, b.code, None, None, None, None],   # fine on its own
            ["合并", "2022-03-01", None, a.code, None, None, None, None, None],     # no target
            ["更名", "2022-13-01", None, b.code, None, "新名", None, None, None],   # bad date
            ["迁移", "2022-03-01", None, b.code, None, None, None, None, None],     # unknown type
            ["撤销", "2022-03-01", None, "513201999999", None, None, None, None, None]]  # unknown unit
    page, _ = upload_and_confirm(client, rows)
    text = page.content.decode()
    assert "并入单位或新上级代码" in text and "生效日期" in text and "应为以下之一" in text and "513201999999" in text
    assert Division.objects.get(pk=a.pk).valid_to is None


def test_only_editors_import_events(client, maerkang, unit, make_user):
    client.force_login(make_user("sg", Role.TOWNSHIP, unit("松岗镇")))
    assert client.get(reverse("divisions:event_import")).status_code == 403
