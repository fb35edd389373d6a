"""Protection: every URL of the module (pages and API), the workbench and the audit log, walked as every role;
no full name, 身份证号 or phone where the user may not see them; full views and exports recorded."""
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from xiangcun.care.models import Referral, Visit
from xiangcun.core.audit import AuditEntry
from xiangcun.core.tests.test_matrix import url_names

from .conftest import SECRET_NAME, SECRET_PHONE

pytestmark = pytest.mark.django_db

FULL_VIEWS = {"care:detail", "care:edit", "care:referral"}  # the pages that show a record in full
SEES_SG = {"admin", "minzheng", "canlian", "social", "agent"}


def _urls(objs):
    """(name, url) of every URL of the module, with the 松岗村 record where a URL takes one."""
    out = []
    for name in sorted(n for n in url_names() if n.startswith("care:") or n.startswith("care-")):
        if name == "care:referral":
            out.append((name, reverse(name, args=[objs["referral"]])))
        elif name in ("care:detail", "care:edit", "care:end", "care:visit_new", "care:refer", "care-person-detail"):
            out.append((name, reverse(name, args=[objs["person"]])))
        else:
            out.append((name, reverse(name)))
    out += [("care:list?id", reverse("care:list") + "?id=" + objs["id_number"]),
            ("care:import?template", reverse("care:import") + "?template=1"),
            ("workbench:home", reverse("workbench:home")), ("workbench:audit_log", reverse("workbench:audit_log")),
            ("api-schema", "/api/v1/schema/")]
    return out


def _leaks(body: bytes, person) -> list[str]:
    text = body.decode("utf-8", "replace")
    return [what for what, value in (("姓名", SECRET_NAME), ("身份证号", person.id_number), ("电话", SECRET_PHONE))
            if value in text]


def test_no_identified_data_leaks_to_any_role_on_any_url(client, cast):
    sg = cast["sg"]
    users = cast["users"]
    referral = Referral.objects.create(person=sg, body=cast["education"], need="义务教育保障",
                                       deadline=dt.date.today() + dt.timedelta(days=5))
    Visit.objects.create(person=sg, date=dt.date.today(), mode="home", findings="状况良好", visitor=users["agent"])
    objs = {"person": sg.pk, "referral": referral.pk, "id_number": sg.id_number}
    failures = []
    for who, user in users.items():
        client.force_login(user)
        for name, url in _urls(objs):
            response = client.get(url)
            if name == "care:list?id":  # the search by number is POSTed; the number is not echoed back
                response = client.post(reverse("care:list"), {"id": objs["id_number"]})
                found = response.status_code == 200 and "欧**" in response.content.decode()
                if found != (who in SEES_SG):
                    failures.append(f"{who}: the search by 身份证号 found the record: {found}")
                bad = client.post(reverse("care:list"), {"id": objs["id_number"][:-1] + "Z"})
                if objs["id_number"][:-1] in bad.content.decode():
                    failures.append(f"{who}: a wrong 身份证号 is echoed back")
            body = response.content if not getattr(response, "streaming", False) else b"".join(response.streaming_content)
            leaks = _leaks(body, sg)
            may = (name in FULL_VIEWS and response.status_code == 200
                   and (who in SEES_SG or (name == "care:referral" and who == "jiaoyu")))
            if leaks and not may:
                failures.append(f"{who} {name} ({response.status_code}): {'、'.join(leaks)}")
            if name == "care:detail":
                expected = 200 if who in SEES_SG else (404 if who in ("agent_db", "carer") else 403)
                if response.status_code != expected:
                    failures.append(f"{who} {name}: expected {expected}, got {response.status_code}")
        client.logout()
    assert not failures, "\n".join(failures)


def test_a_full_view_is_recorded_with_who(client, cast):
    client.force_login(cast["users"]["social"])
    assert client.get(reverse("care:detail", args=[cast["sg"].pk])).status_code == 200
    entry = AuditEntry.objects.filter(action="pii.view", object_id=str(cast["sg"].pk)).latest("seq")
    assert entry.actor == cast["users"]["social"] and SECRET_NAME not in entry.object_repr


def test_a_carer_sees_their_own_people_only(client, cast):
    client.force_login(cast["users"]["carer"])
    listing = client.get(reverse("care:list")).content.decode()
    assert "李*" in listing and "欧**" not in listing
    api = client.get("/api/v1/care/people/").json()
    assert [p["id"] for p in api["results"]] == [cast["db"].pk]
    assert api["results"][0]["name_masked"] == "李**" and cast["db"].id_number not in str(api)


def test_roles_without_need_see_counts_not_lists(client, cast):
    for who in ("office", "caizheng", "analyst", "songgang"):
        client.force_login(cast["users"][who])
        assert client.get(reverse("care:list")).status_code == 403
        assert client.get("/api/v1/care/people/").status_code == 403
        stats = client.get(reverse("care:stats"))
        assert stats.status_code == 200 and "在册人数" in stats.content.decode()


def test_an_identified_export_asks_a_reason_and_is_audited(client, cast):
    client.force_login(cast["users"]["minzheng"])
    url = reverse("care:export")
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400 and "导出原因" in refused.content.decode()
    assert not AuditEntry.objects.filter(action="care.export").exists()
    response = client.post(url, {"reason": "报送市民政局季度核查"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)).active
    numbers = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert cast["sg"].id_number in numbers and cast["db"].id_number in numbers
    entry = AuditEntry.objects.get(action="care.export")
    assert entry.data["reason"] == "报送市民政局季度核查" and entry.data["count"] == 2
    assert entry.actor == cast["users"]["minzheng"]


def test_village_agents_and_carers_cannot_export_identified_records(client, cast):
    for who in ("agent", "carer", "office"):
        client.force_login(cast["users"][who])
        assert client.post(reverse("care:export"), {"reason": "想看看全部名单"}).status_code == 403
