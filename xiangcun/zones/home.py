"""The cards on the workbench: the plans in the user's scope whose target date passed before approval; the 图斑 whose
rectification deadline passed."""
import datetime as dt

from django.db.models import Q
from django.urls import reverse

from xiangcun.core.cards import Card, Count, capped_count

from .models import OPEN_STATUSES, Patch, Plan, PlanStage


def cards(request):
    overdue = Plan.objects.visible_to(request.user).filter(~Q(stage=PlanStage.APPROVED),
                                                           target_date__lt=dt.date.today())
    n, more = capped_count(overdue)
    out = []
    if n:
        out.append(Card("规划编制", [Count("逾期未批复的规划", n, reverse("zones:plans") + "?overdue=1", "danger", more)]))
    late = Patch.objects.visible_to(request.user).filter(status__in=OPEN_STATUSES, deadline__lt=dt.date.today())
    n, more = capped_count(late)
    if n:
        out.append(Card("耕地保护", [Count("逾期未整改的图斑", n, reverse("zones:patches") + "?overdue=1", "danger", more)]))
    return out
