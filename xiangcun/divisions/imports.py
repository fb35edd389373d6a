"""Villager groups (村民小组): hand entry and Excel import per village.

Columns: 村民小组名称, 所属村代码 (12 digits), 户数, 人口. The Excel framework (core/excel.py) checks
every row first and reports every error; nothing is written unless all rows pass. A group that
already exists in its village (same name) is updated, so re-importing the same file changes nothing.
"""
from __future__ import annotations

from xiangcun.core import validators
from xiangcun.core.excel import Column, Importer, RowError

from . import services
from .models import Division, Kind, Level


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
