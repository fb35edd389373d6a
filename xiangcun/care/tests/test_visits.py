"""Visits by risk level (the county's intervals), the carer's workbench card, referrals closed by the receiving
body, and the counts-only statistics."""
import datetime as dt

import pytest
from django.urls import reverse

from xiangcun.care import services
from xiangcun.care.models import Referral, ReferralStatus, Visit

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def test_visit_intervals_follow_the_risk_level_and_the_county_can_change_them(cast, maerkang):
    sg = cast["sg"]  # 特别关注: weekly by default
    sg.registered_on = TODAY - dt.timedelta(days=10)
    sg.save()
    assert services.next_visit_due(sg, TODAY) == TODAY - dt.timedelta(days=3)
    services.set_visit_days(cast["users"]["minzheng"], maerkang, "special", 14, TODAY, "县民政局通知")
    assert services.next_visit_due(sg, TODAY) == TODAY + dt.timedelta(days=4)
    assert services.next_visit_due(sg, TODAY - dt.timedelta(days=1)) == TODAY - dt.timedelta(days=3)  # dated


def test_the_schedule_gives_each_person_the_due_date_next_visit_due_gives(cast, maerkang):
    """The schedule reads every interval at once (not two queries a person): the same dates, on any day."""
    from xiangcun.care.models import Person

    minzheng = cast["users"]["minzheng"]
    services.set_visit_days(minzheng, maerkang, "special", 10, TODAY - dt.timedelta(days=30), "旧规定")
    services.set_visit_days(minzheng, maerkang, "special", 14, TODAY - dt.timedelta(days=5), "新规定")
    services.set_visit_days(minzheng, maerkang, "general", 60, TODAY + dt.timedelta(days=5), "尚未生效")
    for on in (TODAY, TODAY - dt.timedelta(days=10), TODAY + dt.timedelta(days=10)):
        schedule = services.visit_schedule(Person.objects.all(), on)
        assert len(schedule) == Person.objects.active().count() > 1
        for person, due, _state in schedule:
            assert due == services.next_visit_due(Person.objects.get(pk=person.pk), on), (person, on)


def test_a_carers_overdue_visit_is_on_their_workbench_and_done_from_it(client, cast):
    db = cast["db"]  # 一般: quarterly; registered 100 days ago → overdue
    db.registered_on = TODAY - dt.timedelta(days=100)
    db.save()
    carer = cast["users"]["carer"]
    client.force_login(carer)
    home = client.get(reverse("workbench:home")).content.decode()
    assert "走访已逾期" in home and "李**" not in home
    due = client.get(reverse("care:visits_due") + "?state=overdue&mine=1").content.decode()
    assert "李**" in due
    url = reverse("care:visit_new", args=[db.pk])
    refused = client.post(url, {"date": (TODAY + dt.timedelta(days=1)).isoformat(), "mode": "home", "findings": "x"})
    assert refused.status_code == 400 and "不能晚于今天" in refused.content.decode()
    done = client.post(url, {"date": TODAY.isoformat(), "mode": "phone", "findings": "身体尚好,缺冬衣",
                             "needs": "棉衣", "next": reverse("care:visits_due")})
    assert done.status_code == 302 and done["Location"] == reverse("care:visits_due")
    assert Visit.objects.get(person=db).visitor == carer
    assert services.next_visit_due(db, TODAY) == TODAY + dt.timedelta(days=90)


def test_a_referral_is_closed_by_the_body_it_was_sent_to(client, cast):
    users = cast["users"]
    client.force_login(users["agent"])
    deadline = (TODAY + dt.timedelta(days=10)).isoformat()
    response = client.post(reverse("care:refer", args=[cast["sg"].pk]),
                           {"body": cast["education"].pk, "need": "协调就近入学", "deadline": deadline})
    assert response.status_code == 302
    referral = Referral.objects.get(person=cast["sg"])
    url = reverse("care:referral", args=[referral.pk])
    assert client.post(url, {"outcome": "由我来办结"}).status_code == 403  # the referring agent does not close it
    client.force_login(users["caizheng"])  # another department: not its referral
    assert client.get(url).status_code == 404
    client.force_login(users["jiaoyu"])
    assert "待办转介" in client.get(reverse("workbench:home")).content.decode()
    assert client.post(url, {"outcome": ""}).status_code == 400
    assert client.post(url, {"outcome": "已安排到松岗小学就读"}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CLOSED and referral.closed_by == users["jiaoyu"]


def test_statistics_count_by_category_and_show_no_person(client, cast, maerkang):
    client.force_login(cast["users"]["office"])
    page = client.get(reverse("care:stats"))
    text = page.content.decode()
    assert page.status_code == 200 and "松岗镇" in text and "农村留守儿童" in text
    assert "欧" not in text.split("stats-table")[1].split("</table>")[0]
    rows = dict(page.context["rows"])
    from xiangcun.divisions.models import Division

    songgang = Division.objects.get(name="松岗镇", valid_to__isnull=True)
    assert rows[songgang][0] == 1 and rows[songgang][1] == 1  # 在册 1, 留守儿童 1
    assert page.context["map_values"][str(songgang.pk)] == 1
    # a year ago, before anyone was registered
    past = client.get(reverse("care:stats") + "?on=" + (TODAY - dt.timedelta(days=400)).isoformat())
    assert past.context["total"][0] == 0
