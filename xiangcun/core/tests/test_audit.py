"""The audit trail: entries for every change, named events, append-only, a verifiable chain, pages."""
import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from xiangcun.accounts.models import Role
from xiangcun.core import audit
from xiangcun.core.audit import AuditEntry, AuditError
from xiangcun.divisions import services
from xiangcun.divisions.models import Division

DAY = dt.date(2020, 1, 1)


@pytest.fixture
def county(db):
    """A tiny county (two townships with a village each), built without the NBS files so it is fast."""
    c = services.create_unit("测试县", "county", None, DAY, code="510000000000")
    for town, village in (("甲镇", "甲村"), ("乙乡", "乙村")):
        t = services.create_unit(town, "town", c, DAY)
        services.create_unit(village, "village", t, DAY)
    return c


def named(name):
    return Division.objects.get(name=name)


def entries_of(obj):
    return list(AuditEntry.objects.for_object(obj).order_by("seq"))


def verify(capsys):
    """Run `xiangcun audit verify`; (exit code, output)."""
    try:
        call_command("audit", "verify")
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out + out.err


def test_creating_updating_and_deleting_a_unit_is_recorded_with_before_and_after(county):
    with audit.context(request_id="req-1"):
        village = services.create_unit("丙村", "village", named("甲镇"), DAY, households=10)
        village.households = 12
        village.save()
        pk = village.pk
        village.delete()
    create, path_set, update, delete = [e for e in AuditEntry.objects.for_object("divisions.division", pk).order_by("seq")]
    assert [create.action, path_set.action, update.action, delete.action] == ["create", "update", "update", "delete"]
    assert create.before is None and create.after["name"] == "丙村"
    assert create.path == named("甲镇").path + f"{pk}/"  # scoped where the unit will live
    assert (update.before["households"], update.after["households"]) == (10, 12)
    assert delete.before["households"] == 12 and delete.after is None
    assert {e.request_id for e in (create, update, delete)} == {"req-1"}


def test_a_save_that_changes_nothing_writes_no_entry(county):
    town = named("甲镇")
    n = AuditEntry.objects.count()
    town.save()
    assert AuditEntry.objects.count() == n


def test_a_change_made_through_a_page_carries_the_user_and_the_request_id(client, county, make_user):
    office = make_user("office", Role.REFORM_OFFICE, county)
    client.force_login(office)
    response = client.post(reverse("divisions:event_new"), {
        "type": "rename", "effective_date": "2021-05-01", "document": "测府〔2021〕1号",
        "predecessors": [named("甲村").pk], "new_name": "甲新村"}, HTTP_X_REQUEST_ID="abc-123")
    assert response.status_code == 302
    # the id is the server's own (echoed in the response), never the client's "abc-123"
    assert response["X-Request-Id"] != "abc-123" and not AuditEntry.objects.filter(request_id="abc-123").exists()
    entries = AuditEntry.objects.filter(request_id=response["X-Request-Id"])
    assert entries.exists() and {e.actor_id for e in entries} == {office.pk}
    update = entries.get(action="update", object_type="divisions.division")
    assert (update.before["name"], update.after["name"]) == ("甲村", "甲新村")
    event = entries.get(action="division.rename")
    assert event.data["predecessors"] == ["甲新村"] and event.data["document"] == "测府〔2021〕1号"
    assert event.path == named("甲新村").path  # the named event is scoped to the units it touched


def test_workflow_steps_are_named_events_with_actor_and_data(county, make_user):
    office = make_user("office", Role.REFORM_OFFICE, county)
    event = services.merge([named("乙村")], dt.date(2021, 1, 1), into=named("甲村"), document="测府〔2021〕2号", user=office)
    entry = AuditEntry.objects.get(action="division.merge")
    assert entry.object_id == str(event.pk) and entry.actor == office
    assert entry.data["successors"] == ["甲村"] and sorted(entry.data["predecessors"]) == ["乙村", "甲村"]
    assert entry.data["effective_date"] == "2021-01-01"
    assert audit.action_label("division.merge") == "区划合并"
    closed = AuditEntry.objects.for_object(named("乙村")).filter(action="update").order_by("seq").last()
    assert closed.after["valid_to"] == "2021-01-01"


