"""The register of bodies in the browser: the office registers a township office (a wrong credit code is refused
beside its field, what was typed kept), then finds a merged township's office and follows it to its successor."""
import datetime as dt
import os

import pytest

from conftest import page, sign_in  # noqa: F401
from xiangcun.accounts.models import Role

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_office_registers_a_body_and_follows_a_merged_one(page, maerkang, unit, make_user, tmp_path):  # noqa: F811
    from xiangcun.bodies.models import Body, BodyKind
    from xiangcun.divisions import services as registry

    office = make_user("office", Role.REFORM_OFFICE, maerkang)
    gov_db = Body.objects.create(name="党坝乡人民政府", kind=BodyKind.TOWNSHIP_GOVERNMENT, unit=unit("党坝乡"))
    Body.objects.create(name="松岗镇人民政府", kind=BodyKind.TOWNSHIP_GOVERNMENT, unit=unit("松岗镇"))
    registry.merge([unit("党坝乡")], dt.date(2025, 6, 1), into=unit("松岗镇"), user=office)
    shots = os.environ.get("XC_SHOTS") or str(tmp_path)

    sign_in(page, "office")
    page.click(".sidebar >> text=机构名录")
    page.click("text=登记机构")
    page.fill("#id_name", "松岗镇乡村振兴办公室")
    page.select_option("#id_kind", BodyKind.TOWNSHIP_OFFICE)
    page.select_option("#id_unit", label="\u3000松岗镇")
    page.fill("#id_credit_code", "11513201MB1234567X")
    page.click("button:has-text('保存')")
    error = page.locator(".field-error").first.inner_text()
    assert "统一社会信用代码校验码应为" in error
    assert page.input_value("#id_name") == "松岗镇乡村振兴办公室"
    page.screenshot(path=f"{shots}/bodies_form_error.png", full_page=True)
    page.fill("#id_credit_code", "")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已保存机构")
    assert "松岗镇" in page.inner_text("dl")

    page.goto(page.base + "/bodies/?status=all&q=党坝乡")
    page.screenshot(path=f"{shots}/bodies_list.png", full_page=True)
    page.click("table >> text=党坝乡人民政府")
    assert "工作由 松岗镇人民政府 承接" in page.inner_text("#heir")
    page.screenshot(path=f"{shots}/bodies_detail.png", full_page=True)
    gov_db.refresh_from_db()
    assert gov_db.valid_to == dt.date(2025, 6, 1)


@pytest.mark.django_db(transaction=True)
def test_import_errors_with_a_long_value_keep_row_and_column_readable(page, maerkang, unit, make_user, tmp_path):  # noqa: F811
    """A long bad value must not squeeze the 行/列 columns to a character per line (the preview's error table)."""
    import openpyxl

    make_user("office", Role.REFORM_OFFICE, maerkang)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["机构名称", "所属区划代码", "机构类别", "统一社会信用代码"])
    ws.append(["松岗镇" + "很长的机构名称" * 30, unit("松岗镇").code, "乡镇内设机构", "X" * 60])
    path = tmp_path / "long.xlsx"
    wb.save(path)
    shots = os.environ.get("XC_SHOTS") or str(tmp_path)

    sign_in(page, "office")
    page.goto(page.base + "/bodies/import/")
    page.set_input_files("input[type=file]", str(path))
    page.click("button:has-text('上传')")
    page.wait_for_selector("#import-errors")
    lines = page.evaluate("""() => Array.from(document.querySelectorAll('#import-errors tbody tr')).map(tr => {
        const cells = Array.from(tr.children).slice(0, 2);
        return cells.map(td => { const r = document.createRange(); r.selectNodeContents(td);
                                 return new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))).size; }); })""")
    page.screenshot(path=f"{shots}/import_errors_long.png", full_page=True)
    assert lines and all(row[0] == 1 for row in lines), f"the 行 column wraps: {lines}"
    assert all(row[1] <= 2 for row in lines), f"the 列 column is squeezed: {lines}"
