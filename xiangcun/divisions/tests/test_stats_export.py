"""改革统计: 导出 Excel on the first visit (before 统计 is pressed) exports the figures on the page."""
import io

import pytest

from xiangcun.accounts.models import Role

from .test_browser import page, sign_in  # noqa: F401 (the page fixture)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_export_link_of_a_first_visit_downloads_the_default_statistics(page, maerkang, make_user):  # noqa: F811
    make_user("office", Role.REFORM_OFFICE, maerkang)
    sign_in(page, "office")
    page.click(".sidebar >> text=改革统计")
    page.wait_for_selector("#stats-chart canvas")  # the defaults are shown at once
    with page.expect_download(timeout=10000) as info:
        page.click("text=导出 Excel")
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))
    cells = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert any("马尔康" in c for c in cells)
    assert info.value.suggested_filename == "stats-513201000000.xlsx"
