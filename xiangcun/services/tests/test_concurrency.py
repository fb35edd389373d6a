"""Two people advancing the same case at once: exactly one succeeds, the other gets a clear message."""
import threading

import pytest
from django.db import connection, connections

from xiangcun.services import casework
from xiangcun.services.errors import CaseConflict, CaseError
from xiangcun.services.models import Case, CaseStep


def test_a_stale_version_is_refused_with_a_clear_message(take, cast):
    case = casework.transition(take(), "forward", cast["agent"])
    casework.transition(case, "start", cast["songgang"], version=2)
    with pytest.raises(CaseConflict, match="该件已被他人处理"):
        casework.transition(case, "start", cast["songgang"], version=2)
    case.refresh_from_db()
    assert case.version == 3 and case.steps.filter(action="start").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_apply_once(take, cast):
    """Eight threads try to start the same case; on PostgreSQL the row lock serialises them, on SQLite the
    write lock does; either way the version-guarded UPDATE lets exactly one through."""
    case = casework.transition(take(), "forward", cast["agent"])
    user = cast["songgang"]
    outcomes, barrier = [], threading.Barrier(8)

    def worker():
        try:
            barrier.wait()
            casework.transition(case.pk, "start", user, version=case.version)
            outcomes.append("ok")
        except CaseError as exc:
            outcomes.append(str(exc))
        except Exception as exc:  # SQLite: "database is locked" for a writer that waited too long
            outcomes.append(f"error: {exc}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1, outcomes
    if connection.vendor == "postgresql":
        assert all("已被他人处理" in o or "不适用" in o for o in outcomes if o != "ok"), outcomes
    case = Case.objects.get(pk=case.pk)
    assert case.version == 3 and CaseStep.objects.filter(case=case, action="start").count() == 1


def test_the_api_answers_409_to_the_second(take, cast):
    from rest_framework.test import APIClient

    case = casework.transition(take(), "forward", cast["agent"])
    api = APIClient()
    api.force_authenticate(cast["songgang"])
    url = f"/api/v1/service-cases/{case.pk}/transition/"
    assert api.post(url, {"action": "start", "version": 2}, format="json").status_code == 200
    r = api.post(url, {"action": "start", "version": 2}, format="json")
    assert r.status_code == 409 and "已被他人处理" in r.json()["message"]
