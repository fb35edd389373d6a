"""The unit list's filters (区划单位), used alike by the list page and its export. A value outside its choices is
refused (core.params: a Chinese 400), not ignored."""
from django.db.models import Q

from xiangcun.core import params

from .levels import Level
from .models import Division, Kind

STATUS = (("current", "现存"), ("abolished", "已撤销"), ("all", "全部"))


def filtered(request):
    """q (name or code prefix), level, kind, status (current by default), parent; villager groups only when asked for
    (a level or a search): they outnumber everything else."""
    g = request.GET
    qs = Division.objects.visible_to(request.user).select_related("parent")
    q = params.get_text(g, "q", max_length=50)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q))
    level = params.get_int(g, "level", lo=1, hi=Level.GROUP)
    if level is not None:
        qs = qs.filter(level=level)
    elif not q:
        qs = qs.filter(level__lt=Level.GROUP)
    kind = params.get_choice(g, "kind", Kind.values)
    if kind:
        qs = qs.filter(kind=kind)
    status = params.get_choice(g, "status", [s for s, _ in STATUS], default="current")
    if status == "current":
        qs = qs.filter(valid_to__isnull=True)
    elif status == "abolished":
        qs = qs.filter(valid_to__isnull=False)
    parent = params.get_id(g, "parent")
    if parent:
        qs = qs.filter(parent_id=parent)
    return qs.order_by("path")
