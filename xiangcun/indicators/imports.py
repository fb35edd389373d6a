"""Excel import and export of a period's values for a level and scope: one row per unit, one column per
element (the entry form as a sheet). The natural key is the unit; a blank cell leaves a stored value
alone, so a sheet filled in by several people can be imported in parts; re-importing changes nothing.
The collective-economy ledger has its own sheet (one row per village and year).
"""
from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError

from xiangcun.core.excel import Column, Importer, RowError
from xiangcun.divisions.models import Level
from xiangcun.divisions.scoping import OutOfScope

from . import services
from .models import CollectiveEconomy, DataElement, DataValue, IntegrationMode, OrgForm, ValueType, display_value

VALUE_LIMIT = Decimal("9999999999999.9999")  # services.clean_value refuses 1e13 and more
KIND = {ValueType.BOOL: "bool", ValueType.NUMBER: "decimal", ValueType.PERCENT: "decimal", ValueType.CHOICE: "choice",
        ValueType.TEXT: "text"}


def element_column(element: DataElement) -> Column:
    kind = KIND[element.value_type]
    extra = {}
    if kind == "decimal":
        extra = {"min_value": element.min_value if element.min_value is not None else (0 if element.value_type == ValueType.PERCENT else -VALUE_LIMIT),
                 "max_value": element.max_value if element.max_value is not None else (100 if element.value_type == ValueType.PERCENT else VALUE_LIMIT),
                 "places": 4}
    if kind == "choice":
        extra = {"choices": tuple((c, c) for c in element.choices)}
    if kind == "text":
        extra = {"width": 200}
    return Column(element.label, element.code, kind=kind, help=element.description, aliases=(element.name, element.code), **extra)


class ValueImporter(Importer):
    """Values of the elements collected at `level` for `period`, for the units of `scope`."""

    key = ("unit",)

    def __init__(self, scope, user, level: int, period: str):
        super().__init__(scope)
        self.user, self.level, self.period = user, level, period
        self.elements = list(services.form_elements(level, period))
        self.title = f"{period}年{'村(社区)' if level == Level.VILLAGE else '乡镇'}指标"
        self.columns = (
            Column("单位代码", "unit", required=True, kind="unit", unit_label="村(社区)" if level == Level.VILLAGE else "乡镇",
                   unit_filter={"level": level}, aliases=("统计用区划代码", "区划代码", "代码")),
            Column("单位名称", "unit_name", help="仅供核对,按代码导入", aliases=("名称", "村名", "乡镇")),
            *[element_column(e) for e in self.elements],
        )

    def unit_queryset(self, column):
        # units that existed during the period (abolished ones included, for historical sheets)
        return [u for u in self.scope.filter(level=self.level) if services.existed_during(u, self.period)]

    def model_field(self, column):
        return DataValue._meta.get_field("number") if column.kind == "decimal" else None

    def find_existing(self, values: dict):
        """The unit's stored values for the period ({element code: value}), None when it has none."""
        stored = {}
        for v in DataValue.objects.filter(unit=values["unit"], period=self.period,
                                          element__in=self.elements).select_related("element"):
            t = v.element.value_type
            if t == ValueType.BOOL:
                stored[v.element.code] = None if v.number is None else bool(v.number)
            elif t in (ValueType.NUMBER, ValueType.PERCENT):
                stored[v.element.code] = v.number
            else:
                stored[v.element.code] = v.text
        return stored or None

    def record_values(self, record: dict) -> dict:
        return dict(record)

    def clean_row(self, values: dict) -> dict:
        """Part ≤ whole relations of the catalogue, checked at preview (against stored values too)."""
        elements = {e.code: e for e in self.elements}
        cleaned = {}
        for code, element in elements.items():
            v = values.get(code)
            if v is None or v == "":
                continue
            try:
                cleaned[code] = services.clean_value(element, ("是" if v else "否") if isinstance(v, bool) else v)
            except ValidationError:
                continue  # the cell's own check reports it
        errors = services.check_relations(values["unit"], self.period, elements, cleaned, clear_blank=False)
        if errors:
            code, reasons = next(iter(errors.items()))
            raise RowError("、".join(reasons), code)
        return values

    def save_row(self, values: dict) -> str:
        unit = values["unit"]
        raw = {}
        cleared = getattr(values, "cleared", set())
        for e in self.elements:
            v = values.get(e.code)
            if e.code in cleared:
                raw[e.code] = ""  # (清空): remove the stored value
                continue
            if v is None or v == "":
                continue  # blank: leave the stored value alone
            raw[e.code] = ("是" if v else "否") if isinstance(v, bool) else v
        try:
            counts = services.save_values(self.user, unit, self.period, raw, clear_blank=True)
        except (services.IndicatorError, OutOfScope) as exc:
            raise RowError(str(exc), "unit") from None
        except ValidationError as exc:
            code, reasons = next(iter(exc.message_dict.items()))
            raise RowError("、".join(reasons), code) from None
        if counts["created"]:
            return "created"
        return "updated" if counts["updated"] or counts["deleted"] else "unchanged"


