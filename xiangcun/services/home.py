"""The services card on the workbench: the user's proxy-service cases waiting, overdue, nearly due."""
from django.urls import reverse

from xiangcun.core.cards import Card, Count, capped_count

from . import permissions
from .filters import filtered_cases


def cards(request):
    user = request.user
    url = reverse("services:queue")
    counts = []
    for tab, label, tone in (("todo", "待我处理", ""), ("overdue", "已逾期", "danger"), ("nearly", "即将到期", "warning")):
        qs, _ = filtered_cases(user, {"tab": tab})
        n, more = capped_count(qs)
        counts.append(Count(label, n, f"{url}?tab={tab}", tone if n else "", more))
    actions = [("受理代办", reverse("services:case_new"))] if permissions.may_take_cases(user) else []
    return [Card("代办件", counts, actions)]
