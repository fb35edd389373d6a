"""The demo's year of cases obeys the item lists, as take_case does: each case's item was on the list
governing its village's window on its intake day (a village given its own list takes only from that)."""
import datetime as dt

from django.utils import timezone

from xiangcun.accounts.models import Role, User
from xiangcun.divisions.models import Division
from xiangcun.services import demo, item_lists
from xiangcun.services.models import Case, ItemList, ServiceItem, UnitType


def test_the_demo_year_of_cases_takes_only_items_on_the_governing_lists(maerkang, unit):
    demo._catalogue()
    own = ItemList.objects.create(name="松岗村便民服务事项清单", unit_type=UnitType.VILLAGE, unit=unit("松岗村"),
                                  effective_from=dt.date(2021, 1, 1))
    own.items.set(ServiceItem.objects.filter(code__in=["MK-MZ-001", "MK-YB-001"]))
    agent = User.objects.create_user("daiban", password="x", role=Role.VILLAGE_AGENT, jurisdiction=unit("松岗村"))
    n = demo._cases(maerkang, agent)
    assert n > 3000 and Case.objects.count() == n
    first = Case.objects.order_by("intake_date").first().intake_date
    assert (timezone.localdate() - first).days > 350  # still a year of cases
    taken_at_songgang = set(Case.objects.filter(village=unit("松岗村")).values_list("item__code", flat=True))
    assert taken_at_songgang == {"MK-MZ-001", "MK-YB-001"}
    villages = Division.objects.in_bulk(set(Case.objects.values_list("village", flat=True)))
    # what a window may take changes only on the days lists start or end: ask once per village and period
    edges = sorted({d for lst in ItemList.objects.all() for d in (lst.effective_from, lst.effective_to) if d})
    allowed: dict = {}
    for village_id, day, item_id in Case.objects.values_list("village", "intake_date", "item").distinct():
        since = max((d for d in edges if d <= day), default=edges[0] - dt.timedelta(days=1))
        key = (village_id, since)
        if key not in allowed:
            allowed[key] = set(item_lists.items_for_village(villages[village_id], since).values_list("pk", flat=True))
        assert item_id in allowed[key], (villages[village_id].name, day, item_id)
    village_only = ServiceItem.objects.get(code="MK-CJ-001")  # on the village list only: taken somewhere
    assert Case.objects.filter(item=village_only).exists()
    assert not Case.objects.filter(item__code="MK-SB-003").exists()  # not on the village list: never taken

