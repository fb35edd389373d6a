"""What the reform dashboard (改革驾驶舱) and the meeting report show, computed once for a place and a year."""
from __future__ import annotations

import datetime as dt

from django.db.models import Max

from xiangcun.divisions import stats
from xiangcun.divisions.models import Division, Edition, Level
from xiangcun.divisions.scoping import subtree_q

from . import aggregate, services
from .models import (
    CollectiveEconomy,
    DataElement,
    DataValue,
    EconomyClass,
    Parameter,
    Source,
    Target,
    ValueType,
    display_value,
    number_text,
)

FIRST_YEAR = 2019
TREND_CODES = ["PLAN_VILLAGE_RATE", "ROAD_HARD_RATE", "TOILET_RATE", "WATER_TAP_RATE"]


def data_years(scope: Division | None = None) -> list[str]:
    """The years with values people entered (in the place, when given), oldest first. Values mirrored
    from the ledgers (asset rents run into the current year) do not make a year one "with data"."""
    qs = DataValue.objects.filter(period__regex=r"^\d{4}$", element__source=Source.ENTRY)
    if scope is not None:
        qs = qs.filter(subtree_q(scope, "unit__path"))
    return sorted(set(qs.values_list("period", flat=True).distinct()))


def latest_year(scope: Division | None = None) -> str:
    """The latest year with entered values (in the place, else anywhere), else last year."""
    years = data_years(scope) if scope is not None else []
    if not years:
        latest = (DataValue.objects.filter(period__regex=r"^\d{4}$", element__source=Source.ENTRY)
                  .aggregate(m=Max("period"))["m"])
        years = [latest] if latest else []
    return years[-1] if years else str(dt.date.today().year - 1)


def choose_year(requested: str | None, scope: Division) -> tuple[str, str, list[str]]:
    """(year, notice, years offered) for a page about the place: the requested year when it lies within
    the years that have data, else the latest year with data and a Chinese notice saying why."""
    available = data_years(scope)
    requested = (requested or "").strip()
    if not available:
        calendar = [str(y) for y in range(FIRST_YEAR, dt.date.today().year + 1)]
        year = requested if requested in calendar else latest_year(scope)
        return year, f"{scope.name}还没有填报任何年度的指标数据,以下各项为空。", sorted(set(calendar) | {year})
    first, last = available[0], available[-1]
    offered = [str(y) for y in range(min(int(first), FIRST_YEAR), int(last) + 1)]
    if not requested:
        return last, "", offered
    if not (len(requested) == 4 and requested.isdigit()):
        return last, f"年度“{requested[:20]}”格式不对,应为四位年份,如 {last};已显示 {last}年的数据。", offered
    if requested not in offered:
        return last, (f"{requested}年没有指标数据({scope.name}的数据为 {first}–{last} 年),"
                      f"已显示 {last}年的数据。"), offered
    return requested, "", offered


def year_range(year: str) -> list[str]:
    """FIRST_YEAR (or the year itself, if earlier) to the year."""
    return [str(y) for y in range(min(FIRST_YEAR, int(year[:4])), int(year[:4]) + 1)]


