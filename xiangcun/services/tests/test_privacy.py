"""Residents' personal data: encrypted at rest, masked on every page and in the API, full view logged."""
from django.db import connection

from xiangcun.core.audit import AuditEntry
from xiangcun.services.tests.conftest import ID


def test_personal_data_are_encrypted_at_rest(take):
    case = take()
    with connection.cursor() as cur:
        cur.execute("SELECT resident_name, resident_id_number FROM services_case WHERE id = %s", [case.pk])
        name, id_number = cur.fetchone()
    assert "张小明" not in name and ID not in id_number


def test_pages_and_api_show_the_resident_masked(client, take, cast):
    from rest_framework.test import APIClient

    case = take()
    client.force_login(cast["agent"])
    for url in ("/services/", f"/services/cases/{case.pk}/", "/services/?tab=all"):
        body = client.get(url).content.decode()
        assert ID not in body and "张小明" not in body
    assert "110***********002X" in client.get(f"/services/cases/{case.pk}/").content.decode()
    api = APIClient()
    api.force_authenticate(cast["office"])
    data = api.get(f"/api/v1/service-cases/{case.pk}/").json()
    assert data["resident_id_number"] == "110***********002X" and data["resident_name"] == "张**"
    audit_text = str(list(AuditEntry.objects.values_list("before", "after", "data")))
    assert ID not in audit_text and "张小明" not in audit_text


def test_a_full_view_is_for_permitted_roles_and_is_logged(client, take, cast):
    case = take()
    url = f"/services/cases/{case.pk}/resident/"
    client.force_login(cast["analyst"])
    assert client.post(url).status_code == 403
    client.force_login(cast["agent"])
    r = client.post(url)
    assert r.status_code == 200 and ID in r.content.decode()
    entry = AuditEntry.objects.filter(action="pii.view").get()
    assert entry.actor == cast["agent"] and entry.object_id == str(case.pk)