def test_entries_cannot_be_changed_or_removed_through_the_orm(county):
    entry = AuditEntry.objects.first()
    original, entry.action = entry.action, "forged"
    with pytest.raises(AuditError):
        entry.save()
    with pytest.raises(AuditError):
        entry.delete()
    with pytest.raises(AuditError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(AuditError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == original


def test_verify_passes_on_an_intact_trail(county, capsys):
    code, out = verify(capsys)
    assert code == 0 and f"审计日志完整:共 {AuditEntry.objects.count()} 条" in out


def test_a_batch_chains_its_entries_and_moves_the_head_once(county, capsys):
    before = AuditEntry.objects.count()
    with audit.batch():
        for name in ("丙村", "丁村", "戊村"):
            services.create_unit(name, "village", named("甲镇"), DAY)
        services.rename(named("丙村"), dt.date(2021, 1, 1), name="丙社区")
    assert AuditEntry.objects.count() > before + 2
    assert audit.AuditHead.objects.get().seq == AuditEntry.objects.order_by("-seq")[0].seq
    code, out = verify(capsys)
    assert code == 0, out
    # Then ordinary writes continue the same chain.
    services.create_unit("己村", "village", named("乙乡"), DAY)
    assert verify(capsys)[0] == 0


def test_a_failed_batch_writes_nothing(county, capsys):
    before, head = AuditEntry.objects.count(), audit.AuditHead.objects.get().seq
    with pytest.raises(RuntimeError):
        with audit.batch():
            services.create_unit("丙村", "village", named("甲镇"), DAY)
            raise RuntimeError("导入中途出错")
    assert AuditEntry.objects.count() == before and audit.AuditHead.objects.get().seq == head
    assert not Division.objects.filter(name="丙村").exists()
    assert verify(capsys)[0] == 0


def test_a_batch_refuses_to_commit_a_chain_with_entries_rolled_back_inside_it(county, capsys):
    from django.db import transaction

    before, head = AuditEntry.objects.count(), audit.AuditHead.objects.get().seq
    with pytest.raises(AuditError, match="审计链将断开"):
        with audit.batch():
            services.create_unit("丙村", "village", named("甲镇"), DAY)
            try:
                with transaction.atomic():  # a failed write caught inside the batch: its entry is rolled back
                    services.create_unit("丁村", "village", named("甲镇"), DAY)
                    raise RuntimeError("写入失败")
            except RuntimeError:
                pass
            services.create_unit("戊村", "village", named("甲镇"), DAY)
    assert AuditEntry.objects.count() == before and audit.AuditHead.objects.get().seq == head
    assert not Division.objects.filter(name__in=["丙村", "戊村"]).exists()
    assert verify(capsys)[0] == 0


def test_verify_detects_an_entry_edited_in_the_database(county, capsys):
    victim = AuditEntry.objects.order_by("seq")[3]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AuditEntry._meta.db_table} SET object_repr = %s WHERE id = %s", ["篡改", victim.pk])
    code, out = verify(capsys)
    assert code == 1 and f"#{victim.pk}" in out and "已被修改" in out


def test_verify_detects_an_entry_removed_from_the_middle_or_the_end(county, capsys):
    table = AuditEntry._meta.db_table
    middle, last = AuditEntry.objects.order_by("seq")[2], AuditEntry.objects.order_by("-seq")[0]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [last.pk])
    code, out = verify(capsys)
    assert code == 1 and "末尾" in out
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [middle.pk])
    code, out = verify(capsys)
    assert code == 1 and "缺失" in out


def test_a_jobs_changes_are_attributed_to_its_owner(county, make_user, django_capture_on_commit_callbacks):
    from xiangcun.core import jobs

    owner = make_user("owner", Role.REFORM_OFFICE, county)

    @jobs.job_kind("test_rename")
    def rename_job(job, report, pk):
        services.rename(Division.objects.get(pk=pk), dt.date(2021, 1, 1), name="乙新村")
        return {}, ""

    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start("test_rename", "改名", owner=owner, pk=named("乙村").pk)
    entry = AuditEntry.objects.get(action="division.rename")
    assert entry.actor == owner and entry.request_id == f"job-{job.pk}"


