"""The status rule (status.task_status), case by case, on a plain Monday–Friday calendar."""
import datetime as dt

from xiangcun.supervision.models import Status
from xiangcun.supervision.status import Facts, task_status


def weekdays_between(a, b):
    n, day = 0, a
    while day < b:
        day += dt.timedelta(days=1)
        n += day.weekday() < 5
    return n


MON = dt.date(2026, 6, 1)  # a Monday
FRI = dt.date(2026, 6, 5)
LATER = dt.date(2026, 12, 31)


def status(facts, today=MON, grace=5):
    return task_status(facts, today, weekdays_between, grace=grace)


def test_nothing_wrong_is_on_track():
    assert status(Facts(deadline=LATER)) == Status.ON_TRACK


def test_closed_wins_over_everything():
    assert status(Facts(deadline=dt.date(2026, 1, 1), closed=True, open_notice=True)) == Status.CLOSED


def test_an_accepted_report_at_100_percent_is_done_even_after_the_deadline():
    assert status(Facts(deadline=dt.date(2026, 1, 1), accepted_percent=100)) == Status.DONE
    assert status(Facts(deadline=dt.date(2026, 1, 1), accepted_percent=90)) == Status.OVERDUE


def test_all_milestones_reached_with_an_accepted_report_is_done():
    facts = Facts(deadline=LATER, accepted_percent=60, milestones=((FRI, True),))
    assert status(facts) == Status.DONE
    assert status(Facts(deadline=LATER, milestones=((FRI, True),))) == Status.ON_TRACK  # nothing accepted yet


def test_after_the_deadline_is_overdue():
    assert status(Facts(deadline=FRI), today=FRI) == Status.ON_TRACK  # the deadline day itself is still on time
    assert status(Facts(deadline=FRI), today=FRI + dt.timedelta(days=1)) == Status.OVERDUE


def test_a_milestone_late_by_up_to_n_working_days_is_amber_beyond_it_red():
    due = dt.date(2026, 6, 5)  # Friday
    facts = Facts(deadline=LATER, milestones=((due, False),))
    assert status(facts, today=dt.date(2026, 6, 6)) == Status.ON_TRACK   # Saturday: 0 working days late
    assert status(facts, today=dt.date(2026, 6, 8)) == Status.AT_RISK    # Monday: 1
    assert status(facts, today=dt.date(2026, 6, 12)) == Status.AT_RISK   # Friday: 5 = grace
    assert status(facts, today=dt.date(2026, 6, 15)) == Status.OVERDUE   # Monday: 6 > grace
    assert status(facts, today=dt.date(2026, 6, 15), grace=10) == Status.AT_RISK


def test_a_reached_milestone_does_not_count_late():
    facts = Facts(deadline=LATER, milestones=((dt.date(2026, 5, 1), True), (LATER, False)))
    assert status(facts) == Status.ON_TRACK


def test_an_open_supervision_notice_is_amber():
    assert status(Facts(deadline=LATER, open_notice=True)) == Status.AT_RISK


def test_the_working_day_calendar_counts_holidays():
    """With the product's calendar, the 端午 holiday (2026-06-19, a Friday) does not count as a late working day."""
    from xiangcun.services.calendar import Calendar

    cal = Calendar({dt.date(2026, 6, 19): False})
    facts = Facts(deadline=LATER, milestones=((dt.date(2026, 6, 12), False),))
    # Mon 15 … Thu 18 and Mon 22: five working days late (Friday 19 is a holiday) — still amber
    assert task_status(facts, dt.date(2026, 6, 22), cal.between) == Status.AT_RISK
    assert task_status(facts, dt.date(2026, 6, 23), cal.between) == Status.OVERDUE
