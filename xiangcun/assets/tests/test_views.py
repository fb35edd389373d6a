"""Pages and API: the main flows over HTTP, and the jurisdiction rule by every route."""
import datetime as dt

import pytest
from rest_framework.test import APIClient

from xiangcun.assets import services
from xiangcun.assets.models import Asset, Status
from xiangcun.core.models import AuditEntry


@pytest.fixture
def two(new_asset):
    return new_asset(holder="松岗村", ledger_no="SG-1", name="松岗村旧村委会"), new_asset(
        holder="党坝村", ledger_no="DB-1", name="党坝村旧村委会")


def test_a_songgang_user_cannot_see_or_change_dangba_assets_by_any_route(client, cast, two, maerkang):
    sg, db = two
    campaign = services.open_campaign(cast["caizheng"], "党坝清查", db.custodian.parent, dt.date(2024, 1, 1))
    client.force_login(cast["songgang"])
    listing = client.get("/assets/").content.decode()
    assert "SG-1" in listing and "DB-1" not in listing
    assert "DB-1" not in client.get("/assets/export.xlsx?format=csv").getvalue().decode()
    assert client.get(f"/assets/{db.pk}/").status_code == 404
    assert client.get(f"/assets/{db.pk}/plan/").status_code == 404
    assert client.get(f"/assets/campaigns/{campaign.pk}/").status_code == 404
    assert client.post(f"/assets/campaigns/{campaign.pk}/check/", {"asset": db.pk, "result": "found"}).status_code == 404
    assert client.get(f"/assets/stats/?scope={db.custodian.parent_id}").status_code == 404
    api = APIClient()
    api.force_authenticate(cast["songgang"])
    assert [a["ledger_no"] for a in api.get("/api/v1/assets/").json()["results"]] == ["SG-1"]
    assert api.get(f"/api/v1/assets/{db.pk}/").status_code == 404
    # township staff read but do not change the ledger
    assert client.post(f"/assets/{sg.pk}/transition/", {"action": "check"}).status_code == 403
    assert Asset.objects.get(pk=db.pk).status == Status.PENDING


def test_finance_staff_walk_an_asset_through_the_lifecycle(client, cast, two):
    sg, _ = two
    client.force_login(cast["caizheng"])
    client.post(f"/assets/{sg.pk}/transition/", {"action": "check"})
    client.post(f"/assets/{sg.pk}/transition/", {"action": "mark_idle", "date": "2023-01-01"})
    r = client.post(f"/assets/{sg.pk}/plan/", {"route": "public_use", "new_use": "elderly_care",
                                                "approval_document": "马府函〔2024〕9号", "approve": "1"})
    assert r.status_code == 302
    assert Asset.objects.get(pk=sg.pk).status == Status.PLAN_APPROVED
    plan = sg.plans.get()
    r = client.post(f"/assets/plans/{plan.pk}/outcome/", {"outcome_date": "2024-05-01"})
    assert r.status_code == 302
    page = client.get(f"/assets/{sg.pk}/").content.decode()
    assert "已盘活" in page and "改作养老服务站" in page and "资产已盘活" in page  # the history names the step


def test_a_refused_step_says_why(client, cast, two):
    sg, _ = two
    client.force_login(cast["caizheng"])
    r = client.post(f"/assets/{sg.pk}/transition/", {"action": "write_off"}, follow=True)
    assert "只适用于状态为" in r.content.decode()


def test_the_ledger_page_shows_custody_of_merged_units(client, cast, new_asset):
    new_asset(holder="卓克基镇")
    client.force_login(cast["office"])
    page = client.get("/assets/?custody=moved").content.decode()
    assert "卓克基镇" in page and "马尔康镇" in page and "已撤并" in page
    detail = client.get(f"/assets/{Asset.objects.get().pk}/").content.decode()
    assert "该资产现由 <b>马尔康镇</b> 管护" in detail


def test_statistics_export_to_excel(client, cast, idle_asset, maerkang):
    idle_asset()
    client.force_login(cast["office"])
    assert "闲置超过 12 个月" in client.get("/assets/stats/").content.decode()
    r = client.get(f"/assets/stats/export.xlsx?scope={maerkang.pk}")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    api = APIClient()
    api.force_authenticate(cast["office"])
    data = api.get("/api/v1/assets/stats/").json()
    assert data["rows"][-1]["单位"] == "合计" and data["rows"][-1]["闲置"] == "1"
    idle = api.get("/api/v1/assets/idle-buildings/").json()
    assert idle[0]["custodian"] == "马尔康镇" and idle[0]["floor_area"] == "820.50"


def test_attachments_are_stored_and_served_in_scope(client, cast, two, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    sg, _ = two
    client.force_login(cast["caizheng"])
    client.post(f"/assets/{sg.pk}/attachments/", {"kind": "photo", "file": SimpleUploadedFile("照片.jpg", b"jpg")})
    att = sg.attachments.get()
    assert client.get(f"/assets/attachments/{att.pk}/").status_code == 200
    client.force_login(cast["dangba"])
    assert client.get(f"/assets/attachments/{att.pk}/").status_code == 404


def test_deleting_marks_and_keeps(client, cast, two):
    sg, _ = two
    client.force_login(cast["caizheng"])
    client.post(f"/assets/{sg.pk}/delete/", {"reason": ""})
    assert Asset.objects.filter(pk=sg.pk).exists()
    client.post(f"/assets/{sg.pk}/delete/", {"reason": "重复登记"})
    assert not Asset.objects.filter(pk=sg.pk).exists() and Asset.all_with_deleted.get(pk=sg.pk).is_deleted
    # the 已删除的资产 page lists it with the reason; restoring brings it back to the ledger
    listed = client.get("/assets/deleted/").content.decode()
    assert sg.ledger_no in listed and "重复登记" in listed
    client.force_login(cast["dangba"])
    assert client.get("/assets/deleted/").status_code == 403  # township staff do not keep the ledger
    client.force_login(cast["caizheng"])
    page = client.post(f"/assets/{sg.pk}/restore/", follow=True).content.decode()
    assert "已恢复" in page and Asset.objects.filter(pk=sg.pk).exists()
    assert sg.ledger_no not in client.get("/assets/deleted/").content.decode().split('id="deleted-table"')[1]
    actions = [e.action for e in AuditEntry.objects.filter(object_type="assets.asset", object_id=str(sg.pk)).order_by("seq")]
    assert actions[-2:] == ["delete", "restore"]
