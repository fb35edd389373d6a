"""前置审查: registration (inside China, inside the township), reviews by 自然资源 and 水利, approval refused while a
review is missing or refused, the 宅基地建房 case waiting for the approval, the merger hook, statistics, export, API."""
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from xiangcun.accounts import tokens
from xiangcun.core.models import AuditEntry
from xiangcun.prereview import services
from xiangcun.prereview.errors import PrereviewError
from xiangcun.prereview.models import Application, Aspect, Outcome, Status

from .conftest import DAY, ID

pytestmark = pytest.mark.django_db
LATER = DAY + dt.timedelta(days=3)


def test_approval_waits_for_both_reviews_and_a_refusal_blocks_it(cast, site):
    app = site()
    with pytest.raises(PrereviewError, match="自然资源的地灾隐患审查尚未完成.*水利的行洪安全审查尚未完成"):
        services.approve(cast["songgang"], app)
    services.record_review(cast["ziran"], app, Aspect.GEO, Outcome.PASS, "", "李国强", LATER)
    services.record_review(cast["shuili"], app, Aspect.FLOOD, Outcome.REFUSED, "位于行洪通道内", "王建华", LATER)
    with pytest.raises(PrereviewError, match=r"水利的行洪安全审查未通过\(原因:位于行洪通道内\)"):
        services.approve(cast["songgang"], app)
    app.refresh_from_db()
    assert app.status == Status.REVIEWING and app.state == "审查未通过"
    # 水利 reviews again after the plan changed: the latest review counts, the refusal stays on record
    services.record_review(cast["shuili"], app, Aspect.FLOOD, Outcome.CONDITIONAL, "地坪抬高 0.5 米", "王建华",
                           LATER + dt.timedelta(days=1))
    assert app.state == "可批准"
    services.approve(cast["songgang"], app, "同意")
    app.refresh_from_db()
    assert app.status == Status.APPROVED and app.approved_by == cast["songgang"]
    assert app.reviews.count() == 3
    assert AuditEntry.objects.filter(action="prereview.approve", object_id=str(app.pk)).exists()
    with pytest.raises(PrereviewError, match="已批准"):
        services.record_review(cast["ziran"], app, Aspect.GEO, Outcome.REFUSED, "x", "李国强", LATER)


def test_each_department_reviews_only_its_own_aspect(cast, site):
    app = site()
    with pytest.raises(PrereviewError, match="只有水利部门可以录入行洪安全"):
        services.record_review(cast["ziran"], app, Aspect.FLOOD, Outcome.PASS, "", "李国强", LATER)
    with pytest.raises(PrereviewError, match="只有自然资源部门"):
        services.record_review(cast["songgang"], app, Aspect.GEO, Outcome.PASS, "", "某人", LATER)
    with pytest.raises(PrereviewError) as refused:
        services.record_review(cast["shuili"], app, Aspect.FLOOD, Outcome.REFUSED, " ", "王建华", LATER)
    assert refused.value.fields == {"reason": "不通过须写明原因"}


def test_a_site_outside_china_or_the_township_is_refused_naming_the_field(cast, site, unit):
    with pytest.raises(PrereviewError) as outside:
        site(lon=31.9, lat=102.2)  # swapped
    assert set(outside.value.fields) == {"lon", "lat"}
    assert "经度 31.9 不在中国境内" in outside.value.fields["lon"]
    with pytest.raises(PrereviewError) as other:
        site(village="党坝村")  # 松岗镇's staff registering a village of 党坝乡
    assert other.value.fields == {"village": "党坝村不在您的管辖范围内"}
    township = unit("松岗镇")
    township.geometry = {"type": "Polygon", "coordinates": [[[102.0, 31.8], [102.4, 31.8], [102.4, 32.0], [102.0, 32.0],
                                                             [102.0, 31.8]]]}
    township.save()
    with pytest.raises(PrereviewError) as beyond:
        site(lon=102.6, lat=31.9)
    assert beyond.value.fields == {"lon": "选址(经度 102.6,纬度 31.9)不在松岗镇范围内,请核对经纬度或所在村(社区)"}
    assert site(lon=102.3, lat=31.9).pk


