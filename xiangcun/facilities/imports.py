"""Excel columns of the facilities module: the facility ledger, enrolment by grade, population by cohort."""
from __future__ import annotations

from xiangcun.core.excel import Column, Importer, RowError
from xiangcun.divisions.models import Level

from . import permissions, services
from .models import COHORTS, Cohort, Condition, Facility, FacilityType, SchoolGrade, grade_label

FACILITY_COLUMNS = (
    Column("设施名称", "name", required=True, width=100),
    Column("类型", "type", required=True, kind="choice", choices=FacilityType.choices),
    Column("所在单位代码", "unit", required=True, kind="unit", unit_label="乡镇或村(社区)",
           unit_filter={"level__in": (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)}),
    Column("经度", "lon", kind="decimal", min_value=-180, max_value=180),
    Column("纬度", "lat", kind="decimal", min_value=-90, max_value=90),
    Column("班级数", "classes", kind="int", min_value=0),
    Column("在校生/在园幼儿", "enrolment", kind="int", min_value=0),
    Column("床位数", "beds", kind="int", min_value=0),
    Column("在住/日均住院", "occupancy", kind="int", min_value=0),
    Column("工作人员", "staff", kind="int", min_value=0),
    Column("房屋状况", "condition", kind="choice", choices=Condition.choices),
    Column("建成年份", "built_year", kind="int", min_value=1900, max_value=2100),
    Column("备注", "note", width=300),
)


class FacilityImporter(Importer):
    title = "公共服务设施"
    columns = FACILITY_COLUMNS
    key = ("unit", "name")
    model = Facility

    def find_existing(self, values):
        return Facility.objects.filter(unit=values["unit"], name=values["name"]).first()

    def __init__(self, scope=None, user=None):
        super().__init__(scope)
        self.user = user

    def clean_row(self, values):
        if self.user is not None and not permissions.may_edit_facility(self.user, values["type"]):
            raise RowError("您的部门不能维护该类设施", "type")
        return values

    def save_row(self, values):
        # blank cells of an existing facility already hold its stored values; None is a cleared
        # (nullable) field, or a blank one of a new facility that keeps the model's default
        nullable = {f.name for f in Facility._meta.concrete_fields if f.null}
        fields = {k: v for k, v in values.items() if k not in ("unit", "name") and (v is not None or k in nullable)}
        for k in ("lon", "lat"):
            if fields.get(k) is not None:
                fields[k] = float(fields[k])
        f = Facility.objects.filter(unit=values["unit"], name=values["name"]).first()
        if f is not None and all(getattr(f, k) == v for k, v in fields.items()):
            return "unchanged"
        created = f is None
        f = f or Facility(unit=values["unit"], name=values["name"])
        for k, v in fields.items():
            setattr(f, k, v)
        f.save()
        return "created" if created else "updated"


def facility_rows(qs):
    for f in qs:
        yield [f.name, f.get_type_display(), f.unit.code or f.unit.name, f.lon, f.lat, f.classes, f.enrolment, f.beds,
               f.occupancy, f.staff, f.get_condition_display(), f.built_year, f.note]


class GradeImporter(Importer):
    title = "分年级在校生"
    columns = (
        Column("所在单位代码", "unit", required=True, kind="unit", unit_label="乡镇或村(社区)",
               unit_filter={"level__in": (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)}),
        Column("学校名称", "name", required=True, width=100),
        Column("年级", "grade", required=True, kind="int", min_value=0, max_value=12, help="0 为学前,1–6 小学,7–9 初中,10–12 高中"),
        Column("班级数", "classes", required=True, kind="int", min_value=0),
        Column("学生数", "pupils", required=True, kind="int", min_value=0),
    )
    key = ("unit", "name", "grade")
    model = SchoolGrade

    def find_existing(self, values):
        return SchoolGrade.objects.filter(facility__unit=values["unit"], facility__name=values["name"],
                                          grade=values["grade"]).first()

    def clean_row(self, values):
        f = Facility.objects.filter(unit=values["unit"], name=values["name"]).first()
        if f is None:
            raise RowError("该单位下没有这所学校,请先导入设施台账", "name")
        values["facility"] = f
        return values

    def save_row(self, values):
        f = values["facility"]
        g = SchoolGrade.objects.filter(facility=f, grade=values["grade"]).first()
        if g and g.classes == values["classes"] and g.pupils == values["pupils"]:
            return "unchanged"
        SchoolGrade.objects.update_or_create(facility=f, grade=values["grade"],
                                             defaults={"classes": values["classes"], "pupils": values["pupils"]})
        rows = list(f.grades.all())
        f.classes, f.enrolment = sum(r.classes for r in rows), sum(r.pupils for r in rows)
        f.save()
        return "updated" if g else "created"


def grade_rows(qs):
    for g in qs:
        yield [g.facility.unit.code or g.facility.unit.name, g.facility.name, g.grade, g.classes, g.pupils]


class CohortImporter(Importer):
    """Population by cohort of a village, or of one of its villager groups (村民小组 have no statistical
    code: the row gives the village's code and the group's name, looked up within that village)."""

    title = "分年龄段人口"
    columns = (
        Column("村(社区)代码", "unit", required=True, kind="unit", unit_label="村(社区)", unit_filter={"level": Level.VILLAGE},
               help="村民小组的人口也填所属村的代码"),
        Column("村民小组", "group", kind="unit", lookup="name", within="unit", unit_label="村民小组",
               unit_filter={"level": Level.GROUP}, aliases=("村民小组名称", "小组"),
               help="留空为全村人口;填小组名称(如 一组)则为该小组人口。测算时一个村有全村人口就用全村数,"
                    "没有才把各小组相加"),
        Column("年度", "year", required=True, kind="int", min_value=2000, max_value=2100),
        *(Column(label, f, kind="int", min_value=0) for f, label in COHORTS),
        Column("来源", "source", width=100),
    )
    key = ("unit", "group", "year")
    model = Cohort

    def find_existing(self, values):
        return Cohort.objects.filter(unit=values.get("group") or values["unit"], year=values["year"]).first()

    def __init__(self, scope=None, user=None):
        super().__init__(scope)
        self.user = user

    def clean_row(self, values):
        parts = sum(values.get(f) or 0 for f in ("age_3_5", "age_6_11", "age_12_14", "age_15_17", "age_65_plus"))
        if values.get("total") is not None and parts > values["total"]:
            raise RowError("各年龄段之和大于总人口", "total")
        return values

    def save_row(self, values):
        data = {f: values.get(f) or 0 for f, _ in COHORTS}  # blank cells of a stored year hold its values
        unit = values.get("group") or values["unit"]
        _, outcome = services.save_cohort(self.user, unit, values["year"], data, values.get("source") or "")
        return outcome


def cohort_rows(qs):
    """Rows in the import's columns (a villager group as its village's code and its own name), so an
    export can be edited and imported back."""
    for c in qs:
        group = c.unit if c.unit.level == Level.GROUP else None
        village = c.unit.parent if group else c.unit
        yield [village.code or village.name, group.name if group else "", c.year, *(getattr(c, f) for f, _ in COHORTS),
               c.source]


__all__ = ["CohortImporter", "FacilityImporter", "GradeImporter", "grade_label"]