def completeness(scope: Division, year: str, geo) -> dict:
    """How complete the year's data is: the villages (or, for a county without villages, townships)
    that reported anything for the year, of those that exist on the geography."""
    level = Level.VILLAGE if geo.under(scope.pk, Level.VILLAGE) or scope.level == Level.VILLAGE else Level.TOWNSHIP
    expected = [scope.pk] if scope.level == level else geo.under(scope.pk, level)
    reported = aggregate.reported_units(geo, year, level) & set(expected)
    word = "村(社区)" if level == Level.VILLAGE else "乡镇"
    return {"year": year, "reported": len(reported), "expected": len(expected), "word": word,
            "complete": len(reported) == len(expected),
            "text": f"{year}年:已报 {len(reported)}/{len(expected)} 个{word}"}


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
    """A value as the dashboard and the report print it: rounded, without trailing zeros, with its unit."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if element.value_type == ValueType.BOOL and element.aggregation in ("count_yes",):
        return number_text(value, " 个", 1)
    if element.value_type == ValueType.PERCENT or element.formula:
        text = number_text(value, element.unit, 1)
        ceiling = float(element.max_value) if element.max_value is not None else 100.0
        if element.value_type == ValueType.PERCENT and value > ceiling + 1e-9:
            # stored values break a part ≤ whole relation (entered before it was checked): say so
            return f"{text}(数据有误:超过{number_text(ceiling)}%)"
        return text
    return number_text(value, element.unit, 0 if abs(value) >= 100 else 2)


def kpis(scope: Division, year: str, geo) -> list[dict]:
    ys = year_range(year)
    out = []
    for e in DataElement.objects.active().filter(is_key=True).order_by("category", "order"):
        series = [aggregate.value_at(e, y, geo, scope.pk) for y in ys] if scope.pk in geo.versions else [None] * len(ys)
        current = series[-1] if series else None
        previous = series[-2] if len(series) > 1 else None
        delta = (current - previous) if isinstance(current, (int, float)) and isinstance(previous, (int, float)) else None
        good = None if delta is None or delta == 0 else (delta > 0) == e.higher_is_better
        note = coverage_note(e, ys[-1], geo, scope.pk) if ys and current is not None and scope.pk in geo.versions else ""
        out.append({"element": e, "value": current, "text": fmt(e, current), "delta": delta, "good": good, "coverage": note,
                    "delta_text": None if delta is None else f"{delta:+,.1f}", "years": ys,
                    "series": [None if v is None else round(v, 2) for v in series]})
    return out


def choropleth(element: DataElement, year: str, geo, level: int) -> dict:
    values = aggregate.values_at_level(element, year, geo, level)
    return {str(k): (round(v, 2) if isinstance(v, float) else v) for k, v in values.items() if isinstance(v, (int, float))}


def collective_summary(user, scope: Division, ys: list[str]) -> list[dict]:
    """Per year: counts of 空壳村 / 薄弱村 / 一般村 and the operating income (on the villages' own records)."""
    rows = []
    qs = CollectiveEconomy.objects.visible_to(user).filter(subtree_q(scope, "village__path"))
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
    return Parameter.history(services.WEAK_THRESHOLD).select_related("set_by")


def trends(scope: Division, year: str, geo) -> dict:
    ys = year_range(year)
    series = []
    for e in DataElement.objects.filter(code__in=TREND_CODES):
        data = [None if v is None else round(v, 1) for v in (aggregate.value_at(e, y, geo, scope.pk) for y in ys)]
        # a rate above 100% comes from stored values that break a part ≤ whole relation: named, not clipped
        wrong = any(v is not None and v > 100 for v in data)
        series.append({"name": e.name + ("(数据有误:超过100%)" if wrong else ""), "data": data})
    return {"labels": [f"{y}年" for y in ys], "series": series}


def township_table(scope: Division, year: str, geo) -> tuple[list, list[dict]]:
    """Key indicators per township (or per village inside a township) for the year."""
    level = Level.TOWNSHIP if scope.level < Level.TOWNSHIP else Level.VILLAGE
    elements = list(DataElement.objects.active().filter(is_key=True).order_by("category", "order"))
    units = sorted(geo.under(scope.pk, level), key=lambda u: geo.versions[u].path)
    rows = []
    for u in units:
        rows.append({"unit": geo.versions[u], "id": u,
                     "values": [with_coverage(e, year, geo, u) for e in elements]})
    return elements, rows


def coverage_note(element: DataElement, year: str, geo, unit_id: int) -> str:
    """“已报1/7” when only some of the units behind the value reported, else ""."""
    cov = aggregate.coverage_of(element, year, geo, unit_id)
    return f"已报{cov[0]}/{cov[1]}" if cov and 0 < cov[0] < cov[1] else ""


def with_coverage(element: DataElement, year: str, geo, unit_id: int) -> str:
    """The value as fmt prints it, followed by its coverage when incomplete: “100%(已报1/7)”."""
    value = aggregate.value_at(element, year, geo, unit_id)
    note = coverage_note(element, year, geo, unit_id) if value is not None else ""
    return fmt(element, value) + (f"({note})" if note else "")


def build(scope: Division, year: str, user, element_code: str | None = None, level: str | None = None) -> dict:
    geo = aggregate.Geography.on(scope)
    map_element = (DataElement.objects.filter(code=element_code or "", active=True).first()
                   or DataElement.objects.filter(code="CE_OPERATING_INCOME").first() or DataElement.objects.first())
    map_level = Level.TOWNSHIP if (level == "4" and scope.level < Level.TOWNSHIP) else Level.VILLAGE
    progresses = services.assess(Target.objects.visible_to(user).filter(subtree_q(scope, "unit__path")), geo)
    summary = collective_summary(user, scope, year_range(year))
    key = kpis(scope, year, geo)
    return {
        "completeness": completeness(scope, year, geo) if scope.pk in geo.versions else None,
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
        subtree_q(scope, "village__path"), year=year, classification=EconomyClass.HOLLOW)
        .select_related("village", "village__parent").order_by("village__path"))


__all__ = ["build", "latest_year", "display_value"]
