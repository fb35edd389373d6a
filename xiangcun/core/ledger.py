"""Ledger records (资产台账 and the like) are never hard-deleted: they are marked, with a reason,
and can be restored. Both are audited; every save of a ledger record is audited too.

A module declares a ledger model by subclassing `LedgerModel`; `division_field` names the FK to the
unit the record belongs to (its path scopes the audit log). `Model.objects` hides deleted rows;
`Model.all_with_deleted` shows them.
"""
from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import class_prepared
from django.utils import timezone

from . import audit


class LedgerError(Exception):
    """A refused ledger operation; the message is Chinese."""


class LedgerQuerySet(models.QuerySet):
    def delete(self):
        raise LedgerError("台账记录不能直接删除,请逐条标记删除并填写原因")


class LiveManager(models.Manager.from_queryset(LedgerQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(is_deleted=False)


class LedgerModel(models.Model):
    is_deleted = models.BooleanField("已删除", default=False, db_index=True)
    deleted_at = models.DateTimeField("删除时间", null=True, blank=True)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="删除人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    delete_reason = models.CharField("删除原因", max_length=300, blank=True)

    objects = LiveManager()
    all_with_deleted = models.Manager.from_queryset(LedgerQuerySet)()

    division_field = "unit"

    class Meta:
        abstract = True

    def audit_path(self) -> str:
        unit = getattr(self, self.division_field, None)
        return getattr(unit, "path", "") or ""

    def delete(self, *args, **kwargs):
        raise LedgerError("台账记录不能直接删除,请标记删除并填写原因")

    @transaction.atomic
    def soft_delete(self, user, reason: str) -> None:
        """Mark the record deleted; `reason` is required and kept with it and in the audit trail."""
        reason = (reason or "").strip()
        if not reason:
            raise LedgerError("删除台账记录必须填写原因")
        if self.is_deleted:
            raise LedgerError("该记录已删除")
        self.is_deleted, self.deleted_at, self.deleted_by, self.delete_reason = True, timezone.now(), user, reason[:300]
        with audit.as_action("delete", data={"reason": reason}, actor=user):
            self.save(update_fields=["is_deleted", "deleted_at", "deleted_by", "delete_reason"])

    @transaction.atomic
    def restore(self, user) -> None:
        """Bring a deleted record back; the deletion stays visible in its history."""
        if not self.is_deleted:
            raise LedgerError("该记录未删除,无需恢复")
        self.is_deleted, self.deleted_at, self.deleted_by, self.delete_reason = False, None, None, ""
        with audit.as_action("restore", actor=user):
            self.save(update_fields=["is_deleted", "deleted_at", "deleted_by", "delete_reason"])


def _register_ledger(sender, **kwargs):
    if issubclass(sender, LedgerModel) and not sender._meta.abstract and audit.registration(sender) is None:
        audit.register(sender, visible=getattr(sender, "audit_visible", None))


class_prepared.connect(_register_ledger, dispatch_uid="ledger-audit")
