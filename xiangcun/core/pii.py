"""Recording that someone saw personal data in full (DESIGN.md: every full view logged)."""
from xiangcun.core import audit


def record_full_view(request, obj, field: str) -> None:
    """Log a `pii.view` audit event on `obj` (the actor comes from the request's audit context)."""
    audit.log_event(obj, "pii.view", data={"field": field})
