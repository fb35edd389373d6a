"""Counts of the care registry per township / village, through mergers (area_q: a merged unit's people count with
its successor), as of a date. Counts only: no name, no number, no person on the map."""
import datetime as dt

from django.db.models import Count, Max, Q

from xiangcun.core import params
from xiangcun.divisions.levels import Level
from xiangcun.divisions.models import Division
from xiangcun.divisions.scoping import area_q, places, scope_of

from . import services
from .models import CATEGORIES, Person, Referral, ReferralStatus, RiskLevel, Status, adult_cutoff

COLUMNS = [("active", "在册人数")] + [(c, label) for c, label in CATEGORIES.items()] + [
    ("special", "特别关注"), ("key", "重点"), ("on_time", "按期走访"), ("on_time_rate", "按期走访率"),
    ("open_referrals", "办理中转介"), ("overdue_referrals", "逾期转介")]


def active_on(qs, on: dt.date):
    return qs.filter(registered_on__lte=on).filter(Q(status=Status.ACTIVE) | Q(ended_on__gt=on))


def counts(qs, on: dt.date) -> dict:
    """The counts of one area's people `qs` on `on`."""
    people = active_on(qs, on)
    cutoff = adult_cutoff(on)
    counted = {"active": Count("pk")}
    for category in CATEGORIES:
        which = Q(**{f"is_{category}": True})
        if category == "left_behind_child":
            which &= Q(birth_date__gt=cutoff)  # computed: a child leaves the list on turning 18
        counted[category] = Count("pk", filter=which)
    counted["special"] = Count("pk", filter=Q(risk_level=RiskLevel.SPECIAL))
    counted["key"] = Count("pk", filter=Q(risk_level=RiskLevel.KEY))
    totals = people.aggregate(**{f"n_{k}": v for k, v in counted.items()})  # every count in one query
    row = {k: totals[f"n_{k}"] for k in counted}
    listed = list(people.select_related("village").prefetch_related(None)
                  .annotate(last_visit=Max("visits__date", filter=Q(visits__date__lte=on))))
    days = services.visit_intervals(listed, on)
    row["on_time"] = sum((person.last_visit or person.registered_on)
                         + dt.timedelta(days=days[person.risk_level, person.village_id]) >= on for person in listed)
    row["on_time_rate"] = f"{row['on_time'] * 100 / row['active']:.0f}%" if row["active"] else "—"
    referrals = Referral.objects.filter(person__in=qs.values("pk"), referred_on__lte=on).filter(
        Q(status=ReferralStatus.OPEN) | Q(closed_on__gt=on))
    row["open_referrals"] = referrals.count()
    row["overdue_referrals"] = referrals.filter(deadline__lt=on).count()
    return row


def report(request) -> dict:
    """The statistics page: the chosen place (county or township), a row per unit below it and the total."""
    user = request.user
    if user.jurisdiction_id and user.jurisdiction.level >= Level.VILLAGE and not places(user).exists():
        scope = user.jurisdiction  # a village agent: their village's total
    else:
        scope = scope_of(request)
    on = params.get_date(request.GET, "on", dt.date.today())
    child_level = Level.TOWNSHIP if scope.level == Level.COUNTY else Level.VILLAGE
    units = Division.objects.filter(parent=scope, level=child_level, valid_to__isnull=True).order_by("code", "name")
    if scope.level >= Level.VILLAGE:
        units = Division.objects.filter(pk=scope.pk)
    base = Person.objects.visible_to(request.user)
    rows = [(unit, counts(base.filter(area_q(unit, "village__path")), on)) for unit in units]
    total = counts(base.filter(area_q(scope, "village__path")), on)
    keys = [k for k, _ in COLUMNS]
    return {"scope": scope, "scopes": places(request.user), "on": on, "columns": COLUMNS,
            "rows": [(u, [r[k] for k in keys]) for u, r in rows], "total": [total[k] for k in keys],
            "map_level": int(child_level), "map_values": {str(u.pk): r["active"] for u, r in rows}}
