"""Working-day deadlines: weekends, the holiday calendar and 调休 working weekends; overdue flags."""
import datetime as dt

from xiangcun.services import calendar, casework
from xiangcun.services.models import Holiday

D = dt.date


def test_working_days_skip_weekends():
    cal = calendar.Calendar({})
    assert cal.add(D(2024, 9, 26), 5) == D(2024, 10, 3)  # Thu + 5 → next Thu
    assert cal.between(D(2024, 9, 26), D(2024, 10, 3)) == 5
    assert cal.between(D(2024, 9, 27), D(2024, 9, 27)) == 0


def test_holidays_and_make_up_working_days(db):
    # 国庆 2024: 10-01..10-07 off, Sunday 9-29 and Saturday 10-12 are working days
    for day in range(1, 8):
        Holiday.objects.create(date=D(2024, 10, day), name="国庆节")
    Holiday.objects.create(date=D(2024, 9, 29), name="国庆调休", is_workday=True)
    Holiday.objects.create(date=D(2024, 10, 12), name="国庆调休", is_workday=True)
    cal = calendar.Calendar()
    assert cal.add(D(2024, 9, 27), 1) == D(2024, 9, 29)  # Friday + 1 → the make-up Sunday
    assert cal.add(D(2024, 9, 29), 2) == D(2024, 10, 8)  # 9-30, then the week off, then 10-08
    assert cal.add(D(2024, 10, 8), 4) == D(2024, 10, 12)  # Tue..Fri + the make-up Saturday
    assert cal.between(D(2024, 9, 30), D(2024, 10, 8)) == 1


def test_the_due_date_comes_from_the_items_time_limit(take, db):
    Holiday.objects.create(date=D(2025, 1, 1), name="元旦")
    case = take(when=dt.datetime(2024, 12, 30, 10, tzinfo=dt.UTC))  # Monday, 5 working days
    assert case.due_date == D(2025, 1, 7)


def test_open_cases_are_flagged_overdue_or_nearly_due_and_late_completion_is_recorded(take, cast):
    cal = calendar.Calendar({})
    case = take(when=dt.datetime(2024, 3, 4, 9, tzinfo=dt.UTC))  # Mon; due Mon 3-11
    assert case.due_date == D(2024, 3, 11)
    assert casework.deadline_flag(case, cal, D(2024, 3, 5)) == ""
    assert casework.deadline_flag(case, cal, D(2024, 3, 7)) == "nearly"
    assert casework.deadline_flag(case, cal, D(2024, 3, 12)) == "overdue"
    case = casework.transition(case, "forward", cast["agent"], when=dt.datetime(2024, 3, 4, 10, tzinfo=dt.UTC))
    case = casework.transition(case, "start", cast["songgang"], when=dt.datetime(2024, 3, 5, 10, tzinfo=dt.UTC))
    case = casework.transition(case, "complete", cast["songgang"], result="办结", cal=cal,
                               when=dt.datetime(2024, 3, 13, 10, tzinfo=dt.UTC))
    assert case.working_days == 7 and case.on_time is False
    assert casework.deadline_flag(case, cal) == "late"


def test_the_overdue_tab_lists_only_late_open_cases(client, take, cast):
    late = take(when=dt.datetime(2024, 3, 4, 9, tzinfo=dt.UTC))
    fresh = take()
    client.force_login(cast["agent"])
    body = client.get("/services/?tab=overdue").content.decode()
    assert late.number in body and fresh.number not in body
    assert "已逾期" in client.get("/services/?tab=all").content.decode()


def test_counting_working_days_over_long_stretches_agrees_with_asking_day_by_day(db):
    import random

    Holiday.objects.create(date=D(2031, 2, 3), name="录入的节日")  # a year the package does not ship
    rng = random.Random(7)
    cal = calendar.Calendar()
    for _ in range(300):
        start = D(2019, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 13))
        end = start + dt.timedelta(days=rng.choice([0, 1, 2, 6, 30, 200, 400, 800]))
        day, by_day = start, 0
        while day < end:
            day += dt.timedelta(days=1)
            by_day += cal.is_working_day(day)
        assert cal.between(start, end) == by_day, (start, end)
    # a stretch that only ends on 1 January warns about that year only, not the year it starts in
    fresh = calendar.Calendar()
    fresh.between(D(2040, 12, 31), D(2041, 1, 1))
    assert fresh.uncovered == {2041}
