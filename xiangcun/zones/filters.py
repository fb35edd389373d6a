"""The scheme list's filters (page and export); a value outside its choices is a core.params 400."""
from xiangcun.core import params

from .models import SchemeLevel, SchemeStatus, ZoningScheme


def filtered(user, g):
    qs = ZoningScheme.objects.visible_to(user).select_related("county")
    level = params.get_choice(g, "level", SchemeLevel.values)
    if level:
        qs = qs.filter(level=level)
    status = params.get_choice(g, "status", SchemeStatus.values)
    if status:
        qs = qs.filter(status=status)
    return qs


UNCLASSIFIED = "none"


def designated_units(user, g, place):
    """(units under the place with their current designation, designation by unit pk), filtered by ?category
    (a type, or "none" for the units without one)."""
    from .models import VillageType
    from .plans import current_designations, units_of

    category = params.get_choice(g, "category", [*VillageType.values, UNCLASSIFIED])
    units = list(units_of(place).filter(pk__in=place.__class__.objects.visible_to(user).values("pk")))
    current = current_designations(units)
    if category == UNCLASSIFIED:
        units = [u for u in units if u.pk not in current]
    elif category:
        units = [u for u in units if u.pk in current and current[u.pk].category == category]
    return units, current


def plans(user, g):
    """The register's plans the user sees, filtered by ?kind, ?stage and ?overdue=1."""
    import datetime as dt

    from django.db.models import Q

    from .models import Plan, PlanKind, PlanStage

    qs = Plan.objects.visible_to(user).select_related("unit", "zone__scheme")
    kind = params.get_choice(g, "kind", PlanKind.values)
    if kind:
        qs = qs.filter(kind=kind)
    stage = params.get_choice(g, "stage", PlanStage.values)
    if stage:
        qs = qs.filter(stage=stage)
    if params.get_choice(g, "overdue", ["1"]):
        qs = qs.filter(~Q(stage=PlanStage.APPROVED), target_date__lt=dt.date.today())
    return qs


def patches(user, g, place=None):
    """The 图斑 the user sees (under the place), filtered by ?status, ?kind, ?overdue=1 and ?unit (a township or
    village: its area, with the units merged into it)."""
    import datetime as dt

    from xiangcun.divisions.models import Division
    from xiangcun.divisions.scoping import area_q

    from .models import OPEN_STATUSES, Patch, PatchKind, PatchStatus

    qs = Patch.objects.visible_to(user)
    if place is not None:
        qs = qs.filter(area_q(place, "unit__path"))
    status = params.get_choice(g, "status", PatchStatus.values)
    if status:
        qs = qs.filter(status=status)
    kind = params.get_choice(g, "kind", PatchKind.values)
    if kind:
        qs = qs.filter(kind=kind)
    if params.get_choice(g, "overdue", ["1"]):
        qs = qs.filter(status__in=OPEN_STATUSES, deadline__lt=dt.date.today())
    unit = params.get_id(g, "unit")
    if unit:  # a unit the user does not see (or none) holds nothing for them
        found = Division.objects.visible_to(user).filter(pk=unit).first()
        qs = qs.filter(area_q(found, "unit__path")) if found else qs.none()
    return qs.order_by("deadline", "number")
