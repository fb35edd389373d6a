"""The pre-review card on the workbench: for 自然资源 / 水利, the sites waiting for their review; for the township,
the sites ready to approve and those a department refused."""
from django.urls import reverse

from xiangcun.core.cards import Card, Count, capped_count

from . import filters, permissions
from .models import Application, Aspect


def cards(request):
    user = request.user
    qs = filters.with_outcomes(Application.objects.visible_to(user))
    url = reverse("prereview:list")
    counts = []
    for aspect in Aspect:
        if permissions.reviews_aspect(user, aspect.value) and not user.is_administrator:
            n, more = capped_count(qs.filter(filters.STATE_Q["open"], **{f"{aspect.value}_outcome": ""}))
            if n:
                counts.append(Count(f"等待{aspect.label}审查", n, f"{url}?waiting={aspect.value}", "warning", more))
    if permissions.may_approve(user):
        for state, label, tone in (("ready", "可批准的建房选址", ""), ("refused", "审查未通过的选址", "danger")):
            n, more = capped_count(qs.filter(filters.STATE_Q[state]))
            if n:
                counts.append(Count(label, n, f"{url}?state={state}", tone, more))
    return [Card("建房选址前置审查", counts)] if counts else []
