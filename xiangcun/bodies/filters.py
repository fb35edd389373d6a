"""The filters of the list of bodies, shared by its page, its export and the API."""
from django.db.models import Q

from xiangcun.core import params

from .models import BodyKind

STATUS = (("current", "现存"), ("closed", "已撤销"), ("all", "全部"))


def filtered(request, qs):
    """`kind`, `status` (current by default), `unit` (an id: the bodies of that unit's area), `q` (name or credit code)."""
    from xiangcun.divisions.models import Division
    from xiangcun.divisions.scoping import area_q

    kind = params.get_choice(request.GET, "kind", [k for k, _ in BodyKind.choices])
    status = params.get_choice(request.GET, "status", [s for s, _ in STATUS]) or "current"
    unit_id = params.get_id(request.GET, "unit")
    q = params.get_text(request.GET, "q", max_length=50)
    if kind:
        qs = qs.filter(kind=kind)
    if status == "current":
        qs = qs.filter(valid_to__isnull=True)
    elif status == "closed":
        qs = qs.filter(valid_to__isnull=False)
    if unit_id:
        unit = Division.objects.visible_to(request.user).filter(pk=unit_id).first()
        qs = qs.filter(area_q(unit, "unit__path")) if unit else qs.none()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(short_name=q) | Q(credit_code=q.upper()))
    return qs
