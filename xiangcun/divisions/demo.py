"""Demo data of the divisions module: the real 马尔康市 from the NBS editions (or a generated county).

Idempotent: editions already imported and units already in the registry are left alone.
"""
import datetime as dt
import random

from django.conf import settings
from django.db import transaction

from xiangcun.core import audit

from . import geo, services
from .models import Division, Edition, Kind, Level

DEMO_COUNTY = "513201"  # 马尔康市, 阿坝州, 四川省
DEMO_PROVINCE = "51"
EDITIONS = [(2018, dt.date(2018, 10, 31)), (2019, dt.date(2019, 10, 31)), (2020, dt.date(2020, 6, 30)),
            (2021, dt.date(2021, 10, 31))]


def load(log=print) -> Division:
    """Load the demo county and return it."""
    nbs_dir = settings.NBS_DIR
    if all((nbs_dir / f"{y}.csv.gz").exists() for y, _ in EDITIONS):
        return _load_real(nbs_dir, log)
    log(f"未找到 {nbs_dir},改用生成的示例县")
    return _load_generated(log)


def _load_real(nbs_dir, log) -> Division:
    for year, ref in EDITIONS:
        ed = Edition.objects.filter(year=year).first()
        if ed and services.covers(ed, DEMO_PROVINCE):
            continue
        result = services.import_edition(nbs_dir / f"{year}.csv.gz", year, ref, scope=DEMO_PROVINCE)
        log(result.message + "(四川省)")
    eds = {e.year: e for e in Edition.objects.all()}
    county = services.lookup(DEMO_COUNTY.ljust(12, "0"), dt.date(2019, 10, 31))
    if county is None:
        with audit.batch():  # the head moves once for the baseline and its groups (each still has its entry)
            created = services.adopt_baseline(eds[2019], DEMO_COUNTY)
            log(f"以 2019 年版为基线建立马尔康市区划台账:{created} 个单位")
            county = services.lookup(DEMO_COUNTY.ljust(12, "0"), dt.date(2019, 10, 31))
            _generate_groups(county, log)
        # outside a batch: confirm_all carries on after a proposal that fails (its own savepoint rolls back)
        for a, b in ((2019, 2020), (2020, 2021)):
            run = services.run_reconciliation(eds[a], eds[b], DEMO_COUNTY)
            done, errors = services.confirm_all(run)
            log(f"比对 {a}→{b}:确认 {done} 条变更" + (f",{len(errors)} 条失败" if errors else ""))
            for e in errors:
                log("  " + e)
    county = services.lookup(DEMO_COUNTY.ljust(12, "0"), dt.date(2019, 10, 31))
    _ensure_geometry(county, log)
    return county


def _ensure_geometry(county: Division, log) -> None:
    if county.geometry is None:
        with audit.batch():
            n = geo.generate_demo_geometry(county)
        log(f"生成演示边界 {n} 个(真实边界可用 xiangcun divisions import-geojson 导入)")


@transaction.atomic
def _generate_groups(county: Division, log) -> None:
    """Villager groups for each current village (3–9 each), with households and population."""
    villages = Division.objects.subtree(county).current().filter(level=Level.VILLAGE)
    if Division.objects.subtree(county).filter(kind=Kind.VILLAGER_GROUP).exists():
        return
    rng = random.Random(513201)
    numerals = "一二三四五六七八九"
    n = 0
    for village in villages:
        for i in range(rng.randint(3, 9)):
            households = rng.randint(25, 90)
            services.create_unit(f"{numerals[i]}组", Kind.VILLAGER_GROUP, village, village.valid_from,
                                 households=households, population=households * rng.randint(3, 5))
            n += 1
    log(f"生成村民小组 {n} 个")


def _load_generated(log) -> Division:
    """A county of 马尔康's shape (14 townships, ~108 villages) with a merger on 2020-06-30."""
    existing = Division.objects.filter(code="519901000000").first()
    if existing:
        return existing
    with audit.batch():  # one transaction, the audit head moved once
        return _generate_county(log)


def _generate_county(log) -> Division:
    base = dt.date(2019, 10, 31)
    prov = services.create_unit("示例省", Kind.PROVINCE, None, base, code="990000000000")
    city = services.create_unit("示例州", Kind.CITY, prov, base, code="519900000000")
    county = services.create_unit("示例县", Kind.COUNTY, city, base, code="519901000000", subtree_complete=True)
    rng = random.Random(7)
    townships = []
    for t in range(14):
        kind = Kind.TOWN if t < 4 else Kind.TOWNSHIP
        code = f"519901{100 + t if t < 4 else 196 + t:03d}000"
        name = f"示例{t + 1}{'镇' if kind == Kind.TOWN else '乡'}"
        tw = services.create_unit(name, kind, county, base, code=code)
        townships.append(tw)
        for v in range(rng.randint(6, 9)):
            services.create_unit(f"{name[:-1]}{v + 1}村", Kind.VILLAGE, tw, base, code=code[:9] + f"{200 + v:03d}")
    _generate_groups(county, log)
    merge_day = dt.date(2020, 6, 30)
    services.merge([townships[1]], merge_day, into=townships[0], document="示例府民政〔2020〕1号")
    for tw in townships[2:8]:
        villages = list(Division.objects.filter(parent=tw, valid_to__isnull=True).order_by("code"))
        services.merge(villages[1:2], merge_day, into=villages[0], document="示例府民政〔2020〕2号")
    _ensure_geometry(county, log)
    log("已生成示例县")
    return county
