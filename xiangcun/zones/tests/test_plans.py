"""Village types (村镇分类) and the plan register: a designation over time, refused designations, the 应编尽编
coverage per township, overdue plans, approval rules, exports, scope and mergers."""
import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from xiangcun.core.models import AuditEntry
from xiangcun.core.roles import Role
from xiangcun.divisions import services as registry
from xiangcun.divisions.models import Division, Kind
from xiangcun.zones import plans, services
from xiangcun.zones.errors import ZoneError
from xiangcun.zones.models import Designation, Plan, PlanKind, PlanStage, SchemeLevel, VillageType

D = dt.date


@pytest.fixture
def office(make_user, maerkang):
    return make_user("gaigeban", Role.REFORM_OFFICE, maerkang)


def villages_of(unit, name):
    return list(Division.objects.current().filter(parent=unit(name), kind=Kind.VILLAGE).order_by("code"))


def sheet(response):
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming
                                           else response.content)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_a_new_designation_closes_the_previous_one_on_its_start_date(client, office, unit):
    village = villages_of(unit, "松岗镇")[0]
    client.force_login(office)
    url = reverse("zones:designations") + f"?scope={unit('松岗镇').pk}"
    r = client.post(url, {"unit": village.pk, "category": VillageType.CLUSTER, "function": "farming",
                          "valid_from": "2021-06-01", "note": "分类布局规划"})
    assert r.status_code == 302
    r = client.post(url, {"unit": village.pk, "category": VillageType.HERITAGE, "function": "scenic",
                          "valid_from": "2024-01-01"})
    assert r.status_code == 302
    old, new = Designation.objects.filter(unit=village).order_by("valid_from")
    assert old.valid_to == D(2024, 1, 1) and new.valid_to is None
    assert plans.current_designations([village], D(2023, 12, 31))[village.pk] == old
    page = client.get(url).content.decode()
    row = page.split(f'id="unit-{village.pk}"')[1].split("</tr>")[0]
    assert "特色保护类" in row and "景区村" in row and "2024-01-01" in row and "集聚提升类" not in row
    entries = AuditEntry.objects.filter(object_type="zones.designation")
    assert sorted(e.action.rsplit(".", 1)[-1] for e in entries) == ["create", "create", "update"]  # one closed


def test_a_wrong_designation_is_refused_beside_its_field_and_nothing_is_written(client, office, unit):
    town = unit("松岗镇")
    village = villages_of(unit, "松岗镇")[0]
    plans.designate(office, village, VillageType.CLUSTER, D(2024, 1, 1))
    client.force_login(office)
    url = reverse("zones:designations") + f"?scope={town.pk}"
    r = client.post(url, {"unit": town.pk, "category": VillageType.CLUSTER, "function": "scenic",
                          "valid_from": "2024-05-01"})
    page = r.content.decode()
    assert r.status_code == 400
    assert "松岗镇是乡镇,类型应为中心镇、一般镇或特色镇" in page and "功能类型(景区村/城郊村/集镇村/农业村)只适用于建制村" in page
    assert 'value="2024-05-01"' in page  # the form keeps what was typed
    r = client.post(url, {"unit": village.pk, "category": VillageType.SUBURBAN, "valid_from": "2023-01-01"})
    assert r.status_code == 400
    assert f"{village.name}已有2024-01-01起的分类(集聚提升类),新分类的起始日期须晚于它" in r.content.decode()
    assert Designation.objects.count() == 1 and Designation.objects.get().valid_to is None


