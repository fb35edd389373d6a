"""The case queue's filters, used alike by the queue page, its export, the API and the 工作台 cards. A tab
or status outside its choices is refused (core.params: a Chinese 400), not ignored."""
import datetime as dt

from xiangcun.core import params

from . import calendar, casework
from .models import Status

TABS = [("todo", "待我处理"), ("open", "在办"), ("overdue", "已逾期"), ("nearly", "即将到期"), ("done", "已办结"),
        ("all", "全部")]


def filtered_cases(user, g, today=None):
    """The queue of `user` (casework.queue) with the page's filters: tab, status, item, village, q."""
    today = today or dt.date.today()
    qs = casework.queue(user)
    tab = params.get_choice(g, "tab", [t for t, _ in TABS], "todo")
    if tab == "todo":
        qs = qs.filter(status__in=casework.waiting_on(user))
    elif tab == "open":
        qs = qs.filter(status__in=(Status.RECEIVED, Status.FORWARDED, Status.PROCESSING, Status.RETURNED))
    elif tab == "overdue":
        qs = qs.filter(status__in=(Status.RECEIVED, Status.FORWARDED, Status.PROCESSING), due_date__lt=today)
    elif tab == "nearly":
        cal = calendar.Calendar()
        qs = qs.filter(status__in=(Status.RECEIVED, Status.FORWARDED, Status.PROCESSING), due_date__gte=today,
                       due_date__lte=cal.add(today, casework.NEARLY_DUE))
    elif tab == "done":
        qs = qs.filter(status__in=(Status.COMPLETED, Status.DELIVERED, Status.ARCHIVED))
    status = params.get_choice(g, "status", Status.values)
    if status:
        qs = qs.filter(status=status)
    item = params.get_id(g, "item")
    if item:
        qs = qs.filter(item_id=item)
    q = params.get_text(g, "q")
    if q:
        qs = qs.filter(number__startswith=q)
    return qs, tab
