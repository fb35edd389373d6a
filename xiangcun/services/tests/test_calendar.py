"""The working-day calendar: the national arrangement built in, years without one flagged, local holidays per county."""
import datetime as dt

from xiangcun.accounts.models import Role
from xiangcun.services import calendar
from xiangcun.services.calendar import Calendar
from xiangcun.services.models import Holiday

D = dt.date


def test_the_national_arrangement_is_built_in_without_entering_anything(db):
    cal = Calendar()
    assert not cal.is_working_day(D(2024, 10, 1)) and not cal.is_working_day(D(2024, 10, 7))  # 国庆
    assert cal.is_working_day(D(2024, 9, 29))  # a Sunday made a working day (调休上班)
    assert cal.add(D(2024, 9, 30), 1) == D(2024, 10, 8)
    assert cal.covers(2024) and not cal.uncovered


def test_a_deadline_running_into_a_year_with_no_arrangement_warns_and_names_the_year(db):
    last = max(calendar.NATIONAL_YEARS)
    cal = Calendar()
    due = cal.add(D(last, 12, 28), 10)
    assert due.year == last + 1 and cal.uncovered == {last + 1}
    warning = cal.warning(D(last, 12, 28), due)
    assert f"{last + 1}年的节假日安排尚未录入系统" in warning and "可能不准确" in warning

    Holiday.objects.create(date=D(last + 1, 1, 1), name="元旦")  # the administrator enters the new year's days
    cal = Calendar()
    assert cal.warning(D(last, 12, 28), due) == "" and not cal.is_working_day(D(last + 1, 1, 1))


def test_a_local_holiday_counts_only_for_its_county(maerkang, unit, db):
    Holiday.objects.create(date=D(2025, 2, 28), name="藏历新年", county=maerkang)
    local, national = Calendar.for_unit(unit("松岗村")), Calendar()
    assert not local.is_working_day(D(2025, 2, 28)) and national.is_working_day(D(2025, 2, 28))
    assert local.add(D(2025, 2, 27), 5) == D(2025, 3, 7)
    assert national.add(D(2025, 2, 27), 5) == D(2025, 3, 6)


def test_a_case_taken_in_the_county_skips_its_local_holiday(take, maerkang, db):
    Holiday.objects.create(date=D(2025, 2, 28), name="藏历新年", county=maerkang)
    case = take(when=dt.datetime(2025, 2, 27, 2, tzinfo=dt.UTC))  # Thursday; item: 5 working days
    assert case.due_date == D(2025, 3, 7)


def test_the_case_page_warns_when_its_deadline_year_has_no_calendar(client, take, cast, db):
    last = max(calendar.NATIONAL_YEARS)
    case = take(when=dt.datetime(last, 12, 30, 2, tzinfo=dt.UTC))
    client.force_login(cast["agent"])
    page = client.get(f"/services/cases/{case.pk}/").content.decode()
    assert "calendar-warning" in page and f"{last + 1}年的节假日安排尚未录入系统" in page


def test_the_holiday_page_lists_missing_years_and_takes_local_holidays(client, maerkang, make_user, db):
    last = max(calendar.NATIONAL_YEARS)
    office = make_user("office2", Role.REFORM_OFFICE, maerkang)
    client.force_login(office)
    page = client.get(f"/services/holidays/?year={last}").content.decode()
    assert "国庆节" in page or "National Day" in page  # the built-in arrangement is shown
    client.post("/services/holidays/", {"date": f"{last}-02-28", "name": "藏历新年", "is_workday": "0",
                                        "county": str(maerkang.pk)})
    assert Holiday.objects.get(name="藏历新年").county == maerkang
    # the county office cannot change the national calendar
    response = client.post("/services/holidays/", {"date": f"{last + 1}-01-01", "name": "元旦", "county": ""}, follow=True)
    assert "全国节假日只能由系统管理员登记" in response.content.decode()
    assert not Holiday.objects.filter(county__isnull=True).exists()


def test_the_holiday_page_names_years_without_an_arrangement(client, make_user, maerkang, db, monkeypatch):
    monkeypatch.setattr(calendar, "NATIONAL_YEARS", range(2004, dt.date.today().year))  # this year not shipped
    client.force_login(make_user("office3", Role.REFORM_OFFICE, maerkang))
    page = client.get("/services/holidays/").content.decode()
    assert "missing-years" in page and f"{dt.date.today().year}年" in page
