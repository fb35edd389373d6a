"""The dashboard (改革驾驶舱) and the meeting report: which year they open on, years outside the data,
how complete a year's data is."""
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from xiangcun.indicators.models import DataElement, DataValue


def page(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("indicators:dashboard"), params)
    assert response.status_code == 200
    return response.content.decode()


def selected_year(body):
    return re.search(r'name="year"[^>]*>.*?<option value="(\d+)" selected', body, re.S).group(1)


def test_the_dashboard_opens_on_the_latest_year_people_entered(client, entered, people, maerkang, unit):
    # the asset ledger's rents are mirrored into the current year: that is not a year "with data"
    DataValue.objects.create(element=DataElement.objects.get(code="CE_ASSET_RENT"), unit=unit("松岗村"), period="2026",
                             number=Decimal("1.5"))
    body = page(client, people["office"], scope=maerkang.pk)
    assert selected_year(body) == "2022"
    badge = re.search(r'id="completeness"[^>]*>([^<]*)<', body).group(1)
    assert re.fullmatch(r"2022年:已报 1/\d+ 个村\(社区\)", badge), badge
    assert int(badge.split("/")[1].split(" ")[0]) > 50  # every current village of 马尔康市 is expected


def test_a_township_sees_how_complete_its_own_year_is(client, entered, people, unit):
    body = page(client, people["songgang"], scope=unit("松岗镇").pk, year="2019")
    badge = re.search(r'id="completeness"[^>]*>([^<]*)<', body).group(1)
    # 七里村 and 松岗村 reported for 2019; both roll into today's 松岗村
    assert badge.startswith("2019年:已报 1/")


@pytest.mark.parametrize("year", ["2018", "1900", "2099", "20x2"])
def test_a_year_outside_the_data_is_a_chinese_message_not_a_crash(client, entered, people, maerkang, year):
    body = page(client, people["office"], scope=maerkang.pk, year=year)
    notice = re.search(r'id="year-notice">([^<]*)<', body).group(1)
    assert year in notice and "已显示 2022年的数据" in notice
    assert selected_year(body) == "2022"


def test_the_report_of_a_year_before_the_data_goes_back_to_the_dashboard_with_the_reason(client, entered, people, maerkang):
    client.force_login(people["office"])
    response = client.get(reverse("indicators:report"), {"scope": maerkang.pk, "year": "2018"}, follow=True)
    body = response.content.decode()
    assert "未能生成会议材料:2018年没有指标数据" in body


def test_the_report_defaults_to_the_latest_year_with_data(client, entered, people, maerkang, unit):
    DataValue.objects.create(element=DataElement.objects.get(code="CE_ASSET_RENT"), unit=unit("松岗村"), period="2026",
                             number=Decimal("1.5"))
    client.force_login(people["office"])
    response = client.get(reverse("indicators:report"), {"scope": maerkang.pk})
    assert response.status_code == 200
    assert "2022%E5%B9%B4" in response["Content-Disposition"]  # …2022年两项改革…
    import io

    from docx import Document

    subtitle = Document(io.BytesIO(response.content)).paragraphs[1].text
    assert re.search(r"2022年数据.已报 1/\d+ 个村.社区.,按 ", subtitle), subtitle


def test_targets_read_without_trailing_zeros_and_with_their_unit(client, people, unit):
    import datetime as dt

    from xiangcun.indicators.models import Target, number_text

    target = Target.objects.create(unit=unit("松岗镇"), element=DataElement.objects.get(code="ROAD_HARD_RATE"), period="2022",
                                   value=Decimal("100.0000"), owner="松岗镇人民政府", start_date=dt.date(2021, 1, 1),
                                   due_date=dt.date(2022, 12, 31))
    target.refresh_from_db()
    assert target.requirement == "不低于100%" and "不低于100%" in str(target)
    client.force_login(people["office"])
    body = client.get(reverse("indicators:targets")).content.decode()
    assert "不低于100%" in body and "100.0000" not in body
    edit = client.get(reverse("indicators:target_edit", args=[target.pk])).content.decode()
    assert re.search(r'<input[^>]*name="value"[^>]*value="100"', edit)
    assert number_text(Decimal("12500.5000"), "万元") == "12,500.5万元" and number_text(0.0) == "0"
    assert number_text(191.66666, "%", 1) == "191.7%"


@pytest.mark.parametrize("url", ["/indicators/values/?period=0000", "/indicators/collective/?year=0000",
                                 "/indicators/values/export/?period=0000", "/indicators/?year=0000"])
def test_a_year_no_calendar_holds_is_explained_instead_of_crashing(client, entered, people, url):
    """The dashboard falls back to the latest year with a notice; the other pages refuse the parameter with
    core.params' Chinese 400 naming it. Neither crashes."""
    client.force_login(people["office"])
    response = client.get(url)
    body = response.content.decode()
    if url.startswith("/indicators/?"):
        assert response.status_code == 200 and 'id="year-notice"' in body
    else:
        assert response.status_code == 400 and ("参数 period" in body or "参数 year" in body) and "无效" in body


def test_an_entry_page_for_year_0000_is_not_found(client, people, unit):
    client.force_login(people["office"])
    assert client.get(reverse("indicators:entry", args=[unit("松岗村").pk, "0000"])).status_code == 404
