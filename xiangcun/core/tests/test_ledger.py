"""Ledger records: never hard-deleted; deleting marks them with a reason; they can be restored; all audited."""
import datetime as dt

import pytest
from django.db import connection, models
from django.test.utils import isolate_apps

from xiangcun.accounts.models import Role, User
from xiangcun.core.audit import AuditEntry
from xiangcun.core.ledger import LedgerError, LedgerModel
from xiangcun.divisions import services
from xiangcun.divisions.models import Division

with isolate_apps("xiangcun.core"):
    class Asset(LedgerModel):
        """A stand-in for a ledger of a domain module (the assets module will declare the real ones)."""

        name = models.CharField("名称", max_length=50)
        unit = models.ForeignKey(Division, on_delete=models.PROTECT)
        # the isolated registry cannot resolve "accounts.User" by name, so the class is given
        deleted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

        class Meta:
            app_label = "core"

        def __str__(self):
            return self.name


@pytest.fixture
def asset(db, make_user):
    """The stand-in ledger's table exists for the test only (created inside the test's transaction)."""
    # Not `with connection.schema_editor()`: on SQLite that refuses to run inside the test's transaction.
    editor = connection.schema_editor()
    editor.deferred_sql = []
    editor.create_model(Asset)
    for sql in editor.deferred_sql:
        editor.execute(sql)
    village = services.create_unit("甲村", "village", None, dt.date(2020, 1, 1))
    return Asset.objects.create(name="村委会办公楼", unit=village)


@pytest.fixture
def clerk(make_user):
    return make_user("clerk", Role.TOWNSHIP)


def test_a_ledger_record_cannot_be_hard_deleted(asset):
    with pytest.raises(LedgerError):
        asset.delete()
    with pytest.raises(LedgerError):
        Asset.objects.all().delete()
    assert Asset.all_with_deleted.filter(pk=asset.pk).exists()


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_deleting_requires_a_reason(asset, clerk, reason):
    with pytest.raises(LedgerError, match="原因"):
        asset.soft_delete(clerk, reason)
    assert Asset.objects.filter(pk=asset.pk).exists()


def test_a_deleted_record_is_hidden_kept_and_restorable_and_both_are_audited(asset, clerk):
    asset.soft_delete(clerk, "已拍卖处置")
    assert not Asset.objects.filter(pk=asset.pk).exists()
    kept = Asset.all_with_deleted.get(pk=asset.pk)
    assert kept.is_deleted and kept.deleted_by == clerk and kept.delete_reason == "已拍卖处置"
    with pytest.raises(LedgerError):
        kept.soft_delete(clerk, "再删一次")

    kept.restore(clerk)
    assert Asset.objects.get(pk=asset.pk).delete_reason == ""
    with pytest.raises(LedgerError):
        kept.restore(clerk)

    create, delete, restore = AuditEntry.objects.for_object(asset).order_by("seq")
    assert create.action == "create" and create.path == asset.unit.path
    assert delete.action == "delete" and delete.actor == clerk and delete.data == {"reason": "已拍卖处置"}
    assert (delete.before["is_deleted"], delete.after["is_deleted"]) == (False, True)
    assert restore.action == "restore" and restore.actor == clerk and restore.after["is_deleted"] is False
