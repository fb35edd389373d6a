"""Pages of the audit trail: the history of one record, and the log for administrators."""
import datetime as dt

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from xiangcun.accounts.models import Role

from . import audit
from .audit import AuditEntry
from .scoping import scope_q

PAGE_SIZE = 50
LONGEST = 80  # longer values (a boundary's coordinates) are cut short on the page; the entry keeps them whole


def _text(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if value is True:
        return "是"
    if value is False:
        return "否"
    text = "、".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return text if len(text) <= LONGEST else text[:LONGEST] + "…"


class _Labels:
    """Turns stored values into what a person reads: choice labels, names of referenced records."""

    def __init__(self, entries):
        self.names = {}
        wanted = {}
        for e in entries:
            for snap in (e.before, e.after):
                for name, value in (snap or {}).items():
                    target = self._fk_target(e.object_type, name)
                    if target is not None and value is not None:
                        wanted.setdefault(target, set()).add(value)
        for model, ids in wanted.items():
            for pk, obj in model._base_manager.in_bulk(list(ids)).items():
                self.names[(model, pk)] = str(obj)

    @staticmethod
    def _field(object_type, name):
        reg = audit.registration(object_type)
        if reg is None:
            return None
        try:
            return reg.model._meta.get_field(name)
        except FieldDoesNotExist:
            return None

    def _fk_target(self, object_type, name):
        f = self._field(object_type, name)
        return f.related_model if f is not None and f.many_to_one else None

    def label(self, object_type, name) -> str | None:
        """The field's Chinese name; None for internal fields (no verbose name), which are not shown."""
        reg = audit.registration(object_type)
        return reg.labels.get(name) if reg else name

    def value(self, object_type, name, value) -> str:
        f = self._field(object_type, name)
        if f is not None and value is not None:
            if f.many_to_one:
                return self.names.get((f.related_model, value), f"#{value}")
            if f.choices:
                return str(dict(f.flatchoices).get(value, value))
        return _text(value)


def _changes(entry, labels: _Labels) -> list[tuple[str, str, str]]:
    """(field, before, after) rows a person reads: changed fields, or the filled fields of a new or
    removed record, then the event's data."""
    before, after, t = entry.before or {}, entry.after or {}, entry.object_type
    rows, internal = [], False
    for name in dict.fromkeys([*before, *after]):
        old, new = before.get(name), after.get(name)
        if old == new or (entry.before is None or entry.after is None) and _text(old or new) == "—":
            continue
        label = labels.label(t, name)
        if label is None:
            internal = True
            continue
        rows.append((label, labels.value(t, name, old) if entry.before is not None else "",
                     labels.value(t, name, new) if entry.after is not None else ""))
    if internal and not rows and entry.before is not None and entry.after is not None:
        rows.append(("说明", "", "仅内部字段变更(如层级路径)"))
    for key, value in (entry.data or {}).items():
        rows.append((audit.DATA_LABELS.get(key, key), "", _text(value)))
    return rows


def present(entries):
    """Entries with what the templates show: action label, record type, link and readable changes."""
    entries = list(entries)
    labels = _Labels(entries)
    for e in entries:
        reg = audit.registration(e.object_type)
        e.type_label = reg.verbose_name if reg else e.object_type
        e.url = reg.url(e.object_id) if reg and reg.url and e.object_id.isdigit() else None
        e.changes = _changes(e, labels)
    return entries


def history_entries(reg, obj):
    """A record's own entries and those of its related records (e.g. a unit's change events)."""
    q = Q(object_type=audit.label_of(reg.model), object_id=str(obj.pk))
    for model, ids in (reg.related(obj) if reg.related else {}).items():
        q |= Q(object_type=audit.label_of(model), object_id__in=[str(i) for i in ids])
    return AuditEntry.objects.filter(q).select_related("actor").order_by("-seq")


def history(request, model, pk):
    """The history of one registered record; 404 for records outside the user's jurisdiction."""
    reg = audit.registration(model)
    if reg is None:
        raise Http404
    obj = None
    if reg.visible is not None and reg.model._base_manager.filter(pk=pk).exists():
        obj = reg.visible(request.user).filter(pk=pk).first()
        if obj is None:
            raise Http404
    # Without a record to check (deleted, or no visibility declared) the entries' paths decide.
    entries = history_entries(reg, obj) if obj is not None else (
        AuditEntry.objects.for_object(model, pk).filter(scope_q(request.user, "path")).select_related("actor"))
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    if obj is None and not page.paginator.count:
        raise Http404
    first = page.object_list[0] if page.object_list else None
    return render(request, "core/audit_history.html", {
        "page": page, "history": present(page.object_list), "query": "",
        "title": reg.title(obj) if obj is not None else first.object_repr,
        "type_label": reg.verbose_name, "object_url": reg.url(pk) if reg.url else None,
    })


def may_read_log(user) -> bool:
    return getattr(user, "is_administrator", False) or getattr(user, "role", None) == Role.REFORM_OFFICE


def _date(value):
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _filtered_log(request):
    qs = AuditEntry.objects.filter(scope_q(request.user, "path")).select_related("actor")
    g = request.GET
    if g.get("actor", "").strip():
        qs = qs.filter(actor_name__icontains=g["actor"].strip())
    if g.get("action"):
        qs = qs.filter(action=g["action"])
    if g.get("type"):
        qs = qs.filter(object_type=g["type"])
    tz = timezone.get_current_timezone()
    start, end = _date(g.get("from")), _date(g.get("to"))
    if start:
        qs = qs.filter(timestamp__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz))
    if end:
        qs = qs.filter(timestamp__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    text = g.get("q", "").strip()
    if text:
        qs = qs.filter(Q(object_repr__icontains=text) | Q(request_id=text) | Q(object_id=text)
                       | Q(data__icontains=text) | Q(before__icontains=text) | Q(after__icontains=text))
    return qs.order_by("-seq")


def audit_log(request):
    """The searchable log, for administrators and the county reform office (within its jurisdiction)."""
    if not may_read_log(request.user):
        raise PermissionDenied("只有系统管理员和两项改革办可以查看审计日志")
    page = Paginator(_filtered_log(request), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/audit_log.html", {
        "page": page, "entries": present(page.object_list), "query": query.urlencode(), "f": request.GET,
        "actions": sorted(audit.ACTIONS.items()),
        "types": sorted((label, r.verbose_name) for label, r in audit.REGISTRY.items()),
    })


def history_card(obj, limit: int = 10) -> dict:
    """What the "变更历史" card on a record's page shows (core/_history.html): the latest entries."""
    reg = audit.registration(type(obj))
    entries = history_entries(reg, obj)
    return {"entries": present(entries[:limit]), "total": entries.count(),
            "url": reverse("core:audit_history", args=[audit.label_of(reg.model), obj.pk])}
