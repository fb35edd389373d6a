"""The monthly rollups behind the measures of a county and above, and the capped queue pages:
what a user reads must be what the cases say, after any sequence of steps."""
import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import F

from xiangcun.services import casework, rollup, stats, views
from xiangcun.services.models import Case, CaseStep, Status, VillageMonth


def D(month, day):
    """9:00 on a day of 2024 (days past the month's end run on into the next)."""
    return dt.datetime(2024, month, 1, 9, tzinfo=dt.UTC) + dt.timedelta(days=day - 1)


TODAY = dt.date(2024, 5, 20)


def _numbers(rep):
    def f(r):
        return (r.key, r.label, r.taken, r.completed, r.on_time, r.avg_days, r.delivered, r.one_trip, r.returned,
                r.rejected, r.open, r.overdue)

    return f(rep.total), sorted(map(f, rep.by_item)), sorted(map(f, rep.by_village)), [f(r) for r in rep.by_month]


@pytest.fixture
def history(take, cast):
    """Cases of two villages and two items over March–May 2024, in every state a case can be in."""
    sg, db_ = cast["songgang"], cast["dangba"]
    out = []
    for month, day in ((3, 4), (3, 20), (4, 2), (4, 25), (5, 6)):
        # archived, on time, one trip
        c = casework.transition(take(when=D(month, day)), "forward", cast["agent"], when=D(month, day))
        c = casework.transition(c, "start", sg, when=D(month, day + 1))
        c = casework.transition(c, "complete", sg, result="办结", when=D(month, day + 2))
        c = casework.transition(c, "deliver", cast["agent"], delivery="home", when=D(month, day + 2))
        out.append(casework.transition(c, "archive", cast["agent"], when=D(month, day + 3)))
        # county item: late, collected at the window (two trips)
        c = casework.transition(take(item="county", when=D(month, day)), "forward", cast["agent"], when=D(month, day))
        c = casework.transition(c, "start", cast["minzheng"], when=D(month, day))
        c = casework.transition(c, "complete", cast["minzheng"], result="办结", when=D(month, day + 20))
        out.append(casework.transition(c, "deliver", cast["agent"], delivery="window", when=D(month, day + 21)))
        # returned for materials and resubmitted, still being handled
        c = casework.transition(take(when=D(month, day)), "forward", cast["agent"], when=D(month, day))
        c = casework.transition(c, "return", sg, missing="户口簿", reason="缺", when=D(month, day))
        out.append(casework.transition(c, "resubmit", cast["agent"], when=D(month, day + 1)))
        # rejected; and one another village's, still waiting at the window
        out.append(casework.transition(take(when=D(month, day)), "reject", cast["agent"], reason="不符合条件",
                                       when=D(month, day)))
        out.append(take(agent="agent2", village="党坝村", when=D(month, day)))
    c = casework.transition(out[-1], "forward", cast["agent2"], when=D(5, 7))
    out[-1] = casework.transition(c, "start", db_, when=D(5, 8))
    return out


def test_after_every_kind_of_step_the_rollups_equal_the_cases(history, cast, maerkang):
    assert rollup.check() == []
    office = cast["office"]
    for a, b in ((dt.date(2024, 1, 1), TODAY),            # the page's default: this year to today
                 (dt.date(2024, 3, 15), dt.date(2024, 4, 24)),  # mid-month edges, counted from the cases
                 (dt.date(2024, 4, 1), dt.date(2024, 4, 30)),
                 (dt.date(2024, 5, 1), dt.date(2024, 4, 1))):   # an empty period
        rolled = stats.report_for(office, maerkang, a, b, TODAY)
        live = stats.report(Case.objects.visible_to(office), maerkang, a, b, TODAY)
        assert _numbers(rolled) == _numbers(live), (a, b)
    rep = stats.report_for(office, maerkang, dt.date(2024, 1, 1), TODAY, TODAY)
    assert (rep.total.taken, rep.total.completed, rep.total.rejected, rep.total.open) == (25, 10, 5, 10)
    assert rep.total.delivered == 10 and rep.total.one_trip == 5 and rep.total.returned == 5
    assert [r.label for r in rep.by_month] == ["2024-03", "2024-04", "2024-05"]
    assert rep.total.overdue == stats.report(Case.objects.all(), maerkang, dt.date(2024, 1, 1), TODAY, TODAY).total.overdue
    one = VillageMonth.objects.filter(month=dt.date(2024, 4, 1)).first()
    VillageMonth.objects.filter(pk=one.pk).update(taken=F("taken") + 100)  # the county's page reads the rollups
    assert stats.report_for(office, maerkang, dt.date(2024, 1, 1), TODAY, TODAY).total.taken == 25 + 100


def test_a_township_scope_and_a_township_user_get_the_same_numbers_live(history, cast, unit):
    sg = unit("松岗镇")
    rolled = stats.report_for(cast["songgang"], sg, dt.date(2024, 1, 1), TODAY, TODAY)
    live = stats.report(Case.objects.visible_to(cast["songgang"]), sg, dt.date(2024, 1, 1), TODAY, TODAY)
    assert _numbers(rolled) == _numbers(live) and rolled.total.taken == 20


def test_a_step_that_fails_half_way_leaves_the_rollups_as_they_were(take, cast, monkeypatch):
    case = casework.transition(take(when=D(3, 4)), "forward", cast["agent"], when=D(3, 4))

    def broken(*a, **kw):
        raise RuntimeError("audit trail unavailable")

    monkeypatch.setattr(casework.audit, "log_event", broken)
    with pytest.raises(RuntimeError):
        casework.transition(case, "start", cast["songgang"])
    case.refresh_from_db()
    assert case.status == Status.FORWARDED and rollup.check() == []


