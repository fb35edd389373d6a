"""Collective economic organisations: registration numbers, members with an encrypted 身份证号 and a blind index,
organisations following a village merger, the four integration modes with their resolution, and income and
classification per organisation and per village (lease rent from the asset ledger included)."""
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from xiangcun.collective import services
from xiangcun.collective.models import Account, Member, Organisation, OrgKind, OrgStatus
from xiangcun.core.crypto import blind_index
from xiangcun.core.models import AuditEntry
from xiangcun.core.validators import credit_code_check, id_check_digit


def valid_code(prefix="N2513201MA"):
    first17 = (prefix + "0000000")[:17]
    return first17 + credit_code_check(first17)


def person(n: int) -> str:
    first17 = f"51320119800101{n:03d}"
    return first17 + id_check_digit(first17)


def integrate(village, parties, mode, **extra):
    values = dict(village=village, mode=mode, resolution_date=dt.date(2023, 6, 1), eligible=90, present=80, votes_for=70,
                  parties=parties)
    values.update(extra)
    return services.IntegrationInput(**values)


def test_registration_number_is_checked_as_a_credit_code_when_it_is_one(cast, unit, client):
    client.force_login(cast["office"])
    bad = client.post(reverse("collective:new"), {"name": "党坝村股份经济合作社", "village": unit("党坝村").pk, "level": "village",
                                                  "kind": "share_coop", "code": "N2513201MA0000000X"})
    assert bad.status_code == 400 and "统一社会信用代码校验码应为" in bad.content.decode()
    assert 'value="党坝村股份经济合作社"' in bad.content.decode()
    assert not Organisation.objects.filter(name="党坝村股份经济合作社").exists()
    good = client.post(reverse("collective:new"), {"name": "党坝村股份经济合作社", "village": unit("党坝村").pk, "level": "village",
                                                   "kind": "share_coop", "code": valid_code()})
    assert good.status_code == 302
    org = Organisation.objects.get(name="党坝村股份经济合作社")
    assert org.code == valid_code() and org.affiliations.get().village == unit("党坝村")
    # a 登记证书编号 that is not a credit code is kept as written
    cert = client.post(reverse("collective:new"), {"name": "党坝村一组经济合作社", "village": unit("党坝村").pk, "level": "group",
                                                   "kind": "econ_coop", "code": "川农经登字第513201-0012号"})
    assert cert.status_code == 302


def test_members_are_encrypted_found_by_blind_index_and_shown_masked(cast, org, client):
    coop = org("党坝村经济合作社")
    services.add_member(cast["office"], coop, "张三", person(1), Decimal("12"))
    with pytest.raises(services.CollectiveError, match="已是党坝村经济合作社的成员"):
        services.add_member(cast["office"], coop, "张三", person(1).lower())
    with pytest.raises(services.CollectiveError, match="身份证号"):
        services.add_member(cast["office"], coop, "李四", "513201198001010000")
    assert Member.objects.count() == 1
    with connection.cursor() as cursor:
        cursor.execute("select name, id_number, id_index from collective_member")
        name, number, index = cursor.fetchone()
    assert person(1) not in number and "张三" not in name  # ciphertext at rest
    assert index == blind_index(person(1)) and len(index) == 64
    other = org("党坝村一组经济合作社")
    assert services.other_memberships(person(1), exclude_org=other) == [coop]
    client.force_login(cast["dangba"])
    page = client.get(reverse("collective:detail", args=[coop.pk])).content.decode()
    assert "张*" in page and "513***********" in page and person(1) not in page
    full = client.post(reverse("collective:members_full", args=[coop.pk])).content.decode()
    assert person(1) in full and "张三" in full
    assert AuditEntry.objects.filter(action="pii.view", object_id=str(coop.pk)).exists()
    client.force_login(cast["analyst"])  # reads the register, never the members in full
    assert client.post(reverse("collective:members_full", args=[coop.pk])).status_code == 403


