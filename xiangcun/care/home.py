"""The care card on the workbench: a carer's due and overdue visits, referrals waiting for the user's body, and
children who turned 18 still on the 留守儿童 list. Counts only; the names are behind the links."""
from django.urls import reverse

from xiangcun.core.cards import Card, Count

from . import permissions, services
from .models import Person, ReferralStatus


def cards(request):
    user = request.user
    counts = []
    if permissions.may_see_identified(user):
        people = Person.objects.identified_for(user)
        own = people.filter(carer_user=user)
        schedule = services.visit_schedule(own if own.exists() or not permissions.sees_area_in_full(user) else people)
        url = reverse("care:visits_due")
        mine = "&mine=1" if own.exists() else ""
        overdue = sum(1 for _, _, s in schedule if s == "overdue")
        due = sum(1 for _, _, s in schedule if s == "due")
        counts.append(Count("走访已逾期", overdue, f"{url}?state=overdue{mine}", "danger" if overdue else ""))
        counts.append(Count("7天内应走访", due, f"{url}?state=due{mine}", "warning" if due else ""))
        if permissions.sees_area_in_full(user):
            n = services.aged_out(people).count()
            if n:
                counts.append(Count("已满18周岁待移出", n, reverse("care:list") + "?category=left_behind_child", "warning"))
    if getattr(user, "body_id", None):
        from .models import Referral
        from .views import _handled_bodies

        n = Referral.objects.filter(body_id__in=_handled_bodies(user), status=ReferralStatus.OPEN).count()
        if n:
            counts.append(Count("待办转介", n, reverse("care:referrals"), "warning"))
    if not counts:
        return []
    return [Card("关爱服务", counts)]