def test_coverage_counts_villages_with_an_approved_plan_on_them_or_on_their_zone(client, office, unit):
    sg = villages_of(unit, "松岗镇")
    db = villages_of(unit, "党坝乡")
    assert len(sg) >= 4 and len(db) >= 2
    plans.save_plan(office, Plan(kind=PlanKind.VILLAGE, name="甲村规划", unit=sg[0], stage=PlanStage.APPROVED,
                                 document="马府函〔2025〕1号", approved_on=D(2025, 1, 1), term_years=10))
    plans.save_plan(office, Plan(kind=PlanKind.VILLAGE, name="乙村规划", unit=sg[1], stage=PlanStage.PUBLICITY))
    scheme = services.create_scheme(office, unit("马尔康市"), "松岗镇村级片区", SchemeLevel.VILLAGE,
                                    [(sg[2], [sg[2], sg[3]])])
    plans.save_plan(office, Plan(kind=PlanKind.VILLAGE, name="片区规划", zone=scheme.zones.get(),
                                 stage=PlanStage.APPROVED, document="马府函〔2025〕2号", approved_on=D(2025, 2, 1),
                                 term_years=10))
    plans.save_plan(office, Plan(kind=PlanKind.TOWNSHIP, name="松岗镇总体规划", unit=unit("松岗镇"),
                                 stage=PlanStage.APPROVED, document="马府函〔2024〕9号", approved_on=D(2024, 1, 1),
                                 term_years=15))
    late = plans.save_plan(office, Plan(kind=PlanKind.TOWNSHIP, name="党坝乡总体规划", unit=unit("党坝乡"),
                                        stage=PlanStage.DRAFTING, target_date=dt.date.today() - dt.timedelta(days=1)))
    client.force_login(office)
    page = client.get(reverse("zones:plans")).content.decode()
    row = page.split(f'id="township-{unit("松岗镇").pk}"')[1].split("</tr>")[0]
    rate = round(100 * 3 / len(sg), 1)
    assert "已批复" in row and f"{rate}%" in row and sg[1].name in row and sg[0].name not in row
    row = page.split(f'id="township-{unit("党坝乡").pk}"')[1].split("</tr>")[0]
    assert "未批复" in row and "0.0%" in row
    assert "逾期" in page.split(f'id="plan-{late.pk}"')[1].split("</tr>")[0]
    assert "逾期未批复的规划 1 项" in page
    overdue = client.get(reverse("zones:plans") + "?overdue=1").content.decode()
    assert "党坝乡总体规划" in overdue and "甲村规划" not in overdue
    rows = sheet(client.get(reverse("zones:plans_export") + f"?scope={unit('马尔康市').pk}"))
    assert rows[0][:5] == ["乡镇", "乡镇国土空间总体规划", "建制村数", "已批复村庄规划的建制村数", "覆盖率(%)"]
    assert ["松岗镇", "已批复", len(sg), 3, rate] == next(r for r in rows if r[0] == "松岗镇")[:5]
    rows = sheet(client.get(reverse("zones:plan_list_export")))
    assert ["党坝乡总体规划", "乡镇国土空间总体规划", "党坝乡", "编制中"] == next(r for r in rows if r[0] == "党坝乡总体规划")[:4]
    assert next(r for r in rows if r[0] == "党坝乡总体规划")[-1] == "逾期"


def test_an_approved_plan_needs_its_number_date_and_term(client, office, unit):
    client.force_login(office)
    r = client.post(reverse("zones:plans"), {"kind": PlanKind.VILLAGE, "name": "松岗村规划",
                                             "unit": unit("松岗镇").pk, "stage": PlanStage.APPROVED})
    page = r.content.decode()
    assert r.status_code == 400
    for message in ("松岗镇不是村,不能编制实用性村庄规划", "已批复的规划须填写批复文号", "已批复的规划须填写批复日期",
                    "已批复的规划须填写规划期限"):
        assert message in page
    assert 'value="松岗村规划"' in page and not Plan.objects.exists()
    village = villages_of(unit, "松岗镇")[0]
    r = client.post(reverse("zones:plans"), {"kind": PlanKind.VILLAGE, "name": "松岗村规划", "unit": village.pk,
                                             "stage": PlanStage.DRAFTING})
    plan = Plan.objects.get()
    assert r.status_code == 302 and r.url == reverse("zones:plan", args=[plan.pk])
    r = client.post(r.url, {"kind": PlanKind.VILLAGE, "name": "松岗村规划", "unit": village.pk,
                            "stage": PlanStage.APPROVED, "document": "马府函〔2025〕3号", "approved_on": "2025-03-01",
                            "term_years": 10})
    assert r.status_code == 302
    plan.refresh_from_db()
    assert plan.stage == PlanStage.APPROVED and plan.document == "马府函〔2025〕3号"
    assert "已批复" in client.get(r.url).content.decode()  # the history card shows the stage's label


