"""Responsibility lists: adopting the county template, publishing versions, the list in force on a date,
version comparison, Excel import/export, print, scope and a merged township's offices."""
import datetime as dt
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from xiangcun.accounts.models import Role
from xiangcun.bodies.models import Body
from xiangcun.governance import services
from xiangcun.governance.errors import GovernanceError
from xiangcun.governance.models import DutyItem, ListKind, ListStatus, ResponsibilityList


def test_adopting_the_template_gives_the_township_a_draft_naming_its_own_offices(template, unit, make_user, client):
    sg = unit("松岗镇")
    user = make_user("sg", Role.TOWNSHIP, sg)
    client.force_login(user)
    response = client.post(reverse("governance:list_adopt", args=[template.pk]), {"township": sg.pk})
    assert response.status_code == 302
    draft = ResponsibilityList.objects.get(unit=sg, kind=ListKind.DUTIES)
    assert draft.status == ListStatus.DRAFT and draft.version == 1 and draft.based_on == template
    carriers = {i.name: i.body.name for i in draft.duty_items.select_related("body")}
    assert carriers["占道经营的行政处罚"] == "松岗镇综合行政执法办公室"
    assert carriers["村级财务公开监督"] == "松岗镇党政综合办公室"
    # the template itself is unchanged and a second adoption is refused while the draft is open
    assert template.duty_items.filter(body__isnull=False).count() == 0
    again = client.post(reverse("governance:list_adopt", args=[template.pk]), {"township": sg.pk})
    assert again.status_code == 400 and "松岗镇已有" in again.content.decode()
    # another township's adoption is outside this user's jurisdiction
    other = client.post(reverse("governance:list_adopt", args=[template.pk]), {"township": unit("党坝乡").pk})
    assert other.status_code == 400
    assert not ResponsibilityList.objects.filter(unit=unit("党坝乡")).exists()


def test_publishing_a_new_version_closes_the_previous_and_the_list_in_force_follows_the_date(template, unit, office_user, client):
    sg = unit("松岗镇")
    first = services.publish(None, services.adopt_template(None, template, sg), "松府发〔2024〕5号", dt.date(2024, 5, 1))
    second = services.new_version(office_user, first)
    second.duty_items.filter(name="村级财务公开监督").delete()
    client.force_login(office_user)
    # refused: no 文号, a date before the version in force — each error beside its field, nothing changes
    refused = client.post(reverse("governance:list_publish", args=[second.pk]), {"doc_number": "", "effective_from": "2024-04-01"})
    text = refused.content.decode()
    assert refused.status_code == 400 and "请填写发布文号" in text and "施行日期须晚于现行第1版的施行日期(2024-05-01)" in text
    second.refresh_from_db()
    assert second.status == ListStatus.DRAFT
    ok = client.post(reverse("governance:list_publish", args=[second.pk]),
                     {"doc_number": "松府发〔2025〕9号", "effective_from": "2025-07-01"})
    assert ok.status_code == 302
    first.refresh_from_db()
    assert first.effective_to == dt.date(2025, 6, 30)
    assert services.in_force(sg, ListKind.DUTIES, dt.date(2025, 6, 30)) == first
    assert services.in_force(sg, ListKind.DUTIES, dt.date(2025, 7, 1)) == second
    assert services.in_force(sg, ListKind.DUTIES, dt.date(2024, 1, 1)) is None
    page = client.get(reverse("governance:lists"), {"on": "2025-06-30", "unit": sg.pk}).content.decode()
    assert "松府发〔2024〕5号" in page and "松府发〔2025〕9号" not in page


def test_a_township_item_without_an_office_cannot_be_published(offices, unit):
    draft = services.create_list(None, unit("党坝乡"), ListKind.DUTIES)
    DutyItem.objects.create(list=draft, name="无人承办的事项", category="inspection")
    with pytest.raises(GovernanceError, match="以下事项未指定承办机构:无人承办的事项"):
        services.publish(None, draft, "党府发〔2025〕1号", dt.date(2025, 1, 1))
    draft.refresh_from_db()
    assert draft.status == ListStatus.DRAFT


def test_version_comparison_lists_added_removed_and_changed_items(template, unit, office_user, client):
    first = services.publish(None, services.adopt_template(None, template, unit("松岗镇")), "松府发〔2024〕5号", dt.date(2024, 5, 1))
    second = services.new_version(None, first)
    second.duty_items.filter(name="村级财务公开监督").delete()
    item = second.duty_items.get(name="特困人员供养待遇给付")
    item.duties = "受理、入户调查、公示、按月发放"
    item.save()
    DutyItem.objects.create(list=second, name="集镇风貌巡查", category="inspection", body=item.body)
    client.force_login(office_user)
    page = client.get(reverse("governance:list_compare", args=[second.pk])).content.decode()
    assert "新增 1 项,删除 1 项,修改 1 项,未变 1 项" in page
    added = page[page.index('id="diff-added"'):page.index('id="diff-removed"')]
    removed = page[page.index('id="diff-removed"'):page.index('id="diff-changed"')]
    assert "集镇风貌巡查" in added and "村级财务公开监督" in removed
    assert "受理、入户调查、公示、按月发放" in page[page.index('id="diff-changed"'):]


