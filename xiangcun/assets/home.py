"""The assets card on the workbench: assets still to be checked, long idle, plans awaiting approval, open campaigns."""
from django.urls import reverse

from xiangcun.core.cards import Card, Count, capped_count

from . import permissions
from .filters import filtered
from .models import Campaign

IDLE_MONTHS = 12


def cards(request):
    user = request.user
    if not permissions.may_check(user):
        return []
    url = reverse("assets:list")
    counts = []
    for params, label, tone in (({"status": "pending"}, "待清查", "warning"),
                                ({"idle_months": str(IDLE_MONTHS)}, f"闲置超{IDLE_MONTHS}个月", "danger"),
                                ({"plan": "proposed"}, "方案待审批", "warning"),
                                ({"nature": "unverified"}, "产权待核实", "warning")):
        n, more = capped_count(filtered(user, params))
        query = "&".join(f"{k}={v}" for k, v in params.items())
        counts.append(Count(label, n, f"{url}?{query}", tone if n else "", more))
    open_campaigns = Campaign.objects.visible_to(user).filter(closed=False).count()
    counts.append(Count("进行中的清查", open_campaigns, reverse("assets:campaigns")))
    actions = [("登记资产", reverse("assets:new"))] if permissions.may_edit_ledger(user) else []
    return [Card("公有资产", counts, actions)]
