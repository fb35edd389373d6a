"""Recording that someone saw personal data in full (DESIGN.md: every full view logged)."""
import logging

logger = logging.getLogger("xiangcun.pii")


def record_full_view(request, obj, field: str) -> None:
    try:
        from xiangcun.core import audit
    except ImportError:  # the audit trail is not installed yet
        audit = None
    if audit is not None and hasattr(audit, "log_event"):
        audit.log_event(obj, "pii.view", data={"field": field})
    else:
        logger.warning("pii.view user=%s object=%s:%s field=%s", request.user.pk, obj._meta.label, obj.pk, field)
