"""The filters of the responsibility lists and of the 准入 requests, shared by their pages and the API."""
from xiangcun.core import params

from .models import AdmissionStatus, ListKind, ListStatus


def filtered_lists(request, qs):
    """`kind`, `status`, `unit` (a township or county id), `on` (a date: only the versions in force that day)."""
    kind = params.get_choice(request.GET, "kind", [k for k, _ in ListKind.choices])
    status = params.get_choice(request.GET, "status", [s for s, _ in ListStatus.choices])
    unit_id = params.get_id(request.GET, "unit")
    on = params.get_date(request.GET, "on")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if on:
        qs = qs.in_force(on)
    return qs


def filtered_admissions(request, qs):
    """`status` of the request."""
    status = params.get_choice(request.GET, "status", [s for s, _ in AdmissionStatus.choices])
    return qs.filter(status=status) if status else qs