def test_a_homestead_case_is_completed_only_once_its_site_is_approved(cast, site, unit):
    from xiangcun.services import casework
    from xiangcun.services.errors import CaseError
    from xiangcun.services.models import ItemLevel, ServiceItem
    from xiangcun.services.models import Status as CaseStatus

    item = ServiceItem.objects.create(code="NY-002", name="农村宅基地和建房(规划许可)申请", category="农业农村",
                                      department="农业农村", level=ItemLevel.TOWNSHIP, time_limit=20, materials="身份证")
    agent = cast["agent"]
    case = casework.take_case(agent, unit("松岗村"), item, "张小明", ID, "13912345678", materials=["身份证"])
    casework.transition(case, "forward", agent)
    casework.transition(case, "start", cast["songgang"])
    with pytest.raises(CaseError, match="尚未关联前置审查申请"):
        casework.transition(case, "complete", cast["songgang"], result="批准建房")
    app = site(case=case)
    with pytest.raises(CaseError, match=r"尚未批准\(待审查\)"):
        casework.transition(case, "complete", cast["songgang"], result="批准建房")
    services.record_review(cast["ziran"], app, Aspect.GEO, Outcome.PASS, "", "李国强", LATER)
    services.record_review(cast["shuili"], app, Aspect.FLOOD, Outcome.PASS, "", "王建华", LATER)
    services.approve(cast["songgang"], app)
    case = casework.transition(case, "complete", cast["songgang"], result="批准建房")
    assert case.status == CaseStatus.COMPLETED
    # another item's case is not held up
    other = ServiceItem.objects.create(code="MZ-001", name="高龄津贴申请", category="民政", department="民政",
                                       level=ItemLevel.TOWNSHIP, time_limit=5)
    assert services.completion_check(casework.take_case(agent, unit("松岗村"), other, "张小明", ID)) is None


def test_a_linked_case_must_be_a_homestead_case_of_the_same_village(cast, site, unit):
    from xiangcun.services import casework
    from xiangcun.services.models import ItemLevel, ServiceItem

    other = ServiceItem.objects.create(code="MZ-001", name="高龄津贴申请", category="民政", department="民政",
                                       level=ItemLevel.TOWNSHIP, time_limit=5)
    case = casework.take_case(cast["agent"], unit("松岗村"), other, "张小明", ID)
    with pytest.raises(PrereviewError) as wrong:
        site(case=case)
    assert "不是宅基地建房事项" in wrong.value.fields["case_number"]


def test_open_applications_of_a_merged_village_pass_to_its_successor(cast, site, unit):
    from xiangcun.divisions import services as registry

    open_ = site(village="党坝村", by="dangba")
    done = site(village="党坝村", by="dangba", name="已批准的住房")
    services.record_review(cast["ziran"], done, Aspect.GEO, Outcome.PASS, "", "李国强", LATER)
    services.record_review(cast["shuili"], done, Aspect.FLOOD, Outcome.PASS, "", "王建华", LATER)
    services.approve(cast["dangba"], done, when=LATER)
    into = unit("党坝乡").children.filter(valid_to__isnull=True).exclude(pk=unit("党坝村").pk).order_by("code").first()
    registry.merge([unit("党坝村")], dt.date(2026, 2, 1), into=into, document="马府民政〔2026〕1号")
    open_.refresh_from_db()
    done.refresh_from_db()
    assert open_.village == into
    assert done.village == unit("党坝村")
    moved = AuditEntry.objects.get(action="prereview.follow", object_id=str(open_.pk))
    assert moved.data["to_village"] == into.name
    # the township still sees and counts both
    row = next(r for r in services.stats(cast["dangba"]) if r.township.name == "党坝乡")
    assert (row.applications, row.waiting, row.approved) == (2, 1, 1)


def _review_both(cast, app, flood=Outcome.PASS):
    services.record_review(cast["ziran"], app, Aspect.GEO, Outcome.PASS, "", "李国强", LATER)
    services.record_review(cast["shuili"], app, Aspect.FLOOD, flood, "不行" if flood == Outcome.REFUSED else "", "王建华", LATER)


def test_statistics_filters_and_scope(cast, site, client, unit):
    waiting = site(name="等待")
    services.record_review(cast["ziran"], waiting, Aspect.GEO, Outcome.PASS, "", "李国强", LATER)
    _review_both(cast, site(name="未通过"), Outcome.REFUSED)
    _review_both(cast, site(name="可批准"))
    approved = site(name="已批准")
    _review_both(cast, approved)
    services.approve(cast["songgang"], approved)
    site(village="党坝村", by="dangba", name="党坝的")
    rows = {r.township.name: r for r in services.stats(cast["office"])}
    sg = rows["松岗镇"]
    assert (sg.applications, sg.waiting, sg.refused, sg.ready, sg.approved) == (4, 1, 1, 1, 1)
    assert rows["党坝乡"].applications == 1
    assert [r.township.name for r in services.stats(cast["songgang"])] == ["松岗镇"]

    client.force_login(cast["office"])
    page = client.get("/prereview/", {"township": unit("松岗镇").pk, "waiting": "flood"})
    assert page.status_code == 200
    names = [a.name for a in page.context["page"]]
    assert names == ["等待"]
    assert client.get("/prereview/", {"waiting": "geo"}).context["page"].paginator.count == 1  # 党坝的
    assert client.get("/prereview/", {"state": "bogus"}).status_code == 400
    client.force_login(cast["songgang"])
    assert client.get(f"/prereview/{Application.objects.get(name='党坝的').pk}/").status_code == 404
    stats = client.get("/prereview/stats/")
    assert "松岗镇" in stats.content.decode() and "党坝乡" not in stats.content.decode()