def test_township_staff_see_their_own_units_and_plans_only(client, make_user, office, unit):
    sg, db = villages_of(unit, "松岗镇")[0], villages_of(unit, "党坝乡")[0]
    plans.designate(office, db, VillageType.SUBURBAN, D(2024, 1, 1))
    theirs = plans.save_plan(office, Plan(kind=PlanKind.VILLAGE, name="党坝村规划", unit=db))
    staff = make_user("sg_staff", Role.TOWNSHIP, unit("松岗镇"))
    client.force_login(staff)
    page = client.get(reverse("zones:designations")).content.decode()
    assert sg.name in page and db.name not in page
    assert client.get(reverse("zones:plan", args=[theirs.pk])).status_code == 404
    assert "党坝村规划" not in client.get(reverse("zones:plans")).content.decode()
    assert client.get(reverse("zones:designations") + f"?scope={unit('党坝乡').pk}").status_code == 404
    r = client.post(reverse("zones:designations"), {"unit": sg.pk, "category": VillageType.CLUSTER,
                                                    "valid_from": "2024-01-01"})
    assert r.status_code == 403 and Designation.objects.filter(unit=sg).count() == 0
    with pytest.raises(ZoneError):
        plans.designate(office, unit("马尔康市"), VillageType.CENTRAL_TOWN, D(2024, 1, 1))


def test_a_merged_village_s_designation_ends_on_the_merger(office, unit):
    a, b = villages_of(unit, "松岗镇")[:2]
    plans.designate(office, a, VillageType.CLUSTER, D(2021, 6, 1))
    plans.designate(office, b, VillageType.RELOCATION, D(2021, 6, 1))
    when = dt.date.today() - dt.timedelta(days=1)
    registry.merge([b], when, into=a)
    assert Designation.objects.get(unit=b).valid_to == when
    assert Designation.objects.get(unit=a).valid_to is None
    assert b.pk not in plans.current_designations([a, b])


def test_designations_export_lists_every_unit_with_its_type(client, office, unit):
    village = villages_of(unit, "松岗镇")[0]
    plans.designate(office, village, VillageType.SUBURBAN, D(2022, 1, 1), function="suburb", note="城郊")
    client.force_login(office)
    rows = sheet(client.get(reverse("zones:designations_export") + f"?scope={unit('松岗镇').pk}"))
    assert rows[0] == list(plans.DESIGNATION_COLUMNS)
    assert ["松岗镇", village.name, "建制村", "城郊融合类", "城郊村"] == next(r for r in rows if r[1] == village.name)[:5]
    assert len(rows) == 1 + 1 + len(villages_of(unit, "松岗镇"))
    rows = sheet(client.get(reverse("zones:designations_export") + f"?scope={unit('松岗镇').pk}&category=none"))
    assert village.name not in [r[1] for r in rows]
    assert client.get(reverse("zones:designations") + "?category=bogus").status_code == 400


def test_a_merger_that_empties_a_zone_with_a_plan_keeps_the_zone_and_its_plan(office, unit):
    a, b, c = villages_of(unit, "松岗镇")[:3]
    scheme = services.create_scheme(None, unit("马尔康市"), "村级", SchemeLevel.VILLAGE, [(a, [a, b]), (c, [c])])
    zone = scheme.zones.get(centre=c)
    plan = plans.save_plan(office, Plan(kind=PlanKind.VILLAGE, name=f"{c.name}片区规划", zone=zone))
    registry.merge([c], dt.date.today(), into=b, document="测试")  # c's place passes to b, in the other zone
    plan.refresh_from_db()
    assert plan.zone == zone and not zone.memberships.exists()


