"""Importing the items of a draft list from Excel (the usual table layout); the export has the same columns.

权责清单: natural key 事项名称; 承办机构 is the township office's short or full name (a template keeps the short name).
属地事项: natural key 事项名称; a row is refused unless an approved 准入 request of that name covers the township —
nothing reaches a township's 属地事项 list without 事项准入.
"""
from __future__ import annotations

from xiangcun.bodies.models import Body, BodyKind
from xiangcun.bodies.services import county_of
from xiangcun.core.excel import Column, Importer, RowError

from . import services
from .models import Admission, AdmissionStatus, Category, DutyItem, ListKind, LocalItem

DUTY_COLUMNS = (
    Column("事项名称", "name", required=True, width=200),
    Column("事项类别", "category", required=True, kind="choice", choices=Category.choices, aliases=("类别", "权力类别")),
    Column("设定依据", "legal_basis", width=4000, aliases=("法律依据", "实施依据")),
    Column("承办机构", "office", required=True, width=100, help="乡镇内设机构或事业单位的简称或全称,如“综合行政执法办公室”",
           aliases=("承办科室", "责任机构")),
    Column("责任事项", "duties", width=4000),
    Column("追责情形", "accountability", width=4000),
)
LOCAL_COLUMNS = (
    Column("事项名称", "name", required=True, width=200),
    Column("主体责任部门", "department", required=True, width=100, help="县级部门简称或全称,如“应急”“马尔康市应急管理局”"),
    Column("乡镇配合责任", "cooperation", required=True, width=300, aliases=("配合责任",)),
    Column("设定依据", "legal_basis", width=4000, aliases=("法律依据",)),
)


def columns_of(lst):
    return DUTY_COLUMNS if lst.kind == ListKind.DUTIES else LOCAL_COLUMNS


def headers_of(lst):
    return [c.header for c in columns_of(lst)]


def export_rows(lst):
    if lst.kind == ListKind.DUTIES:
        for i in lst.duty_items.select_related("body").order_by("category", "name"):
            yield [i.name, i.get_category_display(), i.legal_basis, i.office_label(), i.duties, i.accountability]
    else:
        for i in lst.local_items.select_related("department").order_by("department__name", "name"):
            yield [i.name, i.department.name, i.cooperation, i.legal_basis]


class ItemImporter(Importer):
    key = ("name",)

    def __init__(self, lst, user=None):
        super().__init__()
        self.lst, self.user = lst, user
        self.columns = columns_of(lst)
        self.model = DutyItem if lst.kind == ListKind.DUTIES else LocalItem
        self.title = f"{lst.unit.name}{lst.get_kind_display()}"

    def find_existing(self, values):
        return self.model.objects.filter(list=self.lst, name=values["name"]).first()

    def record_values(self, record) -> dict:
        values = super().record_values(record)
        if isinstance(record, DutyItem):
            values["office"] = record.office_label()
        else:
            values["department"] = record.department.name
        return values

    # --- lookups

    def _office(self, name):
        if self.lst.is_template:
            return None
        body = services.township_body(self.lst.unit, name)
        if body is None:
            raise RowError(f"承办机构“{name}”不是{self.lst.unit.name}已登记的现存机构", "office")
        return body

    def _department(self, name):
        county = county_of(self.lst.unit)
        qs = Body.objects.filter(kind=BodyKind.COUNTY_DEPARTMENT, unit=county, valid_to__isnull=True)
        body = qs.filter(short_name=name).first() or qs.filter(name=name).first()
        if body is None:
            raise RowError(f"主体责任部门“{name}”不是{county.name}已登记的县级部门", "department")
        return body

    def _admission(self, values):
        county = county_of(self.lst.unit)
        approved = Admission.objects.filter(unit=county, name=values["name"], status=AdmissionStatus.APPROVED).order_by("-decided_at")
        for admission in approved:
            targets = list(admission.townships.all())
            if self.lst.is_template or not targets or self.lst.unit in targets:
                return admission
        raise RowError(f"事项“{values['name']}”未经事项准入审批通过(或准入范围不含{self.lst.unit.name}),不能列入属地事项清单",
                       "name")

    def clean_row(self, values):
        if self.lst.kind == ListKind.DUTIES:
            self._office(values.get("office") or "")
        else:
            self._department(values.get("department") or "")
            self._admission(values)
        return values

    def save_row(self, values):
        if not self.lst.is_draft:
            raise RowError("已发布的清单不能修改:请起草新版本")
        existing = self.find_existing(values)
        if self.lst.kind == ListKind.DUTIES:
            body = self._office(values["office"])
            fields = {"category": values["category"], "legal_basis": values.get("legal_basis") or "",
                      "body": body, "office_name": body.short_name if body else values["office"],
                      "duties": values.get("duties") or "", "accountability": values.get("accountability") or ""}
            item = existing or DutyItem(list=self.lst, name=values["name"])
            if existing and all(getattr(existing, k) == v for k, v in fields.items()):
                return "unchanged"
            for k, v in fields.items():
                setattr(item, k, v)
            item.save()
            return "updated" if existing else "created"
        department = self._department(values["department"])
        if existing and existing.department_id == department.pk and existing.cooperation == values["cooperation"] \
                and existing.legal_basis == (values.get("legal_basis") or ""):
            return "unchanged"
        services.add_local_item(self.lst, self._admission(values), department=department,
                                cooperation=values["cooperation"], legal_basis=values.get("legal_basis") or "")
        return "updated" if existing else "created"
