"""The 任务分解表 (task breakdown sheet) import and export, in the layout counties use:

序号 | 重点任务 | 具体措施 | 牵头单位 | 配合单位 | 责任领导 | 完成时限 (| 讲话部分 | 开始日期 | 佐证材料要求)

Each row is a measure (具体措施) numbered “重点任务序号.措施序号” (1.2); its key task (重点任务) is found or created
by the number before the dot. Bodies are matched by full name, short name, or name after the county's name
(“民政局” → 马尔康市民政局); “各乡镇” among the lead bodies breaks the measure down into one assignment per current
township, led by its 人民政府. An unknown or ambiguous body is an error in its cell; any error refuses the file.
The export writes the same columns, so an exported sheet imports back unchanged.
"""
from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db.models import Q

from xiangcun.bodies import services as body_services
from xiangcun.bodies.models import Body, BodyKind
from xiangcun.core.excel import Column, Importer, RowError
from xiangcun.divisions.levels import Level
from xiangcun.divisions.scoping import subtree_q

from .models import Section, Task, TaskLevel

NUMBER = re.compile(r"^(\d{1,2})\.(\d{1,3})$")
SEPARATORS = re.compile(r"[、,,;;/\s]+")
ALL_TOWNSHIPS = {"各乡镇", "各乡(镇)", "各乡镇人民政府", "各乡镇政府", "各乡镇(街道)"}
SECTIONS = list(Section.choices)
TOWNSHIPS_WORD = "各乡镇"


class BodyList(tuple):
    """Bodies named in a cell, in order; `townships`: the cell said 各乡镇."""

    townships = False

    def __str__(self):
        return "、".join([b.name for b in self] + ([TOWNSHIPS_WORD] if self.townships else []))


class BodyMatcher:
    """Bodies of a county named as people write them: full name, short name, or name after the county's name
    (“民政局” → 马尔康市民政局). Used by the import and by the task form, so both refuse the same names alike."""

    def __init__(self, county):
        self.county = county
        self._bodies = Body.objects.current().filter(subtree_q(county, "unit__path")).select_related("unit")

    def match(self, name: str) -> Body:
        county = self.county.name
        names = {name, f"{county}{name}", f"{county}{name.lstrip('市县')}"}
        shorts = {name, name.removesuffix("局")}
        found = list(self._bodies.filter(Q(name__in=names) | Q(short_name__in=shorts))[:6])
        exact = [b for b in found if b.name in names]
        found = exact or found
        if not found:
            raise ValidationError(f"机构“{name}”未在{county}的机构名录中登记")
        if len(found) > 1:
            sample = "、".join(b.name for b in found[:3])
            raise ValidationError(f"“{name}”对应多个机构({sample}{'等' if len(found) > 3 else ''}),请写全称")
        return found[0]

    def names(self, text) -> BodyList:
        """The bodies named in `text` (separated by 、,; or spaces); every unknown or ambiguous name at once."""
        problems, bodies, townships = [], [], False
        for name in [n for n in SEPARATORS.split(str(text)) if n]:
            if name in ALL_TOWNSHIPS:
                townships = True
                continue
            try:
                body = self.match(name)
            except ValidationError as exc:
                problems.append(exc.messages[0])
            else:
                if body not in bodies:
                    bodies.append(body)
        if problems:
            raise ValidationError(";".join(problems))
        out = BodyList(bodies)
        out.townships = townships
        return out

    def choices(self):
        """Current bodies' names, for a datalist beside a name field."""
        return list(self._bodies.order_by("unit__path", "name").values_list("name", flat=True)[:500])


def _columns(lead, supporting):
    return (
        Column("序号", "number", required=True, width=20, help="重点任务序号.措施序号,如 1.2"),
        Column("重点任务", "key_title", required=True, width=200),
        Column("具体措施", "content", required=True, width=2000),
        Column("牵头单位", "lead_names", required=True, width=500, validator=lead,
               help="机构全称或简称,多个用顿号分隔;填“各乡镇”分解到每个乡镇人民政府"),
        Column("配合单位", "supporting_names", width=1000, validator=supporting, help="机构全称或简称,多个用顿号分隔"),
        Column("责任领导", "leader", width=50),
        Column("完成时限", "deadline", required=True, kind="date"),
        Column("讲话部分", "section", kind="choice", choices=SECTIONS, help="不填时按重点任务序号对应讲话的第几部分"),
        Column("开始日期", "start", kind="date"),
        Column("佐证材料要求", "evidence_required", width=300),
    )


HEADERS = [c.header for c in _columns(None, None)]


