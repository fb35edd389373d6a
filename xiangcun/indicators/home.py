"""The indicators card on the workbench: the latest year's village forms and the targets behind."""
from django.http import Http404
from django.urls import reverse

from xiangcun.core.cards import Card, Count
from xiangcun.divisions.models import Level
from xiangcun.divisions.scoping import scope_of, subtree_q

from . import aggregate, dashboard, permissions, services
from .models import Target
from .views import form_rows


def cards(request):
    user = request.user
    if not permissions.may_read_reports(user):
        return []
    try:
        scope = scope_of(request)
    except Http404:
        return []
    year = dashboard.latest_year(scope)
    rows, elements = form_rows(user, scope, year, Level.VILLAGE)
    complete = sum(1 for r in rows if elements and r["filled"] == len(elements))
    values = f"{reverse('indicators:values')}?scope={scope.pk}&period={year}"
    flagged = sum(1 for p in services.assess(Target.objects.visible_to(user).filter(subtree_q(scope, "unit__path")),
                                             aggregate.Geography.on(scope)) if p.flagged)
    counts = [
        Count(f"{year}年已填完的村", complete, values),
        Count("未填完", len(rows) - complete, values, "warning" if len(rows) > complete else ""),
        Count("目标滞后或逾期", flagged, f"{reverse('indicators:targets')}?scope={scope.pk}&status=flagged",
              "danger" if flagged else ""),
    ]
    actions = [("填报指标", values)] if permissions.may_enter(user) else []
    return [Card("指标与考核", counts, actions)]
