"""Importing the townships' farmland figures (耕地保护任务) from Excel; natural key: 乡镇代码 + 年度. The page's export
has the same columns (and a few read-only ones the import ignores: the gaps and the status)."""
from __future__ import annotations

from xiangcun.core.excel import Column, Importer, RowError
from xiangcun.divisions.levels import Level

from . import farmland
from .errors import ZoneError
from .models import FarmlandTarget

COLUMNS = (
    Column("乡镇代码", "unit", required=True, kind="unit", unit_label="乡镇", unit_filter={"level": Level.TOWNSHIP},
           aliases=("区划代码",)),
    Column("年度", "year", required=True, kind="int", min_value=2000, max_value=2100),
    Column("耕地保有量下达任务(亩)", "cultivated_target", kind="decimal", aliases=("耕地保有量任务(亩)",)),
    Column("耕地保有量实有(亩)", "cultivated_actual", kind="decimal"),
    Column("永久基本农田下达任务(亩)", "basic_target", kind="decimal", aliases=("永久基本农田任务(亩)",)),
    Column("永久基本农田实有(亩)", "basic_actual", kind="decimal"),
    Column("说明", "note"),
)
HEADERS = [c.header for c in COLUMNS]


class FarmlandImporter(Importer):
    title = "耕地保护任务"
    columns = COLUMNS
    key = ("unit", "year")
    model = FarmlandTarget

    def __init__(self, user=None):
        from xiangcun.divisions.models import Division

        super().__init__(Division.objects.visible_to(user) if user is not None else Division.objects.all())
        self.user = user

    def find_existing(self, values):
        return FarmlandTarget.objects.filter(unit=values["unit"], year=values["year"]).first()

    def save_row(self, values):
        unit, year = values["unit"], values["year"]
        row = FarmlandTarget.objects.filter(unit=unit, year=year).first()
        figures = {f: values.get(f) for f in farmland.FIGURES}
        note = values.get("note") or ""
        if row is not None and all(getattr(row, f) == v for f, v in figures.items()) and row.note == note:
            return "unchanged"
        try:
            farmland.save_target(self.user, unit, year, figures, note)
        except ZoneError as exc:
            raise RowError(str(exc)) from None
        return "updated" if row is not None else "created"