def test_the_workbench_shows_the_overdue_plans_to_those_who_see_them(client, office, make_user, unit):
    plans.save_plan(office, Plan(kind=PlanKind.TOWNSHIP, name="党坝乡总体规划", unit=unit("党坝乡"),
                                 stage=PlanStage.DRAFTING, target_date=dt.date.today() - dt.timedelta(days=1)))
    client.force_login(office)
    page = client.get(reverse("workbench:home")).content.decode()
    assert "逾期未批复的规划" in page and reverse("zones:plans") + "?overdue=1" in page
    client.force_login(make_user("sg_staff", Role.TOWNSHIP, unit("松岗镇")))
    assert "逾期未批复的规划" not in client.get(reverse("workbench:home")).content.decode()


def test_the_api_lists_schemes_designations_and_plans_within_the_users_scope(client, make_user, county, unit):
    """GET /api/v1/zones/…: the office reads the county's schemes (a scheme with its zones and members), village
    types and plans; a township reads its own; the filters refuse an unknown value in Chinese."""
    from xiangcun.accounts import tokens
    from xiangcun.divisions.models import Level

    office = make_user("office", Role.REFORM_OFFICE, county)
    centre = unit("松岗村")
    others = list(Division.objects.filter(parent=unit("松岗镇"), level=Level.VILLAGE, valid_to__isnull=True)
                  .exclude(pk=centre.pk).order_by("code")[:2])
    scheme = services.create_scheme(office, county, "松岗镇村级片区", SchemeLevel.VILLAGE, [(centre, [centre, *others])])
    Designation.objects.create(unit=centre, category=VillageType.CLUSTER, valid_from=dt.date(2021, 1, 1))
    Designation.objects.create(unit=unit("党坝村"), category=VillageType.HERITAGE, valid_from=dt.date(2021, 1, 1))
    Plan.objects.create(kind=PlanKind.VILLAGE, name="松岗村实用性村庄规划", unit=centre)
    Plan.objects.create(kind=PlanKind.VILLAGE, name="党坝村实用性村庄规划", unit=unit("党坝村"))

    def get(user, url, **query):
        key = tokens.issue(user)[1]
        return client.get(url, query, HTTP_AUTHORIZATION=f"Token {key}")

    listed = get(office, "/api/v1/zones/schemes/").json()
    assert [s["name"] for s in listed["results"]] == ["松岗镇村级片区"]
    detail = get(office, f"/api/v1/zones/schemes/{scheme.pk}/").json()
    (zone,) = detail["zones"]
    assert zone["centre_name"] == "松岗村" and {m["name"] for m in zone["members"]} == {centre.name, *(o.name for o in others)}
    assert {d["unit_name"] for d in get(office, "/api/v1/zones/designations/").json()["results"]} == {"松岗村", "党坝村"}
    assert [d["category_label"] for d in get(office, "/api/v1/zones/designations/", category="heritage").json()["results"]] == ["特色保护类"]

    songgang = make_user("sg", Role.TOWNSHIP, unit("松岗镇"))
    assert [d["unit_name"] for d in get(songgang, "/api/v1/zones/designations/").json()["results"]] == ["松岗村"]
    assert [p["name"] for p in get(songgang, "/api/v1/zones/plans/").json()["results"]] == ["松岗村实用性村庄规划"]
    dangba = make_user("db", Role.TOWNSHIP, unit("党坝乡"))
    assert get(dangba, f"/api/v1/zones/schemes/{scheme.pk}/").status_code == 404
    refused = get(office, "/api/v1/zones/plans/", stage="完成")
    assert refused.status_code == 400 and "stage" in refused.json()["message"]
