"""Importing an existing ledger: every error at once, nothing written; re-importing changes nothing."""
import datetime as dt
import io

from openpyxl import Workbook

from xiangcun.assets.imports import AssetImporter
from xiangcun.assets.models import Asset, Status
from xiangcun.divisions.models import Division

HEAD = ["资产编号", "资产名称", "资产类别", "原权属单位", "建筑面积(㎡)", "取得日期", "房产证号", "土地证号", "状态",
        "评估价值(元)", "评估日期"]


def sheet(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["马尔康市乡镇公有资产台账(2024年)"])  # a title row above the header, as real sheets have
    ws.append(HEAD)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def importer(user):
    return AssetImporter(scope=Division.objects.visible_to(user), user=user)


GOOD = [
    ["ZKJ-0001", "卓克基镇原政府办公楼", "办公用房", "卓克基镇", 820.5, "2008年5月1日", "川(2019)马尔康市不动产权第0001234号", "无证", "闲置", 1200000, "2023-05-01"],
    ["ZKJ-0002", "原卓克基小学校舍", "学校校舍", "卓克基镇", 1600, "2001-09-01", "马房权证字第2005123号", "马国用(2008)第123号", "", None, None],
    ["SG-0001", "松岗村旧村委会", "村级活动场所", "松岗村", 300, "20100301", "无", "", "在用", None, None],
]


def test_every_error_of_a_bad_ledger_is_reported_at_once_and_nothing_is_written(cast):
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    rows = GOOD + [
        ["ZKJ-0001", "重复编号", "办公用房", "卓克基镇", 10, "", "", "", "", None, None],
        ["X-1", "未知单位的房子", "其他房屋", "卓克基乡", 10, "", "", "", "", None, None],
        ["X-2", "负面积", "其他房屋", "松岗镇", -5, "", "", "", "", None, None],
        ["X-3", "将来日期", "其他房屋", "松岗镇", 5, future, "", "", "", None, None],
        ["X-4", "证号不对", "其他房屋", "松岗镇", 5, "", "房产证123", "", "", None, None],
        ["X-5", "直接填已处置", "其他房屋", "松岗镇", 5, "", "", "", "已处置", None, None],  # needs a plan first
    ]
    result = importer(cast["caizheng"]).parse(sheet(rows))
    reasons = {(e.row, e.column): e.reason for e in result.errors}
    assert len(result.errors) == 6, result.errors
    assert "与第 3 行重复" in reasons[(6, "资产编号")]
    assert "没有名为“卓克基乡”" in reasons[(7, "原权属单位")]
    assert "非负数" in reasons[(8, "建筑面积(㎡)")]
    assert "将来的日期" in reasons[(9, "取得日期")]
    assert "格式不对" in reasons[(10, "房产证号")]
    assert reasons[(11, "状态")] == "应为以下之一:待清查、已清查、在用、闲置"  # says what is allowed
    assert Asset.objects.count() == 0


def test_a_good_ledger_is_imported_with_custody_resolved_and_reimporting_changes_nothing(cast, unit):
    imp = importer(cast["caizheng"])
    result = imp.parse(sheet(GOOD))
    assert result.ok, result.errors
    counts = imp.import_rows(result.rows)
    assert (counts.created, counts.errors) == (3, [])
    office = Asset.objects.get(ledger_no="ZKJ-0001")
    assert office.custodian == unit("马尔康镇") and office.status == Status.IDLE
    assert office.property_cert == "川(2019)马尔康市不动产权第0001234号" and office.land_cert == ""
    assert Asset.objects.get(ledger_no="ZKJ-0002").status == Status.PENDING
    again = importer(cast["caizheng"])
    counts = again.import_rows(again.parse(sheet(GOOD)).rows)
    assert (counts.created, counts.updated, counts.unchanged) == (0, 0, 3)


def test_a_township_cannot_import_into_another_township(cast):
    rows = [["DB-9", "党坝乡资产", "其他房屋", "党坝乡", 10, "", "", "", "", None, None]]
    result = importer(cast["songgang"]).parse(sheet(rows))
    assert "没有名为“党坝乡”" in result.errors[0].reason