def test_bulk_written_cases_are_summed_by_rebuild_and_the_check_command_says_so(take, cast, unit, items, capsys):
    take(when=D(3, 4))
    v = unit("松岗村")
    Case.objects.bulk_create([Case(number="BULK-1", village=v, unit_path=v.path, item=items["township"],
                                   resident_name="李四", resident_id_number="11010519491231002X",
                                   intake_at=D(3, 5), intake_date=dt.date(2024, 3, 5), due_date=dt.date(2024, 3, 12))])
    assert rollup.check()  # the bulk row is not in the rollups yet
    with pytest.raises(SystemExit):
        call_command("services", "rollup-check")
    call_command("services", "rollup-rebuild")
    call_command("services", "rollup-check")
    assert "一致" in capsys.readouterr().out and rollup.check() == []


def test_the_measures_page_shows_a_completed_case_at_once(client, take, cast):
    case = casework.transition(take(), "forward", cast["agent"])
    client.force_login(cast["office"])
    today = dt.date.today()
    url = f"/services/measures/?from={today.year}-01-01"
    body = client.get(url).content.decode()
    assert '<div class="kpi" id="kpi-taken">1</div>' in body and '<div class="kpi" id="kpi-completed">0</div>' in body
    case = casework.transition(case, "start", cast["songgang"])
    casework.transition(case, "complete", cast["songgang"], result="已批准")
    body = client.get(url).content.decode()
    assert '<div class="kpi" id="kpi-completed">1</div>' in body and '<div class="kpi" id="kpi-ontime">100.0%</div>' in body
    api = client.get(f"/api/v1/service-cases/measures/?from={today.year}-01-01").json()
    assert api["total"]["completed"] == 1


# --- the queue's capped paginator -------------------------------------------------------------------------

def _numbers_on(body, cases):
    return [c.number for c in sorted(cases, key=lambda c: body.find(c.number)) if c.number in body]


@pytest.fixture
def seven(take):
    """Seven cases taken on seven days: their deadlines order the queue."""
    return [take(when=D(3, 4 + i)) for i in range(7)]


def test_a_queue_over_the_cap_says_more_than_and_pages_through_the_first_rows_in_deadline_order(
        client, cast, seven, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "COUNT_CAP", 4)
    client.force_login(cast["analyst"])
    by_deadline = sorted(seven, key=lambda c: (c.due_date, -c.intake_at.timestamp(), c.pk))
    page1 = client.get("/services/?tab=all").content.decode()
    assert _numbers_on(page1, seven) == [c.number for c in by_deadline[:2]]
    assert "超过 4 条" in page1 and "第 1/2 页" in page1 and "末页" not in page1
    page2 = client.get("/services/?tab=all&page=2").content.decode()
    assert _numbers_on(page2, seven) == [c.number for c in by_deadline[2:4]]
    assert "下一页" not in page2
    beyond = client.get("/services/?tab=all&page=9").content.decode()  # past the cap: the last page shown
    assert _numbers_on(beyond, seven) == [c.number for c in by_deadline[2:4]]


def test_a_queue_under_the_cap_counts_exactly_and_reaches_its_last_page(client, cast, seven, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client.force_login(cast["agent"])
    page1 = client.get("/services/?tab=all").content.decode()
    assert "共 7 条" in page1 and "第 1/4 页" in page1 and "末页" in page1
    last = client.get("/services/?tab=all&page=4").content.decode()
    assert len(_numbers_on(last, seven)) == 1
    casework.transition(seven[0], "forward", cast["agent"])
    todo = client.get("/services/").content.decode()  # the agent's to-do: the six still at the window
    assert "共 6 条" in todo and seven[0].number not in todo
    assert CaseStep.objects.filter(case=seven[0]).count() == 2


def test_a_village_transferred_to_another_county_takes_its_cases_and_rollups_along(history, cast, unit, maerkang,
                                                                                   make_user):
    from xiangcun.accounts.models import Role
    from xiangcun.divisions import services as registry
    from xiangcun.divisions.models import Division, Kind

    when = dt.date(2024, 6, 1)
    county = registry.establish("测试县", Kind.COUNTY, maerkang.parent, when)
    town = registry.establish("测试镇", Kind.TOWN, county, when)
    songgang = unit("松岗村")
    registry.transfer(songgang, town, when)
    village = Division.objects.get(pk=songgang.pk)
    assert village.path.startswith(town.path)
    assert set(Case.objects.filter(village=village).values_list("unit_path", flat=True)) == {village.path}
    assert rollup.check() == []
    there = make_user("there", Role.ANALYST, county)
    year = (dt.date(2024, 1, 1), TODAY, TODAY)
    for user, scope in ((cast["office"], maerkang), (there, county)):
        rolled = stats.report_for(user, scope, *year)
        assert _numbers(rolled) == _numbers(stats.report(Case.objects.visible_to(user), scope, *year))
    assert stats.report_for(there, county, *year).total.taken == 20  # 松岗村's cases now count there
    assert stats.report_for(cast["office"], maerkang, *year).total.taken == 5


def test_the_api_case_list_counts_up_to_the_cap_and_says_there_are_more(client, cast, seven, monkeypatch):
    from xiangcun.core import paging

    client.force_login(cast["analyst"])
    body = client.get("/api/v1/service-cases/?tab=all&page_size=2").json()
    assert body["count"] == 7 and body["count_capped"] is False
    monkeypatch.setattr(paging, "COUNT_CAP", 4)
    body = client.get("/api/v1/service-cases/?tab=all&page_size=2").json()
    assert body["count"] == 4 and body["count_capped"] is True and len(body["results"]) == 2
    assert client.get("/api/v1/service-cases/?tab=all&page_size=2&page=2").json()["next"] is None