def test_a_township_sees_its_organisations_only(cast, org, client):
    mine, theirs = org("党坝村经济合作社"), org("松岗村经济合作社", village="松岗村")
    client.force_login(cast["dangba"])
    page = client.get(reverse("collective:list")).content.decode()
    assert "党坝村经济合作社" in page and "松岗村经济合作社" not in page
    assert client.get(reverse("collective:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("collective:detail", args=[mine.pk])).status_code == 200


def test_organisations_follow_their_village_into_a_merger(org, unit, merge):
    coop = org("党坝村经济合作社")
    merged = merge()
    coop.refresh_from_db()
    assert coop.village == merged
    history = list(coop.affiliations.order_by("pk").values_list("village__name", "valid_to"))
    assert history == [("党坝村", dt.date(2023, 1, 1)), (merged.name, None)]
    assert coop in services.candidates_for(merged)


@pytest.fixture
def merged(two_parts):
    return two_parts[2]


@pytest.fixture
def two(two_parts):
    return two_parts[:2]


@pytest.fixture
def two_parts(org, merge, cast):
    """党坝村's organisation (followed into the merged village), the merged village's own, and that village."""
    a = org("党坝村经济合作社")
    merged = merge()
    b = services.save_organisation(cast["office"], Organisation(name=f"{merged.name}经济合作社", village=merged,
                                                                established=dt.date(2010, 1, 1)))
    a.refresh_from_db()
    return a, b, merged


def test_a_resolution_without_quorum_or_majority_is_refused_and_nothing_changes(two, merged, cast):
    a, b = two
    with pytest.raises(services.CollectiveError) as info:
        services.record_integration(cast["office"], integrate(merged, [a, b], "direct", present=50, votes_for=30, survivor=b))
    assert "不足应参会 90 人的三分之二" in info.value.fields["present"]
    with pytest.raises(services.CollectiveError) as info:
        services.record_integration(cast["office"], integrate(merged, [a, b], "direct", votes_for=50, survivor=b))
    assert "未达到实参会 80 人的三分之二" in info.value.fields["votes_for"]
    with pytest.raises(services.CollectiveError) as info:
        services.record_integration(cast["office"], integrate(merged, [a, b], "shares", new_name="股份社",
                                                              shares={a.pk: Decimal(10)}))
    assert a.name not in info.value.fields["shares"] and b.name in info.value.fields["shares"]
    a.refresh_from_db()
    assert a.status == OrgStatus.ACTIVE and not Organisation.objects.filter(name="股份社").exists()


def test_direct_merger_closes_the_former_organisations_into_one(two, merged, cast):
    a, b = two
    integration = services.record_integration(cast["office"], integrate(merged, [a, b], "direct", survivor=b))
    a.refresh_from_db()
    assert a.status == OrgStatus.CLOSED and a.closed_on == dt.date(2023, 6, 1) and a.successor == b
    assert integration.result == b and services.state_on(b) == OrgStatus.ACTIVE
    assert AuditEntry.objects.filter(action="collective.integrate", object_id=str(integration.pk)).exists()
    with pytest.raises(services.CollectiveError, match="不属于.*或已注销"):
        services.record_integration(cast["office"], integrate(merged, [a, b], "direct", survivor=b))


def test_joint_stock_integration_keeps_the_former_ones_as_shareholders(two, merged, cast):
    a, b = two
    integration = services.record_integration(cast["office"], integrate(
        merged, [a, b], "shares", new_name=f"{merged.name}股份经济合作联合社", shares={a.pk: Decimal(600), b.pk: Decimal(400)}))
    coop = integration.result
    assert coop.kind == OrgKind.SHARE_COOP and coop.village == merged and coop.established == dt.date(2023, 6, 1)
    assert {(p.organisation, p.shares) for p in integration.parties.all()} == {(a, Decimal(600)), (b, Decimal(400))}
    a.refresh_from_db()
    assert a.status == OrgStatus.ACTIVE and a.closed_on is None


def test_gradual_transition_keeps_accounts_apart_until_the_date_then_merges(two, merged, cast):
    a, b = two
    services.record_integration(cast["office"], integrate(merged, [a, b], "gradual", survivor=b,
                                                          transition_until=dt.date(2024, 1, 1)))
    a.refresh_from_db()
    assert a.successor == b and a.closed_on == dt.date(2024, 1, 1)
    assert services.state_on(a, dt.date(2023, 12, 31)) == OrgStatus.TRANSITION
    assert services.state_on(a, dt.date(2024, 1, 1)) == OrgStatus.CLOSED
    # 2023: each keeps its own accounts; the village rolls both up
    services.save_account(cast["office"], a, 2023, business_income=Decimal(30000))
    services.save_account(cast["office"], b, 2023, business_income=Decimal(40000))
    income = services.organisation_income(2023, [a, b])
    assert income[a.pk].operating == 30000 and income[a.pk].classification == "weak"
    assert services.village_income(merged, 2023).operating == 70000
    assert services.village_income(merged, 2023).classification == "general"
    # after the transition the former one has no year of its own
    with pytest.raises(services.CollectiveError, match="不存在"):
        services.save_account(cast["office"], a, 2024, business_income=Decimal(1))


def test_income_counts_lease_rent_from_the_ledger_and_internal_income_once(two, merged, cast, unit):
    from xiangcun.assets import services as ledger

    a, b = two
    # a lease on an asset 党坝村 held, owned by its organisation: 24,000 a year for all of 2023
    asset = ledger.create_asset(cast["caizheng"], "DB-HALL", name="党坝村旧村委会", category="other_building",
                                holder=unit("党坝村"))
    ledger.transition(asset, "check", cast["caizheng"])
    ledger.transition(asset, "mark_idle", cast["caizheng"], when=dt.date(2022, 1, 1))
    plan = ledger.propose_plan(asset, cast["caizheng"], route="industry", lessee="某合作社", annual_rent=Decimal(24000),
                               term_start=dt.date(2023, 1, 1), term_end=dt.date(2025, 12, 31))
    ledger.approve_plan(plan, cast["caizheng"], "马府函〔2022〕1号")
    ledger.complete_plan(plan, cast["caizheng"], dt.date(2023, 1, 1))
    # a state school in the same village, leased too: its rent is no income of the collective
    from xiangcun.bodies.services import department_body

    school = ledger.create_asset(cast["caizheng"], "DB-SCHOOL", name="党坝村村小", category="school", holder=unit("党坝村"),
                                 nature="state_admin", owner_body=department_body(unit("党坝村").parent.parent, "教育"))
    ledger.transition(school, "check", cast["caizheng"])
    ledger.transition(school, "mark_idle", cast["caizheng"], when=dt.date(2022, 1, 1))
    lease = ledger.propose_plan(school, cast["caizheng"], route="industry", lessee="某民宿", annual_rent=Decimal(50000),
                                term_start=dt.date(2023, 1, 1), term_end=dt.date(2025, 12, 31))
    ledger.approve_plan(lease, cast["caizheng"], "马府函〔2022〕2号")
    ledger.complete_plan(lease, cast["caizheng"], dt.date(2023, 1, 1))
    services.save_account(cast["office"], a, 2023, business_income=Decimal(10000))
    services.save_account(cast["office"], b, 2023, business_income=Decimal(5000), investment_income=Decimal(20000),
                          internal_income=Decimal(20000))
    income = services.organisation_income(2023, [a, b])
    assert income[a.pk].rent == 24000 and income[a.pk].operating == 34000 and income[a.pk].label == "薄弱村"
    assert income[b.pk].rent == 0 and income[b.pk].operating == 25000
    village = services.village_income(merged, 2023)
    # 10,000 + 25,000 less the 20,000 b earned from a village organisation, plus the rent once
    assert village.rent == 24000 and village.operating == 39000 and village.label == "薄弱村"
    # the threshold is the indicators' versioned 薄弱村 standard
    from xiangcun.indicators import services as indicators

    indicators.set_threshold(cast["office"], Decimal(30000), dt.date(2023, 1, 1))
    assert services.organisation_income(2023, [a])[a.pk].label == "一般村"
    with pytest.raises(services.CollectiveError, match="不能大于投资收益"):
        services.save_account(cast["office"], b, 2023, investment_income=Decimal(1), internal_income=Decimal(5))
    assert Account.objects.get(organisation=b, year=2023).investment_income == 20000
    assert services.organisation_income(2024, [b])[b.pk].label == "未填报"


def test_the_api_lists_organisations_in_scope_and_is_in_the_schema(cast, org, client):
    from xiangcun.accounts import tokens

    org("党坝村经济合作社")
    org("松岗村经济合作社", village="松岗村")
    key = tokens.issue(cast["dangba"])[1]
    answer = client.get("/api/v1/collective/organisations/", HTTP_AUTHORIZATION=f"Token {key}").json()
    assert [o["name"] for o in answer["results"]] == ["党坝村经济合作社"]
    assert "id_number" not in str(answer)  # members are never in the API
    bad = client.get("/api/v1/collective/organisations/?level=city", HTTP_AUTHORIZATION=f"Token {key}")
    assert bad.status_code == 400 and "level" in bad.json()["message"]
    schema = client.get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"Token {key}").json()
    assert {"/api/v1/collective/organisations/", "/api/v1/collective/integrations/{id}/"} <= set(schema["paths"])
