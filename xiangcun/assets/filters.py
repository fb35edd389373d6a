"""The asset ledger's list filters, used alike by the list page, its export and map, the API and the
工作台 cards. A filter value outside its choices is refused (core.params: a Chinese 400), not ignored."""
import datetime as dt

from xiangcun.core import params
from xiangcun.divisions.models import Division
from xiangcun.divisions.scoping import subtree_q

from . import services, stats
from .models import Asset, Category, Nature, PlanStatus, Status

MAX_MONTHS = 600  # "idle for more than N months": fifty years is plenty, and keeps the date arithmetic sane


def filtered(user, g):
    """The ledger with the list page's filters: q, category, status, nature (产权性质), unit (custodian subtree), custody, idle_months,
    plan ("proposed": a revitalisation plan awaits approval)."""
    qs = services.search(Asset.objects.visible_to(user), g.get("q"))
    category = params.get_choice(g, "category", Category.values)
    if category:
        qs = qs.filter(category=category)
    status = params.get_choice(g, "status", Status.values)
    if status:
        qs = qs.filter(status=status)
    nature = params.get_choice(g, "nature", Nature.values)
    if nature:
        qs = qs.filter(nature=nature)
    unit = params.get_id(g, "unit")
    if unit:
        scope = Division.objects.visible_to(user).filter(pk=unit).first()
        if scope is not None:
            qs = qs.filter(subtree_q(scope.path, "custodian_path") | subtree_q(scope.path, "holder_path"))
    if params.get_choice(g, "custody", ["moved"]) == "moved":
        qs = qs.filter(holder__valid_to__isnull=False)
    if params.get_choice(g, "plan", ["proposed"]) == "proposed":
        qs = qs.filter(plans__status=PlanStatus.PROPOSED)
    idle = params.get_int(g, "idle_months", lo=0, hi=MAX_MONTHS)
    if idle is not None:
        months = idle
        qs = qs.filter(status=Status.IDLE, status_since__lte=stats.months_ago(dt.date.today(), months))
    return qs
