"""Property rights (产权) of assets: nature and owner, and the lifecycle rules by nature — state assets sold by open
transaction on a registered appraisal with approval by the body with authority for the value, 补充国有资本 only
for state assets; collective assets leased or sold only after 四议两公开, transferred on the 农村产权交易 platform;
村级活动场所 and restricted 扶贫项目资产 never sold."""
import datetime as dt
from decimal import Decimal

import pytest

from xiangcun.assets import services
from xiangcun.assets.models import Asset, Nature, PlanStatus, Status
from xiangcun.bodies.models import Body, BodyKind
from xiangcun.bodies.services import department_body
from xiangcun.core.models import AuditEntry

DELIBERATION = dict(proposed_on=dt.date(2024, 2, 1), reviewed_on=dt.date(2024, 2, 5), party_meeting_on=dt.date(2024, 2, 10),
                    villagers_meeting_on=dt.date(2024, 2, 15), resolution_published_on=dt.date(2024, 2, 16))


@pytest.fixture
def village_org(cast, unit):
    from xiangcun.collective import services as collective
    from xiangcun.collective.models import Organisation

    return collective.save_organisation(cast["office"], Organisation(name="党坝村股份经济合作社", village=unit("党坝村")))


@pytest.fixture
def collective_asset(idle_asset, village_org):
    def make(**kw):
        values = dict(holder="党坝村", ledger_no="DB-C1", name="党坝村原村小", category="school", nature="collective_village",
                      owner_body=None, owner_organisation=village_org, valuation=Decimal("300000"))
        values.update(kw)
        return idle_asset(**values)
    return make


def test_nature_and_owner_must_agree(new_asset, village_org, unit):
    with pytest.raises(services.AssetError, match=r"须填写产权单位\(集体经济组织\)"):
        new_asset(nature="collective_village", owner_body=None)
    with pytest.raises(services.AssetError, match="只能是一个"):
        new_asset(owner_organisation=village_org)
    with pytest.raises(services.AssetError, match="组级集体资产.*是村级组织"):
        new_asset(nature="collective_group", owner_body=None, owner_organisation=village_org)
    unverified = new_asset(ledger_no="U-1", nature="unverified", owner_body=None)
    assert services.ownership_text(unverified) == "产权性质待核实"
    owned = new_asset(ledger_no="C-1", holder="党坝村", nature="collective_village", owner_body=None,
                      owner_organisation=village_org)
    assert services.ownership_text(owned) == "集体-村级,产权属党坝村股份经济合作社"
    assert owned.custodian == unit("党坝村") and owned.owner == village_org  # who looks after it ≠ who owns it


def test_only_state_assets_supplement_state_capital(collective_asset, idle_asset, cast):
    user = cast["caizheng"]
    asset = collective_asset()
    with pytest.raises(services.AssetError, match="集体资产不得补充国有资本"):
        services.propose_plan(asset, user, route="state_capital", recipient="马尔康市国投公司", transfer_value=Decimal(1))
    unverified = idle_asset(ledger_no="U-2", nature="unverified", owner_body=None)
    with pytest.raises(services.AssetError, match="产权性质待核实"):
        services.propose_plan(unverified, user, route="state_capital", recipient="国投", transfer_value=Decimal(1))
    with pytest.raises(services.AssetError, match="产权性质待核实"):
        services.propose_plan(unverified, user, route="sale", buyer="某公司", sale_price=Decimal(1))
    state = idle_asset(ledger_no="S-2")
    assert services.propose_plan(state, user, route="state_capital", recipient="国投", transfer_value=Decimal(1200000))


def test_village_halls_and_restricted_poverty_assets_refuse_sale(collective_asset, cast):
    user = cast["caizheng"]
    hall = collective_asset(ledger_no="H-1", category="village_hall", name="党坝村村级活动场所")
    with pytest.raises(services.AssetError, match="村级活动场所.*不得出售"):
        services.propose_plan(hall, user, route="sale", buyer="某公司", sale_price=Decimal(1))
    poverty = collective_asset(ledger_no="P-1", category="other_building", funding="poverty", restricted=True)
    with pytest.raises(services.AssetError, match="由扶贫项目资产形成,处置受限,不得出售"):
        services.propose_plan(poverty, user, route="sale", buyer="某公司", sale_price=Decimal(1))
    # it may still be leased (after 四议两公开)
    assert services.propose_plan(poverty, user, route="industry", lessee="合作社", annual_rent=Decimal(1000),
                                 term_start=dt.date(2024, 3, 1), term_end=dt.date(2026, 2, 28))
    assert Asset.objects.get(pk=hall.pk).status == Status.IDLE


