"""Demo data of the indicators module: values for the demo county's villages and townships 2019–2023
(the units that existed at each year's end, so 2019 has the pre-merger villages and later years the
merged ones, whose values continue the sums of their predecessors), the collective economy with
空壳村 and 薄弱村, and targets of which some are behind. 松岗镇's 2023 village forms are left blank
for its staff to fill in.

Idempotent: nothing is added when the county already has values. Rows are bulk-inserted (fast; the
audit trail records only what people change afterwards).
"""
import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from xiangcun.divisions.models import Division, Level
from xiangcun.divisions.scoping import merged_units, subtree_q

from . import aggregate, catalogue, services
from .models import CollectiveEconomy, DataElement, DataValue, EconomyClass, IntegrationMode, OrgForm, Source, Target

YEARS = [2019, 2020, 2021, 2022, 2023]
INDUSTRIES = ["青稞种植", "牦牛养殖", "中药材", "乡村旅游", "特色水果", "藏香猪养殖"]


def load_module(county: Division, log=print) -> None:
    catalogue.seed(DataElement)
    # entered values only: CE_ASSET_RENT is mirrored from the assets demo, which loads first
    if DataValue.objects.filter(subtree_q(county, "unit__path"), element__source=Source.ENTRY).exists():
        return
    n, ce, t = _generate(county)
    log(f"生成指标演示数据 {n} 条、村集体经济 {ce} 条、考核目标 {t} 项(songgang 可填报松岗镇各村 2023 年指标)")


def _profile(rng):
    pop = rng.randint(280, 1400)
    return {"pop": pop, "hh": max(60, int(pop / rng.uniform(3.2, 4.2))), "p": rng.random(), "industry": rng.choice(INDUSTRIES),
            "income": rng.choice([rng.uniform(5000, 40000), rng.uniform(20000, 120000), rng.uniform(50000, 300000)]),
            "back": rng.randint(0, 6), "tour": rng.random() < 0.35}


def _village_values(prof, t):
    p, hh, pop = prof["p"], prof["hh"], prof["pop"]
    hazard = max(1, round(hh * 0.05))
    return {
        "POP": pop + 4 * t, "HOUSEHOLDS": hh + t,
        "PLAN_VILLAGE": p + 0.25 * t > 0.85, "ROAD_HARD": p + 0.16 * t > 0.5,
        "ROAD_KM": round(2 + 8 * p + 1.5 * t, 1), "WATER_TAP_RATE": min(100, round(62 + 25 * p + 4 * t, 1)),
        "WATER_SAFE": p + 0.2 * t > 0.4, "GRID_UPGRADED": p + 0.2 * t > 0.6, "BROADBAND": p + 0.2 * t > 0.7,
        "G5": p + 0.18 * t > 1.0, "TOILET_HH": round((hh + t) * min(1.0, 0.35 + 0.3 * p + 0.1 * t)),
        "GARBAGE": p + 0.22 * t > 0.5, "SEWAGE": p + 0.15 * t > 0.95,
        "HOUSE_CHECKED": round(hh * min(1.0, 0.3 + 0.2 * t)), "HOUSE_HAZARD": hazard,
        "HOUSE_FIXED": round(hazard * min(1.0, 0.22 * t)),
        "TOUR_VISITS": round((0.3 + 2.5 * p) * (1 + 0.18 * t), 2) if prof["tour"] else 0,
        "TOUR_INCOME": round((0.3 + 2.5 * p) * (1 + 0.18 * t) * 85, 1) if prof["tour"] else 0,
        "ECOM_SITES": int(p > 0.5) + int(t >= 3), "LEAD_INDUSTRY": prof["industry"],
        "MIGRANT_BACK": prof["back"] + t, "MIGRANT_TRAINED": 10 + round(30 * p) + 6 * t,
        "RETURN_BUSINESS": round(prof["back"] / 3 + t / 2), "BACKBONE_CADRE": int(t >= 2 and p > 0.4),
        "FAMILY_FARMS": round(p * 4 + t * 0.6), "COOPERATIVES": 1 + round(p * 2),
    }


def _combine(values: list[dict]) -> dict:
    """The values of a merged village: sums, population-weighted rates, yes only if every part says yes."""
    if len(values) == 1:
        return values[0]
    out = {}
    pops = [v["POP"] for v in values]
    for key in values[0]:
        xs = [v[key] for v in values]
        if isinstance(xs[0], bool):
            out[key] = all(xs)
        elif key == "WATER_TAP_RATE":
            out[key] = round(sum(x * w for x, w in zip(xs, pops)) / sum(pops), 1)
        elif isinstance(xs[0], str):
            out[key] = xs[pops.index(max(pops))]
        else:
            out[key] = round(sum(xs), 2)
    return out


def _number(element, v):
    if isinstance(v, bool):
        return Decimal(int(v)), ""
    if isinstance(v, str):
        return None, v
    return Decimal(str(v)).quantize(Decimal("0.0001")), ""


