"""The resident in full (POST /services/cases/<pk>/resident/) is shown only to the agent who took the
case and to the body handling it; every other role, and the API, sees the resident masked."""
import pytest
from rest_framework.test import APIClient

from xiangcun.accounts.models import Role
from xiangcun.divisions.models import Division
from xiangcun.services import casework
from xiangcun.services.models import ItemLevel, ServiceItem
from xiangcun.services.tests.conftest import ID


@pytest.fixture
def world(cast, take, unit, items, make_user):
    dazang_village = Division.objects.filter(parent=unit("大藏乡"), valid_to=None).order_by("path").first()
    users = {**cast,
             "admin": make_user("admin", Role.ADMIN, None),
             "jiaoyu": make_user("jiaoyu", Role.DEPARTMENT, cast["office"].jurisdiction, department="教育"),
             "dazang": make_user("dazang", Role.TOWNSHIP, unit("大藏乡")),
             "agent_dz": make_user("agent_dz", Role.VILLAGE_AGENT, dazang_village),
             "agent_sg2": make_user("agent_sg2", Role.VILLAGE_AGENT, unit("松岗村"))}  # same village, did not take
    school = ServiceItem.objects.create(code="E-001", name="学生资助申请", category="教育", department="教育",
                                        level=ItemLevel.COUNTY, time_limit=10, materials="身份证")
    fwd = lambda case, agent="agent": casework.transition(case, "forward", users[agent])  # noqa: E731
    cases = {
        "songgang": fwd(take()),                         # handled by 松岗镇
        "minzheng": fwd(take(item="county")),           # handled by 民政
        "jiaoyu": fwd(casework.take_case(users["agent"], unit("松岗村"), school, "张小明", ID)),  # by 教育
        "dazang": fwd(casework.take_case(users["agent_dz"], dazang_village, items["township"], "张小明", ID),
                      "agent_dz"),                       # handled by 大藏乡
        "not_forwarded": take(),                         # no handler yet: only its agent
    }
    return users, cases


# who sees each case in full; every other user gets 403 (role) or 404 (not theirs)
FULL = {
    "songgang": {"agent", "songgang", "admin"},
    "minzheng": {"agent", "minzheng", "admin"},
    "jiaoyu": {"agent", "jiaoyu", "admin"},
    "dazang": {"agent_dz", "dazang", "admin"},
    "not_forwarded": {"agent", "admin"},
}


def test_only_the_taking_agent_and_the_handling_body_see_the_resident_in_full(client, world):
    users, cases = world
    wrong = []
    for label, case in cases.items():
        for who, user in users.items():
            client.force_login(user)
            response = client.post(f"/services/cases/{case.pk}/resident/")
            body = response.content.decode()
            sees = response.status_code == 200 and ID in body
            if sees != (who in FULL[label]):
                wrong.append(f"{who} on the {label} case: {response.status_code}")
            if who not in FULL[label]:
                assert ID not in body and response.status_code in (403, 404)
                detail = client.get(f"/services/cases/{case.pk}/")
                assert ID not in detail.content.decode() and 'id="show-pii"' not in detail.content.decode()
            else:
                assert 'id="show-pii"' in client.get(f"/services/cases/{case.pk}/").content.decode()
    assert not wrong, "\n".join(wrong)


def test_the_api_never_gives_the_resident_in_full(world):
    users, cases = world
    api = APIClient()
    for _who, user in users.items():
        api.force_authenticate(user)
        for case in cases.values():
            response = api.get(f"/api/v1/service-cases/{case.pk}/")
            assert ID not in response.content.decode() and "张小明" not in response.content.decode()
        assert ID not in api.get("/api/v1/service-cases/").content.decode()