def value_rows(importer: ValueImporter, units):
    """Rows of the export (the same sheet as the import template, filled in)."""
    stored = {}
    for v in DataValue.objects.filter(unit__in=units, period=importer.period, element__in=importer.elements).select_related("element"):
        stored[(v.unit_id, v.element_id)] = v.display
    for unit in units:
        yield [unit.code, unit.name, *[stored.get((unit.pk, e.pk), "") for e in importer.elements]]


class CollectiveImporter(Importer):
    title = "村集体经济"
    key = ("village", "year")
    model = CollectiveEconomy
    columns = (
        Column("村代码", "village", required=True, kind="unit", unit_label="村(社区)", unit_filter={"level": Level.VILLAGE},
               aliases=("统计用区划代码", "区划代码")),
        Column("村名称", "village_name", help="仅供核对,按代码导入", aliases=("村名", "名称")),
        Column("年度", "year", required=True, kind="int", min_value=2000, max_value=2100),
        Column("总收入(元)", "total_income", kind="decimal", min_value=0, aliases=("总收入",)),
        Column("经营收入(元)", "business_income", kind="decimal", min_value=0, aliases=("经营收入",)),
        Column("发包及上交收入(元)", "contract_income", kind="decimal", min_value=0, aliases=("发包及上交收入",)),
        Column("投资收益(元)", "investment_income", kind="decimal", min_value=0, aliases=("投资收益",)),
        Column("其他收入(元)", "other_income", kind="decimal", aliases=("其他收入",)),
        Column("资产总额(元)", "assets", kind="decimal", min_value=0, aliases=("资产总额", "资产")),
        Column("负债总额(元)", "liabilities", kind="decimal", min_value=0, aliases=("负债总额", "负债")),
        Column("组织形式", "org_form", kind="choice", choices=tuple(OrgForm.choices)),
        Column("合并后整合方式", "integration_mode", kind="choice", choices=tuple(c for c in IntegrationMode.choices if c[0])),
        Column("备注", "note", width=200),
    )

    def __init__(self, scope, user):
        super().__init__(scope)
        self.user = user

    def unit_queryset(self, column):
        return self.scope.filter(level=Level.VILLAGE)

    def find_existing(self, values):
        return CollectiveEconomy.objects.filter(village=values["village"], year=values["year"]).first()

    def clean_row(self, values):
        operating = sum((values.get(k) or Decimal(0)) for k in ("business_income", "contract_income", "investment_income", "other_income"))
        if values.get("total_income") is not None and operating > values["total_income"]:
            raise RowError(f"总收入小于经营性收入合计({operating:,.2f} 元)", "total_income")
        return values

    def save_row(self, values):
        fields = {k: values.get(k) for k in ("total_income", "business_income", "contract_income", "investment_income",
                                              "other_income", "assets", "liabilities")}
        fields["org_form"] = values.get("org_form") or OrgForm.NONE
        fields["integration_mode"] = values.get("integration_mode") or ""
        fields["note"] = values.get("note") or ""
        try:
            _, outcome = services.save_collective(self.user, values["village"], values["year"], **fields)
        except (services.IndicatorError, OutOfScope) as exc:
            raise RowError(str(exc), "village") from None
        return outcome


def collective_rows(records):
    for r in records:
        yield [r.village.code, r.village.name, r.year, r.total_income, r.business_income, r.contract_income,
               r.investment_income, r.other_income, r.assets, r.liabilities, r.get_org_form_display(),
               r.get_integration_mode_display() if r.integration_mode else "", r.note,
               r.operating_income, r.get_classification_display()]


__all__ = ["ValueImporter", "CollectiveImporter", "value_rows", "collective_rows", "display_value"]
