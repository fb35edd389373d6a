"""Villager groups (村民小组): hand entry and Excel import per village.

Columns: 村民小组名称, 所属村代码 (12 digits), 户数, 人口. The Excel framework (core/excel.py) checks
every row first and reports every error; nothing is written unless all rows pass. A group that
already exists in its village (same name) is updated, so re-importing the same file changes nothing.
"""
from __future__ import annotations

from xiangcun.core import validators
from xiangcun.core.excel import Column, Importer, RowError

from . import services
from .models import ChangeEvent, Division, EventSource, EventType, Kind, Level


class GroupImporter(Importer):
    title = "村民小组"
    columns = (
        Column("村民小组名称", "name", required=True, width=100, help="例如 一组、二组"),
        Column("所属村代码", "village", required=True, kind="unit", lookup="code", unit_label="村(社区)",
               unit_filter={"level": Level.VILLAGE}, validator=validators.division_code,
               help="村(社区)的统计用区划代码,如 513201100200", aliases=("村代码", "村(社区)代码")),
        Column("户数", "households", kind="int", min_value=0),
        Column("人口", "population", kind="int", min_value=0),
    )
    key = ("village", "name")
    model = Division

    def find_existing(self, values):
        return Division.objects.filter(parent=values["village"], name=values["name"], valid_to__isnull=True).first()

    def __init__(self, scope=None, when=None):
        super().__init__(scope)
        self.when = when

    def save_row(self, values: dict) -> str:
        try:
            return save_group(values["village"], values["name"], values["households"], values["population"], self.when)
        except services.DivisionError as exc:
            raise RowError(str(exc), "village") from None


def save_group(village: Division, name: str, households, population, when=None) -> str:
    """Create or update one villager group of a village; returns 'created', 'updated' or 'unchanged'."""
    if village.level != Level.VILLAGE or village.valid_to is not None:
        raise services.DivisionError(f"{village.name}不是现有的村级单位")
    existing = Division.objects.filter(parent=village, name=name, valid_to__isnull=True).first()
    if existing is None:
        services.create_unit(name, Kind.VILLAGER_GROUP, village, when or village.valid_from,
                             households=households, population=population)
        return "created"
    if (existing.households, existing.population) == (households, population):
        return "unchanged"
    existing.households, existing.population = households, population
    existing.save(update_fields=["households", "population"])
    return "updated"


# --- change events --------------------------------------------------------------------------------

EVENT_TYPES = (
    (EventType.MERGE, "合并"),
    (EventType.RENAME, "更名"),
    (EventType.TOWNSHIP_TO_TOWN, "撤乡设镇"),
    (EventType.TO_SUBDISTRICT, "撤镇(乡)设街道"),
    (EventType.TRANSFER, "隶属变更"),
    (EventType.ABOLISH, "撤销"),
    (EventType.ESTABLISH, "设立"),
)
NEEDS = {  # what each type needs besides its date
    EventType.MERGE: ("unit", "target"),
    EventType.RENAME: ("unit", "new_name"),
    EventType.TOWNSHIP_TO_TOWN: ("unit", "new_name"),
    EventType.TO_SUBDISTRICT: ("unit", "new_name"),
    EventType.TRANSFER: ("unit", "target"),
    EventType.ABOLISH: ("unit",),
    EventType.ESTABLISH: ("target", "new_name", "new_kind"),
}
FIELD_HEADERS = {"unit": "涉及单位代码", "target": "并入单位或新上级代码", "new_name": "新名称", "new_kind": "新类别"}


class EventImporter(Importer):
    """区划变更 from a sheet, one event per row, applied in row order through the registry services.

    A row already applied (the same type, date and unit) is left alone, so re-importing changes nothing.
    """

    title = "区划变更"
    columns = (
        Column("变更类型", "type", required=True, kind="choice", choices=EVENT_TYPES),
        Column("生效日期", "date", required=True, kind="date"),
        Column("批复文号", "document", width=100, help="例如 川府民政〔2019〕22号"),
        Column("涉及单位代码", "unit", kind="unit", lookup="code", unit_label="单位",
               help="被撤并、更名、转移或撤销的单位"),
        Column("并入单位或新上级代码", "target", kind="unit", lookup="code", unit_label="单位",
               help="合并:并入的单位;隶属变更:新上级;设立:上级单位"),
        Column("新名称", "new_name", width=100),
        Column("新类别", "new_kind", kind="choice", choices=tuple(Kind.choices)),
        Column("新代码", "new_code", kind="code", width=12),
        Column("说明", "note", width=500),
    )
    key = ("type", "date", "unit", "new_name")
    model = ChangeEvent

    def find_existing(self, values):
        """An event already applied: importing the row again changes nothing."""
        if self._applied(values["type"], values["date"], values.get("unit"), values.get("target"), values.get("new_name")):
            return ChangeEvent(type=values["type"], effective_date=values["date"])
        return None

    def record_values(self, record):
        return {}

    def unit_queryset(self, column):
        # Units already merged away must still be found (re-importing the same sheet); where a code
        # was reused, the unit that carries it now wins.
        units = self.scope.filter(**column.unit_filter)
        return list(units.filter(valid_to__isnull=False).order_by("valid_to")) + list(units.filter(valid_to__isnull=True))

    def clean_row(self, values: dict) -> dict:
        missing = [FIELD_HEADERS[f] for f in NEEDS[values["type"]] if not values.get(f)]
        if missing:
            label = dict(EVENT_TYPES)[values["type"]]
            raise RowError(f"“{label}”需要填写:{'、'.join(missing)}", "type")
        return values

    def save_row(self, values: dict) -> str:
        t, when, unit, target = values["type"], values["date"], values.get("unit"), values.get("target")
        if self._applied(t, when, unit, target, values.get("new_name")):
            return "unchanged"
        kw = {"document": values.get("document") or "", "note": values.get("note") or "",
              "source": EventSource.IMPORT}
        try:
            if t == EventType.MERGE:
                services.merge([unit], when, into=target, **kw)
            elif t in (EventType.RENAME, EventType.TOWNSHIP_TO_TOWN, EventType.TO_SUBDISTRICT):
                services.rename(unit, when, name=values["new_name"], kind=values.get("new_kind") or None,
                                code=values.get("new_code") or None, type_=t, **kw)
            elif t == EventType.TRANSFER:
                services.transfer(unit, target, when, code=values.get("new_code") or None, **kw)
            elif t == EventType.ABOLISH:
                services.abolish(unit, when, **kw)
            else:
                services.establish(values["new_name"], values["new_kind"], target, when,
                                   code=values.get("new_code") or "", **kw)
        except services.DivisionError as exc:
            raise RowError(str(exc), "unit" if unit else "target") from None
        return "created"

    @staticmethod
    def _applied(t, when, unit, target, new_name) -> bool:
        if t == EventType.ESTABLISH:
            return Division.objects.filter(parent=target, name=new_name, valid_from=when).exists()
        return ChangeEvent.objects.filter(type=t, effective_date=when, predecessors=unit).exists()