def _upload(client, url, wb):
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "items.xlsx"
    return client.post(url, {"file": buf})


def test_import_lists_every_error_writes_nothing_then_imports_and_exports(template, unit, make_user, client):
    sg = unit("松岗镇")
    draft = services.adopt_template(None, template, sg)
    client.force_login(make_user("sg", Role.TOWNSHIP, sg))
    exported = client.get(reverse("governance:list_export", args=[draft.pk]))
    wb = openpyxl.load_workbook(io.BytesIO(exported.content))
    ws = wb.active
    assert [c.value for c in ws[1]][:4] == ["事项名称", "事项类别", "设定依据", "承办机构"]
    assert ws.max_row == 4
    ws.append(["新增的检查事项", "行政检查", "依据", "经济发展办公室", "巡查", "不巡查的"])
    ws.append(["类别写错的事项", "行政审查", "", "经济发展办公室", "", ""])
    ws.append(["机构写错的事项", "行政检查", "", "不存在的办公室", "", ""])
    url = reverse("governance:list_import", args=[draft.pk])
    preview = _upload(client, url, wb)
    text = preview.content.decode()
    assert preview.status_code == 400
    assert "行政审查" in text and "承办机构“不存在的办公室”不是松岗镇已登记的现存机构" in text
    assert not draft.duty_items.filter(name="新增的检查事项").exists()
    ws.delete_rows(ws.max_row - 1, 2)
    preview = _upload(client, url, wb)
    assert preview.status_code == 200
    token = re.search(r'name="token" value="([^"]+)"', preview.content.decode()).group(1)
    assert client.post(url, {"action": "confirm", "token": token}).status_code == 302
    assert draft.duty_items.get(name="新增的检查事项").body.name == "松岗镇经济发展办公室"
    assert draft.duty_items.count() == 4
    printed = client.get(reverse("governance:list_print", args=[draft.pk])).content.decode()
    assert "新增的检查事项" in printed and "松岗镇经济发展办公室" in printed


def test_a_published_list_cannot_be_changed_or_imported_into(template, unit, office_user, client):
    published = services.publish(None, services.adopt_template(None, template, unit("松岗镇")), "松府发〔2024〕5号",
                                 dt.date(2024, 5, 1))
    item = published.duty_items.first()
    client.force_login(office_user)
    response = client.post(reverse("governance:duty_item_edit", args=[item.pk]),
                           {"name": "改名", "category": item.category, "body": item.body_id})
    assert response.status_code == 400 and "已发布的清单不能修改" in response.content.decode()
    assert client.get(reverse("governance:list_import", args=[published.pk])).status_code == 403
    item.refresh_from_db()
    assert item.name != "改名"


def test_a_township_sees_its_lists_and_the_county_template_not_another_townships(template, unit, make_user, client):
    services.adopt_template(None, template, unit("松岗镇"))
    other = services.adopt_template(None, template, unit("党坝乡"))
    client.force_login(make_user("sg", Role.TOWNSHIP, unit("松岗镇")))
    page = client.get(reverse("governance:lists")).content.decode()
    assert "松岗镇乡镇(街道)权责清单" in page and "(县级模板)" in page and "党坝乡" not in page
    assert client.get(reverse("governance:list_detail", args=[other.pk])).status_code == 404
    # the template is read, not changed, by a township
    item = template.duty_items.first()
    assert client.get(reverse("governance:list_detail", args=[template.pk])).status_code == 200
    refused = client.post(reverse("governance:duty_item_edit", args=[item.pk]), {"name": "x", "category": "penalty",
                                                                                 "office_name": "x"})
    assert refused.status_code == 400
    item.refresh_from_db()
    assert item.name != "x"


def test_an_item_whose_office_closed_in_a_merger_shows_who_carries_it_now(template, unit, office_user, client):
    from xiangcun.divisions import services as registry

    draft = services.adopt_template(None, template, unit("党坝乡"))
    published = services.publish(None, draft, "党府发〔2024〕1号", dt.date(2024, 5, 1))
    registry.merge([unit("党坝乡")], dt.date(2025, 6, 1), into=unit("松岗镇"), user=office_user)
    client.force_login(office_user)
    page = client.get(reverse("governance:list_detail", args=[published.pk])).content.decode()
    assert "已撤销,现由松岗镇综合行政执法办公室承接" in page
    assert Body.objects.get(name="党坝乡综合行政执法办公室").valid_to == dt.date(2025, 6, 1)


def test_the_api_lists_versions_with_their_items_in_scope(template, unit, make_user):
    from rest_framework.test import APIClient

    from xiangcun.accounts import tokens

    services.adopt_template(None, template, unit("松岗镇"))
    services.adopt_template(None, template, unit("党坝乡"))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token " + tokens.issue(make_user("sg", Role.TOWNSHIP, unit("松岗镇")))[1])
    data = api.get("/api/v1/governance/lists/", {"kind": "duties"}).json()
    units = sorted(r["unit_name"] for r in data["results"])
    assert units == ["松岗镇", "马尔康市"]
    own = next(r for r in data["results"] if r["unit_name"] == "松岗镇")
    assert {i["body_name"] for i in own["duty_items"]} >= {"松岗镇综合行政执法办公室"}
    assert api.get("/api/v1/governance/admissions/").status_code == 403