def test_a_state_sale_needs_the_body_with_authority_an_open_transaction_and_a_registered_valuer(idle_asset, cast, unit, maerkang):
    user = cast["caizheng"]
    gov = Body.objects.create(name="松岗镇人民政府", kind=BodyKind.TOWNSHIP_GOVERNMENT, unit=unit("松岗镇"))
    office = Body.objects.create(name="松岗镇经济发展办公室", kind=BodyKind.TOWNSHIP_OFFICE, unit=unit("松岗镇"), parent=gov)
    small = idle_asset(ledger_no="SG-1", holder="松岗镇", owner_body=office, valuation=Decimal("200000"), valuer="", valuer_registration="")
    assert services.approving_authority(small) == gov
    big = idle_asset(ledger_no="SG-2", holder="松岗镇", owner_body=office)  # 1,200,000
    assert services.approving_authority(big) == department_body(maerkang, "财政")
    plan = services.propose_plan(big, user, route="sale", buyer="某公司", sale_price=Decimal("1300000"))
    with pytest.raises(services.AssetError, match="须由马尔康市财政局审批,松岗镇人民政府无此权限"):
        services.approve_plan(plan, user, "松府函〔2024〕1号", approving_body=gov)
    plan = services.approve_plan(plan, user, "马财函〔2024〕1号")
    assert plan.approving_body == department_body(maerkang, "财政")
    with pytest.raises(services.AssetError, match="公开进场交易"):
        services.complete_plan(plan, user, dt.date(2024, 10, 1))
    plan = services.propose_plan(small, user, route="sale", buyer="某公司", sale_price=Decimal("250000"),
                                 venue="state_exchange", transaction_ref="SCCQ-2024-88")
    services.approve_plan(plan, user, "松府函〔2024〕2号")
    with pytest.raises(services.AssetError, match="备案的评估机构评估"):
        services.complete_plan(plan, user, dt.date(2024, 10, 1))
    assert Asset.objects.get(pk=small.pk).status == Status.PLAN_APPROVED


def test_a_collective_lease_needs_four_deliberations_and_two_publications(collective_asset, cast):
    user = cast["caizheng"]
    asset = collective_asset()
    plan = services.propose_plan(asset, user, route="industry", lessee="某合作社", annual_rent=Decimal(12000),
                                 term_start=dt.date(2024, 3, 1), term_end=dt.date(2027, 2, 28))
    with pytest.raises(services.AssetError, match=r"四议两公开.*党组织提议、两委会议商议、党员大会审议、村民\(代表\)会议决议、决议公开"):
        services.approve_plan(plan, user, "党坝乡批〔2024〕1号")
    with pytest.raises(services.AssetError, match="党员大会审议.*不能早于两委会议商议"):
        services.record_deliberation(plan, user, **dict(DELIBERATION, party_meeting_on=dt.date(2024, 2, 2)))
    assert Asset.objects.get(pk=asset.pk).status == Status.IDLE
    services.record_deliberation(plan, user, **DELIBERATION)
    services.approve_plan(plan, user, "党坝乡批〔2024〕1号")
    with pytest.raises(services.AssetError, match="实施结果公开"):
        services.complete_plan(plan, user, dt.date(2024, 3, 1))
    services.complete_plan(plan, user, dt.date(2024, 3, 1), result_published_on=dt.date(2024, 3, 5))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DONE and plan.result_published_on == dt.date(2024, 3, 5)
    assert AuditEntry.objects.filter(action="plan.deliberation", object_id=str(asset.pk)).exists()


def test_a_collective_sale_goes_through_the_rural_exchange(collective_asset, cast):
    user = cast["caizheng"]
    asset = collective_asset(category="other_building")
    plan = services.propose_plan(asset, user, route="sale", buyer="某公司", sale_price=Decimal("320000"),
                                 venue="state_exchange", transaction_ref="X-1")
    services.record_deliberation(plan, user, **DELIBERATION)
    services.approve_plan(plan, user, "党坝乡批〔2024〕2号")
    with pytest.raises(services.AssetError, match="农村产权交易平台"):
        services.complete_plan(plan, user, dt.date(2024, 3, 1), result_published_on=dt.date(2024, 3, 2))
    services.complete_plan(plan, user, dt.date(2024, 3, 1), result_published_on=dt.date(2024, 3, 2),
                           venue="rural_exchange", transaction_ref="ABNC-2024-7")
    assert Asset.objects.get(pk=asset.pk).status == Status.DISPOSED


def test_the_migration_infers_the_nature_only_where_it_is_safe(new_asset, village_org, unit):
    from importlib import import_module

    from django.apps import apps

    hall = new_asset(ledger_no="M-1", holder="党坝村", category="village_hall", nature="unverified", owner_body=None)
    orphan_hall = new_asset(ledger_no="M-2", holder="松岗村", category="village_hall", nature="unverified", owner_body=None)
    office = new_asset(ledger_no="M-3", holder="松岗镇", category="office", nature="unverified", owner_body=None)
    school = new_asset(ledger_no="M-4", holder="松岗镇", category="school", nature="unverified", owner_body=None)
    gov = Body.objects.create(name="松岗镇人民政府", kind=BodyKind.TOWNSHIP_GOVERNMENT, unit=unit("松岗镇"))
    import_module("xiangcun.assets.migrations.0004_property_rights").infer_nature(apps, None)
    found = {a.ledger_no: (a.nature, a.owner) for a in Asset.objects.filter(pk__in=[hall.pk, orphan_hall.pk, office.pk, school.pk])}
    assert found == {"M-1": (Nature.COLLECTIVE_VILLAGE, village_org), "M-2": (Nature.UNVERIFIED, None),
                     "M-3": (Nature.STATE_ADMIN, gov), "M-4": (Nature.UNVERIFIED, None)}


def test_assets_to_verify_are_listed_and_counted_on_the_workbench(new_asset, cast, client):
    new_asset(ledger_no="U-1", nature="unverified", owner_body=None, name="待核实的房子")
    new_asset(ledger_no="S-1", name="国有的房子")
    client.force_login(cast["caizheng"])
    page = client.get("/assets/?nature=unverified").content.decode()
    assert "待核实的房子" in page and "国有的房子" not in page
    assert client.get("/assets/?nature=private").status_code == 400
    from django.test import RequestFactory

    from xiangcun.assets.home import cards

    request = RequestFactory().get("/")
    request.user = cast["caizheng"]
    counts = {c.label: c.value for c in cards(request)[0].counts}
    assert counts["产权待核实"] == 1
