"""An agent of one village cannot reach another village's cases by any route; queues per role."""
from rest_framework.test import APIClient

from xiangcun.services import casework
from xiangcun.services.errors import CaseError


def test_another_villages_agent_gets_404_everywhere(client, take, cast):
    case = take()
    client.force_login(cast["agent2"])
    assert client.get(f"/services/cases/{case.pk}/").status_code == 404
    assert client.post(f"/services/cases/{case.pk}/transition/", {"action": "forward"}).status_code == 404
    assert client.post(f"/services/cases/{case.pk}/resident/").status_code == 404
    for url in ("/services/?tab=all", "/services/cases/export.xlsx?tab=all&format=csv"):
        body = b"".join(client.get(url).streaming_content) if url.endswith("csv") else client.get(url).content
        assert case.number.encode() not in body
    api = APIClient()
    api.force_authenticate(cast["agent2"])
    assert api.get(f"/api/v1/service-cases/{case.pk}/").status_code == 404
    assert api.post(f"/api/v1/service-cases/{case.pk}/transition/", {"action": "forward"}, format="json").status_code == 404
    assert api.get("/api/v1/service-cases/?tab=all").json()["count"] == 0
    with_measures = api.get("/api/v1/service-cases/measures/?from=2000-01-01").json()
    assert with_measures["total"]["taken"] == 0
    try:
        casework.transition(case, "forward", cast["agent2"])
    except CaseError as exc:
        assert "不能对该件执行" in str(exc)
    else:
        raise AssertionError("another village's agent advanced the case")


def test_queues_per_role(take, cast):
    a = casework.transition(take(), "forward", cast["agent"])                 # → 松岗镇
    b = casework.transition(take(item="county"), "forward", cast["agent"])    # → 民政
    c = take(agent="agent2", village="党坝村")                                  # not forwarded
    ids = lambda user: set(casework.queue(user).values_list("pk", flat=True))  # noqa: E731
    assert ids(cast["agent"]) == {a.pk, b.pk}
    assert ids(cast["agent2"]) == {c.pk}
    assert ids(cast["songgang"]) == {a.pk}
    assert ids(cast["dangba"]) == set()
    assert ids(cast["minzheng"]) == {b.pk}
    assert ids(cast["caizheng"]) == set()
    assert ids(cast["office"]) == {a.pk, b.pk, c.pk}
