"""Importing the 民政 / 残联 lists from Excel. A person is found by the blind index of their 身份证号 (nothing is
decrypted to compare): the same number in the same village updates the record; in another village, or twice in
the file in different villages, it is a duplicate reported with both rows. Every error of every row is listed by
row and column, and nothing is written while any remains."""
from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from xiangcun.core.crypto import mask_id_number
from xiangcun.core.excel import Column, Error, Importer, RowError
from xiangcun.core.validators import id_number, mobile
from xiangcun.divisions.levels import Level

from .models import CATEGORIES, DifficultyType, DisabilityCategory, DisabilityGrade, Person, RiskLevel, SupportMode, id_index_of

CATEGORY_BY_LABEL = {label: field for field, label in CATEGORIES.items()} | {
    "留守儿童": "left_behind_child", "留守老人": "left_behind_elderly", "留守老年人": "left_behind_elderly",
    "特困供养人员": "extreme_poverty"}


def parse_categories(value) -> list[str]:
    """"农村留守儿童、残疾人" → ["left_behind_child", "disabled"]; an unknown name is an error naming it."""
    out = []
    for part in re.split(r"[、,,;;/\s]+", str(value or "").strip()):
        if not part:
            continue
        field = CATEGORY_BY_LABEL.get(part)
        if field is None:
            raise ValidationError(f"“{part}”不是关爱类别,应为:{'、'.join(CATEGORIES.values())}")
        if field not in out:
            out.append(field)
    if not out:
        raise ValidationError("不能为空")
    return out


COLUMNS = (
    Column("姓名", "name", required=True, width=30),
    Column("身份证号", "id_number", required=True, validator=id_number, width=18, aliases=("公民身份号码", "身份证号码")),
    Column("村(社区)代码", "village", required=True, kind="unit", unit_label="村(社区)",
           unit_filter={"level": Level.VILLAGE}, aliases=("所属村代码", "村代码")),
    Column("村民小组", "group", width=30, help="所在村已登记的村民小组名称"),
    Column("关爱类别", "categories", required=True, validator=parse_categories, width=60,
           help="可填多个,用顿号分隔:" + "、".join(CATEGORIES.values())),
    Column("困境儿童类型", "difficulty_type", kind="choice", choices=DifficultyType.choices),
    Column("残疾类别", "disability_category", kind="choice", choices=DisabilityCategory.choices),
    Column("残疾等级", "disability_grade", kind="choice", choices=DisabilityGrade.choices),
    Column("残疾证号", "disability_card", width=30),
    Column("供养方式", "support_mode", kind="choice", choices=SupportMode.choices),
    Column("风险等级", "risk_level", kind="choice", choices=RiskLevel.choices, help="不填为“一般”"),
    Column("风险原因", "risk_reason", width=200),
    Column("住址", "address", width=200),
    Column("监护人或联系人", "guardian_name", width=30, aliases=("监护人", "联系人")),
    Column("与本人关系", "guardian_relation", width=20),
    Column("联系电话", "guardian_phone", validator=mobile, aliases=("监护人电话",)),
    Column("登记日期", "registered_on", kind="date"),
)
HEADERS = [c.header for c in COLUMNS]
# the 12 columns of a person the form shows beside the categories (what the export writes)
EXPORT_HEADERS = HEADERS


def export_rows(people):
    for p in people:
        yield [p.name, p.id_number, p.village.code, p.group.name if p.group_id else "", "、".join(
            label for field, label in CATEGORIES.items() if getattr(p, f"is_{field}")),
            p.get_difficulty_type_display(), p.get_disability_category_display(), p.get_disability_grade_display(),
            p.disability_card, p.get_support_mode_display(), p.get_risk_level_display(), p.risk_reason, p.address,
            p.guardian_name, p.guardian_relation, p.guardian_phone, p.registered_on]


_FIELD_COLUMN = {f"is_{c}": "categories" for c in CATEGORIES}


class PersonImporter(Importer):
    title = "关爱对象名单"
    columns = COLUMNS
    key = ()  # duplicates are found through the blind index (see parse), reported with both rows and villages
    model = Person

    def __init__(self, user=None):
        from xiangcun.divisions.models import Division

        super().__init__(Division.objects.visible_to(user) if user is not None else Division.objects.all())
        self.user = user

    def find_existing(self, values):
        """The person of this 身份证号 in the same village (an update); in another village a duplicate."""
        number = values.get("id_number")
        if not number:
            return None
        person = Person.objects.filter(id_index=id_index_of(number)).select_related("village").first()
        if person is None:
            return None
        village = values.get("village")
        if village is not None and person.village_id != village.pk:
            raise RowError(f"身份证号 {mask_id_number(number)} 已登记在{person.village.name}(关爱对象 {person.masked_name}),"
                           f"与本行的{village.name}不同:同一人不能在两个村重复登记", "id_number")
        return person

    def record_values(self, record) -> dict:
        values = super().record_values(record)
        values.pop("id_number", None)  # the key of the row: never "changed"
        values["group"] = record.group.name if record.group_id else ""
        return values

    def _group(self, values):
        name, village = (values.get("group") or "").strip(), values.get("village")
        if not name or village is None:
            return None
        group = village.children.filter(level=Level.GROUP, name=name, valid_to__isnull=True).first()
        if group is None:
            raise RowError(f"{village.name}没有名为“{name}”的村民小组", "group")
        return group

    def _person(self, values, record=None) -> Person:
        person = record or Person()
        person.set_id_number(values["id_number"])
        person.name, person.village, person.group = values["name"], values["village"], self._group(values)
        categories = values.get("categories") or []
        for c in CATEGORIES:
            setattr(person, f"is_{c}", c in categories)
        for f in ("difficulty_type", "disability_category", "disability_grade", "disability_card", "support_mode",
                  "risk_reason", "address", "guardian_name", "guardian_relation", "guardian_phone"):
            setattr(person, f, values.get(f) or "")
        person.risk_level = values.get("risk_level") or RiskLevel.GENERAL
        if values.get("registered_on"):
            person.registered_on = values["registered_on"]
        return person

    def clean_row(self, values):
        from . import services

        if not values.get("categories"):
            raise RowError("不能为空", "categories")
        person = self._person(values)
        try:
            services.check_person(person)
        except services.CareError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise RowError(";".join(messages), _FIELD_COLUMN.get(field, field)) from None
        return values

    def parse(self, upload):
        """The framework's checks, then duplicates within the file found through the blind index: both rows
        are reported, each naming the other row and its village (nothing is imported while they remain)."""
        result = super().parse(upload)
        seen: dict[str, list] = {}
        for row in result.rows:
            seen.setdefault(id_index_of(row.values["id_number"]), []).append(row)
        bad = set()
        for rows in seen.values():
            if len(rows) < 2:
                continue
            for row in rows:
                others = "、".join(f"第 {o.line} 行({o.values['village'].name})" for o in rows if o is not row)
                where = "两个村" if len({r.values["village"].pk for r in rows}) > 1 else "同一村"
                result.errors.append(Error(row.line, "身份证号", mask_id_number(row.values["id_number"]),
                                           f"与{others}是同一身份证号:同一人在{where}重复登记"))
                bad.add(row.line)
        if bad:
            result.rows = [r for r in result.rows if r.line not in bad]
            result.errors.sort(key=lambda e: e.row)
        return result

    def save_row(self, values):
        from . import services
        from .models import Person as P

        record = P.objects.filter(id_index=id_index_of(values["id_number"])).first()
        person = self._person(values, record)
        services.ensure_in_scope(self.user, person.village)
        services.check_person(person)
        person.save()
        return "created" if record is None else "updated"
