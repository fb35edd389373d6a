"""How the audit trail reads to a person: stored values made readable, entries presented for the templates,
and the "变更历史" card of a record's page (`history_card`). Generic: the pages that list entries (the
audit log, a record's whole history) are in the workbench app."""
import datetime as dt
import re

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from . import audit
from .audit import AuditEntry

HISTORY_PAGE = "workbench:audit_history"  # a record's whole history: a page of the top floor, named not imported
LONGEST = 160  # longer values are cut short on the page; the entry keeps them whole
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # the one format of times on these pages (as the entries' own time)
GEOMETRY_KINDS = {"Point": "点", "MultiPoint": "多点", "LineString": "线", "MultiLineString": "多条线",
                  "Polygon": "多边形", "MultiPolygon": "多个多边形", "GeometryCollection": "几何集合"}
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def local_time(value: dt.datetime) -> str:
    """A time as people here read it: local time (Asia/Shanghai), one format."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return timezone.localtime(value).strftime(TIME_FORMAT)


def _points(coordinates) -> int:
    if isinstance(coordinates, (list, tuple)) and coordinates and isinstance(coordinates[0], (int, float)):
        return 1
    return sum(_points(c) for c in coordinates) if isinstance(coordinates, (list, tuple)) else 0


def _geometry(value: dict) -> str | None:
    """A GeoJSON geometry summarised: "多边形,124个点"."""
    kind = GEOMETRY_KINDS.get(value.get("type"))
    if kind is None or not ("coordinates" in value or "geometries" in value):
        return None
    if "geometries" in value:
        n = sum(_points(g.get("coordinates")) for g in value["geometries"] if isinstance(g, dict))
    else:
        n = _points(value["coordinates"])
    return f"{kind},{n}个点"


def _number(value) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{round(value, 6):.6f}".rstrip("0").rstrip(".")
    return str(value)


def _ids(value) -> list:
    items = value if isinstance(value, (list, tuple)) else [value]
    return [v for v in items if isinstance(v, int) and not isinstance(v, bool)]


def _ref_ids(value, found: dict, keys: audit.DataKeys) -> None:
    """Collect {model label: {ids}} under the keys declared as record references, at any depth."""
    if isinstance(value, dict):
        for k, v in value.items():
            model = keys.ref(k)
            if model is not None:
                found.setdefault(model, set()).update(_ids(v))
            else:
                _ref_ids(v, found, keys)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _ref_ids(v, found, keys)


def readable(value, *, choices=None, unit: str = "", refs: dict | None = None, keys: audit.DataKeys = audit.GENERIC) -> str:
    """Any stored value as a person reads it: coded values by their label, numbers with their unit,
    times in local time, geometry summarised, dicts as "键:值" with Chinese keys where known."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if choices and not isinstance(value, (dict, list)) and value in choices:
        return str(choices[value])
    if isinstance(value, dict):
        geometry = _geometry(value)
        if geometry is not None:
            return geometry
        return ";".join(f"{keys.label(k)}:{_keyed(k, v, refs, keys)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "、".join(readable(v, choices=choices, unit=unit, refs=refs, keys=keys) for v in value)
    if isinstance(value, (int, float)):
        return _number(value) + unit
    if isinstance(value, dt.datetime):
        return local_time(value)
    text = str(value)
    if _DATETIME.match(text):
        try:
            return local_time(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))
        except ValueError:
            return text
    if _NUMBER.match(text):
        # a decimal stored with more places than people write ("100.0000") reads without its trailing zeros ("100");
        # money as entered ("1677427.00") stays as it is
        if "." in text and len(text.split(".")[1]) > 2:
            text = text.rstrip("0").rstrip(".")
        return text + unit
    return text


def _keyed(key, value, refs: dict | None, keys: audit.DataKeys) -> str:
    """The value under a key of event data or of a dict: a record id by its name, else readable."""
    model = keys.ref(key)
    if model is not None and value not in (None, [], ()) and _ids(value):
        names = (refs or {}).get(model, {})
        items = value if isinstance(value, (list, tuple)) else [value]
        return "、".join(names.get(v, f"#{v}") if isinstance(v, int) else readable(v) for v in items)
    return readable(value, choices=keys.choices_of(key), unit=keys.unit(key), refs=refs, keys=keys)


def _text(value, **how) -> str:
    text = readable(value, **how)
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
        found = {}
        for e in entries:
            for snap in (e.before, e.after):
                _ref_ids(snap, found, audit.GENERIC)
            _ref_ids(e.data, found, audit.data_keys(e.action))
        self.refs = {}
        for label, ids in found.items():
            model = apps.get_model(label)
            self.refs[label] = {pk: str(obj) for pk, obj in model._base_manager.in_bulk(list(ids)).items()}

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
        """A snapshot field's value read: its record's name, its choice label, its unit (generic keys only)."""
        f = self._field(object_type, name)
        reg = audit.registration(object_type)
        choices = (reg.choices.get(name) if reg else None) or audit.GENERIC.choices_of(name)
        if f is not None and value is not None:
            if f.many_to_one:
                return self.names.get((f.related_model, value), f"#{value}")
            if f.choices:
                choices = dict(f.flatchoices)
        unit = reg.units.get(name) if reg else None
        if unit is None and not (self.label(object_type, name) or "").endswith((")", ")")):  # "评估价值(元)" has its unit
            unit = audit.GENERIC.unit(name)
        return _text(value, choices=choices, unit=unit or "", refs=self.refs)


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
    keys = audit.data_keys(entry.action)
    for key, value in (entry.data or {}).items():
        if key == "field" and isinstance(value, str):
            f = labels._field(t, value)
            value = str(f.verbose_name) if f is not None else value
        text = _keyed(key, value, labels.refs, keys)
        rows.append((keys.label(key), "", text if len(text) <= LONGEST else text[:LONGEST] + "…"))
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
        e.history_url = history_url(e.object_type, e.object_id) if e.object_id.isdigit() else None
    return entries


def history_url(label: str, pk) -> str:
    """The page of a record's whole history (registered type label, primary key)."""
    return reverse(HISTORY_PAGE, args=[label, pk])


def history_entries(reg, obj):
    """A record's own entries and those of its related records (e.g. a unit's change events)."""
    q = Q(object_type=audit.label_of(reg.model), object_id=str(obj.pk))
    for model, ids in (reg.related(obj) if reg.related else {}).items():
        q |= Q(object_type=audit.label_of(model), object_id__in=[str(i) for i in ids])
    return AuditEntry.objects.filter(q).select_related("actor").order_by("-seq")


def history_card(obj, limit: int = 10) -> dict:
    """What the "变更历史" card on a record's page shows (core/_history.html): the latest entries."""
    reg = audit.registration(type(obj))
    entries = history_entries(reg, obj)
    return {"entries": present(entries[:limit]), "total": entries.count(),
            "url": history_url(audit.label_of(reg.model), obj.pk)}
