"""The plan card on the workbench: the plans in the user's scope whose target date passed before approval."""
import datetime as dt

from django.db.models import Q
from django.urls import reverse

from xiangcun.core.cards import Card, Count, capped_count

from .models import Plan, PlanStage


def cards(request):
    overdue = Plan.objects.visible_to(request.user).filter(~Q(stage=PlanStage.APPROVED),
                                                           target_date__lt=dt.date.today())
    n, more = capped_count(overdue)
    if not n:
        return []
    return [Card("规划编制", [Count("逾期未批复的规划", n, reverse("zones:plans") + "?overdue=1", "danger", more)])]
