"""The rule that sets a task's status (红黄绿), as a pure function of its facts.

    task_status(facts, today, working_days_between, grace=AMBER_WORKING_DAYS) -> Status

In this order, the first rule that holds decides:

1. 已销号 (closed, green): the task was closed (销号) by a named verifier.
2. 已完成待核验 (done, green): the reform office accepted a report at 100 %, or every milestone is reached
   and an accepted report exists — waiting for 销号.
3. 逾期 (overdue, red): today is after the deadline.
4. 逾期 (overdue, red): a milestone not reached is past its due date by more than `grace` working days.
5. 进度滞后 (at risk, amber): a milestone not reached is past its due date by 1 … `grace` working days
   (working days from `xiangcun.services.calendar`: weekends, holidays and 调休 counted as the State Council
   sets them).
6. 进度滞后 (at risk, amber): the task has an open 督办单.
7. 正常推进 (on track, green): otherwise.

`working_days_between(a, b)` counts the working days after `a` up to and including `b` (Calendar.between).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .models import TONES, Status

AMBER_WORKING_DAYS = 5  # a milestone late by at most this many working days is amber, beyond it red


@dataclass(frozen=True)
class Facts:
    deadline: dt.date
    closed: bool = False
    accepted_percent: int | None = None     # the highest percent of an accepted report, None without any
    milestones: Sequence[tuple[dt.date, bool]] = field(default_factory=tuple)  # (due, reached)
    open_notice: bool = False


def task_status(facts: Facts, today: dt.date, working_days_between: Callable[[dt.date, dt.date], int],
                grace: int = AMBER_WORKING_DAYS) -> Status:
    if facts.closed:
        return Status.CLOSED
    accepted = facts.accepted_percent is not None
    if accepted and (facts.accepted_percent >= 100 or (facts.milestones and all(r for _, r in facts.milestones))):
        return Status.DONE
    if today > facts.deadline:
        return Status.OVERDUE
    late = [working_days_between(due, today) for due, reached in facts.milestones if not reached and due < today]
    if any(days > grace for days in late):
        return Status.OVERDUE
    if any(days >= 1 for days in late) or facts.open_notice:
        return Status.AT_RISK
    return Status.ON_TRACK


def tone(status: str) -> str:
    return TONES[Status(status)]
