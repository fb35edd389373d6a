"""Importing a county's service item catalogue (事项目录) from Excel; natural key: 事项编码.

An optional 所属清单 column names the published lists (“乡镇事项清单;村级事项清单”, current
versions) the item belongs to, so one sheet carries a whole catalogue with its lists.
"""
from __future__ import annotations

from xiangcun.core.excel import Column, Importer, RowError

from .models import ItemLevel, ItemList, ServiceItem, Trips

FIELDS = ("name", "category", "level", "department", "legal_basis", "materials", "time_limit", "fee",
          "proxy_allowed", "trips", "online_channel")


def _materials(value) -> str:
    parts = [p.strip() for p in str(value or "").replace(";", ";").replace("、", ";").replace("\n", ";").split(";")]
    return "\n".join(p for p in parts if p)


class ItemImporter(Importer):
    title = "便民服务事项"
    columns = (
        Column("事项编码", "code", required=True, width=40, aliases=("编码", "事项代码")),
        Column("事项名称", "name", required=True, width=120, aliases=("名称",)),
        Column("事项类别", "category", required=True, width=40, aliases=("类别",)),
        Column("办理层级", "level", required=True, kind="choice", choices=tuple(ItemLevel.choices)),
        Column("责任部门", "department", required=True, width=50, aliases=("主管部门", "部门")),
        Column("设定依据", "legal_basis", width=2000, aliases=("法律依据",)),
        Column("申请材料", "materials", validator=_materials, help="多项用分号或顿号隔开", aliases=("材料",)),
        Column("承诺时限(工作日)", "time_limit", required=True, kind="int", min_value=0, max_value=365,
               aliases=("承诺时限", "办结时限")),
        Column("收费标准", "fee", width=100, aliases=("收费",)),
        Column("可代办", "proxy_allowed", kind="bool"),
        Column("跑动次数", "trips", kind="choice", choices=tuple(Trips.choices)),
        Column("网上办理渠道", "online_channel", width=200),
        Column("所属清单", "lists", help="清单名称,多个用分号隔开;须是已发布的清单"),
    )
    key = ("code",)
    model = ServiceItem

    def find_existing(self, values: dict):
        return ServiceItem.objects.filter(code=values["code"]).first()

    def changes_of(self, record, current, values):
        changes = super().changes_of(record, current, values)
        added = [lst.name for lst in values.get("lists") or () if not lst.items.filter(pk=record.pk).exists()]
        if added:
            changes.append(("所属清单", "—", "加入 " + "、".join(added)))
        return changes

    def clean_row(self, values: dict) -> dict:
        names = [n.strip() for n in str(values.get("lists") or "").replace(";", ";").split(";") if n.strip()]
        found = []
        for n in names:
            lst = ItemList.objects.filter(name=n, effective_to__isnull=True).order_by("-version").first()
            if lst is None:
                raise RowError(f"没有名为“{n}”的现行清单", "lists")
            found.append(lst)
        values["lists"] = found
        return values

    def save_row(self, values: dict) -> str:
        fields = {k: values.get(k) for k in FIELDS}
        fields["fee"] = fields["fee"] or "不收费"
        fields["trips"] = fields["trips"] or Trips.ONE
        fields["proxy_allowed"] = True if fields["proxy_allowed"] is None else fields["proxy_allowed"]
        for k in ("legal_basis", "materials", "online_channel"):
            fields[k] = fields[k] or ""
        item = ServiceItem.objects.filter(code=values["code"]).first()
        outcome = "unchanged"
        if item is None:
            item = ServiceItem.objects.create(code=values["code"], **fields)
            outcome = "created"
        elif any(getattr(item, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(item, k, v)
            item.save()
            outcome = "updated"
        for lst in values["lists"]:
            if not lst.items.filter(pk=item.pk).exists():
                lst.items.add(item)
                outcome = "updated" if outcome == "unchanged" else outcome
        return outcome
