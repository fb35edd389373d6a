"""扩权赋能 and the enforcement catalogue: the townships × powers matrix, follow-up only in receiving townships,
certificate alerts on the enforcement page and the workbench."""
import datetime as dt

import pytest
from django.urls import reverse

from xiangcun.accounts.models import Role
from xiangcun.bodies.services import department_body
from xiangcun.governance import services_powers
from xiangcun.governance.errors import GovernanceError
from xiangcun.governance.models import Delegation, EnforcementItem, EnforcementOfficer, FollowUp


@pytest.fixture
def delegation(offices, maerkang, unit):
    return services_powers.save_delegation(None, Delegation(name="农村建房规划许可", department=department_body(maerkang, "住建"),
                                                            mode="devolved", valid_from=dt.date(2024, 7, 1)), [unit("松岗镇")])


def test_the_matrix_marks_the_receiving_townships_with_the_mode(delegation, office_user, unit, client):
    client.force_login(office_user)
    page = client.get(reverse("governance:delegations")).content.decode()
    table = page[page.index('id="power-matrix"'):]
    header = table[:table.index("</thead>")]
    assert header.index("松岗镇") >= 0 and "党坝乡" in header
    row = table[table.index("农村建房规划许可"):table.index("</tr>", table.index("农村建房规划许可"))]
    assert row.count("下放") == 1  # 松岗镇 only


def test_a_follow_up_is_refused_for_a_township_that_did_not_receive_the_power(delegation, office_user, unit, client):
    client.force_login(office_user)
    url = reverse("governance:delegation_detail", args=[delegation.pk])
    refused = client.post(url, {"township": unit("党坝乡").pk, "kind": "training", "date": "2024-08-01"})
    assert refused.status_code == 400  # 党坝乡 is not among the choices
    assert not FollowUp.objects.exists()
    ok = client.post(url, {"township": unit("松岗镇").pk, "kind": "review", "date": "2025-06-30", "cases": "37",
                           "rating": "good", "note": "办件及时"})
    assert ok.status_code == 302
    assert "接得住、管得好" in client.get(url).content.decode()
    with pytest.raises(GovernanceError, match="党坝乡不是该事项的承接乡镇"):
        services_powers.save_follow_up(None, FollowUp(delegation=delegation, township=unit("党坝乡"), kind="cases",
                                                      date=dt.date(2025, 1, 1)))


def test_a_delegation_needs_a_county_department_and_townships(offices, maerkang, unit, office_user, client):
    client.force_login(office_user)
    response = client.post(reverse("governance:delegation_new"), {"name": "x", "department": department_body(maerkang, "住建").pk,
                                                                  "mode": "entrusted", "valid_from": "2024-07-01",
                                                                  "valid_to": "2024-01-01", "townships": [unit("松岗镇").pk]})
    assert response.status_code == 400 and "终止日期不能早于起始日期" in response.content.decode()
    assert not Delegation.objects.exists()


def test_certificate_alerts_on_the_page_and_the_workbench(offices, maerkang, unit, office_user, client):
    today = dt.date.today()
    services_powers.save_enforcement_item(None, EnforcementItem(name="违法建设的查处", department=department_body(maerkang, "住建")),
                                          [unit("松岗镇"), unit("党坝乡")])
    services_powers.save_officer(None, EnforcementOfficer(unit=unit("松岗镇"), name="泽郎", certificate="A1",
                                                          expires=today + dt.timedelta(days=30)))
    services_powers.save_officer(None, EnforcementOfficer(unit=unit("党坝乡"), name="杨措", certificate="A2",
                                                          expires=today - dt.timedelta(days=1)))
    client.force_login(office_user)
    page = client.get(reverse("governance:enforcement")).content.decode()
    uncovered = page[page.index('id="uncovered"'):page.index("</div>", page.index('id="uncovered"'))]
    assert "党坝乡" in uncovered and "松岗镇" not in uncovered
    officers = page[page.index('id="officers"'):]
    assert "60天内到期" in officers and "已过期" in officers
    assert "60天内到期" not in client.get(reverse("governance:enforcement"), {"days": "20"}).content.decode()
    home = client.get(reverse("workbench:home")).content.decode()
    assert "乡镇执法无持证人员" in home and "执法证60天内到期" in home
    with pytest.raises(GovernanceError, match="执法证号 A1 已登记"):
        services_powers.save_officer(None, EnforcementOfficer(unit=unit("党坝乡"), name="x", certificate="A1", expires=today))


def test_a_township_registers_officers_only_in_its_own_township(offices, unit, make_user, client):
    client.force_login(make_user("sg", Role.TOWNSHIP, unit("松岗镇")))
    refused = client.post(reverse("governance:officer_new"), {"unit": unit("党坝乡").pk, "name": "x", "certificate": "B1",
                                                              "expires": "2030-01-01"})
    assert refused.status_code == 400
    ok = client.post(reverse("governance:officer_new"), {"unit": unit("松岗镇").pk, "name": "泽郎", "certificate": "B2",
                                                         "expires": "2030-01-01"})
    assert ok.status_code == 302 and EnforcementOfficer.objects.get().unit == unit("松岗镇")


def test_the_api_lists_delegations_and_reads_a_blank_filter_as_none(delegation, office_user, client):
    client.force_login(office_user)
    data = client.get("/api/v1/governance/delegations/").json()
    assert data["results"][0]["name"] == "农村建房规划许可" and data["results"][0]["mode_label"] == "下放"
    # blank is "no filter" on every page and API (a form's 全部 option sends one), malformed is refused
    everything = client.get("/api/v1/governance/lists/").json()
    assert client.get("/api/v1/governance/lists/", {"unit": "", "status": ""}).json() == everything
    refused = client.get("/api/v1/governance/lists/", {"unit": "x"})
    assert refused.status_code == 400 and "参数 unit 的值" in refused.json()["message"]


def test_a_merged_township_hands_its_powers_officers_and_lists_to_its_successor(delegation, template, office_user, unit, client):
    """党坝乡 merges into 松岗镇: the delegation it received is now also received by 松岗镇, its officer serves
    松岗镇, its list in force is repealed the day before the merger, and a draft of it can no longer be published."""
    from xiangcun.divisions import services as registry
    from xiangcun.governance import services
    from xiangcun.governance.models import ResponsibilityList

    dangba, songgang = unit("党坝乡"), unit("松岗镇")
    delegation.townships.set([dangba])
    officer = EnforcementOfficer.objects.create(unit=dangba, name="泽让", certificate="51320100123",
                                                expires=dt.date(2030, 1, 1))
    published = services.publish(None, services.adopt_template(None, template, dangba), "党府发〔2024〕1号", dt.date(2024, 5, 1))
    draft = services.new_version(office_user, published)
    registry.merge([dangba], dt.date(2025, 6, 1), into=songgang, user=office_user)

    assert set(delegation.townships.all()) == {dangba, songgang}
    officer.refresh_from_db()
    assert officer.unit == songgang
    published.refresh_from_db()
    assert published.effective_to == dt.date(2025, 5, 31)
    assert services.in_force(dangba, published.kind, dt.date(2025, 6, 1)) is None
    with pytest.raises(GovernanceError, match="党坝乡已于2025-06-01撤并,不能发布其清单"):
        services.publish(None, draft, "党府发〔2025〕2号", dt.date(2025, 7, 1))
    assert ResponsibilityList.objects.get(pk=draft.pk).is_draft
    client.force_login(office_user)
    log = client.get(reverse("workbench:audit_log")).content.decode()
    assert "乡镇撤并,清单废止" in log and "承接乡镇" in log
