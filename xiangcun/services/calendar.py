"""Working days for proxy-service deadlines.

The national arrangement (国务院办公厅's 放假 and 调休上班 days) comes from the `chinese-calendar`
package for the years it ships (it is updated each year when the State Council publishes the next
year's arrangement; upgrade it then). The `Holiday` table adds to it: national days an administrator
enters for a year the package does not cover yet, and local holidays of one county (e.g. 藏历新年 in
阿坝州's counties), which count only for cases of that county.

A deadline that runs into a year with no national arrangement — not in the package and none entered
— is still computed (Monday–Friday), but the calendar remembers the year in `uncovered`, so the page
can warn the user that the date may be wrong, and the holiday page lists the missing years.
"""
from __future__ import annotations

import datetime as dt
from functools import cache

import chinese_calendar
from chinese_calendar import constants as _national

from .models import Holiday

NATIONAL_YEARS = range(min(_national.holidays).year, max(_national.holidays).year + 1)


def national_covers(year: int) -> bool:
    return year in NATIONAL_YEARS


@cache
def _national_workday(day: dt.date) -> bool:
    # the package checks its whole table's range on every call; a year of cases asks millions of times
    return chinese_calendar.is_workday(day)


def entered_years() -> set[int]:
    """Years for which someone entered national days by hand (the package's years need none)."""
    return {d.year for d in Holiday.objects.filter(county__isnull=True).values_list("date", flat=True)}


def missing_years(years) -> list[int]:
    entered = entered_years()
    return sorted(y for y in set(years) if not national_covers(y) and y not in entered)


def county_of(unit) -> int | None:
    """The id of the county (level 3) a unit lies in, or None above county level."""
    from xiangcun.divisions.models import Division, Level

    if unit is None:
        return None
    if unit.level == Level.COUNTY:
        return unit.pk
    return Division.objects.filter(pk__in=unit.depth_ids, level=Level.COUNTY).values_list("pk", flat=True).first()


class Calendar:
    """Working days: Monday–Friday, minus holidays, plus 调休 working weekends.

    `Calendar()` is the national calendar; `Calendar.for_unit(village)` adds the village's county's
    local holidays; `Calendar({date: is_workday, …})` uses exactly the days given (for tests and
    what-if computations) and never warns.
    """

    def __init__(self, holidays: dict[dt.date, bool] | None = None, county_id: int | None = None):
        self.national = holidays is None
        self.entered = set()
        if holidays is None:
            rows = Holiday.objects.filter(county__isnull=True)
            if county_id:
                rows = Holiday.objects.filter(county__isnull=True) | Holiday.objects.filter(county_id=county_id)
            holidays = {}
            for day, work, county in rows.values_list("date", "is_workday", "county_id"):
                holidays[day] = work
                if county is None:
                    self.entered.add(day.year)
        self.off = {d for d, work in holidays.items() if not work}
        self.on = {d for d, work in holidays.items() if work}
        self.uncovered: set[int] = set()
        self._years: dict[int, list[int]] = {}  # year -> working days from 1 January through each day

    @classmethod
    def for_unit(cls, unit) -> Calendar:
        return cls(county_id=county_of(unit))

    def covers(self, year: int) -> bool:
        return not self.national or national_covers(year) or year in self.entered

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.on:
            return True
        if day in self.off:
            return False
        if self.national:
            if national_covers(day.year):
                return _national_workday(day)
            if day.year not in self.entered:
                self.uncovered.add(day.year)
        return day.weekday() < 5

    def add(self, start: dt.date, days: int) -> dt.date:
        """The date `days` working days after `start` (the day of intake does not count)."""
        day = start
        while days > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                days -= 1
        return day

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when finished the same day)."""
        if end <= start:
            return 0
        first = start + dt.timedelta(days=1)
        n = 0
        for year in range(first.year, end.year + 1):
            through = self._through(year)
            a = first.timetuple().tm_yday if year == first.year else 1
            b = end.timetuple().tm_yday if year == end.year else len(through)
            n += through[b - 1] - (through[a - 2] if a > 1 else 0)
        return n

    def _through(self, year: int) -> list[int]:
        """Working days from 1 January of `year` through each day of it (asking each day once per calendar)."""
        table = self._years.get(year)
        if table is None:
            table, n, day = [], 0, dt.date(year, 1, 1)
            while day.year == year:
                n += self.is_working_day(day)
                table.append(n)
                day += dt.timedelta(days=1)
            self._years[year] = table
        return table

    def warning(self, start: dt.date, end: dt.date) -> str:
        """A Chinese warning when the stretch start..end runs through a year with no national arrangement."""
        years = [y for y in range(start.year, end.year + 1) if not self.covers(y)]
        if not years:
            return ""
        named = "、".join(f"{y}年" for y in years)
        return (f"{named}的节假日安排尚未录入系统,办结期限暂按周一至周五计算,可能不准确;"
                "请系统管理员在“节假日”页登记该年的放假和调休安排后核对期限")
