"""The filters of the list of organisations, shared by its page, its export and the API."""
from django.db.models import Q

from xiangcun.core import params

from .models import OrgLevel, OrgStatus


def filtered(request, qs):
    """`level`, `status`, `unit` (an id: the organisations of that unit's area), `q` (name or registration number)."""
    from xiangcun.divisions.models import Division
    from xiangcun.divisions.scoping import area_q

    level = params.get_choice(request.GET, "level", OrgLevel.values)
    status = params.get_choice(request.GET, "status", OrgStatus.values)
    unit_id = params.get_id(request.GET, "unit")
    q = params.get_text(request.GET, "q", max_length=50)
    if level:
        qs = qs.filter(level=level)
    if status:
        qs = qs.filter(status=status)
    if unit_id:
        unit = Division.objects.visible_to(request.user).filter(pk=unit_id).first()
        qs = qs.filter(area_q(unit, "village__path")) if unit else qs.none()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code=q.upper()))
    return qs
