"""What the reform dashboard (改革驾驶舱) and the meeting report show, computed once for a place and a year."""
from __future__ import annotations

import datetime as dt

from django.db.models import Max

from xiangcun.divisions import stats
from xiangcun.divisions.models import Division, Edition, Level

from . import aggregate, services
from .models import (
    CollectiveEconomy, DataElement, DataValue, EconomyClass, Parameter, Target, ValueType, display_value,
)

FIRST_YEAR = 2019
TREND_CODES = ["PLAN_VILLAGE_RATE", "ROAD_HARD_RATE", "TOILET_RATE", "WATER_TAP_RATE"]


def latest_year() -> str:
    """The latest year with values, else last year."""
    latest = DataValue.objects.filter(period__regex=r"^\d{4}$").aggregate(m=Max("period"))["m"]
    return latest or str(dt.date.today().year - 1)


def year_range(year: str) -> list[str]:
    return [str(y) for y in range(FIRST_YEAR, int(year[:4]) + 1)]


def reform(scope: Division):
    """divisions.stats for the place: from its baseline to the first edition after it (as the home page does)."""
    if not scope.code:
        return None
    editions = list(Edition.objects.order_by("ref_date"))
    baseline = scope.valid_from or (editions[0].ref_date if editions else None)
    later = [e.ref_date for e in editions if baseline and e.ref_date > baseline]
    if not later:
        return None
    try:
        return stats.reform_stats(scope.code, baseline, later[-1])
    except stats.StatsError:
        return None


def fmt(element: DataElement, value) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if element.value_type == ValueType.BOOL and element.aggregation in ("count_yes",):
        return f"{value:,.1f}".rstrip("0").rstrip(".") + " 个"
    if element.value_type == ValueType.PERCENT or element.formula:
        return f"{value:,.1f}{element.unit}"
    if abs(value) >= 100:
        return f"{value:,.0f}{element.unit}"
    return f"{value:,.2f}".rstrip("0").rstrip(".") + element.unit


def kpis(scope: Division, year: str, geo) -> list[dict]:
    ys = year_range(year)
    out = []
    for e in DataElement.objects.active().filter(is_key=True).order_by("category", "order"):
        series = [aggregate.value_at(e, y, geo, scope.pk) for y in ys] if scope.pk in geo.versions else [None] * len(ys)
        current = series[-1]
        previous = series[-2] if len(series) > 1 else None
        delta = (current - previous) if isinstance(current, (int, float)) and isinstance(previous, (int, float)) else None
        good = None if delta is None or delta == 0 else (delta > 0) == e.higher_is_better
        out.append({"element": e, "value": current, "text": fmt(e, current), "delta": delta, "good": good,
                    "delta_text": None if delta is None else f"{delta:+,.1f}", "years": ys,
                    "series": [None if v is None else round(v, 2) for v in series]})
    return out


def choropleth(element: DataElement, year: str, geo, level: int) -> dict:
    values = aggregate.values_at_level(element, year, geo, level)
    return {str(k): (round(v, 2) if isinstance(v, float) else v) for k, v in values.items() if isinstance(v, (int, float))}


def collective_summary(user, scope: Division, ys: list[str]) -> list[dict]:
    """Per year: counts of 空壳村 / 薄弱村 / 一般村 and the operating income (on the villages' own records)."""
    rows = []
    qs = CollectiveEconomy.objects.visible_to(user).filter(village__path__startswith=scope.path)
    for y in ys:
        records = list(qs.filter(year=int(y)).only(
            "classification", "business_income", "contract_income", "investment_income", "other_income"))
        counts = {c: sum(1 for r in records if r.classification == c) for c in EconomyClass.values}
        income = sum(float(r.operating_income) for r in records)
        rows.append({"year": y, "total": len(records), **counts, "income": income / 10000})
    return rows


def collective_chart(summary: list[dict]) -> dict:
    return {"labels": [f"{r['year']}年" for r in summary], "series": [
        {"name": "空壳村", "data": [r["hollow"] for r in summary], "color": "#c8102e"},
        {"name": "薄弱村", "data": [r["weak"] for r in summary], "color": "#d97706"},
        {"name": "一般村", "data": [r["general"] for r in summary], "color": "#2e7d32"},
    ]}


def villages_without_collective(user, scope: Division, year: int) -> list[Division]:
    villages = Division.objects.visible_to(user).subtree(scope).filter(level=Level.VILLAGE).order_by("path")
    have = set(CollectiveEconomy.objects.filter(year=year).values_list("village_id", flat=True))
    return [v for v in villages if v.pk not in have and services.existed_during(v, str(year))]


def threshold_history():
    return Parameter.objects.filter(key=services.WEAK_THRESHOLD).select_related("set_by").order_by("-valid_from")


def trends(scope: Division, year: str, geo) -> dict:
    ys = year_range(year)
    series = []
    for e in DataElement.objects.filter(code__in=TREND_CODES):
        series.append({"name": e.name, "data": [None if v is None else round(v, 1) for v in
                                                 (aggregate.value_at(e, y, geo, scope.pk) for y in ys)]})
    return {"labels": [f"{y}年" for y in ys], "series": series}


def township_table(scope: Division, year: str, geo) -> tuple[list, list[dict]]:
    """Key indicators per township (or per village inside a township) for the year."""
    level = Level.TOWNSHIP if scope.level < Level.TOWNSHIP else Level.VILLAGE
    elements = list(DataElement.objects.active().filter(is_key=True).order_by("category", "order"))
    units = sorted(geo.under(scope.pk, level), key=lambda u: geo.versions[u].path)
    rows = []
    for u in units:
        rows.append({"unit": geo.versions[u], "id": u,
                     "values": [fmt(e, aggregate.value_at(e, year, geo, u)) for e in elements]})
    return elements, rows


def build(scope: Division, year: str, user, element_code: str | None = None, level: str | None = None) -> dict:
    geo = aggregate.Geography.on(scope)
    map_element = (DataElement.objects.filter(code=element_code or "", active=True).first()
                   or DataElement.objects.filter(code="CE_OPERATING_INCOME").first() or DataElement.objects.first())
    map_level = Level.TOWNSHIP if (level == "4" and scope.level < Level.TOWNSHIP) else Level.VILLAGE
    progresses = services.assess(Target.objects.visible_to(user).filter(unit__path__startswith=scope.path), geo)
    summary = collective_summary(user, scope, year_range(year))
    key = kpis(scope, year, geo)
    return {
        "reform": reform(scope),
        "kpis": key,
        "kpis_json": [{"labels": k["years"], "data": k["series"], "good": k["element"].higher_is_better} for k in key],
        "map_element": map_element,
        "map_level": map_level,
        "map_values": choropleth(map_element, year, geo, map_level) if map_element else {},
        "trend_chart": trends(scope, year, geo),
        "collective": summary[-1] if summary else None,
        "collective_chart": collective_chart(summary),
        "flagged": [p for p in progresses if p.flagged],
        "targets_total": len(progresses),
        "ranking": services.township_ranking(progresses),
        "table": township_table(scope, year, geo),
        "hollow": build_hollow(user, scope, int(year[:4])),
    }


def build_hollow(user, scope: Division, year: int) -> list[CollectiveEconomy]:
    """The 空壳村 of a place in a year."""
    return list(CollectiveEconomy.objects.visible_to(user).filter(
        village__path__startswith=scope.path, year=year, classification=EconomyClass.HOLLOW)
        .select_related("village", "village__parent").order_by("village__path"))


__all__ = ["build", "latest_year", "display_value"]
