"""The audit log's filters (审计日志): actor, action, record type, dates and free text. An action or a record type
that is not declared to the audit trail is refused (core.params: a Chinese 400), not silently matched to nothing."""
import datetime as dt

from django.db.models import Q
from django.utils import timezone

from xiangcun.core import audit, params
from xiangcun.core.audit import AuditEntry
from xiangcun.divisions.scoping import scope_q


def filtered(request):
    g = request.GET
    qs = AuditEntry.objects.filter(scope_q(request.user, "path")).select_related("actor")
    actor = params.get_text(g, "actor")
    if actor:
        qs = qs.filter(actor_name__icontains=actor)
    action = params.get_choice(g, "action", list(audit.ACTIONS))
    if action:
        qs = qs.filter(action=action)
    kind = params.get_choice(g, "type", list(audit.REGISTRY))
    if kind:
        qs = qs.filter(object_type=kind)
    tz = timezone.get_current_timezone()
    start, end = params.get_date(g, "from"), params.get_date(g, "to")
    if start:
        qs = qs.filter(timestamp__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz))
    if end:
        qs = qs.filter(timestamp__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    text = params.get_text(g, "q")
    if text:
        qs = qs.filter(Q(object_repr__icontains=text) | Q(request_id=text) | Q(object_id=text)
                       | Q(data__icontains=text) | Q(before__icontains=text) | Q(after__icontains=text))
    return qs.order_by("-seq")
