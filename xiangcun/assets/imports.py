"""Importing an existing asset ledger from Excel (core/excel.py checks every row, reports every error).

The natural key is the 资产编号: a number twice in one file is an error; a number already in the
ledger updates that asset, so re-importing the same file changes nothing. The original holder is
found by name among the units of the user's jurisdiction, abolished ones included (that is the point:
ledgers of merged townships name units that no longer exist); the custodian is resolved from it.
A status in the sheet applies to new entries only, and only the statuses before a plan: 已批方案,
已盘活 and 已处置 need an approved plan (and a disposal its approval document), so they go through the
lifecycle, not a spreadsheet cell.
"""
from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError

from xiangcun.core.excel import Column, Importer, RowError
from xiangcun.core.validators import halfwidth
from xiangcun.divisions.models import Level
from xiangcun.divisions.scoping import OutOfScope

from . import services
from .models import Asset, Category, Condition, Funding, Nature, Status, ValuationMethod

CERT_FORMS = (
    # 不动产权证书: 川(2019)马尔康市不动产权第0001234号
    re.compile(r"[\u4e00-\u9fff]{1,2}\(\d{4}\)[\u4e00-\u9fff]{1,20}不动产(权|证明)第\d{7}号"),
    # 房屋所有权证: 马房权证字第2005123号 / 马尔康房权证卓克基字第123号
    re.compile(r"[\u4e00-\u9fff]{1,10}房权证[\u4e00-\u9fff]{0,10}字?第\d{1,12}号"),
    # 土地使用证: 马国用(2008)第123号 / 马集用(2010)第45号
    re.compile(r"[\u4e00-\u9fff]{1,10}(国用|集用|集建)\(\d{4}\)第?\d{1,12}号"),
)
IMPORTABLE_STATUSES = tuple((s.value, s.label) for s in (Status.PENDING, Status.CHECKED, Status.IN_USE, Status.IDLE))
NO_CERT = {"无", "无证", "暂无", "-", "—", "/"}


def certificate(value) -> str:
    """A 房产证/土地证/不动产权证 number in one of its official forms, or "" for 无证."""
    text = re.sub(r"\s", "", halfwidth(str(value or "")))
    if text in NO_CERT or not text:
        return ""
    text = text.replace("〔", "(").replace("〕", ")").replace("[", "(").replace("]", ")")
    if not any(form.fullmatch(text) for form in CERT_FORMS):
        raise ValidationError(f"证号“{value}”格式不对:应如 川(2019)马尔康市不动产权第0001234号、"
                              "马房权证字第123号、马国用(2008)第123号,没有证书请填“无证”")
    return text


def not_future(value: dt.date) -> dt.date:
    if value > dt.date.today():
        raise ValidationError(f"{value} 晚于今天,不能是将来的日期")
    return value


