"""Excel: organisations, members and integrations go out and come back; every bad row is listed, nothing written."""
import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl
from django.urls import reverse

from xiangcun.collective import services
from xiangcun.collective.models import Integration, Member, Organisation
from xiangcun.core.validators import id_check_digit


def person(n: int) -> str:
    first17 = f"51320119900101{n:03d}"
    return first17 + id_check_digit(first17)


def upload(client, url, wb, name="sheet.xlsx"):
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = name
    return client.post(url, {"file": buf})


def confirm(client, url, preview):
    token = re.search(r'name="token" value="([^"]+)"', preview.content.decode()).group(1)
    return client.post(url, {"action": "confirm", "token": token})


def test_organisations_and_members_round_trip(cast, org, unit, client):
    coop = org("党坝村经济合作社")
    services.add_member(cast["office"], coop, "张三", person(1), Decimal(3))
    client.force_login(cast["dangba"])
    exported = openpyxl.load_workbook(io.BytesIO(client.get(reverse("collective:export")).content)).active
    assert [c.value for c in exported[1]][:2] == ["组织名称", "所属村代码"]
    assert [r[0] for r in exported.iter_rows(min_row=2, values_only=True) if r[0]] == ["党坝村经济合作社"]
    exported.append(["党坝村一组经济合作社", unit("党坝村").code, "", "组级", "经济合作社", None, ""])
    exported.append(["错码社", unit("党坝村").code, "N2513201MA0000000X", "村级", "", None, ""])
    exported.append(["松岗村经济合作社", unit("松岗村").code, "", "村级", "", None, ""])  # not the user's township
    url = reverse("collective:import")
    preview = upload(client, url, exported.parent)
    text = preview.content.decode()
    assert preview.status_code == 400 and "统一社会信用代码校验码应为" in text and "不是您管辖范围内现有的村(社区)代码" in text
    assert not Organisation.objects.filter(name="党坝村一组经济合作社").exists()
    exported.delete_rows(exported.max_row - 1, 2)
    preview = upload(client, url, exported.parent)
    assert preview.status_code == 200
    assert confirm(client, url, preview).status_code == 302
    assert Organisation.objects.get(name="党坝村一组经济合作社").level == "group"

    # members: the export is in full (logged), the same sheet re-imports unchanged, a duplicate 身份证号 is caught
    members = openpyxl.load_workbook(io.BytesIO(client.get(reverse("collective:member_export")).content)).active
    rows = [r for r in members.iter_rows(min_row=2, values_only=True) if r[0]]
    assert len(rows) == 1 and rows[0][:4] == (unit("党坝村").code, "党坝村经济合作社", "张三", person(1))
    members.append([unit("党坝村").code, "党坝村经济合作社", "李四", person(2), 1, None, ""])
    members.append([unit("党坝村").code, "党坝村经济合作社", "李四", person(2), 1, None, ""])
    members.append([unit("党坝村").code, "不存在的社", "王五", person(3), 1, None, ""])
    url = reverse("collective:member_import")
    text = upload(client, url, members.parent).content.decode()
    assert "没有登记名为“不存在的社”" in text and "重复" in text
    members.delete_rows(members.max_row - 1, 2)
    preview = upload(client, url, members.parent)
    assert preview.status_code == 200, preview.content.decode()[:3000]
    confirm(client, url, preview)
    assert Member.objects.filter(organisation=coop).count() == 2
    assert services.find_member(coop, person(2)).name == "李四"


def test_integrations_import_and_export(cast, org, merge, client):
    a = org("党坝村经济合作社")
    merged = merge()
    b = services.save_organisation(cast["office"], Organisation(name=f"{merged.name}经济合作社", village=merged))
    client.force_login(cast["office"])
    url = reverse("collective:integration_import")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["合并后的村代码", "整合方式", "决议日期", "应参会人数", "实参会人数", "赞成票", "反对票", "弃权票",
               "参与整合的原组织", "整合后的组织", "过渡期截止日期", "决议文号/会议记录编号", "备注"])
    ws.append([merged.code, "逐步过渡", dt.date(2023, 6, 1), 90, 80, 70, 5, 5, f"党坝村经济合作社、{b.name}", b.name, None, "", ""])
    text = upload(client, url, wb).content.decode()
    assert "逐步过渡须填写过渡期截止日期" in text
    ws.delete_rows(2)
    ws.append([merged.code, "股份合作", dt.date(2023, 6, 1), 90, 80, 70, 5, 5, f"党坝村经济合作社:600、{b.name}:400",
               f"{merged.name}股份经济合作联合社", None, "决议〔2023〕1号", ""])
    preview = upload(client, url, wb)
    assert preview.status_code == 200, preview.content.decode()[:3000]
    confirm(client, url, preview)
    integration = Integration.objects.get()
    assert integration.result.name == f"{merged.name}股份经济合作联合社"
    assert {p.organisation.name: p.shares for p in integration.parties.all()} == {a.name: 600, b.name: 400}
    again = upload(client, url, wb)  # the same sheet again changes nothing
    assert again.status_code == 200
    confirm(client, url, again)
    assert Integration.objects.count() == 1
    exported = openpyxl.load_workbook(io.BytesIO(client.get(reverse("collective:integration_export")).content)).active
    row = [r for r in exported.iter_rows(min_row=2, values_only=True) if r[0]][0]
    assert row[1] == "股份合作" and "党坝村经济合作社:600" in row[8]


def test_accounts_import_feeds_income_and_classification(cast, org, unit, client):
    coop = org("党坝村经济合作社")
    client.force_login(cast["dangba"])
    url = reverse("collective:account_import")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["所属村代码", "组织名称", "年度", "经营收入(元)", "发包及上交收入(元)", "投资收益(元)",
               "其中:来自本村其他集体经济组织的收益(元)", "补助收入(元)", "其他收入(元)", "资产总额(元)", "负债总额(元)"])
    ws.append([unit("党坝村").code, "党坝村经济合作社", 2023, 20000, 10000, 5000, 8000, 90000, 0, 500000, 0])
    text = upload(client, url, wb).content.decode()
    assert "不能大于投资收益" in text
    ws.delete_rows(2)
    ws.append([unit("党坝村").code, "党坝村经济合作社", 2023, 20000, 10000, 5000, 0, 90000, 0, 500000, 0])
    preview = upload(client, url, wb)
    assert preview.status_code == 200, preview.content.decode()[:2000]
    confirm(client, url, preview)
    income = services.organisation_income(2023, [coop])[coop.pk]
    assert income.operating == 35000 and income.label == "薄弱村"  # 补助收入 is not operating income
    page = client.get(reverse("collective:villages") + f"?year=2023&scope={unit('党坝乡').pk}").content.decode()
    assert "35000.00" in page and "薄弱村" in page