class TaskImporter(Importer):
    title = "任务分解表"
    key = ("number",)
    model = Task

    def __init__(self, county, user=None):
        super().__init__()
        self.county, self.user = county, user
        self.columns = _columns(self._lead_cell, self._supporting_cell)
        self._matcher = BodyMatcher(county)
        self._key_titles = {}

    # bodies by name ---------------------------------------------------------------------------------

    def _match(self, name: str) -> Body:
        return self._matcher.match(name)

    def _names(self, text) -> BodyList:
        return self._matcher.names(text)

    def _lead_cell(self, text):
        return self._names(text)

    def _supporting_cell(self, text):
        """Supporting bodies; “各乡镇” here makes every current township's 人民政府 a supporting body."""
        names = self._names(text)
        if names.townships:
            out = BodyList(list(names) + [g for g in self.township_governments() if g not in names])
            return out
        return names

    def township_governments(self):
        return list(Body.objects.current().filter(kind=BodyKind.TOWNSHIP_GOVERNMENT, unit__parent=self.county,
                                                  unit__valid_to__isnull=True, unit__level=Level.TOWNSHIP)
                    .select_related("unit").order_by("unit__code"))

    # rows -----------------------------------------------------------------------------------------------

    def find_existing(self, values):
        return Task.objects.filter(county=self.county, number=values["number"]).first() if values.get("number") else None

    def record_values(self, record) -> dict:
        values = super().record_values(record)
        values["key_title"] = record.parent.title if record.parent_id else ""
        return values

    def display_value(self, column, value) -> str:
        if isinstance(value, BodyList):
            return str(value)
        return super().display_value(column, value)

    def clean_row(self, values):
        match = NUMBER.match(values.get("number") or "")
        if not match:
            raise RowError("序号应写作“重点任务序号.措施序号”,如 1.2", "number")
        key_no = match.group(1)
        title = values.get("key_title") or ""
        seen = self._key_titles.setdefault(key_no, title)
        if seen != title:
            raise RowError(f"重点任务 {key_no} 在本表中名称不一致(“{seen}”与“{title}”)", "key_title")
        if not values.get("section"):
            index = int(key_no) - 1
            if not 0 <= index < len(SECTIONS):
                raise RowError("重点任务序号不是 1–6 时请填写讲话部分", "section")
            values["section"] = SECTIONS[index][0]
        lead = values.get("lead_names")
        if lead is not None and not lead and not lead.townships:
            raise RowError("请填写牵头单位", "lead_names")
        if values.get("start") and values.get("deadline") and values["deadline"] < values["start"]:
            raise RowError(f"完成时限({values['deadline']:%Y-%m-%d})不能早于开始日期({values['start']:%Y-%m-%d})",
                           "deadline")
        return values

    def save_row(self, values):
        key_no = values["number"].split(".")[0]
        office = body_services.department_body(self.county, "改革办")
        key = Task.objects.filter(county=self.county, number=key_no).first()
        if key is None:
            key = Task.objects.create(county=self.county, number=key_no, level=TaskLevel.KEY, title=values["key_title"],
                                      section=values["section"], lead=office, deadline=values["deadline"],
                                      start=values.get("start"))
        else:
            changed = False
            if key.title != values["key_title"]:
                key.title, changed = values["key_title"], True
            if values["deadline"] > key.deadline:  # a key task ends with its last measure
                key.deadline, changed = values["deadline"], True
            if changed:
                key.save()
        lead_names = values["lead_names"]
        lead = lead_names[0] if lead_names else office
        supporting = list(lead_names[1:])
        if "supporting_names" in values.provided or values.get("supporting_names"):
            supporting += [b for b in values["supporting_names"] or () if b not in supporting and b != lead]
        fields = {"level": TaskLevel.MEASURE, "parent": key, "title": values["content"][:200],
                  "content": values["content"], "section": values["section"], "lead": lead,
                  "leader": values.get("leader") or "", "deadline": values["deadline"], "start": values.get("start"),
                  "evidence_required": values.get("evidence_required") or ""}
        task = Task.objects.filter(county=self.county, number=values["number"]).first()
        created = task is None
        old_support = set() if created else set(task.supporting.values_list("pk", flat=True))
        changed = created or any(getattr(task, k) != v for k, v in fields.items())
        task = task or Task(county=self.county, number=values["number"])
        if changed:
            for k, v in fields.items():
                setattr(task, k, v)
            task.save()
        keep_support = not created and "supporting_names" not in values.provided and len(lead_names) <= 1
        if not keep_support and old_support != {b.pk for b in supporting}:
            task.supporting.set(supporting)
            changed = True
        if lead_names.townships:
            changed = self._assign_townships(task) or changed
        return "created" if created else ("updated" if changed else "unchanged")

    def _assign_townships(self, measure: Task) -> bool:
        """One assignment per current township, led by its 人民政府 (missing ones only; numbering 1.2.1 …)."""
        govs = self.township_governments()
        existing = {t.lead_id: t for t in measure.children.all()}
        made = False
        for i, gov in enumerate(govs, start=1):
            if gov.pk in existing:
                continue
            number = f"{measure.number}.{i}"
            while Task.objects.filter(county=self.county, number=number).exists():
                number += "'"
            Task.objects.create(county=self.county, number=number, level=TaskLevel.ASSIGNMENT, parent=measure,
                                title=measure.title, content=measure.content, section=measure.section, lead=gov,
                                leader="", deadline=measure.deadline, start=measure.start,
                                evidence_required=measure.evidence_required)
            made = True
        return made


def export_rows(measures):
    """The measures in the import's layout (their key task's title beside them)."""
    for t in measures:
        lead = t.lead.name + ("、" + TOWNSHIPS_WORD if any(c.level == TaskLevel.ASSIGNMENT for c in t.children.all()) else "")
        yield [t.number, t.parent.title if t.parent_id else "", t.content or t.title, lead,
               "、".join(b.name for b in t.supporting.all()), t.leader, t.deadline, t.get_section_display(), t.start,
               t.evidence_required]