class AssetImporter(Importer):
    title = "公有资产台账"
    columns = (
        Column("资产编号", "ledger_no", required=True, width=40, help="台账内唯一,如 MEK-ZKJ-0001",
               aliases=("编号", "台账编号", "资产编码")),
        Column("资产名称", "name", required=True, width=100, aliases=("名称",)),
        Column("资产类别", "category", required=True, kind="choice", choices=tuple(Category.choices),
               aliases=("类别",)),
        Column("原权属单位", "holder", required=True, kind="unit", lookup="name", unit_label="乡镇或村(社区)",
               help="原来拥有或使用该资产的乡镇或村,已撤并的单位也可填写", aliases=("权属单位", "原使用单位", "单位名称")),
        Column("坐落地址", "address", width=200, aliases=("地址", "坐落")),
        Column("经度", "lon", kind="decimal", min_value=-180, max_value=180),
        Column("纬度", "lat", kind="decimal", min_value=-90, max_value=90),
        Column("建筑面积(㎡)", "floor_area", kind="decimal", min_value=0, aliases=("建筑面积",)),
        Column("占地面积(㎡)", "land_area", kind="decimal", min_value=0, aliases=("占地面积", "土地面积")),
        Column("建成年份", "built_year", kind="int", min_value=1900, max_value=dt.date.today().year),
        Column("取得日期", "acquired_on", kind="date", validator=not_future),
        Column("账面价值(元)", "book_value", kind="decimal", min_value=0, aliases=("账面价值", "原值")),
        Column("评估价值(元)", "valuation", kind="decimal", min_value=0, aliases=("评估价值",)),
        Column("评估日期", "valuation_date", kind="date", validator=not_future),
        Column("评估方法", "valuation_method", kind="choice", choices=tuple(ValuationMethod.choices)),
        Column("房产证号", "property_cert", validator=certificate, help="没有证书填“无证”", aliases=("房屋所有权证号",)),
        Column("土地证号", "land_cert", validator=certificate, help="没有证书填“无证”", aliases=("土地使用证号",)),
        Column("现状", "condition", kind="choice", choices=tuple(Condition.choices)),
        Column("产权性质", "nature", kind="choice", choices=tuple(Nature.choices),
               help="不能确定的填“待核实”,由清查核实确定,不要猜"),
        Column("产权单位", "owner", width=100, help="国有资产填机构名称(如马尔康市教育局),集体资产填集体经济组织名称"),
        Column("形成资金来源", "funding", kind="choice", choices=tuple(Funding.choices)),
        Column("处置受限", "restricted", kind="bool", help="扶贫项目资产等监管期内不得出售的填“是”"),
        Column("评估机构", "valuer", width=100),
        Column("评估机构备案编号", "valuer_registration", width=60),
        Column("状态", "status", kind="choice", choices=IMPORTABLE_STATUSES,
               help="只用于新登记的资产,默认待清查;盘活方案已批、已盘活、已处置须通过盘活方案办理,不能直接导入"),
        Column("状态起始日期", "status_since", kind="date", validator=not_future, help="如闲置起始日期"),
        Column("备注", "note", width=500),
    )
    key = ("ledger_no",)
    model = Asset

    def __init__(self, scope=None, user=None):
        super().__init__(scope)
        self.user = user
        self._custodians = {}
        self._existing = None

    def unit_queryset(self, column):
        # Abolished townships and villages are exactly the ones whose old ledgers get imported.
        return self.scope.filter(level__in=(Level.TOWNSHIP, Level.VILLAGE)).order_by("valid_to")

    def _owner(self, name: str):
        """The body or collective organisation named `name`, among those the user sees (current ones)."""
        from xiangcun.bodies.models import Body
        from xiangcun.collective.models import Organisation

        bodies = list(Body.objects.visible_to(self.user).current().filter(name=name)[:2])
        orgs = list(Organisation.objects.visible_to(self.user).exclude(status="closed").filter(name=name)[:2])
        if len(bodies) + len(orgs) > 1:
            raise RowError(f"产权单位“{name}”有重名,请先在机构名录或集体经济组织中区分", "owner")
        if not bodies and not orgs:
            raise RowError(f"产权单位“{name}”未登记:请填写机构名录中的机构或已登记的集体经济组织", "owner")
        return (bodies[0], None) if bodies else (None, orgs[0])

    def clean_row(self, values: dict) -> dict:
        for k in ("lon", "lat"):  # stored as floats: compare like with like on re-import
            if values.get(k) is not None:
                values[k] = float(values[k])
        owner = (values.get("owner") or "").strip()
        if owner:
            values["owner_body"], values["owner_organisation"] = self._owner(owner)
        else:
            stored = Asset.all_with_deleted.filter(ledger_no=values.get("ledger_no")).first()
            values["owner_body"] = stored.owner_body if stored else None
            values["owner_organisation"] = stored.owner_organisation if stored else None
        values["nature"] = values.get("nature") or Nature.UNVERIFIED
        try:
            services.validate(values)
        except services.AssetError as exc:
            field = "valuation_date" if "评估日期" in str(exc) else ("owner" if "产权" in str(exc) else None)
            raise RowError(str(exc), field) from None
        return values

    def find_existing(self, values: dict):
        """The asset with this 资产编号: its blank cells keep their stored values (an update)."""
        return self.find_existing_many([values])[0]

    def find_existing_many(self, rows):
        numbers = [values["ledger_no"] for values in rows]
        assets = {a.ledger_no: a for a in Asset.all_with_deleted.select_related("holder").filter(ledger_no__in=numbers)}
        visible = set(Asset.objects.visible_to(self.user).filter(pk__in=[a.pk for a in assets.values()])
                      .values_list("pk", flat=True))
        out = []
        for number in numbers:
            try:
                out.append(self._checked(assets.get(number), visible))
            except RowError as exc:
                out.append(exc)
        return out

    def _checked(self, asset, visible):
        if asset is None:
            return None
        if asset.is_deleted:
            raise RowError(f"资产编号 {asset.ledger_no} 已被标记删除,请先恢复或改用新编号", "ledger_no")
        if asset.pk not in visible:
            raise RowError(f"资产编号 {asset.ledger_no} 已被其他单位使用", "ledger_no")
        return asset

    def record_values(self, record) -> dict:
        # an update changes the ledger fields only: the status moves through the lifecycle
        return {k: v for k, v in super().record_values(record).items() if k in services.EDITABLE}

    def _custodian(self, holder):
        if holder.pk not in self._custodians:
            self._custodians[holder.pk] = services.resolve_custodian(holder)
        return self._custodians[holder.pk]

    def save_row(self, values: dict) -> str:
        if self._existing is None:
            self._existing = set(Asset.all_with_deleted.values_list("ledger_no", flat=True))
        fields = {k: v for k, v in values.items() if k in services.EDITABLE}
        for k in ("property_cert", "land_cert", "address", "note"):
            fields[k] = fields.get(k) or ""
        fields["condition"] = fields.get("condition") or Condition.FAIR
        fields["valuation_method"] = fields.get("valuation_method") or ""
        for k in ("funding", "valuer", "valuer_registration"):
            fields[k] = fields.get(k) or ""
        fields["restricted"] = bool(fields.get("restricted"))
        if values["ledger_no"] in self._existing:
            asset = Asset.all_with_deleted.select_related("holder").get(ledger_no=values["ledger_no"])
            if asset.is_deleted:
                raise RowError(f"资产编号 {asset.ledger_no} 已被标记删除,请先恢复或改用新编号", "ledger_no")
            if not Asset.objects.visible_to(self.user).filter(pk=asset.pk).exists():
                raise RowError(f"资产编号 {asset.ledger_no} 已被其他单位使用", "ledger_no")
            try:
                changed = services.update_asset(asset, self.user, **fields)
            except (services.AssetError, OutOfScope) as exc:
                raise RowError(str(exc)) from None
            return "updated" if changed else "unchanged"
        status = values.get("status") or Status.PENDING
        asset = Asset(ledger_no=values["ledger_no"], custodian=self._custodian(values["holder"]), status=status,
                      status_since=values.get("status_since") or dt.date.today(), **fields)
        asset.save()
        self._existing.add(asset.ledger_no)
        return "created"