def test_the_history_card_and_page_show_a_units_changes(client, county, make_user):
    services.rename(named("甲村"), dt.date(2021, 1, 1), name="甲新村", document="测府〔2021〕3号")
    village = named("甲新村")
    client.force_login(make_user("jia", Role.TOWNSHIP, named("甲镇")))
    detail = client.get(reverse("divisions:detail", args=[village.pk])).content.decode()
    assert "变更历史" in detail and "区划更名" in detail and "测府〔2021〕3号" in detail
    page = client.get(reverse("workbench:audit_history", args=["divisions.division", village.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "甲新村 <span" in text and "甲村" in text and "新建" in text


def test_the_history_of_a_unit_outside_the_jurisdiction_is_not_found(client, county, make_user):
    client.force_login(make_user("yi", Role.TOWNSHIP, named("乙乡")))
    assert client.get(reverse("workbench:audit_history", args=["divisions.division", named("甲村").pk])).status_code == 404
    assert client.get(reverse("workbench:audit_history", args=["divisions.division", named("乙村").pk])).status_code == 200
    assert client.get(reverse("workbench:audit_history", args=["accounts.user", 1])).status_code == 404


def test_the_history_of_a_deleted_record_is_found_by_the_entries_path(client, county, make_user):
    pk = named("乙村").pk
    named("乙村").delete()
    client.force_login(make_user("yi", Role.TOWNSHIP, named("乙乡")))
    assert "删除" in client.get(reverse("workbench:audit_history", args=["divisions.division", pk])).content.decode()
    client.force_login(make_user("jia", Role.TOWNSHIP, named("甲镇")))
    assert client.get(reverse("workbench:audit_history", args=["divisions.division", pk])).status_code == 404


def test_the_log_is_for_administrators_and_the_reform_office_only(client, county, make_user):
    client.force_login(make_user("jia", Role.TOWNSHIP, named("甲镇")))
    assert client.get(reverse("workbench:audit_log")).status_code == 403
    client.force_login(make_user("admin", Role.ADMIN, None))
    page = client.get(reverse("workbench:audit_log"))
    assert page.status_code == 200 and "审计日志" in page.content.decode() and "测试县" in page.content.decode()


def test_the_office_sees_only_entries_inside_its_jurisdiction(client, county, make_user):
    services.create_unit("外县", "county", None, DAY)
    client.force_login(make_user("office", Role.REFORM_OFFICE, county))
    text = client.get(reverse("workbench:audit_log"), {"type": "divisions.division"}).content.decode()
    assert "甲镇" in text and "外县" not in text


def test_the_log_filters_by_actor_action_type_date_and_text(client, county, make_user):
    admin = make_user("admin", Role.ADMIN, None)
    services.rename(named("甲村"), dt.date(2021, 1, 1), name="甲新村", user=admin)
    client.force_login(admin)

    def rows(**query):
        page = client.get(reverse("workbench:audit_log"), query)
        return page.context["page"].paginator.count

    total = AuditEntry.objects.count()
    assert rows() == total
    assert rows(actor="adm") == 1 and rows(actor="nobody") == 0
    assert rows(action="division.rename") == 1
    assert rows(type="divisions.changeevent") == 2  # created, then its named event
    today = dt.date.today()
    assert rows(**{"from": str(today), "to": str(today)}) == total
    assert rows(**{"to": str(today - dt.timedelta(days=1))}) == 0
    assert rows(q="甲新村") >= 2 and rows(q="没有这个") == 0
    # an action or record type nobody declared is a mistake in the address, said so, not an empty list
    refused = client.get(reverse("workbench:audit_log"), {"action": "division.nonsense"})
    assert refused.status_code == 400 and "参数 action" in refused.content.decode()
    assert client.get(reverse("workbench:audit_log"), {"type": "x.y"}).status_code == 400