def test_export_lists_the_filtered_applications_with_their_reviews(cast, site, client):
    app = site(name="导出的住房")
    services.record_review(cast["shuili"], app, Aspect.FLOOD, Outcome.CONDITIONAL, "退让河道 10 米", "王建华", LATER)
    site(village="党坝村", by="dangba", name="党坝的")
    client.force_login(cast["songgang"])
    response = client.get("/prereview/export/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "项目名称" and len(rows) == 2
    assert rows[1][0] == "导出的住房" and rows[1][10] == "待审查" and "有条件通过" in rows[1][11] and "退让河道" in rows[1][11]
    stats = client.get("/prereview/stats/export/")
    assert stats.status_code == 200


def test_the_forms_show_each_error_beside_its_field(cast, client, unit):
    client.force_login(cast["songgang"])
    response = client.post("/prereview/new/", {"name": "新房", "kind": "house", "applicant": "泽仁",
                                               "village": unit("松岗村").pk, "lon": "10.5", "lat": "31.9"})
    assert response.status_code == 400
    assert "不在中国境内" in response.context["form"].errors["lon"][0]
    assert response.context["form"]["name"].value() == "新房"
    app = Application.objects.create(name="x", applicant="y", village=unit("松岗村"), lon=102.2, lat=31.9,
                                     registered_on=DAY)
    client.force_login(cast["shuili"])
    response = client.post(f"/prereview/{app.pk}/review/flood/", {"outcome": "conditional", "reviewer": "王建华",
                                                                  "reviewed_on": LATER.isoformat()})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == ["有条件通过须写明条件"]
    assert client.get(f"/prereview/{app.pk}/review/geo/").status_code == 403
    assert client.get(f"/prereview/{app.pk}/review/other/").status_code == 404
    client.force_login(cast["songgang"])
    response = client.post(f"/prereview/{app.pk}/approve/", {"note": ""})
    assert response.status_code == 400
    assert "不能批准" in response.content.decode()


def test_the_api_reads_applications_and_statistics_in_scope(cast, site):
    from rest_framework.test import APIClient

    app = site(name="接口的住房")
    _review_both(cast, app, Outcome.REFUSED)
    site(village="党坝村", by="dangba", name="党坝的")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token " + tokens.issue(cast["songgang"])[1])
    listing = api.get("/api/v1/prereview/applications/", {"state": "refused"}).json()
    assert [a["name"] for a in listing["results"]] == ["接口的住房"]
    detail = api.get(f"/api/v1/prereview/applications/{app.pk}/").json()
    assert detail["state"] == "审查未通过" and {r["aspect"] for r in detail["reviews"]} == {"geo", "flood"}
    other = Application.objects.get(name="党坝的")
    assert api.get(f"/api/v1/prereview/applications/{other.pk}/").status_code == 404
    stats = api.get("/api/v1/prereview/stats/").json()
    assert stats == [{"township": app.village.parent_id, "township_name": "松岗镇", "applications": 1, "waiting": 0,
                      "refused": 1, "ready": 0, "approved": 0}]
    assert api.get("/api/v1/prereview/stats/", {"township": app.village.parent_id}).json()[0]["refused"] == 1
    assert api.get("/api/v1/prereview/stats/", {"township": other.village.parent_id}).status_code == 404
    assert api.get("/api/v1/prereview/stats/", {"township": "abc"}).status_code == 400
    schema = api.get("/api/v1/openapi.json").json()
    assert "/api/v1/prereview/applications/" in schema["paths"] and "/api/v1/prereview/stats/" in schema["paths"]


def test_the_workbench_and_the_case_page_say_what_waits(cast, site, client, unit):
    from xiangcun.services import casework
    from xiangcun.services.models import ItemLevel, ServiceItem

    item = ServiceItem.objects.create(code="NY-002", name="农村宅基地和建房(规划许可)申请", category="农业农村",
                                      department="农业农村", level=ItemLevel.TOWNSHIP, time_limit=20, materials="身份证")
    case = casework.take_case(cast["agent"], unit("松岗村"), item, "张小明", ID, "13912345678", materials=["身份证"])
    casework.transition(case, "forward", cast["agent"])
    casework.transition(case, "start", cast["songgang"])
    app = site(case=case)
    services.record_review(cast["ziran"], app, Aspect.GEO, Outcome.PASS, "", "李国强", LATER)
    client.force_login(cast["shuili"])
    assert "等待行洪安全(水利)审查" in client.get("/").content.decode()
    client.force_login(cast["songgang"])
    page = client.get(f"/services/cases/{case.pk}/").content.decode()
    assert "办结前须:宅基地建房须先通过前置审查" in page and "尚未批准(待审查)" in page
    services.record_review(cast["shuili"], app, Aspect.FLOOD, Outcome.PASS, "", "王建华", LATER)
    assert "可批准的建房选址" in client.get("/").content.decode()
