"""The meeting report (.docx): charts as images, and the divisions as of a date (区划口径日期).
卓克基镇 was merged into 马尔康镇 and 七里村 into 松岗村 on 2020-06-30."""
import datetime as dt
import io
import logging
from decimal import Decimal

import pytest
from django.urls import reverse

from xiangcun.indicators import report, services
from xiangcun.indicators.models import DataElement, Target

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def data(entered, people, unit):
    sg = entered
    for year, income in ((2019, 0), (2022, 30000)):
        services.save_collective(sg, unit("松岗村"), year, total_income=Decimal(income), business_income=Decimal(income))
    Target.objects.create(unit=unit("松岗镇"), element=DataElement.objects.get(code="ROAD_HARD_RATE"), period="2022",
                          value=100, owner="松岗镇人民政府", start_date=dt.date(2021, 1, 1), due_date=dt.date(2022, 12, 31))
    return people


def download(client, user, scope, **params):
    client.force_login(user)
    return client.get(reverse("indicators:report"), {"scope": scope.pk, "year": "2022", **params})


def open_docx(response):
    from docx import Document

    assert response.status_code == 200, response.content[:300]
    return Document(io.BytesIO(response.content))


def text_of(doc):
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def township_column(doc):
    """The unit names of the table of key indicators by township."""
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "单位")
    return [row.cells[0].text for row in table.rows[1:]]


def test_the_report_embeds_the_charts_as_png_images(client, data, maerkang):
    doc = open_docx(download(client, data["office"], maerkang, asof="2021-12-31"))
    # reform before/after, indicator trends, indicators by township, collective economy, target progress
    assert len(doc.inline_shapes) >= 5
    images = [part.blob for part in doc.part.package.parts if part.content_type == "image/png"]
    assert len(images) >= 5 and all(blob.startswith(PNG) for blob in images)
    text = text_of(doc)
    assert "按 2021年12月31日 区划口径" in text
    assert "图1  改革前后乡村两级单位数量" in text and "图5  目标考核完成进度" in text
    page = doc.sections[0]
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297)  # A4, as offices print
    assert max(shape.width for shape in doc.inline_shapes) <= page.page_width - page.left_margin - page.right_margin


def test_a_report_as_of_a_date_before_the_merger_lists_the_pre_merger_townships(client, data, maerkang):
    before = open_docx(download(client, data["office"], maerkang, asof="2020-06-29"))
    assert "按 2020年6月29日 区划口径" in text_of(before)
    assert {"卓克基镇", "马尔康镇", "松岗镇"} <= set(township_column(before))
    after = open_docx(download(client, data["office"], maerkang))
    assert "卓克基镇" not in township_column(after) and "马尔康镇" in township_column(after)
    assert f"按 {report.cn_date(dt.date.today())} 区划口径" in text_of(after)


def test_the_reform_paragraph_runs_to_the_as_of_date(client, data, maerkang):
    before = text_of(open_docx(download(client, data["office"], maerkang, asof="2020-06-29")))
    assert "乡镇14个,保持不变" in before and "2020-06-29" in before
    after = text_of(open_docx(download(client, data["office"], maerkang, asof="2021-12-31")))
    assert "乡镇从14个减为13个" in after and "2021-12-31" in after


def test_a_township_report_as_of_before_the_merger_lists_its_villages_then(client, data, unit):
    doc = open_docx(download(client, data["office"], unit("松岗镇"), asof="2019-12-31"))
    assert {"七里村", "松岗村"} <= set(township_column(doc))
    assert "七里村" not in township_column(open_docx(download(client, data["office"], unit("松岗镇"))))


@pytest.mark.parametrize("asof, says", [
    ("2021-02-30", "日期“2021-02-30”不存在"),
    ("明天", "不是日期"),
    ((dt.date.today() + dt.timedelta(days=1)).isoformat(), "晚于今天"),
    ("2018-06-30", "区划台账中没有马尔康市"),
])
def test_a_bad_as_of_date_is_explained_in_chinese_on_the_dashboard(client, data, maerkang, asof, says):
    response = download(client, data["office"], maerkang, asof=asof)
    assert response.status_code == 302 and response["Location"].startswith(reverse("indicators:dashboard"))
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "未能生成会议材料" in page.content.decode() and says in page.content.decode()


def test_the_dashboard_offers_the_as_of_date_defaulting_to_today(client, data, maerkang):
    client.force_login(data["office"])
    page = client.get(reverse("indicators:dashboard"), {"scope": maerkang.pk}).content.decode()
    assert 'id="report-asof"' in page and f'value="{dt.date.today():%Y-%m-%d}"' in page
    assert 'min="2019-10-31"' in page  # the registry's first day for 马尔康市


def test_a_report_without_data_has_no_empty_charts(client, people, maerkang):
    doc = open_docx(download(client, people["office"], maerkang))
    assert len(doc.inline_shapes) == 1  # only the reform counts (from the registry)


def test_without_a_chinese_font_the_report_still_has_its_charts_and_a_warning_is_logged(
        client, data, maerkang, monkeypatch, caplog):
    monkeypatch.setattr(report, "CJK_FONTS", ("没有这种字体",))
    report.cjk_font.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="xiangcun.indicators.report"):
            doc = open_docx(download(client, data["office"], maerkang))
    finally:
        report.cjk_font.cache_clear()
    assert len(doc.inline_shapes) >= 5
    assert any("没有找到中文字体" in r.getMessage() for r in caplog.records)


def test_the_font_is_a_chinese_one_when_installed():
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    if not installed & set(report.CJK_FONTS):
        pytest.skip("没有安装中文字体")
    assert report.cjk_font() in report.CJK_FONTS


def test_the_source_line_is_printed_once_and_targets_read_without_trailing_zeros(client, data, maerkang):
    doc = open_docx(download(client, data["office"], maerkang, asof="2021-12-31"))
    lines = [p.text for p in doc.paragraphs if p.text.startswith("数据来源")]
    assert lines == ["数据来源:区划台账。"]
    text = text_of(doc)
    assert "0000" not in text.replace("2021", "").replace("2022", "")
    assert report.source_line({"from": "2019 年版", "to": "区划台账"}) == "数据来源:改革前 2019 年版;改革后 区划台账。"
