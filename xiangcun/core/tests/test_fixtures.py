"""The shared test fixtures: the 马尔康 registry is built once per session and every test gets the same rows,
whatever the test before it changed, in whichever order it names its fixtures, transactional or not."""
import pytest

from xiangcun.accounts.models import Role
from xiangcun.core.audit import AuditEntry
from xiangcun.divisions import services
from xiangcun.divisions.models import Division, Edition, EditionEntry, ReconciliationRun

SEEN = {}  # what earlier tests of this file saw: `make test` keeps a file's tests on one worker (loadfile)


def registry_state(maerkang):
    units = Division.objects.filter(path__startswith=maerkang.path)
    return {
        "units": sorted(units.values_list("pk", "code", "name", "valid_to")),
        "runs": sorted(ReconciliationRun.objects.values_list("pk", "created_at")),
        "audit": list(AuditEntry.objects.order_by("seq").values_list("seq", "timestamp", "hash")),
        "entries": EditionEntry.objects.count(),
    }


def test_the_registry_is_built_once_not_per_test(maerkang):
    SEEN["first"] = registry_state(maerkang)
    assert len(SEEN["first"]["units"]) == 126 and len(SEEN["first"]["runs"]) == 2


def test_a_later_test_gets_the_very_same_rows(maerkang):
    # built again per test, the runs and the audit trail would carry new timestamps
    assert registry_state(maerkang) == SEEN["first"]


def test_a_test_may_change_the_registry(maerkang, unit):
    songgang = unit("松岗镇")
    Division.objects.filter(pk=songgang.pk).update(name="改名镇")
    Division.objects.filter(name="一组").delete()
    assert not Division.objects.filter(name="松岗镇").exists()


def test_the_next_test_gets_the_registry_back(maerkang, unit):
    assert unit("松岗镇").name == "松岗镇" and unit("一组")
    assert registry_state(maerkang) == SEEN["first"]


def test_fixtures_in_any_order_keep_the_users_and_the_audit_chain(make_user, unit, maerkang):
    office = make_user("office", Role.REFORM_OFFICE, maerkang)
    agent = make_user("agent", Role.VILLAGE_AGENT, unit("松岗村"))
    assert office.jurisdiction == maerkang and agent.jurisdiction.name == "松岗村"
    from xiangcun.core import audit

    assert audit.verify().ok


def test_registry_rows_written_before_the_fixture_fall_back_to_a_real_build(request, db):
    import datetime as dt

    services.create_unit("北京市", "province", None, dt.date(2018, 10, 31), code="110000000000")
    maerkang = request.getfixturevalue("maerkang")  # too late to replay the session's rows
    unit = request.getfixturevalue("unit")
    assert services.successors_on(unit("卓克基镇"), dt.date(2022, 1, 1)) == [unit("马尔康镇")]
    assert len(registry_state(maerkang)["units"]) == 126 and Edition.objects.count() == 4
    assert Division.objects.filter(name="北京市").exists()


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_gets_the_registry(maerkang, unit):
    assert len(registry_state(maerkang)["units"]) == 126
    Division.objects.filter(pk=unit("松岗镇").pk).update(name="改名镇")


@pytest.mark.django_db(transaction=True)
def test_and_so_does_the_next_after_the_flush(maerkang, unit):
    assert unit("松岗镇").name == "松岗镇"
    assert registry_state(maerkang)["units"] == SEEN["first"]["units"]


def test_editions_alone_have_no_registry(editions):
    assert len(editions) == 4 and EditionEntry.objects.count() == SEEN["first"]["entries"]
    assert not Division.objects.exists() and not ReconciliationRun.objects.exists()