@transaction.atomic
def _generate(county: Division):
    rng = random.Random(513201)
    elements = {e.code: e for e in DataElement.objects.all()}
    today_geo = aggregate.Geography.on(county)
    rows, ce_rows = [], []
    profiles: dict[int, dict] = {}
    songgang = Division.objects.filter(parent=county, name="松岗镇", valid_to__isnull=True).first()
    thresholds = {year: services.threshold_on(year) for year in YEARS}
    predecessors: dict[int, list[int]] = {}  # the same village recurs every year
    for year in YEARS:
        t = year - 2019
        geo = aggregate.Geography.on(county, dt.date(year, 12, 31))
        villages = sorted(geo.units(Level.VILLAGE))
        units = Division.objects.in_bulk(villages)
        for vid in villages:
            unit = units[vid]
            # a village that absorbed others continues their profiles (like with like)
            if vid not in predecessors:
                predecessors[vid] = _predecessors(today_geo, unit, geo)
            parts = [pid for pid in predecessors[vid] if pid not in villages] + [vid]
            for pid in parts:
                profiles.setdefault(pid, _profile(rng))
            values = _combine([_village_values(profiles[pid], t) for pid in parts])
            skip = year == 2023 and songgang is not None and unit.path.startswith(songgang.path)
            if not skip:
                for code, v in values.items():
                    number, text = _number(elements[code], v)
                    rows.append(DataValue(element=elements[code], unit=unit, period=str(year), number=number, text=text))
            hollow = rng.random() < 0.3 - 0.06 * t  # fewer 空壳村 every year
            income = 0 if hollow else sum(profiles[pid]["income"] for pid in parts) * (1 + 0.25 * t)
            ce_rows.append(_collective(unit, year, income, len(parts) > 1, rng, thresholds[year]))
        township_ids = list(geo.units(Level.TOWNSHIP))
        townships = Division.objects.in_bulk(township_ids)
        for tid in township_ids:
            unit = townships[tid]
            p = rng.random()
            for code, v in {"PLAN_TOWNSHIP": p + 0.3 * t > 0.9, "ECOM_SALES": round((50 + 300 * p) * (1 + 0.2 * t), 1),
                            "AGRI_PARKS": int(p > 0.5) + int(t >= 3 and p > 0.3),
                            "AGRI_PARK_GRADE": ["无", "县级", "州级", "省级"][min(3, int(p * 3) + (t >= 3))]}.items():
                number, text = _number(elements[code], v)
                rows.append(DataValue(element=elements[code], unit=unit, period=str(year), number=number, text=text))
    DataValue.objects.bulk_create(rows, batch_size=2000)
    CollectiveEconomy.objects.bulk_create(ce_rows, batch_size=500)
    services.sync_collectives(CollectiveEconomy.objects.filter(subtree_q(county, "village__path")).select_related("village"))
    return len(rows), len(ce_rows), _targets(county)


def _predecessors(today_geo, unit, geo):
    """2019 villages whose records roll into `unit` (on the year's geography)."""
    return list(merged_units(unit).filter(level=Level.VILLAGE).values_list("pk", flat=True))


def _collective(unit, year, income, merged, rng, threshold):
    income = Decimal(str(round(income, 2)))
    business = (income * Decimal("0.5")).quantize(Decimal("0.01"))
    contract = (income * Decimal("0.3")).quantize(Decimal("0.01"))
    invest = (income * Decimal("0.1")).quantize(Decimal("0.01"))
    other = income - business - contract - invest
    assets = Decimal(rng.randint(200, 3000) * 1000)
    record = CollectiveEconomy(
        village=unit, year=year, total_income=income + Decimal(rng.randint(20, 120) * 1000), business_income=business,
        contract_income=contract, investment_income=invest, other_income=other, assets=assets,
        liabilities=(assets * Decimal(rng.uniform(0.05, 0.5))).quantize(Decimal("0.01")),
        org_form=OrgForm.SHARE_COOP if rng.random() < 0.2 + 0.15 * (year - 2019) else OrgForm.ECON_COOP,
        integration_mode=(rng.choice([IntegrationMode.DIRECT, IntegrationMode.SHARES, IntegrationMode.JOINT,
                                      IntegrationMode.GRADUAL]) if merged and year >= 2020 else ""),
    )
    record.threshold = threshold
    record.classification = services.classify(record.operating_income, record.threshold)
    return record


def _targets(county: Division) -> int:
    elements = {e.code: e for e in DataElement.objects.filter(code__in=["PLAN_VILLAGE_RATE", "ROAD_HARD_RATE", "CE_HOLLOW_RATE",
                                                                       "TOILET_RATE", "MIGRANT_BACK"])}
    n = 0
    plan = [("PLAN_VILLAGE_RATE", "2022", "ge", 100, dt.date(2021, 1, 1), dt.date(2022, 12, 31)),
            ("ROAD_HARD_RATE", "2023", "ge", 100, dt.date(2021, 1, 1), dt.date(2023, 12, 31)),
            ("CE_HOLLOW_RATE", "2023", "le", 0, dt.date(2021, 1, 1), dt.date(2023, 12, 31)),
            ("TOILET_RATE", "2023", "ge", 90, dt.date(2021, 1, 1), dt.date(dt.date.today().year + 1, 6, 30))]
    for township in Division.objects.filter(parent=county, level=Level.TOWNSHIP, valid_to__isnull=True).order_by("code"):
        for code, period, cmp, value, start, due in plan:
            Target.objects.get_or_create(unit=township, element=elements[code], period=period, defaults={
                "comparison": cmp, "value": value, "start_date": start, "due_date": due,
                "owner": f"{township.name}人民政府", "baseline": 30 if code == "CE_HOLLOW_RATE" else None})
            n += 1
    Target.objects.get_or_create(unit=county, element=elements["MIGRANT_BACK"], period="2023", defaults={
        "value": 800, "start_date": dt.date(2023, 1, 1), "due_date": dt.date(2023, 12, 31), "owner": "市人社局"})
    return n + 1


__all__ = ["load_module", "EconomyClass"]
