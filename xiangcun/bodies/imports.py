"""Importing the register of bodies from Excel; natural key: 所属区划代码 + 机构名称. The export has the same columns."""
from __future__ import annotations

from xiangcun.core.excel import Column, Importer, RowError
from xiangcun.core.validators import credit_code
from xiangcun.divisions.levels import Level

from .models import Body, BodyKind

COLUMNS = (
    Column("机构名称", "name", required=True, width=100),
    Column("所属区划代码", "unit", required=True, kind="unit", unit_label="县、乡镇或村(社区)",
           unit_filter={"level__in": (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)},
           aliases=("区划代码",)),
    Column("机构类别", "kind", required=True, kind="choice", choices=BodyKind.choices, aliases=("类别",)),
    Column("简称", "short_name", width=30, help="县级部门填简称,如“财政”“民政”"),
    Column("上级机构", "parent", width=100, help="同一区划或上级区划已登记的机构名称"),
    Column("统一社会信用代码", "credit_code", width=18, validator=credit_code),
    Column("成立日期", "valid_from", kind="date"),
    Column("撤销日期", "valid_to", kind="date"),
    Column("备注", "note", width=200),
)
HEADERS = [c.header for c in COLUMNS]


def export_rows(qs):
    for b in qs:
        yield [b.name, b.unit.code, b.get_kind_display(), b.short_name, b.parent.name if b.parent_id else "",
               b.credit_code, b.valid_from, b.valid_to, b.note]


class BodyImporter(Importer):
    title = "机构名录"
    columns = COLUMNS
    key = ("unit", "name")
    model = Body

    def __init__(self, user=None):
        from xiangcun.divisions.models import Division

        super().__init__(Division.objects.visible_to(user) if user is not None else Division.objects.all())
        self.user = user

    def find_existing(self, values):
        return Body.objects.filter(unit=values["unit"], name=values["name"]).first()

    def record_values(self, record) -> dict:
        values = super().record_values(record)
        values["parent"] = record.parent.name if record.parent_id else ""
        return values

    def clean_row(self, values):
        unit, parent_name = values.get("unit"), (values.get("parent") or "").strip()
        if parent_name and unit is not None:
            above = [int(x) for x in unit.path.strip("/").split("/") if x]
            parents = list(Body.objects.filter(name=parent_name, unit_id__in=above, valid_to__isnull=True)[:2])
            if not parents:
                raise RowError(f"上级机构“{parent_name}”未登记在{unit.name}或其上级区划", "parent")
            if len(parents) > 1:
                raise RowError(f"上级机构“{parent_name}”有重名,请先在机构名录中区分", "parent")
        code = values.get("credit_code")
        if code:
            clash = Body.objects.filter(credit_code=code).exclude(unit=unit, name=values.get("name")).first()
            if clash:
                raise RowError(f"统一社会信用代码 {code} 已属于“{clash.name}”", "credit_code")
        if values.get("valid_from") and values.get("valid_to") and values["valid_to"] < values["valid_from"]:
            raise RowError("撤销日期不能早于成立日期", "valid_to")
        return values

    def save_row(self, values):
        unit, name = values["unit"], values["name"]
        parent_name = (values.get("parent") or "").strip()
        parent = None
        if parent_name:
            above = [int(x) for x in unit.path.strip("/").split("/") if x]
            parent = Body.objects.get(name=parent_name, unit_id__in=above, valid_to__isnull=True)
        fields = {"kind": values["kind"], "short_name": values.get("short_name") or "", "parent": parent,
                  "credit_code": values.get("credit_code") or "", "valid_from": values.get("valid_from"),
                  "valid_to": values.get("valid_to"), "note": values.get("note") or ""}
        body = Body.objects.filter(unit=unit, name=name).first()
        if body is not None and all(getattr(body, k) == v for k, v in fields.items()):
            return "unchanged"
        created = body is None
        body = body or Body(unit=unit, name=name)
        for k, v in fields.items():
            setattr(body, k, v)
        body.save()
        return "created" if created else "updated"
